import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { formatMoney, money } from '../../shared/money';
import type { Quote } from '../contracts/quote.entity';
import { AGE_BANDS, GENDERS, type BenefitPlanTerms, type PricingResult } from './engine';
import type { PlanSimulation, PricedQuote, QuoteSnapshot } from './quote.service';

@ObjectType('QuoteCell', { description: 'One age band × gender cell of the priced population.' })
export class QuoteCellType {
  @Field({ description: 'Age band at coverage start: 18-29, 30-39, 40-49 or 50-60.' })
  band!: string;

  @Field({ description: 'F or M.' })
  gender!: string;

  @Field(() => Int, { description: 'Insured people in the cell.' })
  count!: number;

  @Field(() => Float, {
    description: 'Claim frequency of the rate table (claims per insured-year), before the area factor.',
  })
  frequency!: number;

  @Field(() => Float, { description: 'Expected payment per claim EP of the band.' })
  expectedPayment!: number;

  @Field(() => Float, { description: 'Pure premium per person PP = frequency × area factor × EP.' })
  purePremium!: number;
}

@ObjectType('QuoteBand', { description: 'Severity of one age band, trended to the coverage midpoint.' })
export class QuoteBandType {
  @Field({ description: 'Age band.' })
  band!: string;

  @Field(() => Float, { description: "Log-normal mu at the rate table's base date." })
  mu!: number;

  @Field(() => Float, { description: "Trended mu' = mu + ln(tau)." })
  trendedMu!: number;

  @Field(() => Float, { description: 'Log-normal sigma.' })
  sigma!: number;

  @Field(() => Float, { description: 'Expected payment per claim under the plan, E[P(X)].' })
  expectedPayment!: number;
}

@ObjectType('QuoteExperience', { description: 'Experience rating of a renewal (pricing.md step 6).' })
export class QuoteExperienceType {
  @Field(() => ID, { description: 'The expiring contract.' })
  predecessorContractId!: string;

  @Field(() => Int, { description: 'N: claims of the expiring contract.' })
  claimCount!: number;

  @Field(() => MoneyScalar, { description: 'I: incurred (paid + approved unpaid + IBNR share).' })
  incurred!: string;

  @Field(() => Float, { description: 'E: exposure in insured-years.' })
  exposure!: number;

  @Field(() => MoneyScalar, {
    description: "The expiring contract's per-capita premium (centre of the clamp).",
  })
  previousPerCapita!: string;

  @Field(() => Float, {
    nullable: true,
    description: 'PPm_old: the expiring population, plan and period under this rate table.',
  })
  manualPurePremiumOld!: number | null;

  @Field(() => Float, { nullable: true, description: 'On-level factor F = PPm / PPm_old.' })
  onLevelFactor!: number | null;

  @Field(() => Float, { nullable: true, description: 'Experience pure premium PPe = (I / E) × F.' })
  experiencePurePremium!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Where the incurred figure came from (e.g. the IBNR study used, or none).',
  })
  note!: string | null;
}

@ObjectType('QuoteClamp', { description: 'The renewal rate-change clamp.' })
export class QuoteClampType {
  @Field(() => Float, { description: 'Lowest allowed per-capita premium.' })
  lower!: number;

  @Field(() => Float, { description: 'Highest allowed per-capita premium.' })
  upper!: number;

  @Field(() => String, {
    nullable: true,
    description: 'UP when raised to the lower bound, DOWN when lowered to the upper bound, null when inside.',
  })
  applied!: string | null;
}

@ObjectType('QuoteBreakdown', {
  description: 'Every step of the premium, as an actuary reads it (pricing.md steps 1–8).',
})
export class QuoteBreakdownType {
  @Field({ description: 'ROSTER (counted from coverages) or DEFAULT_MIX (declared head count spread).' })
  populationSource!: string;

  @Field({ description: 'Province code selecting the area factor.' })
  provinceCode!: string;

  @Field(() => Float, { description: 'Area factor on frequency.' })
  areaFactor!: number;

  @Field(() => Float, {
    description: "delta: years from the rate table's base date to the coverage midpoint.",
  })
  delta!: number;

  @Field(() => Float, { description: 'tau = (1 + annual trend)^delta.' })
  tau!: number;

