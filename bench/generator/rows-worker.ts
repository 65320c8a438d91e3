/**
 * Worker thread for produce.ts: builds COPY rows (HMAC + AES-GCM per person) for the
 * counties the main thread hands out, one at a time, and posts them back as transferred
 * byte buffers. At most MAX_IN_FLIGHT chunks wait for the main thread's acknowledgement,
 * which bounds memory when PostgreSQL is slower than the workers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { benchKeys } from '../lib/keys';
import type { CountyPlan } from './plan';
import { countyRowChunks } from './rows';
import type { ToMain, ToWorker, WorkerInit } from './produce';

const MAX_IN_FLIGHT = 2;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('rows-worker must run in a worker thread');
  const init = workerData as WorkerInit;
  const keys = benchKeys();
  const encoder = new TextEncoder();

  let inFlight = 0;
  let ackWaiter: (() => void) | undefined;
  let nextCounty: ((index: number | null) => void) | undefined;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'ack') {
      inFlight -= 1;
      const w = ackWaiter;
      ackWaiter = undefined;
      w?.();
    } else if (msg.type === 'county') {
      nextCounty?.(msg.index);
    } else {
      nextCounty?.(null);
    }
  });
  const post = (msg: ToMain, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

  for (;;) {
    const index = await new Promise<number | null>((resolve) => {
      nextCounty = resolve;
      post({ type: 'next' });
    });
    if (index === null) break;
    const county: CountyPlan = init.countyPlans[index]!;
    const contracts = init.contracts[county.code]!;
    for (const chunk of countyRowChunks(county, keys, { ...init.rows, contracts })) {
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (ackWaiter = resolve));
      const insured = encoder.encode(chunk.insured);
      const coverage = encoder.encode(chunk.coverage);
      inFlight += 1;
      post({ type: 'chunk', insured, coverage, people: chunk.people, coverages: chunk.coverages }, [
        insured.buffer as ArrayBuffer,
        coverage.buffer as ArrayBuffer,
      ]);
    }
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (ackWaiter = resolve));
  post({ type: 'done' });
}

main().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  parentPort?.postMessage({ type: 'error', message: e.message, stack: e.stack } satisfies ToMain);
});
