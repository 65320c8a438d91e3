import { Entity, Index, ManyToOne, Opt, PrimaryKey, Property, Rel } from '@mikro-orm/core';
import { MONEY, TIMESTAMP } from '../../db/types';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import { RateTable } from '../pricing/rate-table.entity';
import { CountyContract } from './county-contract.entity';

/**
 * An immutable pricing result: the full input snapshot, the engine's breakdown and the
 * rounded premium. `inputHash` identifies identical inputs (same inputs, same quote).
 */
@Entity({ tableName: 'quote' })
@Index({ properties: ['contract', 'createdAt'] })
export class Quote {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => CountyContract)
  contract!: Rel<CountyContract>;

  @ManyToOne(() => RateTable)
  rateTable!: Rel<RateTable>;

  @ManyToOne(() => BenefitPlan)
  plan!: Rel<BenefitPlan>;

  @Property({ type: 'string', length: 64 })
  inputHash!: string;

  @Property({ type: 'jsonb' })
  inputs!: Record<string, unknown>;

  @Property({ type: 'jsonb' })
  breakdown!: Record<string, unknown>;

  @Property({ type: 'integer' })
  insuredCount!: number;

  @Property({ ...MONEY })
  perCapitaPremium!: string;

  @Property({ ...MONEY })
  totalPremium!: string;

  @Property({ ...MONEY, default: 0 })
  carryOverCredit: Opt<string> = '0.00';

  @Property({ type: 'double' })
  credibility!: number;

  @Property({ type: 'double' })
  expectedClaimCount!: number;

  @Property({ ...MONEY })
  expectedClaimsCost!: string;

  @Property({ type: 'integer', nullable: true })
  createdByTokenId?: number | null;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