  @Field(() => Float, {
    nullable: true,
    description: "y*: cumulative out-of-pocket where the plan's cap is reached (null: never).",
  })
  capPoint!: number | null;

  @Field(() => [QuoteBandType], { description: 'Severity and expected payment per band.' })
  bands!: QuoteBandType[];

  @Field(() => [QuoteCellType], { description: 'Population and pure premium per cell.' })
  cells!: QuoteCellType[];

  @Field(() => Float, { description: 'PPm: manual pure premium per capita.' })
  manualPurePremium!: number;

  @Field(() => QuoteExperienceType, { nullable: true, description: 'Experience rating, for renewals.' })
  experience!: QuoteExperienceType | null;

  @Field(() => Float, { description: 'Credibility Z (0 without experience).' })
  credibility!: number;

  @Field(() => Float, { description: 'PPb = Z·PPe + (1 − Z)·PPm.' })
  blendedPurePremium!: number;

  @Field(() => Float, { description: 'Expense loading.' })
  expenseLoading!: number;

  @Field(() => Float, { description: 'Risk margin.' })
  riskMargin!: number;

  @Field(() => Float, { description: 'G = PPb / (1 − expense loading − risk margin).' })
  grossBeforeFloor!: number;

  @Field(() => MoneyScalar, { description: 'Minimum per-capita premium of the rate table.' })
  minPremium!: string;

  @Field({ description: 'True when the minimum premium raised G.' })
  floorApplied!: boolean;

  @Field(() => QuoteClampType, { nullable: true, description: 'Renewal clamp (null when not a renewal).' })
  clamp!: QuoteClampType | null;

  @Field(() => Float, { description: 'G after floor and clamp, before rounding.' })
  grossFinal!: number;

  @Field(() => Float, { description: 'Expected number of claims for the county.' })
  expectedClaimCount!: number;

  @Field(() => MoneyScalar, { description: 'Expected claims cost for the county.' })
  expectedClaimsCost!: string;
}

@ObjectType('Quote', { description: 'A pricing result: immutable when saved, with its full input snapshot.' })
export class QuoteType {
  @Field(() => ID, { nullable: true, description: 'Quote id (null for a preview, which is not saved).' })
  id!: string | null;

  @Field(() => ID, { description: 'The contract priced.' })
  contractId!: string;

  @Field({ description: 'County code.' })
  countyCode!: string;

  @Field(() => DateScalar, { description: 'Coverage start priced.' })
  periodStart!: string;

  @Field(() => DateScalar, { description: 'Coverage end priced.' })
  periodEnd!: string;

  @Field(() => ID, { description: 'Rate table used.' })
  rateTableId!: string;

  @Field({ description: 'Rate table code and version, e.g. CN-RURAL-2019 v1.' })
  rateTableLabel!: string;

  @Field(() => ID, { nullable: true, description: 'Benefit plan priced (null for proposed terms).' })
  planId!: string | null;

  @Field({ description: 'Plan code and version.' })
  planLabel!: string;

  @Field(() => Int, { description: 'Insured people priced.' })
  insuredCount!: number;

  @Field(() => MoneyScalar, { description: 'Per-capita premium, rounded half-up to the fen.' })
  perCapitaPremium!: string;

  @Field(() => MoneyScalar, { description: 'Total premium = per-capita × insured count.' })
  totalPremium!: string;

  @Field(() => MoneyScalar, { description: 'Carry-over credit from the predecessor surplus.' })
  carryOverCredit!: string;

  @Field(() => MoneyScalar, { description: 'What the foundation pays: total premium less the credit.' })
  netPremium!: string;

  @Field({ description: 'SHA-256 of the inputs: equal hashes, equal quotes.' })
  inputHash!: string;

  @Field(() => QuoteBreakdownType, { description: 'Every step of the calculation.' })
  breakdown!: QuoteBreakdownType;

  @Field(() => Date, { nullable: true, description: 'When it was saved.' })
  createdAt!: Date | null;
}

