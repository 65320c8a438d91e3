/**
 * The seeded defaults the reference data set is priced with: plan BACKBONE-STD and rate
 * table CN-RURAL-2019, values from spec/pricing.md.
 *
 * TEMPORARY COPY: the product's typed constants are being added in src/seed/defaults.ts;
 * when they land, import them here instead (one place to change) so the bench data can
 * never drift from what `npm start` seeds. The shapes below are the entities' column shapes
 * (money as exact strings, rates as numbers), so the swap is mechanical.
 */
import type { AgeBand, Gender } from '../../src/modules/pricing/rate-table.entity';
import type { DocumentKind, HospitalLevel, PlanTier } from '../../src/modules/pricing/benefit-plan.entity';

export interface PlanDefaults {
  code: string;
  version: number;
  name: string;
  deductible: string;
  tiers: PlanTier[];
  annualCap: string;
  hospitalLevels: HospitalLevel[];
  minAge: number;
  maxAge: number;
  filingWindowDays: number;
  autoApproveLimit: string;
  reviewThreshold: string;
  requiredDocuments: DocumentKind[];
}

export interface RateTableDefaults {
  code: string;
  version: number;
  baseDate: string;
  frequency: Record<AgeBand, Record<Gender, number>>;
  severity: Record<AgeBand, { mu: number; sigma: number }>;
  areaFactors: Record<string, number>;
  annualTrend: number;
  expenseLoading: number;
  riskMargin: number;
  minPremium: string;
  fullCredibilityClaims: number;
  maxRateChange: number;
}

export const BACKBONE_STD: PlanDefaults = {
  code: 'BACKBONE-STD',
  version: 1,
  name: '顶梁柱标准方案 (Backbone standard plan)',
  deductible: '1000.00',
  tiers: [
    { upTo: '10000.00', ratio: '0.40' },
    { upTo: '30000.00', ratio: '0.50' },
    { upTo: null, ratio: '0.60' },
  ],
  annualCap: '30000.00',
  hospitalLevels: ['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL', 'PRIVATE'],
  minAge: 18,
  maxAge: 60,
  filingWindowDays: 365,
  autoApproveLimit: '10000.00',
  reviewThreshold: '100000.00',
  requiredDocuments: ['INVOICE', 'DISCHARGE_SUMMARY'],
};

export const CN_RURAL_2019: RateTableDefaults = {
  code: 'CN-RURAL-2019',
  version: 1,
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
  minPremium: '20.00',
  fullCredibilityClaims: 3000,
  maxRateChange: 0.25,
};
