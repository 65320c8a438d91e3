import {
  credibilityFactor,
  CredibilityInputError,
  recalibrateRateTable,
  type FrequencyObservation,
  type RateTableParameters,
  type RecalibrationInput,
  type SeverityObservation,
} from '../../../src/modules/actuarial/engine';

function credibilityError(fn: () => unknown): CredibilityInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CredibilityInputError);
    return err as CredibilityInputError;
  }
  throw new Error('expected a CredibilityInputError');
}

/** Summary of a list of logs, as the database aggregate returns it. */
function logSummary(band: string, logs: number[]): SeverityObservation {
  return {
    band,
    n: logs.length,
    sumLog: logs.reduce((a, x) => a + x, 0),
    sumLogSquared: logs.reduce((a, x) => a + x * x, 0),
  };
}

describe('credibilityFactor', () => {
  it.each([
    [0, 3000, 0],
    [750, 3000, 0.5],
    [30, 3000, 0.1],
    [3000, 3000, 1],
    [12000, 3000, 1],
  ])('Z(%d claims, full %d) = %d', (claims, full, z) => {
    expect(credibilityFactor(claims, full)).toBeCloseTo(z, 15);
  });
});

describe('recalibrateRateTable on hand examples', () => {
  const current: RateTableParameters = {
    frequency: { A: { F: 0.015, M: 0.02 }, B: { F: 0.02, M: 0.03 } },
    severity: { A: { mu: 7.3, sigma: 1.0 }, B: { mu: 7.6, sigma: 1.2 } },
  };
  const result = recalibrateRateTable({
    current,
    fullCredibilityClaims: 100,
    frequency: [
      { band: 'A', gender: 'F', claims: 25, exposure: 1000 }, // raw 0.025, Z 0.5
      { band: 'A', gender: 'M', claims: 100, exposure: 2000 }, // raw 0.05, Z 1
      { band: 'B', gender: 'F', claims: 4, exposure: 100 }, // raw 0.04, Z 0.2
      // B × M: no data
    ],
    severity: [
      // n 25, mean of logs 7.5, mean of squares 7.5² + 1.2²: mu 7.5, sigma 1.2, Z 0.5
      { band: 'A', n: 25, sumLog: 25 * 7.5, sumLogSquared: 25 * (7.5 ** 2 + 1.2 ** 2) },
      // B: no claims
    ],
  });

  it('blends each cell’s frequency by that cell’s Z', () => {
    expect(result.frequency).toEqual([
      {
        band: 'A',
        gender: 'F',
        claims: 25,
        exposure: 1000,
        raw: 0.025,
        z: 0.5,
        prior: 0.015,
        blended: expect.any(Number),
      },
      { band: 'A', gender: 'M', claims: 100, exposure: 2000, raw: 0.05, z: 1, prior: 0.02, blended: 0.05 },
      {
        band: 'B',
        gender: 'F',
        claims: 4,
        exposure: 100,
        raw: 0.04,
        z: expect.any(Number),
        prior: 0.02,
        blended: expect.any(Number),
      },
      { band: 'B', gender: 'M', claims: 0, exposure: 0, raw: null, z: 0, prior: 0.03, blended: 0.03 },
    ]);
    expect(result.frequency[0]!.blended).toBeCloseTo(0.02, 15);
    expect(result.frequency[2]!.z).toBeCloseTo(0.2, 15);
    expect(result.frequency[2]!.blended).toBeCloseTo(0.2 * 0.04 + 0.8 * 0.02, 15); // 0.024
    expect(result.proposed.frequency).toEqual({
      A: { F: result.frequency[0]!.blended, M: 0.05 },
      B: { F: result.frequency[2]!.blended, M: 0.03 },
    });
  });

  it('blends each band’s mu and sigma by the band’s claim count', () => {
    const [a, b] = result.severity;
    expect(a!.n).toBe(25);
    expect(a!.rawMu).toBeCloseTo(7.5, 12);
    expect(a!.rawSigma).toBeCloseTo(1.2, 12);
    expect(a!.z).toBeCloseTo(0.5, 15);
    expect(a!.prior).toEqual({ mu: 7.3, sigma: 1.0 });
    expect(a!.blended.mu).toBeCloseTo(7.4, 12);
    expect(a!.blended.sigma).toBeCloseTo(1.1, 12);
    expect(b).toEqual({
      band: 'B',
      n: 0,
      rawMu: null,
      rawSigma: null,
      z: 0,
      prior: { mu: 7.6, sigma: 1.2 },
      blended: { mu: 7.6, sigma: 1.2 },
    });
    expect(result.proposed.severity).toEqual({ A: a!.blended, B: { mu: 7.6, sigma: 1.2 } });
  });

  it('uses the maximum-likelihood sigma (divisor n, not n − 1)', () => {
    const r = recalibrateRateTable({
      current,
      fullCredibilityClaims: 100,
      frequency: [],
      severity: [logSummary('A', [6, 8, 7, 7])],
    });
    const a = r.severity[0]!;
    expect(a.rawMu).toBeCloseTo(7, 12);
    expect(a.rawSigma).toBeCloseTo(Math.sqrt(2 / 4), 12); // not √(2/3)
    expect(a.z).toBeCloseTo(0.2, 15);
    expect(a.blended.mu).toBeCloseTo(0.2 * 7 + 0.8 * 7.3, 12);
    expect(a.blended.sigma).toBeCloseTo(0.2 * Math.sqrt(0.5) + 0.8 * 1.0, 12);
  });

  it('gives sigma 0 for a single claim, and tolerates rounding in the sums', () => {
    const r = recalibrateRateTable({
      current,
      fullCredibilityClaims: 100,
      frequency: [],
      severity: [{ band: 'A', n: 1, sumLog: 7.1, sumLogSquared: 7.1 * 7.1 * (1 - 1e-15) }],
    });
    expect(r.severity[0]!.rawMu).toBeCloseTo(7.1, 12);
    expect(r.severity[0]!.rawSigma).toBe(0);
    expect(r.severity[0]!.z).toBeCloseTo(0.1, 15);
  });

  it('does not mutate its input', () => {
    const input: RecalibrationInput = {
      current,
      fullCredibilityClaims: 100,
      frequency: [{ band: 'A', gender: 'F', claims: 25, exposure: 1000 }],
      severity: [logSummary('A', [6, 8])],
    };
    const before = JSON.stringify(input);
    recalibrateRateTable(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});

/** mulberry32: a small seeded PRNG, so the sample (and the test) is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller (the uniform is kept away from 0 for the logarithm). */
function normal(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Poisson by Knuth's product of uniforms; fine for the small means of one person-year. */
function poisson(rand: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

describe('recalibrateRateTable recovers known parameters from generated data', () => {
  // The seeded table CN-RURAL-2019 (pricing.md) is the truth; the "current" table is off by
  // a lot, so recovering the truth shows the estimate, not the prior, is being used.
  const truth: RateTableParameters = {
    frequency: {
      '18-29': { F: 0.014, M: 0.01 },
      '30-39': { F: 0.016, M: 0.014 },
      '40-49': { F: 0.02, M: 0.02 },
      '50-60': { F: 0.028, M: 0.032 },
    },
    severity: {
      '18-29': { mu: 7.3, sigma: 1.2 },
      '30-39': { mu: 7.4, sigma: 1.2 },
      '40-49': { mu: 7.5, sigma: 1.2 },
      '50-60': { mu: 7.6, sigma: 1.2 },
    },
  };
  const current: RateTableParameters = {
    frequency: Object.fromEntries(
      Object.entries(truth.frequency).map(([band, g]) => [band, { F: g.F! * 1.5, M: g.M! * 0.6 }]),
    ),
    severity: Object.fromEntries(
      Object.entries(truth.severity).map(([band, s]) => [band, { mu: s.mu + 0.5, sigma: s.sigma * 0.7 }]),
    ),
  };

  const rand = mulberry32(20200101);
  const peoplePerCell = 150_000;
  const frequency: FrequencyObservation[] = [];
  const logs = new Map<string, { n: number; sumLog: number; sumLogSquared: number }>();
  for (const [band, byGender] of Object.entries(truth.frequency)) {
    const { mu, sigma } = truth.severity[band]!;
    const summary = { n: 0, sumLog: 0, sumLogSquared: 0 };
    for (const [gender, lambda] of Object.entries(byGender)) {
      let claims = 0;
      let exposure = 0;
      for (let p = 0; p < peoplePerCell; p++) {
        // Covered for part of the year: exposure in (0, 1] insured-years.
        const years = Math.ceil(rand() * 365) / 365;
        exposure += years;
        const k = poisson(rand, lambda * years);
        claims += k;
        for (let c = 0; c < k; c++) {
          const logCost = mu + sigma * normal(rand);
          summary.n++;
          summary.sumLog += logCost;
          summary.sumLogSquared += logCost * logCost;
        }
      }
      frequency.push({ band, gender, claims, exposure });
    }
    logs.set(band, summary);
  }
  const severity: SeverityObservation[] = [...logs].map(([band, s]) => ({ band, ...s }));

  it('at full credibility, lands within four standard errors of the truth', () => {
    const r = recalibrateRateTable({ current, frequency, severity, fullCredibilityClaims: 500 });
    for (const cell of r.frequency) {
      const lambda = truth.frequency[cell.band]![cell.gender]!;
      expect(cell.z).toBe(1);
      expect(Math.abs(cell.blended - lambda)).toBeLessThan(4 * Math.sqrt(lambda / cell.exposure));
    }
    for (const band of r.severity) {
      const { mu, sigma } = truth.severity[band.band]!;
      expect(band.z).toBe(1);
      expect(band.n).toBe(r.frequency.filter((c) => c.band === band.band).reduce((a, c) => a + c.claims, 0));
      expect(Math.abs(band.blended.mu - mu)).toBeLessThan(4 * (sigma / Math.sqrt(band.n)));
      expect(Math.abs(band.blended.sigma - sigma)).toBeLessThan(4 * (sigma / Math.sqrt(2 * band.n)));
    }
  });

  it('at partial credibility, moves from the prior towards the data by exactly Z', () => {
    const r = recalibrateRateTable({ current, frequency, severity, fullCredibilityClaims: 30_000 });
    for (const cell of r.frequency) {
      expect(cell.z).toBeCloseTo(Math.sqrt(cell.claims / 30_000), 15);
      expect(cell.z).toBeLessThan(1);
      expect(cell.blended).toBeCloseTo(cell.z * cell.raw! + (1 - cell.z) * cell.prior, 15);
    }
    for (const band of r.severity) {
      expect(band.z).toBeCloseTo(Math.sqrt(band.n / 30_000), 15);
      expect(band.blended.mu).toBeCloseTo(band.z * band.rawMu! + (1 - band.z) * band.prior.mu, 12);
      expect(band.blended.sigma).toBeCloseTo(band.z * band.rawSigma! + (1 - band.z) * band.prior.sigma, 12);
    }
  });
});

describe('recalibrateRateTable input validation', () => {
  const current: RateTableParameters = {
    frequency: { A: { F: 0.01, M: 0.01 } },
    severity: { A: { mu: 7, sigma: 1 } },
  };
  const base: RecalibrationInput = { current, frequency: [], severity: [], fullCredibilityClaims: 100 };
  const freq = (o: Partial<FrequencyObservation>): FrequencyObservation => ({
    band: 'A',
    gender: 'F',
    claims: 1,
    exposure: 10,
    ...o,
  });
  const sev = (o: Partial<SeverityObservation>): SeverityObservation => ({
    band: 'A',
    n: 2,
    sumLog: 14,
    sumLogSquared: 100,
    ...o,
  });

  it.each<[string, Partial<RecalibrationInput>, string, string]>([
    ['full credibility 0', { fullCredibilityClaims: 0 }, 'fullCredibilityClaims', 'INVALID_FULL_CREDIBILITY'],
    ['an unknown band', { frequency: [freq({ band: 'Z' })] }, 'frequency[0]', 'UNKNOWN_CELL'],
    ['an unknown gender', { frequency: [freq({ gender: 'X' })] }, 'frequency[0]', 'UNKNOWN_CELL'],
    [
      'a fractional claim count',
      { frequency: [freq({ claims: 1.5 })] },
      'frequency[0].claims',
      'INVALID_OBSERVATION',
    ],
    [
      'negative exposure',
      { frequency: [freq({ exposure: -1 })] },
      'frequency[0].exposure',
      'INVALID_OBSERVATION',
    ],
    [
      'claims without exposure',
      { frequency: [freq({ exposure: 0 })] },
      'frequency[0].exposure',
      'INVALID_OBSERVATION',
    ],
    ['a repeated cell', { frequency: [freq({}), freq({})] }, 'frequency[1]', 'DUPLICATE_CELL'],
    ['an unknown severity band', { severity: [sev({ band: 'Z' })] }, 'severity[0]', 'UNKNOWN_CELL'],
    ['a NaN sum', { severity: [sev({ sumLog: Number.NaN })] }, 'severity[0].sumLog', 'INVALID_OBSERVATION'],
    [
      'sums below what any claims give',
      { severity: [sev({ sumLogSquared: 90 })] },
      'severity[0]',
      'INCONSISTENT_SUMS',
    ],
    ['sums without claims', { severity: [sev({ n: 0 })] }, 'severity[0]', 'INCONSISTENT_SUMS'],
    ['a repeated band', { severity: [sev({}), sev({})] }, 'severity[1]', 'DUPLICATE_CELL'],
    [
      'a prior sigma below 0',
      { current: { ...current, severity: { A: { mu: 7, sigma: -1 } } } },
      'current.severity.A',
      'INVALID_PRIOR',
    ],
  ])('rejects %s', (_label, patch, field, reason) => {
    const err = credibilityError(() => recalibrateRateTable({ ...base, ...patch }));
    expect(err.field).toBe(field);
    expect(err.reason).toBe(reason);
  });
});
