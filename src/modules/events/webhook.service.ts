import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
  type PageInput,
} from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { badInput, forbidden, notFound } from '../../shared/errors';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import type { PiiService } from '../enrollment/pii.service';
import {
  DeliveryStatus,
  EVENT_TYPES,
  WebhookDelivery,
  WebhookSubscription,
  type EventType,
} from './event.entity';

/**
 * Webhooks: integrations subscribe to event types; each event is POSTed to them as JSON,
 * signed, retried with back-off by the `events` queue, and every attempt is logged.
 *
 * ## What a receiver gets
 *
 * `POST <url>` with `content-type: application/json` and the body
 * `{"id":"<event id>","type":"CLAIM_STATUS_CHANGED","occurredAt":"2020-03-02T02:00:00.000Z","countyCode":"513432","data":{…}}`
 * (ids and masked data only), plus headers
 *
 * - `X-Pillar-Event`: the event type;
 * - `X-Pillar-Delivery`: the delivery id (the same on every retry of this delivery);
 * - `X-Pillar-Timestamp`: Unix seconds when this attempt was signed;
 * - `X-Pillar-Signature`: `t=<timestamp>,v1=<hex HMAC-SHA-256>` (Stripe-style).
 *
 * ## How a receiver verifies (see `verifyWebhookSignature`)
 *
 * 1. Take the raw request body bytes, before any JSON parsing or re-serialising.
 * 2. Split the signature header on `,`; read `t` and every `v1` (more than one may appear).
 * 3. Compute `HMAC-SHA-256(key = the subscription secret as UTF-8 — the whole `whsec_…` string,
 *    message = "<t>.<raw body>")` as lower-case hex; compare it with each `v1` in constant time.
 * 4. Refuse when `|now − t|` exceeds the replay window, 5 minutes (SIGNATURE_TOLERANCE_SECONDS):
 *    a captured request cannot be replayed later, since changing `t` breaks the signature.
 * 5. Answer 2xx within 10 seconds, then process. Anything else (or no answer) is retried with
 *    exponential back-off, 8 attempts over about an hour; after the last the delivery is FAILED.
 *    Deliveries are at-least-once and not ordered: de-duplicate on the body's `id` (or
 *    `X-Pillar-Delivery`) and order by `occurredAt`.
 *
 * ## URLs
 *
 * `http` or `https` with no user name or password in it and no `#fragment`; in production only
 * `https`, and not a literal loopback, private, link-local or unspecified IP address or
 * `localhost`. Host names are not resolved at subscription time (DNS can change afterwards):
 * run the worker behind an egress proxy that refuses internal destinations.
 */

/** Replay window a receiver should apply to `t` (seconds either way). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** A receiver that has not answered within this is a failed attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;

const SECRET_PREFIX = 'whsec_';
const MAX_URL_LENGTH = 2048;
const MAX_ERROR_LENGTH = 300;

/** Lower-case hex HMAC-SHA-256 of `"<timestamp>.<body>"` under the secret (UTF-8 bytes). */
export function webhookSignatureHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.${body}`, 'utf8')
    .digest('hex');
}

/** The `X-Pillar-Signature` header value: `t=<timestamp>,v1=<hex>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new RangeError('timestamp must be Unix seconds');
  return `t=${timestamp},v1=${webhookSignatureHex(secret, timestamp, body)}`;
}

/**
 * What a receiver does (and what our tests do): true when one `v1` of the header matches the
 * raw body under the secret and `t` is within `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,15}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (t === undefined || !candidates.length) return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignatureHex(secret, t, rawBody), 'hex');
  return candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
}

// Literal addresses a production webhook may not point at (SSRF into our own network).
const FORBIDDEN_ADDRESSES = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  FORBIDDEN_ADDRESSES.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  FORBIDDEN_ADDRESSES.addSubnet(net, prefix, 'ipv6');
}

/**
 * Checks a subscription URL and returns it normalised (WHATWG URL serialisation). Errors are
 * BAD_USER_INPUT on field `url`.
 */
