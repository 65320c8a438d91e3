/**
 * Chain ladder with Mack's (1993) standard errors, for a cumulative paid triangle.
 *
 * Pure: no database, clock or I/O; the input is never mutated. Reference: T. Mack,
 * "Distribution-free calculation of the standard error of chain ladder reserve
 * estimates", ASTIN Bulletin 23(2), 1993, 213–225.
 *
 * Indexing: rows are origin periods, oldest first; column `k` is development age `k`
 * (0 = the origin period itself, the same as a cell's `lag` in ./triangle). Link `k`
 * develops age `k` to age `k + 1` and carries factor `f_k` and variance `σ²_k`.
 * Mack's formulas are written 1-based with a square triangle; here they are applied
 * per link to whichever origins are observed at both ages, so ragged rows and
 * triangles that are not square (more origins than ages, or fewer) work unchanged
 * and reduce to Mack's exactly on a square triangle.
 */

export type ChainLadderInputReason =
  | 'NOT_A_TRIANGLE'
  | 'EMPTY_TRIANGLE'
  | 'NO_DEVELOPMENT_AGES'
  | 'INVALID_CELL'
  | 'GAP_IN_ROW'
  | 'ROW_WITHOUT_OBSERVATION'
  | 'INVALID_TAIL_FACTOR';

/** Invalid input; `field` points at the offending part, e.g. `triangle[3][2]` or `tailFactor`. */
export class ChainLadderInputError extends Error {
  override readonly name = 'ChainLadderInputError';

  constructor(
    readonly reason: ChainLadderInputReason,
    readonly field: string,
    detail: string,
  ) {
    super(`${field} ${detail}`);
  }
}

export interface ChainLadderOptions {
  /** Development from the last age to ultimate; default 1. Treated as known (no s.e. of its own). */
  tailFactor?: number;
}

/** How a link's factor was obtained. */
export type FactorBasis =
  /** Volume-weighted over the origins observed at both ages. */
  | 'ESTIMATED'
  /** Every origin observed at both ages has 0 at the earlier one: the ratio is undefined, 1 is used. */
  | 'ZERO_VOLUME'
  /** No origin is observed at the later age yet: 1 is used. */
  | 'NO_DATA';

/** How a link's σ² was obtained. */
export type Sigma2Basis =
  /** Mack's estimator from two or more individual development factors. */
  | 'ESTIMATED'
  /** Too few individual factors: Mack's rule min(σ⁴_{k−1}/σ²_{k−2}, σ²_{k−2}, σ²_{k−1}). */
  | 'MACK_EXTRAPOLATION'
  /** The factor itself was not estimated (ZERO_VOLUME or NO_DATA): no variance is attached to it. */
  | 'FACTOR_ASSUMED'
  /** Neither estimable nor extrapolable (fewer than two earlier links): standard errors through it are null. */
  | 'UNAVAILABLE';

export interface DevelopmentLink {
  fromAge: number;
  toAge: number;
  factor: number;
  factorBasis: FactorBasis;
  /** Origins observed at both ages. */
  originCount: number;
  /** Σ C_{i,fromAge} over those origins (the denominator of the factor and of the parameter error). */
  volume: number;
  sigma2: number | null;
  sigma2Basis: Sigma2Basis;
}

export interface ChainLadderOrigin {
  /** Row index in the input triangle. */
  origin: number;
  latest: number;
  /** Development age (column index) of the latest observed cell. */
  latestAge: number;
  /** Product of the remaining factors and the tail: ultimate = latest × ageToUltimate. */
  ageToUltimate: number;
  ultimate: number;
  ibnr: number;
  /** Mack's standard error of the IBNR (scaled by the tail, see `chainLadder`); null when σ² is unavailable. */
  standardError: number | null;
  /** standardError / |ibnr|; null when either is unavailable or the IBNR is 0. */
  cv: number | null;
}

export interface ChainLadderTotals {
  latest: number;
  ultimate: number;
  ibnr: number;
  standardError: number | null;
  cv: number | null;
}

export type ChainLadderNoteCode =
  | 'SINGLE_ORIGIN'
  | 'FACTOR_ZERO_VOLUME'
  | 'FACTOR_NO_DATA'
  | 'SIGMA_ZERO_BASE_EXCLUDED'
  | 'SIGMA_MACK_EXTRAPOLATION'
  | 'SIGMA_UNAVAILABLE'
  | 'TAIL_WITHOUT_STANDARD_ERROR'
  | 'NEGATIVE_INCREMENT';

export interface ChainLadderNote {
  code: ChainLadderNoteCode;
  message: string;
  /** The development age concerned (a link's `fromAge`, or a cell's column), when there is one. */
  age?: number;
  origin?: number;
}

