import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { PayoutBatchStatus, PayoutLineStatus, type PayoutBatch } from './payout.entity';
import type {
  BatchMismatch,
  ConfirmBatchResult,
  CountyTotals,
  CoverageMismatch,
  PaidClaimMismatch,
  PayoutBatchSummary,
  PayoutLineView,
  PayoutTotals,
  ReconciliationReport,
} from './payout.service';

registerEnumType(PayoutBatchStatus, {
  name: 'PayoutBatchStatus',
  description: 'Where a payout batch is.',
  valuesConfig: {
    CREATED: { description: 'Made by a settlement run; some lines still await the channel’s result.' },
    CONFIRMED: { description: 'Every line has the channel’s result (PAID or FAILED).' },
  },
});

registerEnumType(PayoutLineStatus, {
  name: 'PayoutLineStatus',
  description: 'Where one claim’s payment in a batch is.',
  valuesConfig: {
    PENDING: { description: 'Sent to the channel; no result yet.' },
    PAID: { description: 'The channel paid it; the claim is PAID.' },
    FAILED: {
      description: 'The channel could not pay it; the claim is APPROVED again and goes into the next batch.',
    },
  },
});

export enum PayoutLineResult {
  PAID = 'PAID',
  FAILED = 'FAILED',
}

registerEnumType(PayoutLineResult, {
  name: 'PayoutLineResult',
  description: 'The payment channel’s result for one line.',
  valuesConfig: {
    PAID: { description: 'Paid: give the channel’s reference.' },
    FAILED: { description: 'Not paid: give the channel’s reason (e.g. account closed).' },
  },
});

@ObjectType('PayoutLine', {
  description: 'One claim in a payout batch. No name or account: those are in the batch file only.',
})
export class PayoutLineType {
  @Field(() => ID, { description: 'Line id.' })
  id!: string;

  @Field({ description: 'The claim paid by this line, e.g. CLM-513432-2020-000012.' })
  claimNumber!: string;

  @Field({ description: 'The insured person’s masked national ID, e.g. 513432********1234.' })
  maskedId!: string;

  @Field(() => MoneyScalar, { description: 'Amount to pay (the claim’s payable), exact.' })
  amount!: string;

  @Field(() => PayoutLineStatus, { description: 'PENDING, PAID or FAILED.' })
  status!: PayoutLineStatus;

  @Field(() => String, {
    nullable: true,
    description: 'The channel’s reference of the transfer (PAID), if any.',
  })
  channelReference!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the channel could not pay (FAILED).' })
  failureReason!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the channel’s result was recorded.' })
  confirmedAt!: Date | null;
}

export function toPayoutLineType(l: PayoutLineView): PayoutLineType {
  return {
    id: String(l.id),
    claimNumber: l.claimNumber,
    maskedId: l.maskedId,
    amount: l.amount,
    status: l.status,
    channelReference: l.channelReference,
    failureReason: l.failureReason,
    confirmedAt: l.confirmedAt,
  };
}

@ObjectType('PayoutBatchSummary', { description: 'A batch’s lines counted and summed by status.' })
export class PayoutBatchSummaryType {
  @Field(() => Int, { description: 'Lines awaiting the channel’s result.' })
  pendingCount!: number;

  @Field(() => Int, { description: 'Lines paid.' })
  paidCount!: number;

  @Field(() => Int, { description: 'Lines the channel could not pay.' })
  failedCount!: number;

  @Field(() => MoneyScalar, { description: 'Sum of the pending lines.' })
  pendingAmount!: string;

  @Field(() => MoneyScalar, { description: 'Sum of the paid lines.' })
  paidAmount!: string;

  @Field(() => MoneyScalar, { description: 'Sum of the failed lines.' })
  failedAmount!: string;
}

export function toPayoutBatchSummaryType(s: PayoutBatchSummary): PayoutBatchSummaryType {
  return {
    pendingCount: s.pendingCount,
    paidCount: s.paidCount,
    failedCount: s.failedCount,
    pendingAmount: s.pendingAmount,
    paidAmount: s.paidAmount,
    failedAmount: s.failedAmount,
  };
}

@ObjectType('PayoutBatch', {
  description:
    'Approved claims of one county sent to the payment channel together. The file for the channel: ' +
    '`GET /payouts/batches/{id}/file.csv` (ADMIN, CLAIMS_REVIEWER).',
})
export class PayoutBatchType {
  @Field(() => ID, { description: 'Batch id (for `confirmPayoutBatch` and the batch file).' })
  id!: string;

  @Field({ description: '`PAY-<county>-<runDate>-<n>`, e.g. PAY-513432-2020-03-02-1.' })
  batchNumber!: string;

  @Field({ description: '6-digit county code.' })
  countyCode!: string;

  @Field(() => DateScalar, { description: 'Date of the settlement run that made it.' })
  runDate!: string;

  @Field(() => PayoutBatchStatus, { description: 'CREATED until every line has a result, then CONFIRMED.' })
  status!: PayoutBatchStatus;

  @Field(() => MoneyScalar, { description: 'Sum of its lines, exact.' })
  totalAmount!: string;

