import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Rel, Unique } from '@mikro-orm/core';
import { TIMESTAMP } from '../../db/types';

export enum RenewalRunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

export enum RenewalTrigger {
  /** startRenewalRun(fromYear) by the foundation. */
  MANUAL = 'MANUAL',
  /** The daily job: contracts ending within their programme's renewal window. */
  SCHEDULED = 'SCHEDULED',
}

export enum RenewalOutcome {
  RENEWED = 'RENEWED',
  SKIPPED = 'SKIPPED',
  FAILED = 'FAILED',
}

/**
 * One renewal run: which year it renews, who started it, how far it got and its programme
 * summary. The counties it handled are its RenewalCounty rows.
 */
@Entity({ tableName: 'renewal_run' })
export class RenewalRun {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', index: true })
  fromYear!: number;

  @Property({ type: 'integer' })
  toYear!: number;

  @Enum({ items: () => RenewalTrigger, type: 'text' })
  trigger!: RenewalTrigger;

  /** A scheduled run's identity (`window-<asOf>-<fromYear>`): a retried daily job finds its run again. */
  @Property({ type: 'text', nullable: true, unique: true })
  triggerKey?: string | null;

  @Enum({ items: () => RenewalRunStatus, type: 'text' })
  status: Opt<RenewalRunStatus> = RenewalRunStatus.QUEUED;

  /** Public job id (`renewals.<id>`). */
  @Property({ type: 'text', nullable: true })
  jobId?: string | null;

  /** Counts and totals over the counties, set when the run completes. */
  @Property({ type: 'jsonb', nullable: true })
  summary?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  failureReason?: string | null;

  @Property({ type: 'integer', nullable: true })
  createdByTokenId?: number | null;

  @Property({ type: 'text' })
  createdByRole!: string;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, nullable: true })
  startedAt?: Date | null;

  @Property({ ...TIMESTAMP, nullable: true })
  completedAt?: Date | null;
}

/**
 * What a run did for one expiring contract, written in the same transaction as the successor
 * (so a county is either renewed and reported, or neither). Unique per run and contract: a
 * resumed run finds the counties it already did.
 */
@Entity({ tableName: 'renewal_county' })
@Unique({ properties: ['run', 'predecessorContractId'] })
@Index({ properties: ['successorContractId'] })
export class RenewalCounty {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @ManyToOne(() => RenewalRun, { deleteRule: 'cascade' })
  run!: Rel<RenewalRun>;

  @Property({ type: 'string', length: 6 })
  countyCode!: string;

  @Property({ type: 'integer' })
  predecessorContractId!: number;

  @Property({ type: 'integer', nullable: true })
  successorContractId?: number | null;

  @Property({ type: 'integer', nullable: true })
  quoteId?: number | null;

  @Enum({ items: () => RenewalOutcome, type: 'text' })
  outcome!: RenewalOutcome;

  /** Why it was skipped or failed. */
  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  /** Carried, dropped by reason, added, premiums, rate change, Z, experience, carry-over. */
  @Property({ type: 'jsonb', nullable: true })
  report?: Record<string, unknown> | null;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
