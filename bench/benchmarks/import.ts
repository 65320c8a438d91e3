/**
 * `import`: a roster file of 1 M rows (50 k at demo scale) through the product's import, end to
 * end — the `enrollment/roster-import` job picked up by a real worker process
 * (`node dist/src/main.js worker`, production mode, Redis queue): stream the CSV, validate,
 * hash and encrypt on the worker's threads, COPY into the staging table, ANALYZE, validate
 * and merge with set-based SQL in one transaction, counts and audit — timed from the enqueue
 * to the import row reading COMPLETED. Against the bare stack: COPY of the same rows with the
 * hash and ciphertext precomputed (the staging text the product's own row function makes,
 * written to a file in setup) and the same merge SQL (`mergeStagedRoster`), on one `pg`
 * connection.
 *
 * The roster (bench/generator/import-roster.ts) is a new programme year's roster of the
 * data set's largest county: its 2020 people again (known, a new coverage each; the oldest
 * now over 60) and new people up to the size, with ≈ 1 % rows refused for the spec's reasons.
 * It goes into a 2022 contract of that county created in setup, so the data set's own years
 * are untouched. Before every run of either side (untimed) the previous run's people,
 * coverages, events and rejects are deleted and the tables vacuumed (this machine's
 * PostgreSQL runs without autovacuum); teardown removes the 2022 programme and contract.
 *
 * The worker's peak resident memory (VmHWM) is read after every product run: the target is
 * ≤ 300 MB for the whole import.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createReadStream, createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PoolClient } from 'pg';
import { QueueKit, DEFAULT_JOB_OPTIONS } from '../../jobs/queues';
import { RowCrypto } from '../../src/modules/enrollment/roster-crypto';
import { ROSTER_COLUMNS, type RosterRow } from '../../src/modules/enrollment/roster-columns';
import {
  analyzeStage,
  copyIntoStage,
  createStageTable,
  dropStageTable,
  mergeStagedRoster,
  type MergeCounts,
} from '../../src/modules/enrollment/roster-merge';
import { stageBatch } from '../../src/modules/enrollment/roster-rows';
import { NODE_FLAGS } from '../../src/config/node-flags';
import { positional } from '../../src/db/positional';
import { dateInZone } from '../../src/shared/dates';
import {
  emptyExpectation,
  importRosterRows,
  ROSTER_HEADER,
  type ImportRosterExpectation,
} from '../generator/import-roster';
import type { CountyPlan, Scale } from '../generator/plan';
import { benchKeys, benchPiiEnv } from '../lib/keys';
import type { BenchContext, ReadyBenchmark } from '../lib/types';
import { distRoot, freePort, startChild, type ChildServer } from './coverage-common';

const YEAR = 2022;
const SOURCE_YEAR = 2020;
const TARGET_ROWS_PER_S = 40_000;
const TARGET_RATIO = 1.5;
const RSS_BUDGET_MB = 300;
const ROWS: Record<Scale, number> = { demo: 50_000, medium: 1_000_000, full: 1_000_000 };
const BUSINESS_TZ = 'Asia/Shanghai';

interface State {
  county: CountyPlan;
  contractId: number;
  periodStart: string;
  periodEnd: string;
  minAge: number;
  maxAge: number;
  insuredMax: number;
  outboxMax: number;
  expect: ImportRosterExpectation;
  dir: string;
  csvPath: string;
  csvSha256: string;
  stagePath: string;
  uploadDir: string;
  worker: ChildServer;
  kit: QueueKit;
  prefix: string;
  /** The import row the next run (either side) uses, made by reset. */
  importId: number;
}

type Counts = Pick<MergeCounts, 'total' | 'accepted' | 'updated' | 'unchanged' | 'rejected'> & {
  rejectedByReason: Partial<Record<string, number>>;
};
type Result = { kind: 'bare'; counts: Counts } | { kind: 'product'; counts: Counts; workerPeakMb: number };

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * One pass over the roster's rows writes both sides' inputs: the CSV the product imports
 * (UTF-8, English headers, as an export script writes it) and the staging COPY text the
 * product's own row function makes for the same lines (the bare side's precomputed input).
 */