  @Field(() => Int, { description: 'Number of lines (claims).' })
  lineCount!: number;

  @Field(() => Date, { description: 'When the settlement run made it.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When its last pending line got a result.' })
  confirmedAt!: Date | null;

  /** Loaded by the resolver's field resolvers. */
  batchId!: number;
}

export const PayoutBatchConnection = ConnectionType(PayoutBatchType, 'PayoutBatch');

export function toPayoutBatchType(b: PayoutBatch): PayoutBatchType {
  return {
    id: String(b.id),
    batchId: b.id,
    batchNumber: b.batchNumber,
    countyCode: b.countyCode,
    runDate: b.runKey,
    status: b.status,
    totalAmount: b.totalAmount,
    lineCount: b.lineCount,
    createdAt: b.createdAt,
    confirmedAt: b.confirmedAt ?? null,
  };
}

@InputType({ description: 'Filters for payout batches (all optional).' })
export class PayoutBatchFilterInput {
  @Field(() => String, { nullable: true, description: '6-digit county code.' })
  countyCode?: string | null;

  @Field(() => PayoutBatchStatus, { nullable: true, description: 'CREATED or CONFIRMED.' })
  status?: PayoutBatchStatus | null;

  @Field(() => DateScalar, { nullable: true, description: 'Date of the settlement run.' })
  runDate?: string | null;
}

@InputType({ description: 'Runs the settlement now (ADMIN, CLAIMS_REVIEWER).' })
export class RunSettlementInput {
  @Field(() => DateScalar, {
    nullable: true,
    description:
      'Run date (default today, China time; not after today). Batches are numbered with it; re-running a date adds only claims not yet batched.',
  })
  runDate?: string | null;
}

@InputType({ description: 'The payment channel’s result for one line.' })
export class PayoutLineResultInput {
  @Field({ description: 'Claim number of the line, e.g. CLM-513432-2020-000012.' })
  claimNumber!: string;

  @Field(() => PayoutLineResult, { description: 'PAID or FAILED.' })
  result!: PayoutLineResult;

  @Field(() => String, {
    nullable: true,
    description: 'The channel’s reference of the transfer; required for PAID.',
  })
  channelReference?: string | null;

  @Field(() => String, { nullable: true, description: 'The channel’s reason; required for FAILED.' })
  failureReason?: string | null;
}

@InputType({ description: 'Records the channel’s results for lines of a batch (ADMIN, CLAIMS_REVIEWER).' })
export class ConfirmPayoutBatchInput {
  @Field(() => ID, { description: 'The batch.' })
  batchId!: string;

  @Field(() => [PayoutLineResultInput], {
    description:
      'Results, one per line (at most 5,000 per call). Lines not listed stay PENDING; a line repeated with its recorded result is a no-op.',
  })
  lines!: PayoutLineResultInput[];
}

@ObjectType({ description: 'Result of confirmPayoutBatch.' })
export class ConfirmPayoutBatchPayload {
  @Field(() => PayoutBatchType, { description: 'The batch after the confirmation.' })
  batch!: PayoutBatchType;

  @Field(() => Int, { description: 'Lines marked PAID by this call.' })
  paid!: number;

  @Field(() => Int, { description: 'Lines marked FAILED by this call.' })
  failed!: number;

  @Field(() => Int, { description: 'Lines that already had the reported result (nothing done).' })
  unchanged!: number;
}

export function toConfirmPayoutBatchPayload(r: ConfirmBatchResult): ConfirmPayoutBatchPayload {
  return { batch: toPayoutBatchType(r.batch), paid: r.paid, failed: r.failed, unchanged: r.unchanged };
}

@ObjectType('PayoutBatchMismatch', {
  description: 'A batch whose recorded total or line count differs from its lines.',
})
export class PayoutBatchMismatchType {
  @Field(() => ID, { description: 'Batch id.' })
  batchId!: string;

  @Field({ description: 'Batch number.' })
  batchNumber!: string;

  @Field({ description: '6-digit county code.' })
  countyCode!: string;

  @Field(() => MoneyScalar, { description: 'Total recorded on the batch.' })
  totalAmount!: string;

  @Field(() => MoneyScalar, { description: 'Sum of its lines.' })
  linesAmount!: string;

  @Field(() => Int, { description: 'Line count recorded on the batch.' })
  lineCount!: number;

  @Field(() => Int, { description: 'Lines actually found.' })
  linesCounted!: number;
}

@ObjectType('CoverageBenefitMismatch', {
  description: 'A coverage whose benefit paid differs from the payable of its PAID claims.',
})
export class CoverageBenefitMismatchType {
  @Field(() => ID, { description: 'Coverage id.' })
  coverageId!: string;

  @Field({ description: '6-digit county code.' })
  countyCode!: string;

  @Field({ description: 'Masked national ID of the insured person.' })
  maskedId!: string;

  @Field(() => MoneyScalar, { description: 'The coverage’s recorded benefit paid.' })
  benefitPaid!: string;

  @Field(() => MoneyScalar, { description: 'Sum of the payable of its PAID claims.' })
  paidClaimsAmount!: string;
}

