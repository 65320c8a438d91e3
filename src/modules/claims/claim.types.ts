import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { DocumentKindValue, HospitalLevelValue } from '../pricing/plan.types';
import type { TraceEntry } from './adjudication';
import { ClaimRejection, ClaimStatus, type ClaimDocument } from './claim.entity';
import { ClaimOrder, eobSourceOf, type ClaimRecord, type StoredWorking } from './claim.service';
import type { EobSource, Explanation } from './eob';
import type { SlaReportRow } from './sla';

registerEnumType(ClaimStatus, {
  name: 'ClaimStatus',
  description: 'Where a claim stands (claims.md "Statuses").',
  valuesConfig: {
    SUBMITTED: { description: 'Filed, not yet adjudicated (adjudication runs at once, so rarely seen).' },
    NEEDS_INFO: {
      description: 'Documents missing: the service-level clock is paused until a supplement adds them.',
    },
    UNDER_REVIEW: {
      description: 'Waiting for a claims reviewer (flagged, or the payable is above the auto-approve limit).',
    },
    APPROVED: { description: 'Approved with its payable; waiting for payout.' },
    REJECTED: { description: 'Not paid; `rejectionReason` says why.' },
    PAID: { description: 'Paid by a confirmed payout.' },
  },
});

registerEnumType(ClaimRejection, {
  name: 'ClaimRejectionReason',
  description: 'Why a claim was rejected.',
  valuesConfig: {
    NOT_COVERED: { description: 'No coverage of the person was in force on the admission date.' },
    PROVIDER_NOT_COVERED: { description: "The hospital level is not covered by the coverage's plan." },
    LATE_SUBMISSION: { description: "Filed after the plan's filing window (days after discharge)." },
    DUPLICATE_INVOICE: {
      description:
        'Another live claim of the person carries one of the invoice numbers or the settlement number.',
    },
    OTHER: { description: 'Rejected by a reviewer; the note says why.' },
  },
});

/** GraphQL mirror of `ClaimFlag` (claim.entity.ts). */
export enum ClaimFlagValue {
  OVERLAPPING_STAY = 'OVERLAPPING_STAY',
  HIGH_AMOUNT = 'HIGH_AMOUNT',
  ID_REGION_MISMATCH = 'ID_REGION_MISMATCH',
}

registerEnumType(ClaimFlagValue, {
  name: 'ClaimFlag',
  description: 'A reason to send a claim to review without rejecting it.',
  valuesConfig: {
    OVERLAPPING_STAY: {
      description: 'Another live claim of the person shares a night in hospital with this stay.',
    },
    HIGH_AMOUNT: { description: "The eligible out-of-pocket is above the plan's review threshold." },
    ID_REGION_MISMATCH: { description: "The national ID was issued outside the coverage's county." },
  },
});

registerEnumType(ClaimOrder, {
  name: 'ClaimOrder',
  description: 'Order of a claim list.',
  valuesConfig: {
    SUBMITTED: { description: 'Oldest first.' },
    DUE_DATE: { description: 'Soonest due first; claims without a due date (paused) last.' },
  },
});

@ObjectType('ClaimDocument', {
  description: 'A supporting document of a claim: its SHA-256 and where the file is stored.',
})
export class ClaimDocumentType {
  @Field(() => ID, { description: 'Document id.' })
  id!: string;

  @Field(() => DocumentKindValue, { description: 'What the document is.' })
  kind!: DocumentKindValue;

  @Field({ description: 'SHA-256 of the file, hex.' })
  sha256!: string;

  @Field({ description: 'Where the file is stored.' })
  storageKey!: string;

  @Field(() => Date, { description: 'When it was attached.' })
  addedAt!: Date;
}

export function toClaimDocumentType(d: ClaimDocument): ClaimDocumentType {
  return {
    id: String(d.id),
    kind: d.kind as DocumentKindValue,
    sha256: d.sha256,
    storageKey: d.storageKey,
    addedAt: d.addedAt,
  };
}

@ObjectType('ClaimRuleTraceEntry', {
  description: 'One step of an adjudication run or a decision, as recorded on the claim.',
})
export class RuleTraceEntryType {
  @Field(() => Int, { description: 'Run number: 1 = submission, then one per supplement or decision.' })
  run!: number;

