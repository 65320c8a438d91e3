import Decimal from 'decimal.js';
import {
  capPoint,
  expectedPayment,
  priceContract,
  PricingInputError,
  type BenefitPlanTerms,
  type Experience,
  type PricingInput,
} from '../../../src/modules/pricing/engine';
import { BACKBONE_STD, CN_RURAL_2019, clone, defaultInput } from './fixtures';
import { lognormalExpectation, referenceBenefit } from './reference';

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** E[P(X)] by numerical integration of the log-normal density in log space: independent of LEV and erfc. */
function numericEp(plan: BenefitPlanTerms, mu: number, sigma: number): number {
  const tiers = plan.tiers.map((t): [number | null, number] => [t.upTo, t.ratio]);
  const p = referenceBenefit(plan.deductible, tiers, plan.annualCap);
  const kinks = [plan.deductible, ...plan.tiers.map((t) => t.upTo ?? 0)];
  return lognormalExpectation(p, mu, sigma, kinks);
}

/** 2020-01-01..2020-12-31: midpoint 2020-07-01 12:00, 366.5 days after 2019-07-01 (2020 is a leap year). */
const DELTA_2020 = 366.5 / 365;
const LN_TAU_2020 = DELTA_2020 * Math.log(1.06);

const PLANS: Record<string, BenefitPlanTerms> = {
  'BACKBONE-STD (cap in the last tier)': BACKBONE_STD,
  'cap in the first tier': {
    deductible: 1000,
    tiers: [
      { upTo: 10000, ratio: 0.4 },
      { upTo: null, ratio: 0.6 },
    ],
    annualCap: 2000,
  },
  'cap in a middle tier': { ...BACKBONE_STD, annualCap: 10000 },
  'cap never reached': {
    deductible: 1000,
    tiers: [
      { upTo: 10000, ratio: 0.4 },
      { upTo: 30000, ratio: 0.5 },
      { upTo: null, ratio: 0 },
    ],
    annualCap: 30000,
  },
  'single tier, no deductible': { deductible: 0, tiers: [{ upTo: null, ratio: 0.7 }], annualCap: 5000 },
  'ratio-0 tiers, cap exactly at a boundary': {
    deductible: 0,
    tiers: [
      { upTo: 5000, ratio: 0 },
      { upTo: 20000, ratio: 0.5 },
      { upTo: null, ratio: 0 },
    ],
    annualCap: 7500,
  },
  'huge cap, never binding in practice': { ...BACKBONE_STD, annualCap: 1e9 },
};

describe('expected payment per claim (step 3)', () => {
  it.each(Object.entries(PLANS))('%s: closed form = numerical integration to 1e-9', (_name, plan) => {
    for (const mu of [6.5, 7.3 + LN_TAU_2020, 7.6 + LN_TAU_2020, 9]) {
      for (const sigma of [0.5, 1.2, 2]) {
        const ep = expectedPayment(plan, mu, sigma);
        expect(relativeError(ep, numericEp(plan, mu, sigma))).toBeLessThan(1e-9);
      }
    }
  });

  it('is 0 for a cap of 0', () => {
    expect(expectedPayment({ ...BACKBONE_STD, annualCap: 0 }, 7.5, 1.2)).toBe(0);
  });

  it('gives the same EP when the cap point is passed or computed', () => {
    expect(expectedPayment(BACKBONE_STD, 7.4, 1.2, capPoint(BACKBONE_STD))).toBe(
      expectedPayment(BACKBONE_STD, 7.4, 1.2),
    );
  });
});

