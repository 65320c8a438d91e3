import { erfc, lognormalLev, normalCdf } from '../../../src/modules/pricing/engine';
import { lognormalExpectation, referenceNormalCdf } from './reference';

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('normalCdf', () => {
  it.each([
    [-1, '0.158655253931457051'],
    [1.96, '0.97500210485178'],
    [-5, '2.866515718791939e-7'],
    [-10, '7.61985302416047e-24'],
    [0, '0.5'],
    [1, '0.841344746068542948585'],
    [-1.96, '0.0249978951482204362'],
    [-3, '0.00134989803163009452665'],
    [-8, '6.22096057427178413283e-16'],
  ])('Φ(%p) = %s to 1e-12 relative', (x, expected) => {
    expect(relativeError(normalCdf(x), Number(expected))).toBeLessThan(1e-12);
  });

  it('matches a 90-digit series reference to 1e-12 relative from −12 to 8.5, across every erfc branch', () => {
    // erfc's branches switch at t = 0.84375, 1.25, 1/0.35, 6 and 28, t = −x/√2
    const branchEdges = [0.84375, 1.25, 1 / 0.35, 6].flatMap((t) => [t * Math.SQRT2, -t * Math.SQRT2]);
    const grid = Array.from({ length: 83 }, (_, i) => -12 + i * 0.25);
    const xs = [...grid, ...branchEdges.flatMap((e) => [e - 1e-9, e, e + 1e-9]), 0.3, 0.35, 0.36, -0.35];
    let worst = 0;
    for (const x of xs) {
      const reference = referenceNormalCdf(x).toNumber();
      worst = Math.max(worst, relativeError(normalCdf(x), reference));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('is symmetric, exact at the ends, and NaN for NaN', () => {
    for (const x of [0.1, 0.7, 1.3, 2.5, 4, 7]) expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 15);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(-40)).toBe(0);
    expect(Number.isNaN(normalCdf(NaN))).toBe(true);
  });
});

describe('erfc', () => {
  it.each([
    [0, '1'],
    [0.5, '0.479500122186953462317253346108'],
    [1, '0.157299207050285130658779364917'],
    [2, '0.00467773498104726583793074363275'],
    [3, '2.20904969985854413727761295823e-5'],
    [5, '1.53745979442803485018834348538e-12'],
    [10, '2.08848758376254475700078629989e-45'],
    [26, '5.6631924088561428e-296'],
    [-1, '1.84270079294971486934122063508'],
  ])('erfc(%p) = %s to 1e-14 relative', (x, expected) => {
    expect(relativeError(erfc(x), Number(expected))).toBeLessThan(1e-14);
  });

  it('is 0 and 2 beyond the representable range', () => {
    expect(erfc(30)).toBe(0);
    expect(erfc(-30)).toBe(2);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
  });
});

describe('lognormalLev', () => {
  const mu = 7.4;
  const sigma = 1.2;
  const mean = Math.exp(mu + (sigma * sigma) / 2);

  it('is 0 at 0 and the mean at ∞', () => {
    expect(lognormalLev(0, mu, sigma)).toBe(0);
    expect(lognormalLev(Infinity, mu, sigma)).toBe(mean);
  });

  it.each([1, 100, 1000, 1636, 5000, 30000, 1e5, 1e7])(
    'LEV(%p) matches numerical integration of E[min(X, u)]',
    (u) => {
      const numeric = lognormalExpectation((x) => Math.min(x, u), mu, sigma, [u]);
      expect(relativeError(lognormalLev(u, mu, sigma), numeric)).toBeLessThan(1e-9);
    },
  );

  it('is increasing, below u and below the mean', () => {
    let previous = 0;
    for (const u of [1, 10, 100, 1e3, 1e4, 1e5, 1e6]) {
      const lev = lognormalLev(u, mu, sigma);
      expect(lev).toBeGreaterThan(previous);
      expect(lev).toBeLessThanOrEqual(u);
      expect(lev).toBeLessThan(mean);
      previous = lev;
    }
  });

  it('refuses negative and NaN limits', () => {
    expect(() => lognormalLev(-1, mu, sigma)).toThrow(RangeError);
    expect(() => lognormalLev(NaN, mu, sigma)).toThrow(RangeError);
  });
});
