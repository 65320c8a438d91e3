// Safe to repeat. Dispatch: events are taken with FOR UPDATE SKIP LOCKED and marked dispatched
// in the same transaction that creates their deliveries, and webhook_delivery is unique per
// (subscription, event), so a second or concurrent run creates nothing twice; delivery jobs
// have the deterministic id `delivery-<id>`, so enqueuing again is a no-op. Delivery: a
// delivery that is no longer PENDING is skipped, and each attempt is appended only while it is
// still PENDING — a repeated job never sends a delivered event again (receivers still
// de-duplicate by event id: a crash between the POST and the UPDATE means one more POST).
import type { Job } from 'bullmq';
import type { DispatchResult } from '../../src/modules/events/event.service';
import type { DeliverOutcome } from '../../src/modules/events/webhook.service';
import type { JobPayloads } from '../queues';
import type { JobDeps } from './index';

export type DispatchEventsJob = JobPayloads['events']['dispatch-events'];
export type DeliverWebhookJob = JobPayloads['events']['deliver-webhook'];

/** Fans undispatched outbox events out to deliveries and enqueues their jobs (every 10 s, and nudged). */
export async function execDispatchEvents(
  _job: Job<DispatchEventsJob, DispatchResult>,
  deps: JobDeps,
): Promise<DispatchResult> {
  return deps.services.events.dispatchPending(deps.orm.em.fork());
}

/**
 * One attempt at one delivery. A failed attempt throws, so BullMQ retries it with the job's
 * exponential back-off; on the job's last attempt the delivery is marked FAILED first.
 */
export async function execDeliverWebhook(
  job: Job<DeliverWebhookJob, DeliverOutcome>,
  deps: JobDeps,
): Promise<DeliverOutcome> {
  const attempt = Math.max(job.attemptsStarted ?? 0, (job.attemptsMade ?? 0) + 1);
  const final = attempt >= (job.opts.attempts ?? 1);
  const outcome = await deps.services.webhooks.deliver(deps.orm.em.fork(), job.data.deliveryId, { final });
  if (outcome.outcome === 'RETRY' || outcome.outcome === 'FAILED') {
    throw new Error(`webhook delivery ${job.data.deliveryId} attempt ${attempt} failed: ${outcome.error}`);
  }
  return outcome;
}
