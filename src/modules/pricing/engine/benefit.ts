import Decimal from 'decimal.js';
import { money, Money } from '../../../shared/money';
import type { BenefitPlanTerms } from './types';

/**
 * The benefit function of a year's cumulative eligible out-of-pocket y (pricing.md step 2):
 *   P(y) = min(M, Σ_k ratio_k · max(0, min(y, upTo_k) − lower_k)),  lower_0 = d, lower_k = upTo_{k−1}.
 *
 * Three forms: a float one for the pricing maths, an exact decimal one for payables
 * (claims.md: payable = round(P(C + x)) − round(P(C))), and a tier-by-tier working for
 * explanations of benefits. All assume a plan that passed `validatePlan`.
 */

/** P(y) in floating point, for the distribution maths. */
export function benefit(plan: BenefitPlanTerms, y: number): number {
  let total = 0;
  let lower = plan.deductible;
  for (const tier of plan.tiers) {
    const upper = tier.upTo ?? Infinity;
    // ratio-0 tiers are skipped rather than multiplied: 0 · ∞ would be NaN for y = ∞
    if (tier.ratio > 0 && y > lower) total += tier.ratio * (Math.min(y, upper) - lower);
    lower = upper;
  }
  return Math.min(plan.annualCap, total);
}

/**
 * y*: the smallest y with P(y) = M, or null when the cap is never reached (the last tier
 * with a positive ratio is bounded, or the uncapped sum stays below M).
 *
 * Worked in exact decimals so a cap met exactly at a tier boundary gives that boundary, not
 * a neighbour one ulp away. Tiers with ratio 0 cannot reach the cap and are stepped over.
 */
export function capPointExact(plan: BenefitPlanTerms): Decimal | null {
  const cap = money(plan.annualCap);
  if (cap.lte(0)) return new Money(0); // P(0) = 0 already equals the cap
  let paid = new Money(0);
  let lower = money(plan.deductible);
  for (const tier of plan.tiers) {
    const ratio = money(tier.ratio);
    if (tier.upTo === null) return ratio.gt(0) ? lower.plus(cap.minus(paid).div(ratio)) : null;
    const upper = money(tier.upTo);
    if (ratio.gt(0)) {
      const reach = paid.plus(ratio.times(upper.minus(lower)));
      if (reach.eq(cap)) return upper;
      if (reach.gt(cap)) return lower.plus(cap.minus(paid).div(ratio));
      paid = reach;
    }
    lower = upper;
  }
  return null;
}

/** y* as a float: Infinity when the cap is never reached. */
export function capPoint(plan: BenefitPlanTerms): number {
  const exact = capPointExact(plan);
  return exact === null ? Infinity : exact.toNumber();
}

/** P(y) exactly, unrounded (the claims module rounds each side to the fen). */
export function benefitExact(plan: BenefitPlanTerms, y: string | Decimal): Decimal {
  const amount = money(y);
  let total = new Money(0);
  let lower = money(plan.deductible);
  for (const tier of plan.tiers) {
    const upper = tier.upTo === null ? null : money(tier.upTo);
    const top = upper === null || amount.lt(upper) ? amount : upper;
    if (top.gt(lower)) total = total.plus(money(tier.ratio).times(top.minus(lower)));
    if (upper === null) break;
    lower = upper;
  }
  return Money.min(money(plan.annualCap), total);
}

export interface BenefitTierWorking {
  /** Position of the tier in the plan, from 0. */
  index: number;
  /** The tier's band of cumulative eligible out-of-pocket: (from, to]; to null = no upper bound. */
  from: Decimal;
  to: Decimal | null;
  ratio: Decimal;
  /** max(0, min(y, to) − from). */
  amountInBand: Decimal;
  /** ratio · amountInBand, before the cap. */
  share: Decimal;
}

export interface BenefitWorking {
  /** y: the cumulative eligible out-of-pocket the working is for. */
  eligible: Decimal;
  deductible: Decimal;
  /** The part of y the deductible absorbs: min(y, d), not below 0. */
  deductibleTaken: Decimal;
  tiers: BenefitTierWorking[];
  /** Σ shares. */
  uncapped: Decimal;
  annualCap: Decimal;
  /** The uncapped sum has reached the cap. */
  capReached: boolean;
  /** The cap cut the payment (uncapped sum above the cap). */
  capApplied: boolean;
  /** P(y) = min(annualCap, uncapped), unrounded; equals benefitExact(plan, y). */
  benefit: Decimal;
}

/** P(y) with every tier's part shown, for explanations of benefits and stored claim workings. */
export function benefitWorking(plan: BenefitPlanTerms, y: string | Decimal): BenefitWorking {
  const eligible = money(y);
  const deductible = money(plan.deductible);
  const annualCap = money(plan.annualCap);
  const zero = new Money(0);
  const tiers: BenefitTierWorking[] = [];
  let uncapped = zero;
  let lower = deductible;
  plan.tiers.forEach((tier, index) => {
    const upper = tier.upTo === null ? null : money(tier.upTo);
    const ratio = money(tier.ratio);
    const top = upper === null || eligible.lt(upper) ? eligible : upper;
    const amountInBand = Money.max(zero, top.minus(lower));
    const share = ratio.times(amountInBand);
    tiers.push({ index, from: lower, to: upper, ratio, amountInBand, share });
    uncapped = uncapped.plus(share);
    if (upper !== null) lower = upper;
  });
  return {
    eligible,
    deductible,
    deductibleTaken: Money.max(zero, Money.min(eligible, deductible)),
    tiers,
    uncapped,
    annualCap,
    capReached: uncapped.gte(annualCap),
    capApplied: uncapped.gt(annualCap),
    benefit: Money.min(annualCap, uncapped),
  };
}