describe('the sanity figures: CN-RURAL-2019, BACKBONE-STD, default mix, 2020', () => {
  // EP per band by 30-digit quadrature (mpmath) of P(e^t) over the normal density of t = ln X
  const EP_REFERENCE = {
    '18-29': Number('1003.0705175404867069'),
    '30-39': Number('1140.2352403312009673'),
    '40-49': Number('1293.1921033910370163'),
    '50-60': Number('1463.3704336511818751'),
  } as const;

  it('trends by delta = 366.5 / 365 and tau = 1.06^delta', () => {
    const r = priceContract(defaultInput('51'));
    expect(r.delta).toBe(DELTA_2020);
    expect(relativeError(r.tau, Math.pow(1.06, DELTA_2020))).toBeLessThan(1e-15);
    expect(r.bands['18-29'].trendedMu).toBeCloseTo(7.3 + LN_TAU_2020, 14);
    expect(r.capPoint).toBe(30000 + 16400 / 0.6);
  });

  it('EP per band matches the high-precision reference to 1e-12 and in-test integration to 1e-9', () => {
    const r = priceContract(defaultInput('51'));
    for (const band of ['18-29', '30-39', '40-49', '50-60'] as const) {
      expect(relativeError(r.bands[band].ep, EP_REFERENCE[band])).toBeLessThan(1e-12);
      expect(
        relativeError(r.bands[band].ep, numericEp(BACKBONE_STD, r.bands[band].trendedMu, 1.2)),
      ).toBeLessThan(1e-9);
    }
  });

  it.each([
    ['51', 1.0, 30, '30.31', '303100.00', 30.307852207149196],
    ['52', 0.95, 29, '28.79', '287900.00', 28.792459596791733],
    ['42', 1.05, 32, '31.82', '318200.00', 31.823244817506666],
  ])(
    'province %s (area %p): ≈ %p per capita, exactly %s',
    (province, area, approx, perCapita, total, gross) => {
      const r = priceContract(defaultInput(province, 10000));
      expect(r.areaFactor).toBe(area);
      expect(Math.abs(Number(r.perCapitaPremium) - approx)).toBeLessThanOrEqual(1.5);
      expect(r.perCapitaPremium).toBe(perCapita);
      expect(r.totalPremium).toBe(total);
      expect(relativeError(r.grossBeforeFloor, gross)).toBeLessThan(1e-13);

      // independently: PPm from the reference EPs and the default mix, grossed up by 1 / (1 − 0.08 − 0.04)
      const mix = {
        '18-29': [1056, 1144],
        '30-39': [960, 1040],
        '40-49': [1296, 1404],
        '50-60': [1488, 1612],
      } as const;
      let cost = 0;
      let claims = 0;
      for (const band of ['18-29', '30-39', '40-49', '50-60'] as const) {
        const [nF, nM] = mix[band];
        const { F, M } = CN_RURAL_2019.frequency[band];
        cost += (nF * F + nM * M) * area * EP_REFERENCE[band];
        claims += (nF * F + nM * M) * area;
      }
      expect(relativeError(r.ppm, cost / 10000)).toBeLessThan(1e-12);
      expect(relativeError(r.grossBeforeFloor, cost / 10000 / 0.88)).toBeLessThan(1e-12);
      expect(r.expectedClaimCount).toBeCloseTo(claims, 9);
      expect(Number(r.expectedClaimsCost)).toBeCloseTo(cost, 2);
      expect(r.floorApplied).toBe(false);
      expect(r.clamp).toBeNull();
      expect(r.credibility).toBe(0);
      expect(r.ppb).toBe(r.ppm);
    },
  );

  it('province 51 in full: PP per cell, expected claims', () => {
    const r = priceContract(defaultInput('51'));
    expect(r.populationSource).toBe('DEFAULT_MIX');
    expect(r.insuredCount).toBe(10000);
    expect(r.pp['50-60'].M).toBe(0.032 * 1 * r.bands['50-60'].ep);
    expect(r.pp['18-29'].F).toBe(0.014 * 1 * r.bands['18-29'].ep);
    expect(r.expectedClaimCount).toBeCloseTo(203.392, 10);
    expect(r.expectedClaimsCost).toBe('266709.10');
    expect(r.loadings).toEqual({ expenseLoading: 0.08, riskMargin: 0.04, grossUpFactor: 1 / 0.88 });
  });

  it('provinces without a factor use 1.0, and a code cannot reach the prototype', () => {
    expect(priceContract(defaultInput('11')).perCapitaPremium).toBe('30.31');
    expect(priceContract(defaultInput('constructor')).areaFactor).toBe(1);
    expect(priceContract(defaultInput('53')).perCapitaPremium).toBe('28.79');
  });
});

describe('population', () => {
  it('prices a roster by its cells', () => {
    const input = defaultInput('51');
    input.population = {
      cells: {
        '18-29': { F: 0, M: 0 },
        '30-39': { F: 0, M: 0 },
        '40-49': { F: 0, M: 0 },
        '50-60': { F: 0, M: 250 },
      },
    };
    const r = priceContract(input);
    expect(r.populationSource).toBe('ROSTER');
    expect(r.insuredCount).toBe(250);
    expect(r.ppm).toBe(r.pp['50-60'].M);
    expect(r.expectedClaimCount).toBeCloseTo(8, 12);
  });

  it('weights the cells by head count', () => {
    const input = defaultInput('51');
    input.population = {
      cells: {
        '18-29': { F: 3, M: 1 },
        '30-39': { F: 0, M: 0 },
        '40-49': { F: 0, M: 0 },
        '50-60': { F: 0, M: 0 },
      },
    };
    const r = priceContract(input);
    expect(r.ppm).toBeCloseTo((3 * r.pp['18-29'].F + r.pp['18-29'].M) / 4, 13);
  });
});