export interface ChainLadderResult {
  /** Number of development ages (columns). */
  ageCount: number;
  origins: ChainLadderOrigin[];
  /** f_k for k = 0 … ageCount − 2 (same as links[k].factor). */
  factors: number[];
  /** σ²_k for k = 0 … ageCount − 2 (same as links[k].sigma2). */
  sigma2: (number | null)[];
  links: DevelopmentLink[];
  tailFactor: number;
  totals: ChainLadderTotals;
  notes: ChainLadderNote[];
}

/** A validated row: its observed prefix (cells after it are unobserved). */
type ObservedRow = readonly number[];

/**
 * Runs the chain ladder on a cumulative triangle (`null` = not yet observed; rows may be
 * shorter than the longest one) and reports Mack's standard errors.
 *
 * The tail factor, when ≠ 1, is applied after the last age and treated as a known
 * constant: it scales the ultimate, and the standard error of the pre-tail projection
 * with it, but contributes no variance of its own (Mack 1993 has no tail; estimating
 * one needs an assumption about the tail's own uncertainty that the caller does not
 * give us). The result says so in `notes`.
 */
export function chainLadder(
  triangle: readonly (readonly (number | null)[])[],
  opts: ChainLadderOptions = {},
): ChainLadderResult {
  const tailFactor = validateTailFactor(opts.tailFactor);
  const rows = validateTriangle(triangle);
  const ageCount = Math.max(...triangle.map((row) => row.length));
  const notes: ChainLadderNote[] = [];

  if (rows.length < 2) {
    notes.push({
      code: 'SINGLE_ORIGIN',
      message:
        'one origin period: nothing to develop beyond its own latest age, and σ² cannot be estimated from a single individual factor per age',
    });
  }
  noteNegativeIncrements(rows, notes);

  const links = estimateLinks(rows, ageCount, notes);
  const factors = links.map((l) => l.factor);

  // after[k] = Π_{m=k+1}^{J−2} f_m: the development that follows link k, before the tail.
  const linkCount = links.length;
  const after = new Array<number>(linkCount).fill(1);
  for (let k = linkCount - 2; k >= 0; k--) after[k] = after[k + 1] * factors[k + 1];

  // projected[i][k] = Ĉ_{i,k} for k ≥ latest age (the observed value at the latest age).
  const projected = rows.map((row) => {
    const cells = new Array<number>(ageCount).fill(Number.NaN);
    let value = row[row.length - 1];
    cells[row.length - 1] = value;
    for (let k = row.length - 1; k < linkCount; k++) {
      value *= factors[k];
      cells[k + 1] = value;
    }
    return cells;
  });

  // Variance terms shared by the per-origin and total formulas, per link k:
  //   Mack: Ĉ_{i,I}² σ²_k/f_k² (1/Ĉ_{i,k} + 1/Σ_j C_{j,k}).
  // With Ĉ_{i,I} = Ĉ_{i,k} f_k after[k] this is σ²_k after[k]² (Ĉ_{i,k} + Ĉ_{i,k}²/volume_k):
  // the same number, and still defined when Ĉ_{i,k} or f_k is 0.
  const linkWeight = links.map((l, k) => (l.sigma2 === null ? null : l.sigma2 * after[k] ** 2));

  const mse: (number | null)[] = rows.map((row, i) => {
    let sum = 0;
    for (let k = row.length - 1; k < linkCount; k++) {
      const w = linkWeight[k];
      if (w === null) return null;
      if (w === 0) continue; // also skips assumed factors, whose volume may be 0
      const c = projected[i][k];
      sum += w * (c + (c * c) / links[k].volume);
    }
    return sum;
  });

  // Total (Mack 1993, the corollary for the overall reserve): Σ_i mse(R_i) plus, for every
  // pair of origins, 2 Ĉ_{i,I} Ĉ_{j,I} Σ_k σ²_k/f_k² / Σ_n C_{n,k} over the links both still
  // develop through (k ≥ the later of their latest ages), rewritten as above.
  let totalMse: number | null = mse.some((m) => m === null)
    ? null
    : mse.reduce<number>((a, m) => a + (m ?? 0), 0);
  if (totalMse !== null) {
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        const from = Math.max(rows[i].length, rows[j].length) - 1;
        for (let k = from; k < linkCount; k++) {
          const w = linkWeight[k];
          if (w === null || w === 0) continue; // null already excluded by the per-origin pass
          totalMse += (2 * w * projected[i][k] * projected[j][k]) / links[k].volume;
        }
      }
    }
  }

  if (tailFactor !== 1) {
    notes.push({
      code: 'TAIL_WITHOUT_STANDARD_ERROR',
      message: `tail factor ${tailFactor} is treated as known: it scales the ultimates and their standard errors but adds no variance of its own`,
    });
  }

  const origins: ChainLadderOrigin[] = rows.map((row, i) => {
    const latest = row[row.length - 1];
    const ultimate = projected[i][ageCount - 1] * tailFactor;
    const ibnr = ultimate - latest;
    const m = mse[i];
    const standardError = m === null ? null : Math.sqrt(m) * tailFactor;
    return {
      origin: i,
      latest,
      latestAge: row.length - 1,
      ageToUltimate: remainingDevelopment(after, factors, row.length - 1) * tailFactor,
      ultimate,
      ibnr,
      standardError,
      cv: coefficientOfVariation(standardError, ibnr),
    };
  });

  const latestTotal = origins.reduce((a, o) => a + o.latest, 0);
  const ultimateTotal = origins.reduce((a, o) => a + o.ultimate, 0);
  const ibnrTotal = origins.reduce((a, o) => a + o.ibnr, 0);
  const totalSe = totalMse === null ? null : Math.sqrt(totalMse) * tailFactor;

  return {
    ageCount,
    origins,
    factors,
    sigma2: links.map((l) => l.sigma2),
    links,
    tailFactor,
    totals: {
      latest: latestTotal,
      ultimate: ultimateTotal,
      ibnr: ibnrTotal,
      standardError: totalSe,
      cv: coefficientOfVariation(totalSe, ibnrTotal),
    },
    notes,
  };
}

