import type { Job } from 'bullmq';
import { seedReferenceData } from '../factories/reference';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { execContractLifecycleSweep } from '../../jobs/processors/maintenance';
import { registerSchedules, SCHEDULES } from '../../jobs/scheduler';
import { startWorkers, workerRegistry, type WorkerHandle } from '../../jobs/worker';
import { conflict } from '../../src/shared/errors';

let h: Harness;
let admin: string;
beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  // The Redis prefix is per jest worker: drop what an earlier test file of this worker left.
  await h.rt.queues.queue('maintenance').obliterate({ force: true });
  admin = await h.token(Role.ADMIN);
});
afterAll(async () => {
  // Leave nothing behind in Redis under this worker's prefix.
  if (h) for (const q of h.rt.queues.allQueues()) await q.obliterate({ force: true });
  await h?.close();
});

const JOB_FIELDS =
  'id queue name state progress { percent message } createdAt startedAt finishedAt attempts maxAttempts result failureReason';
const SWEEP = `mutation Sweep($input: RunContractLifecycleSweepInput) { runContractLifecycleSweep(input: $input) { job { ${JOB_FIELDS} } } }`;
const JOB = `query Job($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`;

/** Contracts around 2020-03-02 (the harness's "today"): one to expire, one to activate, two to leave. */
async function seedContracts(): Promise<Record<string, number>> {
  const [plan] = await h.sql<{ id: number }>(
    `insert into benefit_plan (code, version, name, deductible, tiers, annual_cap, hospital_levels, required_documents)
     values ('P-JOBS', 1, 'Jobs plan', 10000, '[]', 150000, '{COUNTY}', '{}') returning id`,
  );
  const ids: Record<string, number> = {};
  const programme = async (year: number) =>
    (
      await h.sql<{ id: number }>(`insert into programme (year, name) values ($1, $2) returning id`, [
        year,
        `P${year}`,
      ])
    )[0]!.id;
  const p2019 = await programme(2019);
  const p2020 = await programme(2020);
  const contract = async (
    key: string,
    county: string,
    prog: number,
    year: number,
    start: string,
    end: string,
    status: string,
  ) => {
    const [row] = await h.sql<{ id: number }>(
      `insert into county_contract (county_code, programme_id, programme_year, plan_id, period_start, period_end, status)
       values ($1, $2, $3, $4, $5, $6, $7) returning id`,
      [county, prog, year, plan!.id, start, end, status],
    );
    ids[key] = row!.id;
  };
  await contract('ended', '513432', p2019, 2019, '2019-03-01', '2020-02-29', 'ACTIVE');
  await contract('starting', '520521', p2020, 2020, '2020-03-01', '2021-02-28', 'APPROVED');
  await contract('later', '522631', p2020, 2020, '2020-04-01', '2021-03-31', 'APPROVED');
  await contract('draft', '532624', p2020, 2020, '2020-03-01', '2021-02-28', 'DRAFT');
  return ids;
}

async function contractStates(): Promise<Record<number, string>> {
  const rows = await h.sql<{ id: number; status: string; version: number }>(
    'select id, status, version from county_contract order by id',
  );
  return Object.fromEntries(rows.map((r) => [r.id, `${r.status}@${r.version}`]));
}

