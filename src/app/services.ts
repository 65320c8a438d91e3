import type { Pool } from 'pg';
import type { Config } from '../config/config';
import type { Orm } from '../db/orm';
import { AuditService } from '../modules/audit/audit.service';
import { TokenService } from '../modules/auth/token.service';
import { CountyService } from '../modules/counties/county.service';
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
  const tokens = new TokenService(deps.clock, audit);
  const counties = new CountyService(audit);
  return { deps, audit, tokens, counties };
}

export type Services = ReturnType<typeof createServices>;
