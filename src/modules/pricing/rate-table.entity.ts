import { Entity, Enum, ManyToOne, Opt, PrimaryKey, Property, Rel, Unique } from '@mikro-orm/core';
import { MONEY, TIMESTAMP } from '../../db/types';
import { ActuarialStudy } from '../actuarial/actuarial-study.entity';

export enum RateTableStatus {
  DRAFT = 'DRAFT',
  PUBLISHED = 'PUBLISHED',
  RETIRED = 'RETIRED',
}

export type AgeBand = '18-29' | '30-39' | '40-49' | '50-60';
export type Gender = 'F' | 'M';
export const AGE_BANDS: readonly AgeBand[] = ['18-29', '30-39', '40-49', '50-60'];
export const GENDERS: readonly Gender[] = ['F', 'M'];

/**
 * A versioned actuarial basis. Only PUBLISHED tables price contracts. Parameters are
 * doubles: the engine evaluates distributions in floating point; only money is decimal.
 */
@Entity({ tableName: 'rate_table' })
@Unique({ properties: ['code', 'version'] })
export class RateTable {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'text' })
  code!: string;

  @Property({ type: 'integer' })
  version!: number;

  @Enum({ items: () => RateTableStatus, type: 'text' })
  status: Opt<RateTableStatus> = RateTableStatus.DRAFT;

  @Property({ type: 'date' })
  baseDate!: string;

  /** Claims per insured-year by band and gender. */
  @Property({ type: 'jsonb' })
  frequency!: Record<AgeBand, Record<Gender, number>>;

  /** Log-normal eligible out-of-pocket per claim at `baseDate`, by band. */
  @Property({ type: 'jsonb' })
  severity!: Record<AgeBand, { mu: number; sigma: number }>;

  /** Frequency factor by two-digit province code; absent provinces use 1.0. */
  @Property({ type: 'jsonb' })
  areaFactors: Opt<Record<string, number>> = {};

  @Property({ type: 'double' })
  annualTrend!: number;

  @Property({ type: 'double' })
  expenseLoading!: number;

  @Property({ type: 'double' })
  riskMargin!: number;

  @Property({ ...MONEY })
  minPremium!: string;

  @Property({ type: 'integer' })
  fullCredibilityClaims!: number;

  @Property({ type: 'double' })
  maxRateChange!: number;

  /** For a proposed table: the study it came from and the evidence per cell. */
  @ManyToOne(() => ActuarialStudy, { nullable: true })
  sourceStudy?: Rel<ActuarialStudy> | null;

  @Property({ type: 'jsonb', nullable: true })
  evidence?: unknown;

  @Property({ ...TIMESTAMP, nullable: true })
  publishedAt?: Date | null;

  @Property({ ...TIMESTAMP, nullable: true })
  retiredAt?: Date | null;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
