/**
 * What the `coverage` and `coverage-batch` benchmarks share: a sample of real people of the
 * data set (their national IDs recovered with the bench keys), the answer each must get, an
 * INTEGRATION token (look-ups by integrations are the product's hot path, access log
 * included), and child processes for the product API and the bare `node:http` + `pg` server,
 * each on its own port so neither shares an event loop with the load generator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { LOOKUP_STATEMENT } from '../../src/modules/coverage/coverage.service';
import { decryptId } from '../../src/modules/enrollment/pii-crypto';
import { hashToken } from '../../src/modules/auth/token.service';
import { benchKeys, benchPiiEnv } from '../lib/keys';
import type { Log } from '../lib/types';

/** The date every look-up asks about: inside the 2020 programme year of the data set. */
export const LOOKUP_DATE = '2020-06-15';
/** Connections to the database, the same for the product and the bare server (the product's default). */
export const DB_POOL_MAX = 10;

export interface SampledPerson {
  nationalId: string;
  hashHex: string;
  /** The county of the person's 2020 coverage: the answer's county. */
  countyCode: string;
  /** Whether the 2020 contract is in force on LOOKUP_DATE (ACTIVE, or EXPIRED after having been active). */
  covered: boolean;
}

/**
 * `n` random people with a 2020 coverage (TABLESAMPLE, so it stays fast at 4.7 M), their IDs
 * decrypted with the bench keys, and what the look-up must answer — worked out here in SQL,
 * independently of the product's code.
 */
export async function samplePeople(pg: Pool, n: number, seed: number): Promise<SampledPerson[]> {
  const [{ total }] = (await pg.query<{ total: string }>('select count(*) as total from insured')).rows as [
    { total: string },
  ];
  const percent = Math.min(100, ((n * 3) / Math.max(1, Number(total))) * 100);
  const { rows } = await pg.query<{
    id_ciphertext: string;
    hash: string;
    county_code: string;
    covered: boolean;
  }>(
    `select i.id_ciphertext, encode(i.id_hash, 'hex') as hash, c.county_code,
            (k.status = 'ACTIVE' or (k.status = 'EXPIRED' and k.activated_at is not null)) as covered
       from insured i tablesample bernoulli ($1) repeatable ($2)
       join coverage c on c.insured_id = i.id and c.programme_year = 2020
                      and c.status = 'ENROLLED' and c.period_start <= $4::date and c.period_end >= $4::date
       join county_contract k on k.id = c.contract_id
      limit $3`,
    [percent, seed, n, LOOKUP_DATE],
  );
  if (rows.length < n)
    throw new Error(`sampled only ${rows.length} people with a 2020 coverage, wanted ${n}`);
  const keyring = { [benchKeys().encKey.id]: benchKeys().encKey.key };
  return rows.map((r) => ({
    nationalId: decryptId(r.id_ciphertext, keyring),
    hashHex: r.hash,
    countyCode: r.county_code,
    covered: r.covered,
  }));
}

/** The fields of a `CoverageCheck` the benchmarks ask for. */
export interface CoverageAnswerJson {
  covered: boolean;
  reason: string | null;
  programmeYear: number | null;
  county: { code: string } | null;
  deductibleLeft: string | null;
  benefitLeft: string | null;
}

/**
 * Reads every sampled person once through the look-up statement (the variant without the
 * access log), untimed, so both sides start from the same warm cache instead of whichever
 * goes first paying for the disk reads (4.7 M people fit in memory; production serves them
 * warm too).
 */
export async function warmCache(pg: Pool, people: readonly SampledPerson[]): Promise<void> {
  for (let i = 0; i < people.length; i += 1000) {
    const hashes = people.slice(i, i + 1000).map((p) => Buffer.from(p.hashHex, 'hex'));
    await pg.query({
      name: LOOKUP_STATEMENT.name,
      text: LOOKUP_STATEMENT.text,
      values: [hashes, null, null],
    });
  }
}

export interface BenchToken {
  id: number;
  secret: string;
}

/** An unscoped INTEGRATION token written straight into the bench database (removed by `dropToken`). */
export async function createIntegrationToken(pg: Pool, name: string): Promise<BenchToken> {
  const secret = `plr_${randomBytes(32).toString('base64url')}`;
  const { rows } = await pg.query<{ id: number }>(
    `insert into api_token (name, token_hash, prefix, role, county_codes, province_codes)
     values ($1, $2, $3, 'INTEGRATION', '{}', '{}') returning id`,
    [name, hashToken(secret), secret.slice(0, 10)],
  );
  return { id: rows[0]!.id, secret };
}

/** Removes the token and the access-log rows its look-ups wrote. */
export async function dropToken(pg: Pool, token: BenchToken): Promise<number> {
  const logged = await pg.query('delete from coverage_access_log where token_id = $1', [token.id]);
  await pg.query('delete from api_token where id = $1', [token.id]);
  return logged.rowCount ?? 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ChildServer {
  url: string;
  pid: number;
  /** Resident set size of the process now, bytes (Linux /proc). */
  rss(): number | null;
  stop(): Promise<void>;
}

/** The compiled repository root (this file runs as dist/bench/benchmarks/coverage-common.js). */
export function distRoot(): string {
  return join(__dirname, '..', '..');
}

async function waitUntilUp(
  url: string,
  child: ChildProcess,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} while starting`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${what} did not answer /healthz within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Extra node flags for a product API under benchmark, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
export function apiNodeArgs(): string[] {
  return process.env.BENCH_API_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
}

export async function startChild(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  what: string,
  log: Log,
  nodeArgs: string[] = [],
): Promise<ChildServer> {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child, what);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  log(`  ${what} up at ${url} (pid ${child.pid})`);
  return {
    url,
    pid: child.pid!,
    rss() {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Number(m[1]) * 1024 : null;
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The product API as it runs in production (`node dist/src/main.js api`, NODE_ENV=production,
 * info-level request logs to /dev/null), on the bench database with the bench keys.
 */
export async function startProductApi(databaseUrl: string, log: Log): Promise<ChildServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    DB_POOL_MAX: String(DB_POOL_MAX),
    LOG_LEVEL: 'info',
    EXPLORER_ENABLED: 'false',
    ...benchPiiEnv(),
  };
  return startChild(join(distRoot(), 'src', 'main.js'), ['api'], env, port, 'product API', log, apiNodeArgs());
}

/** The bare `node:http` + `pg` server (coverage-bare-server.ts) running the product's statement. */
export async function startBareServer(databaseUrl: string, tokenId: number, log: Log): Promise<ChildServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    DB_POOL_MAX: String(DB_POOL_MAX),
    BENCH_TOKEN_ID: String(tokenId),
    ...benchPiiEnv(),
  };
  return startChild(
    join(distRoot(), 'bench', 'benchmarks', 'coverage-bare-server.js'),
    [],
    env,
    port,
    'bare server',
    log,
  );
}

/** p-quantile of a list of numbers (nearest rank). */
export function quantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
