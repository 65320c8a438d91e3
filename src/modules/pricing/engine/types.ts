/**
 * Inputs and outputs of the pure pricing engine (spec: pricing.md).
 *
 * Distribution maths runs in binary floating point; only money leaves the engine as exact
 * two-decimal strings (per-capita, total, expected claims cost). Intermediate rates (EP, PP,
 * PPm, G …) are kept as unrounded numbers so a stored quote shows the working exactly.
 */

export const AGE_BANDS = ['18-29', '30-39', '40-49', '50-60'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const GENDERS = ['F', 'M'] as const;
export type Gender = (typeof GENDERS)[number];

/** A number per age band × gender: the population's head counts, frequencies, cell premiums. */
export type Cells<T> = Record<AgeBand, Record<Gender, T>>;

/** Whole people per age band × gender, ages as of the coverage start. */
export type PopulationCells = Cells<number>;

/** The contract's roster counted by cell, or a declared head count spread by the default mix. */
export type PopulationInput = { cells: PopulationCells } | { headCount: number };

export interface BenefitTier {
  /** Upper end of the tier's band of cumulative eligible out-of-pocket; `null` = no upper bound (last tier only). */
  upTo: number | null;
  /** Share of the band the plan pays, in [0, 1]. */
  ratio: number;
}

/** The part of a benefit plan the benefit function needs (pricing.md step 2). */
export interface BenefitPlanTerms {
  deductible: number;
  /** Ascending; tier k covers (upTo_{k−1}, upTo_k], tier 0 starts at the deductible. */
  tiers: BenefitTier[];
  annualCap: number;
}

export interface Severity {
  /** Log-normal location of eligible out-of-pocket per claim at the table's base date. */
  mu: number;
  sigma: number;
}

export interface RateTableBasis {
  /** `YYYY-MM-DD`: the date the severities are expressed at. */
  baseDate: string;
  /** Claims per insured-year. */
  frequency: Cells<number>;
  severity: Record<AgeBand, Severity>;
  /** Multiplier on frequency by province code; provinces not listed use 1.0. */
  areaFactors: Record<string, number>;
  annualTrend: number;
  expenseLoading: number;
  riskMargin: number;
  /** Per capita, in RMB. */
  minPremium: number;
  fullCredibilityClaims: number;
  /** Largest renewal rate change either way, as a fraction (0.25 = ±25 %). */
  maxRateChange: number;
}

/** What the on-level factor needs to re-price the expiring contract (pricing.md step 6). */
export interface ExpiringContract {
  population: PopulationInput;
  plan: BenefitPlanTerms;
  periodStart: string;
  periodEnd: string;
}

/** The expiring contract's experience (renewals only; renewals-actuarial.md). */
export interface Experience {
  /** N: claims of the expiring contract. */
  claimCount: number;
  /** I: paid + approved unpaid + IBNR share, in RMB (a decimal string keeps it exact). */
  incurred: number | string;
  /** E: exposure in insured-years. */
  exposure: number;
  /** The expiring contract's gross per-capita premium, the centre of the renewal clamp. */
  previousGrossPerCapita: number | string;
  expiring: ExpiringContract;
}

export interface PricingInput {
  population: PopulationInput;
  plan: BenefitPlanTerms;
  rateTable: RateTableBasis;
  /** Two-digit province code of the county: selects the area factor (default 1.0). */
  provinceCode: string;
  /** Coverage period, both ends included, `YYYY-MM-DD`. */
  periodStart: string;
  periodEnd: string;
  /** Present on renewals: switches on credibility blending and the rate-change clamp. */
  experience?: Experience;
}

export interface BandPricing {
  mu: number;
  /** mu' = mu + ln(tau). */
  trendedMu: number;
  sigma: number;
  /** Expected payment per claim, E[P(X)] with X ~ LogNormal(mu', sigma). */
  ep: number;
}

export type ClampDirection = 'UP' | 'DOWN';

export interface RenewalClamp {
  previousGrossPerCapita: number;
  lower: number;
  upper: number;
  /** `UP`: raised to the lower bound; `DOWN`: lowered to the upper bound; null: inside the band. */
  applied: ClampDirection | null;
}

/** Steps 1–5 for one population, plan and period: shared by the quote and the on-level re-pricing. */
export interface ManualPricing {
  /** Days from the base date to the coverage midpoint, over 365. */
  delta: number;
  /** (1 + annualTrend)^delta. */
  tau: number;
  /** y*: smallest cumulative out-of-pocket at which the cap is reached; null when it never is. */
  capPoint: number | null;
  areaFactor: number;
  bands: Record<AgeBand, BandPricing>;
  /** PP[b][g] = frequency · areaFactor · EP[b]. */
  pp: Cells<number>;
  population: PopulationCells;
  insuredCount: number;
  /** PPm: head-count-weighted mean of PP. */
  ppm: number;
}

export interface PricingResult {
  population: PopulationCells;
  /** `ROSTER` when cells were given, `DEFAULT_MIX` when a head count was spread. */
  populationSource: 'ROSTER' | 'DEFAULT_MIX';
  insuredCount: number;
  provinceCode: string;
  areaFactor: number;
  delta: number;
  tau: number;
  capPoint: number | null;
  bands: Record<AgeBand, BandPricing>;
  pp: Cells<number>;
  ppm: number;
  /** PPm of the expiring contract under this rate table; null without usable experience (no renewal, or E = 0). */
  ppmOld: number | null;
  /** F = PPm / PPm_old. */
  onLevelFactor: number | null;
  /** Z = min(1, sqrt(N / fullCredibilityClaims)); 0 without usable experience. */
  credibility: number;
  /** PPe = (I / E) · F. */
  ppe: number | null;
  /** PPb = Z·PPe + (1 − Z)·PPm. */
  ppb: number;
  loadings: {
    expenseLoading: number;
    riskMargin: number;
    /** 1 / (1 − expenseLoading − riskMargin). */
    grossUpFactor: number;
  };
  grossBeforeFloor: number;
  grossAfterFloor: number;
  grossAfterClamp: number;
  floorApplied: boolean;
  /** Null when the quote is not a renewal. */
  clamp: RenewalClamp | null;
  /** Gross per capita rounded half-up to the fen, two decimals. */
  perCapitaPremium: string;
  /** perCapitaPremium × insuredCount, exact, two decimals. */
  totalPremium: string;
  /** Σ n · frequency · areaFactor. */
  expectedClaimCount: number;
  /** Σ n · PP, rounded half-up to the fen, two decimals. */
  expectedClaimsCost: string;
}

export interface ValidationProblem {
  /** Path of the offending field, e.g. `tiers[1].ratio`, `severity.18-29.sigma`. */
  field: string;
  message: string;
}
