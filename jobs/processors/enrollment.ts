// Safe to repeat: the import's status is checked first — a COMPLETED import returns its stored
// counts without touching anything, a FAILED one stays failed. An attempt that dies half-way
// (error, SIGKILL, lost worker) applied nothing: rows are staged in a scratch table (dropped
// and re-created by the next attempt) and validated and merged in ONE transaction, which
// commits the coverages, the insured upserts, the outbox events, the rejects, the counts and
// the status together or not at all. And a merge of rows already merged changes nothing.
import type { Job } from 'bullmq';
import type { RosterImportResult } from '../../src/modules/enrollment/roster-importer';
import type { JobPayloads } from '../queues';
import type { JobDeps, JobProgressReport } from './index';

export type RosterImportJob = JobPayloads['enrollment']['roster-import'];

/**
 * Imports one uploaded roster (`enrollment/roster-import`, job id `roster-import-<importId>`).
 * Progress: reading and checking the file 1–65 %, merging 70 %, done 100 %. The result is the
 * counts (no personal data). A domain error (bad file, contract closed, REPLACE on an ACTIVE
 * contract) fails the import and the job at once; anything else is retried, and the import is
 * marked FAILED only when the last attempt fails.
 */
export async function execRosterImport(
  job: Job<RosterImportJob, RosterImportResult>,
  deps: JobDeps,
): Promise<RosterImportResult> {
  const attempts = job.opts.attempts ?? 1;
  return deps.services.rosters.runImport(deps.orm.em.fork(), job.data.importId, {
    finalAttempt: job.attemptsMade + 1 >= attempts,
    onProgress: (p) => job.updateProgress(p satisfies JobProgressReport),
  });
}
