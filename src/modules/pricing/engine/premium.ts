import { money, roundFloatToFen } from '../../../shared/money';
import { capPoint } from './benefit';
import { lognormalLev } from './math';
import { cellKeys, mapCells, spreadHeadCount, totalHeadCount } from './population';
import {
  AGE_BANDS,
  type AgeBand,
  type BandPricing,
  type BenefitPlanTerms,
  type ManualPricing,
  type PopulationCells,
  type PopulationInput,
  type PricingInput,
  type PricingResult,
  type RateTableBasis,
  type RenewalClamp,
} from './types';
import { dayNumber, PricingInputError, validatePricingInput } from './validate';

/**
 * The premium of pricing.md, steps 1–8. Pure: everything it needs is in the input, everything
 * it decides is in the result. Floating point for the distribution maths; money leaves through
 * one rounding function (roundFloatToFen) and is multiplied out exactly.
 */

/**
 * Expected payment per claim, EP = E[P(X)] for X ~ LogNormal(mu, sigma) (step 3):
 *   EP = Σ_k ratio_k · (LEV(min(upTo_k, y*)) − LEV(lower_k)) over tiers with lower_k < y*.
 * Each tier pays ratio_k · E[(min(X, b) − a)⁺] = ratio_k · (LEV(b) − LEV(a)) on its band (a, b]
 * cut at y*, and beyond y* the payment stays at the cap, which the cut accounts for.
 */
export function expectedPayment(
  plan: BenefitPlanTerms,
  mu: number,
  sigma: number,
  yStar: number = capPoint(plan),
): number {
  let ep = 0;
  let lower = plan.deductible;
  for (const tier of plan.tiers) {
    if (lower >= yStar) break;
    const upper = tier.upTo ?? Infinity;
    if (tier.ratio > 0) {
      ep += tier.ratio * (lognormalLev(Math.min(upper, yStar), mu, sigma) - lognormalLev(lower, mu, sigma));
    }
    lower = upper;
  }
  return ep;
}

export interface ManualPricingInput {
  population: PopulationCells;
  plan: BenefitPlanTerms;
  rateTable: RateTableBasis;
  provinceCode: string;
  periodStart: string;
  periodEnd: string;
}

function day(date: string): number {
  const n = dayNumber(date);
  if (n === null) throw new RangeError(`not a calendar date: ${date}`); // validated before we get here
  return n;
}

/** Steps 1–5 for one population, plan and period. Expects validated input. */
export function manualPricing(input: ManualPricingInput): ManualPricing {
  const { plan, rateTable: table } = input;

  // Step 1: trend to the coverage midpoint. ln(tau) = delta · ln(1 + trend), taken with log1p.
  const midpoint = (day(input.periodStart) + day(input.periodEnd)) / 2;
  const delta = (midpoint - day(table.baseDate)) / 365;
  const lnTau = delta * Math.log1p(table.annualTrend);
  const tau = Math.exp(lnTau);

  // Steps 2–3: EP per band, the cap point being common to all bands.
  const yStar = capPoint(plan);
  const bands = {} as Record<AgeBand, BandPricing>;
  for (const band of AGE_BANDS) {
    const { mu, sigma } = table.severity[band];
    const trendedMu = mu + lnTau;
    bands[band] = { mu, trendedMu, sigma, ep: expectedPayment(plan, trendedMu, sigma, yStar) };
  }

  // Step 4: cell pure premiums. hasOwn so that a code such as "constructor" cannot hit the prototype.
  const areaFactor = Object.hasOwn(table.areaFactors, input.provinceCode)
    ? table.areaFactors[input.provinceCode]
    : 1;
  const pp = mapCells(table.frequency, (frequency, band) => frequency * areaFactor * bands[band].ep);

  // Step 5: head-count-weighted mean, summed in canonical cell order.
  const population = mapCells(input.population, (n) => n);
  const insuredCount = totalHeadCount(population);
  let weighted = 0;
  for (const [band, gender] of cellKeys()) weighted += population[band][gender] * pp[band][gender];

  return {
    delta,
    tau,
    capPoint: Number.isFinite(yStar) ? yStar : null,
    areaFactor,
    bands,
    pp,
    population,
    insuredCount,
    ppm: weighted / insuredCount,
  };
}

function resolvePopulation(population: PopulationInput): {
  cells: PopulationCells;
  source: 'ROSTER' | 'DEFAULT_MIX';
} {
  if ('cells' in population) return { cells: mapCells(population.cells, (n) => n), source: 'ROSTER' };
  return { cells: spreadHeadCount(population.headCount), source: 'DEFAULT_MIX' };
}

