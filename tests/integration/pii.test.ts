import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Job } from 'bullmq';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { waitForJob } from '../helpers/jobs';
import { seedReferenceData } from '../factories/reference';
import { createDraftContract, createProgramme } from '../factories/contracts';
import { enrollPeople, TEST_ENC_KEY, TEST_HMAC_KEY } from '../factories/people';
import { execRotatePiiKey } from '../../jobs/processors/pii';
import { ALL_QUEUES } from '../../jobs/queues';
import { startWorkers } from '../../jobs/worker';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config/config';
import { makeNationalId } from '../../src/modules/enrollment/national-id';
import { decryptId, encryptId, keyIdOf, lookupHash } from '../../src/modules/enrollment/pii-crypto';
import { createApp } from '../../src/server/app';
import { logger, logSink } from '../../src/shared/logger';

let h: Harness;
let admin: string;
const XIDE = '513432';
const DAFANG = '520521';

/** Every plain national ID this file creates or sends: none may be stored or logged. */
const plainIds: string[] = [];
/** Everything the logger wrote while this file ran, at debug level. */
const logLines: string[] = [];
const originalSink = logSink.write;
const originalLevel = logger.level;

const NEW_KEY = { id: 'k2', key: Buffer.alloc(32, 3) };

let people: { insuredId: number; coverageId: number; nationalId: string }[];
let movedPerson: { insuredId: number; coverageId: number; nationalId: string };

beforeAll(async () => {
  logSink.write = (line) => void logLines.push(line);
  logger.level = 'debug';
  h = await startHarness();
  for (const q of h.rt.queues.allQueues()) await q.obliterate({ force: true });
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  const p = await createProgramme(h, { year: 2020 });
  const p19 = await createProgramme(h, { year: 2019 });
  const contract = async (countyCode: string, programme = p, year = 2020) => {
    const c = await createDraftContract(h, programme, {
      countyCode,
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
    });
    await h.sql(
      `update county_contract set status = 'ACTIVE', activated_at = now(), per_capita_premium = 90 where id = $1`,
      [c.id],
    );
    return {
      id: c.id,
      programmeYear: year,
      countyCode,
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
    };
  };
  const xide = await contract(XIDE);
  people = await enrollPeople(h, xide, [
    { countyCode: XIDE, birthDate: '1980-01-01', gender: 'F', name: '张三' },
    { countyCode: XIDE, birthDate: '1981-02-02', gender: 'M', name: '欧阳娜娜' },
    { countyCode: XIDE, birthDate: '1982-03-03', gender: 'F', name: '阿依古丽·买买提' },
    { countyCode: XIDE, birthDate: '1983-04-04', gender: 'M', name: '王小明' },
    { countyCode: XIDE, birthDate: '1984-05-05', gender: 'F', name: '李四' },
  ]);
  await h.sql(`update insured set phone = '13800001234', payee_account = '6222020200112233' where id = $1`, [
    people[0]!.insuredId,
  ]);
  // Someone covered in Xide in 2019 whose home county is now Dafang (they moved).
  const xide19 = await contract(XIDE, p19, 2019);
  movedPerson = (
    await enrollPeople(h, xide19, [{ countyCode: XIDE, birthDate: '1985-06-06', gender: 'M', name: '赵六' }])
  )[0]!;
  await h.sql(`update insured set county_code = $2 where id = $1`, [movedPerson.insuredId, DAFANG]);
  plainIds.push(...people.map((x) => x.nationalId), movedPerson.nationalId);
});

afterAll(async () => {
  logSink.write = originalSink;
  logger.level = originalLevel;
  if (h) for (const q of h.rt.queues.allQueues()) await q.obliterate({ force: true });
  await h?.close();
});

