import {
  chainLadder,
  ChainLadderInputError,
  type ChainLadderResult,
} from '../../../src/modules/actuarial/engine';
import { GEN_INS_CUMULATIVE } from './gen-ins';

/** Runs `fn`, expecting a ChainLadderInputError, and returns it. */
function inputError(fn: () => unknown): ChainLadderInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ChainLadderInputError);
    return err as ChainLadderInputError;
  }
  throw new Error('expected a ChainLadderInputError');
}

function noteCodes(result: ChainLadderResult): string[] {
  return result.notes.map((n) => n.code);
}

/**
 * Taylor & Ashe (1983) triangle as used by Mack (1993), "Distribution-free calculation of
 * the standard error of chain ladder reserve estimates", ASTIN Bulletin 23(2) 213–225,
 * and shipped with the R ChainLadder package as `GenIns`. Expected figures are Mack's
 * published ones, which ChainLadder reproduces with MackChainLadder(GenIns, est.sigma = "Mack")
 * (its demo says "compare to table 2 and 3 in Mack's 1993 paper"): Mack's rule for the last σ².
 */
describe('chainLadder on GenIns (Taylor & Ashe 1983, Mack 1993)', () => {
  const result = chainLadder(GEN_INS_CUMULATIVE);

  it('gives Mack’s age-to-age factors', () => {
    expect(result.factors.map((f) => f.toFixed(3))).toEqual([
      '3.491',
      '1.747',
      '1.457',
      '1.174',
      '1.104',
      '1.086',
      '1.054',
      '1.077',
      '1.018',
    ]);
    expect(result.links.every((l) => l.factorBasis === 'ESTIMATED')).toBe(true);
  });

  it('estimates σ² per age and extrapolates the last one by Mack’s rule', () => {
    // σ² in thousands, as Mack tabulates them: 160.28, 37.74, 41.97, 15.18, 13.73, 8.19, 0.45, 1.15, 0.45.
    expect(result.sigma2.map((s) => (s! / 1000).toFixed(2))).toEqual([
      '160.28',
      '37.74',
      '41.97',
      '15.18',
      '13.73',
      '8.19',
      '0.45',
      '1.15',
      '0.45',
    ]);
    const [s6, s7, s8] = [result.sigma2[6]!, result.sigma2[7]!, result.sigma2[8]!];
    expect(s8).toBe(Math.min((s7 * s7) / s6, s6, s7));
    expect(s8).toBe(s6); // σ⁴_7/σ²_6 > σ²_6 here, so the rule picks σ²_6
    expect(result.links.map((l) => l.sigma2Basis)).toEqual([
      ...Array(8).fill('ESTIMATED'),
      'MACK_EXTRAPOLATION',
    ]);
    expect(noteCodes(result)).toEqual(['SIGMA_MACK_EXTRAPOLATION']);
  });

  it('gives the published IBNR and Mack standard error per origin year', () => {
    // Origin 1..10: [latest, ultimate, IBNR, Mack s.e.] as printed (rounded to units).
    const published: [number, number, number, number][] = [
      [3_901_463, 3_901_463, 0, 0],
      [5_339_085, 5_433_719, 94_634, 75_535],
      [4_909_315, 5_378_826, 469_511, 121_699],
      [4_588_268, 5_297_906, 709_638, 133_549],
      [3_873_311, 4_858_200, 984_889, 261_406],
      [3_691_712, 5_111_171, 1_419_459, 411_010],
      [3_483_130, 5_660_771, 2_177_641, 558_317],
      [2_864_498, 6_784_799, 3_920_301, 875_328],
      [1_363_294, 5_642_266, 4_278_972, 971_258],
      [344_014, 4_969_825, 4_625_811, 1_363_155],
    ];
    result.origins.forEach((o, i) => {
      const [latest, ultimate, ibnr, se] = published[i]!;
      expect(o.latest).toBe(latest);
      expect(o.latestAge).toBe(9 - i);
      expect(Math.round(o.ultimate)).toBe(ultimate);
      expect(Math.round(o.ibnr)).toBe(ibnr);
      expect(Math.round(o.standardError!)).toBe(se);
    });
    expect(result.origins[0]!.cv).toBeNull(); // IBNR 0
    expect(result.origins[1]!.cv!.toFixed(3)).toBe('0.798');
    expect(result.origins[9]!.cv!.toFixed(3)).toBe('0.295');
  });

  it('gives the published totals: IBNR 18,680,856, s.e. 2,447,095, CV 0.131', () => {
    expect(result.totals.latest).toBe(34_358_090);
    expect(Math.round(result.totals.ultimate)).toBe(53_038_946);
    expect(Math.round(result.totals.ibnr)).toBe(18_680_856);
    expect(Math.round(result.totals.standardError!)).toBe(2_447_095);
    expect(result.totals.cv!.toFixed(3)).toBe('0.131');
  });

  it('does not mutate its input', () => {
    const copy = GEN_INS_CUMULATIVE.map((row) => [...row]);
    chainLadder(copy, { tailFactor: 1.05 });
    expect(copy).toEqual(GEN_INS_CUMULATIVE);
  });
});

