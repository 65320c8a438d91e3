// Safe to repeat: each contract is quoted in its own transaction, and quoting a contract whose
// newest quote has the same input hash returns that quote without writing anything; contracts
// that moved past QUOTED in the meantime are skipped. A re-run (or a retry after a crash)
// finishes what is left and leaves the quotes already made as they are.
import type { Job } from 'bullmq';
import type { Role } from '../../src/modules/auth/api-token.entity';
import type { Actor } from '../../src/modules/auth/actor';
import { DomainError } from '../../src/shared/errors';
import type { JobPayloads } from '../queues';
import type { JobDeps, JobProgressReport } from './index';

export type QuoteProgrammeJob = JobPayloads['pricing']['quote-programme'];

export interface CountyQuoteSummary {
  countyCode: string;
  contractId: number;
  outcome: 'QUOTED' | 'UNCHANGED' | 'FAILED';
  quoteId: number | null;
  insuredCount: number | null;
  perCapitaPremium: string | null;
  totalPremium: string | null;
  reason: string | null;
}

export interface QuoteProgrammeResult {
  year: number;
  contracts: number;
  quoted: number;
  unchanged: number;
  failed: number;
  counties: CountyQuoteSummary[];
}

export async function execQuoteProgramme(job: Job<QuoteProgrammeJob, QuoteProgrammeResult>, deps: JobDeps): Promise<QuoteProgrammeResult> {
  const { year } = job.data;
  const actor: Actor = {
    tokenId: job.data.actorTokenId,
    role: job.data.actorRole as Role,
    countyCodes: [],
    provinceCodes: [],
  };
  const quotes = deps.services.quotes;
  const work = await quotes.quotableContracts(deps.orm.em.fork(), year);
  const counties: CountyQuoteSummary[] = [];
  for (const [i, c] of work.entries()) {
    try {
      const { quote, created } = await quotes.quote(deps.orm.em.fork(), actor, { contractId: c.id });
      counties.push({
        countyCode: c.countyCode,
        contractId: c.id,
        outcome: created ? 'QUOTED' : 'UNCHANGED',
        quoteId: quote.id,
        insuredCount: quote.insuredCount,
        perCapitaPremium: quote.perCapitaPremium,
        totalPremium: quote.totalPremium,
        reason: null,
      });
    } catch (err) {
      // A county that cannot be priced (no head count, no published table, moved on) is
      // reported and the run goes on; anything unexpected fails the job, to be retried.
      if (!(err instanceof DomainError)) throw err;
      counties.push({
        countyCode: c.countyCode,
        contractId: c.id,
        outcome: 'FAILED',
        quoteId: null,
        insuredCount: null,
        perCapitaPremium: null,
        totalPremium: null,
        reason: `${String(err.details.reason ?? err.code)}: ${err.message}`,
      });
    }
    await job.updateProgress({
      percent: Math.round(((i + 1) / work.length) * 100),
      message: `quoted ${i + 1} of ${work.length} contracts of ${year}`,
    } satisfies JobProgressReport);
  }
  return {
    year,
    contracts: work.length,
    quoted: counties.filter((c) => c.outcome === 'QUOTED').length,
    unchanged: counties.filter((c) => c.outcome === 'UNCHANGED').length,
    failed: counties.filter((c) => c.outcome === 'FAILED').length,
    counties,
  };
}
