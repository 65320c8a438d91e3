/**
 * Pure planning of the reference data set: how many people each county has, how they split
 * by age and gender, the id blocks rows will take, programmes and contracts. No I/O and no
 * clock, so tests check it without a database and workers can rebuild it from the seed.
 *
 * Shape of the data (spec/performance.md "Reference data set"):
 * - two programme years, 2019 and 2020, coverage period 1 January – 31 December;
 * - every county has one contract per year and `headCount` insured in each year;
 * - the 2019 roster matches the default mix (22/20/27/31 % by band, 48 % F) exactly per
 *   county, ages uniform within a band; ages are as of 1 January 2019;
 * - 2020 carries every 2019 person still aged 18–60 on 1 January 2020 (everyone except the
 *   60-year-olds, who turn 61) and adds as many new 18-year-olds, so each county's head
 *   count stays the same and the 2020 mix is the 2019 one aged by a year.
 */
import { dayNumber } from '../../src/shared/dates';
import { spreadHeadCount } from '../../src/modules/pricing/engine/population';
import {
  AGE_BANDS,
  type AgeBand,
  type Gender,
  type PopulationCells,
} from '../../src/modules/pricing/engine/types';
import { FULL_COUNTY_COUNT, planCounties, type CountyRow } from './counties';
import { Prng } from '../lib/prng';

/** Bump when the generated data changes for the same seed: a bench database on an older version is rebuilt. */
export const GENERATOR_VERSION = 1;

export type Scale = 'demo' | 'medium' | 'full';
export const SCALE_NAMES: readonly Scale[] = ['demo', 'medium', 'full'];

export interface ScaleSpec {
  counties: 'demo' | 'all';
  /** Insured per programme year, all counties together. */
  insuredPerYear: number;
}

/**
 * `medium` keeps the full county list (86 contracts a year, like `full`) with fewer people,
 * so it exercises per-contract work at full breadth in a fraction of the time.
 */
export const SCALES: Readonly<Record<Scale, ScaleSpec>> = {
  demo: { counties: 'demo', insuredPerYear: 50_000 },
  medium: { counties: 'all', insuredPerYear: 1_000_000 },
  full: { counties: 'all', insuredPerYear: 4_710_000 },
};

export const PROGRAMME_YEARS = [2019, 2020] as const;
export type ProgrammeYear = (typeof PROGRAMME_YEARS)[number];

/** Budget per insured person and year, in fen: the 2020 report's 94.3227 M / 3.0222 M ≈ 31.21. */
export const BUDGET_PER_INSURED_FEN = 3121n;
/** 2020 funding split (001 seed): public fundraising 9,970.73 万, other income 571.94 万. */
const FUNDING_SPLIT = { public: 997073n, other: 57194n } as const;

export const MIN_AGE = 18;
export const MAX_AGE = 60;
const BAND_RANGES: Readonly<Record<AgeBand, readonly [number, number]>> = {
  '18-29': [18, 29],
  '30-39': [30, 39],
  '40-49': [40, 49],
  '50-60': [50, 60],
};

export interface CountyPlan {
  /** Position in `counties` (sorted by code). */
  index: number;
  code: string;
  provinceCode: string;
  /** Insured in each programme year. */
  headCount: number;
  /** New 18-year-olds in 2020 (= the 2019 60-year-olds who leave). */
  entrants: number;
  /** First `insured.id` of the county's block of `headCount + entrants` ids. */
  insuredIdBase: number;
  /** First `coverage.id` of the county's block of `2 × headCount` ids. */
  coverageIdBase: number;
}

export interface FundingPlan {
  source: string;
  amount: string;
}

export interface ProgrammePlan {
  year: ProgrammeYear;
  name: string;
  periodStart: string;
  periodEnd: string;
  budget: string;
  funding: FundingPlan[];
}

export interface DataSetPlan {
  generatorVersion: number;
  scale: Scale;
  seed: number;
  counties: CountyRow[];
  countyPlans: CountyPlan[];
  programmes: ProgrammePlan[];
  totals: {
    insuredPerYear: number;
    /** Rows of `insured`: the 2019 roster plus the 2020 entrants. */
    insured: number;
    coverages: number;
  };
}

export function periodOf(year: number): { start: string; end: string } {
  return { start: `${year}-01-01`, end: `${year}-12-31` };
}