/** Prices a contract (pricing.md steps 1–8). Throws PricingInputError, listing every problem, on bad input. */
export function priceContract(input: PricingInput): PricingResult {
  const problems = validatePricingInput(input);
  if (problems.length > 0) throw new PricingInputError(problems);
  const table = input.rateTable;

  const { cells, source } = resolvePopulation(input.population);
  const manual = manualPricing({
    population: cells,
    plan: input.plan,
    rateTable: table,
    provinceCode: input.provinceCode,
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
  });

  // Step 6: experience, only when the expiring contract has exposure to learn from.
  const experience = input.experience;
  let ppmOld: number | null = null;
  let onLevelFactor: number | null = null;
  let credibility = 0;
  let ppe: number | null = null;
  let ppb = manual.ppm;
  if (experience !== undefined && experience.exposure > 0) {
    const expiring = experience.expiring;
    // Same rate table and province (a county does not move), the expiring contract's own population, plan, period.
    ppmOld = manualPricing({
      population: resolvePopulation(expiring.population).cells,
      plan: expiring.plan,
      rateTable: table,
      provinceCode: input.provinceCode,
      periodStart: expiring.periodStart,
      periodEnd: expiring.periodEnd,
    }).ppm;
    if (!(ppmOld > 0)) {
      throw new PricingInputError([
        {
          field: 'experience.expiring.plan',
          message:
            'prices to nothing under this rate table, so the on-level factor PPm / PPm_old is undefined',
        },
      ]);
    }
    onLevelFactor = manual.ppm / ppmOld;
    credibility = Math.min(1, Math.sqrt(experience.claimCount / table.fullCredibilityClaims));
    ppe = (money(experience.incurred).toNumber() / experience.exposure) * onLevelFactor;
    ppb = credibility * ppe + (1 - credibility) * manual.ppm;
  }

  // Step 7: gross up, floor, and on renewal clamp around the previous premium.
  const loadingDivisor = 1 - table.expenseLoading - table.riskMargin;
  const grossBeforeFloor = ppb / loadingDivisor;
  const floorApplied = grossBeforeFloor < table.minPremium;
  const grossAfterFloor = floorApplied ? table.minPremium : grossBeforeFloor;
  let clamp: RenewalClamp | null = null;
  let grossAfterClamp = grossAfterFloor;
  if (experience !== undefined) {
    const previous = money(experience.previousGrossPerCapita).toNumber();
    const lower = previous * (1 - table.maxRateChange);
    const upper = previous * (1 + table.maxRateChange);
    let applied: RenewalClamp['applied'] = null;
    if (grossAfterFloor < lower) {
      grossAfterClamp = lower;
      applied = 'UP';
    } else if (grossAfterFloor > upper) {
      grossAfterClamp = upper;
      applied = 'DOWN';
    }
    clamp = { previousGrossPerCapita: previous, lower, upper, applied };
  }

  // Step 8: the one rounding, then exact decimal arithmetic.
  const perCapita = roundFloatToFen(grossAfterClamp);
  const total = perCapita.times(manual.insuredCount);

  let expectedClaimCount = 0;
  let expectedClaimsCost = 0;
  for (const [band, gender] of cellKeys()) {
    const n = cells[band][gender];
    expectedClaimCount += n * table.frequency[band][gender] * manual.areaFactor;
    expectedClaimsCost += n * manual.pp[band][gender];
  }

  return {
    population: manual.population,
    populationSource: source,
    insuredCount: manual.insuredCount,
    provinceCode: input.provinceCode,
    areaFactor: manual.areaFactor,
    delta: manual.delta,
    tau: manual.tau,
    capPoint: manual.capPoint,
    bands: manual.bands,
    pp: manual.pp,
    ppm: manual.ppm,
    ppmOld,
    onLevelFactor,
    credibility,
    ppe,
    ppb,
    loadings: {
      expenseLoading: table.expenseLoading,
      riskMargin: table.riskMargin,
      grossUpFactor: 1 / loadingDivisor,
    },
    grossBeforeFloor,
    grossAfterFloor,
    grossAfterClamp,
    floorApplied,
    clamp,
    perCapitaPremium: perCapita.toFixed(2),
    totalPremium: total.toFixed(2),
    expectedClaimCount,
    expectedClaimsCost: roundFloatToFen(expectedClaimsCost).toFixed(2),
  };
}