  @Field({
    description: 'What started the run: SUBMIT, SUPPLEMENT, REQUEST_INFO, APPROVE, REJECT or ADJUST.',
  })
  action!: string;

  @Field({
    description:
      'The rule (COVERAGE_IN_FORCE, PROVIDER_COVERED, FILED_IN_TIME, NO_DUPLICATE_INVOICE, DOCUMENTS_COMPLETE, AUTO_APPROVE), ' +
      'the flag (OVERLAPPING_STAY, HIGH_AMOUNT, ID_REGION_MISMATCH) or DECISION.',
  })
  step!: string;

  @Field({
    description: 'PASSED, FAILED, SKIPPED (an earlier rule decided), RAISED / NOT_RAISED (flags) or DECIDED.',
  })
  result!: string;

  @Field({ description: 'What was checked and found, in words.' })
  detail!: string;

  @Field(() => Date, { description: 'When.' })
  at!: Date;
}

@ObjectType('ClaimTierWorking', { description: "One tier's part of a claim's payable." })
export class TierWorkingType {
  @Field(() => Int, { description: 'Position of the tier in the plan, from 0.' })
  index!: number;

  @Field(() => MoneyScalar, {
    description: "Lower bound of the tier's band of the year's cumulative eligible out-of-pocket.",
  })
  from!: string;

  @Field(() => MoneyScalar, { nullable: true, description: 'Upper bound; null for the unbounded last tier.' })
  to!: string | null;

  @Field({ description: 'Share paid in the tier, e.g. "0.4".' })
  ratio!: string;

  @Field(() => MoneyScalar, {
    description: "This claim's part of the band: amountInBand(C + x) − amountInBand(C).",
  })
  amount!: string;

  @Field({ description: 'ratio × amount, exact (may have more than two decimals).' })
  share!: string;
}

@ObjectType('ClaimPayableWorking', {
  description:
    'How the payable was computed: payable = round(P(C + x)) − round(P(C)), P the plan’s benefit function of the year.',
})
export class PayableWorkingType {
  @Field({ description: 'Plan code.' })
  planCode!: string;

  @Field(() => Int, { description: 'Plan version.' })
  planVersion!: number;

  @Field(() => MoneyScalar, {
    description: "C: eligible out-of-pocket of the coverage year's claims approved before this one.",
  })
  priorEligible!: string;

  @Field(() => MoneyScalar, { description: 'x: this claim’s eligible out-of-pocket.' })
  eligible!: string;

  @Field(() => MoneyScalar, { description: 'C + x.' })
  cumulativeEligible!: string;

  @Field(() => MoneyScalar, { description: 'The annual deductible.' })
  deductible!: string;

  @Field(() => MoneyScalar, { description: 'Deductible taken by earlier claims: min(C, d).' })
  deductibleTakenBefore!: string;

  @Field(() => MoneyScalar, { description: 'Deductible this claim took: min(C + x, d) − min(C, d).' })
  deductibleTaken!: string;

  @Field(() => [TierWorkingType], { description: "Each tier's part." })
  tiers!: TierWorkingType[];

  @Field(() => MoneyScalar, { description: 'The annual cap per person.' })
  annualCap!: string;

  @Field({ description: 'What the cap cut from this claim, exact.' })
  capReduction!: string;

  @Field({ description: 'The year’s benefit has reached the cap.' })
  capReached!: boolean;

  @Field(() => MoneyScalar, { description: 'round(P(C)).' })
  benefitBefore!: string;

  @Field(() => MoneyScalar, { description: 'round(P(C + x)).' })
  benefitAfter!: string;

  @Field(() => MoneyScalar, { description: 'round(P(C + x)) − round(P(C)).' })
  payable!: string;
}

@ObjectType('ClaimExplanationLine', { description: 'One figure of an explanation of benefits.' })
export class ExplanationLineType {
  @Field({
    description:
      'BILLED, BASIC_INSURANCE, CRITICAL_ILLNESS, MEDICAL_ASSISTANCE, EXCLUDED, COUNTED, COUNTED_EARLIER, DEDUCTIBLE, TIER_1…, CAP, ROUNDING, PAID or REJECTED.',
  })
  code!: string;

