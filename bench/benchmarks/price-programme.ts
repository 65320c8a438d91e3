/**
 * `price-programme`: quote every contract of the data set through the product — the
 * quoteProgramme service the job runs (every roster of a year in one GROUP BY, then each
 * contract priced by the pure engine and saved with its snapshot, contract → QUOTED, audited)
 * — against the bare GROUP BY of coverages by contract, band and gender (pricing.md: the
 * population gathering is the heavy part; the rest is per-contract work).
 *
 * Both sides give the hash join the same work_mem (the product sets it locally for its
 * roster GROUP BY). Each product repetition first puts the contracts back to DRAFT and deletes their quotes
 * (inside the timed run: the product side is charged for it, never flattered).
 */
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config/config';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import type { QuoteProgrammeResult } from '../../src/modules/pricing/quote.service';
import { COVERAGE_CELLS_SQL, toCells, type CoverageCell } from '../lib/baselines';
import { ROSTER_WORK_MEM } from '../../src/modules/pricing/quote.service';
import { benchPiiEnv } from '../lib/keys';
import type { ReadyBenchmark } from '../lib/types';
import { checkCells, type State as CellState } from './baseline-sanity';

interface State extends CellState {
  rt: Runtime;
  years: number[];
}

type Result =
  | { kind: 'cells'; cells: CoverageCell[] }
  | { kind: 'quotes'; runs: QuoteProgrammeResult[]; insured: Map<number, number> };

const TARGET_RATIO = 1.5;

export const priceProgramme: ReadyBenchmark<State, Result> = {
  kind: 'ready',
  name: 'price-programme',
  work: 'quote every contract of the data set (quoteProgramme per year: one GROUP BY, engine, saved quotes, QUOTED)',
  compares: 'the bare GROUP BY of coverages by contract, band and gender (pg)',
  target: `every contract quoted from its exact roster; ≤ ${TARGET_RATIO}× baseline`,
  ratioKind: 'time',
  needs: ['coverages'],
  notes: ['in-process service call (no HTTP); client and PostgreSQL share the 2 cores'],
  repetitions: { demo: 5, medium: 3, full: 3 },
  async setup(ctx) {
    const r = await ctx.db.pg.query<{ id: number; county_code: string; programme_year: number }>(
      'select id, county_code, programme_year from county_contract',
    );
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: ctx.db.url,
      REDIS_URL: '',
      ...benchPiiEnv(),
    });
    const rt = await createRuntime({ config, orm: ctx.db.orm });
    return {
      rt,
      years: [...new Set(r.rows.map((x) => x.programme_year))].sort(),
      contracts: new Map(
        r.rows.map((x) => [x.id, { countyCode: x.county_code, year: x.programme_year as never }]),
      ),
    };
  },
  // The same memory for the hash join on both sides (the product sets it for its GROUP BY).
  async baseline(ctx) {
    const client = await ctx.db.pg.connect();
    try {
      await client.query('begin');
      await client.query(`set local work_mem = '${ROSTER_WORK_MEM}'`);
      const r = await client.query(COVERAGE_CELLS_SQL);
      await client.query('commit');
      return { kind: 'cells', cells: toCells(r.rows) };
    } finally {
      client.release();
    }
  },
  async run(ctx, state) {
    await ctx.db.pg.query(
      `update county_contract set status = 'DRAFT', accepted_quote_id = null where status = 'QUOTED'`,
    );
    await ctx.db.pg.query('delete from quote');
    const runs: QuoteProgrammeResult[] = [];
    for (const year of state.years)
      runs.push(await state.rt.services.quotes.quoteProgramme(ctx.db.orm.em, SYSTEM_ACTOR, year));
    const insured = new Map<number, number>();
    for (const run of runs) for (const c of run.counties) insured.set(c.contractId, c.insuredCount ?? -1);
    return { kind: 'quotes', runs, insured };
  },
  verify(ctx, result, state) {
    if (result.kind === 'cells') return checkCells(ctx, result.cells, state);
    const problems: string[] = [];
    const byCode = new Map(ctx.plan.countyPlans.map((c) => [c.code, c]));
    for (const run of result.runs) {
      for (const c of run.counties) {
        if (c.outcome !== 'QUOTED') problems.push(`contract ${c.contractId}: ${c.outcome} ${c.reason ?? ''}`);
        const per = Number(c.perCapitaPremium);
        if (!(per >= 15 && per <= 80))
          problems.push(
            `contract ${c.contractId}: per-capita ${c.perCapitaPremium} out of the plausible 15–80`,
          );
      }
    }
    for (const [id, { countyCode, year }] of state.contracts) {
      const county = byCode.get(countyCode);
      const want = county ? county.headCount : -1;
      void year;
      const got = result.insured.get(id);
      if (got !== want)
        problems.push(`contract ${id} (${countyCode} ${year}): priced ${got} people, roster has ${want}`);
    }
    return problems;
  },
  units: (ctx) => ({ count: ctx.plan.totals.coverages, unit: 'coverages' }),
  judge({ ratio }) {
    const ok = ratio !== null && ratio <= TARGET_RATIO;
    return { pass: ok, detail: `ratio ${ratio?.toFixed(2)} ${ok ? '≤' : '>'} ${TARGET_RATIO}` };
  },
  async teardown(_ctx, state) {
    await state.rt.queues.close();
    await state.rt.pg.end();
  },
};