async function writeInputs(
  ctx: BenchContext,
  county: CountyPlan,
  csvPath: string,
  stagePath: string,
): Promise<ImportRosterExpectation> {
  const k = benchKeys();
  const crypto = new RowCrypto(k.hmacKey, k.encKey);
  const today = dateInZone(new Date(), BUSINESS_TZ);
  const expect = emptyExpectation();
  const csv = createWriteStream(csvPath);
  const stage = createWriteStream(stagePath);
  let chunk = `${ROSTER_HEADER.join(',')}\n`;
  let batch: RosterRow[] = [];
  let line = 1; // the header
  const flush = async (): Promise<void> => {
    await write(csv, chunk);
    await write(stage, stageBatch(batch, today, crypto));
    chunk = '';
    batch = [];
  };
  for (const cells of importRosterRows(ctx.seed, county, YEAR, ROWS[ctx.scale], expect)) {
    chunk += `${cells.join(',')}\n`;
    const fields = {} as RosterRow['fields'];
    ROSTER_COLUMNS.forEach((c, i) => (fields[c] = cells[i] ?? ''));
    batch.push({ lineNumber: ++line, fields });
    if (batch.length === 2_000) await flush();
  }
  await flush();
  for (const out of [csv, stage]) {
    out.end();
    await once(out, 'finish');
  }
  return expect;
}

/** The product's Exec (`?` placeholders) on bare pg. The merge SQL has no other `?`. */
function bareExec(client: PoolClient) {
  return async <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await client.query(positional(sql), params)).rows as T[];
}

async function cleanUp(
  ctx: BenchContext,
  s: Pick<State, 'contractId' | 'insuredMax' | 'outboxMax'>,
): Promise<void> {
  const pg = ctx.db.pg;
  const imports = (
    await pg.query<{ id: number }>('select id from roster_import where contract_id = $1', [s.contractId])
  ).rows.map((r) => r.id);
  for (const id of imports) await dropStageTable((sql) => pg.query(sql), id);
  await pg.query('delete from outbox_event where id > $1', [s.outboxMax]);
  await pg.query('delete from roster_reject where roster_import_id = any($1)', [imports]);
  await pg.query('delete from coverage where contract_id = $1', [s.contractId]);
  await pg.query('delete from insured where id > $1', [s.insuredMax]);
  await pg.query('delete from roster_import where contract_id = $1', [s.contractId]);
  await pg.query('vacuum analyze insured, coverage, outbox_event, roster_reject, roster_import');
}

function countsOf(c: Counts): Counts {
  return {
    total: c.total,
    accepted: c.accepted,
    updated: c.updated,
    unchanged: c.unchanged,
    rejected: c.rejected,
    rejectedByReason: Object.fromEntries(Object.entries(c.rejectedByReason).filter(([, n]) => n)),
  };
}

