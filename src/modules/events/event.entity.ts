import { Entity, Enum, Index, ManyToOne, Opt, PrimaryKey, Property, Rel, Unique } from '@mikro-orm/core';
import { TIMESTAMP } from '../../db/types';

export const EVENT_TYPES = ['COVERAGE_STARTED', 'COVERAGE_ENDED', 'CLAIM_STATUS_CHANGED'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Transactional outbox: an event is written in the same transaction as the change it
 * describes, then fanned out to webhook subscriptions by a job. Payloads carry ids and
 * masked data only.
 */
@Entity({ tableName: 'outbox_event' })
@Index({ properties: ['dispatchedAt', 'id'] })
export class OutboxEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Enum({ items: [...EVENT_TYPES], type: 'text' })
  type!: EventType;

  @Property({ type: 'string', length: 6 })
  countyCode!: string;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  occurredAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, nullable: true })
  dispatchedAt?: Date | null;
}

/** An integration's subscription to events, delivered as signed webhooks. */
@Entity({ tableName: 'webhook_subscription' })
export class WebhookSubscription {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', index: true })
  ownerTokenId!: number;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text[]' })
  eventTypes!: EventType[];

  /** HMAC-SHA-256 signing secret, encrypted like national IDs. */
  @Property({ type: 'text' })
  secretCiphertext!: string;

  @Property({ type: 'boolean', default: true })
  active: Opt<boolean> = true;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}

/**
 * One event for one subscription, with its attempts. Unique per (subscription, event): fanning
 * an event out twice creates nothing new. The partial index finds deliveries still pending
 * (the dispatcher re-enqueues those whose job was lost).
 */
@Entity({ tableName: 'webhook_delivery' })
@Index({ properties: ['subscription', 'createdAt'] })
@Unique({ properties: ['subscription', 'event'] })
@Index({
  name: 'webhook_delivery_pending_index',
  expression: `create index "webhook_delivery_pending_index" on "webhook_delivery" ("id") where "status" = 'PENDING'`,
})
export class WebhookDelivery {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => WebhookSubscription)
  subscription!: Rel<WebhookSubscription>;

  @ManyToOne(() => OutboxEvent)
  event!: Rel<OutboxEvent>;

  @Enum({ items: () => DeliveryStatus, type: 'text' })
  status: Opt<DeliveryStatus> = DeliveryStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  attempts: Opt<number> = 0;

  /** Each attempt: time, HTTP status or error, duration. */
  @Property({ type: 'jsonb' })
  attemptLog: Opt<Record<string, unknown>[]> = [];

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, nullable: true })
  deliveredAt?: Date | null;
}
