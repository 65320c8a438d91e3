import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PiiKey } from './pii-crypto';
import { RowCrypto } from './roster-crypto';
import type { RosterRow } from './roster-columns';
import { encodeRows, stageBatch } from './roster-rows';

/** The keys the staging threads hash and encrypt with (the active encryption key). */
export interface StageKeys {
  hmacKey: Buffer;
  encKey: PiiKey;
}

/** What each worker thread starts with. Keys travel as bytes; they never leave the process. */
export interface StageWorkerInit {
  today: string;
  hmacKey: Uint8Array;
  encKeyId: string;
  encKey: Uint8Array;
}

export interface StageRequest {
  seq: number;
  /** The batch as one string (encodeRows): a string crosses threads as one copy, objects one by one. */
  rows: string;
}

export type StageReply = { seq: number; text: string } | { seq: number; error: string };

export interface RowStagerOptions {
  today: string;
  keys: StageKeys;
  /**
   * Worker threads (default: one per core, at most 2 — the machines have two and PostgreSQL
   * needs its share). 0 stages on the calling thread.
   */
  threads?: number;
}

/** Default thread count: one per core, at most two. */
export function defaultStageThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * How a worker thread is started: the compiled `.js` next to this file (production build),
 * or — when running from TypeScript sources (tests, ad-hoc scripts) — the `.ts` through a small
 * bootstrap that compiles it with SWC (a dev dependency). Null when neither is possible: the
 * stager then works on the calling thread.
 */
function workerEntry(): { script: string; eval: boolean; extra: Record<string, string> } | null {
  const js = join(__dirname, 'roster-stage-worker.js');
  if (existsSync(js)) return { script: js, eval: false, extra: {} };
  const ts = join(__dirname, 'roster-stage-worker.ts');
  if (!existsSync(ts)) return null;
  let swc: string;
  try {
    swc = require.resolve('@swc/core');
  } catch {
    return null;
  }
  return { script: TS_BOOTSTRAP, eval: true, extra: { __entry: ts, __swc: swc } };
}

const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const swc = require(workerData.__swc);
require.extensions['.ts'] = function (module, filename) {
  const out = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(out.code, filename);
};
require(workerData.__entry);
`;

interface Pending {
  resolve: (text: string) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Turns batches of roster rows into COPY text on a small pool of worker threads (validation,
 * HMAC and AES-GCM per row: the CPU-heavy part of an import), so parsing on the main thread,
 * crypto on the workers and PostgreSQL's COPY overlap. Each batch goes to the thread with
 * the fewest batches in flight; the caller bounds how many are in flight.
 */
export class RowStager {
  private seq = 0;
  private failed: Error | undefined;

  private constructor(
    private readonly slots: Slot[],
    private readonly inline: { today: string; crypto: RowCrypto } | null,
  ) {}

  /** Threads actually used (0 = inline). */
  get threads(): number {
    return this.slots.length;
  }

  static start(opts: RowStagerOptions): RowStager {
    const wanted = opts.threads ?? defaultStageThreads();
    const entry = wanted > 0 ? workerEntry() : null;
    if (!entry)
      return new RowStager([], {
        today: opts.today,
        crypto: new RowCrypto(opts.keys.hmacKey, opts.keys.encKey),
      });
    const init: StageWorkerInit = {
      today: opts.today,
      hmacKey: new Uint8Array(opts.keys.hmacKey),
      encKeyId: opts.keys.encKey.id,
      encKey: new Uint8Array(opts.keys.encKey.key),
    };
    const slots: Slot[] = [];
    const stager = new RowStager(slots, null);
    for (let i = 0; i < wanted; i++) {
      const worker = new Worker(entry.script, {
        eval: entry.eval,
        workerData: { ...init, ...entry.extra },
        // A thread holds a batch or two at a time: small heaps keep the process RSS down
        // (worker RSS budget, performance.md; 16 MB measured as fast as 48 MB).
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
      });
      const slot: Slot = { worker, pending: new Map() };
      worker.on('message', (reply: StageReply) => {
        const p = slot.pending.get(reply.seq);
        if (!p) return;
        slot.pending.delete(reply.seq);
        if ('error' in reply) p.reject(new Error(`roster staging failed: ${reply.error}`));
        else p.resolve(reply.text);
      });
      const fail = (err: Error): void => {
        stager.failed ??= err;
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (slot.pending.size)
          fail(new Error(`roster staging thread exited (code ${code}) with work in flight`));
      });
      slots.push(slot);
    }
    return stager;
  }

  /** COPY text for a batch (rows validated, hashed, encrypted). */
  stage(rows: RosterRow[]): Promise<string> {
    if (this.inline) {
      try {
        return Promise.resolve(stageBatch(rows, this.inline.today, this.inline.crypto));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    if (this.failed) return Promise.reject(this.failed);
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const seq = ++this.seq;
    return new Promise<string>((resolve, reject) => {
      slot.pending.set(seq, { resolve, reject });
      slot.worker.postMessage({ seq, rows: encodeRows(rows) } satisfies StageRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
