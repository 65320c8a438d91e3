/**
 * Bare baselines: the same work as a product feature, done with nothing but `pg` and SQL —
 * the physical limit a benchmark's ratio is measured against. Reusable across benchmarks.
 */
import type { Pool, PoolClient } from 'pg';
import type { AgeBand, Gender } from '../../src/modules/pricing/engine/types';

export interface CoverageCell {
  contractId: number;
  /** Null for ages outside 18–60 at the coverage start (a correct data set has none). */
  band: AgeBand | null;
  gender: Gender;
  count: number;
}

/**
 * Population cells of every contract: enrolled coverages counted by age band (age in whole
 * years at the coverage start) and gender, in one GROUP BY — the input the quote service
 * gathers for each contract (pricing.md, Inputs 1), and the bare baseline of the
 * `price-programme` benchmark.
 *
 * The age is year difference minus one when the birthday (month·100 + day) falls after the
 * start day: the same civil reckoning as `ageOn`, including 29 February (not yet 18 on
 * 28 February of a common year). Plain integer arithmetic, because `age()` builds an interval
 * per row and costs noticeably more over millions of rows.
 */
export const COVERAGE_CELLS_SQL = `
select c.contract_id,
       case when a.age between 18 and 29 then '18-29'
            when a.age between 30 and 39 then '30-39'
            when a.age between 40 and 49 then '40-49'
            when a.age between 50 and 60 then '50-60' end as band,
       i.gender,
       count(*) as n
  from coverage c
  join insured i on i.id = c.insured_id
 cross join lateral (
       select (extract(year from c.period_start)::int - extract(year from i.birth_date)::int)
            - case when extract(month from i.birth_date)::int * 100 + extract(day from i.birth_date)::int
                      > extract(month from c.period_start)::int * 100 + extract(day from c.period_start)::int
                   then 1 else 0 end as age) a
 where c.status = 'ENROLLED'
 group by 1, 2, 3`;

interface CellRow {
  contract_id: number;
  band: AgeBand | null;
  gender: Gender;
  n: string | number;
}

export function toCells(rows: readonly CellRow[]): CoverageCell[] {
  return rows
    .map((r) => ({ contractId: Number(r.contract_id), band: r.band, gender: r.gender, count: Number(r.n) }))
    .sort(compareCells);
}

export function compareCells(a: CoverageCell, b: CoverageCell): number {
  return a.contractId - b.contractId || String(a.band).localeCompare(String(b.band)) || a.gender.localeCompare(b.gender);
}

/** The population cells of all contracts (or of `contractIds`), sorted by contract, band, gender. */
export async function coverageCellsGroupBy(
  pg: Pool | PoolClient,
  opts: { contractIds?: readonly number[] } = {},
): Promise<CoverageCell[]> {
  const r = opts.contractIds
    ? await pg.query<CellRow>(COVERAGE_CELLS_SQL.replace(`where c.status = 'ENROLLED'`, `where c.status = 'ENROLLED' and c.contract_id = any($1)`), [
        opts.contractIds,
      ])
    : await pg.query<CellRow>(COVERAGE_CELLS_SQL);
  return toCells(r.rows);
}
