import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config/config';
import { createOrm } from '../../src/db/orm';
import { migrateUp } from '../../src/db/migrate';
import { Role } from '../../src/modules/auth/api-token.entity';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import { createApp } from '../../src/server/app';
import { FixedClock } from '../../src/shared/clock';
import { QueueKit } from '../../jobs/queues';
import { TEST_ENC_KEY, TEST_HMAC_KEY } from '../factories/people';
import { ADMIN_DB_URL, dbUrl, runId, templateDb, TEST_REDIS_URL, workerDb } from './test-env';

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

export interface Harness {
  rt: Runtime;
  clock: FixedClock;
  url: string;
  em(): EntityManager;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GqlResult<T>>;
  token(
    role: Role,
    scope?: { countyCodes?: string[]; provinceCodes?: string[]; expiresAt?: Date },
  ): Promise<string>;
  sql<T = Record<string, any>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Instant the test clock starts at (default 2020-03-02T02:00:00Z, a Monday in China). */
  now?: string;
  /** Queue backend for this harness (default Redis). */
  queueBackend?: 'redis' | 'postgres';
  /** Serve HTTP (default true). */
  http?: boolean;
  /** Extra configuration (environment variables) for this harness. */
  env?: Record<string, string>;
}

/** Creates and migrates this run's template database once (the first worker does it, under a lock). */
async function ensureTemplate(admin: Client): Promise<void> {
  await admin.query('select pg_advisory_lock(hashtext($1))', [templateDb()]);
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [templateDb()]);
    if (exists.rowCount) return;
    const building = `${templateDb()}_build`;
    await admin.query(`drop database if exists "${building}" with (force)`);
    await admin.query(`create database "${building}"`);
    const orm = await createOrm({ url: dbUrl(building) });
    try {
      await migrateUp(orm);
    } finally {
      await orm.close();
    }
    await admin.query(`alter database "${building}" rename to "${templateDb()}"`);
  } finally {
    await admin.query('select pg_advisory_unlock(hashtext($1))', [templateDb()]);
  }
}

/** A fresh database cloned from the migrated template, for one test file. */
export async function freshDatabase(): Promise<string> {
  const admin = new Client({ connectionString: ADMIN_DB_URL });
  await admin.connect();
  try {
    await ensureTemplate(admin);
    await admin.query(`drop database if exists "${workerDb()}" with (force)`);
    await admin.query(`create database "${workerDb()}" template "${templateDb()}"`);
  } finally {
    await admin.end();
  }
  return dbUrl(workerDb());
}

/**
 * Starts the real system for a test file: its own database, real Redis (or BullMQ's
 * PostgreSQL backend) under a per-worker prefix, and the HTTP API on a free port.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const url = await freshDatabase();
  // Per test file: a jest worker runs files one after another, and a job one file left in a
  // queue must never be taken by the next file's workers against another database.
  const prefix = `t${runId()}w${process.env.JEST_WORKER_ID ?? '0'}f${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url,
    REDIS_URL: opts.queueBackend === 'postgres' ? '' : TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    DB_POOL_MAX: '8',
    PII_HMAC_KEY: TEST_HMAC_KEY.toString('base64'),
    PII_ENC_KEYS: `${TEST_ENC_KEY.id}:${TEST_ENC_KEY.key.toString('base64')}`,
    ...opts.env,
  });
  const clock = new FixedClock(new Date(opts.now ?? '2020-03-02T02:00:00Z'));
  const orm = await createOrm({ url, poolMax: 8 });
  const queues = new QueueKit({ redisUrl: config.REDIS_URL, databaseUrl: url, prefix });
  const rt = await createRuntime({ config, clock, orm, queues });
  let server: Server | undefined;
  let base = '';
  if (opts.http !== false) {
    const { app } = await createApp({ config, orm, services: rt.services });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  return {
    rt,
    clock,
    url: base,
    em: () => orm.em.fork(),
    async gql(query, variables, token) {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    async token(role, scope = {}) {
      const { secret } = await rt.services.tokens.create(orm.em.fork(), SYSTEM_ACTOR, {
        name: `test ${role}`,
        role,
        ...scope,
      });
      return secret;
    },
    async sql(text, params = []) {
      return (await rt.pg.query(text, params as unknown[])).rows as never;
    },
    async close() {
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await rt.close();
      if (config.REDIS_URL) await dropRedisKeys(config.REDIS_URL, `{${prefix}}`);
    },
  };
}

/** Deletes this harness's queue keys from Redis (a test run leaves nothing behind). */
async function dropRedisKeys(url: string, keyPrefix: string): Promise<void> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export { Role };
