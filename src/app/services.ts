import type { Pool } from 'pg';
import type { Config } from '../config/config';
import type { Orm } from '../db/orm';
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
import type { Clock } from '../shared/clock';
import { currentRequestId } from '../shared/request-context';
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
  const audit = new AuditService(currentRequestId);
  const pii = new PiiService(piiKeysFromConfig(deps.config));
  const tokens = new TokenService(deps.clock, audit);
  const counties = new CountyService(audit);
  const programmes = new ProgrammeService(deps.clock, audit);
  const plans = new PlanService(deps.clock, audit);
  const rateTables = new RateTableService(deps.clock, audit);
  const calendar = new CalendarService(audit);
  const contracts = new ContractService(deps.clock, audit, programmes, plans);
  const quotes = new QuoteService(deps.clock, contracts);
  const jobs = new JobService(deps.queues, deps.clock, audit);
  return { deps, pii, audit, tokens, counties, programmes, plans, rateTables, calendar, contracts, quotes, jobs };
}

export type Services = ReturnType<typeof createServices>;