/** Π of the factors from link `age` to the last one (1 for an origin already at the last age). */
function remainingDevelopment(after: readonly number[], factors: readonly number[], age: number): number {
  return age < factors.length ? factors[age] * after[age] : 1;
}

/**
 * Relative to |IBNR| so that a negative reserve (factors below 1) still gives a positive
 * dispersion measure; undefined for a zero reserve.
 */
function coefficientOfVariation(standardError: number | null, ibnr: number): number | null {
  if (standardError === null || ibnr === 0) return null;
  return standardError / Math.abs(ibnr);
}

function estimateLinks(
  rows: readonly ObservedRow[],
  ageCount: number,
  notes: ChainLadderNote[],
): DevelopmentLink[] {
  const links: DevelopmentLink[] = [];
  for (let k = 0; k < ageCount - 1; k++) {
    const pairs = rows.filter((row) => row.length > k + 1);
    const volume = pairs.reduce((a, row) => a + row[k], 0);
    const developed = pairs.reduce((a, row) => a + row[k + 1], 0);

    let factor = 1;
    let factorBasis: FactorBasis = 'ESTIMATED';
    if (pairs.length === 0) {
      factorBasis = 'NO_DATA';
      notes.push({
        code: 'FACTOR_NO_DATA',
        age: k,
        message: `no origin is observed at age ${k + 1}: factor ${k}→${k + 1} taken as 1`,
      });
    } else if (volume === 0) {
      factorBasis = 'ZERO_VOLUME';
      notes.push({
        code: 'FACTOR_ZERO_VOLUME',
        age: k,
        message:
          developed === 0
            ? `every origin observed at ages ${k} and ${k + 1} is 0 at age ${k}: factor ${k}→${k + 1} taken as 1`
            : `every origin observed at ages ${k} and ${k + 1} is 0 at age ${k} (but ${developed} at age ${k + 1}): factor ${k}→${k + 1} is undefined and taken as 1`,
      });
    } else {
      factor = developed / volume;
    }

    links.push({
      fromAge: k,
      toAge: k + 1,
      factor,
      factorBasis,
      originCount: pairs.length,
      volume,
      ...estimateSigma2(k, pairs, factor, factorBasis, links, notes),
    });
  }
  return links;
}

