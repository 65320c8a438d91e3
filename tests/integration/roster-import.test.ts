import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { createDefaults, createPricedProgramme } from '../factories/pricing';
import { seedReferenceData } from '../factories/reference';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { waitForJob } from '../helpers/jobs';
import { ALL_ROLES, expectRoles } from '../helpers/roles';
import {
  coveredElsewhereId,
  FIXTURE_DIR,
  FIXTURES,
  fixtureFile,
  type FixtureFile,
} from '../fixtures/make-fixtures';
import { startWorkers, type WorkerHandle } from '../../jobs/worker';
import { makeNationalId } from '../../src/modules/enrollment/national-id';
import { maskNationalId } from '../../src/modules/enrollment/masking';
import { lookupHash } from '../../src/modules/enrollment/pii-crypto';
import { TEST_HMAC_KEY } from '../factories/people';

const XIDE = '513432';
const DAFANG = '520521';
const LIPING = '522631';
const MALIPO = '532624';
const GUANGNAN = '532627';
const HONGAN = '421122';
const WUFENG = '420529';
const CHANGYANG = '420528';
const ZIGUI = '420527';
const YUNXI = '420322';

let h: Harness;
let admin: string;
let contracts: Record<string, number>;
let contract2019Dafang: number;

// Uploads of this file go to a directory of its own.
const uploadDir = mkdtempSync(join(tmpdir(), 'pillar-rosters-'));
process.env.UPLOAD_DIR = uploadDir;

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  await h.rt.queues.queue('enrollment').obliterate({ force: true });
  const defaults = await createDefaults(h);
  const { contracts: cs } = await createPricedProgramme(
    h,
    2020,
    [XIDE, DAFANG, LIPING, MALIPO, GUANGNAN, HONGAN, WUFENG, CHANGYANG, ZIGUI, YUNXI].map((code) => ({
      code,
    })),
    defaults,
  );
  contracts = Object.fromEntries(cs.map((c) => [c.county.code, c.id]));
  const { contracts: c2019 } = await createPricedProgramme(h, 2019, [{ code: DAFANG }], defaults);
  contract2019Dafang = c2019[0]!.id;
  admin = await h.token(Role.ADMIN);
});

