import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Rel, Unique } from '@mikro-orm/core';
import { DATE, MONEY, TIMESTAMP } from '../../db/types';
import { CountyContract } from '../contracts/county-contract.entity';
import { Insured } from '../enrollment/insured.entity';

export enum CoverageStatus {
  ENROLLED = 'ENROLLED',
  TERMINATED = 'TERMINATED',
}

export enum CoverageEndReason {
  DECEASED = 'DECEASED',
  MOVED = 'MOVED',
  NO_LONGER_ELIGIBLE = 'NO_LONGER_ELIGIBLE',
  /** Absent from a REPLACE roster before the contract started. */
  REMOVED_FROM_ROSTER = 'REMOVED_FROM_ROSTER',
}

/**
 * An insured person in a contract, with the year's running totals. At most one per person
 * and programme year (unique), so a person is never covered twice in one year.
 * Approvals lock this row (`FOR UPDATE`) so running totals never race.
 */
@Entity({ tableName: 'coverage' })
@Unique({ properties: ['insured', 'programmeYear'] })
@Index({ properties: ['contract', 'status'] })
export class Coverage {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Insured)
  insured!: Rel<Insured>;

  @ManyToOne(() => CountyContract)
  contract!: Rel<CountyContract>;

  @Property({ type: 'integer' })
  programmeYear!: number;

  @Property({ type: 'string', length: 6, index: true })
  countyCode!: string;

  @Property({ ...DATE })
  periodStart!: string;

  @Property({ ...DATE })
  periodEnd!: string;

  @Enum({ items: () => CoverageStatus, type: 'text' })
  status: Opt<CoverageStatus> = CoverageStatus.ENROLLED;

  @Enum({ items: () => CoverageEndReason, type: 'text', nullable: true })
  endReason?: CoverageEndReason | null;

  /** Last covered day when terminated early. */
  @Property({ ...DATE, nullable: true })
  endedOn?: string | null;

  /** Eligible out-of-pocket of the year's approved claims (C in the payable formula). */
  @Property({ ...MONEY, default: 0 })
  eligibleApproved: Opt<string> = '0.00';

  /** Benefit of the year's approved claims (paid or awaiting payment). */
  @Property({ ...MONEY, default: 0 })
  benefitApproved: Opt<string> = '0.00';

  /** Benefit of the year's PAID claims. */
  @Property({ ...MONEY, default: 0 })
  benefitPaid: Opt<string> = '0.00';

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}

export enum EndorsementKind {
  ADD = 'ADD',
  TERMINATE = 'TERMINATE',
}

/** A mid-year change to an ACTIVE contract and its pro-rata premium adjustment. */
@Entity({ tableName: 'endorsement' })
export class Endorsement {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => CountyContract, { index: true })
  contract!: Rel<CountyContract>;

  @ManyToOne(() => Coverage)
  coverage!: Rel<Coverage>;

  @Enum({ items: () => EndorsementKind, type: 'text' })
  kind!: EndorsementKind;

  @Property({ ...DATE })
  effectiveDate!: string;

  @Enum({ items: () => CoverageEndReason, type: 'text', nullable: true })
  reason?: CoverageEndReason | null;

  /** Days of cover added (positive) or removed (negative). */
  @Property({ type: 'integer' })
  days!: number;

  @Property({ ...MONEY })
  premiumDelta!: string;

  @Property({ type: 'integer', nullable: true })
  createdByTokenId?: number | null;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
