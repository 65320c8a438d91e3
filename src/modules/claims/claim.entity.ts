import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Rel, Unique } from '@mikro-orm/core';
import { DATE, MONEY, TIMESTAMP } from '../../db/types';
import { CountyContract } from '../contracts/county-contract.entity';
import { Coverage } from '../coverage/coverage.entity';
import { Insured } from '../enrollment/insured.entity';
import type { DocumentKind, HospitalLevel } from '../pricing/benefit-plan.entity';

export enum ClaimStatus {
  SUBMITTED = 'SUBMITTED',
  NEEDS_INFO = 'NEEDS_INFO',
  UNDER_REVIEW = 'UNDER_REVIEW',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  PAID = 'PAID',
}

export enum ClaimRejection {
  NOT_COVERED = 'NOT_COVERED',
  PROVIDER_NOT_COVERED = 'PROVIDER_NOT_COVERED',
  LATE_SUBMISSION = 'LATE_SUBMISSION',
  DUPLICATE_INVOICE = 'DUPLICATE_INVOICE',
  OTHER = 'OTHER',
}

export type ClaimFlag = 'OVERLAPPING_STAY' | 'HIGH_AMOUNT' | 'ID_REGION_MISMATCH';

/** One hospital episode filed for a covered person. */
@Entity({ tableName: 'claim' })
@Unique({ properties: ['submittedByTokenId', 'idempotencyKey'] })
@Index({ properties: ['countyCode', 'status'] })
@Index({ properties: ['programmeYear', 'status'] })
@Index({ properties: ['insured', 'admissionDate'] })
// Overdue and due-soon lists: only claims whose service-level clock runs.
// Only adjustments carry `adjustment_of_id`: a partial index serves "the adjustments of a claim"
// and cannot tempt the planner into scanning every original for `adjustment_of_id is null`.
@Index({
  name: 'claim_adjustment_of_id_index',
  expression: `create index "claim_adjustment_of_id_index" on "claim" ("adjustment_of_id") where "adjustment_of_id" is not null`,
})
@Index({
  name: 'claim_open_due_date_index',
  expression: `create index "claim_open_due_date_index" on "claim" ("due_date", "id") where "status" in ('SUBMITTED', 'UNDER_REVIEW', 'APPROVED')`,
})
export class Claim {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  /** `CLM-<county>-<year>-<sequence>`, gap-free per county and year. */
  @Property({ type: 'text', unique: true })
  claimNumber!: string;

  @ManyToOne(() => Insured)
  insured!: Rel<Insured>;

  /** The coverage in force on the admission date; null when none (rejected NOT_COVERED). */
  @ManyToOne(() => Coverage, { nullable: true, index: true })
  coverage?: Rel<Coverage> | null;

  @ManyToOne(() => CountyContract, { nullable: true })
  contract?: Rel<CountyContract> | null;

  @Property({ type: 'string', length: 6 })
  countyCode!: string;

  @Property({ type: 'integer' })
  programmeYear!: number;

  @Enum({ items: () => ClaimStatus, type: 'text' })
  status: Opt<ClaimStatus> = ClaimStatus.SUBMITTED;

  @Enum({ items: () => ClaimRejection, type: 'text', nullable: true })
  rejectionReason?: ClaimRejection | null;

  @Property({ type: 'text[]' })
  flags: Opt<ClaimFlag[]> = [];

  @Property({ type: 'text[]' })
  missingDocuments: Opt<DocumentKind[]> = [];

  /** Documents a reviewer asked for (requestClaimInfo): required on top of the plan's from then on. */
  @Property({ type: 'text[]', defaultRaw: `'{}'` })
  requestedDocuments: Opt<DocumentKind[]> = [];

  @Property({ ...DATE })
  admissionDate!: string;

  @Property({ ...DATE })
  dischargeDate!: string;

  @Property({ type: 'text' })
  hospitalName!: string;

  @Enum({ items: ['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL', 'PRIVATE'], type: 'text' })
  hospitalLevel!: HospitalLevel;

  @Property({ type: 'text' })
  diagnosisCode!: string;

  @Property({ type: 'text[]' })
  invoiceNumbers!: string[];

  @Property({ type: 'text', nullable: true })
  settlementNumber?: string | null;

  @Property({ ...MONEY })
  totalCost!: string;

  @Property({ ...MONEY })
  basicInsurancePaid!: string;

  @Property({ ...MONEY })
  criticalIllnessPaid!: string;

  @Property({ ...MONEY })
  medicalAssistancePaid!: string;

  @Property({ ...MONEY })
  excludedCost!: string;

  /** x = total − basic − critical illness − assistance − excluded. */
  @Property({ ...MONEY })
  eligibleOop!: string;

  /** C: eligible out-of-pocket of the coverage year's claims approved before this one. */
  @Property({ ...MONEY, nullable: true })
  priorEligible?: string | null;

  @Property({ ...MONEY, nullable: true })
  payable?: string | null;

  /** Tier-by-tier working of the payable. */
  @Property({ type: 'jsonb', nullable: true })
  working?: Record<string, unknown> | null;

  /** Each adjudication rule, in order, with its outcome. */
  @Property({ type: 'jsonb' })
  ruleTrace: Opt<Record<string, unknown>[]> = [];

  @Property({ type: 'text', nullable: true })
  payeeAccount?: string | null;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  @Property({ type: 'integer' })
  submittedByTokenId!: number;

  @Property({ ...TIMESTAMP })
  submittedAt!: Date;

  /** Service-level due date: 5 working days after submission, paused while NEEDS_INFO. */
  @Property({ ...DATE, nullable: true })
  dueDate?: string | null;

  /** Working days already used before a NEEDS_INFO pause. */
  @Property({ type: 'integer', default: 0 })
  slaDaysUsed: Opt<number> = 0;

  @Property({ ...DATE, nullable: true })
  slaClockStartedOn?: string | null;

  @Property({ ...TIMESTAMP, nullable: true })
  decidedAt?: Date | null;

  @Property({ ...TIMESTAMP, nullable: true })
  approvedAt?: Date | null;

  @Property({ ...TIMESTAMP, nullable: true })
  paidAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  paymentReference?: string | null;

  @Property({ type: 'text', nullable: true })
  reviewNote?: string | null;

  /** For an adjustment claim: the approved claim it corrects. */
  @ManyToOne(() => Claim, { nullable: true })
  adjustmentOf?: Rel<Claim> | null;

  @Property({ type: 'integer', version: true, default: 1 })
  version: Opt<number> = 1;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}

/** A supporting document: its SHA-256 and where the file is stored. */
@Entity({ tableName: 'claim_document' })
export class ClaimDocument {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Claim, { index: true, deleteRule: 'cascade' })
  claim!: Rel<Claim>;

  @Enum({ items: ['INVOICE', 'DISCHARGE_SUMMARY', 'ID_CARD', 'BANK_ACCOUNT', 'OTHER'], type: 'text' })
  kind!: DocumentKind;

  @Property({ type: 'string', length: 64 })
  sha256!: string;

  @Property({ type: 'text' })
  storageKey!: string;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  addedAt: Opt<Date> = new Date();
}

/** Gap-free claim numbers: one counter row per county and year, taken under a row lock. */
@Entity({ tableName: 'claim_sequence' })
export class ClaimSequence {
  @PrimaryKey({ type: 'string', length: 6 })
  countyCode!: string;

  @PrimaryKey({ type: 'integer' })
  year!: number;

  @Property({ type: 'integer' })
  lastValue!: number;
}
