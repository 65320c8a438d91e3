/**
 * Writes the planned data set into the bench database.
 *
 * `reference`: counties (the demo ten through the product's own seed, src/seed/reference-data.ts;
 * generated ones by SQL), the working-day calendar, plan BACKBONE-STD and rate table
 * CN-RURAL-2019 (PUBLISHED) from the product's typed defaults (src/seed/defaults.ts), programmes 2019 and 2020 with their funding, and one DRAFT contract per county
 * and year — DRAFT so the pricing benchmark can quote them.
 *
 * `coverages`: insured people and their coverages, bulk-loaded with COPY. STAND-IN: this is not
 * how people enter Pillar. The enrollment issue replaces it with rosters written as CSV/XLSX
 * and loaded through the product's own import; until then the pricing benchmark needs rows,
 * and these are the rows an import would write (same hash, ciphertext and mask functions).
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import { DEFAULT_PLAN, DEFAULT_RATE_TABLE } from '../../src/seed/defaults';
import { loadCalendar, loadCounties } from '../../src/seed/reference-data';
import type { BenchDb } from '../lib/db';
import type { DataSetPlan } from './plan';
import { produceRows, type ContractIds } from './produce';
import { COVERAGE_COPY_COLUMNS, INSURED_COPY_COLUMNS } from './rows';

export type Counts = Record<string, number>;
export type Log = (message: string) => void;

/** Empties every table of the product schema (not the migration log). */
export async function wipe(pg: Pool): Promise<void> {
  const r = await pg.query<{ t: string }>(
    `select quote_ident(tablename) as t from pg_tables where schemaname = 'public' and tablename <> 'mikro_orm_migrations'`,
  );
  if (r.rows.length) await pg.query(`truncate ${r.rows.map((x) => x.t).join(', ')} restart identity cascade`);
}