function estimateSigma2(
  k: number,
  pairs: readonly ObservedRow[],
  factor: number,
  factorBasis: FactorBasis,
  earlier: readonly DevelopmentLink[],
  notes: ChainLadderNote[],
): { sigma2: number | null; sigma2Basis: Sigma2Basis } {
  if (factorBasis !== 'ESTIMATED') return { sigma2: 0, sigma2Basis: 'FACTOR_ASSUMED' };

  // Mack: σ²_k = 1/(n−1) Σ_i C_{i,k} (C_{i,k+1}/C_{i,k} − f_k)², n = number of terms.
  // An origin at 0 at age k has no individual factor C_{i,k+1}/C_{i,k}, so it is left
  // out of the sum and of n (it still counts in f_k, whose volume weighting is defined).
  let sum = 0;
  let terms = 0;
  for (const row of pairs) {
    const base = row[k];
    if (base === 0) continue;
    const residual = row[k + 1] - factor * base;
    sum += (residual * residual) / base;
    terms++;
  }
  if (terms < pairs.length) {
    notes.push({
      code: 'SIGMA_ZERO_BASE_EXCLUDED',
      age: k,
      message: `${pairs.length - terms} origin(s) at 0 at age ${k} have no individual factor and are left out of σ²_${k}`,
    });
  }
  if (terms >= 2) return { sigma2: sum / (terms - 1), sigma2Basis: 'ESTIMATED' };

  const s1 = k >= 2 ? earlier[k - 1].sigma2 : null; // σ²_{k−1}
  const s2 = k >= 2 ? earlier[k - 2].sigma2 : null; // σ²_{k−2}
  if (s1 !== null && s2 !== null) {
    // Mack's rule for the last variance parameter. σ²_{k−2} = 0 makes the ratio
    // undefined, but then the minimum is 0 anyway.
    const sigma2 = s2 > 0 ? Math.min((s1 * s1) / s2, s2, s1) : Math.min(s2, s1);
    notes.push({
      code: 'SIGMA_MACK_EXTRAPOLATION',
      age: k,
      message: `σ²_${k} has ${terms} individual factor(s): Mack's rule min(σ⁴_${k - 1}/σ²_${k - 2}, σ²_${k - 2}, σ²_${k - 1}) = ${sigma2}`,
    });
    return { sigma2, sigma2Basis: 'MACK_EXTRAPOLATION' };
  }
  notes.push({
    code: 'SIGMA_UNAVAILABLE',
    age: k,
    message: `σ²_${k} has ${terms} individual factor(s) and fewer than two earlier estimates to extrapolate from: standard errors through age ${k} are not available`,
  });
  return { sigma2: null, sigma2Basis: 'UNAVAILABLE' };
}

function noteNegativeIncrements(rows: readonly ObservedRow[], notes: ChainLadderNote[]): void {
  rows.forEach((row, i) => {
    for (let k = 1; k < row.length; k++) {
      if (row[k] < row[k - 1]) {
        notes.push({
          code: 'NEGATIVE_INCREMENT',
          origin: i,
          age: k,
          message: `triangle[${i}][${k}] is below triangle[${i}][${k - 1}] (a negative increment, e.g. a recovery); kept as is`,
        });
      }
    }
  });
}

function validateTailFactor(tail: unknown): number {
  if (tail === undefined) return 1;
  if (typeof tail !== 'number' || !Number.isFinite(tail) || tail <= 0) {
    throw new ChainLadderInputError('INVALID_TAIL_FACTOR', 'tailFactor', 'must be a finite number above 0');
  }
  return tail;
}

/** Returns each row's observed prefix; throws on anything that is not a cumulative triangle. */
function validateTriangle(triangle: unknown): ObservedRow[] {
  if (!Array.isArray(triangle)) {
    throw new ChainLadderInputError('NOT_A_TRIANGLE', 'triangle', 'must be an array of rows');
  }
  if (triangle.length === 0) {
    throw new ChainLadderInputError('EMPTY_TRIANGLE', 'triangle', 'must have at least one origin row');
  }
  const rows: ObservedRow[] = [];
  let ageCount = 0;
  for (let i = 0; i < triangle.length; i++) {
    const row: unknown = triangle[i];
    if (!Array.isArray(row)) {
      throw new ChainLadderInputError('NOT_A_TRIANGLE', `triangle[${i}]`, 'must be an array of cells');
    }
    ageCount = Math.max(ageCount, row.length);
  }
  if (ageCount === 0) {
    throw new ChainLadderInputError(
      'NO_DEVELOPMENT_AGES',
      'triangle',
      'has no development ages (every row is empty)',
    );
  }
  for (let i = 0; i < triangle.length; i++) {
    const row = triangle[i] as unknown[];
    const observed: number[] = [];
    for (let k = 0; k < row.length; k++) {
      const cell = row[k];
      const field = `triangle[${i}][${k}]`;
      if (cell === null) continue;
      if (typeof cell !== 'number' || !Number.isFinite(cell) || cell < 0) {
        throw new ChainLadderInputError(
          'INVALID_CELL',
          field,
          'must be a finite non-negative number or null',
        );
      }
      if (observed.length !== k) {
        throw new ChainLadderInputError(
          'GAP_IN_ROW',
          field,
          'is observed after an unobserved cell; a row must be observed from age 0 up to its latest age',
        );
      }
      observed.push(cell);
    }
    if (observed.length === 0) {
      throw new ChainLadderInputError(
        'ROW_WITHOUT_OBSERVATION',
        `triangle[${i}]`,
        'has no observed cell; an origin with nothing paid yet has 0 at age 0',
      );
    }
    rows.push(observed);
  }
  return rows;
}
