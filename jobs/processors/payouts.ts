// Safe to repeat, and to kill at any point: each county's batch is made in one transaction
// (batch row, its lines and its totals together), under a per-county advisory lock, from the
// APPROVED claims that are in no live payout line. A retry (BullMQ after a crash, or
// `runSettlement` again for the same date) finds the counties already batched with nothing left
// to gather and makes only the batches still missing; the partial unique index on live lines
// refuses a claim twice even if two runs overlap. The run date is fixed by the payload or by
// the job's creation time, so a retry after midnight still numbers its batches with the same date.
import { UnrecoverableError, type Job } from 'bullmq';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import type { SettlementResult } from '../../src/modules/payouts/payout.service';
import { dateInZone, isIsoDate } from '../../src/shared/dates';
import type { JobPayloads } from '../queues';
import type { JobDeps, JobProgressReport } from './index';

export type SettleJob = JobPayloads['payouts']['settle'];

/**
 * Test hook, read only when NODE_ENV is "test": after this many counties have committed, the
 * job stops and waits for ever, so a test can SIGKILL the worker at a known point.
 */
export const PAUSE_AFTER_COUNTIES_ENV = 'PILLAR_TEST_SETTLE_PAUSE_AFTER_COUNTIES';
export const PAUSED_MARKER = 'PILLAR_TEST_SETTLEMENT_PAUSED';

function pauseAfterCounties(): number | null {
  if (process.env.NODE_ENV !== 'test') return null;
  const n = Number(process.env[PAUSE_AFTER_COUNTIES_ENV]);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * The settlement run of `job.data.runDate`, or of the day (China time) the job was created. The
 * batches are made by the system (audited as SYSTEM); who asked for an on-demand run is in the
 * audit of its enqueue.
 */
export async function execSettle(
  job: Job<SettleJob, SettlementResult>,
  deps: JobDeps,
): Promise<SettlementResult> {
  const runDate = job.data.runDate ?? dateInZone(new Date(job.timestamp), deps.config.BUSINESS_TZ);
  if (!isIsoDate(runDate))
    throw new UnrecoverableError(`runDate: "${runDate}" is not a calendar date YYYY-MM-DD`);
  const pauseAfter = pauseAfterCounties();
  await job.updateProgress({
    percent: 0,
    message: `settling approved claims for ${runDate}`,
  } satisfies JobProgressReport);
  const result = await deps.services.payouts.settle(deps.orm.em.fork(), SYSTEM_ACTOR, runDate, {
    afterCounty: async (county, done, total) => {
      await job.updateProgress({
        percent: Math.min(99, Math.floor((done / total) * 100)),
        message: `${done} of ${total} counties: ${county.batchNumber ?? `${county.countyCode} had nothing left to batch`}`,
      } satisfies JobProgressReport);
      if (pauseAfter !== null && done === pauseAfter) {
        process.stdout.write(`${PAUSED_MARKER} ${done}\n`);
        await new Promise<never>(() => undefined);
      }
    },
  });
  await job.updateProgress({
    percent: 100,
    message: `${result.batchesCreated} batch(es), ${result.linesCreated} claim(s), ${result.amountCreated} for ${runDate}`,
  } satisfies JobProgressReport);
  return result;
}
