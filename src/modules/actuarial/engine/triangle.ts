/**
 * Loss triangles: incremental cells ⇄ cumulative triangle.
 *
 * The database produces the incremental cells with one aggregate (origin period index,
 * lag = payment period − origin period, sum of paid) and omits empty cells; this module
 * lays them out as the cumulative triangle `chainLadder` takes, and back. Pure: no I/O.
 *
 * Sums are exact (decimal.js, the project's one decimal library) and converted to a
 * double once per cell, so a cumulative amount is the nearest double to the true sum of
 * the paid amounts rather than the accumulated rounding of a float running total.
 */
import { Money } from '../../../shared/money';

/** One incremental cell. `amount` may be a decimal string as PostgreSQL returns `numeric`. */
export interface IncrementalCell {
  /** Origin period index, 0 = oldest. */
  origin: number;
  /** Development lag in periods, 0 = paid in the origin period itself. */
  lag: number;
  amount: number | string;
}

export type TriangleInputReason =
  'INVALID_SIZE' | 'INVALID_LAST_LAG' | 'INVALID_CELL' | 'CELL_OUTSIDE_TRIANGLE';

export class TriangleInputError extends Error {
  override readonly name = 'TriangleInputError';

  constructor(
    readonly reason: TriangleInputReason,
    readonly field: string,
    detail: string,
  ) {
    super(`${field} ${detail}`);
  }
}

export interface BuildTriangleOptions {
  /**
   * Latest observed lag per origin (length `originCount`). Default: the valuation
   * diagonal, `min(maxLag, originCount − 1 − origin)`, i.e. the newest origin period is
   * the current one and each older origin is observed one lag further.
   */
  lastObservedLag?: readonly number[];
}

/**
 * Cumulative triangle `originCount × (maxLag + 1)`: observed cells hold the paid amount
 * to date (0 when nothing was paid), cells after an origin's last observed lag are null.
 *
 * A cell outside the observed area is an error, not silently dropped: a lag past the
 * valuation diagonal means a payment after the valuation date, and a lag past `maxLag`
 * means the caller meant either a longer triangle or to fold late payments into the last
 * column (do that in the query, `LEAST(lag, maxLag)`, so the choice is visible there).
 * Several cells for the same origin and lag are summed.
 */
export function buildCumulativeTriangle(
  cells: readonly IncrementalCell[],
  originCount: number,
  maxLag: number,
  options: BuildTriangleOptions = {},
): (number | null)[][] {
  if (!Number.isInteger(originCount) || originCount < 1) {
    throw new TriangleInputError('INVALID_SIZE', 'originCount', 'must be an integer of at least 1');
  }
  if (!Number.isInteger(maxLag) || maxLag < 0) {
    throw new TriangleInputError('INVALID_SIZE', 'maxLag', 'must be a non-negative integer');
  }
  const lastLag = lastLagsFor(originCount, maxLag, options.lastObservedLag);

  const increments = lastLag.map((last) => Array.from({ length: last + 1 }, () => new Money(0)));
  cells.forEach((cell, n) => {
    const field = `cells[${n}]`;
    const { origin, lag, amount } = cell;
    if (!Number.isInteger(origin) || origin < 0 || origin >= originCount) {
      throw new TriangleInputError(
        'CELL_OUTSIDE_TRIANGLE',
        `${field}.origin`,
        `must be an integer in [0, ${originCount - 1}]`,
      );
    }
    if (!Number.isInteger(lag) || lag < 0 || lag > lastLag[origin]) {
      throw new TriangleInputError(
        'CELL_OUTSIDE_TRIANGLE',
        `${field}.lag`,
        `must be an integer in [0, ${lastLag[origin]}] for origin ${origin} (its last observed lag)`,
      );
    }
    const row = increments[origin];
    row[lag] = row[lag].plus(parseAmount(amount, `${field}.amount`));
  });

  return increments.map((row) => {
    const out: (number | null)[] = new Array<number | null>(maxLag + 1).fill(null);
    let running = new Money(0);
    row.forEach((increment, lag) => {
      running = running.plus(increment);
      out[lag] = running.toNumber();
    });
    return out;
  });
}

/**
 * The inverse of `buildCumulativeTriangle`: one cell per observed cell, zero increments
 * included (so the cells alone say how far each origin is observed). Rows must be
 * observed from lag 0 without gaps; unobserved cells are null or missing at the end.
 */
export function toIncrementalCells(triangle: readonly (readonly (number | null)[])[]): IncrementalCell[] {
  const cells: IncrementalCell[] = [];
  observedRows(triangle).forEach((row, origin) => {
    let previous = new Money(0);
    row.forEach((cumulative, lag) => {
      const current = new Money(cumulative);
      cells.push({ origin, lag, amount: current.minus(previous).toNumber() });
      previous = current;
    });
  });
  return cells;
}

/** Latest observed lag of each origin row (−1 for a row with nothing observed). */
export function lastObservedLags(triangle: readonly (readonly (number | null)[])[]): number[] {
  return observedRows(triangle).map((row) => row.length - 1);
}

function lastLagsFor(originCount: number, maxLag: number, given: readonly number[] | undefined): number[] {
  if (given === undefined) {
    return Array.from({ length: originCount }, (_, origin) => Math.min(maxLag, originCount - 1 - origin));
  }
  if (given.length !== originCount) {
    throw new TriangleInputError(
      'INVALID_LAST_LAG',
      'lastObservedLag',
      `must have one entry per origin (${originCount})`,
    );
  }
  return given.map((last, origin) => {
    if (!Number.isInteger(last) || last < 0 || last > maxLag) {
      throw new TriangleInputError(
        'INVALID_LAST_LAG',
        `lastObservedLag[${origin}]`,
        `must be an integer in [0, ${maxLag}]`,
      );
    }
    return last;
  });
}

function parseAmount(amount: number | string, field: string): Money {
  if (typeof amount === 'number' && !Number.isFinite(amount)) {
    throw new TriangleInputError('INVALID_CELL', field, 'must be a finite amount');
  }
  if (typeof amount !== 'number' && typeof amount !== 'string') {
    throw new TriangleInputError('INVALID_CELL', field, 'must be a number or a decimal string');
  }
  let value: Money;
  try {
    value = new Money(amount);
  } catch {
    throw new TriangleInputError('INVALID_CELL', field, 'must be a number or a decimal string');
  }
  if (!value.isFinite()) throw new TriangleInputError('INVALID_CELL', field, 'must be a finite amount');
  return value;
}

function observedRows(triangle: readonly (readonly (number | null)[])[]): number[][] {
  if (!Array.isArray(triangle))
    throw new TriangleInputError('INVALID_CELL', 'triangle', 'must be an array of rows');
  return triangle.map((row: unknown, i) => {
    if (!Array.isArray(row))
      throw new TriangleInputError('INVALID_CELL', `triangle[${i}]`, 'must be an array of cells');
    const observed: number[] = [];
    row.forEach((cell: unknown, lag) => {
      if (cell === null || cell === undefined) return;
      if (typeof cell !== 'number' || !Number.isFinite(cell)) {
        throw new TriangleInputError(
          'INVALID_CELL',
          `triangle[${i}][${lag}]`,
          'must be a finite number or null',
        );
      }
      if (observed.length !== lag) {
        throw new TriangleInputError(
          'INVALID_CELL',
          `triangle[${i}][${lag}]`,
          'is observed after an unobserved cell',
        );
      }
      observed.push(cell);
    });
    return observed;
  });
}
