// Safe to repeat: the lifecycle sweep only moves contracts whose dates say they should move
// (APPROVED → ACTIVE once the start date has come, ACTIVE → EXPIRED once the end date has
// passed), re-checking each contract's status under its version lock, so a second run for
// the same `asOf` finds nothing left to do and reports 0 activated, 0 expired.
import { UnrecoverableError, type Job } from 'bullmq';
import { isIsoDate } from '../../src/shared/dates';
import type { JobPayloads } from '../queues';
import type { JobDeps, JobProgressReport } from './index';

export type ContractLifecycleSweepJob = JobPayloads['maintenance']['contract-lifecycle-sweep'];

export interface ContractLifecycleSweepResult {
  asOf: string;
  activated: number;
  expired: number;
}

/**
 * Runs the contract lifecycle sweep as of `job.data.asOf`, or today in China time when the
 * payload has none (the daily schedule), which is the day the job actually runs.
 */
export async function execContractLifecycleSweep(
  job: Job<ContractLifecycleSweepJob, ContractLifecycleSweepResult>,
  deps: JobDeps,
): Promise<ContractLifecycleSweepResult> {
  const asOf = job.data.asOf ?? deps.clock.today();
  if (!isIsoDate(asOf)) throw new UnrecoverableError(`asOf: "${asOf}" is not a calendar date YYYY-MM-DD`);
  await job.updateProgress({
    percent: 0,
    message: `sweeping contracts as of ${asOf}`,
  } satisfies JobProgressReport);
  const { activated, expired } = await deps.services.contracts.runLifecycleSweep(deps.orm.em.fork(), asOf);
  await job.updateProgress({
    percent: 100,
    message: `activated ${activated}, expired ${expired} as of ${asOf}`,
  } satisfies JobProgressReport);
  return { asOf, activated, expired };
}