/**
 * A 4 × 4 triangle chosen so the factors are round, with Mack's formulas written out
 * literally (in his own form, divisions by f and Ĉ included) as the expected values.
 */
describe('chainLadder on a hand-computed triangle', () => {
  const triangle = [
    [100, 150, 160, 168],
    [200, 280, 313, null],
    [120, 200, null, null],
    [150, null, null, null],
  ];
  const result = chainLadder(triangle);

  // f_0 = 630/420, f_1 = 473/430, f_2 = 168/160.
  const f = [1.5, 1.1, 1.05];
  // σ²_0 = [0²/100 + 20²/200 + 20²/120] / 2; σ²_1 = [5²/150 + 5²/280] / 1; σ²_2 by Mack's rule.
  const s0 = (0 + 400 / 200 + 400 / 120) / 2;
  const s1 = 25 / 150 + 25 / 280;
  const s2 = Math.min((s1 * s1) / s0, s0, s1);
  // Column sums over origins observed at both ages: Σ C_{j,k}.
  const vol = [420, 430, 160];

  it('develops each origin to ultimate', () => {
    result.factors.forEach((fk, k) => expect(fk).toBeCloseTo(f[k]!, 12));
    expect(result.sigma2[0]).toBeCloseTo(8 / 3, 12);
    expect(result.sigma2[1]).toBeCloseTo(43 / 168, 12);
    expect(result.sigma2[2]).toBeCloseTo((3 * 1849) / (8 * 28224), 12);
    expect(result.links.map((l) => l.originCount)).toEqual([3, 2, 1]);
    expect(result.links.map((l) => l.volume)).toEqual(vol);

    const ultimates = [168, 313 * 1.05, 200 * 1.1 * 1.05, 150 * 1.5 * 1.1 * 1.05];
    result.origins.forEach((o, i) => {
      expect(o.ultimate).toBeCloseTo(ultimates[i]!, 9);
      expect(o.ibnr).toBeCloseTo(ultimates[i]! - triangle[i]![3 - i]!, 9);
    });
    expect(result.origins[3]!.ageToUltimate).toBeCloseTo(1.5 * 1.1 * 1.05, 12);
    expect(result.totals.ibnr).toBeCloseTo(0 + 15.65 + 31 + 109.875, 9);
  });

  it('gives Mack’s mean squared errors per origin and in total', () => {
    const term = (k: number, cHat: number) => ([s0, s1, s2][k]! / f[k]! ** 2) * (1 / cHat + 1 / vol[k]!);
    const u1 = 328.65;
    const u2 = 231;
    const u3 = 259.875;
    const mse1 = u1 ** 2 * term(2, 313);
    const mse2 = u2 ** 2 * (term(1, 200) + term(2, 220));
    const mse3 = u3 ** 2 * (term(0, 150) + term(1, 225) + term(2, 247.5));
    // Covariance: origin 1 with the younger 2 and 3 over k = 2; origin 2 with 3 over k = 1, 2.
    const cov = (k: number) => (2 * [s0, s1, s2][k]!) / f[k]! ** 2 / vol[k]!;
    const total = mse1 + mse2 + mse3 + u1 * (u2 + u3) * cov(2) + u2 * u3 * (cov(1) + cov(2));

    expect(result.origins[0]!.standardError).toBe(0);
    expect(result.origins[1]!.standardError).toBeCloseTo(Math.sqrt(mse1), 9);
    expect(result.origins[2]!.standardError).toBeCloseTo(Math.sqrt(mse2), 9);
    expect(result.origins[3]!.standardError).toBeCloseTo(Math.sqrt(mse3), 9);
    expect(result.totals.standardError).toBeCloseTo(Math.sqrt(total), 9);
    expect(result.totals.cv).toBeCloseTo(Math.sqrt(total) / 156.525, 12);
  });
});

