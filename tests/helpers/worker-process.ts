import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Harness } from './harness';

export const ROOT = join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the worker prints WORKER READY; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<void>;
  output: () => string;
}

/**
 * A real worker process for kill tests, from the TypeScript sources (SWC compiles them on
 * load, as jest does), on the harness's database and queue prefix. BullMQ's lock is shortened
 * so a killed worker's job is seen as stalled within seconds. SIGTERM closes it gracefully.
 */
export function startWorkerProcess(
  h: Harness,
  queue: string,
  env: Record<string, string> = {},
): WorkerProcess {
  const script = `
    const fs = require('node:fs');
    const path = require('node:path');
    const root = ${JSON.stringify(ROOT)};
    const swc = require(require.resolve('@swc/core', { paths: [root] }));
    const options = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
    delete options.$schema;
    require.extensions['.ts'] = (module, filename) => {
      const out = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename, sourceMaps: false });
      module._compile(out.code, filename);
    };
    require(require.resolve('reflect-metadata', { paths: [root] }));
    const { QueueKit } = require(path.join(root, 'jobs/queues.ts'));
    const worker = QueueKit.prototype.worker;
    QueueKit.prototype.worker = function (name, processor, opts) {
      return worker.call(this, name, processor, { ...opts, lockDuration: 3000, stalledInterval: 1000 });
    };
    const { createRuntime } = require(path.join(root, 'src/app/runtime.ts'));
    const { startWorkers } = require(path.join(root, 'jobs/worker.ts'));
    (async () => {
      const rt = await createRuntime();
      const handle = await startWorkers(rt, { queues: [${JSON.stringify(queue)}], concurrency: 1 });
      process.on('SIGTERM', () => handle.close().then(() => rt.close()).then(() => process.exit(0)));
      process.stdout.write('WORKER READY\\n');
    })().catch((err) => { console.error(err); process.exit(1); });
  `;
  const c = h.rt.config;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: c.DATABASE_URL,
      REDIS_URL: c.REDIS_URL ?? '',
      QUEUE_PREFIX: c.QUEUE_PREFIX,
      PII_HMAC_KEY: c.PII_HMAC_KEY,
      PII_ENC_KEYS: c.PII_ENC_KEYS,
      DB_POOL_MAX: '4',
      WORKER_CONCURRENCY: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      if (out.includes('WORKER READY')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it was ready:\n${out}`));
    });
  });
  ready.catch(() => undefined);
  return { child, ready, exited, output: () => out };
}