export function planDataSet(scale: Scale, seed: number, demoCounties: readonly CountyRow[]): DataSetPlan {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a whole number ≥ 0: ${seed}`);
  const spec = SCALES[scale];
  const counties = planCounties(spec.counties, demoCounties);
  if (spec.counties === 'all' && counties.length !== FULL_COUNTY_COUNT) {
    throw new Error(`planned ${counties.length} counties, expected ${FULL_COUNTY_COUNT}`);
  }
  const heads = splitByWeights(spec.insuredPerYear, countyWeights(seed, counties));
  let insuredId = 1;
  let coverageId = 1;
  const countyPlans = counties.map((c, index): CountyPlan => {
    const headCount = heads[index]!;
    const ages = ageCounts(headCount);
    const entrants = ages.F[MAX_AGE]! + ages.M[MAX_AGE]!;
    const plan: CountyPlan = {
      index,
      code: c.code,
      provinceCode: c.provinceCode,
      headCount,
      entrants,
      insuredIdBase: insuredId,
      coverageIdBase: coverageId,
    };
    insuredId += headCount + entrants;
    coverageId += 2 * headCount;
    return plan;
  });
  const programmes = PROGRAMME_YEARS.map((year): ProgrammePlan => {
    const budgetFen = BigInt(spec.insuredPerYear) * BUDGET_PER_INSURED_FEN;
    const publicFen = (budgetFen * FUNDING_SPLIT.public) / (FUNDING_SPLIT.public + FUNDING_SPLIT.other);
    const period = periodOf(year);
    return {
      year,
      name: `顶梁柱公益保险 ${year} (bench ${scale})`,
      periodStart: period.start,
      periodEnd: period.end,
      budget: fenToString(budgetFen),
      funding: [
        // Source names as the demo seed spells them (src/seed/demo.ts).
        { source: 'public fundraising', amount: fenToString(publicFen) },
        { source: 'other income', amount: fenToString(budgetFen - publicFen) },
      ],
    };
  });
  return {
    generatorVersion: GENERATOR_VERSION,
    scale,
    seed,
    counties,
    countyPlans,
    programmes,
    totals: {
      insuredPerYear: spec.insuredPerYear,
      insured: insuredId - 1,
      coverages: coverageId - 1,
    },
  };
}

/**
 * County sizes vary like real counties do (a log-normal spread, clipped to 0.35–2.6 × the
 * mean), seeded, in county-code order.
 */
function countyWeights(seed: number, counties: readonly CountyRow[]): number[] {
  const rng = Prng.of(seed, 'county-size');
  return counties.map(() => Math.min(2.6, Math.max(0.35, Math.exp(0.45 * rng.normal()))));
}

/** Splits `total` into whole parts proportional to `weights` (largest remainder; ties by position). */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((_, i) => i)
    .sort((a, b) => exact[b]! - parts[b]! - (exact[a]! - parts[a]!) || a - b);
  for (const i of order) {
    if (left === 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

/**
 * People by gender and exact age (index = age as of 1 January 2019, 18–60) for a county's
 * 2019 roster: the default mix spread exactly (spreadHeadCount, as the pricing engine does for
 * a declared head count), then each cell spread evenly over its band's ages, extra people to
 * the youngest ages first.
 */
export function ageCounts(headCount: number): Record<Gender, number[]> {
  const cells = spreadHeadCount(headCount);
  const out: Record<Gender, number[]> = {
    F: new Array(MAX_AGE + 1).fill(0),
    M: new Array(MAX_AGE + 1).fill(0),
  };
  for (const band of AGE_BANDS) {
    const [lo, hi] = BAND_RANGES[band];
    const span = hi - lo + 1;
    for (const g of ['F', 'M'] as const) {
      const n = cells[band][g];
      for (let a = lo; a <= hi; a++) out[g][a] = Math.floor(n / span) + (a - lo < n % span ? 1 : 0);
    }
  }
  return out;
}

/** The 2020 entrants' genders: `F` count by the default 48 % (half-up), the rest `M`. */
export function entrantGenders(entrants: number): Record<Gender, number> {
  const f = Math.floor((entrants * 48 + 50) / 100);
  return { F: f, M: entrants - f };
}

export function bandOfAge(age: number): AgeBand {
  if (age < MIN_AGE || age > MAX_AGE) throw new RangeError(`age ${age} is outside ${MIN_AGE}–${MAX_AGE}`);
  return age <= 29 ? '18-29' : age <= 39 ? '30-39' : age <= 49 ? '40-49' : '50-60';
}

export function emptyCells(): PopulationCells {
  return {
    '18-29': { F: 0, M: 0 },
    '30-39': { F: 0, M: 0 },
    '40-49': { F: 0, M: 0 },
    '50-60': { F: 0, M: 0 },
  };
}

/**
 * The exact population cells (ages as of the coverage start) the generator writes for a
 * county's contract of `year` — what a correct `GROUP BY contract, band, gender` must return.
 */
export function expectedCells(county: CountyPlan, year: ProgrammeYear): PopulationCells {
  const ages = ageCounts(county.headCount);
  const cells = emptyCells();
  const shift = year - 2019;
  for (const g of ['F', 'M'] as const) {
    for (let a = MIN_AGE; a <= MAX_AGE; a++) {
      const age = a + shift;
      if (age <= MAX_AGE) cells[bandOfAge(age)][g] += ages[g][a]!;
    }
  }
  if (year === 2020) {
    const e = entrantGenders(county.entrants);
    cells['18-29'].F += e.F;
    cells['18-29'].M += e.M;
  }
  return cells;
}

/** Days since 1970-01-01 of the first day on which someone is `age` on `on` … and the last. */
export function birthDayRange(age: number, on: string): [number, number] {
  const y = Number(on.slice(0, 4));
  const md = on.slice(4);
  // Born on `on` minus `age` years: exactly `age` that day (the youngest birth date with that age);
  // born one day after `on` minus `age + 1` years: the oldest.
  const youngest = dayNumber(`${y - age}${md}`);
  const oldest = dayNumber(`${y - age - 1}${md}`) + 1;
  return [oldest, youngest];
}

export function fenToString(fen: bigint): string {
  const sign = fen < 0n ? '-' : '';
  const abs = fen < 0n ? -fen : fen;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
