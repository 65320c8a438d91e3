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
 * The band comes from comparing the birth date with the start date minus 18/30/40/50/61
 * years, which is the civil age of `ageOn` (someone born on `start − 30 years` turns 30 that
 * day; 29 February births reach their birthday on 1 March of a common year, as PostgreSQL
 * shifts `2020-02-29 − 30 years` to 1990-02-28). It needs no per-row interval as `age()` does,
 * and no numeric arithmetic as `extract()` does since PostgreSQL 14 — both measurably slower
 * over millions of rows.
 */
export const COVERAGE_CELLS_SQL = `
select c.contract_id,
       case when i.birth_date > c.period_start - interval '18 years' then null
            when i.birth_date > c.period_start - interval '30 years' then '18-29'
            when i.birth_date > c.period_start - interval '40 years' then '30-39'
            when i.birth_date > c.period_start - interval '50 years' then '40-49'
            when i.birth_date > c.period_start - interval '61 years' then '50-60' end as band,
       i.gender,
       count(*) as n
  from coverage c
  join insured i on i.id = c.insured_id
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
  return (
    a.contractId - b.contractId ||
    String(a.band).localeCompare(String(b.band)) ||
    a.gender.localeCompare(b.gender)
  );
}

/** The population cells of all contracts (or of `contractIds`), sorted by contract, band, gender. */
export async function coverageCellsGroupBy(
  pg: Pool | PoolClient,
  opts: { contractIds?: readonly number[] } = {},
): Promise<CoverageCell[]> {
  const r = opts.contractIds
    ? await pg.query<CellRow>(
        COVERAGE_CELLS_SQL.replace(
          `where c.status = 'ENROLLED'`,
          `where c.status = 'ENROLLED' and c.contract_id = any($1)`,
        ),
        [opts.contractIds],
      )
    : await pg.query<CellRow>(COVERAGE_CELLS_SQL);
  return toCells(r.rows);
}