  @Field({ description: 'Label in Chinese.' })
  labelZh!: string;

  @Field({ description: 'Label in English.' })
  labelEn!: string;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Amount in yuan; null for a line of words (REJECTED).',
  })
  amount!: string | null;
}

@ObjectType('ClaimExplanation', {
  description:
    'Explanation of benefits of a decided claim, in plain Chinese and English, to read to the family or print.',
})
export class ExplanationType {
  @Field({ description: 'The explanation in Chinese, one paragraph per line.' })
  zh!: string;

  @Field({ description: 'The explanation in English, one paragraph per line.' })
  en!: string;

  @Field(() => [ExplanationLineType], { description: 'The figures, in order.' })
  lines!: ExplanationLineType[];
}

export function toExplanationType(e: Explanation): ExplanationType {
  return { zh: e.zh, en: e.en, lines: e.lines.map((l) => ({ ...l })) };
}

@ObjectType('ClaimNextStep', { description: 'What happens next with a claim, in Chinese and English.' })
export class NextStepType {
  @Field({ description: 'Chinese.' })
  zh!: string;

  @Field({ description: 'English.' })
  en!: string;
}

@ObjectType('Claim', {
  description:
    'One hospital episode filed for a covered person (claims.md). The payee account is shown in full to ADMIN, ' +
    "CLAIMS_REVIEWER and coordinators of the claim's county, masked for everyone else.",
})
export class ClaimType {
  @Field(() => ID, { description: 'Claim id.' })
  id!: string;

  /** For the field resolvers (explanation, insured, masking); not fields themselves. */
  source!: EobSource;
  insuredId!: number;
  adjustmentOfIdNumber!: number | null;
  rawPayeeAccount!: string | null;
  paidAtRaw!: Date | null;

  @Field({
    description:
      '`CLM-<county>-<year>-<sequence>`, e.g. CLM-513432-2020-000042 (year of submission, China time).',
  })
  claimNumber!: string;

  @Field(() => ClaimStatus, { description: 'Status.' })
  status!: ClaimStatus;

  @Field(() => ClaimRejection, { nullable: true, description: 'Why it was rejected; null unless REJECTED.' })
  rejectionReason!: ClaimRejection | null;

  @Field(() => [ClaimFlagValue], {
    description: 'Flags raised at the last adjudication (reasons for review).',
  })
  flags!: ClaimFlagValue[];

  @Field(() => [DocumentKindValue], { description: 'Documents still missing (NEEDS_INFO).' })
  missingDocuments!: DocumentKindValue[];

  @Field(() => ID, {
    nullable: true,
    description: 'The coverage in force on the admission date; null when none (NOT_COVERED).',
  })
  coverageId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The county contract of the coverage.' })
  contractId!: string | null;

  @Field({ description: '6-digit county code of the coverage (or of the person when not covered).' })
  countyCode!: string;

  @Field(() => Int, { description: 'Programme year of the coverage.' })
  programmeYear!: number;

  @Field(() => DateScalar, { description: 'Admission date.' })
  admissionDate!: string;

  @Field(() => DateScalar, { description: 'Discharge date.' })
  dischargeDate!: string;

  @Field({ description: 'Hospital name.' })
  hospitalName!: string;

  @Field(() => HospitalLevelValue, { description: 'Hospital level.' })
  hospitalLevel!: HospitalLevelValue;

  @Field({ description: 'ICD-10 diagnosis code, normalised (e.g. A87.9).' })
  diagnosisCode!: string;

