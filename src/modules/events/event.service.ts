import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobsOptions } from 'bullmq';
import {
  DEFAULT_JOB_OPTIONS,
  QUEUE_NAMES,
  withTimeout,
  type JobPayloads,
  type QueueKit,
} from '../../../jobs/queues';
import type { Clock } from '../../shared/clock';
import { logger } from '../../shared/logger';
import { EVENT_TYPES, OutboxEvent, type EventType } from './event.entity';

/**
 * Events for integrations (spec: enrollment-coverage.md, "Events for integrations"), written
 * with a transactional outbox (STYLE.md): a module records an event in the same transaction as
 * the change it describes; the `events` queue fans it out to webhook subscriptions later.
 *
 * ## Emitting
 *
 * One event, inside your transaction:
 *
 * ```ts
 * await em.transactional(async (tx) => {
 *   claim.status = 'APPROVED';
 *   this.events.emit(tx, {
 *     type: 'CLAIM_STATUS_CHANGED',
 *     countyCode: claim.countyCode,
 *     payload: { claimId: claim.id, claimNumber: claim.claimNumber, from: 'SUBMITTED', to: 'APPROVED' },
 *   });
 * });
 * await this.events.dispatchSoon(); // after the commit, never inside the transaction
 * ```
 *
 * `emit` only persists the row with the transaction (like `audit.record`): the event exists if
 * and only if the change committed. `dispatchSoon()` is a nudge so webhooks go out within a
 * second instead of at the next 10-second tick; it never throws, and skipping it (or dying
 * before it) only delays the event.
 *
 * Set-based writers (roster import, renewals) may insert their events directly, in their own
 * transaction, with one `INSERT … SELECT`:
 *
 * ```sql
 * insert into outbox_event (type, county_code, payload)
 * select 'COVERAGE_STARTED', c.county_code,
 *        jsonb_build_object('coverageId', c.id, 'insuredId', c.insured_id, 'maskedId', i.masked_id,
 *                           'periodStart', c.period_start, 'periodEnd', c.period_end)
 *   from coverage c join insured i on i.id = c.insured_id
 *  where c.roster_import_id = ?;
 * ```
 *
 * then call `dispatchSoon()` after the commit. Columns: `type` (one of EVENT_TYPES),
 * `county_code` (6 digits: it decides which scoped integrations receive the event), `payload`
 * (jsonb); `occurred_at` defaults to now(), `dispatched_at` must stay null.
 *
 * ## What a payload may hold
 *
 * Ids and masked data only: never a national ID, a full name, a phone number or an account.
 * `emit` throws on anything shaped like an 18-character national ID as a safety net; a direct
 * INSERT has no such net, so build those payloads from ids and `masked_id` columns only.
 */
export interface EmitInput {
  type: EventType;
  /** 6-digit county code: scoped integrations receive only their counties' events. */
  countyCode: string;
  /** Ids and masked data only; JSON (no Dates, functions, …): it is sent as `data`. */
  payload: Record<string, unknown>;
}

/** A programming error: a payload carrying what must never leave the system. */
export class EventPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventPayloadError';
  }
}

/** Options for the delivery jobs a dispatch run enqueues (tests shorten the back-off). */
export interface DeliveryJobOptions {
  /** Attempts in all, the first included (default 8). */
  attempts: number;
  /** First retry after this many ms, doubling each time (default 30 s: the 8th try ~1 h after the first). */
  backoffMs: number;
}

export interface DispatchOptions {
  /** Events per transaction (default 500). */
  batchSize?: number;
  /** Batches per run at most (default 20); the next run carries on. */
  maxBatches?: number;
  delivery?: Partial<DeliveryJobOptions>;
}

export interface DispatchResult {
  /** Outbox events marked dispatched by this run. */
  events: number;
  /** Deliveries created by this run. */
  deliveries: number;
  /** Pending deliveries re-enqueued because their job may have been lost. */
  requeued: number;
}

export const DEFAULT_DELIVERY_JOB_OPTIONS: DeliveryJobOptions = { attempts: 8, backoffMs: 30_000 };

