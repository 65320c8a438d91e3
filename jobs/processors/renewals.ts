// Safe to repeat: each county is renewed in its own transaction together with its report row
// (unique per run and expiring contract), and a contract that already has a successor (unique
// predecessor key) is skipped. A retried or resumed run finds the counties it has done and
// carries on with the rest; the end state is that of an uninterrupted run.
import type { Job } from 'bullmq';
import type { RenewalRunSummary } from '../../src/modules/renewals/renewal.service';
import type { JobPayloads } from '../queues';
import type { JobDeps, JobProgressReport } from './index';

export type RenewalRunJob = JobPayloads['renewals']['renewal-run'];
export type RenewalWindowJob = JobPayloads['renewals']['renewal-window'];

/**
 * Test-only crash hook: with NODE_ENV=test and PILLAR_TEST_RENEWAL_KILL_AFTER=n, the worker
 * process SIGKILLs itself right after the n-th county has committed (the resume test).
 */
function crashHook(done: number): void {
  const after = Number(process.env.PILLAR_TEST_RENEWAL_KILL_AFTER);
  if (process.env.NODE_ENV === 'test' && after > 0 && done === after) process.kill(process.pid, 'SIGKILL');
}

export async function execRenewalRun(job: Job<RenewalRunJob>, deps: JobDeps): Promise<RenewalRunSummary> {
  return deps.services.renewals.executeRun(deps.orm.em, job.data.runId, async (done, total, county) => {
    await job.updateProgress({
      percent: total ? Math.round((done / total) * 100) : 100,
      message: `${done} of ${total} contracts: ${county.countyCode} ${county.outcome}`,
    } satisfies JobProgressReport);
    crashHook(done);
  });
}

/** The daily job: renewal quotes for contracts ending within their programme's renewal window. */
export async function execRenewalWindow(job: Job<RenewalWindowJob>, deps: JobDeps) {
  const asOf = job.data.asOf ?? deps.clock.today();
  return deps.services.renewals.renewDue(deps.orm.em, asOf, async (done, total) => {
    await job.updateProgress({
      percent: total ? Math.round((done / total) * 100) : 100,
      message: `${done} of ${total} contracts due for renewal as of ${asOf}`,
    } satisfies JobProgressReport);
  });
}