  @Field(() => [String], { description: 'Invoice numbers.' })
  invoiceNumbers!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Government settlement number of the basic-insurance reimbursement.',
  })
  settlementNumber!: string | null;

  @Field(() => MoneyScalar, {
    description: 'Total cost billed by the hospital (for an adjustment: the change).',
  })
  totalCost!: string;

  @Field(() => MoneyScalar, { description: 'Paid by basic medical insurance.' })
  basicInsurancePaid!: string;

  @Field(() => MoneyScalar, { description: 'Paid by critical-illness insurance.' })
  criticalIllnessPaid!: string;

  @Field(() => MoneyScalar, { description: 'Paid by medical assistance.' })
  medicalAssistancePaid!: string;

  @Field(() => MoneyScalar, { description: 'Self-pay items the plan does not cover.' })
  excludedCost!: string;

  @Field(() => MoneyScalar, {
    description:
      'x = total − basic − critical illness − assistance − excluded: what counts towards the plan (negative for a downward adjustment).',
  })
  eligibleOutOfPocket!: string;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'C at approval: eligible out-of-pocket of the year’s claims approved before this one.',
  })
  priorEligible!: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Amount to pay, set at approval (negative: to recover, for a downward adjustment).',
  })
  payable!: string | null;

  @Field(() => PayableWorkingType, {
    nullable: true,
    description: 'Tier-by-tier working of the payable; null until approved.',
  })
  working!: PayableWorkingType | null;

  @Field(() => [RuleTraceEntryType], {
    description: 'Every rule, flag and decision, in order, over all runs.',
  })
  ruleTrace!: RuleTraceEntryType[];

  @Field(() => Date, { description: 'When it was submitted.' })
  submittedAt!: Date;

  @Field(() => DateScalar, {
    nullable: true,
    description: 'Service-level due date: 5 working days after submission; null while paused (NEEDS_INFO).',
  })
  dueDate!: string | null;

  @Field(() => Int, {
    description:
      'Working days of the service level used before the current run of the clock (pauses keep them).',
  })
  slaDaysUsed!: number;

  @Field(() => Date, { nullable: true, description: 'When it was approved or rejected.' })
  decidedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was approved.' })
  approvedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was paid (set by the payout).' })
  paidAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Payment channel reference (set by the payout).' })
  paymentReference!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The reviewer's note or reason (rejection, approval, request, adjustment).",
  })
  reviewNote!: string | null;

  @Field(() => ID, { nullable: true, description: 'For an adjustment claim: the claim it corrects.' })
  adjustmentOfId!: string | null;

  @Field(() => Int, {
    description: 'Optimistic-lock version: pass it to approveClaim, rejectClaim, requestClaimInfo.',
  })
  version!: number;

  @Field(() => Date, { description: 'Last change.' })
  updatedAt!: Date;
}

function toWorkingType(w: StoredWorking | null): PayableWorkingType | null {
  if (!w) return null;
  return {
    planCode: w.planCode,
    planVersion: w.planVersion,
    priorEligible: w.priorEligible,
    eligible: w.eligible,
    cumulativeEligible: w.cumulativeEligible,
    deductible: w.deductible,
    deductibleTakenBefore: w.deductibleTakenBefore,
    deductibleTaken: w.deductibleTaken,
    tiers: w.tiers.map((t) => ({ ...t })),
    annualCap: w.annualCap,
    capReduction: w.capReduction,
    capReached: w.capReached,
    benefitBefore: w.benefitBefore,
    benefitAfter: w.benefitAfter,
    payable: w.payable,
  };
}

