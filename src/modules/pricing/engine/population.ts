import { AGE_BANDS, GENDERS, type AgeBand, type Cells, type Gender, type PopulationCells } from './types';

/** Default head-count mix by age band, in percent (pricing.md, Inputs 1). */
export const DEFAULT_BAND_MIX: Readonly<Record<AgeBand, number>> = {
  '18-29': 22,
  '30-39': 20,
  '40-49': 27,
  '50-60': 31,
};

/** Default head-count mix by gender, in percent. */
export const DEFAULT_GENDER_MIX: Readonly<Record<Gender, number>> = { F: 48, M: 52 };

/** The band of an age in whole years, or null for ages outside 18–60 (and non-integers). */
export function ageBand(age: number): AgeBand | null {
  if (!Number.isInteger(age) || age < 18 || age > 60) return null;
  if (age <= 29) return '18-29';
  if (age <= 39) return '30-39';
  if (age <= 49) return '40-49';
  return '50-60';
}

/** Cells in their canonical order: bands ascending, F before M. The order every sum and tie-break uses. */
export function cellKeys(): Array<[AgeBand, Gender]> {
  return AGE_BANDS.flatMap((band) => GENDERS.map((gender): [AgeBand, Gender] => [band, gender]));
}

export function mapCells<T, U>(cells: Cells<T>, f: (value: T, band: AgeBand, gender: Gender) => U): Cells<U> {
  const out = {} as Cells<U>;
  for (const band of AGE_BANDS) {
    out[band] = { F: f(cells[band].F, band, 'F'), M: f(cells[band].M, band, 'M') };
  }
  return out;
}

export function totalHeadCount(cells: PopulationCells): number {
  let total = 0;
  for (const [band, gender] of cellKeys()) total += cells[band][gender];
  return total;
}

/**
 * Spreads a declared head count over the eight cells by the default mix (band % × gender %),
 * rounded to whole people by largest remainder so the cells always add up to the head count.
 *
 * Quotas are worked in integers (weights in basis points: 22 % × 48 % = 1056 / 10000), so the
 * remainders compare exactly. Equal remainders are broken by cell order — bands ascending,
 * F before M — which makes the spread deterministic.
 */
export function spreadHeadCount(headCount: number): PopulationCells {
  if (!Number.isSafeInteger(headCount) || headCount < 0) {
    throw new RangeError(`head count must be a whole number ≥ 0: ${headCount}`);
  }
  const keys = cellKeys();
  const weights = keys.map(([band, gender]) => DEFAULT_BAND_MIX[band] * DEFAULT_GENDER_MIX[gender]);
  const denominator = 10000; // Σ weights: 100 % × 100 %
  // headCount · weight stays exact in doubles up to 2^53 / 1612 ≈ 5.6e12 people
  const remainders = weights.map((w) => (headCount * w) % denominator);
  const floors = weights.map((w, i) => (headCount * w - remainders[i]) / denominator);
  let left = headCount - floors.reduce((a, b) => a + b, 0);
  const order = keys.map((_, i) => i).sort((a, b) => remainders[b] - remainders[a] || a - b);
  const counts = [...floors];
  for (const i of order) {
    if (left === 0) break;
    counts[i] += 1;
    left -= 1;
  }
  const cells = {} as PopulationCells;
  keys.forEach(([band, gender], i) => {
    cells[band] ??= { F: 0, M: 0 };
    cells[band][gender] = counts[i];
  });
  return cells;
}
