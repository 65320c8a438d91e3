import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ADMIN_DB_URL } from './test-env';

/**
 * Gives the run an id (keeps concurrent runs on one machine apart) and drops databases
 * left by killed runs. The migrated template is made by the first worker that needs it
 * (tests/helpers/harness.ts): MikroORM keeps metadata in globals, which must not cross
 * from this process's realm into the test sandboxes.
 */
export default async function globalSetup(): Promise<void> {
  process.env.PILLAR_TEST_RUN ??= randomBytes(4).toString('hex');
  const admin = new Client({ connectionString: ADMIN_DB_URL });
  await admin.connect();
  try {
    const stale = await admin
      .query<{ datname: string }>(
        `select datname from pg_database where datname like 'pillar_t_%'
           and (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 day'`,
      )
      .catch(() => ({ rows: [] as { datname: string }[] }));
    for (const r of stale.rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
  } finally {
    await admin.end();
  }
}