describe('rounding and totals (step 8)', () => {
  /** A plan that pays nothing, so the gross premium is the floor: a way to set G exactly. */
  function flooredAt(minPremium: number, headCount = 100): PricingInput {
    const input = defaultInput('51', headCount);
    input.plan = { ...BACKBONE_STD, annualCap: 0 };
    input.rateTable.minPremium = minPremium;
    return input;
  }

  it.each([
    [20.005, '20.01'],
    [1.005, '1.01'],
    [2.675, '2.68'],
    [20.0049999, '20.00'],
    [20.015, '20.02'],
    [0, '0.00'],
  ])('rounds G = %p half-up to %s', (minPremium, expected) => {
    const r = priceContract(flooredAt(minPremium));
    expect(r.grossBeforeFloor).toBe(0);
    expect(r.grossAfterClamp).toBe(minPremium);
    expect(r.perCapitaPremium).toBe(expected);
  });

  it('total = per capita × insured count, exactly', () => {
    expect(priceContract(flooredAt(20.01, 12345)).totalPremium).toBe('247023.45');
    expect(priceContract(flooredAt(33.33, 3)).totalPremium).toBe('99.99');
    const big = priceContract(defaultInput('51', 1234567));
    expect(big.totalPremium).toBe(new Decimal(big.perCapitaPremium).times(1234567).toFixed(2));
    expect(big.totalPremium).toMatch(/^\d+\.\d{2}$/);
  });
});

describe('floor (step 7)', () => {
  it('raises a gross premium below the minimum to the minimum', () => {
    const input = defaultInput('51');
    input.rateTable.minPremium = 35;
    const r = priceContract(input);
    expect(r.floorApplied).toBe(true);
    expect(r.grossBeforeFloor).toBeCloseTo(30.3078522071492, 12);
    expect(r.grossAfterFloor).toBe(35);
    expect(r.perCapitaPremium).toBe('35.00');
    expect(r.totalPremium).toBe('350000.00');
  });
});