export function toClaimType(c: ClaimRecord): ClaimType {
  const trace = c.ruleTrace as unknown as TraceEntry[];
  return {
    id: String(c.id),
    source: eobSourceOf(c, null),
    insuredId: c.insured.id,
    adjustmentOfIdNumber: c.adjustmentOf?.id ?? null,
    rawPayeeAccount: c.payeeAccount ?? null,
    paidAtRaw: c.paidAt ?? null,
    claimNumber: c.claimNumber,
    status: c.status,
    rejectionReason: c.rejectionReason ?? null,
    flags: c.flags as ClaimFlagValue[],
    missingDocuments: c.missingDocuments as DocumentKindValue[],
    coverageId: c.coverage ? String(c.coverage.id) : null,
    contractId: c.contract ? String(c.contract.id) : null,
    countyCode: c.countyCode,
    programmeYear: c.programmeYear,
    admissionDate: c.admissionDate,
    dischargeDate: c.dischargeDate,
    hospitalName: c.hospitalName,
    hospitalLevel: c.hospitalLevel as HospitalLevelValue,
    diagnosisCode: c.diagnosisCode,
    invoiceNumbers: [...c.invoiceNumbers],
    settlementNumber: c.settlementNumber ?? null,
    totalCost: c.totalCost,
    basicInsurancePaid: c.basicInsurancePaid,
    criticalIllnessPaid: c.criticalIllnessPaid,
    medicalAssistancePaid: c.medicalAssistancePaid,
    excludedCost: c.excludedCost,
    eligibleOutOfPocket: c.eligibleOop,
    priorEligible: c.priorEligible ?? null,
    payable: c.payable ?? null,
    working: toWorkingType((c.working as unknown as StoredWorking | null) ?? null),
    ruleTrace: trace.map((e) => ({
      run: e.run,
      action: e.action,
      step: e.step,
      result: e.result,
      detail: e.detail,
      at: new Date(e.at),
    })),
    submittedAt: c.submittedAt,
    dueDate: c.dueDate ?? null,
    slaDaysUsed: c.slaDaysUsed,
    decidedAt: c.decidedAt ?? null,
    approvedAt: c.approvedAt ?? null,
    paidAt: c.paidAt ?? null,
    paymentReference: c.paymentReference ?? null,
    reviewNote: c.reviewNote ?? null,
    adjustmentOfId: c.adjustmentOf ? String(c.adjustmentOf.id) : null,
    version: c.version,
    updatedAt: c.updatedAt,
  };
}

export const ClaimConnection = ConnectionType(ClaimType, 'Claim');

// ---------------------------------------------------------------------------------- inputs

@InputType({
  description: 'A supporting document: its kind, SHA-256 and storage key (the file is uploaded separately).',
})
export class ClaimDocumentInput {
  @Field(() => DocumentKindValue, { description: 'What the document is.' })
  kind!: DocumentKindValue;

  @Field({ description: 'SHA-256 of the file, 64 hex characters.' })
  sha256!: string;

  @Field({ description: 'Where the file is stored (1–512 characters).' })
  storageKey!: string;
}

@InputType({
  description:
    'Files a claim (ADMIN, CLAIMS_REVIEWER, COORDINATOR of the county where the person is covered).',
})
export class SubmitClaimInput {
  @Field({ description: 'National ID of the insured (18 characters).' })
  nationalId!: string;

  @Field(() => DateScalar, { description: 'Admission date; not in the future.' })
  admissionDate!: string;

  @Field(() => DateScalar, { description: 'Discharge date; not before admission, not in the future.' })
  dischargeDate!: string;

  @Field({ description: 'Hospital name.' })
  hospitalName!: string;

  @Field(() => HospitalLevelValue, { description: 'Hospital level.' })
  hospitalLevel!: HospitalLevelValue;

  @Field({
    description:
      'ICD-10 diagnosis code, e.g. A87.9 (the national clinical extension, e.g. J18.900x001, is accepted).',
  })
  diagnosisCode!: string;

  @Field(() => [String], { description: 'Invoice numbers (1–50, each once).' })
  invoiceNumbers!: string[];

  @Field(() => MoneyScalar, { description: 'Total cost billed by the hospital (> 0).' })
  totalCost!: string;

  @Field(() => MoneyScalar, { description: 'Paid by basic medical insurance (≥ 0).' })
  basicInsurancePaid!: string;

  @Field(() => MoneyScalar, { description: 'Paid by critical-illness insurance (≥ 0).' })
  criticalIllnessPaid!: string;

  @Field(() => MoneyScalar, { description: 'Paid by medical assistance (≥ 0).' })
  medicalAssistancePaid!: string;

  @Field(() => MoneyScalar, { description: 'Self-pay items the plan does not cover (≥ 0).' })
  excludedCost!: string;

  @Field(() => [ClaimDocumentInput], {
    nullable: true,
    description: 'Documents attached now (more can be added by supplementClaim).',
  })
  documents?: ClaimDocumentInput[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Government settlement number of the basic-insurance reimbursement.',
  })
  settlementNumber?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Account to pay; default the insured's payee account.",
  })
  payeeAccount?: string | null;

  @Field({
    description:
      'Client-chosen key: the same key from the same token returns the first claim, never a second.',
  })
  idempotencyKey!: string;
}

