/**
 * A settlement run killed half-way and run again ends with the same batches as a run that was
 * never interrupted, and no claim in two lines.
 *
 * The worker is a real process (`node` running startWorkers against this file's database and
 * queue prefix). Its processor's test hook (PILLAR_TEST_SETTLE_PAUSE_AFTER_COUNTIES, read only
 * when NODE_ENV is "test") stops the job for ever once the first county's batch has committed;
 * the test SIGKILLs the process there. A second worker process picks the stalled job up (BullMQ's
 * lock is shortened so that takes seconds, not a minute) and finishes it.
 */
import type { ChildProcess } from 'node:child_process';

import { approvedClaims, createPayoutProgramme } from '../factories/payouts';
import { seedReferenceData } from '../factories/reference';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { waitForJob } from '../helpers/jobs';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { PAUSE_AFTER_COUNTIES_ENV, PAUSED_MARKER } from '../../jobs/processors/payouts';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';

const COUNTIES = ['513432', '520521', '522631'];
const RUN_DATE = '2020-03-02';

jest.setTimeout(180_000);

let h: Harness;
let admin: string;
const children: ChildProcess[] = [];

function startWorker(env: Record<string, string> = {}): WorkerProcess {
  const w = startWorkerProcess(h, 'payouts', { [PAUSE_AFTER_COUNTIES_ENV]: '', ...env });
  children.push(w.child);
  return w;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What settlement leaves, ids and timestamps aside. */
async function snapshot() {
  const batches = await h.sql(
    `select batch_number, county_code, run_key, status, total_amount::text, line_count from payout_batch order by batch_number`,
  );
  const lines = await h.sql(
    `select b.batch_number, c.claim_number, l.amount::text, l.payee_account, l.status
       from payout_line l join payout_batch b on b.id = l.batch_id join claim c on c.id = l.claim_id
      order by c.claim_number`,
  );
  const [counts] = await h.sql(
    `select (select count(*)::int from claim where status = 'APPROVED') as approved,
            (select count(*)::int from (select claim_id from payout_line group by claim_id having count(*) > 1) d) as claims_in_two_lines,
            (select count(*)::int from audit_event where entity_type = 'PayoutBatch' and action = 'CREATE') as batch_audits`,
  );
  return { batches, lines, counts };
}

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  await h.rt.queues.queue('payouts').obliterate({ force: true });
  admin = await h.token(Role.ADMIN);
  const { contracts } = await createPayoutProgramme(h, 2020, COUNTIES);
  for (const [k, county] of COUNTIES.entries()) {
    await approvedClaims(
      h,
      contracts.get(county)!,
      Array.from(
        { length: 25 },
        (_, i) => `${(k + 1) * 1000 + i * 37}.${String((i * 13) % 100).padStart(2, '0')}`,
      ),
    );
  }
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (h) await h.rt.queues.queue('payouts').obliterate({ force: true });
  await h?.close();
});

it('a worker SIGKILLed after the first county leaves that batch whole; the resumed job ends as an uninterrupted run', async () => {
  // 1. The reference: the same data settled without interruption, then cleared away.
  await h.rt.services.payouts.settle(h.em(), SYSTEM_ACTOR, RUN_DATE);
  const expected = await snapshot();
  expect(expected.batches.map((b) => b.batch_number)).toEqual(COUNTIES.map((c) => `PAY-${c}-${RUN_DATE}-1`));
  expect(expected.lines).toHaveLength(75);
  expect(expected.counts).toEqual({ approved: 75, claims_in_two_lines: 0, batch_audits: 3 });
  await h.sql(
    `delete from payout_line; delete from payout_batch; delete from audit_event where entity_type = 'PayoutBatch'`,
  );

  // 2. The same run through a real worker process, paused after the first county and killed there.
  const first = startWorker({ [PAUSE_AFTER_COUNTIES_ENV]: '1' });
  await first.ready;
  const res = await h.gql(
    `mutation { runSettlement(input: { runDate: "${RUN_DATE}" }) { job { id } } }`,
    {},
    admin,
  );
  expect(res.errors).toBeUndefined();
  const jobId = res.data!.runSettlement.job.id as string;
  expect(jobId).toBe(`payouts.settle-${RUN_DATE}`);
  await until('the worker to pause after the first county', async () =>
    first.output().includes(PAUSED_MARKER),
  );
  first.child.kill('SIGKILL');
  await first.exited;
  expect(first.child.signalCode).toBe('SIGKILL');

  // The first county's batch is whole (batch, lines and totals committed together); nothing else.
  const killed = await snapshot();
  expect(killed.batches).toEqual([expected.batches[0]]);
  expect(killed.lines).toEqual(
    expected.lines.filter((l) => l.batch_number === expected.batches[0]!.batch_number),
  );
  expect(killed.counts).toMatchObject({ claims_in_two_lines: 0, batch_audits: 1 });

  // 3. A new worker process picks the stalled job up and finishes it.
  const second = startWorker();
  await second.ready;
  const done = await waitForJob(h, admin, jobId, ['COMPLETED', 'FAILED'], 90_000);
  expect(done).toMatchObject({ state: 'COMPLETED', failureReason: null });
  expect(done.attempts).toBeGreaterThanOrEqual(2);
  expect(done.result).toMatchObject({ runDate: RUN_DATE, batchesCreated: 2, linesCreated: 50 });
  expect(done.result.batchesOfRunDate.map((b: any) => b.batchNumber)).toEqual(
    expected.batches.map((b) => b.batch_number),
  );
  expect(await snapshot()).toEqual(expected);

  // 4. And once more for the same date: nothing is added.
  await h.gql(`mutation { runSettlement(input: { runDate: "${RUN_DATE}" }) { job { id } } }`, {}, admin);
  const rerun = await waitForJob(h, admin, jobId, ['COMPLETED', 'FAILED'], 60_000);
  expect(rerun.result).toMatchObject({ batchesCreated: 0, linesCreated: 0 });
  expect(await snapshot()).toEqual(expected);

  second.child.kill('SIGTERM');
  await second.exited;
});
