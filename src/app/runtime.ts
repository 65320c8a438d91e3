import { Pool } from 'pg';
import { loadConfig, type Config } from '../config/config';
import { createOrm, type Orm } from '../db/orm';
import { systemClock, type Clock } from '../shared/clock';
import { QueueKit } from '../../jobs/queues';
import { createServices, type Services } from './services';

export interface Runtime {
  config: Config;
  orm: Orm;
  clock: Clock;
  queues: QueueKit;
  /** A plain `pg` pool for set-based SQL with $n parameters and prepared hot paths. */
  pg: Pool;
  services: Services;
  close(): Promise<void>;
}

/** Connects what a process needs: configuration, database, queues and the services. */
export async function createRuntime(
  overrides: { config?: Config; clock?: Clock; orm?: Orm; queues?: QueueKit } = {},
): Promise<Runtime> {
  const config = overrides.config ?? loadConfig();
  if (!config.DATABASE_URL)
    throw new Error('DATABASE_URL is not set (npm start sets it for the embedded database)');
  const orm = overrides.orm ?? (await createOrm({ url: config.DATABASE_URL, poolMax: config.DB_POOL_MAX }));
  const clock = overrides.clock ?? systemClock(config.BUSINESS_TZ);
  const queues =
    overrides.queues ??
    new QueueKit({
      redisUrl: config.REDIS_URL,
      databaseUrl: config.DATABASE_URL,
      prefix: config.QUEUE_PREFIX,
    });
  const pg = new Pool({ connectionString: config.DATABASE_URL, max: config.DB_POOL_MAX });
  const services = createServices({ config, orm, clock, queues, pg });
  return {
    config,
    orm,
    clock,
    queues,
    pg,
    services,
    async close() {
      await services.tokens.stopWatching();
      await services.events.close();
      await queues.close();
      await pg.end();
      await orm.close();
    },
  };
}
