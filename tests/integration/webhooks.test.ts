import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job } from 'bullmq';
import { seedReferenceData } from '../factories/reference';
import { makeNationalId } from '../../src/modules/enrollment/national-id';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { execDeliverWebhook, execDispatchEvents } from '../../jobs/processors/events';
import { registerSchedules, SCHEDULES } from '../../jobs/scheduler';
import { startWorkers, type WorkerHandle } from '../../jobs/worker';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import type { EventType } from '../../src/modules/events/event.entity';
import { EventPayloadError } from '../../src/modules/events/event.service';
import { verifyWebhookSignature, WebhookService } from '../../src/modules/events/webhook.service';

/** A real HTTP receiver on 127.0.0.1: records every request, answers per path from a script. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
class Receiver {
  readonly requests: Received[] = [];
  /** Statuses to answer per path, in order; the last one repeats. Default 200. 'hang' never answers. */
  readonly script = new Map<string, (number | 'hang')[]>();
  private server!: Server;
  private base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const plan = this.script.get(path) ?? [200];
        const status = plan.length > 1 ? plan.shift()! : plan[0]!;
        if (status === 'hang') return;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  to(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let h: Harness;
let receiver: Receiver;
let admin: string;
let integration: string;
let workers: WorkerHandle | undefined;

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  // The Redis prefix is per jest worker: drop what an earlier test file of this worker left.
  await h.rt.queues.queue('events').obliterate({ force: true });
  receiver = new Receiver();
  await receiver.start();
  admin = await h.token(Role.ADMIN);
  integration = await h.token(Role.INTEGRATION);
});

afterEach(async () => {
  await workers?.close();
  workers = undefined;
  // Each test starts from no active subscription, no undispatched event or pending delivery,
  // and an empty queue.
  await h.sql('update webhook_subscription set active = false');
  await h.sql('update outbox_event set dispatched_at = now() where dispatched_at is null');
  await h.sql(`update webhook_delivery set status = 'FAILED' where status = 'PENDING'`);
  await h.rt.queues.queue('events').obliterate({ force: true });
  receiver.requests.length = 0;
  receiver.script.clear();
  h.clock.set('2020-03-02T02:00:00Z');
});

afterAll(async () => {
  await receiver?.stop();
  if (h) for (const q of h.rt.queues.allQueues()) await q.obliterate({ force: true });
  await h?.close();
});

const SUBSCRIPTION_FIELDS = 'id url eventTypes active ownerTokenId createdAt';
const CREATE = `mutation Create($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { secret subscription { ${SUBSCRIPTION_FIELDS} } } }`;
const LIST = `query List($page: PageInput) { webhookSubscriptions(page: $page) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { ${SUBSCRIPTION_FIELDS} } } } }`;
const DELETE = `mutation Delete($input: DeleteWebhookSubscriptionInput!) {
  deleteWebhookSubscription(input: $input) { subscription { ${SUBSCRIPTION_FIELDS} } } }`;
const DELIVERIES = `query Deliveries($id: ID!, $page: PageInput) { webhookDeliveries(subscriptionId: $id, page: $page) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id eventId eventType countyCode occurredAt status attemptCount createdAt deliveredAt
    attempts { at httpStatus error durationMs } } } } }`;

const FAST = { attempts: 3, backoffMs: 50 };

async function subscribe(
  token: string,
  url: string,
  eventTypes: EventType[] = ['CLAIM_STATUS_CHANGED'],
): Promise<{ id: string; secret: string; ownerTokenId: string }> {
  const res = await h.gql(CREATE, { input: { url, eventTypes } }, token);
  expect(res.errors).toBeUndefined();
  const { secret, subscription } = res.data!.createWebhookSubscription;
  return { id: subscription.id, secret, ownerTokenId: subscription.ownerTokenId };
}

async function emit(type: EventType, countyCode: string, payload: Record<string, unknown>): Promise<string> {
  return h.em().transactional(async (tx) => {
    const event = h.rt.services.events.emit(tx, { type, countyCode, payload });
    await tx.flush();
    return event.id;
  });
}

