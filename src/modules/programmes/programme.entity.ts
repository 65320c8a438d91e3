import {
  Collection,
  Entity,
  ManyToOne,
  OneToMany,
  Opt,
  PrimaryKey,
  Property,
  Rel,
  Unique,
} from '@mikro-orm/core';
import { MONEY, TIMESTAMP } from '../../db/types';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import { RateTable } from '../pricing/rate-table.entity';

/** One programme year: the donations raised and the defaults its contracts are priced with. */
@Entity({ tableName: 'programme' })
export class Programme {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer' })
  @Unique()
  year!: number;

  @Property({ type: 'text' })
  name!: string;

  /** Donations raised: the sum of the funding sources. */
  @Property({ ...MONEY, default: 0 })
  budget: Opt<string> = '0.00';

  @OneToMany(() => ProgrammeFunding, (f) => f.programme, { orderBy: { id: 'asc' } })
  funding = new Collection<ProgrammeFunding>(this);

  @ManyToOne(() => BenefitPlan, { nullable: true })
  defaultPlan?: Rel<BenefitPlan> | null;

  @ManyToOne(() => RateTable, { nullable: true })
  defaultRateTable?: Rel<RateTable> | null;

  /** Share of a positive year-end surplus credited to the successor contract (0–1). */
  @Property({ type: 'decimal', precision: 5, scale: 4, default: 0 })
  carryOverShare: Opt<string> = '0';

  /** Days before a contract ends within which the daily job starts its renewal quote. */
  @Property({ type: 'integer', default: 90 })
  renewalWindowDays: Opt<number> = 90;

  @Property({ type: 'integer', version: true, default: 1 })
  version: Opt<number> = 1;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}

/** One source of donations for a programme year (public fundraising, other income…). */
@Entity({ tableName: 'programme_funding' })
@Unique({ properties: ['programme', 'source'] })
export class ProgrammeFunding {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => Programme, { deleteRule: 'cascade' })
  programme!: Rel<Programme>;

  @Property({ type: 'text' })
  source!: string;

  @Property({ ...MONEY })
  amount!: string;
}
