/**
 * `baseline-sanity`: an end-to-end check of the runner and the data set. The bare baseline
 * is `coverageCellsGroupBy` over `pg` — exactly the baseline the `price-programme` benchmark
 * will use; the "product" side runs the same SQL through the product's MikroORM connection
 * (the path a service takes inside `em.transactional`). Both must return exactly the cells
 * the generator planned for every contract; the ratio shows what the ORM's raw-SQL path costs
 * on a large aggregate (it should be ≈ 1×).
 */
import { AGE_BANDS, GENDERS } from '../../src/modules/pricing/engine/types';
import { expectedCells, type ProgrammeYear } from '../generator/plan';
import { COVERAGE_CELLS_SQL, coverageCellsGroupBy, toCells, type CoverageCell } from '../lib/baselines';
import type { BenchContext, ReadyBenchmark } from '../lib/types';

export interface State {
  /** contract id → county and year */
  contracts: Map<number, { countyCode: string; year: ProgrammeYear }>;
}

const TARGET_RATIO = 1.5;

export const baselineSanity: ReadyBenchmark<State, CoverageCell[]> = {
  kind: 'ready',
  name: 'baseline-sanity',
  work: 'population cells of every contract (GROUP BY contract, band, gender) through the product’s MikroORM connection',
  compares: 'the same GROUP BY through bare pg (coverageCellsGroupBy, the price-programme baseline)',
  target: `cells exact; ≤ ${TARGET_RATIO}× baseline`,
  ratioKind: 'time',
  needs: ['coverages'],
  notes: ['client and PostgreSQL share the 2 cores (no HTTP)'],
  async setup(ctx) {
    const r = await ctx.db.pg.query<{ id: number; county_code: string; programme_year: number }>(
      'select id, county_code, programme_year from county_contract',
    );
    return {
      contracts: new Map(
        r.rows.map((x) => [x.id, { countyCode: x.county_code, year: x.programme_year as ProgrammeYear }]),
      ),
    };
  },
  baseline: (ctx) => coverageCellsGroupBy(ctx.db.pg),
  async run(ctx) {
    const em = ctx.db.orm.em.fork();
    const rows: Parameters<typeof toCells>[0] = await em
      .getConnection()
      .execute(COVERAGE_CELLS_SQL, [], 'all');
    return toCells(rows);
  },
  verify(ctx, cells, state) {
    return checkCells(ctx, cells, state);
  },
  units: (ctx) => ({ count: ctx.plan.totals.coverages, unit: 'coverages' }),
  judge({ ratio }) {
    const ok = ratio !== null && ratio <= TARGET_RATIO;
    return { pass: ok, detail: `ratio ${ratio?.toFixed(2)} ${ok ? '≤' : '>'} ${TARGET_RATIO}` };
  },
};

export function checkCells(ctx: BenchContext, cells: readonly CoverageCell[], state: State): string[] {
  const problems: string[] = [];
  const got = new Map<string, number>();
  for (const c of cells) {
    if (c.band === null)
      problems.push(`contract ${c.contractId}: ${c.count} ${c.gender} coverages aged outside 18–60`);
    got.set(`${c.contractId}|${c.band}|${c.gender}`, c.count);
  }
  const byCode = new Map(ctx.plan.countyPlans.map((c) => [c.code, c]));
  let expectedTotal = 0;
  for (const [contractId, { countyCode, year }] of state.contracts) {
    const county = byCode.get(countyCode);
    if (!county) {
      problems.push(`contract ${contractId}: county ${countyCode} is not in the plan`);
      continue;
    }
    const want = expectedCells(county, year);
    for (const band of AGE_BANDS) {
      for (const gender of GENDERS) {
        const key = `${contractId}|${band}|${gender}`;
        const n = got.get(key) ?? 0;
        got.delete(key);
        expectedTotal += want[band][gender];
        if (n !== want[band][gender]) {
          problems.push(
            `contract ${contractId} (${countyCode} ${year}) ${band} ${gender}: ${n}, expected ${want[band][gender]}`,
          );
        }
      }
    }
  }
  for (const [key, n] of got)
    if (n > 0 && !key.includes('|null|')) problems.push(`unexpected cell ${key}: ${n}`);
  if (expectedTotal !== ctx.plan.totals.coverages) {
    problems.push(
      `planned cells add up to ${expectedTotal}, the plan has ${ctx.plan.totals.coverages} coverages`,
    );
  }
  return problems.slice(0, 20);
}