function breakdownOf(r: PricingResult, s: QuoteSnapshot): QuoteBreakdownType {
  const cells: QuoteCellType[] = [];
  for (const band of AGE_BANDS) {
    for (const gender of GENDERS) {
      const count = r.population[band][gender];
      cells.push({
        band,
        gender,
        count,
        frequency: s.rateTable.basis.frequency[band][gender],
        expectedPayment: r.bands[band].ep,
        purePremium: r.pp[band][gender],
      });
    }
  }
  return {
    populationSource: r.populationSource,
    provinceCode: r.provinceCode,
    areaFactor: r.areaFactor,
    delta: r.delta,
    tau: r.tau,
    capPoint: r.capPoint,
    bands: AGE_BANDS.map((band) => ({ band, ...r.bands[band], expectedPayment: r.bands[band].ep })),
    cells,
    manualPurePremium: r.ppm,
    experience: s.experience
      ? {
          predecessorContractId: String(s.experience.predecessorContractId),
          claimCount: s.experience.claimCount,
          incurred: formatMoney(s.experience.incurred),
          exposure: s.experience.exposure,
          previousPerCapita: s.experience.previousPerCapita,
          manualPurePremiumOld: r.ppmOld,
          onLevelFactor: r.onLevelFactor,
          experiencePurePremium: r.ppe,
          note: s.experience.note ?? null,
        }
      : null,
    credibility: r.credibility,
    blendedPurePremium: r.ppb,
    expenseLoading: r.loadings.expenseLoading,
    riskMargin: r.loadings.riskMargin,
    grossBeforeFloor: r.grossBeforeFloor,
    minPremium: formatMoney(s.rateTable.basis.minPremium),
    floorApplied: r.floorApplied,
    clamp: r.clamp ? { lower: r.clamp.lower, upper: r.clamp.upper, applied: r.clamp.applied } : null,
    grossFinal: r.grossAfterClamp,
    expectedClaimCount: r.expectedClaimCount,
    expectedClaimsCost: r.expectedClaimsCost,
  };
}

function quoteOf(
  snapshot: QuoteSnapshot,
  result: PricingResult,
  inputHash: string,
  saved: { id: number; createdAt: Date } | null,
): QuoteType {
  return {
    id: saved ? String(saved.id) : null,
    contractId: String(snapshot.contractId),
    countyCode: snapshot.countyCode,
    periodStart: snapshot.periodStart,
    periodEnd: snapshot.periodEnd,
    rateTableId: String(snapshot.rateTable.id),
    rateTableLabel: `${snapshot.rateTable.code} v${snapshot.rateTable.version}`,
    planId: snapshot.plan.id === null ? null : String(snapshot.plan.id),
    planLabel:
      snapshot.plan.version === null ? snapshot.plan.code : `${snapshot.plan.code} v${snapshot.plan.version}`,
    insuredCount: result.insuredCount,
    perCapitaPremium: result.perCapitaPremium,
    totalPremium: result.totalPremium,
    carryOverCredit: snapshot.carryOverCredit,
    netPremium: formatMoney(money(result.totalPremium).minus(snapshot.carryOverCredit)),
    inputHash,
    breakdown: breakdownOf(result, snapshot),
    createdAt: saved?.createdAt ?? null,
  };
}

export function toQuoteType(q: Quote): QuoteType {
  const snapshot = q.inputs as unknown as QuoteSnapshot;
  const result = q.breakdown as unknown as PricingResult;
  return quoteOf(snapshot, result, q.inputHash, { id: q.id, createdAt: q.createdAt });
}

export function toPreviewType(p: PricedQuote): QuoteType {
  return quoteOf(p.snapshot, p.result, p.inputHash, null);
}

@ObjectType('PlanReplay', {
  description: "A plan replayed over the county's last complete year of approved claims.",
})
export class PlanReplayType {
  @Field(() => Int, { nullable: true, description: 'Programme year replayed (null when there is none).' })
  programmeYear!: number | null;

  @Field(() => Int, { description: 'People with approved claims that year.' })
  people!: number;

  @Field(() => Int, { description: 'Approved claims replayed.' })
  claims!: number;

  @Field(() => MoneyScalar, {
    description: 'Benefit that would have been paid: per person round(P(year total)).',
  })
  benefit!: string;

  @Field(() => Float, {
    nullable: true,
    description: "Benefit ÷ (this plan's per-capita premium × that year's insured count).",
  })
  lossRatio!: number | null;

  @Field(() => Int, { description: 'People who would have reached the annual cap.' })
  peopleAtCap!: number;

