import {
  ageBand,
  AGE_BANDS,
  GENDERS,
  spreadHeadCount,
  totalHeadCount,
} from '../../../src/modules/pricing/engine';

// 22/20/27/31 % × 48/52 %, in basis points, cell order 18-29 F, 18-29 M, 30-39 F, …
const WEIGHTS = [1056, 1144, 960, 1040, 1296, 1404, 1488, 1612];

function flat(headCount: number): number[] {
  const cells = spreadHeadCount(headCount);
  return AGE_BANDS.flatMap((band) => GENDERS.map((g) => cells[band][g]));
}

describe('spreadHeadCount', () => {
  it('adds up to the head count, every cell within one person of its quota, for 0..5000', () => {
    const failures: string[] = [];
    for (let n = 0; n <= 5000; n++) {
      const counts = flat(n);
      if (counts.reduce((a, b) => a + b, 0) !== n) failures.push(`${n}: sums to ${counts.join('+')}`);
      counts.forEach((c, i) => {
        if (!Number.isInteger(c) || Math.abs(c - (n * WEIGHTS[i]) / 10000) >= 1)
          failures.push(`${n}: cell ${i} = ${c}`);
      });
    }
    expect(failures).toEqual([]);
  });

  it('is the exact mix when the mix divides the head count', () => {
    expect(spreadHeadCount(10000)).toEqual({
      '18-29': { F: 1056, M: 1144 },
      '30-39': { F: 960, M: 1040 },
      '40-49': { F: 1296, M: 1404 },
      '50-60': { F: 1488, M: 1612 },
    });
    expect(totalHeadCount(spreadHeadCount(123456))).toBe(123456);
  });

  it('gives a lone person to the largest quota, and nobody to nobody', () => {
    expect(flat(1)).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(flat(0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('breaks equal remainders by cell order', () => {
    // 250 people: quotas 26.4, 28.6, 24, 26, 32.4, 35.1, 37.2, 40.3 — two left over, one to 18-29 M (.6),
    // one to the tie at .4 between 18-29 F and 40-49 F: the earlier cell wins
    expect(flat(250)).toEqual([27, 29, 24, 26, 32, 35, 37, 40]);
  });

  it('refuses a negative or fractional head count', () => {
    expect(() => spreadHeadCount(-1)).toThrow(RangeError);
    expect(() => spreadHeadCount(2.5)).toThrow(RangeError);
  });
});

describe('ageBand', () => {
  it.each([
    [17, null],
    [18, '18-29'],
    [29, '18-29'],
    [30, '30-39'],
    [39, '30-39'],
    [40, '40-49'],
    [49, '40-49'],
    [50, '50-60'],
    [60, '50-60'],
    [61, null],
    [0, null],
    [-5, null],
    [25.5, null],
    [NaN, null],
  ])('age %p → %p', (age, band) => {
    expect(ageBand(age)).toBe(band);
  });
});