async function jobById(id: string, token = admin): Promise<Record<string, any>> {
  const res = await h.gql(JOB, { id }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.job;
}

async function waitForJob(
  id: string,
  states = ['COMPLETED', 'FAILED'],
  timeoutMs = 15_000,
): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobById(id);
    if (states.includes(job.state)) return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('contract lifecycle sweep', () => {
  let ids: Record<string, number>;
  let workers: WorkerHandle | undefined;
  beforeAll(async () => {
    ids = await seedContracts();
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  it('enqueues through the mutation, returns at once, and a double click does not double-run', async () => {
    const first = await h.gql(SWEEP, {}, admin);
    expect(first.errors).toBeUndefined();
    const job = first.data!.runContractLifecycleSweep.job;
    expect(job).toMatchObject({
      id: 'maintenance.sweep-2020-03-02',
      queue: 'maintenance',
      name: 'contract-lifecycle-sweep',
      state: 'WAITING',
      progress: { percent: 0, message: null },
      startedAt: null,
      finishedAt: null,
      attempts: 0,
      maxAttempts: 3,
      result: null,
      failureReason: null,
    });
    const again = await h.gql(SWEEP, { input: { asOf: '2020-03-02' } }, admin);
    expect(again.data!.runContractLifecycleSweep.job.id).toBe(job.id);
    expect(await h.rt.queues.queue('maintenance').getJobCounts('waiting', 'active')).toEqual({
      waiting: 1,
      active: 0,
    });
    const audit = await h.sql(
      `select action, actor_role from audit_event where entity_type = 'Job' and entity_id = $1`,
      [job.id],
    );
    expect(audit).toEqual([
      { action: 'ENQUEUE', actor_role: 'ADMIN' },
      { action: 'ENQUEUE', actor_role: 'ADMIN' },
    ]);
    // Nothing moved yet: the work happens in the worker.
    expect(Object.values(await contractStates())).toEqual([
      'ACTIVE@1',
      'APPROVED@1',
      'APPROVED@1',
      'DRAFT@1',
    ]);
  });

  it('runs in a worker: progress, result, timings, contracts activated and expired', async () => {
    workers = await startWorkers(h.rt, { queues: ['maintenance'] });
    const done = await waitForJob('maintenance.sweep-2020-03-02');
    expect(done).toMatchObject({
      state: 'COMPLETED',
      progress: { percent: 100, message: 'activated 1, expired 1 as of 2020-03-02' },
      attempts: 1,
      result: { asOf: '2020-03-02', activated: 1, expired: 1 },
      failureReason: null,
    });
    const created = Date.parse(done.createdAt);
    const started = Date.parse(done.startedAt);
    const finished = Date.parse(done.finishedAt);
    expect(created).toBeLessThanOrEqual(started);
    expect(started).toBeLessThanOrEqual(finished);
    const states = await contractStates();
    expect(states[ids.ended!]).toBe('EXPIRED@2');
    expect(states[ids.starting!]).toBe('ACTIVE@2');
    expect(states[ids.later!]).toBe('APPROVED@1');
    expect(states[ids.draft!]).toBe('DRAFT@1');
    const metrics = await workerRegistry.getSingleMetricAsString('pillar_job_duration_seconds');
    expect(metrics).toMatch(
      /pillar_job_duration_seconds_count\{queue="maintenance",name="contract-lifecycle-sweep",outcome="completed"\} 1/,
    );
  });

  it('runs again later for the same date with the same end state (0 changes)', async () => {
    const before = await contractStates();
    workers = await startWorkers(h.rt, { queues: ['maintenance'] });
    const res = await h.gql(SWEEP, {}, admin);
    expect(res.errors).toBeUndefined();
    expect(res.data!.runContractLifecycleSweep.job.id).toBe('maintenance.sweep-2020-03-02');
    const done = await waitForJob('maintenance.sweep-2020-03-02');
    expect(done).toMatchObject({
      state: 'COMPLETED',
      result: { asOf: '2020-03-02', activated: 0, expired: 0 },
    });
    expect(await contractStates()).toEqual(before);
  });

  it('refuses a date after today or not a date', async () => {
    const future = await h.gql(SWEEP, { input: { asOf: '2020-03-03' } }, admin);
    expect(future.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'AS_OF_IN_FUTURE',
      field: 'input.asOf',
    });
    const bad = await h.gql(SWEEP, { input: { asOf: '2020-02-30' } }, admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('exec function can be called directly (no queue) and reports progress', async () => {
    const progress: unknown[] = [];
    const job = {
      data: { asOf: '2020-03-02' },
      updateProgress: async (p: unknown) => void progress.push(p),
    } as unknown as Job<{ asOf?: string }, any>;
    const result = await execContractLifecycleSweep(job, h.rt);
    expect(result).toEqual({ asOf: '2020-03-02', activated: 0, expired: 0 });
    expect(progress).toEqual([
      { percent: 0, message: 'sweeping contracts as of 2020-03-02' },
      { percent: 100, message: 'activated 0, expired 0 as of 2020-03-02' },
    ]);
  });
});

describe('job(id)', () => {
  it('is NOT_FOUND for unknown or malformed ids', async () => {
    for (const id of ['maintenance.nope', 'nope', 'unknownqueue.1', 'maintenance.', '.1']) {
      const res = await h.gql(JOB, { id }, admin);
      expect({ id, code: res.errors?.[0]?.extensions?.code }).toEqual({ id, code: 'NOT_FOUND' });
    }
  });

  it("hides a county's job from tokens scoped to other counties", async () => {
    const q = h.rt.queues.queue('maintenance');
    const job = await q.add('county-test', { countyCode: '520521' }, { jobId: 'county-test-1' });
    const id = `maintenance.${job.id}`;
    const own = await h.token(Role.COORDINATOR, { countyCodes: ['520521'] });
    const other = await h.token(Role.COORDINATOR, { countyCodes: ['513432'] });
    expect((await h.gql(JOB, { id }, own)).data?.job?.id).toBe(id);
    expect((await h.gql(JOB, { id }, other)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await h.gql(JOB, { id }, admin)).data?.job?.state).toBe('WAITING');
    await job.remove();
  });
});

describe('worker', () => {
  it('fails a job for good on a domain error and hides unexpected errors behind a generic reason', async () => {
    const q = h.rt.queues.queue('maintenance');
    const workers = await startWorkers(h.rt, {
      queues: ['maintenance'],
      registry: {
        maintenance: {
          'test-domain': async () => {
            throw conflict('contract 7 is DRAFT: cannot activate', 'ILLEGAL_TRANSITION');
          },
          'test-crash': async () => {
            throw new Error('connection to 10.0.0.7 refused; secret detail');
          },
        },
      },
    });
    try {
      const domain = await q.add('test-domain', {}, { jobId: 'test-domain-1', attempts: 3 });
      const crash = await q.add('test-crash', {}, { jobId: 'test-crash-1', attempts: 1 });
      const unknown = await q.add('test-unknown', {}, { jobId: 'test-unknown-1', attempts: 3 });
      const d = await waitForJob(`maintenance.${domain.id}`);
      expect(d).toMatchObject({
        state: 'FAILED',
        attempts: 1,
        failureReason: 'ILLEGAL_TRANSITION: contract 7 is DRAFT: cannot activate',
      });
      const c = await waitForJob(`maintenance.${crash.id}`);
      expect(c.state).toBe('FAILED');
      expect(c.failureReason).toMatch(/^unexpected Error/);
      expect(c.failureReason).not.toContain('secret');
      const u = await waitForJob(`maintenance.${unknown.id}`);
      expect(u).toMatchObject({ state: 'FAILED', attempts: 1 });
      expect(u.failureReason).toContain('no processor');
      // The original is kept for operators in the job log (dashboard, ADMIN only).
      expect((await q.getJobLogs(crash.id!)).logs.join('\n')).toContain('secret detail');
    } finally {
      await workers.close();
      await q.clean(0, 100, 'failed');
    }
  });

  it('a graceful close (as on SIGTERM) finishes the job in flight and takes no new one', async () => {
    const q = h.rt.queues.queue('maintenance');
    const started = deferred();
    let finished = false;
    const workers = await startWorkers(h.rt, {
      queues: ['maintenance'],
      concurrency: 1,
      registry: {
        maintenance: {
          'test-slow': async (job: Job) => {
            started.resolve();
            await job.updateProgress({ percent: 50, message: 'half way' });
            await new Promise((r) => setTimeout(r, 1_500));
            finished = true;
            return { slept: 1_500 };
          },
        },
      },
    });
    const job = await q.add('test-slow', {}, { jobId: 'test-slow-1' });
    await started.promise;
    const next = await q.add('test-slow', {}, { jobId: 'test-slow-2' });
    expect(await jobById(`maintenance.${job.id}`)).toMatchObject({
      state: 'ACTIVE',
      progress: { percent: 50, message: 'half way' },
      attempts: 1,
    });
    const t0 = Date.now();
    await workers.close();
    expect(finished).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    expect(await jobById(`maintenance.${job.id}`)).toMatchObject({
      state: 'COMPLETED',
      result: { slept: 1_500 },
      attempts: 1,
    });
    // The queued one was not taken while closing: it waits for the next worker.
    expect((await jobById(`maintenance.${next.id}`)).state).toBe('WAITING');
    await next.remove();
  });
});

describe('schedules', () => {
  it('registers the daily sweep at 00:05 China time, idempotently, and removes unlisted schedulers', async () => {
    const q = h.rt.queues.queue('maintenance');
    await q.upsertJobScheduler(
      'retired-schedule',
      { pattern: '0 3 * * *' },
      { name: 'contract-lifecycle-sweep', data: {} },
    );
    await registerSchedules(h.rt.queues, { tz: 'Asia/Shanghai' });
    const registered = await registerSchedules(h.rt.queues, { tz: 'Asia/Shanghai' });
    expect(registered.map((s) => s.id)).toEqual(SCHEDULES.map((s) => s.id));
    const schedulers = await q.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key)).toEqual(['daily-contract-lifecycle-sweep']);
    expect(schedulers[0]).toMatchObject({
      pattern: '5 0 * * *',
      tz: 'Asia/Shanghai',
      name: 'contract-lifecycle-sweep',
    });
    const next = registered[0]!.next!;
    const shanghaiMinuteOfDay = (Math.floor(next / 60_000) + 8 * 60) % (24 * 60);
    expect(shanghaiMinuteOfDay).toBe(5);
    expect(next).toBeGreaterThan(Date.now());
    for (const s of schedulers) await q.removeJobScheduler(s.key);
  });
});

describe('roles', () => {
  it('job(id): every role but INTEGRATION', async () => {
    await expectRoles(h, JOB, { id: 'maintenance.sweep-2020-03-02' }, [
      Role.ADMIN,
      Role.ACTUARY,
      Role.CLAIMS_REVIEWER,
      Role.FOUNDATION,
      Role.COORDINATOR,
    ]);
  });

  it('runContractLifecycleSweep: ADMIN only', async () => {
    await expectRoles(h, SWEEP, { input: { asOf: '2020-03-01' } }, [Role.ADMIN]);
  });
});
