import { Client } from 'pg';
import { ADMIN_DB_URL, runId } from './test-env';

/** Drops this run's databases. */
export default async function globalTeardown(): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_DB_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1`,
      [`pillar_t_${runId()}_%`],
    );
    for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
  } finally {
    await admin.end();
  }
}
