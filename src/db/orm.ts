import 'reflect-metadata';
import { MikroORM, ReflectMetadataProvider, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { types } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

// Calendar dates stay 'YYYY-MM-DD' strings (never a JS Date shifted by a time zone);
// numeric and bigint stay strings (exact). Applies to raw `pg` queries too.
types.setTypeParser(types.builtins.DATE, (v) => v);

export interface DbOptions {
  url: string;
  poolMax?: number;
  debug?: boolean;
}

export function ormOptions(db: DbOptions): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: db.url,
    entities: ENTITIES,
    metadataProvider: ReflectMetadataProvider,
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    extensions: [Migrator],
    pool: { min: 0, max: db.poolMax ?? 10 },
    // Only our schema: BullMQ's PostgreSQL backend keeps its tables in schema
    // `bullmq_<QUEUE_PREFIX>` (jobs/queues.ts `pgQueueSchema`), which a diff against the live
    // database must never see (or it would propose dropping them). The migration check diffs
    // against the snapshot and is unaffected either way.
    schemaGenerator: {
      skipTables: [],
      ignoreSchema: [
        'bullmq',
        `bullmq_${(process.env.QUEUE_PREFIX || 'pillar').replace(/-/g, '_').toLowerCase()}`,
      ],
    },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: 'migrations',
      pathTs: 'migrations',
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: true,
      snapshotName: '.snapshot-pillar',
      emit: 'ts',
      silent: true,
    },
    forceUtcTimezone: true,
    debug: db.debug ?? false,
    allowGlobalContext: false,
    serialization: { forceObject: true },
  };
}

export async function createOrm(db: DbOptions): Promise<MikroORM<PostgreSqlDriver>> {
  return MikroORM.init<PostgreSqlDriver>(ormOptions(db));
}

export type Orm = MikroORM<PostgreSqlDriver>;