async function deliveries(subscriptionId: string, token = admin): Promise<Record<string, any>[]> {
  const res = await h.gql(DELIVERIES, { id: subscriptionId }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.webhookDeliveries.edges.map((e: { node: unknown }) => e.node);
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deliveryWithStatus(subscriptionId: string, status: string): Promise<Record<string, any>> {
  return waitFor(`a ${status} delivery of subscription ${subscriptionId}`, async () =>
    (await deliveries(subscriptionId)).find((d) => d.status === status),
  );
}

const nowSeconds = (): number => Math.floor(h.clock.now().getTime() / 1000);

describe('subscriptions', () => {
  it('creates one for the calling token: the secret is returned once and stored encrypted', async () => {
    const res = await h.gql(
      CREATE,
      {
        input: {
          url: receiver.url('/hooks?k=1'),
          eventTypes: ['COVERAGE_ENDED', 'COVERAGE_STARTED', 'COVERAGE_ENDED'],
        },
      },
      integration,
    );
    expect(res.errors).toBeUndefined();
    const { secret, subscription } = res.data!.createWebhookSubscription;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(subscription).toMatchObject({
      url: receiver.url('/hooks?k=1'),
      eventTypes: ['COVERAGE_STARTED', 'COVERAGE_ENDED'],
      active: true,
      createdAt: '2020-03-02T02:00:00.000Z',
    });
    const [row] = await h.sql<{ secret_ciphertext: string }>(
      'select secret_ciphertext from webhook_subscription where id = $1',
      [subscription.id],
    );
    expect(row!.secret_ciphertext).toMatch(/^s1\.test\./);
    expect(row!.secret_ciphertext).not.toContain(secret);
    expect(h.rt.services.pii.decryptSecret(row!.secret_ciphertext)).toBe(secret);
    const audit = await h.sql(
      `select action, to_state, actor_role, changes from audit_event where entity_type = 'WebhookSubscription' and entity_id = $1`,
      [subscription.id],
    );
    expect(audit).toEqual([
      {
        action: 'CREATE',
        to_state: 'ACTIVE',
        actor_role: 'INTEGRATION',
        changes: { url: receiver.url('/hooks'), eventTypes: ['COVERAGE_STARTED', 'COVERAGE_ENDED'] },
      },
    ]);
    // Never shown again: the type has no secret field at all.
    const again = await h.gql(
      `query { webhookSubscriptions { edges { node { id secret } } } }`,
      {},
      integration,
    );
    expect(again.errors?.[0]?.message).toMatch(/secret/);
  });

  it('refuses bad URLs and empty event types with BAD_USER_INPUT on the field', async () => {
    for (const url of [
      'not a url',
      'ftp://example.org/x',
      'file:///etc/passwd',
      'https://user:secret@example.org/x',
      'https://example.org/x#frag',
      '',
    ]) {
      const res = await h.gql(CREATE, { input: { url, eventTypes: ['COVERAGE_STARTED'] } }, integration);
      expect({ url, ext: res.errors?.[0]?.extensions }).toMatchObject({
        url,
        ext: { code: 'BAD_USER_INPUT', field: 'url' },
      });
    }
    const none = await h.gql(CREATE, { input: { url: receiver.url('/x'), eventTypes: [] } }, integration);
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventTypes' });
    const unknown = await h.gql(
      CREATE,
      { input: { url: receiver.url('/x'), eventTypes: ['NOPE'] } },
      integration,
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await h.sql(`select id from webhook_subscription where url like '%/x'`)).toEqual([]);
  });

  it('an integration sees and deactivates only its own; ADMIN sees and deactivates all', async () => {
    const a = await h.token(Role.INTEGRATION);
    const b = await h.token(Role.INTEGRATION);
    const subA = await subscribe(a, receiver.url('/a'));
    const subB = await subscribe(b, receiver.url('/b'));
    const ids = async (token: string) =>
      (await h.gql(LIST, {}, token)).data!.webhookSubscriptions.edges.map((e: any) => e.node.id);
    expect(await ids(a)).toEqual([subA.id]);
    expect(await ids(b)).toEqual([subB.id]);
    expect(await ids(admin)).toEqual(expect.arrayContaining([subA.id, subB.id]));

    expect((await h.gql(DELIVERIES, { id: subA.id }, b)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await h.gql(DELETE, { input: { id: subA.id } }, b)).errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.gql(DELETE, { input: { id: 'x' } }, b)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });

    const own = await h.gql(DELETE, { input: { id: subB.id } }, b);
    expect(own.data!.deleteWebhookSubscription.subscription).toMatchObject({ id: subB.id, active: false });
    const byAdmin = await h.gql(DELETE, { input: { id: subA.id } }, admin);
    expect(byAdmin.data!.deleteWebhookSubscription.subscription).toMatchObject({
      id: subA.id,
      active: false,
    });
    // Repeating changes nothing (and audits nothing).
    await h.gql(DELETE, { input: { id: subA.id } }, admin);
    const audit = await h.sql(
      `select action, actor_role from audit_event where entity_type = 'WebhookSubscription' and entity_id = $1 order by id`,
      [subA.id],
    );
    expect(audit).toEqual([
      { action: 'CREATE', actor_role: 'INTEGRATION' },
      { action: 'DEACTIVATE', actor_role: 'ADMIN' },
    ]);
    // Still listed (with its delivery log), but nothing more is fanned out to it.
    const listed = (await h.gql(LIST, {}, a)).data!.webhookSubscriptions.edges[0].node;
    expect(listed).toMatchObject({ id: subA.id, active: false });
    await emit('CLAIM_STATUS_CHANGED', '513432', { claimId: 1 });
    await h.rt.services.events.dispatchPending(h.em(), { delivery: FAST });
    expect(await deliveries(subA.id)).toEqual([]);
  });

  it('pages the list', async () => {
    const token = await h.token(Role.INTEGRATION);
    const subs = [];
    for (const p of ['/p1', '/p2', '/p3']) subs.push(await subscribe(token, receiver.url(p)));
    const first = (await h.gql(LIST, { page: { first: 2 } }, token)).data!.webhookSubscriptions;
    expect(first.totalCount).toBe(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges.map((e: any) => e.node.id)).toEqual([subs[0]!.id, subs[1]!.id]);
    const rest = (await h.gql(LIST, { page: { first: 2, after: first.pageInfo.endCursor } }, token)).data!
      .webhookSubscriptions;
    expect(rest.edges.map((e: any) => e.node.id)).toEqual([subs[2]!.id]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });
});

describe('outbox', () => {
  it('emit is part of the caller transaction: a rollback leaves no event', async () => {
    const before = await h.sql<{ n: string }>('select count(*) as n from outbox_event');
    await expect(
      h.em().transactional(async (tx) => {
        h.rt.services.events.emit(tx, {
          type: 'COVERAGE_STARTED',
          countyCode: '513432',
          payload: { coverageId: 1 },
        });
        await tx.flush();
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await h.sql<{ n: string }>('select count(*) as n from outbox_event')).toEqual(before);
  });

  it('refuses a payload holding a national ID (and so aborts the caller transaction)', async () => {
    const id = makeNationalId('513432', '1980-05-17', 123, 'F');
    const before = await h.sql<{ n: string }>('select count(*) as n from outbox_event');
    let error: unknown;
    try {
      await h.em().transactional(async (tx) => {
        h.rt.services.events.emit(tx, {
          type: 'COVERAGE_STARTED',
          countyCode: '513432',
          payload: { coverageId: 2 },
        });
        h.rt.services.events.emit(tx, {
          type: 'COVERAGE_STARTED',
          countyCode: '513432',
          payload: { coverageId: 3, person: { nationalId: id } },
        });
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EventPayloadError);
    expect((error as Error).message).not.toContain(id);
    expect(await h.sql<{ n: string }>('select count(*) as n from outbox_event')).toEqual(before);
    expect(() =>
      h.rt.services.events.emit(h.em(), { type: 'COVERAGE_STARTED', countyCode: '5134', payload: {} }),
    ).toThrow(EventPayloadError);
  });

  it('dispatchSoon is deduplicated: many nudges, one waiting dispatch job', async () => {
    await Promise.all(Array.from({ length: 5 }, () => h.rt.services.events.dispatchSoon()));
    await h.rt.services.events.dispatchSoon();
    const waiting = await h.rt.queues.queue('events').getJobs(['waiting', 'delayed', 'prioritized']);
    expect(waiting.map((j) => j.name)).toEqual(['dispatch-events']);
  });

  it('dispatchSoon is throttled: nudges one after another are two queue writes, the last after them', async () => {
    const q = h.rt.queues.queue('events');
    const spy = jest.spyOn(q, 'add');
    try {
      await new Promise((r) => setTimeout(r, 250)); // past an earlier test's nudge
      for (let i = 0; i < 20; i++) await h.rt.services.events.dispatchSoon();
      expect(spy).toHaveBeenCalledTimes(1);
      await new Promise((r) => setTimeout(r, 400));
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('the dispatcher is scheduled every 10 seconds', async () => {
    const schedule = SCHEDULES.find((s) => s.queue === 'events');
    expect(schedule).toMatchObject({ id: 'events-dispatch', job: 'dispatch-events', cron: '*/10 * * * * *' });
    await registerSchedules(h.rt.queues, { tz: 'Asia/Shanghai' });
    const q = h.rt.queues.queue('events');
    const scheduler = await q.getJobScheduler('events-dispatch');
    expect(scheduler).toMatchObject({ name: 'dispatch-events', pattern: '*/10 * * * * *' });
    expect(scheduler!.next! - Date.now()).toBeLessThanOrEqual(10_000);
    for (const queue of h.rt.queues.allQueues()) {
      for (const s of await queue.getJobSchedulers(0, -1)) await queue.removeJobScheduler(s.key);
    }
  });
});

describe('dispatch', () => {
  it('fans out by type and by the owner token scope (county, province, none); revoked tokens get nothing', async () => {
    const county = await h.token(Role.INTEGRATION, { countyCodes: ['513432'] });
    const province = await h.token(Role.INTEGRATION, { provinceCodes: ['52'] });
    const unscoped = await h.token(Role.INTEGRATION);
    const revoked = await h.token(Role.INTEGRATION);
    const subs = {
      county: await subscribe(county, receiver.url('/county')),
      province: await subscribe(province, receiver.url('/province')),
      unscoped: await subscribe(unscoped, receiver.url('/unscoped')),
      admin: await subscribe(admin, receiver.url('/admin')),
      otherType: await subscribe(unscoped, receiver.url('/coverage'), ['COVERAGE_STARTED']),
      revoked: await subscribe(revoked, receiver.url('/revoked')),
    };
    await h.rt.services.tokens.revoke(h.em(), SYSTEM_ACTOR, Number(subs.revoked.ownerTokenId));
    for (const c of ['513432', '520521', '522631', '532624'])
      await emit('CLAIM_STATUS_CHANGED', c, { claimId: 10 });

    const result = await h.rt.services.events.dispatchPending(h.em(), { delivery: FAST });
    expect(result).toEqual({ events: 4, deliveries: 1 + 2 + 4 + 4, requeued: 0 });
    const countiesOf = async (key: keyof typeof subs, token: string) =>
      (await deliveries(subs[key].id, token)).map((d) => d.countyCode).sort();
    expect(await countiesOf('county', county)).toEqual(['513432']);
    expect(await countiesOf('province', province)).toEqual(['520521', '522631']);
    expect(await countiesOf('unscoped', unscoped)).toEqual(['513432', '520521', '522631', '532624']);
    expect(await countiesOf('admin', admin)).toEqual(['513432', '520521', '522631', '532624']);
    expect(await countiesOf('otherType', unscoped)).toEqual([]);
    expect(await countiesOf('revoked', admin)).toEqual([]);
  });

  it('is idempotent: twice, concurrently or with events reset gives one delivery per event and subscription', async () => {
    const one = await subscribe(integration, receiver.url('/one'));
    const two = await subscribe(admin, receiver.url('/two'));
    const events = [
      await emit('CLAIM_STATUS_CHANGED', '513432', { claimId: 21 }),
      await emit('CLAIM_STATUS_CHANGED', '520521', { claimId: 22 }),
      await emit('CLAIM_STATUS_CHANGED', '532624', { claimId: 23 }),
    ];
    const job = { data: {} } as Job<Record<string, never>, any>;
    const [a, b] = await Promise.all([execDispatchEvents(job, h.rt), execDispatchEvents(job, h.rt)]);
    expect(a.events + b.events).toBe(3);
    expect(a.deliveries + b.deliveries).toBe(6);
    expect(await execDispatchEvents(job, h.rt)).toEqual({ events: 0, deliveries: 0, requeued: 0 });

    // Even if events were somehow taken again, the unique (subscription, event) holds.
    await h.sql('update outbox_event set dispatched_at = null where id = any($1::bigint[])', [events]);
    expect(await h.rt.services.events.dispatchPending(h.em(), { batchSize: 2 })).toEqual({
      events: 3,
      deliveries: 0,
      requeued: 0,
    });
    const rows = await h.sql<{ subscription_id: number; event_id: string; n: string }>(
      `select subscription_id, event_id, count(*) as n from webhook_delivery
        where event_id = any($1::bigint[]) group by 1, 2 order by 1, 2`,
      [events],
    );
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.n === '1')).toBe(true);
    expect(new Set(rows.map((r) => String(r.subscription_id)))).toEqual(new Set([one.id, two.id]));
    // One job per delivery, with its deterministic id.
    const jobs = await h.rt.queues.queue('events').getJobs(['waiting', 'delayed', 'prioritized']);
    const deliveryIds = (
      await h.sql<{ id: string }>(
        'select id::text as id from webhook_delivery where event_id = any($1::bigint[]) order by id',
        [events],
      )
    ).map((r) => `delivery-${r.id}`);
    expect(jobs.map((j) => j.id).sort()).toEqual([...deliveryIds].sort());
  });

  it('never loses an event: a delivery whose job was lost after the commit is enqueued again later', async () => {
    const sub = await subscribe(integration, receiver.url('/lost'));
    await emit('CLAIM_STATUS_CHANGED', '513432', { claimId: 31 });
    // The dispatcher commits its batch, then dies before enqueuing the delivery's job.
    const batch = await h.rt.services.events.dispatchBatch(h.em(), 100);
    expect(batch.deliveries).toHaveLength(1);
    const jobId = `delivery-${batch.deliveries[0]!.id}`;
    expect(await h.rt.queues.queue('events').getJob(jobId)).toBeUndefined();
    // A minute later the next run (the 10-second schedule) enqueues it.
    expect((await h.rt.services.events.dispatchPending(h.em())).requeued).toBe(0);
    h.clock.set('2020-03-02T02:01:30Z');
    expect(await h.rt.services.events.dispatchPending(h.em(), { delivery: FAST })).toEqual({
      events: 0,
      deliveries: 0,
      requeued: 1,
    });
    expect(await h.rt.queues.queue('events').getJob(jobId)).toBeDefined();
    workers = await startWorkers(h.rt, { queues: ['events'] });
    expect(await deliveryWithStatus(sub.id, 'DELIVERED')).toMatchObject({ attemptCount: 1 });
    expect(receiver.to('/lost')).toHaveLength(1);
  });
});

describe('delivery', () => {
  it('POSTs the signed event once a commit nudges the dispatcher; the log shows the attempt', async () => {
    workers = await startWorkers(h.rt, { queues: ['events'] });
    const { id, secret } = await subscribe(integration, receiver.url('/ok'));
    const eventId = await emit('CLAIM_STATUS_CHANGED', '513432', {
      claimId: 7,
      claimNumber: 'CLM-2020-000007',
      maskedId: '513432********1234',
      from: 'SUBMITTED',
      to: 'APPROVED',
    });
    await h.rt.services.events.dispatchSoon();
    const delivered = await deliveryWithStatus(id, 'DELIVERED');

    const [request] = receiver.to('/ok');
    expect(request).toBeDefined();
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-pillar-event': 'CLAIM_STATUS_CHANGED',
      'x-pillar-delivery': delivered.id,
      'x-pillar-timestamp': String(nowSeconds()),
    });
    const signature = request!.headers['x-pillar-signature'] as string;
    expect(signature).toMatch(new RegExp(`^t=${nowSeconds()},v1=[0-9a-f]{64}$`));
    expect(verifyWebhookSignature(secret, signature, request!.body, nowSeconds())).toBe(true);
    expect(verifyWebhookSignature('whsec_wrong', signature, request!.body, nowSeconds())).toBe(false);
    expect(verifyWebhookSignature(secret, signature, request!.body, nowSeconds() + 301)).toBe(false);
    expect(JSON.parse(request!.body)).toEqual({
      id: eventId,
      type: 'CLAIM_STATUS_CHANGED',
      occurredAt: '2020-03-02T02:00:00.000Z',
      countyCode: '513432',
      data: {
        claimId: 7,
        claimNumber: 'CLM-2020-000007',
        maskedId: '513432********1234',
        from: 'SUBMITTED',
        to: 'APPROVED',
      },
    });
    expect(delivered).toMatchObject({
      eventId,
      eventType: 'CLAIM_STATUS_CHANGED',
      countyCode: '513432',
      occurredAt: '2020-03-02T02:00:00.000Z',
      attemptCount: 1,
      deliveredAt: '2020-03-02T02:00:00.000Z',
      attempts: [
        { at: '2020-03-02T02:00:00.000Z', httpStatus: 200, error: null, durationMs: expect.any(Number) },
      ],
    });
    // A repeated job sends nothing again.
    const again = await execDeliverWebhook(
      {
        data: { deliveryId: delivered.id, countyCode: '513432' },
        attemptsStarted: 1,
        opts: { attempts: 8 },
      } as never,
      h.rt,
    );
    expect(again).toEqual({ outcome: 'SKIPPED', status: 'DELIVERED' });
    expect(receiver.to('/ok')).toHaveLength(1);
  });

  it('retries after a 500 with back-off, then succeeds; every attempt is logged and signed', async () => {
    receiver.script.set('/flaky', [500, 500, 200]);
    workers = await startWorkers(h.rt, { queues: ['events'] });
    const { id, secret } = await subscribe(integration, receiver.url('/flaky'));
    await emit('CLAIM_STATUS_CHANGED', '520521', { claimId: 8 });
    await h.rt.services.events.dispatchPending(h.em(), { delivery: { attempts: 5, backoffMs: 50 } });
    const delivered = await deliveryWithStatus(id, 'DELIVERED');
    expect(delivered.attemptCount).toBe(3);
    expect(delivered.attempts.map((a: any) => [a.httpStatus, a.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [200, null],
    ]);
    for (const a of delivered.attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    const requests = receiver.to('/flaky');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['x-pillar-delivery']))).toEqual(new Set([delivered.id]));
    for (const r of requests) {
      expect(
        verifyWebhookSignature(secret, r.headers['x-pillar-signature'] as string, r.body, nowSeconds()),
      ).toBe(true);
    }
    const job = await h.rt.queues.queue('events').getJob(`delivery-${delivered.id}`);
    expect(await job!.getState()).toBe('completed');
  });

  it('marks the delivery FAILED after the last attempt (HTTP errors and refused connections alike)', async () => {
    receiver.script.set('/down', [503]);
    // A port nobody listens on: bind one, then close it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    workers = await startWorkers(h.rt, { queues: ['events'] });
    const down = await subscribe(integration, receiver.url('/down'));
    const refused = await subscribe(admin, `http://127.0.0.1:${port}/hooks`);
    await emit('CLAIM_STATUS_CHANGED', '513432', { claimId: 9 });
    await h.rt.services.events.dispatchPending(h.em(), { delivery: FAST });

    const failed = await deliveryWithStatus(down.id, 'FAILED');
    expect(failed).toMatchObject({ attemptCount: 3, deliveredAt: null });
    expect(failed.attempts.map((a: any) => a.httpStatus)).toEqual([503, 503, 503]);
    expect(receiver.to('/down')).toHaveLength(3);
    const job = await h.rt.queues.queue('events').getJob(`delivery-${failed.id}`);
    await waitFor('the job to fail', async () => (await job!.getState()) === 'failed');

    const unreachable = await deliveryWithStatus(refused.id, 'FAILED');
    expect(unreachable.attemptCount).toBe(3);
    for (const a of unreachable.attempts) {
      expect(a).toMatchObject({ httpStatus: null, error: expect.stringMatching(/ECONNREFUSED/) });
    }
  });

  it('a receiver that does not answer within the timeout is a failed attempt', async () => {
    receiver.script.set('/slow', ['hang']);
    const { id } = await subscribe(integration, receiver.url('/slow'));
    await emit('CLAIM_STATUS_CHANGED', '513432', { claimId: 10 });
    await h.rt.services.events.dispatchPending(h.em(), { delivery: FAST });
    const [pending] = await deliveries(id);
    const services = h.rt.services;
    const quick = new WebhookService(services.pii, h.clock, services.audit, {
      production: false,
      timeoutMs: 200,
    });
    const outcome = await quick.deliver(h.em(), pending!.id, { final: false });
    expect(outcome).toEqual({ outcome: 'RETRY', error: 'no answer within 200 ms' });
    const [after] = await deliveries(id);
    expect(after).toMatchObject({ status: 'PENDING', attemptCount: 1 });
    expect(after!.attempts[0]).toMatchObject({ httpStatus: null, error: 'no answer within 200 ms' });
    expect(after!.attempts[0].durationMs).toBeGreaterThanOrEqual(150);
  });

  it('does not send a pending delivery once its subscription is deactivated', async () => {
    const { id } = await subscribe(integration, receiver.url('/gone'));
    await emit('CLAIM_STATUS_CHANGED', '513432', { claimId: 11 });
    await h.rt.services.events.dispatchPending(h.em(), { delivery: FAST });
    const [pending] = await deliveries(id);
    expect(pending!.status).toBe('PENDING');
    await h.gql(DELETE, { input: { id } }, integration);
    const outcome = await execDeliverWebhook(
      {
        data: { deliveryId: pending!.id, countyCode: '513432' },
        attemptsStarted: 1,
        opts: { attempts: 3 },
      } as never,
      h.rt,
    );
    expect(outcome).toEqual({ outcome: 'NOT_SENT', error: 'not sent: the subscription is deactivated' });
    const [after] = await deliveries(id, integration);
    expect(after).toMatchObject({
      status: 'FAILED',
      attempts: [{ httpStatus: null, error: 'not sent: the subscription is deactivated' }],
    });
    expect(receiver.to('/gone')).toEqual([]);
  });

  it('pages the delivery log, newest first', async () => {
    const { id } = await subscribe(integration, receiver.url('/log'));
    for (const n of [1, 2, 3]) await emit('CLAIM_STATUS_CHANGED', '513432', { claimId: 100 + n });
    await h.rt.services.events.dispatchPending(h.em(), { delivery: FAST });
    const first = (await h.gql(DELIVERIES, { id, page: { first: 2 } }, integration)).data!.webhookDeliveries;
    expect(first.totalCount).toBe(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (
      await h.gql(DELIVERIES, { id, page: { first: 2, after: first.pageInfo.endCursor } }, integration)
    ).data!.webhookDeliveries;
    const ids = [...first.edges, ...rest.edges].map((e: any) => Number(e.node.id));
    expect(ids).toHaveLength(3);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const bad = await h.gql(DELIVERIES, { id, page: { after: 'bm90LWFuLWlk' } }, integration);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'page.after' });
  });
});

describe('roles', () => {
  it('createWebhookSubscription: ADMIN and INTEGRATION', async () => {
    await expectRoles(
      h,
      CREATE,
      { input: { url: 'ftp://refused.example.org', eventTypes: ['COVERAGE_STARTED'] } },
      [Role.ADMIN, Role.INTEGRATION],
    );
  });

  it('webhookSubscriptions: ADMIN and INTEGRATION', async () => {
    await expectRoles(h, LIST, {}, [Role.ADMIN, Role.INTEGRATION]);
  });

  it('webhookDeliveries: ADMIN and INTEGRATION', async () => {
    await expectRoles(h, DELIVERIES, { id: '999999' }, [Role.ADMIN, Role.INTEGRATION]);
  });

  it('deleteWebhookSubscription: ADMIN and INTEGRATION', async () => {
    await expectRoles(h, DELETE, { input: { id: '999999' } }, [Role.ADMIN, Role.INTEGRATION]);
  });
});
