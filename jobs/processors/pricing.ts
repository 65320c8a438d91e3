// Safe to repeat: each contract is quoted in its own transaction, and quoting a contract whose
// newest quote has the same input hash returns that quote without writing anything; contracts
// that moved past QUOTED in the meantime are skipped. A re-run (or a retry after a crash)
// finishes what is left and leaves the quotes already made as they are.
import type { Job } from 'bullmq';
import type { Role } from '../../src/modules/auth/api-token.entity';
import type { Actor } from '../../src/modules/auth/actor';
import type { QuoteProgrammeResult } from '../../src/modules/pricing/quote.service';
import type { JobPayloads } from '../queues';
import type { JobDeps, JobProgressReport } from './index';

export type QuoteProgrammeJob = JobPayloads['pricing']['quote-programme'];

export async function execQuoteProgramme(
  job: Job<QuoteProgrammeJob, QuoteProgrammeResult>,
  deps: JobDeps,
): Promise<QuoteProgrammeResult> {
  const actor: Actor = {
    tokenId: job.data.actorTokenId,
    role: job.data.actorRole as Role,
    countyCodes: [],
    provinceCodes: [],
  };
  return deps.services.quotes.quoteProgramme(deps.orm.em, actor, job.data.year, async (done, total) => {
    await job.updateProgress({
      percent: total ? Math.round((done / total) * 100) : 100,
      message: `quoted ${done} of ${total} contracts of ${job.data.year}`,
    } satisfies JobProgressReport);
  });
}