  @Field(() => String, { nullable: true, description: 'Why the replay is empty, when it is.' })
  note!: string | null;
}

@ObjectType('PlanSimulation', { description: 'One proposed plan: its premium and its replay.' })
export class PlanSimulationType {
  @Field({ description: 'The label given with the proposal.' })
  label!: string;

  @Field(() => QuoteType, { description: 'The premium for the contract under this plan (not saved).' })
  quote!: QuoteType;

  @Field(() => PlanReplayType, { description: "The county's last complete year replayed under this plan." })
  replay!: PlanReplayType;
}

export function toSimulationType(s: PlanSimulation): PlanSimulationType {
  return { label: s.label, quote: toPreviewType(s.priced), replay: { ...s.replay } };
}

@InputType({ description: 'Experience of the expiring contract (renewal quotes).' })
export class ExperienceInput {
  @Field(() => Int, { description: 'N: claims of the expiring contract.' })
  claimCount!: number;

  @Field(() => MoneyScalar, { description: 'I: paid + approved unpaid + IBNR share.' })
  incurred!: string;

  @Field(() => Float, { description: 'E: exposure in insured-years.' })
  exposure!: number;

  @Field(() => String, { nullable: true, description: 'Where the incurred figure came from.' })
  note?: string;
}

@InputType({ description: 'Prices a contract without saving.' })
export class PreviewQuoteInput {
  @Field(() => ID, { description: 'Contract id.' })
  contractId!: string;

  @Field(() => ID, {
    nullable: true,
    description: "Rate table to use instead of the contract's (may be a DRAFT).",
  })
  rateTableId?: string;

  @Field(() => ExperienceInput, { nullable: true, description: 'Experience, for a renewal.' })
  experience?: ExperienceInput;
}

@InputType({ description: 'Prices a contract and saves the quote (DRAFT/QUOTED → QUOTED).' })
export class QuoteContractInput {
  @Field(() => ID, { description: 'Contract id.' })
  contractId!: string;

  @Field(() => Int, { description: 'The contract version you saw (optimistic lock).' })
  version!: number;

  @Field(() => ExperienceInput, { nullable: true, description: 'Experience, for a renewal.' })
  experience?: ExperienceInput;
}

@ObjectType({ description: 'The saved quote and the contract it moved to QUOTED.' })
export class QuoteContractPayload {
  @Field(() => QuoteType, { description: 'The quote (the existing one when the inputs were identical).' })
  quote!: QuoteType;

  @Field({ description: 'False when an identical quote existed and was returned instead.' })
  created!: boolean;
}

@InputType({ description: 'Benefit tier of a proposed plan.' })
export class TierTermsInput {
  @Field(() => MoneyScalar, { nullable: true, description: 'Upper bound (null for the last tier).' })
  upTo?: string | null;

  @Field(() => Float, { description: 'Share paid, 0–1.' })
  ratio!: number;
}

@InputType({ description: 'Benefit terms of a proposed plan.' })
export class PlanTermsInput {
  @Field(() => MoneyScalar, { description: 'Annual deductible.' })
  deductible!: string;

  @Field(() => [TierTermsInput], { description: 'Tiers, ascending.' })
  tiers!: TierTermsInput[];

  @Field(() => MoneyScalar, { description: 'Annual cap per person.' })
  annualCap!: string;
}

@InputType({ description: 'A plan to compare: an existing plan or proposed terms.' })
export class PlanProposalInput {
  @Field({ description: 'Label shown with the result.' })
  label!: string;

  @Field(() => ID, { nullable: true, description: 'An existing plan.' })
  planId?: string;

  @Field(() => PlanTermsInput, { nullable: true, description: 'Proposed terms.' })
  terms?: PlanTermsInput;
}

export function termsOf(t: PlanTermsInput): BenefitPlanTerms {
  return {
    deductible: Number(t.deductible),
    tiers: t.tiers.map((x) => ({
      upTo: x.upTo === undefined || x.upTo === null ? null : Number(x.upTo),
      ratio: x.ratio,
    })),
    annualCap: Number(t.annualCap),
  };
}

@InputType({ description: 'Starts quoting every DRAFT/QUOTED contract of a programme year.' })
export class QuoteProgrammeInput {
  @Field(() => Int, { description: 'Programme year.' })
  year!: number;
}
