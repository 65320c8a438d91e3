/**
 * The dedicated bench database: `pillar_bench_<scale>` on the local PostgreSQL unless
 * BENCH_DATABASE_URL says otherwise, created if missing and migrated with the product's own
 * migrations (src/db/orm.ts + src/db/migrate.ts), so benchmarks run on the real schema.
 */
import { Client, escapeIdentifier, escapeLiteral, Pool } from 'pg';
import { createOrm, type Orm } from '../../src/db/orm';
import { migrateUp } from '../../src/db/migrate';
import type { Scale } from '../generator/plan';

export const DEFAULT_SERVER_URL = 'postgresql://postgres@127.0.0.1:5432';

export function benchDatabaseUrl(scale: Scale): string {
  return process.env.BENCH_DATABASE_URL || `${DEFAULT_SERVER_URL}/pillar_bench_${scale}`;
}

/** The URL with the password replaced, for logs and result files. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`bench database URL names no database: ${redactUrl(url)}`);
  return name;
}

/** Creates the database if it does not exist (connecting to `postgres` on the same server). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database ${escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}

export interface BenchDb {
  url: string;
  name: string;
  created: boolean;
  migrationsApplied: string[];
  /** The product's ORM on the bench database (what product code paths use). */
  orm: Orm;
  /** A bare `pg` pool on the same database (what baselines use). */
  pg: Pool;
  close(): Promise<void>;
}

export async function openBenchDb(url: string, poolMax = 8): Promise<BenchDb> {
  const created = await ensureDatabase(url);
  const orm = await createOrm({ url, poolMax });
  let pg: Pool | undefined;
  try {
    const migrationsApplied = await migrateUp(orm);
    pg = new Pool({ connectionString: url, max: poolMax });
    const pool = pg;
    return {
      url,
      name: databaseName(url),
      created,
      migrationsApplied,
      orm,
      pg: pool,
      close: async () => {
        await pool.end();
        await orm.close();
      },
    };
  } catch (err) {
    await pg?.end();
    await orm.close();
    throw err;
  }
}

/** The data-set marker kept as the database's comment: no table outside the product schema. */
export async function readDatabaseComment(pg: Pool): Promise<string | null> {
  const r = await pg.query<{ c: string | null }>(
    `select shobj_description(oid, 'pg_database') as c from pg_database where datname = current_database()`,
  );
  return r.rows[0]?.c ?? null;
}

export async function writeDatabaseComment(pg: Pool, name: string, text: string | null): Promise<void> {
  await pg.query(
    `comment on database ${escapeIdentifier(name)} is ${text === null ? 'null' : escapeLiteral(text)}`,
  );
}
