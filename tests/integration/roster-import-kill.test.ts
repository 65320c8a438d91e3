/**
 * A roster import killed half-way leaves nothing applied, and the retried job finishes with
 * the same counts and the same data as an import that was never interrupted.
 *
 * The worker is a real process (`node` running startWorkers against this file's database and
 * queue prefix). To kill it at a known point, the test holds `LOCK TABLE roster_reject IN SHARE
 * MODE`: the import's merge transaction then blocks at its reject insert — after it has
 * upserted people, inserted coverages and written events, all uncommitted — and the worker is
 * SIGKILLed there. A second worker process picks the stalled job up and completes it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDefaults, createPricedProgramme } from '../factories/pricing';
import { seedReferenceData } from '../factories/reference';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { makeNationalId } from '../../src/modules/enrollment/national-id';

const XIDE = '513432';
const uploadDir = mkdtempSync(join(tmpdir(), 'pillar-rosters-kill-'));
process.env.UPLOAD_DIR = uploadDir;

jest.setTimeout(180_000);

let h: Harness;
let admin: string;
let contractId: number;
const children: ChildProcess[] = [];

function startWorker(): WorkerProcess {
  const w = startWorkerProcess(h, 'enrollment', { UPLOAD_DIR: uploadDir });
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

/** 20,000 rows: mostly valid, with every kind of row-level problem sprinkled in. */
function bigRoster(): string {
  const lines = ['身份证号,姓名,户编号,是否建档立卡,联系电话'];
  const births = ['1970-03-01', '1975-06-15', '1982-09-30', '1990-12-12'];
  for (let i = 0; i < 20_000; i++) {
    const g = i % 2 ? 'M' : 'F';
    let id = makeNationalId(XIDE, births[Math.floor(i / 1000) % 4]!, i % 1000, g);
    if (i >= 4000)
      id = makeNationalId(
        '52052' + String(Math.floor(i / 4000)),
        births[Math.floor(i / 1000) % 4]!,
        i % 1000,
        g,
      );
    let poor = '是';
    let name = `测试${i}`;
    if (i % 97 === 0) id = id.slice(0, 17) + (id[17] === '1' ? '2' : '1'); // INVALID_ID
    if (i % 89 === 0) name = ''; // MISSING_FIELD
    if (i % 83 === 0) poor = '否'; // NOT_REGISTERED_POOR
    if (i % 79 === 0) id = makeNationalId(XIDE, '1950-01-01', i % 1000, g); // AGE_OUT_OF_RANGE
    lines.push(`${id},${name},HH${Math.floor(i / 3)},${poor},1380000${String(i).padStart(4, '0')}`);
    if (i % 101 === 0) lines.push(`${id},重复${i},HH${i},是,`); // DUPLICATE_IN_FILE
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function upload(body: string): Promise<{ importId: number; jobId: string }> {
  const res = await fetch(`${h.url}/uploads/rosters?contractId=${contractId}&fileName=big.csv`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin}` },
    body,
  });
  const json = (await res.json()) as Record<string, any>;
  expect(res.status).toBe(202);
  return { importId: Number(json.importId), jobId: String(json.job.id) };
}

/** What an import left in the database, ids and ciphertexts aside. */
async function snapshot(importId: number) {
  const [counts] = await h.sql(
    `select (select count(*)::int from insured) as insured,
            (select count(*)::int from coverage where contract_id = $2) as coverages,
            (select count(*)::int from outbox_event where (payload->>'rosterImportId')::int = $1) as events,
            (select count(*)::int from roster_reject where roster_import_id = $1) as rejects`,
    [importId, contractId],
  );
  const [row] = await h.sql(
    `select status, total_rows, accepted_rows, updated_rows, unchanged_rows, rejected_rows, ended_coverages
       from roster_import where id = $1`,
    [importId],
  );
  const rejects = await h.sql(
    'select line_number, masked_id, reason, detail from roster_reject where roster_import_id = $1 order by line_number',
    [importId],
  );
  const people = await h.sql(
    `select encode(i.id_hash, 'hex') as hash, i.id_masked, i.name, i.household_id, i.phone, i.county_code, c.status
       from insured i join coverage c on c.insured_id = i.id where c.contract_id = $1 order by 1`,
    [contractId],
  );
  return { counts, row, rejects, people };
}

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  await h.rt.queues.queue('enrollment').obliterate({ force: true });
  const defaults = await createDefaults(h);
  const { contracts } = await createPricedProgramme(h, 2020, [{ code: XIDE }], defaults);
  contractId = contracts[0]!.id;
  admin = await h.token(Role.ADMIN);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (h) await h.rt.queues.queue('enrollment').obliterate({ force: true });
  await h?.close();
  rmSync(uploadDir, { recursive: true, force: true });
});

it('a worker SIGKILLed in the middle of the merge leaves nothing; the retried job gives the uninterrupted result', async () => {
  const roster = bigRoster();
  const totalRows = roster.trimEnd().split('\r\n').length - 1;

  // 1. The reference: the same file imported without interruption, then cleared away.
  const reference = await upload(roster);
  await h.rt.services.rosters.runImport(h.em(), reference.importId);
  const expected = await snapshot(reference.importId);
  expect(expected.row).toMatchObject({ status: 'COMPLETED', total_rows: totalRows });
  expect(expected.counts).toMatchObject({
    coverages: expected.row!.accepted_rows,
    events: expected.row!.accepted_rows,
  });
  for (const k of [
    'INVALID_ID',
    'MISSING_FIELD',
    'NOT_REGISTERED_POOR',
    'AGE_OUT_OF_RANGE',
    'DUPLICATE_IN_FILE',
  ]) {
    expect(expected.rejects.some((r) => r.reason === k)).toBe(true);
  }
  await h.sql(
    `delete from outbox_event; delete from roster_reject; delete from coverage; delete from insured`,
  );
  await h.rt.queues.queue('enrollment').obliterate({ force: true }); // its (never run) job

  // 2. The same file again, through a real worker process, held at the reject insert.
  const blocker = new Client({ connectionString: h.rt.config.DATABASE_URL });
  await blocker.connect();
  await blocker.query('begin');
  await blocker.query('lock table roster_reject in share mode');
  const { importId, jobId } = await upload(roster);
  const first = startWorker();
  await first.ready;
  const blocked = await until('the merge to block on the reject insert', async () => {
    const rows = await h.sql<{ pid: number }>(
      `select pid from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into roster_reject%'`,
    );
    return rows[0];
  });
  // Mid-way: the transaction has written people, coverages and events — none of it visible.
  const holding = await h.sql<{ rel: string }>(
    `select relation::regclass::text as rel from pg_locks where pid = $1 and mode = 'RowExclusiveLock' and relation is not null`,
    [blocked.pid],
  );
  expect(holding.map((r) => r.rel)).toEqual(expect.arrayContaining(['insured', 'coverage', 'outbox_event']));
  expect(await snapshot(importId)).toMatchObject({
    counts: { insured: 0, coverages: 0, events: 0, rejects: 0 },
    row: { status: 'RUNNING', total_rows: 0 },
  });

  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  await blocker.query('rollback');
  await blocker.end();
  // The dead worker's transaction can never commit: PostgreSQL ends it when it finds the client gone.
  await until('the killed transaction to end', async () => {
    const rows = await h.sql('select 1 from pg_stat_activity where pid = $1', [blocked.pid]);
    return rows.length === 0;
  });
  expect(await snapshot(importId)).toMatchObject({
    counts: { insured: 0, coverages: 0, events: 0, rejects: 0 },
    row: { status: 'RUNNING', accepted_rows: 0 },
  });

  // 3. A new worker finds the stalled job and runs it again to the end.
  const second = startWorker();
  await second.ready;
  await until(
    'the retried import to complete',
    async () => {
      const [row] = await h.sql<{ status: string }>('select status from roster_import where id = $1', [
        importId,
      ]);
      if (row?.status === 'FAILED') throw new Error(`import failed:\n${second.output()}`);
      return row?.status === 'COMPLETED';
    },
    120_000,
  );
  const got = await snapshot(importId);
  expect(got.row).toEqual(expected.row);
  expect(got.counts).toEqual(expected.counts);
  expect(got.rejects).toEqual(expected.rejects);
  expect(got.people).toEqual(expected.people);
  expect(await h.sql(`select 1 from pg_class where relname like 'roster_stage_%'`)).toEqual([]);
  const job = await h.rt.queues.queue('enrollment').getJob(jobId.replace(/^enrollment\./, ''));
  expect(await job!.getState()).toBe('completed');
  expect(job!.returnvalue).toMatchObject({
    status: 'COMPLETED',
    total: totalRows,
    accepted: expected.row!.accepted_rows,
  });
  second.child.kill('SIGTERM');
});
