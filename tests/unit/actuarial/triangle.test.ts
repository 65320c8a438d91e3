import {
  buildCumulativeTriangle,
  chainLadder,
  lastObservedLags,
  toIncrementalCells,
  TriangleInputError,
  type IncrementalCell,
} from '../../../src/modules/actuarial/engine';
import { GEN_INS_CUMULATIVE, GEN_INS_INCREMENTAL } from './gen-ins';

function triangleError(fn: () => unknown): TriangleInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TriangleInputError);
    return err as TriangleInputError;
  }
  throw new Error('expected a TriangleInputError');
}

describe('buildCumulativeTriangle', () => {
  it('cumulates cells along the valuation diagonal, 0 where nothing was paid, null beyond', () => {
    const cells: IncrementalCell[] = [
      { origin: 0, lag: 0, amount: 100 },
      { origin: 0, lag: 2, amount: 30 },
      { origin: 1, lag: 1, amount: 50 },
      { origin: 1, lag: 0, amount: 80 },
    ];
    expect(buildCumulativeTriangle(cells, 3, 2)).toEqual([
      [100, 100, 130],
      [80, 130, null],
      [0, null, null],
    ]);
  });

  it('sums repeated cells and decimal strings exactly', () => {
    const cells: IncrementalCell[] = [
      { origin: 0, lag: 0, amount: '0.10' },
      { origin: 0, lag: 0, amount: '0.20' },
      { origin: 0, lag: 1, amount: 0.1 },
      { origin: 0, lag: 1, amount: '-0.05' },
    ];
    // A float running total would give 0.30000000000000004.
    expect(buildCumulativeTriangle(cells, 1, 1, { lastObservedLag: [1] })).toEqual([[0.3, 0.35]]);
  });

  it('rebuilds GenIns from its incremental cells', () => {
    const cells = GEN_INS_INCREMENTAL.flatMap((row, origin) =>
      row.map((amount, lag) => ({ origin, lag, amount })),
    );
    const triangle = buildCumulativeTriangle(cells, 10, 9);
    expect(triangle).toEqual(GEN_INS_CUMULATIVE);
    expect(Math.round(chainLadder(triangle).totals.ibnr)).toBe(18_680_856);
  });

  it('takes an explicit last observed lag per origin', () => {
    const cells: IncrementalCell[] = [
      { origin: 0, lag: 3, amount: 5 },
      { origin: 1, lag: 1, amount: 7 },
    ];
    expect(buildCumulativeTriangle(cells, 2, 3, { lastObservedLag: [3, 1] })).toEqual([
      [0, 0, 0, 5],
      [0, 7, null, null],
    ]);
  });

  it('caps the default diagonal at maxLag (more origins than lags)', () => {
    expect(buildCumulativeTriangle([], 4, 1)).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, null],
    ]);
  });

  it.each([
    [
      'a lag past the valuation diagonal',
      [{ origin: 1, lag: 2, amount: 1 }],
      'cells[0].lag',
      'CELL_OUTSIDE_TRIANGLE',
    ],
    ['a lag past maxLag', [{ origin: 0, lag: 3, amount: 1 }], 'cells[0].lag', 'CELL_OUTSIDE_TRIANGLE'],
    ['a negative lag', [{ origin: 0, lag: -1, amount: 1 }], 'cells[0].lag', 'CELL_OUTSIDE_TRIANGLE'],
    ['an unknown origin', [{ origin: 3, lag: 0, amount: 1 }], 'cells[0].origin', 'CELL_OUTSIDE_TRIANGLE'],
    ['a fractional origin', [{ origin: 0.5, lag: 0, amount: 1 }], 'cells[0].origin', 'CELL_OUTSIDE_TRIANGLE'],
    [
      'a non-numeric amount',
      [
        { origin: 0, lag: 0, amount: 1 },
        { origin: 0, lag: 1, amount: 'abc' },
      ],
      'cells[1].amount',
      'INVALID_CELL',
    ],
    [
      'an infinite amount',
      [{ origin: 0, lag: 0, amount: Number.POSITIVE_INFINITY }],
      'cells[0].amount',
      'INVALID_CELL',
    ],
  ])('rejects %s', (_label, cells, field, reason) => {
    const err = triangleError(() => buildCumulativeTriangle(cells, 3, 2));
    expect(err.field).toBe(field);
    expect(err.reason).toBe(reason);
  });

  it('rejects bad sizes and last lags', () => {
    expect(triangleError(() => buildCumulativeTriangle([], 0, 2)).field).toBe('originCount');
    expect(triangleError(() => buildCumulativeTriangle([], 2, -1)).field).toBe('maxLag');
    expect(triangleError(() => buildCumulativeTriangle([], 2, 2, { lastObservedLag: [2] })).field).toBe(
      'lastObservedLag',
    );
    expect(triangleError(() => buildCumulativeTriangle([], 2, 2, { lastObservedLag: [2, 3] })).field).toBe(
      'lastObservedLag[1]',
    );
  });
});

describe('toIncrementalCells', () => {
  it('inverts buildCumulativeTriangle on GenIns', () => {
    const cells = toIncrementalCells(GEN_INS_CUMULATIVE);
    expect(cells).toHaveLength(55);
    expect(cells[1]).toEqual({ origin: 0, lag: 1, amount: 766940 });
    expect(cells.filter((c) => c.origin === 1).map((c) => c.amount)).toEqual(GEN_INS_INCREMENTAL[1]);
    expect(buildCumulativeTriangle(cells, 10, 9)).toEqual(GEN_INS_CUMULATIVE);
  });

  it('keeps zero and negative increments, exact in decimals, and reports the shape', () => {
    const triangle = [[0.1, 0.3, 0.25, 0.25], [5, 5], [0]];
    const cells = toIncrementalCells(triangle);
    expect(cells).toEqual([
      { origin: 0, lag: 0, amount: 0.1 },
      { origin: 0, lag: 1, amount: 0.2 },
      { origin: 0, lag: 2, amount: -0.05 },
      { origin: 0, lag: 3, amount: 0 },
      { origin: 1, lag: 0, amount: 5 },
      { origin: 1, lag: 1, amount: 0 },
      { origin: 2, lag: 0, amount: 0 },
    ]);
    const lastLag = lastObservedLags(triangle);
    expect(lastLag).toEqual([3, 1, 0]);
    expect(buildCumulativeTriangle(cells, 3, 3, { lastObservedLag: lastLag })).toEqual([
      [0.1, 0.3, 0.25, 0.25],
      [5, 5, null, null],
      [0, null, null, null],
    ]);
  });

  it('rejects a gap in a row', () => {
    const err = triangleError(() => toIncrementalCells([[1, null, 2]]));
    expect(err.field).toBe('triangle[0][2]');
  });
});
