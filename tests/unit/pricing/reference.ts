import Decimal from 'decimal.js';

/**
 * Independent references for the engine's tests: a high-precision normal CDF and numerical
 * integration over the log-normal density. Nothing here calls the engine's erfc or LEV.
 */

const Hp = Decimal.clone({ precision: 90 });
const HP_PI = Hp.acos(-1);

/**
 * Φ(x) to ~60 significant digits by the series Φ(x) = ½ + φ(x)·Σ_{n≥0} x^{2n+1} / (2n+1)!!,
 * all terms positive for x > 0; Φ(−x) = 1 − Φ(x), the cancellation absorbed by 90-digit working.
 */
export function referenceNormalCdf(x: number | string): Decimal {
  const v = new Hp(x);
  const a = v.abs();
  const density = Hp.exp(a.pow(2).div(-2)).div(Hp.sqrt(HP_PI.times(2)));
  const a2 = a.pow(2);
  let term = a;
  let sum = a;
  for (let k = 3; ; k += 2) {
    term = term.times(a2).div(k);
    sum = sum.plus(term);
    if (term.isZero() || term.lt(sum.times('1e-88'))) break;
  }
  const upper = density.times(sum); // Φ(|x|) − ½
  return v.isNeg() ? new Hp(0.5).minus(upper) : new Hp(0.5).plus(upper);
}

/** Adaptive Simpson quadrature with Richardson correction. */
export function integrate(f: (t: number) => number, a: number, b: number, tolerance: number): number {
  const simpson = (fa: number, fm: number, fb: number, h: number): number => (h / 6) * (fa + 4 * fm + fb);
  const step = (
    a0: number,
    b0: number,
    fa: number,
    fm: number,
    fb: number,
    whole: number,
    tol: number,
    depth: number,
  ): number => {
    const m = (a0 + b0) / 2;
    const lm = (a0 + m) / 2;
    const rm = (m + b0) / 2;
    const flm = f(lm);
    const frm = f(rm);
    const left = simpson(fa, flm, fm, m - a0);
    const right = simpson(fm, frm, fb, b0 - m);
    const diff = left + right - whole;
    if (depth <= 0 || Math.abs(diff) <= 15 * tol) return left + right + diff / 15;
    return (
      step(a0, m, fa, flm, fm, left, tol / 2, depth - 1) + step(m, b0, fm, frm, fb, right, tol / 2, depth - 1)
    );
  };
  const fa = f(a);
  const fb = f(b);
  const fm = f((a + b) / 2);
  return step(a, b, fa, fm, fb, simpson(fa, fm, fb, b - a), tolerance, 60);
}

/**
 * E[g(X)] for X ~ LogNormal(mu, sigma), integrated in log space (t = ln x) over mu ± 14 sigma,
 * split into many pieces (and at the given kinks of g) so each piece is smooth or nearly so.
 */
export function lognormalExpectation(
  g: (x: number) => number,
  mu: number,
  sigma: number,
  kinks: number[] = [],
  tolerance = 1e-11,
): number {
  const density = (t: number): number =>
    Math.exp(-0.5 * ((t - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
  const lo = mu - 14 * sigma;
  const hi = mu + 14 * sigma;
  const cuts = new Set<number>();
  for (let i = 0; i <= 280; i++) cuts.add(lo + ((hi - lo) * i) / 280);
  for (const k of kinks) if (k > 0 && Math.log(k) > lo && Math.log(k) < hi) cuts.add(Math.log(k));
  const points = [...cuts].sort((p, q) => p - q);
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    total += integrate(
      (t) => g(Math.exp(t)) * density(t),
      points[i - 1],
      points[i],
      tolerance / points.length,
    );
  }
  return total;
}

/** A plain, separately written P(y) for the references (tiers as [lower, upper, ratio]). */
export function referenceBenefit(
  deductible: number,
  tiers: Array<[number | null, number]>,
  cap: number,
): (y: number) => number {
  return (y) => {
    let lower = deductible;
    let sum = 0;
    for (const [upTo, ratio] of tiers) {
      const upper = upTo ?? Infinity;
      if (y > lower && ratio > 0) sum += ratio * (Math.min(y, upper) - lower);
      lower = upper;
    }
    return Math.min(cap, sum);
  };
}