afterAll(async () => {
  if (h) await h.rt.queues.queue('enrollment').obliterate({ force: true });
  await h?.close();
  rmSync(uploadDir, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------- helpers

interface UploadOptions {
  mode?: 'MERGE' | 'REPLACE';
  fileName?: string;
  contentType?: string;
  token?: string | null;
  query?: Record<string, string>;
}

async function upload(contractId: number, body: Buffer | string, opts: UploadOptions = {}) {
  const q = new URLSearchParams({ contractId: String(contractId), ...(opts.query ?? {}) });
  if (opts.mode) q.set('mode', opts.mode);
  if (opts.fileName !== undefined) q.set('fileName', opts.fileName);
  const token = opts.token === undefined ? admin : opts.token;
  const res = await fetch(`${h.url}/uploads/rosters?${q}`, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/octet-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function uploadMultipart(
  contractId: number,
  files: { name: string; bytes: Buffer }[],
  opts: UploadOptions = {},
) {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([f.bytes]), f.name);
  const q = new URLSearchParams({ contractId: String(contractId) });
  if (opts.mode) q.set('mode', opts.mode);
  const res = await fetch(`${h.url}/uploads/rosters?${q}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.token ?? admin}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Uploads and runs the import through the same function the job calls. */
async function importFile(contractId: number, body: Buffer | string, opts: UploadOptions = {}) {
  const up = await upload(contractId, body, { fileName: 'roster.csv', ...opts });
  expect(up.status).toBe(202);
  const importId = Number(up.body.importId);
  const result = await h.rt.services.rosters.runImport(h.em(), importId);
  return { importId, result, upload: up.body };
}

async function importRow(id: number) {
  const [row] = await h.sql(
    `select status, total_rows, accepted_rows, updated_rows, unchanged_rows, rejected_rows, ended_coverages, failure_reason
       from roster_import where id = $1`,
    [id],
  );
  return row!;
}

function expectIdentity(r: {
  total: number;
  accepted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}) {
  expect(r.accepted + r.updated + r.unchanged + r.rejected).toBe(r.total);
}

function fixtureBytes(kind: keyof typeof FIXTURES): Buffer {
  return readFileSync(join(FIXTURE_DIR, FIXTURES[kind].file));
}

/** Expected rejects of a fixture: line → reason. */
function expectedRejects(f: FixtureFile): Record<number, string> {
  const out: Record<number, string> = {};
  f.people.forEach((p, i) => {
    if (p.expect !== 'ACCEPTED') out[f.firstLine + i] = p.expect;
  });
  return out;
}

async function rejectsOf(importId: number): Promise<Record<number, string>> {
  const rows = await h.sql<{ line_number: number; reason: string }>(
    'select line_number, reason from roster_reject where roster_import_id = $1 order by line_number',
    [importId],
  );
  return Object.fromEntries(rows.map((r) => [r.line_number, r.reason]));
}

const csv = (rows: string[][], header = 'national_id,name,household_id,registered_poor,phone'): string =>
  `${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`;

let seq = 500;
/** A fresh valid ID (the gender follows the sequence number's parity, so no two coincide). */
const person = (county: string, birth = '1980-01-01'): string => {
  seq += 1;
  return makeNationalId(county, birth, seq % 1000, seq % 2 ? 'M' : 'F');
};

async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [r] = await h.sql<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params);
  return r!.n;
}

// ------------------------------------------------------------------------------- the fixtures

describe('importing the fixtures (every reject reason, the totals identity)', () => {
  beforeAll(async () => {
    // The COVERED_ELSEWHERE person of each fixture is already on another county's 2020 roster.
    for (const seed of [1, 2, 3]) {
      const id = coveredElsewhereId(seed);
      const { result } = await importFile(contracts[GUANGNAN]!, csv([[id, '梁燕', `HH-G${seed}`, 'Y', '']]));
      expect(result.accepted).toBe(1);
    }
  });

  it('GBK CSV with Chinese headers: each row accepted or rejected with its reason and line', async () => {
    const f = fixtureFile('gbk');
    const { importId, result } = await importFile(contracts[XIDE]!, fixtureBytes('gbk'), {
      fileName: '喜德县花名册.csv',
    });
    expect(result).toMatchObject({
      status: 'COMPLETED',
      total: 20,
      accepted: 9,
      updated: 0,
      unchanged: 0,
      rejected: 11,
      endedCoverages: 0,
    });
    expectIdentity(result);
    expect(result.rejectedByReason).toEqual({
      INVALID_ID: 4,
      DUPLICATE_IN_FILE: 1,
      MISSING_FIELD: 2,
      NOT_REGISTERED_POOR: 1,
      AGE_OUT_OF_RANGE: 2,
      COVERED_ELSEWHERE: 1,
    });
    expect(await rejectsOf(importId)).toEqual(expectedRejects(f));
    expect(await importRow(importId)).toMatchObject({
      status: 'COMPLETED',
      total_rows: 20,
      accepted_rows: 9,
      rejected_rows: 11,
    });

    // The accepted people: insured (hash, ciphertext, mask, home county) and a coverage each.
    const accepted = f.people.filter((p) => p.expect === 'ACCEPTED');
    const rows = await h.sql<Record<string, any>>(
      `select i.id_masked, i.name, i.county_code, i.id_region, i.registered_poor, i.payee_account, i.phone, i.id_key_id,
              c.contract_id, c.programme_year, c.period_start, c.period_end, c.status, c.county_code as cov_county
         from insured i join coverage c on c.insured_id = i.id
        where i.id_hash = any($1::bytea[]) order by i.id`,
      [accepted.map((p) => lookupHash(p.id, TEST_HMAC_KEY))],
    );
    expect(rows).toHaveLength(9);
    for (const r of rows) {
      expect(r).toMatchObject({
        county_code: XIDE,
        contract_id: contracts[XIDE],
        programme_year: 2020,
        period_start: '2020-01-01',
        period_end: '2020-12-31',
        status: 'ENROLLED',
        cov_county: XIDE,
        registered_poor: true,
        id_key_id: 'test',
      });
    }
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['王小明', '陈静', '欧阳娜娜', '阿依古丽·买买提']),
    );
    const wang = rows.find((r) => r.name === '王小明')!;
    expect(wang).toMatchObject({ payee_account: '6228480012345678901', phone: '13800138000' });
    expect(wang.id_masked).toBe(maskNationalId(accepted[0]!.id));
    // Issued in Dafang, living in Xide: home county Xide, issuing region kept.
    expect(rows.find((r) => r.name === '阿依古丽·买买提')).toMatchObject({
      county_code: XIDE,
      id_region: DAFANG,
    });

    // Rejected people were not written at all.
    const rejectedValid = f.people.filter(
      (p) =>
        p.expect !== 'ACCEPTED' &&
        p.expect !== 'INVALID_ID' &&
        p.expect !== 'DUPLICATE_IN_FILE' &&
        p.expect !== 'COVERED_ELSEWHERE',
    );
    expect(
      await count('insured', 'id_hash = any($1::bytea[])', [
        rejectedValid.map((p) => lookupHash(p.id, TEST_HMAC_KEY)),
      ]),
    ).toBe(0);
  });

  it('the rejects carry masked IDs and a detail, never a plain ID', async () => {
    const f = fixtureFile('gbk');
    const [imp] = await h.sql<{ id: number }>(
      `select id from roster_import where contract_id = $1 order by id limit 1`,
      [contracts[XIDE]],
    );
    const rows = await h.sql<{
      line_number: number;
      masked_id: string | null;
      reason: string;
      detail: string;
    }>(
      'select line_number, masked_id, reason, detail from roster_reject where roster_import_id = $1 order by line_number',
      [imp!.id],
    );
    const byLine = Object.fromEntries(rows.map((r) => [r.line_number, r]));
    const line = (about: string) => f.firstLine + f.people.findIndex((p) => p.about === about);
    expect(byLine[line('the first person again')]!.detail).toBe(
      `the same national ID is already on line ${f.firstLine}`,
    );
    expect(byLine[line('61 on the first day')]!.detail).toBe(
      'age 61 on 2020-01-01, the first day of coverage: the plan covers ages 18 to 60',
    );
    expect(byLine[line('17 on the first day')]!.detail).toMatch(/^age 17 on 2020-01-01/);
    expect(byLine[line('covered by another county this year')]!.detail).toBe(
      `already covered in programme year 2020 by contract ${contracts[GUANGNAN]} (county ${GUANGNAN})`,
    );
    expect(byLine[line('scientific notation from Excel')]!.detail).toMatch(/scientific notation/);
    expect(byLine[line('an empty name')]!.detail).toBe('name is empty');
    for (const r of rows) {
      if (r.masked_id) expect(r.masked_id).toMatch(/^[0-9A-Za-z]{6}\*+[0-9A-Za-z]{4}$/);
      for (const p of f.people) if (p.id.length === 18) expect(JSON.stringify(r)).not.toContain(p.id);
    }
  });

  it('UTF-8 with BOM, English headers: the same verdicts', async () => {
    const f = fixtureFile('utf8');
    const { importId, result } = await importFile(contracts[LIPING]!, fixtureBytes('utf8'));
    expect(result).toMatchObject({ total: 20, accepted: 9, rejected: 11 });
    expectIdentity(result);
    expect(await rejectsOf(importId)).toEqual(expectedRejects(f));
  });

  it('xlsx through multipart: the same verdicts, at Excel row numbers', async () => {
    const f = fixtureFile('xlsx');
    const up = await uploadMultipart(contracts[MALIPO]!, [
      { name: '麻栗坡.xlsx', bytes: fixtureBytes('xlsx') },
    ]);
    expect(up.status).toBe(202);
    const importId = Number(up.body.importId);
    const result = await h.rt.services.rosters.runImport(h.em(), importId);
    expect(result).toMatchObject({ total: 20, accepted: 9, rejected: 11 });
    expect(await rejectsOf(importId)).toEqual(expectedRejects(f));
    const [row] = await h.sql('select file_name, file_sha256 from roster_import where id = $1', [importId]);
    expect(row).toMatchObject({ file_name: '麻栗坡.xlsx', file_sha256: up.body.fileSha256 });
  });

  it('re-running the same file changes nothing: 0 accepted, everything unchanged, no new events', async () => {
    const before = {
      events: await count('outbox_event'),
      coverages: await count('coverage'),
      insured: await h.sql('select id, updated_at from insured order by id'),
    };
    const { result } = await importFile(contracts[XIDE]!, fixtureBytes('gbk'));
    expect(result).toMatchObject({ total: 20, accepted: 0, updated: 0, unchanged: 9, rejected: 11 });
    expectIdentity(result);
    expect(await count('outbox_event')).toBe(before.events);
    expect(await count('coverage')).toBe(before.coverages);
    expect(await h.sql('select id, updated_at from insured order by id')).toEqual(before.insured);
  });

  it('events: one COVERAGE_STARTED per accepted row, ids and masked ID only', async () => {
    const events = await h.sql<{ type: string; county_code: string; payload: Record<string, unknown> }>(
      `select type, county_code, payload from outbox_event where payload->>'contractId' = $1 order by id`,
      [String(contracts[XIDE])],
    );
    expect(events).toHaveLength(9);
    for (const e of events) {
      expect(e.type).toBe('COVERAGE_STARTED');
      expect(e.county_code).toBe(XIDE);
      expect(Object.keys(e.payload).sort()).toEqual(
        [
          'contractId',
          'coverageId',
          'insuredId',
          'maskedId',
          'periodEnd',
          'periodStart',
          'rosterImportId',
          'status',
        ].sort(),
      );
      expect(e.payload).toMatchObject({
        periodStart: '2020-01-01',
        periodEnd: '2020-12-31',
        status: 'ENROLLED',
      });
      expect(String(e.payload.maskedId)).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
      const text = JSON.stringify(e.payload);
      expect(text).not.toMatch(/\d{17}[\dX]/);
      expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('audits the upload and the import with its counts', async () => {
    const [imp] = await h.sql<{ id: number }>(
      'select id from roster_import where contract_id = $1 order by id limit 1',
      [contracts[XIDE]],
    );
    const audit = await h.sql<{ action: string; to_state: string; changes: Record<string, any> }>(
      `select action, to_state, changes from audit_event where entity_type = 'RosterImport' and entity_id = $1 order by id`,
      [String(imp!.id)],
    );
    expect(audit.map((a) => a.action)).toEqual(['UPLOAD', 'IMPORT']);
    expect(audit[1]!.changes).toMatchObject({
      contractId: contracts[XIDE],
      mode: 'MERGE',
      format: 'csv',
      encoding: 'gb18030',
      total: 20,
      accepted: 9,
      updated: 0,
      unchanged: 0,
      rejected: 11,
      rejectedByReason: { INVALID_ID: 4 },
    });
  });

  it('deletes the stored file once the import is final', async () => {
    const done = await h.sql<{ storage_key: string }>(
      `select storage_key from roster_import where status in ('COMPLETED', 'FAILED')`,
    );
    expect(done.length).toBeGreaterThan(5);
    for (const r of done) expect(existsSync(join(uploadDir, r.storage_key))).toBe(false);
    expect(readdirSync(join(uploadDir, 'rosters'))).toEqual([]);
  });
});

// ------------------------------------------------------------------------------- merge semantics

describe('MERGE and REPLACE', () => {
  it('MERGE updates changed details (updated), leaves the rest (unchanged), adds new people', async () => {
    const c = contracts[HONGAN]!;
    const a = person(HONGAN);
    const b = person(HONGAN);
    const first = await importFile(
      c,
      csv([
        [a, '甲', 'H1', 'Y', '13900000001'],
        [b, '乙', 'H1', 'Y', ''],
      ]),
    );
    expect(first.result).toMatchObject({ accepted: 2, updated: 0, unchanged: 0, rejected: 0 });
    const d = person(HONGAN);
    const second = await importFile(
      c,
      csv([
        [a, '甲', 'H1', 'Y', '13900000001'],
        [b, '乙改', 'H2', '是', '13900000002'],
        [d, '丁', 'H3', 'Y', ''],
      ]),
    );
    expect(second.result).toMatchObject({ total: 3, accepted: 1, updated: 1, unchanged: 1, rejected: 0 });
    expectIdentity(second.result);
    const [row] = await h.sql('select name, household_id, phone from insured where id_hash = $1', [
      lookupHash(b, TEST_HMAC_KEY),
    ]);
    expect(row).toEqual({ name: '乙改', household_id: 'H2', phone: '13900000002' });
    // Only the new person got an event.
    expect(await count('outbox_event', `(payload->>'rosterImportId')::int = $1`, [second.importId])).toBe(1);
  });

  it('a file without the optional columns leaves stored payee and phone alone', async () => {
    const c = contracts[HONGAN]!;
    const a = person(HONGAN);
    await importFile(c, csv([[a, '甲', 'H1', 'Y', '13911112222']]));
    const again = await importFile(c, `national_id,name,household_id,registered_poor\n${a},甲,H1,Y\n`);
    expect(again.result).toMatchObject({ accepted: 0, unchanged: 1 });
    const [row] = await h.sql('select phone from insured where id_hash = $1', [lookupHash(a, TEST_HMAC_KEY)]);
    expect(row!.phone).toBe('13911112222');
  });

  it('REPLACE ends coverages absent from the file (counted, with events) and reinstates them when they return', async () => {
    const c = contracts[WUFENG]!;
    const [a, b, x] = [person(WUFENG), person(WUFENG), person(WUFENG)];
    await importFile(
      c,
      csv([
        [a, '甲', 'H1', 'Y', ''],
        [b, '乙', 'H1', 'Y', ''],
        [x, '丙', 'H2', 'Y', ''],
      ]),
    );
    const n = person(WUFENG);
    const replaced = await importFile(
      c,
      csv([
        [a, '甲', 'H1', 'Y', ''],
        [b, '乙', 'H1', 'Y', ''],
        [n, '新', 'H3', 'Y', ''],
      ]),
      {
        mode: 'REPLACE',
      },
    );
    expect(replaced.result).toMatchObject({
      total: 3,
      accepted: 1,
      unchanged: 2,
      rejected: 0,
      endedCoverages: 1,
    });
    expect(await importRow(replaced.importId)).toMatchObject({ ended_coverages: 1 });
    const [ended] = await h.sql(
      `select c.status, c.end_reason, c.ended_on from coverage c join insured i on i.id = c.insured_id where i.id_hash = $1`,
      [lookupHash(x, TEST_HMAC_KEY)],
    );
    expect(ended).toEqual({
      status: 'TERMINATED',
      end_reason: 'REMOVED_FROM_ROSTER',
      ended_on: '2019-12-31',
    });
    const endedEvents = await h.sql<{ payload: Record<string, unknown> }>(
      `select payload from outbox_event where type = 'COVERAGE_ENDED' and (payload->>'rosterImportId')::int = $1`,
      [replaced.importId],
    );
    expect(endedEvents).toHaveLength(1);
    expect(endedEvents[0]!.payload).toMatchObject({
      status: 'TERMINATED',
      endReason: 'REMOVED_FROM_ROSTER',
      maskedId: maskNationalId(x),
      contractId: c,
    });

    // x is back, n is gone: x reinstated (accepted), n ended.
    const back = await importFile(
      c,
      csv([
        [a, '甲', 'H1', 'Y', ''],
        [b, '乙', 'H1', 'Y', ''],
        [x, '丙', 'H2', 'Y', ''],
      ]),
      {
        mode: 'REPLACE',
      },
    );
    expect(back.result).toMatchObject({ total: 3, accepted: 1, unchanged: 2, endedCoverages: 1 });
    const states = await h.sql<{ status: string }>(
      `select c.status from coverage c join insured i on i.id = c.insured_id where i.id_hash = any($1::bytea[]) order by i.id`,
      [[x, n].map((id) => lookupHash(id, TEST_HMAC_KEY))],
    );
    expect(states.map((s) => s.status)).toEqual(['ENROLLED', 'TERMINATED']);
    expect(await count('coverage', 'contract_id = $1', [c])).toBe(4);
    // The same REPLACE again changes nothing.
    const same = await importFile(
      c,
      csv([
        [a, '甲', 'H1', 'Y', ''],
        [b, '乙', 'H1', 'Y', ''],
        [x, '丙', 'H2', 'Y', ''],
      ]),
      {
        mode: 'REPLACE',
      },
    );
    expect(same.result).toMatchObject({ accepted: 0, unchanged: 3, endedCoverages: 0 });
    expect(await count('outbox_event', `(payload->>'rosterImportId')::int = $1`, [same.importId])).toBe(0);
  });

  it('REPLACE: the roster is the accepted rows — a person whose row is now rejected is ended too', async () => {
    const c = contracts[YUNXI]!;
    const [a, b] = [person(YUNXI), person(YUNXI)];
    await importFile(
      c,
      csv([
        [a, '甲', 'H1', 'Y', ''],
        [b, '乙', 'H1', 'Y', ''],
      ]),
    );
    const r = await importFile(
      c,
      csv([
        [a, '甲', 'H1', 'Y', ''],
        [b, '乙', 'H1', 'N', ''],
      ]),
      { mode: 'REPLACE' },
    );
    expect(r.result).toMatchObject({ total: 2, unchanged: 1, rejected: 1, endedCoverages: 1 });
    expect(r.result.rejectedByReason).toMatchObject({ NOT_REGISTERED_POOR: 1 });
    const [row] = await h.sql(
      `select c.status, i.registered_poor from coverage c join insured i on i.id = c.insured_id where i.id_hash = $1`,
      [lookupHash(b, TEST_HMAC_KEY)],
    );
    // Ended, and the rejected row changed nothing else about the person.
    expect(row).toEqual({ status: 'TERMINATED', registered_poor: true });
  });

  it('REPLACE on an ACTIVE contract is refused at upload, and fails the import if the contract became ACTIVE since', async () => {
    const c = contracts[CHANGYANG]!;
    const a = person(CHANGYANG);
    const up = await upload(c, csv([[a, '甲', 'H1', 'Y', '']]), { mode: 'REPLACE', fileName: 'r.csv' });
    expect(up.status).toBe(202);
    await h.sql(`update county_contract set status = 'ACTIVE' where id = $1`, [c]);
    try {
      await expect(h.rt.services.rosters.runImport(h.em(), Number(up.body.importId))).rejects.toMatchObject({
        code: 'CONFLICT',
        details: { reason: 'REPLACE_NOT_ALLOWED' },
      });
      expect(await importRow(Number(up.body.importId))).toMatchObject({
        status: 'FAILED',
        failure_reason: expect.stringMatching(/^REPLACE_NOT_ALLOWED: contract \d+ is ACTIVE/),
      });
      expect(await count('coverage', 'contract_id = $1', [c])).toBe(0);
      const refused = await upload(c, csv([[a, '甲', 'H1', 'Y', '']]), {
        mode: 'REPLACE',
        fileName: 'r.csv',
      });
      expect(refused.status).toBe(409);
      expect(refused.body.errors[0].extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'REPLACE_NOT_ALLOWED',
      });
      // MERGE into an ACTIVE contract is fine.
      const merged = await importFile(c, csv([[a, '甲', 'H1', 'Y', '']]));
      expect(merged.result.accepted).toBe(1);
    } finally {
      await h.sql(`update county_contract set status = 'DRAFT' where id = $1`, [c]);
    }
  });

  it('a CANCELLED or EXPIRED contract takes no roster', async () => {
    const c = contracts[ZIGUI]!;
    for (const status of ['CANCELLED', 'EXPIRED']) {
      await h.sql(`update county_contract set status = $2 where id = $1`, [c, status]);
      const up = await upload(c, csv([[person(ZIGUI), '甲', 'H1', 'Y', '']]), { fileName: 'r.csv' });
      expect(up.status).toBe(409);
      expect(up.body.errors[0].extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'CONTRACT_CLOSED',
        currentState: status,
      });
    }
    await h.sql(`update county_contract set status = 'DRAFT' where id = $1`, [c]);
  });

  it('covered in another programme year is not COVERED_ELSEWHERE; the home county follows the newest roster', async () => {
    const a = person(DAFANG, '1979-05-05');
    const y2019 = await importFile(contract2019Dafang, csv([[a, '甲', 'H1', 'Y', '']]));
    expect(y2019.result.accepted).toBe(1);
    const y2020 = await importFile(contracts[ZIGUI]!, csv([[a, '甲', 'Z1', 'Y', '']]));
    expect(y2020.result).toMatchObject({ accepted: 1, rejected: 0 });
    const [row] = await h.sql('select county_code, household_id from insured where id_hash = $1', [
      lookupHash(a, TEST_HMAC_KEY),
    ]);
    expect(row).toEqual({ county_code: ZIGUI, household_id: 'Z1' });
    expect(
      await count('coverage c join insured i on i.id = c.insured_id', 'i.id_hash = $1', [
        lookupHash(a, TEST_HMAC_KEY),
      ]),
    ).toBe(2);
  });

  it('the same import run twice at once (a stalled job false alarm): applied once', async () => {
    const c = contracts[YUNXI]!;
    const up = await upload(
      c,
      csv([
        [person(YUNXI), '甲', 'H1', 'Y', ''],
        [person(YUNXI), '乙', 'H2', 'Y', ''],
      ]),
      {
        fileName: 'twice.csv',
      },
    );
    const id = Number(up.body.importId);
    const before = await count('coverage', 'contract_id = $1', [c]);
    const outcomes = await Promise.allSettled([
      h.rt.services.rosters.runImport(h.em(), id),
      h.rt.services.rosters.runImport(h.em(), id),
    ]);
    const done = outcomes.filter((o) => o.status === 'fulfilled');
    expect(done.length).toBeGreaterThanOrEqual(1);
    for (const o of done) expect(o.value).toMatchObject({ status: 'COMPLETED', accepted: 2 });
    for (const o of outcomes)
      if (o.status === 'rejected') expect(String(o.reason)).toMatch(/running in another worker/);
    expect(await count('coverage', 'contract_id = $1', [c])).toBe(before + 2);
    expect(await importRow(id)).toMatchObject({ status: 'COMPLETED', accepted_rows: 2 });
  });

  it('two imports listing the same person at once: one covers them, the other rejects COVERED_ELSEWHERE', async () => {
    const a = person(XIDE, '1981-01-01');
    const one = await upload(contracts[DAFANG]!, csv([[a, '甲', 'D1', 'Y', '']]), { fileName: 'a.csv' });
    const two = await upload(contracts[LIPING]!, csv([[a, '甲', 'L1', 'Y', '']]), { fileName: 'b.csv' });
    const results = await Promise.all(
      [one, two].map((u) => h.rt.services.rosters.runImport(h.em(), Number(u.body.importId))),
    );
    expect(results.map((r) => r.accepted).sort()).toEqual([0, 1]);
    expect(results.map((r) => r.rejectedByReason?.COVERED_ELSEWHERE).sort()).toEqual([0, 1]);
  });
});

// ------------------------------------------------------------------------------- failures

describe('a file that cannot be a roster fails the whole import and writes nothing', () => {
  it.each([
    [
      'a missing required column',
      'national_id,name,registered_poor\n110105194912310021,张三,Y\n',
      /^MISSING_COLUMN: required column missing: household_id \(户编号\)/,
    ],
    ['a header and no rows', 'national_id,name,household_id,registered_poor\r\n,,,\r\n', /^EMPTY_FILE: /],
    [
      'an unclosed quote',
      'national_id,name,household_id,registered_poor\n110105194912310021,"张三,H1,Y\n',
      /^MALFORMED_FILE: /,
    ],
  ])('%s', async (_about, body, reason) => {
    const c = contracts[GUANGNAN]!;
    const before = {
      coverage: await count('coverage'),
      insured: await count('insured'),
      events: await count('outbox_event'),
    };
    const up = await upload(c, body, { fileName: 'bad.csv' });
    expect(up.status).toBe(202);
    const id = Number(up.body.importId);
    await expect(h.rt.services.rosters.runImport(h.em(), id)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    const row = await importRow(id);
    expect(row.status).toBe('FAILED');
    expect(row.failure_reason).toMatch(reason);
    expect(row.total_rows).toBe(0);
    expect({
      coverage: await count('coverage'),
      insured: await count('insured'),
      events: await count('outbox_event'),
    }).toEqual(before);
    expect(await count('roster_reject', 'roster_import_id = $1', [id])).toBe(0);
    expect(await count('pg_class', `relname = $1`, [`roster_stage_${id}`])).toBe(0);
    const audit = await h.sql<{ action: string }>(
      `select action from audit_event where entity_type = 'RosterImport' and entity_id = $1 order by id`,
      [String(id)],
    );
    expect(audit.map((a) => a.action)).toEqual(['UPLOAD', 'FAIL']);
    // A finished import is not run again.
    await expect(h.rt.services.rosters.runImport(h.em(), id)).rejects.toMatchObject({
      details: { reason: 'ALREADY_FINISHED' },
    });
  });
});

// ------------------------------------------------------------------------------- the upload endpoint

describe('POST /uploads/rosters', () => {
  const tiny = () => csv([[person(GUANGNAN), '甲', 'H1', 'Y', '']]);

  it('answers 202 with the import and its job; the job is queued with ids only', async () => {
    const up = await upload(contracts[GUANGNAN]!, tiny(), { contentType: 'text/csv' });
    expect(up.status).toBe(202);
    expect(up.body).toMatchObject({
      importId: expect.stringMatching(/^\d+$/),
      status: 'UPLOADED',
      fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      job: { id: `enrollment.roster-import-${up.body.importId}`, state: 'WAITING' },
    });
    const job = await h.rt.queues.queue('enrollment').getJob(`roster-import-${up.body.importId}`);
    expect(job!.data).toEqual({ importId: Number(up.body.importId), countyCode: GUANGNAN });
    const [row] = await h.sql('select file_name, storage_key, mode from roster_import where id = $1', [
      up.body.importId,
    ]);
    expect(row).toMatchObject({
      file_name: 'roster.csv',
      mode: 'MERGE',
      storage_key: expect.stringMatching(/^rosters\/[0-9a-f-]{36}\.csv$/),
    });
    expect(existsSync(join(h.rt.config.uploadDir, row!.storage_key))).toBe(true);
  });

  it('the hash is of the bytes as sent', async () => {
    const bytes = iconv.encode(tiny(), 'gbk');
    const up = await upload(contracts[GUANGNAN]!, bytes, { fileName: 'x.csv' });
    const { createHash } = await import('node:crypto');
    expect(up.body.fileSha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('roles: ADMIN, FOUNDATION and the county’s COORDINATOR may upload; others are refused', async () => {
    const c = contracts[GUANGNAN]!;
    expect((await upload(c, tiny(), { fileName: 'r.csv', token: null })).body.errors[0].extensions.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await upload(c, tiny(), { fileName: 'r.csv', token: 'nonsense' })).status).toBe(401);
    for (const role of ALL_ROLES) {
      const token = await h.token(role, role === Role.COORDINATOR ? { countyCodes: [GUANGNAN] } : {});
      const res = await upload(c, tiny(), { fileName: 'r.csv', token });
      const allowed = [Role.ADMIN, Role.FOUNDATION, Role.COORDINATOR].includes(role);
      expect({ role, status: res.status }).toEqual({ role, status: allowed ? 202 : 403 });
      if (!allowed) expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    }
    const elsewhere = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
    const res = await upload(c, tiny(), { fileName: 'r.csv', token: elsewhere });
    expect(res.status).toBe(404);
    expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it.each([
    ['no contract', { query: { contractId: 'abc' } }, 400, 'contractId'],
    ['an unknown mode', { query: { mode: 'APPEND' } }, 400, 'mode'],
    ['octet-stream without a file name', { fileName: undefined }, 400, 'fileName'],
    ['an old .xls', { fileName: 'r.xls' }, 400, 'fileName'],
    ['a .txt', { fileName: 'r.txt' }, 400, 'fileName'],
    ['JSON', { contentType: 'application/json', fileName: 'r.csv' }, 415, 'body'],
  ] as const)('refuses %s (%s)', async (_about, opts, status, field) => {
    const res = await upload(contracts[GUANGNAN]!, tiny(), opts as UploadOptions);
    expect(res.status).toBe(status);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('an unknown contract is NOT_FOUND; an empty body is refused', async () => {
    expect((await upload(999999, tiny(), { fileName: 'r.csv' })).status).toBe(404);
    const empty = await upload(contracts[GUANGNAN]!, '', { fileName: 'r.csv' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].extensions).toMatchObject({ reason: 'EMPTY_FILE' });
  });

  it('enforces UPLOAD_LIMIT_BYTES while streaming (413) and keeps nothing', async () => {
    const dir = join(h.rt.config.uploadDir, 'rosters');
    const before = readdirSync(dir).length;
    const limit = h.rt.config.UPLOAD_LIMIT_BYTES;
    h.rt.config.UPLOAD_LIMIT_BYTES = 1000;
    try {
      const big = tiny().repeat(40);
      const res = await upload(contracts[GUANGNAN]!, big, { fileName: 'big.csv' });
      expect(res.status).toBe(413);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_LARGE' });
      // Without a Content-Length the limit still holds (chunked body).
      const stream = new ReadableStream({
        start(ctl) {
          for (let i = 0; i < 40; i++) ctl.enqueue(new TextEncoder().encode(tiny()));
          ctl.close();
        },
      });
      const chunked = await fetch(
        `${h.url}/uploads/rosters?contractId=${contracts[GUANGNAN]}&fileName=c.csv`,
        {
          method: 'POST',
          headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin}` },
          body: stream,
          duplex: 'half',
        } as RequestInit,
      );
      expect(chunked.status).toBe(413);
      const multi = await uploadMultipart(contracts[GUANGNAN]!, [{ name: 'm.csv', bytes: Buffer.from(big) }]);
      expect(multi.status).toBe(413);
    } finally {
      h.rt.config.UPLOAD_LIMIT_BYTES = limit;
    }
    expect(readdirSync(dir).length).toBe(before);
  });

  it('an upload cut off half-way leaves no file and no import', async () => {
    const dir = join(uploadDir, 'rosters');
    const files = readdirSync(dir).length;
    const imports = await count('roster_import');
    await new Promise<void>((resolve) => {
      const req = request(`${h.url}/uploads/rosters?contractId=${contracts[GUANGNAN]}&fileName=cut.csv`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin}`, 'content-length': '100000' },
      });
      req.on('error', () => resolve());
      req.write(tiny().repeat(20));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    for (let i = 0; i < 40 && readdirSync(dir).length !== files; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir).length).toBe(files);
    expect(await count('roster_import')).toBe(imports);
  });

  it('multipart: exactly one file part', async () => {
    const two = await uploadMultipart(contracts[GUANGNAN]!, [
      { name: 'a.csv', bytes: Buffer.from(tiny()) },
      { name: 'b.csv', bytes: Buffer.from(tiny()) },
    ]);
    expect(two.status).toBe(400);
    expect(two.body.errors[0].extensions).toMatchObject({ reason: 'TOO_MANY_FILES' });
    const form = new FormData();
    form.append('note', 'no file here');
    const none = await fetch(`${h.url}/uploads/rosters?contractId=${contracts[GUANGNAN]}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: form,
    });
    expect(none.status).toBe(400);
    const bad = await uploadMultipart(contracts[GUANGNAN]!, [{ name: 'a.pdf', bytes: Buffer.from(tiny()) }]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].extensions.field).toBe('fileName');
  });
});

