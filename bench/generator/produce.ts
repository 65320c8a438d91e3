/**
 * Produces the COPY rows of every county, spreading the per-person crypto (HMAC-SHA-256 and
 * AES-256-GCM, the expensive part) over worker threads — one per core by default — and
 * handing the bytes to `sink` one chunk at a time, in arrival order. Counties go to whichever
 * worker is free, largest first; row contents do not depend on which worker built them.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { benchKeys } from '../lib/keys';
import type { CountyPlan } from './plan';
import { countyRowChunks, type RowOptions } from './rows';

export type ContractIds = Record<string, { 2019: number; 2020: number }>;

export interface WorkerInit {
  countyPlans: CountyPlan[];
  contracts: ContractIds;
  rows: Omit<RowOptions, 'contracts'>;
}

export type ToWorker = { type: 'county'; index: number } | { type: 'stop' } | { type: 'ack' };
export type ToMain =
  | { type: 'next' }
  | { type: 'chunk'; insured: Uint8Array; coverage: Uint8Array; people: number; coverages: number }
  | { type: 'done' }
  | { type: 'error'; message: string; stack?: string };

export interface Chunk {
  insured: Buffer;
  coverage: Buffer;
  people: number;
  coverages: number;
}

export interface ProduceOptions extends WorkerInit {
  /** Worker threads; 0 builds rows on the main thread. Default: one per core. */
  workers?: number;
}

export interface ProduceStats {
  workers: number;
  people: number;
  coverages: number;
}

export async function produceRows(
  opts: ProduceOptions,
  sink: (chunk: Chunk) => Promise<void>,
): Promise<ProduceStats> {
  const order = opts.countyPlans
    .map((c) => c.index)
    .sort((a, b) => opts.countyPlans[b]!.headCount - opts.countyPlans[a]!.headCount || a - b);
  const script = join(__dirname, 'rows-worker.js');
  // From TypeScript sources (tests, ad-hoc runs) there is no compiled worker: stay on the main thread.
  const wanted = opts.workers ?? cpus().length;
  const workers = existsSync(script) ? Math.max(0, Math.min(wanted, order.length)) : 0;
  const stats: ProduceStats = { workers, people: 0, coverages: 0 };
  const count = (c: Chunk): void => {
    stats.people += c.people;
    stats.coverages += c.coverages;
  };

  if (workers === 0) {
    const keys = benchKeys();
    for (const index of order) {
      const county = opts.countyPlans[index]!;
      for (const c of countyRowChunks(county, keys, {
        ...opts.rows,
        contracts: opts.contracts[county.code]!,
      })) {
        const chunk = {
          insured: Buffer.from(c.insured),
          coverage: Buffer.from(c.coverage),
          people: c.people,
          coverages: c.coverages,
        };
        await sink(chunk);
        count(chunk);
      }
    }
    return stats;
  }

  let next = 0;
  let sinkChain: Promise<void> = Promise.resolve();
  const init: WorkerInit = { countyPlans: opts.countyPlans, contracts: opts.contracts, rows: opts.rows };
  const pool = Array.from({ length: workers }, () => new Worker(script, { workerData: init }));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let finished = false;
            const fail = (err: Error): void => {
              if (!finished) {
                finished = true;
                reject(err);
              }
            };
            worker.on('error', fail);
            worker.on('exit', (code) => fail(new Error(`row worker exited early with code ${code}`)));
            worker.on('message', (msg: ToMain) => {
              switch (msg.type) {
                case 'next': {
                  const index = order[next++];
                  worker.postMessage(
                    (index === undefined ? { type: 'stop' } : { type: 'county', index }) satisfies ToWorker,
                  );
                  break;
                }
                case 'chunk': {
                  const chunk: Chunk = {
                    insured: Buffer.from(msg.insured.buffer, msg.insured.byteOffset, msg.insured.byteLength),
                    coverage: Buffer.from(
                      msg.coverage.buffer,
                      msg.coverage.byteOffset,
                      msg.coverage.byteLength,
                    ),
                    people: msg.people,
                    coverages: msg.coverages,
                  };
                  sinkChain = sinkChain.then(async () => {
                    await sink(chunk);
                    count(chunk);
                    worker.postMessage({ type: 'ack' } satisfies ToWorker);
                  });
                  sinkChain.catch(fail);
                  break;
                }
                case 'done':
                  finished = true;
                  resolve();
                  break;
                case 'error': {
                  const err = new Error(`row worker: ${msg.message}`);
                  if (msg.stack) err.stack = msg.stack;
                  fail(err);
                  break;
                }
              }
            });
          }),
      ),
    );
    await sinkChain;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return stats;
}