const INSURED = `query($id: ID!) { insured(id: $id) { id name phone payeeAccount nationalIdMasked countyCode coverages { id countyCode programmeYear } } }`;
const REVEAL = `mutation($input: RevealNationalIdInput!) { revealNationalId(input: $input) { nationalId insured { id name nationalIdMasked } } }`;
const ROTATE = `mutation($input: RotatePiiKeyInput) { rotatePiiKey(input: $input) { job { id state } } }`;

describe('names and contact details by role', () => {
  it('in full for ADMIN, CLAIMS_REVIEWER and coordinators of the home county; masked for FOUNDATION', async () => {
    const [zhang, ouyang, ayi] = people;
    const as = async (token: string, id: number) =>
      (await h.gql(INSURED, { id: String(id) }, token)).data!.insured;
    const full = { name: '张三', phone: '13800001234', payeeAccount: '6222020200112233' };
    const masked = { name: '张*', phone: '*******1234', payeeAccount: '************2233' };
    expect(await as(admin, zhang!.insuredId)).toMatchObject(full);
    expect(await as(await h.token(Role.CLAIMS_REVIEWER), zhang!.insuredId)).toMatchObject(full);
    expect(
      await as(await h.token(Role.COORDINATOR, { countyCodes: [XIDE] }), zhang!.insuredId),
    ).toMatchObject(full);
    const foundation = await h.token(Role.FOUNDATION);
    expect(await as(foundation, zhang!.insuredId)).toMatchObject(masked);
    expect((await as(foundation, ouyang!.insuredId)).name).toBe('欧阳**');
    expect((await as(foundation, ayi!.insuredId)).name).toBe('阿***·***');
  });

  it('masked for a coordinator of another county who sees the person through a coverage of theirs', async () => {
    const xideCoordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
    const seen = (await h.gql(INSURED, { id: String(movedPerson.insuredId) }, xideCoordinator)).data!.insured;
    expect(seen).toMatchObject({
      name: '赵*',
      countyCode: DAFANG,
      coverages: [{ countyCode: XIDE, programmeYear: 2019 }],
    });
    const dafangCoordinator = await h.token(Role.COORDINATOR, { countyCodes: [DAFANG] });
    const home = (await h.gql(INSURED, { id: String(movedPerson.insuredId) }, dafangCoordinator)).data!
      .insured;
    // Home county's coordinator: the full name, but not Xide's coverage (out of their scope).
    expect(home).toMatchObject({ name: '赵六', coverages: [] });
    // A coordinator of a third county does not see the person at all.
    const other = await h.token(Role.COORDINATOR, { countyCodes: ['532624'] });
    expect(
      (await h.gql(INSURED, { id: String(people[0]!.insuredId) }, other)).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
  });

  it('masked in every coverage answer; integrations and actuaries never reach the person record', async () => {
    const q = `query($id: String!) { coverage(nationalId: $id) { nameMasked } }`;
    for (const role of [Role.ADMIN, Role.INTEGRATION, Role.FOUNDATION]) {
      const res = await h.gql(q, { id: people[1]!.nationalId }, await h.token(role));
      expect(res.data!.coverage.nameMasked).toBe('欧阳**');
    }
    await expectRoles(h, INSURED, { id: String(people[0]!.insuredId) }, [
      Role.ADMIN,
      Role.CLAIMS_REVIEWER,
      Role.FOUNDATION,
      Role.COORDINATOR,
    ]);
  });
});

describe('revealNationalId', () => {
  it('shows the ID to ADMIN and CLAIMS_REVIEWER, audited with the reason and never the ID', async () => {
    const target = people[2]!;
    const reviewer = await h.token(Role.CLAIMS_REVIEWER);
    const res = await h.gql(
      REVEAL,
      { input: { insuredId: String(target.insuredId), reason: 'bank rejected the payout' } },
      reviewer,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.revealNationalId).toMatchObject({
      nationalId: target.nationalId,
      insured: { id: String(target.insuredId) },
    });
    const audit = await h.sql<{ action: string; actor_role: string; changes: Record<string, unknown> }>(
      `select action, actor_role, changes from audit_event where entity_type = 'Insured' and entity_id = $1`,
      [String(target.insuredId)],
    );
    expect(audit).toEqual([
      {
        action: 'REVEAL_NATIONAL_ID',
        actor_role: 'CLAIMS_REVIEWER',
        changes: {
          reason: 'bank rejected the payout',
          nationalIdMasked: `${target.nationalId.slice(0, 6)}********${target.nationalId.slice(14)}`,
        },
      },
    ]);
    expect(JSON.stringify(audit)).not.toContain(target.nationalId);
  });

  it('needs a reason, and is forbidden to every other role', async () => {
    const noReason = await h.gql(
      REVEAL,
      { input: { insuredId: String(people[0]!.insuredId), reason: '   ' } },
      admin,
    );
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    await expectRoles(h, REVEAL, { input: { insuredId: String(people[0]!.insuredId), reason: 'check' } }, [
      Role.ADMIN,
      Role.CLAIMS_REVIEWER,
    ]);
    const scopedReviewer = await h.token(Role.CLAIMS_REVIEWER, { countyCodes: [DAFANG] });
    const outside = await h.gql(
      REVEAL,
      { input: { insuredId: String(people[0]!.insuredId), reason: 'check' } },
      scopedReviewer,
    );
    expect(outside.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const unknown = await h.gql(REVEAL, { input: { insuredId: '999999', reason: 'check' } }, admin);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('key rotation', () => {
  let rt2: Runtime;
  let server: Server;
  let url2: string;

  /** A second API + worker runtime on the same database whose active key is the new one. */
  beforeAll(async () => {
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: h.rt.config.DATABASE_URL,
      REDIS_URL: h.rt.config.REDIS_URL,
      QUEUE_PREFIX: h.rt.config.QUEUE_PREFIX,
      PII_HMAC_KEY: TEST_HMAC_KEY.toString('base64'),
      PII_ENC_KEYS: `${TEST_ENC_KEY.id}:${TEST_ENC_KEY.key.toString('base64')},${NEW_KEY.id}:${NEW_KEY.key.toString('base64')}`,
      PII_ENC_ACTIVE_KEY: NEW_KEY.id,
    });
    rt2 = await createRuntime({ config, clock: h.clock, orm: h.rt.orm, queues: h.rt.queues });
    const { app } = await createApp({ config, orm: h.rt.orm, services: rt2.services });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url2 = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rt2?.pg.end(); // the ORM and queues are the harness's
  });

  const keyring = { [TEST_ENC_KEY.id]: TEST_ENC_KEY.key, [NEW_KEY.id]: NEW_KEY.key };
  async function state() {
    const rows = await h.sql<{ id: number; id_hash: Buffer; id_ciphertext: string; id_key_id: string }>(
      'select id, id_hash, id_ciphertext, id_key_id from insured order by id',
    );
    return rows.map((r) => ({
      id: r.id,
      keyColumn: r.id_key_id,
      keyOfValue: keyIdOf(r.id_ciphertext),
      plain: decryptId(r.id_ciphertext, keyring),
      hash: r.id_hash.toString('hex'),
    }));
  }
  const fakeJob = (data: Record<string, unknown>, progress: unknown[] = []) =>
    ({ data, updateProgress: async (p: unknown) => void progress.push(p) }) as unknown as Job<any, any>;

  it('re-encrypts in batches, survives being killed half-way, and a second run changes nothing', async () => {
    // A webhook subscription made under the old key: its signing secret is encrypted with the
    // same keyring and must move to the new key too, unchanged.
    const sub = await h.gql(
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret subscription { id } } }`,
      { input: { url: 'http://127.0.0.1:9/hook', eventTypes: ['COVERAGE_STARTED'] } },
      admin,
    );
    expect(sub.errors).toBeUndefined();
    const secret = sub.data!.createWebhookSubscription.secret as string;
    const secretRow = async () =>
      (await h.sql<{ c: string }>('select secret_ciphertext as c from webhook_subscription where id = $1', [
        Number(sub.data!.createWebhookSubscription.subscription.id),
      ]))[0]!.c;
    expect((await secretRow()).split('.')[1]).toBe('test');
    const before = await state();
    expect(before.every((r) => r.keyColumn === 'test' && r.keyOfValue === 'test')).toBe(true);
    // "Killed" after the second batch of two.
    await expect(
      rt2.services.insured.reEncryptAll({
        targetKeyId: 'k2',
        batchSize: 2,
        onBatch: (p) => {
          if (p.batches === 2) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const half = await state();
    expect(half.filter((r) => r.keyColumn === 'k2')).toHaveLength(4);
    expect(half.map((r) => r.plain)).toEqual(before.map((r) => r.plain));

    const progress: unknown[] = [];
    const first = await execRotatePiiKey(
      fakeJob({ targetKeyId: 'k2', batchSize: 2, actorTokenId: null, actorRole: 'ADMIN' }, progress),
      rt2,
    );
    expect(first).toMatchObject({
      targetKeyId: 'k2',
      total: before.length - 4,
      reEncrypted: before.length - 4,
      remaining: 0,
    });
    expect(first).toMatchObject({ webhookSecrets: 1, webhookSecretsRemaining: 0 });
    expect(progress.at(-1)).toMatchObject({ percent: 100 });
    const rotated = await secretRow();
    expect(rotated.split('.')[1]).toBe('k2');
    expect(rt2.services.pii.decryptSecret(rotated)).toBe(secret);
    const after = await state();
    expect(after.every((r) => r.keyColumn === 'k2' && r.keyOfValue === 'k2')).toBe(true);
    expect(after.map((r) => r.plain)).toEqual(before.map((r) => r.plain)); // same IDs
    expect(after.map((r) => r.hash)).toEqual(before.map((r) => r.hash)); // look-ups unaffected

    const second = await execRotatePiiKey(
      fakeJob({ targetKeyId: 'k2', batchSize: 2, actorTokenId: null, actorRole: 'ADMIN' }),
      rt2,
    );
    expect(second).toMatchObject({ total: 0, reEncrypted: 0, batches: 0, remaining: 0, webhookSecrets: 0 });
    expect(await secretRow()).toBe(rotated);
    const again = await state();
    expect(again.map((r) => r.keyOfValue)).toEqual(after.map((r) => r.keyOfValue));
    // Look-ups and reveals still work: the look-up hash never changed, and the old key is still in the ring.
    const check = await h.gql(
      `query($id: String!) { coverage(nationalId: $id) { covered } }`,
      { id: people[0]!.nationalId },
      admin,
    );
    expect(check.data!.coverage.covered).toBe(true);
  });

  it('refuses to run in a worker whose active key is not the one asked for', async () => {
    await expect(
      execRotatePiiKey(
        fakeJob({ targetKeyId: 'test', batchSize: 100, actorTokenId: null, actorRole: 'ADMIN' }),
        rt2,
      ),
    ).rejects.toThrow(/active PII key is "k2"/);
  });

  it('rotatePiiKey (ADMIN) enqueues the job; a worker runs it; the run is audited', async () => {
    // Put one person back under the old key, as a row written by a process that still had it active.
    await h.sql(`update insured set id_ciphertext = $2, id_key_id = 'test' where id = $1`, [
      people[0]!.insuredId,
      encryptId(people[0]!.nationalId, TEST_ENC_KEY),
    ]);
    const gql2 = async (query: string, variables: Record<string, unknown>, token: string) =>
      (await (
        await fetch(`${url2}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as any;
    const res = await gql2(ROTATE, { input: { batchSize: 100 } }, admin);
    expect(res.errors).toBeUndefined();
    expect(res.data.rotatePiiKey.job.id).toBe('maintenance.rotate-pii-key-k2');
    const workers = await startWorkers(rt2, { queues: ['maintenance'] });
    try {
      const done = await waitForJob(h, admin, res.data.rotatePiiKey.job.id);
      expect(done).toMatchObject({
        state: 'COMPLETED',
        result: { targetKeyId: 'k2', reEncrypted: 1, remaining: 0 },
      });
    } finally {
      await workers.close();
    }
    const audit = await h.sql(
      `select actor_role, changes from audit_event where entity_type = 'PiiKey' order by id`,
    );
    expect(audit.at(-1)).toMatchObject({ actor_role: 'ADMIN', changes: { reEncrypted: 1, remaining: 0 } });
    const bad = await gql2(ROTATE, { input: { batchSize: 5 } }, admin);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.batchSize' });
    await expectRoles(h, ROTATE, {}, [Role.ADMIN]);
  });
});

describe('no plaintext national ID anywhere', () => {
  it('exercises every path that handles one: look-ups, FHIR, endorsements, errors', async () => {
    const integration = await h.token(Role.INTEGRATION, { countyCodes: [XIDE] });
    const fresh = makeNationalId(XIDE, '1986-07-07', 700, 'F');
    const typo = `${fresh.slice(0, 17)}${fresh[17] === '0' ? '1' : '0'}`;
    plainIds.push(fresh, typo);
    const one = `query($id: String!) { coverage(nationalId: $id) { covered reason } }`;
    const many = `query($ids: [String!]!) { coverages(nationalIds: $ids) { index error { reason } coverage { covered } } }`;
    await h.gql(one, { id: people[3]!.nationalId }, integration);
    await h.gql(one, { id: typo }, integration);
    await h.gql(many, { ids: [...plainIds, 'junk'] }, integration);
    // A value of the wrong type: GraphQL echoes it to the caller, but it must not reach the logs.
    await h.gql(one, { id: Number(people[3]!.nationalId.slice(0, 15)) }, integration);
    await fetch(`${h.url}/fhir/CoverageEligibilityRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${integration}` },
      body: JSON.stringify({
        resourceType: 'CoverageEligibilityRequest',
        status: 'active',
        purpose: ['validation', 'benefits'],
        patient: { identifier: { value: people[4]!.nationalId } },
        created: '2020-03-02',
        insurer: { display: 'Pillar' },
      }),
    });
    await fetch(`${h.url}/fhir/CoverageEligibilityRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${integration}` },
      body: `{"resourceType":"CoverageEligibilityRequest","patient":{"identifier":{"value":"${people[4]!.nationalId}"}`,
    });
    const [contract] = await h.sql<{ id: number }>(
      `select id from county_contract where county_code = $1 and programme_year = 2020`,
      [XIDE],
    );
    const added = await h.gql(
      `mutation($input: AddCoverageInput!) { addCoverage(input: $input) { coverage { id } } }`,
      {
        input: {
          contractId: String(contract!.id),
          nationalId: fresh,
          name: '孙七',
          householdId: 'HH-7',
          effectiveDate: '2020-03-02',
        },
      },
      admin,
    );
    expect(added.errors).toBeUndefined();
    const ended = await h.gql(
      `mutation($input: EndCoverageInput!) { endCoverage(input: $input) { coverage { id } } }`,
      {
        input: {
          coverageId: added.data!.addCoverage.coverage.id,
          effectiveDate: '2020-06-01',
          reason: 'DECEASED',
        },
      },
      admin,
    );
    expect(ended.errors).toBeUndefined();
    const dup = await h.gql(
      `mutation($input: AddCoverageInput!) { addCoverage(input: $input) { coverage { id } } }`,
      {
        input: {
          contractId: String(contract!.id),
          nationalId: fresh,
          name: '孙七',
          householdId: 'HH-7',
          effectiveDate: '2020-03-02',
        },
      },
      admin,
    );
    expect(dup.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await h.gql(
      REVEAL,
      { input: { insuredId: String(people[4]!.insuredId), reason: 'payout check' } },
      admin,
    );
  });

  /** Text, JSON and binary columns of every table, and what finds an ID in each. */
  async function scanDatabase(ids: string[]): Promise<string[]> {
    const columns = await h.sql<{ table_name: string; column_name: string; data_type: string }>(
      `select c.table_name, c.column_name, c.data_type
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY')
        order by 1, 2`,
    );
    expect(columns.length).toBeGreaterThan(20);
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(
      expect.arrayContaining([
        'insured.id_ciphertext',
        'insured.id_hash',
        'audit_event.changes',
        'outbox_event.payload',
        'coverage_access_log.id_hashes',
      ]),
    );
    const patterns = ids.map((id) => `%${id}%`);
    const found: string[] = [];
    for (const c of columns) {
      const col = `"${c.column_name}"`;
      const [row] =
        c.data_type === 'bytea'
          ? await h.sql<{ n: number }>(
              `select count(*)::int as n from "${c.table_name}" t, unnest($1::text[]) as plain(v) where position(convert_to(plain.v, 'UTF8') in t.${col}) > 0`,
              [ids],
            )
          : await h.sql<{ n: number }>(
              `select count(*)::int as n from "${c.table_name}" where ${col}::text ilike any($1::text[])`,
              [patterns],
            );
      if (row!.n > 0) found.push(`${c.table_name}.${c.column_name} (${row!.n})`);
    }
    return found;
  }

  it('finds none in any table, job payload or log line (and the scanners do find a planted one)', async () => {
    expect(plainIds.length).toBeGreaterThanOrEqual(8);
    // The database scan finds what is there: plant one, see it, take it away.
    const [planted] = await h.sql<{ id: string }>(
      `insert into audit_event (actor_role, entity_type, entity_id, action, changes) values ('SYSTEM', 'Canary', '1', 'PLANT', $1) returning id`,
      [{ note: plainIds[0] }],
    );
    expect(await scanDatabase(plainIds)).toEqual(['audit_event.changes (1)']);
    await h.sql('delete from audit_event where id = $1', [planted!.id]);

    expect(await scanDatabase(plainIds)).toEqual([]);

    // Every job this file ran, on every queue: payload, progress, result, failure, job log.
    const jobTexts: string[] = [];
    for (const name of ALL_QUEUES) {
      const q = h.rt.queues.queue(name);
      for (const job of await q.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'])) {
        const logs = await q.getJobLogs(job.id!);
        jobTexts.push(
          JSON.stringify({
            data: job.data,
            progress: job.progress,
            result: job.returnvalue,
            failed: job.failedReason,
            logs: logs.logs,
          }),
        );
      }
    }
    expect(jobTexts.some((t) => t.includes('rotate-pii-key') || t.includes('"targetKeyId"'))).toBe(true);
    for (const id of plainIds) {
      expect(jobTexts.filter((t) => t.toUpperCase().includes(id.toUpperCase()))).toEqual([]);
    }

    // The logs, at debug level, of everything above (API requests, the worker, errors).
    const logs = logLines.join('');
    expect(logLines.length).toBeGreaterThan(20);
    expect(logs).toContain('"msg":"request"');
    expect(logs).toContain('"msg":"job completed"');
    for (const id of plainIds) {
      expect({ id, found: logs.toUpperCase().includes(id.toUpperCase()) }).toEqual({ id, found: false });
    }
    // Nor the look-up hashes' keys or the 15-digit prefix sent as a number.
    expect(logs).not.toContain(people[3]!.nationalId.slice(0, 15));
    expect(logs).not.toContain(TEST_HMAC_KEY.toString('base64'));
    expect(lookupHash(plainIds[0]!, TEST_HMAC_KEY).length).toBe(32);
  });
});