@InputType({
  description: 'Adds documents and/or the settlement number to a NEEDS_INFO claim; it is adjudicated again.',
})
export class SupplementClaimInput {
  @Field(() => ID, { description: 'The claim.' })
  claimId!: string;

  @Field(() => Int, { nullable: true, description: 'The version you read (checked when given).' })
  version?: number | null;

  @Field(() => [ClaimDocumentInput], { nullable: true, description: 'Documents to add.' })
  documents?: ClaimDocumentInput[] | null;

  @Field(() => String, { nullable: true, description: 'Government settlement number.' })
  settlementNumber?: string | null;
}

@InputType({ description: 'Approves an UNDER_REVIEW claim (ADMIN, CLAIMS_REVIEWER).' })
export class ApproveClaimInput {
  @Field(() => ID, { description: 'The claim.' })
  claimId!: string;

  @Field(() => Int, { description: 'The version you read.' })
  version!: number;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'A corrected excluded self-pay cost (x is recomputed); requires `reason`.',
  })
  excludedCost?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why (required when the excluded cost changes); kept as the review note.',
  })
  reason?: string | null;
}

@InputType({
  description: 'Rejects an UNDER_REVIEW or NEEDS_INFO claim as REJECTED / OTHER (ADMIN, CLAIMS_REVIEWER).',
})
export class RejectClaimInput {
  @Field(() => ID, { description: 'The claim.' })
  claimId!: string;

  @Field(() => Int, { description: 'The version you read.' })
  version!: number;

  @Field({ description: 'Why, in words the coordinator can pass on (shown in the explanation of benefits).' })
  note!: string;
}

@InputType({
  description:
    'Sends an UNDER_REVIEW claim back for documents: NEEDS_INFO, the clock paused (ADMIN, CLAIMS_REVIEWER).',
})
export class RequestClaimInfoInput {
  @Field(() => ID, { description: 'The claim.' })
  claimId!: string;

  @Field(() => Int, { description: 'The version you read.' })
  version!: number;

  @Field(() => [DocumentKindValue], { description: 'Document kinds needed (not yet attached).' })
  documents!: DocumentKindValue[];

  @Field(() => String, { nullable: true, description: 'What exactly is needed, for the coordinator.' })
  note?: string | null;
}

@InputType({ description: 'The amounts of a hospital episode.' })
export class ClaimAmountsInput {
  @Field(() => MoneyScalar, { description: 'Total cost billed.' })
  totalCost!: string;

  @Field(() => MoneyScalar, { description: 'Paid by basic medical insurance.' })
  basicInsurancePaid!: string;

  @Field(() => MoneyScalar, { description: 'Paid by critical-illness insurance.' })
  criticalIllnessPaid!: string;

  @Field(() => MoneyScalar, { description: 'Paid by medical assistance.' })
  medicalAssistancePaid!: string;

  @Field(() => MoneyScalar, { description: 'Self-pay items the plan does not cover.' })
  excludedCost!: string;
}

@InputType({
  description:
    'Corrects an APPROVED or PAID claim with a new adjustment claim on the same coverage, approved through the same payable formula ' +
    '(ADMIN, CLAIMS_REVIEWER). Give either `eligibleDelta` or the corrected `amounts`.',
})
export class AdjustClaimInput {
  @Field(() => ID, { description: 'The original claim.' })
  claimId!: string;

  @Field(() => MoneyScalar, {
    nullable: true,
    description:
      'Change of the eligible out-of-pocket (positive or negative), recorded as the opposite change of the excluded cost.',
  })
  eligibleDelta?: string | null;

  @Field(() => ClaimAmountsInput, {
    nullable: true,
    description: 'The corrected amounts of the episode; the adjustment holds the differences.',
  })
  amounts?: ClaimAmountsInput | null;

  @Field({ description: 'Why (required; audited, shown in the explanation of benefits).' })
  reason!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Optional key: the same key from the same token returns the first adjustment.',
  })
  idempotencyKey?: string | null;
}

@InputType({
  description:
    'Corrects the account a claim is paid to (ADMIN, CLAIMS_REVIEWER), e.g. after a FAILED payout.',
})
export class UpdatePayeeAccountInput {
  @Field(() => ID, { description: 'The claim.' })
  claimId!: string;