// ------------------------------------------------------------------------------- reads

const IMPORT_FIELDS = `id contractId countyCode programmeYear mode status fileName fileSha256 totalRows acceptedRows updatedRows
  unchangedRows rejectedRows endedCoverages rejectedByReason { reason count } progress { percent message } jobId failureReason
  createdAt completedAt`;
const ROSTER_IMPORT = `query($id: ID!) { rosterImport(id: $id) { ${IMPORT_FIELDS} } }`;
const ROSTER_IMPORTS = `query($c: ID!, $page: PageInput) { rosterImports(contractId: $c, page: $page) {
  totalCount edges { cursor node { id status totalRows } } pageInfo { hasNextPage endCursor } } }`;
const ROSTER_REJECTS = `query($id: ID!, $page: PageInput, $filter: RosterRejectFilterInput) {
  rosterRejects(importId: $id, page: $page, filter: $filter) {
    totalCount edges { cursor node { lineNumber maskedId reason detail } } pageInfo { hasNextPage endCursor } } }`;

describe('GraphQL and the rejects download', () => {
  let importId: number;
  beforeAll(async () => {
    const [row] = await h.sql<{ id: number }>(
      `select id from roster_import where contract_id = $1 and status = 'COMPLETED' order by id limit 1`,
      [contracts[XIDE]],
    );
    importId = row!.id;
  });

  it('rosterImport: status, counts that add up, reasons, progress, job', async () => {
    const res = await h.gql(ROSTER_IMPORT, { id: String(importId) }, admin);
    expect(res.errors).toBeUndefined();
    const r = res.data!.rosterImport;
    expect(r).toMatchObject({
      id: String(importId),
      contractId: String(contracts[XIDE]),
      countyCode: XIDE,
      programmeYear: 2020,
      mode: 'MERGE',
      status: 'COMPLETED',
      fileName: '喜德县花名册.csv',
      totalRows: 20,
      acceptedRows: 9,
      updatedRows: 0,
      unchangedRows: 0,
      rejectedRows: 11,
      endedCoverages: 0,
      progress: { percent: 100 },
      jobId: `enrollment.roster-import-${importId}`,
      failureReason: null,
    });
    expect(r.acceptedRows + r.updatedRows + r.unchangedRows + r.rejectedRows).toBe(r.totalRows);
    expect(r.rejectedByReason).toEqual([
      { reason: 'INVALID_ID', count: 4 },
      { reason: 'DUPLICATE_IN_FILE', count: 1 },
      { reason: 'MISSING_FIELD', count: 2 },
      { reason: 'NOT_REGISTERED_POOR', count: 1 },
      { reason: 'AGE_OUT_OF_RANGE', count: 2 },
      { reason: 'COVERED_ELSEWHERE', count: 1 },
    ]);
  });

  it('rosterImports: newest first, paged', async () => {
    const res = await h.gql(ROSTER_IMPORTS, { c: String(contracts[XIDE]), page: { first: 1 } }, admin);
    expect(res.errors).toBeUndefined();
    const conn = res.data!.rosterImports;
    expect(conn.totalCount).toBe(2);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const next = await h.gql(
      ROSTER_IMPORTS,
      { c: String(contracts[XIDE]), page: { first: 5, after: conn.pageInfo.endCursor } },
      admin,
    );
    expect(next.data!.rosterImports.edges.map((e: any) => Number(e.node.id))).toEqual([importId]);
    expect(Number(conn.edges[0].node.id)).toBeGreaterThan(importId);
  });

  it('rosterRejects: by line, paged, filtered by reason', async () => {
    const page1 = await h.gql(ROSTER_REJECTS, { id: String(importId), page: { first: 5 } }, admin);
    expect(page1.errors).toBeUndefined();
    const conn = page1.data!.rosterRejects;
    expect(conn.totalCount).toBe(11);
    const page2 = await h.gql(
      ROSTER_REJECTS,
      { id: String(importId), page: { first: 50, after: conn.pageInfo.endCursor } },
      admin,
    );
    const lines = [...conn.edges, ...page2.data!.rosterRejects.edges].map((e: any) => e.node.lineNumber);
    expect(lines).toEqual(Object.keys(expectedRejects(fixtureFile('gbk'))).map(Number));
    const ages = await h.gql(
      ROSTER_REJECTS,
      { id: String(importId), filter: { reason: 'AGE_OUT_OF_RANGE' } },
      admin,
    );
    expect(ages.data!.rosterRejects.edges.map((e: any) => e.node.reason)).toEqual([
      'AGE_OUT_OF_RANGE',
      'AGE_OUT_OF_RANGE',
    ]);
  });

  it('roles: imports for every reader but INTEGRATION; rejects not for ACTUARY', async () => {
    const readers = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];
    const scope = { countyCodes: [XIDE] };
    await expectRoles(h, ROSTER_IMPORT, { id: String(importId) }, readers, scope);
    await expectRoles(h, ROSTER_IMPORTS, { c: String(contracts[XIDE]) }, readers, scope);
    await expectRoles(
      h,
      ROSTER_REJECTS,
      { id: String(importId) },
      [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR],
      scope,
    );
  });

  it('scope: a coordinator of another county sees none of it', async () => {
    const other = await h.token(Role.COORDINATOR, { countyCodes: [DAFANG] });
    for (const [q, v] of [
      [ROSTER_IMPORT, { id: String(importId) }],
      [ROSTER_IMPORTS, { c: String(contracts[XIDE]) }],
      [ROSTER_REJECTS, { id: String(importId) }],
    ] as const) {
      const res = await h.gql(q, v, other);
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const own = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
    expect((await h.gql(ROSTER_IMPORT, { id: String(importId) }, own)).data!.rosterImport.totalRows).toBe(20);
    const sichuan = await h.token(Role.FOUNDATION, { provinceCodes: ['51'] });
    expect((await h.gql(ROSTER_IMPORT, { id: String(importId) }, sichuan)).errors).toBeUndefined();
    const guizhou = await h.token(Role.FOUNDATION, { provinceCodes: ['52'] });
    expect(
      (await h.gql(ROSTER_IMPORT, { id: String(importId) }, guizhou)).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
  });

  it('GET rejects.csv: line, masked ID, reason, detail, with a BOM for Excel', async () => {
    const res = await fetch(`${h.url}/uploads/rosters/${importId}/rejects.csv`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="roster-import-${importId}-rejects.csv"`,
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('line_number,masked_id,reason,detail');
    expect(lines).toHaveLength(12);
    const f = fixtureFile('gbk');
    const expected = expectedRejects(f);
    for (const line of lines.slice(1)) {
      const [n, masked, reason] = line.split(',');
      expect(expected[Number(n)]).toBe(reason);
      if (masked) expect(masked).toMatch(/\*/);
    }
    const dupLine = f.firstLine + f.people.findIndex((p) => p.expect === 'DUPLICATE_IN_FILE');
    expect(lines).toContain(
      `${dupLine},${maskNationalId(f.people[0]!.id)},DUPLICATE_IN_FILE,the same national ID is already on line ${f.firstLine}`,
    );
    expect(
      lines.some((l) =>
        l.includes('"age 61 on 2020-01-01, the first day of coverage: the plan covers ages 18 to 60"'),
      ),
    ).toBe(true);
  });

  it('GET rejects.csv: roles and scope', async () => {
    const get = async (token: string | null, id = importId) => {
      const res = await fetch(`${h.url}/uploads/rosters/${id}/rejects.csv`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      return { status: res.status, text: await res.text() };
    };
    expect((await get(null)).status).toBe(401);
    for (const role of ALL_ROLES) {
      const token = await h.token(role, role === Role.COORDINATOR ? { countyCodes: [XIDE] } : {});
      const allowed = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR].includes(role);
      const res = await get(token);
      expect({ role, status: res.status }).toEqual({ role, status: allowed ? 200 : 403 });
      if (!allowed) expect(JSON.parse(res.text).errors[0].extensions.code).toBe('FORBIDDEN');
    }
    expect((await get(await h.token(Role.COORDINATOR, { countyCodes: [DAFANG] }))).status).toBe(404);
    expect((await get(admin, 999999)).status).toBe(404);
  });
});

// ------------------------------------------------------------------------------- the job

describe('the enrollment/roster-import job', () => {
  let workers: WorkerHandle | undefined;
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  it('a worker runs the queued import; progress and result through job(id) and rosterImport', async () => {
    await h.rt.queues.queue('enrollment').obliterate({ force: true });
    const c = contracts[CHANGYANG]!;
    const births = ['1970-01-01', '1971-01-01', '1972-01-01'];
    const rows = Array.from({ length: 3000 }, (_, i) => [
      makeNationalId(CHANGYANG, births[Math.floor(i / 1000)]!, i % 1000, i % 2 ? 'M' : 'F'),
      `人${i}`,
      `H${i}`,
      'Y',
      '',
    ]);
    const up = await upload(c, csv(rows), { fileName: 'big.csv' });
    expect(up.status).toBe(202);
    workers = await startWorkers(h.rt, { queues: ['enrollment'], concurrency: 1 });
    const job = await waitForJob(h, admin, up.body.job.id, ['COMPLETED', 'FAILED'], 60_000);
    expect(job.state).toBe('COMPLETED');
    expect(job.progress.percent).toBe(100);
    expect(job.result).toMatchObject({
      importId: Number(up.body.importId),
      status: 'COMPLETED',
      total: 3000,
      accepted: 3000,
    });
    const view = await h.gql(ROSTER_IMPORT, { id: up.body.importId }, admin);
    expect(view.data!.rosterImport).toMatchObject({
      status: 'COMPLETED',
      totalRows: 3000,
      progress: { percent: 100 },
    });
    expect(JSON.stringify(job)).not.toMatch(/\d{17}[\dX]/);
  });

  it('a bad file fails the job for good (no retries) with the reason on the import', async () => {
    const up = await upload(contracts[CHANGYANG]!, 'just,some,words\n1,2,3\n', { fileName: 'x.csv' });
    workers = await startWorkers(h.rt, { queues: ['enrollment'], concurrency: 1 });
    const job = await waitForJob(h, admin, up.body.job.id, ['COMPLETED', 'FAILED'], 30_000);
    expect(job).toMatchObject({ state: 'FAILED', attempts: 1 });
    expect(job.failureReason).toMatch(/^NO_HEADER: /);
    const view = await h.gql(ROSTER_IMPORT, { id: up.body.importId }, admin);
    expect(view.data!.rosterImport).toMatchObject({
      status: 'FAILED',
      failureReason: expect.stringMatching(/^NO_HEADER: /),
    });
  });
});
