import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { QueueKit } from '../../jobs/queues';
import { createServices } from '../../src/app/services';
import { createApp } from '../../src/server/app';
import { DASHBOARD_COOKIE } from '../../src/server/queue-dashboard';

let h: Harness;
let admin: string;
let actuary: string;
beforeAll(async () => {
  h = await startHarness();
  admin = await h.token(Role.ADMIN);
  actuary = await h.token(Role.ACTUARY);
});
afterAll(async () => {
  // Leave nothing behind in Redis under this worker's prefix.
  if (h) for (const q of h.rt.queues.allQueues()) await q.obliterate({ force: true });
  await h?.close();
});

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${h.url}${path}`, { redirect: 'manual', ...init });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function listen(app: Parameters<typeof createServer>[1]): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = createServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const { server } = await listen(() => undefined);
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('health and readiness', () => {
  it('GET /healthz → 200', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toEqual({ status: 'ok' });
  });

  it('GET /readyz → 200 with postgres, queues and migrations checks', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect((await res.json()) as any).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', migrations: 'current', queues: 'ok (redis)' },
    });
  });

  it('GET /readyz → 503 when the queue backend is unreachable; /metrics still answers', async () => {
    const port = await closedPort();
    const dead = new QueueKit({
      redisUrl: `redis://127.0.0.1:${port}`,
      databaseUrl: h.rt.config.DATABASE_URL!,
      prefix: 'dead',
      timeoutMs: 500,
    });
    const services = createServices({
      config: h.rt.config,
      orm: h.rt.orm,
      clock: h.clock,
      queues: dead,
      pg: h.rt.pg,
    });
    const { app } = await createApp({ config: h.rt.config, orm: h.rt.orm, services });
    const { server, base } = await listen(app);
    try {
      const t0 = Date.now();
      const res = await fetch(`${base}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as any;
      expect(body.status).toBe('not ready');
      expect(body.checks).toMatchObject({ postgres: 'ok', migrations: 'current' });
      expect(body.checks.queues).toMatch(/^unreachable: /);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# TYPE pillar_claims gauge');
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await dead.close();
    }
  });
});

describe('metrics', () => {
  it('GET /metrics: request latency by operation, job counts by queue, claims by status', async () => {
    const gql = await fetch(`${h.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(actuary) },
      body: JSON.stringify({ query: 'query OpsProbe { counties { totalCount } }' }),
    });
    expect(((await gql.json()) as any).errors).toBeUndefined();
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /pillar_graphql_request_duration_seconds_count\{operation="OpsProbe",outcome="ok"\} 1/,
    );
    for (const queue of ['maintenance', 'renewals', 'claims']) {
      expect(text).toMatch(new RegExp(`pillar_queue_jobs\\{queue="${queue}",state="waiting"\\} \\d+`));
    }
    expect(text).toContain('# TYPE pillar_claims gauge');
    expect(text).toContain('# TYPE pillar_job_duration_seconds histogram');
  });
});

describe('queue dashboard', () => {
  it('401 without a token (a sign-in page for browsers), 403 for another role, 200 for ADMIN', async () => {
    const none = await get('/admin/queues');
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const browser = await get('/admin/queues', { headers: { accept: 'text/html' } });
    expect(browser.status).toBe(401);
    expect(await browser.text()).toContain('<form method="post" action="/admin/queues/login">');
    const bad = await get('/admin/queues', { headers: bearer('plr_not-a-token') });
    expect(bad.status).toBe(401);
    const other = await get('/admin/queues', { headers: bearer(actuary) });
    expect(other.status).toBe(403);
    expect(((await other.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const api = await get('/admin/queues/api/queues', { headers: bearer(actuary) });
    expect(api.status).toBe(403);
    const ok = await get('/admin/queues', { headers: bearer(admin) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves the UI from node_modules with no external references, and the queues API', async () => {
    const page = await get('/admin/queues/', { headers: bearer(admin) });
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"');
    expect(html).not.toMatch(/https?:\/\//);
    const scripts = [...html.matchAll(/src="(static\/js\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const asset = await get(`/admin/queues/${src}`, { headers: bearer(admin) });
      expect({ src, status: asset.status }).toEqual({ src, status: 200 });
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      await asset.arrayBuffer();
    }
    const css = /href="(static\/css\/[^"]+\.css)"/.exec(html)![1];
    expect((await get(`/admin/queues/${css}`, { headers: bearer(admin) })).status).toBe(200);
    // Assets are ADMIN-only too.
    expect((await get(`/admin/queues/${scripts[0]}`)).status).toBe(401);
    const api = await get('/admin/queues/api/queues', { headers: bearer(admin) });
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as { queues: { name: string }[] };
    expect(queues.map((q) => q.name).sort()).toEqual([
      'actuarial',
      'claims',
      'enrollment',
      'events',
      'maintenance',
      'payouts',
      'pricing',
      'renewals',
    ]);
  });

  it('?token= signs a browser in with an HttpOnly SameSite=Strict cookie, then drops the token from the URL', async () => {
    const res = await get(`/admin/queues/queue/maintenance?token=${encodeURIComponent(admin)}&x=1`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/queues/queue/maintenance?x=1');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toContain(`${DASHBOARD_COOKIE}=`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/admin\/queues/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const pair = cookie.split(';')[0]!;
    const page = await get('/admin/queues/', { headers: { cookie: pair } });
    expect(page.status).toBe(200);
    const api = await get('/admin/queues/api/queues', { headers: { cookie: pair } });
    expect(api.status).toBe(200);
    // A state-changing call from another origin is refused even with the cookie.
    const cross = await get('/admin/queues/api/queues/pause', {
      method: 'PUT',
      headers: { cookie: pair, origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    expect(
      (await get('/admin/queues/', { headers: { cookie: `${DASHBOARD_COOKIE}=plr_nope` } })).status,
    ).toBe(401);
    const nonAdmin = await get(`/admin/queues?token=${encodeURIComponent(actuary)}`);
    expect(nonAdmin.status).toBe(403);
    expect(nonAdmin.headers.get('set-cookie')).toBeNull();
  });

  it('the sign-in form sets the cookie for an ADMIN token only', async () => {
    const form = await get('/admin/queues/login');
    expect(form.status).toBe(200);
    const post = (token: string) =>
      get('/admin/queues/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ token }).toString(),
      });
    const ok = await post(admin);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/admin/queues/');
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect((await post(actuary)).status).toBe(403);
    expect((await post('plr_wrong')).status).toBe(401);
  });
});
