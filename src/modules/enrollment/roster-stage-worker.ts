/**
 * Worker thread of the roster import: validates rows and computes look-up hashes and
 * ciphertexts (the CPU-heavy part), returning COPY text for the staging table. Stateless
 * between messages, so a batch can go to any thread; it never sees the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RowCrypto } from './roster-crypto';
import { decodeRows, stageBatch } from './roster-rows';
import type { StageReply, StageRequest, StageWorkerInit } from './roster-stage-pool';

const port = parentPort;
if (!port) throw new Error('roster-stage-worker must run in a worker thread');
const init = workerData as StageWorkerInit;
const crypto = new RowCrypto(Buffer.from(init.hmacKey), { id: init.encKeyId, key: Buffer.from(init.encKey) });

port.on('message', (msg: StageRequest) => {
  let reply: StageReply;
  try {
    reply = { seq: msg.seq, text: stageBatch(decodeRows(msg.rows), init.today, crypto) };
  } catch (err) {
    reply = { seq: msg.seq, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