export const importBench: ReadyBenchmark<State, Result> = {
  kind: 'ready',
  name: 'import',
  work: 'roster import of 1 M rows (demo: 50 k) into the data set: the roster-import job in a worker process (parse, validate IDs, hash and encrypt, COPY, merge)',
  compares:
    'COPY of the same rows with hash and ciphertext precomputed, then the same set-based merge SQL (pg, one connection)',
  target: `≥ ${TARGET_ROWS_PER_S / 1000} k rows/s end to end, ≤ ${TARGET_RATIO}× baseline; worker RSS ≤ ${RSS_BUDGET_MB} MB`,
  ratioKind: 'time',
  needs: ['coverages'],
  notes: [
    `a ${YEAR} roster of the largest county: its ${SOURCE_YEAR} people again plus new people, ≈ 1 % refused`,
    'worker process with 2 crypto threads and PostgreSQL share the 2 cores; tables vacuumed between runs (untimed)',
  ],
  repetitions: { demo: 5, medium: 3, full: 3 },
  async setup(ctx) {
    const pg = ctx.db.pg;
    const county = ctx.plan.countyPlans.reduce((a, b) => (b.headCount > a.headCount ? b : a));
    // Leftovers of an interrupted run first.
    await teardownData(ctx);
    await pg.query(
      `insert into programme (year, name, budget, default_plan_id, default_rate_table_id, carry_over_share, renewal_window_days)
       select ${YEAR}, 'Programme ${YEAR} (import bench)', budget, default_plan_id, default_rate_table_id, carry_over_share, renewal_window_days
         from programme where year = ${SOURCE_YEAR}`,
    );
    const c = await pg.query<{
      id: number;
      period_start: string;
      period_end: string;
      min_age: number;
      max_age: number;
    }>(
      `insert into county_contract (county_code, programme_id, programme_year, plan_id, period_start, period_end, status)
       select c.county_code, n.id, ${YEAR}, c.plan_id, '${YEAR}-01-01', '${YEAR}-12-31', 'DRAFT'
         from county_contract c join programme n on n.year = ${YEAR}
        where c.programme_year = ${SOURCE_YEAR} and c.county_code = $1
       returning id, period_start::text, period_end::text,
                 (select min_age from benefit_plan where id = plan_id) as min_age,
                 (select max_age from benefit_plan where id = plan_id) as max_age`,
      [county.code],
    );
    const contract = c.rows[0]!;
    const [{ insured_max, outbox_max }] = (
      await pg.query<{ insured_max: number; outbox_max: number }>(
        `select (select coalesce(max(id), 0) from insured)::int as insured_max,
                (select coalesce(max(id), 0) from outbox_event)::int as outbox_max`,
      )
    ).rows as [{ insured_max: number; outbox_max: number }];

    const dir = join(tmpdir(), `pillar-bench-import-${ctx.scale}`);
    await rm(dir, { recursive: true, force: true });
    const uploadDir = join(dir, 'uploads');
    await mkdir(join(uploadDir, 'rosters'), { recursive: true });
    const csvPath = join(dir, 'roster.csv');
    const stagePath = join(dir, 'stage.copy');
    const t = Date.now();
    const expect = await writeInputs(ctx, county, csvPath, stagePath);
    const csvSha256 = createHash('sha256').update(readFileSync(csvPath)).digest('hex');
    ctx.log(
      `import: roster of ${expect.rows} rows for county ${county.code} (${expect.known} known people, ` +
        `${expect.rejected} to refuse) and the bare side's staging text written in ` +
        `${((Date.now() - t) / 1000).toFixed(1)} s`,
    );

    const prefix = `pillar-bench-import-${process.pid}`;
    const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const port = await freePort();
    const worker = await startChild(
      join(distRoot(), 'src', 'main.js'),
      ['worker'],
      {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        DATABASE_URL: ctx.db.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        UPLOAD_DIR: uploadDir,
        WORKER_METRICS_PORT: String(port),
        BUSINESS_TZ,
        LOG_LEVEL: 'warn',
        ...benchPiiEnv(),
      },
      port,
      'product worker',
      ctx.log,
      // As the product starts its workers (src/config/node-flags.ts), plus any profiling flags.
      [...NODE_FLAGS.worker, ...(process.env.BENCH_WORKER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [])],
    );
    const kit = new QueueKit({ redisUrl, databaseUrl: ctx.db.url, prefix });
    return {
      county,
      contractId: contract.id,
      periodStart: contract.period_start,
      periodEnd: contract.period_end,
      minAge: contract.min_age,
      maxAge: contract.max_age,
      insuredMax: insured_max,
      outboxMax: outbox_max,
      expect,
      dir,
      csvPath,
      csvSha256,
      stagePath,
      uploadDir,
      worker,
      kit,
      prefix,
      importId: 0,
    };
  },
  async reset(ctx, s) {
    await cleanUp(ctx, s);
    const storageKey = `rosters/bench-${Date.now()}.csv`;
    await copyFile(s.csvPath, join(s.uploadDir, storageKey));
    const r = await ctx.db.pg.query<{ id: number }>(
      `insert into roster_import (contract_id, mode, status, file_name, storage_key, file_sha256)
       values ($1, 'MERGE', 'UPLOADED', 'roster.csv', $2, $3) returning id`,
      [s.contractId, storageKey, s.csvSha256],
    );
    s.importId = r.rows[0]!.id;
  },
  async baseline(ctx, s) {
    const client = await ctx.db.pg.connect();
    try {
      await createStageTable(client, s.importId);
      await pipeline(
        createReadStream(s.stagePath, { highWaterMark: 1 << 20 }),
        copyIntoStage(client, s.importId),
      );
      await analyzeStage(client, s.importId);
      await client.query('begin');
      const counts = await mergeStagedRoster(bareExec(client), {
        importId: s.importId,
        contractId: s.contractId,
        countyCode: s.county.code,
        programmeYear: YEAR,
        periodStart: s.periodStart,
        periodEnd: s.periodEnd,
        minAge: s.minAge,
        maxAge: s.maxAge,
        replace: false,
        keyId: benchKeys().encKey.id,
        hasPayeeAccount: true,
        hasPhone: true,
      });
      await dropStageTable((sql) => client.query(sql), s.importId);
      await client.query('commit');
      return { kind: 'bare', counts: countsOf(counts) };
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  },
  async run(ctx, s) {
    await s.kit
      .queue('enrollment')
      .add(
        'roster-import',
        { importId: s.importId, countyCode: s.county.code },
        { ...DEFAULT_JOB_OPTIONS, jobId: `roster-import-${s.importId}` },
      );
    for (;;) {
      const r = await ctx.db.pg.query<{
        status: string;
        failure_reason: string | null;
        total_rows: number;
        accepted_rows: number;
        updated_rows: number;
        unchanged_rows: number;
        rejected_rows: number;
      }>('select * from roster_import where id = $1', [s.importId]);
      const row = r.rows[0]!;
      if (row.status === 'FAILED') throw new Error(`the import failed: ${row.failure_reason ?? ''}`);
      if (row.status === 'COMPLETED') {
        const reasons = await ctx.db.pg.query<{ reason: string; n: number }>(
          'select reason, count(*)::int as n from roster_reject where roster_import_id = $1 group by 1',
          [s.importId],
        );
        return {
          kind: 'product',
          counts: {
            total: row.total_rows,
            accepted: row.accepted_rows,
            updated: row.updated_rows,
            unchanged: row.unchanged_rows,
            rejected: row.rejected_rows,
            rejectedByReason: Object.fromEntries(reasons.rows.map((x) => [x.reason, x.n])),
          },
          workerPeakMb: peakRssMb(s.worker.pid),
        };
      }
      if (s.worker.rss() === null) throw new Error('the worker process is gone');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  },
  verify(_ctx, result, s) {
    const problems: string[] = [];
    const c = result.counts;
    const e = s.expect;
    if (c.total !== e.rows) problems.push(`total ${c.total}, expected ${e.rows}`);
    if (c.accepted !== e.accepted) problems.push(`accepted ${c.accepted}, expected ${e.accepted}`);
    if (c.updated + c.unchanged !== 0)
      problems.push(`${c.updated} updated and ${c.unchanged} unchanged, expected none`);
    if (c.rejected !== e.rejected) problems.push(`rejected ${c.rejected}, expected ${e.rejected}`);
    for (const [reason, n] of Object.entries(e.byReason)) {
      if ((c.rejectedByReason[reason] ?? 0) !== n)
        problems.push(`${reason}: ${c.rejectedByReason[reason] ?? 0}, expected ${n}`);
    }
    if (c.total !== c.accepted + c.updated + c.unchanged + c.rejected) problems.push('buckets do not add up');
    return problems;
  },
  units(_ctx, s) {
    return { count: s.expect.rows, unit: 'rows' };
  },
  judge({ product, ratio, work }) {
    const rate = work.count / (product.stats.medianMs / 1000);
    const peak = (product.last as Extract<Result, { kind: 'product' }>).workerPeakMb;
    const okRate = rate >= TARGET_ROWS_PER_S;
    const okRatio = ratio !== null && ratio <= TARGET_RATIO;
    const okRss = peak <= RSS_BUDGET_MB;
    return {
      pass: okRate && okRatio && okRss,
      detail:
        `${Math.round(rate).toLocaleString('en')} rows/s (target ≥ ${TARGET_ROWS_PER_S.toLocaleString('en')}) ${okRate ? 'ok' : 'MISSED'}; ` +
        `${ratio?.toFixed(2)}× (target ≤ ${TARGET_RATIO}×) ${okRatio ? 'ok' : 'MISSED'}; ` +
        `worker peak RSS ${peak.toFixed(0)} MB (≤ ${RSS_BUDGET_MB}) ${okRss ? 'ok' : 'MISSED'}`,
    };
  },
  async teardown(ctx, s) {
    await s.worker.stop();
    await s.kit.close();
    await teardownData(ctx);
    await rm(s.dir, { recursive: true, force: true });
    await clearRedisPrefix(s.prefix);
  },
};

/** Removes the bench's year: its imports' data, contract and programme. */
async function teardownData(ctx: BenchContext): Promise<void> {
  const pg = ctx.db.pg;
  const c = await pg.query<{ id: number }>('select id from county_contract where programme_year = $1', [
    YEAR,
  ]);
  if (c.rows.length) {
    const limits = await pg.query<{ insured_max: number; outbox_max: number }>(
      `select coalesce((select max(insured_id) from coverage where programme_year <> ${YEAR}), 0)::int as insured_max,
              coalesce((select min(id) - 1 from outbox_event where payload ? 'rosterImportId'
                          and (payload->>'rosterImportId')::int in (select id from roster_import where contract_id = any($1))),
                       (select max(id) from outbox_event), 0)::int as outbox_max`,
      [c.rows.map((r) => r.id)],
    );
    const { insured_max: insuredMax, outbox_max: outboxMax } = limits.rows[0]!;
    for (const { id } of c.rows) await cleanUp(ctx, { contractId: id, insuredMax, outboxMax });
    await pg.query('delete from county_contract where programme_year = $1', [YEAR]);
  }
  await pg.query('delete from programme where year = $1', [YEAR]);
}

async function clearRedisPrefix(prefix: string): Promise<void> {
  const { default: IORedis } = await import('ioredis');
  const redis = new IORedis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