/**
 * A PENDING delivery that has not been attempted this long after it was created may have lost
 * its job (the dispatcher died between its commit and the enqueue): enqueue it again. Enqueuing
 * is idempotent by job id, so a delivery whose job merely waits in a backlog is not doubled.
 */
const REQUEUE_AFTER_MS = 60_000;
/** …but not once it is this old: its job has failed for good without recording it (kept 60 days). */
const REQUEUE_WITHIN_MS = 24 * 3600_000;
const REQUEUE_LIMIT = 1_000;

/** The nudge's deduplication id: at most one waiting dispatch (plus the one running). */
const DISPATCH_SOON_DEDUP_ID = 'events-dispatch-soon';

export const DISPATCH_JOB = 'dispatch-events' satisfies keyof JobPayloads['events'];
export const DELIVER_JOB = 'deliver-webhook' satisfies keyof JobPayloads['events'];

/** Anything shaped like a national ID (17 digits and a digit or X), not part of a longer number. */
const NATIONAL_ID_SHAPE = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])/;
const COUNTY_CODE = /^\d{6}$/;
const MAX_PAYLOAD_BYTES = 16_384;
/** At most one dispatch nudge per this many ms from one process (dispatchSoon). */
const NUDGE_GAP_MS = 200;

const log = logger.child({ component: 'events' });

