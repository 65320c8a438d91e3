import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Rel, Unique } from '@mikro-orm/core';
import { MONEY, TIMESTAMP } from '../../db/types';
import { Claim } from '../claims/claim.entity';

export enum PayoutBatchStatus {
  CREATED = 'CREATED',
  CONFIRMED = 'CONFIRMED',
}

export enum PayoutLineStatus {
  PENDING = 'PENDING',
  PAID = 'PAID',
  FAILED = 'FAILED',
}

/** Approved claims of one county grouped for the payment channel. */
@Entity({ tableName: 'payout_batch' })
@Index({ properties: ['runKey', 'countyCode'] })
export class PayoutBatch {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'text', unique: true })
  batchNumber!: string;

  @Property({ type: 'string', length: 6, index: true })
  countyCode!: string;

  /** The settlement run that made it (its date); with the county, makes re-runs idempotent. */
  @Property({ type: 'text' })
  runKey!: string;

  @Enum({ items: () => PayoutBatchStatus, type: 'text' })
  status: Opt<PayoutBatchStatus> = PayoutBatchStatus.CREATED;

  @Property({ ...MONEY })
  totalAmount!: string;

  @Property({ type: 'integer' })
  lineCount!: number;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, nullable: true })
  confirmedAt?: Date | null;
}

/**
 * One claim in a batch. A claim is in at most one live line (PENDING or PAID): a partial
 * unique index in the migration, not only code.
 */
@Entity({ tableName: 'payout_line' })
@Index({ properties: ['batch'] })
@Unique({
  name: 'payout_line_live_claim_unique',
  expression: `create unique index "payout_line_live_claim_unique" on "payout_line" ("claim_id") where "status" in ('PENDING', 'PAID')`,
})
export class PayoutLine {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => PayoutBatch)
  batch!: Rel<PayoutBatch>;

  @ManyToOne(() => Claim, { index: true })
  claim!: Rel<Claim>;

  @Property({ ...MONEY })
  amount!: string;

  /**
   * The payee account as sent to the channel, copied from the claim when the line was made, so
   * the batch file reads the same however often it is generated (a corrected account applies to
   * the next batch, after this line FAILED).
   */
  @Property({ type: 'text' })
  payeeAccount!: string;

  @Enum({ items: () => PayoutLineStatus, type: 'text' })
  status: Opt<PayoutLineStatus> = PayoutLineStatus.PENDING;

  @Property({ type: 'text', nullable: true })
  channelReference?: string | null;

  @Property({ type: 'text', nullable: true })
  failureReason?: string | null;

  @Property({ ...TIMESTAMP, nullable: true })
  confirmedAt?: Date | null;
}