describe('experience and renewal (steps 6–7)', () => {
  function renewal(
    overrides: Partial<Experience>,
    periodStart = '2019-01-01',
    periodEnd = '2019-12-31',
  ): PricingInput {
    const input = defaultInput('51');
    input.experience = {
      claimCount: 750,
      incurred: '150000.00',
      exposure: 9800,
      previousGrossPerCapita: '28.00',
      expiring: { population: { headCount: 10000 }, plan: clone(BACKBONE_STD), periodStart, periodEnd },
      ...overrides,
    };
    return input;
  }

  /** PPm of the expiring contract priced as new business with the same table: what PPm_old must be. */
  const expiringPpm = priceContract({
    ...defaultInput('51'),
    periodStart: '2019-01-01',
    periodEnd: '2019-12-31',
  }).ppm;

  it('on-levels by F = PPm / PPm_old with the expiring contract priced by steps 1–5', () => {
    const r = priceContract(renewal({}));
    expect(r.ppmOld).toBe(expiringPpm);
    expect(relativeError(expiringPpm, 24.79483923571256)).toBeLessThan(1e-12); // 2019: delta = 1 / 365
    expect(r.onLevelFactor).toBe(r.ppm / expiringPpm);
    expect(r.onLevelFactor!).toBeGreaterThan(1); // a year of 6 % trend, leveraged by the deductible
    expect(r.ppe).toBe((150000 / 9800) * r.onLevelFactor!);
  });

  it('Z = 0 when there were no claims: PPb = PPm', () => {
    const r = priceContract(renewal({ claimCount: 0 }));
    expect(r.credibility).toBe(0);
    expect(r.ppb).toBe(r.ppm);
    expect(r.ppe).not.toBeNull();
    expect(r.perCapitaPremium).toBe('30.31');
    expect(r.clamp).toEqual({ previousGrossPerCapita: 28, lower: 21, upper: 35, applied: null });
  });

  it('0 < Z < 1: PPb = Z·PPe + (1 − Z)·PPm', () => {
    const r = priceContract(renewal({ claimCount: 750 }));
    expect(r.credibility).toBe(0.5); // sqrt(750 / 3000)
    expect(r.ppb).toBe(0.5 * r.ppe! + 0.5 * r.ppm);
    expect(r.grossBeforeFloor).toBe(r.ppb / 0.88);
    // reference by 30-digit quadrature: F = 1.0756637576369747, PPe = 16.464241188321042, G = 24.508608596938811
    expect(relativeError(r.onLevelFactor!, 1.0756637576369747)).toBeLessThan(1e-12);
    expect(relativeError(r.grossBeforeFloor, Number('24.508608596938811'))).toBeLessThan(1e-12);
    expect(r.perCapitaPremium).toBe('24.51');
    expect(r.totalPremium).toBe('245100.00');
  });

  it('Z = 1 at and beyond full credibility: PPb = PPe', () => {
    for (const claimCount of [3000, 4800]) {
      const r = priceContract(renewal({ claimCount, incurred: '200000' }));
      expect(r.credibility).toBe(1);
      expect(r.ppb).toBe(r.ppe);
      expect(relativeError(r.grossBeforeFloor, Number('24.945819982304608'))).toBeLessThan(1e-12); // 30-digit reference
      expect(r.perCapitaPremium).toBe('24.95');
    }
  });

  it('E = 0: no experience to learn from, Z = 0, but still a renewal for the clamp', () => {
    const r = priceContract(renewal({ exposure: 0, claimCount: 0, incurred: 0 }));
    expect(r.credibility).toBe(0);
    expect(r.ppmOld).toBeNull();
    expect(r.onLevelFactor).toBeNull();
    expect(r.ppe).toBeNull();
    expect(r.ppb).toBe(r.ppm);
    expect(r.clamp).not.toBeNull();
  });

  it('on-levels a plan change: a richer plan now than then raises F', () => {
    const lean = { ...BACKBONE_STD, annualCap: 10000 };
    const r = priceContract(
      renewal({
        expiring: {
          population: { headCount: 10000 },
          plan: lean,
          periodStart: '2019-01-01',
          periodEnd: '2019-12-31',
        },
      }),
    );
    const leanPpm = priceContract({
      ...defaultInput('51'),
      plan: lean,
      periodStart: '2019-01-01',
      periodEnd: '2019-12-31',
    }).ppm;
    expect(r.ppmOld).toBe(leanPpm);
    expect(r.onLevelFactor!).toBeGreaterThan(r.ppm / expiringPpm);
  });

  it('clamps up to prev·(1 − maxRateChange)', () => {
    const r = priceContract(renewal({ claimCount: 0, previousGrossPerCapita: '50.00' }));
    expect(r.clamp).toEqual({ previousGrossPerCapita: 50, lower: 37.5, upper: 62.5, applied: 'UP' });
    expect(r.grossAfterFloor).toBeCloseTo(30.3078522071492, 12);
    expect(r.grossAfterClamp).toBe(37.5);
    expect(r.perCapitaPremium).toBe('37.50');
  });

  it('clamps down to prev·(1 + maxRateChange)', () => {
    const r = priceContract(renewal({ claimCount: 0, previousGrossPerCapita: 20 }));
    expect(r.clamp?.applied).toBe('DOWN');
    expect(r.grossAfterClamp).toBe(25);
    expect(r.perCapitaPremium).toBe('25.00');
  });

  it('floors first, then clamps', () => {
    const input = renewal({ claimCount: 0, previousGrossPerCapita: '30.00' });
    input.plan = { ...BACKBONE_STD, annualCap: 0 };
    const r = priceContract(input);
    expect(r.floorApplied).toBe(true);
    expect(r.grossAfterFloor).toBe(20);
    expect(r.clamp?.applied).toBe('UP');
    expect(r.perCapitaPremium).toBe('22.50');
  });

  it('refuses an expiring plan that prices to nothing (F undefined)', () => {
    const input = renewal({});
    input.experience!.expiring.plan = { ...BACKBONE_STD, annualCap: 0 };
    expect(() => priceContract(input)).toThrow(PricingInputError);
    try {
      priceContract(input);
    } catch (e) {
      expect((e as PricingInputError).problems.map((p) => p.field)).toEqual(['experience.expiring.plan']);
    }
  });
});

describe('purity', () => {
  it('same inputs, same result, to the last bit', () => {
    const input = defaultInput('42');
    input.experience = {
      claimCount: 120,
      incurred: '90000.50',
      exposure: 9500.25,
      previousGrossPerCapita: '30.00',
      expiring: {
        population: { headCount: 9000 },
        plan: clone(BACKBONE_STD),
        periodStart: '2019-01-01',
        periodEnd: '2019-12-31',
      },
    };
    const a = priceContract(input);
    const b = priceContract(clone(input));
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('does not mutate its input, and its result shares nothing with it', () => {
    const input = defaultInput('51');
    input.population = {
      cells: {
        '18-29': { F: 10, M: 11 },
        '30-39': { F: 12, M: 13 },
        '40-49': { F: 14, M: 15 },
        '50-60': { F: 16, M: 17 },
      },
    };
    input.experience = {
      claimCount: 3,
      incurred: 2000,
      exposure: 100,
      previousGrossPerCapita: 29,
      expiring: {
        population: { headCount: 110 },
        plan: clone(BACKBONE_STD),
        periodStart: '2019-01-01',
        periodEnd: '2019-12-31',
      },
    };
    const before = clone(input);
    const frozen = deepFreeze(clone(input));
    const r = priceContract(frozen); // a write to a frozen object throws in strict mode
    expect(frozen).toEqual(before);
    priceContract(input);
    expect(input).toEqual(before);
    r.population['18-29'].F = 999;
    expect(input.population).toEqual(before.population);
  });
});
