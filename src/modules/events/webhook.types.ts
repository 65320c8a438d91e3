import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import {
  DeliveryStatus,
  type EventType,
  type WebhookDelivery,
  type WebhookSubscription,
} from './event.entity';
import type { DeliveryAttempt } from './webhook.service';

/** The event types as a GraphQL enum (the entity keeps the list; this object must name each once). */
export const WebhookEventType = {
  COVERAGE_STARTED: 'COVERAGE_STARTED',
  COVERAGE_ENDED: 'COVERAGE_ENDED',
  CLAIM_STATUS_CHANGED: 'CLAIM_STATUS_CHANGED',
} as const satisfies { [K in EventType]: K };

registerEnumType(WebhookEventType, {
  name: 'WebhookEventType',
  description: 'What happened; sent as the `type` of a webhook body and the `X-Pillar-Event` header.',
  valuesConfig: {
    COVERAGE_STARTED: { description: 'A coverage began (roster import or mid-year addition).' },
    COVERAGE_ENDED: {
      description: 'A coverage ended (deceased, moved, no longer eligible, replaced roster).',
    },
    CLAIM_STATUS_CHANGED: { description: 'A claim moved to another status.' },
  },
});

registerEnumType(DeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook delivery is.',
  valuesConfig: {
    PENDING: { description: 'Not yet answered with 2xx; attempts remain (retried with back-off).' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: {
      description: 'Given up: every attempt failed, or the subscription was deactivated before sending.',
    },
  },
});

@ObjectType('WebhookSubscription', {
  description:
    'A subscription of a token to events, delivered as signed webhooks (its secret is shown only once, at creation). ' +
    'A scoped token receives only events of its counties.',
})
export class WebhookSubscriptionType {
  @Field(() => ID, { description: 'Subscription id.' })
  id!: string;

  @Field({ description: 'Where events are POSTed.' })
  url!: string;

  @Field(() => [WebhookEventType], { description: 'Event types delivered.' })
  eventTypes!: EventType[];

  @Field({ description: 'False once deactivated: nothing more is sent.' })
  active!: boolean;

  @Field(() => ID, { description: 'Id of the token that owns it (its scope limits the events).' })
  ownerTokenId!: string;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;
}

export const WebhookSubscriptionConnection = ConnectionType(WebhookSubscriptionType, 'WebhookSubscription');

export function toWebhookSubscriptionType(s: WebhookSubscription): WebhookSubscriptionType {
  return {
    id: String(s.id),
    url: s.url,
    eventTypes: s.eventTypes,
    active: s.active,
    ownerTokenId: String(s.ownerTokenId),
    createdAt: s.createdAt,
  };
}

@ObjectType('WebhookAttempt', { description: 'One attempt at a delivery.' })
export class WebhookAttemptType {
  @Field(() => Date, { description: 'When the attempt started.' })
  at!: Date;

  @Field(() => Int, {
    nullable: true,
    description: 'HTTP status the receiver answered; null when it did not answer.',
  })
  httpStatus!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'What went wrong (e.g. "HTTP 500", "ECONNREFUSED: …", a timeout); null on success.',
  })
  error!: string | null;

  @Field(() => Int, { description: 'How long the attempt took, in milliseconds.' })
  durationMs!: number;
}

@ObjectType('WebhookDelivery', {
  description: 'One event sent (or being sent) to one subscription, with its attempts.',
})
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'Delivery id, sent as `X-Pillar-Delivery`.' })
  id!: string;

  @Field(() => ID, { description: "Event id, sent as the body's `id` (the same for every subscription)." })
  eventId!: string;

  @Field(() => WebhookEventType, { description: 'Event type.' })
  eventType!: EventType;

  @Field({ description: 'County the event concerns.' })
  countyCode!: string;

  @Field(() => Date, { description: 'When the event happened.' })
  occurredAt!: Date;

  @Field(() => DeliveryStatus, { description: 'Where the delivery is.' })
  status!: DeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attemptCount!: number;

  @Field(() => [WebhookAttemptType], { description: 'Every attempt, oldest first.' })
  attempts!: WebhookAttemptType[];

  @Field(() => Date, { description: 'When the delivery was created (the event fanned out).' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the receiver answered 2xx.' })
  deliveredAt!: Date | null;
}

export const WebhookDeliveryConnection = ConnectionType(WebhookDeliveryType, 'WebhookDelivery');

export function toWebhookDeliveryType(d: WebhookDelivery): WebhookDeliveryType {
  return {
    id: String(d.id),
    eventId: String(d.event.id),
    eventType: d.event.type,
    countyCode: d.event.countyCode,
    occurredAt: d.event.occurredAt,
    status: d.status,
    attemptCount: d.attempts,
    attempts: (d.attemptLog as unknown as DeliveryAttempt[]).map((a) => ({
      at: new Date(a.at),
      httpStatus: a.httpStatus ?? null,
      error: a.error ?? null,
      durationMs: a.durationMs ?? 0,
    })),
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt ?? null,
  };
}

@InputType({ description: 'A new webhook subscription for the calling token.' })
export class CreateWebhookSubscriptionInput {
  @Field({
    description:
      'Where to POST events: an http(s) URL without user name, password or #fragment (https only in production).',
  })
  url!: string;

  @Field(() => [WebhookEventType], { description: 'Event types to receive (at least one).' })
  eventTypes!: EventType[];
}

@ObjectType({ description: 'A created subscription and its signing secret, shown this once.' })
export class CreateWebhookSubscriptionPayload {
  @Field(() => WebhookSubscriptionType, { description: 'The subscription.' })
  subscription!: WebhookSubscriptionType;

  @Field({
    description:
      'The signing secret (`whsec_…`): store it now, it cannot be shown again. Verify `X-Pillar-Signature` ' +
      '(`t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>.<raw body>" keyed with this secret>`), refusing `t` more than 5 minutes away.',
  })
  secret!: string;
}

@InputType({ description: 'Deactivates a subscription.' })
export class DeleteWebhookSubscriptionInput {
  @Field(() => ID, { description: 'Subscription id.' })
  id!: string;
}

@ObjectType({ description: 'The subscription as it now stands.' })
export class WebhookSubscriptionPayload {
  @Field(() => WebhookSubscriptionType, { description: 'The subscription.' })
  subscription!: WebhookSubscriptionType;
}
