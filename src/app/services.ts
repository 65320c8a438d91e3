import type { Pool } from 'pg';
import type { Config } from '../config/config';
import type { Orm } from '../db/orm';
import { ActuarialStudyService } from '../modules/actuarial/study.service';
import { AuditService } from '../modules/audit/audit.service';
import { TokenService } from '../modules/auth/token.service';
import { CountyService } from '../modules/counties/county.service';
import { PiiService, piiKeysFromConfig } from '../modules/enrollment/pii.service';
import { QuoteService } from '../modules/pricing/quote.service';
import { CalendarService } from '../modules/calendar/calendar.service';
import { PlanService } from '../modules/pricing/plan.service';
import { RateTableService } from '../modules/pricing/rate-table.service';
import { ProgrammeService } from '../modules/programmes/programme.service';
import { ContractService } from '../modules/contracts/contract.service';
import { JobService } from '../modules/jobs/job.service';
import { EventService } from '../modules/events/event.service';
import { WebhookService } from '../modules/events/webhook.service';
import { CoverageService } from '../modules/coverage/coverage.service';
import { EndorsementService } from '../modules/coverage/endorsement.service';
import { InsuredService } from '../modules/enrollment/insured.service';
import { RosterImporter } from '../modules/enrollment/roster-importer';
import { RosterService } from '../modules/enrollment/roster.service';
import { RenewalService } from '../modules/renewals/renewal.service';
import { PayoutService } from '../modules/payouts/payout.service';
import { ClaimService } from '../modules/claims/claim.service';
import type { Clock } from '../shared/clock';
import type { QueueKit } from '../../jobs/queues';

export interface ServiceDeps {
  config: Config;
  orm: Orm;
  clock: Clock;
  queues: QueueKit;
  pg: Pool;
}

/**
 * The modules' public surfaces, wired once per process. Other modules call these services,
 * never each other's tables.
 */
export function createServices(deps: ServiceDeps) {
  const audit = new AuditService();
  const piiKeys = piiKeysFromConfig(deps.config);
  const pii = new PiiService(piiKeys);
  const tokens = new TokenService(deps.clock, audit, deps.pg);
  const counties = new CountyService(audit);
  const programmes = new ProgrammeService(deps.clock, audit);
  const plans = new PlanService(deps.clock, audit);
  const rateTables = new RateTableService(deps.clock, audit);
  const calendar = new CalendarService(audit);
  const contracts = new ContractService(deps.clock, audit, programmes, plans);
  const quotes = new QuoteService(deps.clock, contracts);
  const jobs = new JobService(deps.queues, deps.clock, audit);
  const events = new EventService(deps.queues, deps.clock);
  const webhooks = new WebhookService(pii, deps.clock, audit, { production: deps.config.isProduction });
  const coverage = new CoverageService(deps.pg, pii, deps.clock);
  const endorsements = new EndorsementService(deps.clock, audit, pii, contracts, events);
  const insured = new InsuredService(deps.pg, pii, audit, jobs);
  const rosters = new RosterService(
    new RosterImporter(audit, piiKeys, {
      uploadDir: deps.config.uploadDir,
      timeZone: deps.config.BUSINESS_TZ,
    }),
    contracts,
    jobs,
  );
  const actuarial = new ActuarialStudyService(
    deps.pg,
    deps.clock,
    audit,
    jobs,
    rateTables,
    deps.config.BUSINESS_TZ,
  );
  // IBNR of the renewal experience: the latest loss study's share (the actuarial module).
  const renewals = new RenewalService(deps.clock, audit, quotes, jobs, actuarial);
  const payouts = new PayoutService(deps.pg, deps.clock, audit, events, jobs);
  const claims = new ClaimService(deps.pg, deps.clock, audit, pii, calendar, events);
  return {
    deps,
    pii,
    audit,
    tokens,
    counties,
    programmes,
    plans,
    rateTables,
    calendar,
    contracts,
    quotes,
    jobs,
    events,
    webhooks,
    coverage,
    endorsements,
    insured,
    rosters,
    actuarial,
    renewals,
    payouts,
    claims,
  };
}

export type Services = ReturnType<typeof createServices>;