export async function loadReference(db: BenchDb, plan: DataSetPlan): Promise<Counts> {
  // The demo counties and the calendar go through the product's seed path, as `npm start` loads them.
  const demoLoaded = await loadCounties(db.orm.em.fork());
  const calendarDays = await loadCalendar(db.orm.em.fork());
  const demoPlanned = plan.counties.filter((c) => c.demo).length;
  if (plan.scale === 'demo' && demoLoaded !== plan.counties.length) {
    throw new Error(
      `the product seed loaded ${demoLoaded} demo counties, the plan has ${plan.counties.length}`,
    );
  }
  if (demoLoaded !== demoPlanned)
    throw new Error(`seed loaded ${demoLoaded} demo counties, plan has ${demoPlanned}`);

  return inTransaction(db.pg, async (c) => {
    const generated = plan.counties.filter((x) => !x.demo);
    if (generated.length) {
      await c.query(
        `insert into county (code, name_zh, name_en, prefecture_code, prefecture_zh, province_code, province_zh, province_en)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
        [
          generated.map((x) => x.code),
          generated.map((x) => x.nameZh),
          generated.map((x) => x.nameEn),
          generated.map((x) => x.prefectureCode),
          generated.map((x) => x.prefectureZh),
          generated.map((x) => x.provinceCode),
          generated.map((x) => x.provinceZh),
          generated.map((x) => x.provinceEn),
        ],
      );
    }
    const p = DEFAULT_PLAN;
    const planId = await insertReturningId(
      c,
      `insert into benefit_plan (code, version, name, deductible, tiers, annual_cap, hospital_levels, min_age, max_age,
         filing_window_days, auto_approve_limit, review_threshold, required_documents)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id`,
      [
        p.code,
        p.version,
        p.name,
        p.deductible,
        JSON.stringify(p.tiers),
        p.annualCap,
        p.hospitalLevels,
        p.minAge,
        p.maxAge,
        p.filingWindowDays,
        p.autoApproveLimit,
        p.reviewThreshold,
        p.requiredDocuments,
      ],
    );
    const t = DEFAULT_RATE_TABLE;
    const rateTableId = await insertReturningId(
      c,
      `insert into rate_table (code, version, status, base_date, frequency, severity, area_factors, annual_trend,
         expense_loading, risk_margin, min_premium, full_credibility_claims, max_rate_change, published_at)
       values ($1, $2, 'PUBLISHED', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now()) returning id`,
      [
        t.code,
        t.version,
        t.baseDate,
        JSON.stringify(t.frequency),
        JSON.stringify(t.severity),
        JSON.stringify(t.areaFactors),
        t.annualTrend,
        t.expenseLoading,
        t.riskMargin,
        t.minPremium,
        t.fullCredibilityClaims,
        t.maxRateChange,
      ],
    );
    let contracts = 0;
    for (const prog of plan.programmes) {
      const programmeId = await insertReturningId(
        c,
        `insert into programme (year, name, budget, default_plan_id, default_rate_table_id) values ($1, $2, $3, $4, $5) returning id`,
        [prog.year, prog.name, prog.budget, planId, rateTableId],
      );
      for (const f of prog.funding) {
        await c.query(`insert into programme_funding (programme_id, source, amount) values ($1, $2, $3)`, [
          programmeId,
          f.source,
          f.amount,
        ]);
      }
      const r = await c.query(
        `insert into county_contract (county_code, programme_id, programme_year, plan_id, rate_table_id, period_start, period_end)
         select code, $2, $3, $4, $5, $6, $7 from unnest($1::text[]) with ordinality as u(code, n) order by n`,
        [
          plan.counties.map((x) => x.code),
          programmeId,
          prog.year,
          planId,
          rateTableId,
          prog.periodStart,
          prog.periodEnd,
        ],
      );
      contracts += r.rowCount ?? 0;
    }
    // The product locks a plan once a contract uses it (it is immutable from then on).
    await c.query('update benefit_plan set locked_at = now() where id = $1 and locked_at is null', [planId]);
    return {
      counties: plan.counties.length,
      provinces: new Set(plan.counties.map((x) => x.provinceCode)).size,
      calendarDays,
      programmes: plan.programmes.length,
      contracts,
    };
  });
}

export interface CoverageLoadOptions {
  workers?: number;
  log: Log;
}

export async function loadCoverages(
  db: BenchDb,
  plan: DataSetPlan,
  opts: CoverageLoadOptions,
): Promise<{ counts: Counts; detail: Record<string, unknown> }> {
  const contracts = await contractIds(db.pg);
  for (const c of plan.countyPlans) {
    if (!contracts[c.code]?.[2019] || !contracts[c.code]?.[2020])
      throw new Error(`county ${c.code} has no 2019/2020 contract`);
  }
  await db.pg.query('truncate coverage, insured restart identity cascade');

  const a = await db.pg.connect();
  const b = await db.pg.connect();
  const started = Date.now();
  let mode: 'single-pass' | 'two-pass';
  let stats;
  let failed = false;
  try {
    // The rows reference each other's ids, which the plan fixes in advance, so both tables can
    // stream at once — if foreign-key triggers wait until both are loaded. Skipping them takes a
    // superuser (session_replication_role); the orphan check below stands in for them.
    mode = (await trySet(a, b)) ? 'single-pass' : 'two-pass';
    const rows = { seed: plan.seed, chunkPeople: 4000 };
    const base = { countyPlans: plan.countyPlans, contracts, workers: opts.workers };
    const insuredSql = `copy insured (${INSURED_COPY_COLUMNS.join(', ')}) from stdin`;
    const coverageSql = `copy coverage (${COVERAGE_COPY_COLUMNS.join(', ')}) from stdin`;
    if (mode === 'single-pass') {
      const insured = new CopyWriter(a, insuredSql);
      const coverage = new CopyWriter(b, coverageSql);
      stats = await produceRows(
        { ...base, rows: { ...rows, insured: true, coverage: true } },
        async (chunk) => {
          await insured.write(chunk.insured);
          await coverage.write(chunk.coverage);
        },
      );
      await Promise.all([insured.end(), coverage.end()]);
    } else {
      opts.log('not a superuser: loading insured, then coverages with foreign-key checks (slower)');
      const insured = new CopyWriter(a, insuredSql);
      stats = await produceRows({ ...base, rows: { ...rows, insured: true, coverage: false } }, (chunk) =>
        insured.write(chunk.insured),
      );
      await insured.end();
      const coverage = new CopyWriter(b, coverageSql);
      await produceRows({ ...base, workers: 0, rows: { ...rows, insured: false, coverage: true } }, (chunk) =>
        coverage.write(chunk.coverage),
      );
      await coverage.end();
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    if (failed) {
      // A connection may still be in COPY mode: close it rather than return it to the pool.
      a.release(true);
      b.release(true);
    } else {
      await a.query('reset session_replication_role');
      await b.query('reset session_replication_role');
      a.release();
      b.release();
    }
  }
  const copyMs = Date.now() - started;
  opts.log(
    `  COPY insured + coverage: ${stats.people} people, ${stats.coverages} coverages in ${(copyMs / 1000).toFixed(1)} s (${stats.workers} worker threads, ${mode})`,
  );

  const t1 = Date.now();
  await db.pg.query(
    `select setval(pg_get_serial_sequence('insured', 'id'), greatest(1, (select coalesce(max(id), 0) from insured)))`,
  );
  await db.pg.query(
    `select setval(pg_get_serial_sequence('coverage', 'id'), greatest(1, (select coalesce(max(id), 0) from coverage)))`,
  );
  // Sets hint bits and the visibility map once, now, rather than during the first benchmark.
  await db.pg.query('vacuum (analyze) insured');
  await db.pg.query('vacuum (analyze) coverage');
  const vacuumMs = Date.now() - t1;
  opts.log(`  vacuum + analyze: ${(vacuumMs / 1000).toFixed(1)} s`);

  const t2 = Date.now();
  const counts = await tableCounts(db.pg);
  if (counts.insured !== plan.totals.insured || counts.coverages !== plan.totals.coverages) {
    throw new Error(
      `loaded ${counts.insured} insured / ${counts.coverages} coverages, planned ${plan.totals.insured} / ${plan.totals.coverages}`,
    );
  }
  if (mode === 'single-pass') {
    const orphans = await db.pg.query<{ n: string }>(
      `select count(*) as n from coverage c
        where not exists (select 1 from insured i where i.id = c.insured_id)
           or not exists (select 1 from county_contract k where k.id = c.contract_id and k.county_code = c.county_code and k.programme_year = c.programme_year)`,
    );
    if (Number(orphans.rows[0]!.n) !== 0)
      throw new Error(`${orphans.rows[0]!.n} coverages point at a missing insured or contract`);
  }
  const verifyMs = Date.now() - t2;
  opts.log(`  checks: ${(verifyMs / 1000).toFixed(1)} s`);
  return {
    counts: { insured: counts.insured, coverages: counts.coverages },
    detail: { mode, workers: stats.workers, copyMs, vacuumMs, verifyMs },
  };
}

export async function tableCounts(pg: Pool): Promise<{ insured: number; coverages: number }> {
  const r = await pg.query<{ insured: string; coverages: string }>(
    `select (select count(*) from insured) as insured, (select count(*) from coverage) as coverages`,
  );
  return { insured: Number(r.rows[0]!.insured), coverages: Number(r.rows[0]!.coverages) };
}

export async function contractIds(pg: Pool): Promise<ContractIds> {
  const r = await pg.query<{ id: number; county_code: string; programme_year: number }>(
    `select id, county_code, programme_year from county_contract`,
  );
  const out: ContractIds = {};
  for (const row of r.rows) {
    const entry = (out[row.county_code] ??= { 2019: 0, 2020: 0 });
    if (row.programme_year === 2019 || row.programme_year === 2020) entry[row.programme_year] = row.id;
  }
  return out;
}

async function trySet(...clients: PoolClient[]): Promise<boolean> {
  try {
    for (const c of clients) await c.query('set session_replication_role = replica');
    return true;
  } catch {
    for (const c of clients) await c.query('reset session_replication_role').catch(() => undefined);
    return false;
  }
}

/** One `COPY … FROM STDIN` with backpressure; a server-side error surfaces at the next write or at end. */
class CopyWriter {
  private readonly stream: CopyStreamQuery;
  private error: Error | undefined;

  constructor(client: PoolClient, sql: string) {
    this.stream = client.query(copyFrom(sql));
    // Without a listener an error emitted between writes would crash the process.
    this.stream.on('error', (err: Error) => (this.error ??= err));
  }

  async write(buf: Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (buf.length === 0) return;
    if (!this.stream.write(buf)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    if (this.error) throw this.error;
    this.stream.end();
    await finished(this.stream);
  }
}

async function insertReturningId(c: PoolClient, sql: string, params: unknown[]): Promise<number> {
  const r = await c.query<{ id: number }>(sql, params);
  return r.rows[0]!.id;
}

async function inTransaction<T>(pg: Pool, f: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pg.connect();
  try {
    await c.query('begin');
    const out = await f(c);
    await c.query('commit');
    return out;
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
