import { Entity, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { MONEY, TIMESTAMP } from '../../db/types';

export const HOSPITAL_LEVELS = ['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL', 'PRIVATE'] as const;
export type HospitalLevel = (typeof HOSPITAL_LEVELS)[number];
export const DOCUMENT_KINDS = ['INVOICE', 'DISCHARGE_SUMMARY', 'ID_CARD', 'BANK_ACCOUNT', 'OTHER'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** A reimbursement tier: `ratio` of eligible out-of-pocket up to `upTo` (null: no upper bound). */
export interface PlanTier {
  upTo: string | null;
  ratio: string;
}

/**
 * A versioned benefit design. Immutable once a contract uses it (`lockedAt` set): a change
 * is a new version with the same code.
 */
@Entity({ tableName: 'benefit_plan' })
@Unique({ properties: ['code', 'version'] })
export class BenefitPlan {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'text' })
  code!: string;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'text' })
  name!: string;

  @Property({ ...MONEY })
  deductible!: string;

  @Property({ type: 'jsonb' })
  tiers!: PlanTier[];

  @Property({ ...MONEY })
  annualCap!: string;

  @Property({ type: 'text[]' })
  hospitalLevels!: HospitalLevel[];

  @Property({ type: 'integer', default: 18 })
  minAge: Opt<number> = 18;

  @Property({ type: 'integer', default: 60 })
  maxAge: Opt<number> = 60;

  @Property({ type: 'integer', default: 365 })
  filingWindowDays: Opt<number> = 365;

  /** Claims whose payable is at most this are approved automatically (absent flags). */
  @Property({ ...MONEY, default: 10000 })
  autoApproveLimit: Opt<string> = '10000.00';

  /** Eligible out-of-pocket above this raises `HIGH_AMOUNT`. */
  @Property({ ...MONEY, default: 100000 })
  reviewThreshold: Opt<string> = '100000.00';

  @Property({ type: 'text[]' })
  requiredDocuments: Opt<DocumentKind[]> = ['INVOICE', 'DISCHARGE_SUMMARY'];

  @Property({ ...TIMESTAMP, nullable: true })
  lockedAt?: Date | null;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