@ObjectType('PaidClaimMismatch', {
  description:
    'A claim that is PAID without exactly one PAID line of its payable, or has a PAID line without being PAID.',
})
export class PaidClaimMismatchType {
  @Field(() => ID, { description: 'Claim id.' })
  claimId!: string;

  @Field({ description: 'Claim number.' })
  claimNumber!: string;

  @Field({ description: '6-digit county code.' })
  countyCode!: string;

  @Field({ description: 'The claim’s status.' })
  status!: string;

  @Field(() => MoneyScalar, { nullable: true, description: 'The claim’s payable.' })
  payable!: string | null;

  @Field(() => Int, { description: 'PAID payout lines of the claim.' })
  paidLines!: number;

  @Field(() => MoneyScalar, { description: 'Sum of its PAID payout lines.' })
  paidLinesAmount!: string;
}

@ObjectType('PayoutTotals', { description: 'Money paid, three ways; they agree when all is well.' })
export class PayoutTotalsType {
  @Field(() => Int, { description: 'PAID claims.' })
  paidClaimsCount!: number;

  @Field(() => MoneyScalar, { description: 'Sum of the payable of PAID claims.' })
  paidClaimsAmount!: string;

  @Field(() => MoneyScalar, { description: 'Sum of coverages’ benefit paid.' })
  benefitPaid!: string;

  @Field(() => MoneyScalar, { description: 'Sum of PAID payout lines.' })
  paidLinesAmount!: string;
}

@ObjectType('CountyPayoutTotals', { description: 'One county’s payout totals.' })
export class CountyPayoutTotalsType extends PayoutTotalsType {
  @Field({ description: '6-digit county code.' })
  countyCode!: string;

  @Field({ description: 'Claims paid = benefit paid = lines paid.' })
  consistent!: boolean;
}

@ObjectType('PayoutReconciliation', {
  description:
    'Whether the money adds up for a programme year; each list holds only what does not (empty when all holds).',
})
export class PayoutReconciliationType {
  @Field(() => Int, { description: 'Programme year checked.' })
  programmeYear!: number;

  @Field(() => String, { nullable: true, description: 'County checked, when one was asked for.' })
  countyCode!: string | null;

  @Field({ description: 'True when every list is empty and every total agrees.' })
  ok!: boolean;

  @Field(() => Int, { description: 'Batches checked (those with claims of the year).' })
  batchesChecked!: number;

  @Field(() => [PayoutBatchMismatchType], {
    description: 'Batches whose total or count differs from their lines (at most 1,000).',
  })
  batchMismatches!: PayoutBatchMismatchType[];

  @Field(() => Int, { description: 'Coverages checked.' })
  coveragesChecked!: number;

  @Field(() => [CoverageBenefitMismatchType], {
    description: 'Coverages whose benefit paid differs from their PAID claims (at most 1,000).',
  })
  coverageMismatches!: CoverageBenefitMismatchType[];

  @Field(() => [PaidClaimMismatchType], {
    description: 'Claims paid without a matching PAID line, or the reverse (at most 1,000).',
  })
  claimMismatches!: PaidClaimMismatchType[];

  @Field(() => [CountyPayoutTotalsType], { description: 'Totals per county.' })
  counties!: CountyPayoutTotalsType[];

  @Field(() => PayoutTotalsType, {
    description: 'Totals of the programme year (or the county), computed directly.',
  })
  totals!: PayoutTotalsType;

  @Field(() => PayoutTotalsType, { description: 'The same totals as the sum of the counties.' })
  sumOfCounties!: PayoutTotalsType;

  @Field({ description: 'Totals = sum of counties, and claims paid = benefit paid = lines paid.' })
  totalsConsistent!: boolean;
}

const totalsOf = (t: PayoutTotals): PayoutTotalsType => ({
  paidClaimsCount: t.paidClaimsCount,
  paidClaimsAmount: t.paidClaimsAmount,
  benefitPaid: t.benefitPaid,
  paidLinesAmount: t.paidLinesAmount,
});

export function toPayoutReconciliationType(r: ReconciliationReport): PayoutReconciliationType {
  return {
    programmeYear: r.programmeYear,
    countyCode: r.countyCode,
    ok: r.ok,
    batchesChecked: r.batchesChecked,
    batchMismatches: r.batchMismatches.map((m: BatchMismatch) => ({ ...m, batchId: String(m.batchId) })),
    coveragesChecked: r.coveragesChecked,
    coverageMismatches: r.coverageMismatches.map((m: CoverageMismatch) => ({
      ...m,
      coverageId: String(m.coverageId),
    })),
    claimMismatches: r.claimMismatches.map((m: PaidClaimMismatch) => ({ ...m, claimId: String(m.claimId) })),
    counties: r.counties.map((c: CountyTotals) => ({
      ...totalsOf(c),
      countyCode: c.countyCode,
      consistent: c.consistent,
    })),
    totals: totalsOf(r.totals),
    sumOfCounties: totalsOf(r.sumOfCounties),
    totalsConsistent: r.totalsConsistent,
  };
}