describe('chainLadder tail factor', () => {
  const base = chainLadder(GEN_INS_CUMULATIVE);
  const tailed = chainLadder(GEN_INS_CUMULATIVE, { tailFactor: 1.05 });

  it('multiplies every ultimate, including fully developed origins', () => {
    tailed.origins.forEach((o, i) => {
      const b = base.origins[i]!;
      expect(o.ultimate).toBeCloseTo(b.ultimate * 1.05, 6);
      expect(o.ibnr).toBeCloseTo(b.ultimate * 1.05 - b.latest, 6);
      expect(o.ageToUltimate).toBeCloseTo(b.ageToUltimate * 1.05, 12);
    });
    expect(tailed.origins[0]!.ibnr).toBeCloseTo(3_901_463 * 0.05, 6);
    expect(tailed.tailFactor).toBe(1.05);
    expect(tailed.factors).toEqual(base.factors);
  });

  it('adds no variance of its own: standard errors are only scaled, and a note says so', () => {
    tailed.origins.forEach((o, i) =>
      expect(o.standardError).toBeCloseTo(base.origins[i]!.standardError! * 1.05, 6),
    );
    expect(tailed.origins[0]!.standardError).toBe(0);
    expect(tailed.totals.standardError).toBeCloseTo(base.totals.standardError! * 1.05, 6);
    expect(noteCodes(tailed)).toContain('TAIL_WITHOUT_STANDARD_ERROR');
    expect(noteCodes(base)).not.toContain('TAIL_WITHOUT_STANDARD_ERROR');
  });

  it('applies to a one-cell triangle', () => {
    const r = chainLadder([[500]], { tailFactor: 1.1 });
    expect(r.ageCount).toBe(1);
    expect(r.factors).toEqual([]);
    expect(r.origins[0]!.ultimate).toBeCloseTo(550, 12);
    expect(r.origins[0]!.ibnr).toBeCloseTo(50, 12);
    expect(r.origins[0]!.standardError).toBe(0);
  });
});