  @Field({ description: 'The account to pay.' })
  payeeAccount!: string;

  @Field({ description: 'Why (required; audited).' })
  reason!: string;
}

@InputType({ description: 'Filters for claim lists (all optional).' })
export class ClaimFilterInput {
  @Field(() => String, { nullable: true, description: '6-digit county code.' })
  countyCode?: string | null;

  @Field(() => [ClaimStatus], { nullable: true, description: 'Any of these statuses.' })
  statuses?: ClaimStatus[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: the clock runs and the due date has passed; false: the others.',
  })
  overdue?: boolean | null;

  @Field(() => DateScalar, { nullable: true, description: 'Due date before this date.' })
  dueBefore?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The clock runs and the claim is due from today to this many working days ahead (0–30).',
  })
  dueWithinWorkingDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'Programme year.' })
  programmeYear?: number | null;

  @Field(() => ID, { nullable: true, description: 'Claims of this insured person.' })
  insuredId?: string | null;

  @Field(() => String, { nullable: true, description: 'Claims of the person with this national ID.' })
  nationalId?: string | null;

  @Field(() => ClaimFlagValue, { nullable: true, description: 'Claims carrying this flag.' })
  flag?: ClaimFlagValue | null;

  @Field(() => DateScalar, { nullable: true, description: 'Submitted on or after this date (China time).' })
  submittedFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Submitted on or before this date (China time).' })
  submittedTo?: string | null;
}

// --------------------------------------------------------------------------------- payloads

@ObjectType({ description: 'Result of submitClaim.' })
export class SubmitClaimPayload {
  @Field(() => ClaimType, { description: 'The claim, adjudicated.' })
  claim!: ClaimType;

  @Field({
    description: 'True when the idempotency key returned a claim filed earlier (nothing new was written).',
  })
  replayed!: boolean;
}

@ObjectType({ description: 'Result of a claim mutation.' })
export class ClaimPayload {
  @Field(() => ClaimType, { description: 'The claim as stored.' })
  claim!: ClaimType;
}

// -------------------------------------------------------------------------------- SLA report

@ObjectType('ClaimSlaPercentiles', {
  description: 'Percentiles (continuous, PostgreSQL percentile_cont), rounded to two decimals.',
})
export class PercentilesType {
  @Field(() => Float, { description: 'Median.' })
  p50!: number;

  @Field(() => Float, { description: '90th percentile.' })
  p90!: number;

  @Field(() => Float, { description: '95th percentile.' })
  p95!: number;
}

@ObjectType('ClaimSlaRow', {
  description:
    'Time to pay of PAID claims for a county and month, a county’s year (month null) or all counties (county null).',
})
export class ClaimSlaRowType {
  @Field(() => String, { nullable: true, description: 'County; null for all counties in the report.' })
  countyCode!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Month of payment (1–12, China time); null for the whole year.',
  })
  month!: number | null;

  @Field(() => Int, { description: 'Claims paid.' })
  paidClaims!: number;

  @Field(() => Int, { description: 'Of those, paid on or before their due date.' })
  paidOnTime!: number;

  @Field(() => PercentilesType, {
    nullable: true,
    description:
      'Working days from submission to payment (working days after the submission date up to the payment date); null with no claims.',
  })
  workingDays!: PercentilesType | null;

  @Field(() => PercentilesType, {
    nullable: true,
    description: 'Calendar days from submission to payment; null with no claims.',
  })
  calendarDays!: PercentilesType | null;
}

@ObjectType('ClaimSlaReport', {
  description: 'Time-to-pay percentiles of the claims paid in a year, by county and month.',
})
export class ClaimSlaReportType {
  @Field(() => Int, { description: 'Year of payment.' })
  year!: number;

  @Field(() => String, { nullable: true, description: 'The county asked for; null for all in your scope.' })
  countyCode!: string | null;

  @Field(() => [ClaimSlaRowType], {
    description: 'County × month rows, then each county’s year, then the total.',
  })
  rows!: ClaimSlaRowType[];
}

export function toSlaRowType(r: SlaReportRow): ClaimSlaRowType {
  return { ...r };
}
