import type { Job } from 'bullmq';
import { seedReferenceData } from '../factories/reference';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { pgQueueSchema } from '../../jobs/queues';
import { registerSchedules } from '../../jobs/scheduler';
import { startWorkers } from '../../jobs/worker';
import { migrationNeeded } from '../../src/db/migrate';
import { createOrm } from '../../src/db/orm';

/**
 * The embedded default (no REDIS_URL): BullMQ 6's PostgreSQL backend, in schema
 * `bullmq_<prefix>` of this test file's own database. Smoke test of the whole job flow so
 * it cannot rot while everyone else tests on Redis.
 */
let h: Harness;
let admin: string;
beforeAll(async () => {
  h = await startHarness({ queueBackend: 'postgres' });
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
});
afterAll(async () => h?.close());

const JOB_FIELDS = 'id state progress { percent message } attempts result failureReason';
const SWEEP = `mutation { runContractLifecycleSweep { job { ${JOB_FIELDS} } } }`;
const JOB = `query Job($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`;

async function waitForJob(id: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.gql(JOB, { id }, admin);
    expect(res.errors).toBeUndefined();
    const job = res.data!.job;
    if (job.state === 'COMPLETED' || job.state === 'FAILED') return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function seedContracts(): Promise<void> {
  const [plan] = await h.sql<{ id: number }>(
    `insert into benefit_plan (code, version, name, deductible, tiers, annual_cap, hospital_levels, required_documents)
     values ('P-PGQ', 1, 'Plan', 10000, '[]', 150000, '{COUNTY}', '{}') returning id`,
  );
  const [p2019] = await h.sql<{ id: number }>(
    `insert into programme (year, name) values (2019, 'P2019') returning id`,
  );
  const [p2020] = await h.sql<{ id: number }>(
    `insert into programme (year, name) values (2020, 'P2020') returning id`,
  );
  await h.sql(
    `insert into county_contract (county_code, programme_id, programme_year, plan_id, period_start, period_end, status)
     values ('513432', $1, 2019, $3, '2019-03-01', '2020-02-29', 'ACTIVE'),
            ('520521', $2, 2020, $3, '2020-03-01', '2021-02-28', 'APPROVED')`,
    [p2019!.id, p2020!.id, plan!.id],
  );
}

describe('PostgreSQL queue backend', () => {
  it('uses its own schema per test run, worker and test file', async () => {
    expect(h.rt.queues.kind).toBe('postgres');
    const schema = h.rt.queues.pgSchema;
    expect(schema).toBe(pgQueueSchema(h.rt.config.QUEUE_PREFIX));
    expect(schema).toMatch(/^bullmq_t[0-9a-f]+w\d+f[0-9a-f]+$/);
    await h.rt.queues.ping();
    const rows = await h.sql(`select 1 from information_schema.schemata where schema_name = $1`, [schema]);
    expect(rows).toHaveLength(1);
  });

  it('runs the sweep end to end: mutation, worker, job(id), contracts moved; twice → same state', async () => {
    await seedContracts();
    const workers = await startWorkers(h.rt, { queues: ['maintenance'] });
    try {
      const res = await h.gql(SWEEP, {}, admin);
      expect(res.errors).toBeUndefined();
      const id = res.data!.runContractLifecycleSweep.job.id;
      expect(id).toBe('maintenance.sweep-2020-03-02');
      expect(await waitForJob(id)).toMatchObject({
        state: 'COMPLETED',
        progress: { percent: 100, message: 'activated 1, expired 1 as of 2020-03-02' },
        attempts: 1,
        result: { asOf: '2020-03-02', activated: 1, expired: 1 },
        failureReason: null,
      });
      const after = await h.sql('select county_code, status from county_contract order by county_code');
      expect(after).toEqual([
        { county_code: '513432', status: 'EXPIRED' },
        { county_code: '520521', status: 'ACTIVE' },
      ]);
      const again = await h.gql(SWEEP, {}, admin);
      expect(again.data!.runContractLifecycleSweep.job.id).toBe(id);
      expect(await waitForJob(id)).toMatchObject({
        state: 'COMPLETED',
        result: { activated: 0, expired: 0 },
      });
      expect(await h.sql('select county_code, status from county_contract order by county_code')).toEqual(
        after,
      );
    } finally {
      await workers.close();
    }
  });

  it('a graceful close finishes the job in flight', async () => {
    let finished = false;
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const workers = await startWorkers(h.rt, {
      queues: ['maintenance'],
      concurrency: 1,
      registry: {
        maintenance: {
          'test-slow': async (job: Job) => {
            started();
            await job.updateProgress({ percent: 50, message: 'half way' });
            await new Promise((r) => setTimeout(r, 1_000));
            finished = true;
            return { ok: true };
          },
        },
      },
    });
    const q = h.rt.queues.queue('maintenance');
    const job = await q.add('test-slow', {}, { jobId: 'pg-slow-1' });
    await startedP;
    await workers.close();
    expect(finished).toBe(true);
    const res = await h.gql(JOB, { id: `maintenance.${job.id}` }, admin);
    expect(res.data!.job).toMatchObject({ state: 'COMPLETED', result: { ok: true } });
  });

  it('registers the schedules', async () => {
    const [s] = await registerSchedules(h.rt.queues, { tz: 'Asia/Shanghai' });
    expect(s).toMatchObject({ id: 'daily-contract-lifecycle-sweep', queue: 'maintenance' });
    expect((Math.floor(s!.next! / 60_000) + 8 * 60) % 1440).toBe(5);
    await h.rt.queues.queue('maintenance').removeJobScheduler(s!.id);
  });

  it("keeps BullMQ's tables out of MikroORM's schema diff", async () => {
    await h.rt.queues.ping(); // BullMQ creates its schema on first use
    const tables = await h.sql(
      `select count(*)::int as n from information_schema.tables where table_schema = $1`,
      [h.rt.queues.pgSchema],
    );
    expect(tables[0]!.n).toBeGreaterThan(0);
    expect(await migrationNeeded(h.rt.orm)).toBe(false);
    // A diff against the live database (schema:update, no snapshot at hand) must not see
    // them either: an ORM of a process configured with this QUEUE_PREFIX ignores the schema.
    const saved = process.env.QUEUE_PREFIX;
    process.env.QUEUE_PREFIX = h.rt.config.QUEUE_PREFIX;
    const orm = await createOrm({ url: h.rt.config.DATABASE_URL!, poolMax: 1 });
    try {
      expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).not.toContain(h.rt.queues.pgSchema);
    } finally {
      await orm.close();
      if (saved === undefined) delete process.env.QUEUE_PREFIX;
      else process.env.QUEUE_PREFIX = saved;
    }
  });

  it('serves readiness, metrics and the dashboard on this backend', async () => {
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as any).checks).toMatchObject({
      postgres: 'ok',
      queues: 'ok (postgres)',
      migrations: 'current',
    });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/pillar_queue_jobs\{queue="maintenance",state="completed"\} [1-9]/);
    const queues = await fetch(`${h.url}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    expect(body.queues.map((q) => q.name).sort()).toContain('maintenance');
    const page = await fetch(`${h.url}/admin/queues`, { headers: { authorization: `Bearer ${admin}` } });
    expect(page.status).toBe(200);
  });
});