describe('chainLadder degenerate triangles', () => {
  it('handles a single origin: nothing to develop, σ² unavailable, noted', () => {
    const r = chainLadder([[100, 120, 130]]);
    expect(r.factors[0]).toBeCloseTo(1.2, 12);
    expect(r.factors[1]).toBeCloseTo(130 / 120, 12);
    expect(r.sigma2).toEqual([null, null]);
    expect(r.links.map((l) => l.sigma2Basis)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    expect(r.origins[0]).toMatchObject({
      latest: 130,
      latestAge: 2,
      ultimate: 130,
      ibnr: 0,
      standardError: 0,
      cv: null,
    });
    expect(r.totals).toMatchObject({ latest: 130, ibnr: 0, standardError: 0, cv: null });
    expect(noteCodes(r)).toEqual(['SINGLE_ORIGIN', 'SIGMA_UNAVAILABLE', 'SIGMA_UNAVAILABLE']);
  });

  it('reports null standard errors where σ² can be neither estimated nor extrapolated', () => {
    const r = chainLadder([
      [100, 150, 165],
      [200, 280, null],
      [120, null, null],
    ]);
    expect(r.sigma2[0]).toBeCloseTo(2 / 3, 12);
    expect(r.sigma2[1]).toBeNull();
    expect(r.origins.map((o) => o.standardError)).toEqual([0, null, null]);
    expect(r.origins.map((o) => o.cv)).toEqual([null, null, null]);
    expect(r.totals.standardError).toBeNull();
    expect(r.origins[2]!.ultimate).toBeCloseTo(120 * (430 / 300) * 1.1, 9);
    expect(r.notes).toContainEqual(expect.objectContaining({ code: 'SIGMA_UNAVAILABLE', age: 1 }));
  });

  it('takes factor 1 with a note for a column of zeros, and stays finite', () => {
    const r = chainLadder([
      [0, 100, 110],
      [0, 120, 130],
      [0, 90, null],
      [0, null, null],
    ]);
    expect(r.links[0]).toMatchObject({
      factor: 1,
      factorBasis: 'ZERO_VOLUME',
      sigma2: 0,
      sigma2Basis: 'FACTOR_ASSUMED',
    });
    expect(r.notes).toContainEqual(expect.objectContaining({ code: 'FACTOR_ZERO_VOLUME', age: 0 }));
    expect(r.factors[1]).toBeCloseTo(240 / 220, 12);
    expect(r.links[1]!.sigma2Basis).toBe('ESTIMATED');
    expect(r.origins[3]).toMatchObject({ latest: 0, ultimate: 0, ibnr: 0, standardError: 0, cv: null });
    expect(r.origins[2]!.ultimate).toBeCloseTo(90 * (240 / 220), 9);
    for (const o of r.origins) {
      expect(Number.isFinite(o.ultimate)).toBe(true);
      expect(Number.isFinite(o.standardError!)).toBe(true);
    }
    expect(Number.isFinite(r.totals.standardError!)).toBe(true);
  });

  it('takes factor 1 with a note for an age no origin has reached yet', () => {
    const r = chainLadder([
      [10, 20, null],
      [10, null],
    ]);
    expect(r.ageCount).toBe(3);
    expect(r.links[1]).toMatchObject({
      factor: 1,
      factorBasis: 'NO_DATA',
      originCount: 0,
      sigma2Basis: 'FACTOR_ASSUMED',
    });
    expect(r.notes).toContainEqual(expect.objectContaining({ code: 'FACTOR_NO_DATA', age: 1 }));
    expect(r.origins[1]!.ultimate).toBe(20);
  });

  it('leaves origins at 0 out of σ² (they have no individual factor) but not out of f', () => {
    const r = chainLadder([
      [0, 10, 12],
      [50, 60, 66],
      [40, 50, null],
      [30, null, null],
    ]);
    expect(r.factors[0]).toBeCloseTo(120 / 90, 12);
    // (60 − 50·4/3)²/50 + (50 − 40·4/3)²/40, over 2 − 1.
    expect(r.sigma2[0]).toBeCloseTo(7 / 6, 12);
    expect(r.notes).toContainEqual(expect.objectContaining({ code: 'SIGMA_ZERO_BASE_EXCLUDED', age: 0 }));
  });

  it('allows negative increments and notes them; a negative reserve keeps a positive CV', () => {
    const r = chainLadder([
      [100, 90, 95, 96],
      [100, 80, 85, null],
      [100, 95, null, null],
      [100, null, null, null],
    ]);
    expect(r.factors[0]).toBeCloseTo(265 / 300, 12);
    expect(r.notes.filter((n) => n.code === 'NEGATIVE_INCREMENT')).toEqual([
      expect.objectContaining({ origin: 0, age: 1 }),
      expect.objectContaining({ origin: 1, age: 1 }),
      expect.objectContaining({ origin: 2, age: 1 }),
    ]);
    const youngest = r.origins[3]!;
    expect(youngest.ibnr).toBeCloseTo(100 * (265 / 300) * (180 / 170) * (96 / 95) - 100, 9);
    expect(youngest.ibnr).toBeLessThan(0);
    expect(youngest.standardError).toBeGreaterThan(0);
    expect(youngest.cv).toBeCloseTo(youngest.standardError! / -youngest.ibnr, 12);
  });

  it('accepts ragged rows and a triangle with more origins than ages', () => {
    const full = chainLadder([
      [100, 150, 160],
      [200, 280, 313],
      [120, 200, null],
      [150, null, null],
      [90, null, null],
    ]);
    const ragged = chainLadder([[100, 150, 160], [200, 280, 313], [120, 200], [150], [90]]);
    expect(ragged).toEqual(full);
    expect(full.factors[1]).toBeCloseTo(473 / 430, 12);
    expect(full.origins[4]!.ultimate).toBeCloseTo(90 * full.origins[3]!.ageToUltimate, 9);
  });
});

describe('chainLadder input validation', () => {
  it.each([
    ['a negative cell', [[100, 110], [-1]], 'triangle[1][0]', 'INVALID_CELL'],
    ['NaN', [[100, Number.NaN], [90]], 'triangle[0][1]', 'INVALID_CELL'],
    ['Infinity', [[Number.POSITIVE_INFINITY]], 'triangle[0][0]', 'INVALID_CELL'],
    ['a string', [[100, '110'], [90]], 'triangle[0][1]', 'INVALID_CELL'],
    ['undefined (a hole)', [[100, undefined], [90]], 'triangle[0][1]', 'INVALID_CELL'],
    ['a gap in a row', [[100, null, 120], [90]], 'triangle[0][2]', 'GAP_IN_ROW'],
    [
      'a row starting unobserved',
      [
        [100, 110],
        [null, 90],
      ],
      'triangle[1][1]',
      'GAP_IN_ROW',
    ],
    [
      'a row with nothing observed',
      [[100, 110], [90], [null, null]],
      'triangle[2]',
      'ROW_WITHOUT_OBSERVATION',
    ],
    ['an empty row among others', [[100, 110], []], 'triangle[1]', 'ROW_WITHOUT_OBSERVATION'],
    ['a row that is not an array', [[100], 5], 'triangle[1]', 'NOT_A_TRIANGLE'],
    ['no origins', [], 'triangle', 'EMPTY_TRIANGLE'],
    ['zero columns', [[], []], 'triangle', 'NO_DEVELOPMENT_AGES'],
    ['not an array', { 0: [1] }, 'triangle', 'NOT_A_TRIANGLE'],
  ])('rejects %s', (_label, triangle, field, reason) => {
    const err = inputError(() => chainLadder(triangle as unknown as (number | null)[][]));
    expect(err.field).toBe(field);
    expect(err.reason).toBe(reason);
    expect(err.message).toContain(field);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1.05'])('rejects tail factor %p', (tailFactor) => {
    const err = inputError(() => chainLadder([[1]], { tailFactor: tailFactor as number }));
    expect(err.field).toBe('tailFactor');
    expect(err.reason).toBe('INVALID_TAIL_FACTOR');
  });
});
