import { money } from '../../../shared/money';
import {
  AGE_BANDS,
  GENDERS,
  type BenefitPlanTerms,
  type Experience,
  type PopulationInput,
  type PricingInput,
  type RateTableBasis,
  type ValidationProblem,
} from './types';

/** Thrown by `priceContract` when its input fails validation; carries every problem found, not just the first. */
export class PricingInputError extends Error {
  readonly problems: ValidationProblem[];

  constructor(problems: ValidationProblem[]) {
    super(`invalid pricing input: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'PricingInputError';
    this.problems = problems;
  }
}

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Day number (days since 1970-01-01) of a `YYYY-MM-DD` calendar date, or null when the string
 * is not a real date (2019-02-29, 2019-13-01 …). Calendar dates carry no time zone, so UTC
 * arithmetic on them is exact.
 */
export function dayNumber(date: string): number | null {
  if (typeof date !== 'string') return null;
  const match = DATE_PATTERN.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms); // round trip: Date.UTC silently rolls 02-30 over to 03-02
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return null;
  }
  return ms / DAY_MS;
}

type Problems = ValidationProblem[];

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

interface Bounds {
  min?: number; // value ≥ min
  above?: number; // value > above
  max?: number; // value ≤ max
}

/** Checks a finite number within bounds; reports one problem and returns false when it is not. */
function checkNumber(
  problems: Problems,
  field: string,
  value: unknown,
  bounds: Bounds = {},
): value is number {
  let message: string | null = null;
  if (!isFiniteNumber(value)) message = 'must be a finite number';
  else if (
    bounds.min !== undefined &&
    bounds.max !== undefined &&
    (value < bounds.min || value > bounds.max)
  ) {
    message = `must be between ${bounds.min} and ${bounds.max}`;
  } else if (bounds.min !== undefined && value < bounds.min) message = `must be at least ${bounds.min}`;
  else if (bounds.above !== undefined && value <= bounds.above) message = `must be above ${bounds.above}`;
  else if (bounds.max !== undefined && value > bounds.max) message = `must be at most ${bounds.max}`;
  if (message === null) return true;
  problems.push({ field, message });
  return false;
}

function checkWholeNumber(problems: Problems, field: string, value: unknown): value is number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return true;
  problems.push({ field, message: 'must be a whole number ≥ 0' });
  return false;
}

function checkDate(problems: Problems, field: string, value: string): number | null {
  const day = dayNumber(value);
  if (day === null) problems.push({ field, message: 'must be a calendar date YYYY-MM-DD' });
  return day;
}

/** A money amount given as a number or decimal string, as a float for the pricing maths; null when unreadable. */
function readAmount(value: number | string): number | null {
  try {
    return money(value).toNumber();
  } catch {
    return null;
  }
}

function prefixed(prefix: string, problems: Problems): Problems {
  return problems.map((p) => ({ field: `${prefix}.${p.field}`, message: p.message }));
}

/** Problems with a benefit plan's terms (field paths relative to the plan), empty when it is fine. */
export function validatePlan(plan: BenefitPlanTerms): ValidationProblem[] {
  const problems: Problems = [];
  const deductibleOk = checkNumber(problems, 'deductible', plan.deductible, { min: 0 });
  checkNumber(problems, 'annualCap', plan.annualCap, { min: 0 });
  if (!Array.isArray(plan.tiers) || plan.tiers.length === 0) {
    problems.push({ field: 'tiers', message: 'must have at least one tier' });
    return problems;
  }
  const last = plan.tiers.length - 1;
  // the bound the next tier's upTo must exceed, when known
  let previous: { value: number; name: string } | null = deductibleOk
    ? { value: plan.deductible, name: 'the deductible' }
    : null;
  for (const [i, tier] of plan.tiers.entries()) {
    checkNumber(problems, `tiers[${i}].ratio`, tier.ratio, { min: 0, max: 1 });
    const field = `tiers[${i}].upTo`;
    if (tier.upTo === null) {
      if (i !== last) problems.push({ field, message: 'only the last tier may have no upper bound' });
      previous = null;
      continue;
    }
    if (i === last) problems.push({ field, message: 'the last tier must have no upper bound (null)' });
    if (!checkNumber(problems, field, tier.upTo)) {
      previous = null;
      continue;
    }
    if (previous !== null && tier.upTo <= previous.value) {
      problems.push({ field, message: `must be above ${previous.name} (${previous.value})` });
    }
    previous = { value: tier.upTo, name: `tiers[${i}].upTo` };
  }
  return problems;
}

/** Problems with a rate table's basis (field paths relative to the table), empty when it is fine. */
export function validateRateTable(table: RateTableBasis): ValidationProblem[] {
  const problems: Problems = [];
  checkDate(problems, 'baseDate', table.baseDate);
  for (const band of AGE_BANDS) {
    const frequency = table.frequency?.[band];
    if (frequency === undefined) problems.push({ field: `frequency.${band}`, message: 'is missing' });
    else for (const g of GENDERS) checkNumber(problems, `frequency.${band}.${g}`, frequency[g], { min: 0 });
    const severity = table.severity?.[band];
    if (severity === undefined) {
      problems.push({ field: `severity.${band}`, message: 'is missing' });
    } else {
      checkNumber(problems, `severity.${band}.mu`, severity.mu);
      checkNumber(problems, `severity.${band}.sigma`, severity.sigma, { above: 0 });
    }
  }
  for (const [code, factor] of Object.entries(table.areaFactors ?? {})) {
    checkNumber(problems, `areaFactors.${code}`, factor, { min: 0 });
  }
  checkNumber(problems, 'annualTrend', table.annualTrend, { above: -1 });
  const expenseOk = checkNumber(problems, 'expenseLoading', table.expenseLoading, { min: 0 });
  const marginOk = checkNumber(problems, 'riskMargin', table.riskMargin, { min: 0 });
  if (expenseOk && marginOk && table.expenseLoading + table.riskMargin >= 1) {
    problems.push({ field: 'expenseLoading', message: 'expenseLoading + riskMargin must be below 1' });
  }
  checkNumber(problems, 'minPremium', table.minPremium, { min: 0 });
  checkNumber(problems, 'fullCredibilityClaims', table.fullCredibilityClaims, { above: 0 });
  checkNumber(problems, 'maxRateChange', table.maxRateChange, { min: 0, max: 1 });
  return problems;
}

/** Head counts are whole people; `mustHavePeople` refuses an empty population (its PPm would be 0/0). */
function validatePopulation(prefix: string, population: PopulationInput, mustHavePeople: boolean): Problems {
  const problems: Problems = [];
  let total = 0;
  if ('cells' in population) {
    for (const band of AGE_BANDS) {
      const row = population.cells?.[band];
      if (row === undefined) {
        problems.push({ field: `${prefix}.cells.${band}`, message: 'is missing' });
        continue;
      }
      for (const g of GENDERS) {
        if (checkWholeNumber(problems, `${prefix}.cells.${band}.${g}`, row[g])) total += row[g];
      }
    }
  } else if (checkWholeNumber(problems, `${prefix}.headCount`, population.headCount)) {
    total = population.headCount;
  }
  if (problems.length === 0 && mustHavePeople && total === 0) {
    problems.push({ field: prefix, message: 'has nobody insured' });
  }
  return problems;
}

function validatePeriod(problems: Problems, prefix: string, periodStart: string, periodEnd: string): void {
  const start = checkDate(problems, `${prefix}periodStart`, periodStart);
  const end = checkDate(problems, `${prefix}periodEnd`, periodEnd);
  if (start !== null && end !== null && end < start) {
    problems.push({ field: `${prefix}periodEnd`, message: 'must not be before periodStart' });
  }
}

function validateExperience(experience: Experience): Problems {
  const problems: Problems = [];
  checkWholeNumber(problems, 'experience.claimCount', experience.claimCount);
  const incurred = readAmount(experience.incurred);
  if (incurred === null || incurred < 0) {
    problems.push({ field: 'experience.incurred', message: 'must be an amount ≥ 0' });
  }
  const exposureOk = checkNumber(problems, 'experience.exposure', experience.exposure, { min: 0 });
  const previous = readAmount(experience.previousGrossPerCapita);
  if (previous === null || previous <= 0) {
    problems.push({ field: 'experience.previousGrossPerCapita', message: 'must be an amount above 0' });
  }
  const expiring = experience.expiring;
  if (expiring === undefined || expiring === null) {
    problems.push({ field: 'experience.expiring', message: 'is missing' });
    return problems;
  }
  const hasExposure = exposureOk && experience.exposure > 0;
  problems.push(...validatePopulation('experience.expiring.population', expiring.population, hasExposure));
  problems.push(...prefixed('experience.expiring.plan', validatePlan(expiring.plan)));
  validatePeriod(problems, 'experience.expiring.', expiring.periodStart, expiring.periodEnd);
  return problems;
}

/** Every problem with a pricing input, with full field paths (`plan.tiers[0].ratio`, `rateTable.minPremium` …). */
export function validatePricingInput(input: PricingInput): ValidationProblem[] {
  const problems: Problems = [];
  problems.push(...validatePopulation('population', input.population, true));
  problems.push(...prefixed('plan', validatePlan(input.plan)));
  problems.push(...prefixed('rateTable', validateRateTable(input.rateTable)));
  if (typeof input.provinceCode !== 'string' || input.provinceCode === '') {
    problems.push({ field: 'provinceCode', message: 'must be a province code' });
  }
  validatePeriod(problems, '', input.periodStart, input.periodEnd);
  if (input.experience !== undefined) problems.push(...validateExperience(input.experience));
  return problems;
}
