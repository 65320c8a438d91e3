/**
 * The programme's default benefit plan and rate table (spec: pricing.md, "Default rate table
 * `CN-RURAL-2019`" and "Default benefit plan `BACKBONE-STD`"), as typed constants. The demo
 * seed writes them to the database; the pricing tests and the benchmarks use the same values,
 * either in the stored shape (money as two-decimal strings) or in the engine's shape below.
 */
import type { DocumentKind, HospitalLevel, PlanTier } from '../modules/pricing/benefit-plan.entity';
import type { AgeBand, Gender } from '../modules/pricing/rate-table.entity';
import type { BenefitPlanTerms, RateTableBasis } from '../modules/pricing/engine/types';

/** A benefit plan version as stored: money as two-decimal strings, exactly as in `benefit_plan`. */
export interface BenefitPlanDefinition {
  code: string;
  version: number;
  name: string;
  deductible: string;
  /** Ascending; the last tier has no upper bound. */
  tiers: readonly PlanTier[];
  annualCap: string;
  hospitalLevels: readonly HospitalLevel[];
  minAge: number;
  maxAge: number;
  filingWindowDays: number;
  autoApproveLimit: string;
  reviewThreshold: string;
  requiredDocuments: readonly DocumentKind[];
}

/** A rate table version as stored in `rate_table` (distribution parameters are doubles). */
export interface RateTableDefinition {
  code: string;
  version: number;
  baseDate: string;
  frequency: Readonly<Record<AgeBand, Readonly<Record<Gender, number>>>>;
  severity: Readonly<Record<AgeBand, Readonly<{ mu: number; sigma: number }>>>;
  areaFactors: Readonly<Record<string, number>>;
  annualTrend: number;
  expenseLoading: number;
  riskMargin: number;
  minPremium: string;
  fullCredibilityClaims: number;
  maxRateChange: number;
}

export const DEFAULT_PLAN: BenefitPlanDefinition = Object.freeze({
  code: 'BACKBONE-STD',
  version: 1,
  name: 'Backbone standard plan',
  deductible: '1000.00',
  tiers: Object.freeze([
    { upTo: '10000.00', ratio: '0.40' },
    { upTo: '30000.00', ratio: '0.50' },
    { upTo: null, ratio: '0.60' },
  ]),
  annualCap: '30000.00',
  hospitalLevels: Object.freeze(['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL', 'PRIVATE'] as const),
  minAge: 18,
  maxAge: 60,
  filingWindowDays: 365,
  autoApproveLimit: '10000.00',
  reviewThreshold: '100000.00',
  requiredDocuments: Object.freeze(['INVOICE', 'DISCHARGE_SUMMARY'] as const),
});

export const DEFAULT_RATE_TABLE: RateTableDefinition = Object.freeze({
  code: 'CN-RURAL-2019',
  version: 1,
  baseDate: '2019-07-01',
  frequency: Object.freeze({
    '18-29': { F: 0.014, M: 0.01 },
    '30-39': { F: 0.016, M: 0.014 },
    '40-49': { F: 0.02, M: 0.02 },
    '50-60': { F: 0.028, M: 0.032 },
  }),
  severity: Object.freeze({
    '18-29': { mu: 7.3, sigma: 1.2 },
    '30-39': { mu: 7.4, sigma: 1.2 },
    '40-49': { mu: 7.5, sigma: 1.2 },
    '50-60': { mu: 7.6, sigma: 1.2 },
  }),
  areaFactors: Object.freeze({ '51': 1.0, '52': 0.95, '53': 0.95, '42': 1.05 }),
  annualTrend: 0.06,
  expenseLoading: 0.08,
  riskMargin: 0.04,
  minPremium: '20.00',
  fullCredibilityClaims: 3000,
  maxRateChange: 0.25,
});

/** The plan's terms in the pricing engine's input shape (numbers; the engine rounds only its outputs). */
export function planTerms(plan: BenefitPlanDefinition = DEFAULT_PLAN): BenefitPlanTerms {
  return {
    deductible: Number(plan.deductible),
    tiers: plan.tiers.map((t) => ({ upTo: t.upTo === null ? null : Number(t.upTo), ratio: Number(t.ratio) })),
    annualCap: Number(plan.annualCap),
  };
}

/** The rate table in the pricing engine's input shape (fresh objects: the caller may not mutate ours). */
export function rateTableBasis(table: RateTableDefinition = DEFAULT_RATE_TABLE): RateTableBasis {
  const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    baseDate: table.baseDate,
    frequency: copy(table.frequency) as RateTableBasis['frequency'],
    severity: copy(table.severity) as RateTableBasis['severity'],
    areaFactors: copy(table.areaFactors) as RateTableBasis['areaFactors'],
    annualTrend: table.annualTrend,
    expenseLoading: table.expenseLoading,
    riskMargin: table.riskMargin,
    minPremium: Number(table.minPremium),
    fullCredibilityClaims: table.fullCredibilityClaims,
    maxRateChange: table.maxRateChange,
  };
}
