import { Entity, Enum, ManyToOne, OneToOne, Opt, PrimaryKey, Property, Rel, Unique } from '@mikro-orm/core';
import { DATE, MONEY, TIMESTAMP } from '../../db/types';
import { County } from '../counties/county.entity';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import { RateTable } from '../pricing/rate-table.entity';
import { Programme } from '../programmes/programme.entity';
import { Quote } from './quote.entity';

export enum ContractStatus {
  DRAFT = 'DRAFT',
  QUOTED = 'QUOTED',
  APPROVED = 'APPROVED',
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  CANCELLED = 'CANCELLED',
}

/** One county's contract for one programme year (unique), renewed each year. */
@Entity({ tableName: 'county_contract' })
// One live contract per county and programme year; a cancelled one does not block its
// replacement (a partial unique index, so the database enforces it).
@Unique({
  name: 'county_contract_county_programme_live_unique',
  expression: `create unique index "county_contract_county_programme_live_unique" on "county_contract" ("county_code", "programme_id") where "status" <> 'CANCELLED'`,
})
export class CountyContract {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => County)
  county!: Rel<County>;

  @ManyToOne(() => Programme)
  programme!: Rel<Programme>;

  /** Denormalised from the programme for partitioning and scope filters. */
  @Property({ type: 'integer', index: true })
  programmeYear!: number;

  @ManyToOne(() => BenefitPlan)
  plan!: Rel<BenefitPlan>;

  /** The basis quotes are priced with; the programme's default unless chosen. */
  @ManyToOne(() => RateTable, { nullable: true })
  rateTable?: Rel<RateTable> | null;

  @Property({ ...DATE })
  periodStart!: string;

  @Property({ ...DATE })
  periodEnd!: string;

  /** Head count declared before a roster exists; priced with the default mix. */
  @Property({ type: 'integer', nullable: true })
  declaredHeadCount?: number | null;

  /** Insured count of the accepted quote (roster or declared). */
  @Property({ type: 'integer', nullable: true })
  insuredCount?: number | null;

  @Property({ ...MONEY, nullable: true })
  perCapitaPremium?: string | null;

  @Property({ ...MONEY, nullable: true })
  totalPremium?: string | null;

  /** Net change to the total premium from mid-year endorsements. */
  @Property({ ...MONEY, default: 0 })
  endorsementPremium: Opt<string> = '0.00';

  /** Carry-over credit from the predecessor's surplus; lowers what the foundation pays. */
  @Property({ ...MONEY, default: 0 })
  carryOverCredit: Opt<string> = '0.00';

  @OneToOne(() => Quote, { nullable: true, owner: true })
  acceptedQuote?: Rel<Quote> | null;

  @OneToOne(() => CountyContract, { nullable: true, owner: true, unique: true })
  predecessor?: Rel<CountyContract> | null;

  @Enum({ items: () => ContractStatus, type: 'text' })
  status: Opt<ContractStatus> = ContractStatus.DRAFT;

  @Property({ type: 'boolean', default: false })
  budgetOverride: Opt<boolean> = false;

  @Property({ type: 'text', nullable: true })
  cancelReason?: string | null;

  @Property({ ...TIMESTAMP, nullable: true })
  approvedAt?: Date | null;

  @Property({ ...TIMESTAMP, nullable: true })
  activatedAt?: Date | null;

  @Property({ ...TIMESTAMP, nullable: true })
  expiredAt?: Date | null;

  /** Optimistic lock: every write checks and bumps it. */
  @Property({ type: 'integer', version: true, default: 1 })
  version: Opt<number> = 1;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}
