// Safe to repeat, and to kill half-way: each batch re-encrypts rows still under another key in
// one UPDATE that compares-and-swaps the old ciphertext, so a batch either happened or did not;
// a re-run (BullMQ retry, or `rotatePiiKey` again) reads only rows not yet under the active key
// and finishes them, and a run with nothing left does nothing but report 0.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Role } from '../../src/modules/auth/api-token.entity';
import type { Actor } from '../../src/modules/auth/actor';
import type { RotationResult } from '../../src/modules/enrollment/insured.service';
import type { JobPayloads } from '../queues';
import type { JobDeps, JobProgressReport } from './index';

export type RotatePiiKeyJob = JobPayloads['maintenance']['rotate-pii-key'];

/**
 * Re-encrypts every national ID not under the active key. The payload names the key the API
 * was asked to rotate to; a worker running with another active key refuses (for good) rather
 * than re-encrypting under a key the API does not expect.
 */
export async function execRotatePiiKey(
  job: Job<RotatePiiKeyJob, RotationResult>,
  deps: JobDeps,
): Promise<RotationResult> {
  const { targetKeyId, batchSize } = job.data;
  const insured = deps.services.insured;
  if (deps.services.pii.activeKeyId !== targetKeyId) {
    throw new UnrecoverableError(
      `this worker's active PII key is "${deps.services.pii.activeKeyId}", not "${targetKeyId}": ` +
        'run the worker with the same PII_ENC_ACTIVE_KEY as the API',
    );
  }
  await job.updateProgress({
    percent: 0,
    message: `re-encrypting national IDs under key ${targetKeyId}`,
  } satisfies JobProgressReport);
  const result = await insured.reEncryptAll({
    targetKeyId,
    batchSize,
    onBatch: async (p) => {
      await job.updateProgress({
        percent: p.total ? Math.min(99, Math.floor((p.reEncrypted / p.total) * 100)) : 99,
        message: `re-encrypted ${p.reEncrypted} of ${p.total} (${p.batches} batches)`,
      } satisfies JobProgressReport);
    },
  });
  const actor: Actor = {
    tokenId: job.data.actorTokenId,
    role: job.data.actorRole as Role,
    countyCodes: [],
    provinceCodes: [],
  };
  await insured.recordRotation(deps.orm.em.fork(), actor, result);
  await job.updateProgress({
    percent: 100,
    message:
      `re-encrypted ${result.reEncrypted} of ${result.total} national IDs and ${result.webhookSecrets} webhook ` +
      `secrets; ${result.remaining + result.webhookSecretsRemaining} left under other keys`,
  } satisfies JobProgressReport);
  return result;
}