export function validateWebhookUrl(raw: string, opts: { production: boolean }): string {
  const text = raw.trim();
  if (!text) throw badInput('url', 'must not be empty');
  if (text.length > MAX_URL_LENGTH) throw badInput('url', `must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput('url', 'must be an absolute URL such as https://example.org/pillar-events');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('url', 'must be an http(s) URL');
  if (opts.production && url.protocol !== 'https:') throw badInput('url', 'must be an https URL');
  if (url.username || url.password) {
    throw badInput(
      'url',
      'must not contain a user name or password: requests are authenticated by their signature',
    );
  }
  if (url.hash || text.includes('#'))
    throw badInput('url', 'must not contain a #fragment (it is never sent)');
  if (!url.hostname) throw badInput('url', 'must name a host');
  if (opts.production) {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const family = isIP(host);
    if (
      host === 'localhost' ||
      host.endsWith('.localhost') ||
      (family === 4 && FORBIDDEN_ADDRESSES.check(host, 'ipv4')) ||
      (family === 6 && (FORBIDDEN_ADDRESSES.check(host, 'ipv6') || /^::ffff:/.test(host)))
    ) {
      throw badInput('url', 'must not point at a loopback, private or link-local address');
    }
  }
  return url.href;
}

export interface CreateSubscriptionInput {
  url: string;
  eventTypes: EventType[];
}

/** One entry of a delivery's attempt log (jsonb, append-only). */
export interface DeliveryAttempt {
  /** When the attempt started (ISO instant). */
  at: string;
  /** HTTP status answered, or null when none (timeout, refused, not sent). */
  httpStatus: number | null;
  /** What went wrong, when something did; null on a 2xx. */
  error: string | null;
  durationMs: number;
}

/**
 * What one attempt came to. RETRY: failed, attempts remain (still PENDING). FAILED: failed on
 * the last attempt. NOT_SENT: the subscription was deactivated (or its token revoked) before
 * sending — marked FAILED without a request. SKIPPED: no longer PENDING (a repeated job).
 */
export type DeliverOutcome =
  | { outcome: 'DELIVERED'; httpStatus: number }
  | { outcome: 'RETRY' | 'FAILED' | 'NOT_SENT'; error: string }
  | { outcome: 'SKIPPED'; status: string };

interface DeliveryRow {
  id: string;
  status: string;
  subscription_id: number;
  url: string;
  secret_ciphertext: string;
  active: boolean;
  revoked_at: Date | null;
  expires_at: Date | null;
  event_id: string;
  type: EventType;
  county_code: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/** Subscriptions (own; ADMIN sees all), their delivery log, and the delivery of one attempt. */
export class WebhookService {
  constructor(
    private readonly pii: PiiService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly settings: { production: boolean; timeoutMs?: number },
  ) {}

  /** ADMIN (and the system) see every subscription; anyone else only those of their own token. */
  private ownWhere(actor: Actor): Record<string, unknown> {
    if (actor.role === 'ADMIN' || actor.role === 'SYSTEM') return {};
    return { ownerTokenId: actor.tokenId ?? -1 };
  }

  /**
   * Subscribes the caller's token. The signing secret is generated here, stored encrypted with
   * the PII keyring and returned this once. Events reach it only for counties in the token's
   * scope (applied when events are fanned out).
   */
  async create(
    em: EntityManager,
    actor: Actor,
    input: CreateSubscriptionInput,
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    if (actor.tokenId === null) throw forbidden('a subscription belongs to a token');
    const url = validateWebhookUrl(input.url, { production: this.settings.production });
    const eventTypes = [...new Set(input.eventTypes)];
    if (!eventTypes.length) throw badInput('eventTypes', 'choose at least one event type');
    for (const t of eventTypes) {
      if (!(EVENT_TYPES as readonly string[]).includes(t))
        throw badInput('eventTypes', `unknown event type "${t}"`);
    }
    const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
    return em.transactional(async (tx) => {
      const subscription = tx.create(WebhookSubscription, {
        ownerTokenId: actor.tokenId!,
        url,
        eventTypes: EVENT_TYPES.filter((t) => eventTypes.includes(t)),
        secretCiphertext: this.pii.encryptSecret(secret),
        createdAt: this.clock.now(),
      });
      await tx.flush();
      const u = new URL(url);
      this.audit.record(tx, actor, {
        entityType: 'WebhookSubscription',
        entityId: subscription.id,
        action: 'CREATE',
        toState: 'ACTIVE',
        // The query string is left out: some receivers put a key there.
        changes: { url: `${u.origin}${u.pathname}`, eventTypes: subscription.eventTypes },
      });
      return { subscription, secret };
    });
  }

  async list(em: EntityManager, actor: Actor, page?: PageInput): Promise<Connection<WebhookSubscription>> {
    const limit = pageSize(page);
    const where = this.ownWhere(actor);
    const after = page?.after ? idCursor(page.after) : undefined;
    const totalCount = await em.count(WebhookSubscription, where);
    const rows = await em.find(
      WebhookSubscription,
      after ? { $and: [where, { id: { $gt: Number(after) } }] } : where,
      {
        orderBy: { id: 'asc' },
        limit: limit + 1,
      },
    );
    return toConnection(
      rows,
      limit,
      totalCount,
      (s) => s.id,
      (s) => s,
      Boolean(after),
    );
  }

  async get(em: EntityManager, actor: Actor, id: number): Promise<WebhookSubscription> {
    const subscription = await em.findOne(WebhookSubscription, { $and: [{ id }, this.ownWhere(actor)] });
    if (!subscription) throw notFound('WebhookSubscription', id);
    return subscription;
  }

  /**
   * Deactivates a subscription (the API's "delete"): no new deliveries, pending ones are not
   * sent; the subscription and its delivery log stay readable. Repeating it changes nothing.
   */
  async deactivate(em: EntityManager, actor: Actor, id: number): Promise<WebhookSubscription> {
    return em.transactional(async (tx) => {
      const subscription = await tx.findOne(WebhookSubscription, { $and: [{ id }, this.ownWhere(actor)] });
      if (!subscription) throw notFound('WebhookSubscription', id);
      if (subscription.active) {
        subscription.active = false;
        this.audit.record(tx, actor, {
          entityType: 'WebhookSubscription',
          entityId: subscription.id,
          action: 'DEACTIVATE',
          fromState: 'ACTIVE',
          toState: 'INACTIVE',
        });
      }
      return subscription;
    });
  }

  /** A subscription's deliveries, newest first, each with its event and attempt log. */
  async deliveries(
    em: EntityManager,
    actor: Actor,
    subscriptionId: number,
    page?: PageInput,
  ): Promise<Connection<WebhookDelivery>> {
    const limit = pageSize(page);
    await this.get(em, actor, subscriptionId);
    const where = { subscription: subscriptionId };
    const after = page?.after ? idCursor(page.after) : undefined;
    const totalCount = await em.count(WebhookDelivery, where);
    const rows = await em.find(WebhookDelivery, after ? { ...where, id: { $lt: after } } : where, {
      populate: ['event'],
      orderBy: { id: 'desc' },
      limit: limit + 1,
    });
    return toConnection(
      rows,
      limit,
      totalCount,
      (d) => d.id,
      (d) => d,
      Boolean(after),
    );
  }

  /**
   * One attempt at one delivery: POST, then append the attempt to its log in one UPDATE.
   * `final` says this is the job's last attempt: a failure then marks the delivery FAILED.
   * A delivery that is no longer PENDING is left alone (a repeated job is a no-op); one whose
   * subscription was deactivated, or whose token was revoked or expired, is not sent.
   */
  async deliver(em: EntityManager, deliveryId: string, attempt: { final: boolean }): Promise<DeliverOutcome> {
    const conn = em.getConnection();
    const [row] = await conn.execute<DeliveryRow[]>(
      `select d.id::text as id, d.status, s.id as subscription_id, s.url, s.secret_ciphertext, s.active,
              t.revoked_at, t.expires_at, e.id::text as event_id, e.type, e.county_code, e.payload, e.occurred_at
         from webhook_delivery d
         join webhook_subscription s on s.id = d.subscription_id
         join outbox_event e on e.id = d.event_id
         left join api_token t on t.id = s.owner_token_id
        where d.id = ?`,
      [deliveryId],
    );
    if (!row) return { outcome: 'SKIPPED', status: 'MISSING' };
    if (row.status !== DeliveryStatus.PENDING) return { outcome: 'SKIPPED', status: row.status };

    const startedAt = this.clock.now();
    const tokenLive =
      row.revoked_at === null &&
      (row.expires_at === null || new Date(row.expires_at).getTime() > startedAt.getTime());
    if (!row.active || !tokenLive) {
      const error = row.active
        ? 'not sent: the subscription token is revoked or expired'
        : 'not sent: the subscription is deactivated';
      await this.record(em, deliveryId, DeliveryStatus.FAILED, {
        at: startedAt.toISOString(),
        httpStatus: null,
        error,
        durationMs: 0,
      });
      return { outcome: 'NOT_SENT', error };
    }

    const body = JSON.stringify({
      id: row.event_id,
      type: row.type,
      occurredAt: new Date(row.occurred_at).toISOString(),
      countyCode: row.county_code,
      data: row.payload,
    });
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const secret = this.pii.decryptSecret(row.secret_ciphertext);
    const timeoutMs = this.settings.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    const t0 = performance.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Pillar-Webhooks/1',
          'x-pillar-event': row.type,
          'x-pillar-delivery': row.id,
          'x-pillar-timestamp': String(timestamp),
          'x-pillar-signature': signWebhook(secret, timestamp, body),
        },
        body,
        // A redirect could lead anywhere (an internal address): it is a failed attempt.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      httpStatus = res.status || null;
      // Nothing is read from the answer; free the connection.
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) {
        error =
          res.status >= 300 && res.status < 400
            ? `redirect (HTTP ${res.status}) not followed`
            : `HTTP ${res.status}`;
        if (!res.status) error = 'redirect not followed';
      }
    } catch (err) {
      error = describeFetchError(err, timeoutMs);
    }
    const entry: DeliveryAttempt = {
      at: startedAt.toISOString(),
      httpStatus,
      error,
      durationMs: Math.round(performance.now() - t0),
    };
    if (error === null) {
      await this.record(em, deliveryId, DeliveryStatus.DELIVERED, entry);
      return { outcome: 'DELIVERED', httpStatus: httpStatus! };
    }
    await this.record(em, deliveryId, attempt.final ? DeliveryStatus.FAILED : DeliveryStatus.PENDING, entry);
    return { outcome: attempt.final ? 'FAILED' : 'RETRY', error };
  }

  /** Appends one attempt and sets the status, only while the delivery is still PENDING. */
  private async record(
    em: EntityManager,
    deliveryId: string,
    status: DeliveryStatus,
    entry: DeliveryAttempt,
  ): Promise<void> {
    await em.getConnection().execute(
      `update webhook_delivery
          set attempts = attempts + 1,
              attempt_log = attempt_log || ?::jsonb,
              status = ?,
              delivered_at = case when ? = 'DELIVERED' then ?::timestamptz else delivered_at end
        where id = ? and status = 'PENDING'`,
      [JSON.stringify([entry]), status, status, this.clock.now(), deliveryId],
    );
  }
}

function idCursor(cursor: string): string {
  const key = decodeCursor(cursor);
  if (!/^[1-9]\d{0,18}$/.test(key)) throw badInput('page.after', 'not a cursor of this list');
  return key;
}

/** A short, useful reason for a failed request (the receiver's owner reads it in the log). */
function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause;
  const text = cause?.code
    ? `${cause.code}${cause.message ? `: ${cause.message}` : ''}`
    : (e?.message ?? String(err));
  return text.slice(0, MAX_ERROR_LENGTH);
}