/** Throws if the payload holds a national-ID-shaped string (in a value or a key) or is not plain JSON. */
export function assertSafePayload(payload: Record<string, unknown>): void {
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 20) throw new EventPayloadError(`event payload nested too deeply at ${path}`);
    if (value === null || typeof value === 'boolean') return;
    if (value === undefined) {
      // JSON would silently drop it; usually an id read before the entity was flushed.
      throw new EventPayloadError(`event payload ${path} is undefined (an id read before flush?)`);
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new EventPayloadError(`event payload ${path} is not a finite number`);
      }
      // The message names the path, never the value: it may be the very ID we are refusing.
      if (NATIONAL_ID_SHAPE.test(String(value))) {
        throw new EventPayloadError(
          `event payload ${path} looks like a national ID: payloads carry ids and masked data only`,
        );
      }
      if (typeof value === 'bigint')
        throw new EventPayloadError(`event payload ${path} is a bigint (use a string)`);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`, depth + 1));
      return;
    }
    if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [k, v] of Object.entries(value)) {
        if (NATIONAL_ID_SHAPE.test(k)) {
          throw new EventPayloadError(`event payload ${path} has a key that looks like a national ID`);
        }
        visit(v, `${path}.${k}`, depth + 1);
      }
      return;
    }
    throw new EventPayloadError(`event payload ${path} is not plain JSON (${typeof value})`);
  };
  visit(payload, 'payload', 0);
}

/** The outbox: emit inside a transaction, fan out to webhook deliveries in the `events` queue. */
export class EventService {
  constructor(
    private readonly queues: QueueKit,
    private readonly clock: Clock,
  ) {}

  /**
   * Records an event in the caller's transaction (persisted by its flush, like audit events).
   * Throws EventPayloadError — aborting the caller's transaction — on an unknown type, a bad
   * county code or a payload that is not plain JSON or holds a national-ID-shaped string.
   */
  emit(tx: EntityManager, input: EmitInput): OutboxEvent {
    if (!(EVENT_TYPES as readonly string[]).includes(input.type)) {
      throw new EventPayloadError(`unknown event type "${String(input.type)}"`);
    }
    if (!COUNTY_CODE.test(input.countyCode))
      throw new EventPayloadError('countyCode must be a 6-digit county code');
    if (!input.payload || typeof input.payload !== 'object' || Array.isArray(input.payload)) {
      throw new EventPayloadError('event payload must be an object');
    }
    assertSafePayload(input.payload);
    if (Buffer.byteLength(JSON.stringify(input.payload), 'utf8') > MAX_PAYLOAD_BYTES) {
      throw new EventPayloadError(
        `event payload is larger than ${MAX_PAYLOAD_BYTES} bytes: send ids, not documents`,
      );
    }
    return tx.create(OutboxEvent, {
      type: input.type,
      countyCode: input.countyCode,
      payload: input.payload,
      occurredAt: this.clock.now(),
      dispatchedAt: null,
    });
  }

  /**
   * Asks for a dispatch run now (call it after your transaction has committed). Deduplicated:
   * however many callers nudge, at most one run waits while another is active. Never throws —
   * the change has committed, and the 10-second schedule picks the events up anyway.
   *
   * Throttled in the process too, so a burst of claims does not become a queue write each:
   * a call nudges at once when no nudge is on its way and the last one started at least
   * NUDGE_GAP_MS ago; otherwise it returns at once and one more nudge follows when the gap
   * has passed (after any nudge in flight has landed, so an event committed during it is
   * covered). Webhooks still go out well within a second.
   */
  async dispatchSoon(): Promise<void> {
    if (this.nudging || this.nudgeTimer || Date.now() - this.lastNudgeAt < NUDGE_GAP_MS) {
      this.nudgeAgain = true;
      if (!this.nudging) this.scheduleNudge();
      return;
    }
    await this.runNudge();
  }

  /** Stops a pending nudge and waits for one in flight (before the queues close). */
  async close(): Promise<void> {
    if (this.nudgeTimer) clearTimeout(this.nudgeTimer);
    this.nudgeTimer = null;
    this.nudgeAgain = false;
    await this.inFlight;
  }

  private nudging = false;
  private nudgeAgain = false;
  private lastNudgeAt = 0;
  private nudgeTimer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  private scheduleNudge(): void {
    if (this.nudgeTimer) return;
    const wait = Math.max(0, this.lastNudgeAt + NUDGE_GAP_MS - Date.now());
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = null;
      void this.runNudge();
    }, wait);
    this.nudgeTimer.unref();
  }

  private async runNudge(): Promise<void> {
    this.nudging = true;
    this.nudgeAgain = false;
    this.lastNudgeAt = Date.now();
    this.inFlight = this.nudge();
    try {
      await this.inFlight;
    } finally {
      this.nudging = false;
      if (this.nudgeAgain) this.scheduleNudge();
    }
  }

  private async nudge(): Promise<void> {
    try {
      const data: JobPayloads['events']['dispatch-events'] = {};
      await withTimeout(
        this.queues.queue(QUEUE_NAMES.events).add(DISPATCH_JOB, data, {
          ...DEFAULT_JOB_OPTIONS,
          removeOnComplete: true,
          removeOnFail: { age: 24 * 3600, count: 100 },
          deduplication: { id: DISPATCH_SOON_DEDUP_ID, keepLastIfActive: true },
        }),
        this.queues.timeoutMs,
        'queue backend',
      );
    } catch (err) {
      log.warn(
        { err: { message: (err as Error).message } },
        'dispatchSoon failed; the schedule will dispatch',
      );
    }
  }

  /**
   * One dispatch run: batches of undispatched events in id order, each batch in one
   * transaction (rows locked with SKIP LOCKED, so concurrent runs take different events),
   * fanned out to one delivery per matching subscription and marked dispatched; the
   * deliveries' jobs are enqueued after each commit. Finally re-enqueues pending deliveries
   * whose job may have been lost. Safe to run twice and concurrently.
   */
  async dispatchPending(em: EntityManager, opts: DispatchOptions = {}): Promise<DispatchResult> {
    const batchSize = opts.batchSize ?? 500;
    const maxBatches = opts.maxBatches ?? 20;
    const jobOpts = { ...DEFAULT_DELIVERY_JOB_OPTIONS, ...opts.delivery };
    const result: DispatchResult = { events: 0, deliveries: 0, requeued: 0 };
    for (let i = 0; i < maxBatches; i++) {
      const batch = await this.dispatchBatch(em.fork(), batchSize);
      result.events += batch.events;
      result.deliveries += batch.deliveries.length;
      await this.enqueueDeliveries(batch.deliveries, jobOpts);
      if (batch.events < batchSize) break;
    }
    result.requeued = await this.requeueStale(em.fork(), jobOpts);
    return result;
  }

  /**
   * Fans one batch out. The `INSERT … SELECT` keeps, per event, the active subscriptions to its
   * type whose owner token is live and whose scope includes the event's county (the same rule
   * as `inScope`: unscoped, or the county listed, or its province listed). The unique
   * (subscription_id, event_id) makes a repeat a no-op.
   */
  async dispatchBatch(
    em: EntityManager,
    limit: number,
  ): Promise<{ events: number; deliveries: { id: string; countyCode: string }[] }> {
    const now = this.clock.now();
    return em.transactional(async (tx) => {
      const rows = await tx
        .getConnection()
        .execute<{ events: string; deliveries: { id: string; countyCode: string }[] | null }[]>(
          `with batch as materialized (
           select id, type, county_code from outbox_event
            where dispatched_at is null
            order by id
            limit ?
            for update skip locked
         ), created as (
           insert into webhook_delivery (subscription_id, event_id, status, attempts, attempt_log, created_at)
           select s.id, b.id, 'PENDING', 0, '[]'::jsonb, ?
             from batch b
             join webhook_subscription s on s.active and b.type = any (s.event_types)
             join api_token t on t.id = s.owner_token_id
            where t.revoked_at is null
              and (t.expires_at is null or t.expires_at > ?)
              and ((cardinality(t.county_codes) = 0 and cardinality(t.province_codes) = 0)
                   or b.county_code = any (t.county_codes)
                   or left(b.county_code, 2) = any (t.province_codes))
            order by b.id, s.id
           on conflict (subscription_id, event_id) do nothing
           returning id, event_id
         ), marked as (
           update outbox_event e set dispatched_at = ? from batch b where e.id = b.id returning e.id
         )
         select (select count(*) from marked) as events,
                (select json_agg(json_build_object('id', c.id::text, 'countyCode', b.county_code) order by c.id)
                   from created c join batch b on b.id = c.event_id) as deliveries`,
          [limit, now, now, now],
          'all',
          tx.getTransactionContext(),
        );
      const row = rows[0]!;
      return { events: Number(row.events), deliveries: row.deliveries ?? [] };
    });
  }

  private async enqueueDeliveries(
    deliveries: { id: string; countyCode: string }[],
    jobOpts: DeliveryJobOptions,
  ): Promise<void> {
    if (!deliveries.length) return;
    const queue = this.queues.queue(QUEUE_NAMES.events);
    for (let i = 0; i < deliveries.length; i += 500) {
      await queue.addBulk(
        deliveries.slice(i, i + 500).map((d) => {
          const data: JobPayloads['events']['deliver-webhook'] = {
            deliveryId: d.id,
            countyCode: d.countyCode,
          };
          return { name: DELIVER_JOB, data, opts: deliveryJobOptions(d.id, jobOpts) };
        }),
      );
    }
  }

  /** Pending, never-attempted deliveries older than a minute: their job may be lost. */
  private async requeueStale(em: EntityManager, jobOpts: DeliveryJobOptions): Promise<number> {
    const now = this.clock.now().getTime();
    const before = new Date(now - REQUEUE_AFTER_MS);
    const since = new Date(now - REQUEUE_WITHIN_MS);
    const rows = await em.getConnection().execute<{ id: string; county_code: string }[]>(
      `select d.id::text as id, e.county_code
         from webhook_delivery d join outbox_event e on e.id = d.event_id
        where d.status = 'PENDING' and d.attempts = 0 and d.created_at < ? and d.created_at > ?
        order by d.id
        limit ?`,
      [before, since, REQUEUE_LIMIT],
    );
    await this.enqueueDeliveries(
      rows.map((r) => ({ id: r.id, countyCode: r.county_code })),
      jobOpts,
    );
    return rows.length;
  }
}

/** Job options of one delivery: deterministic id (a second enqueue is a no-op), retries with back-off. */
export function deliveryJobOptions(deliveryId: string, o: DeliveryJobOptions): JobsOptions {
  return {
    ...DEFAULT_JOB_OPTIONS,
    jobId: `delivery-${deliveryId}`,
    attempts: o.attempts,
    backoff: { type: 'exponential', delay: o.backoffMs },
  };
}
