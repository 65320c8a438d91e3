import type { BenefitPlanTerms, PricingInput, RateTableBasis } from '../../../src/modules/pricing/engine';

/** Rate table CN-RURAL-2019 as pricing.md defines it (the product's seed keeps its own copy). */
export const CN_RURAL_2019: RateTableBasis = {
  baseDate: '2019-07-01',
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
  areaFactors: { '51': 1.0, '52': 0.95, '53': 0.95, '42': 1.05 },
  annualTrend: 0.06,
  expenseLoading: 0.08,
  riskMargin: 0.04,
  minPremium: 20,
  fullCredibilityClaims: 3000,
  maxRateChange: 0.25,
};

/** Plan BACKBONE-STD: deductible 1,000; 40 % to 10,000, 50 % to 30,000, 60 % above; cap 30,000. */
export const BACKBONE_STD: BenefitPlanTerms = {
  deductible: 1000,
  tiers: [
    { upTo: 10000, ratio: 0.4 },
    { upTo: 30000, ratio: 0.5 },
    { upTo: null, ratio: 0.6 },
  ],
  annualCap: 30000,
};

/** A fresh deep copy, so a test can change a fixture without touching the others. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The sanity-figure quote: default mix, calendar year 2020. */
export function defaultInput(provinceCode: string, headCount = 10000): PricingInput {
  return {
    population: { headCount },
    plan: clone(BACKBONE_STD),
    rateTable: clone(CN_RURAL_2019),
    provinceCode,
    periodStart: '2020-01-01',
    periodEnd: '2020-12-31',
  };
}
