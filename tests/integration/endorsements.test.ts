import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';
import { createDraftContract, createProgramme, type ProgrammeFixture } from '../factories/contracts';
import { enrollPeople } from '../factories/people';
import { makeNationalId } from '../../src/modules/enrollment/national-id';

let h: Harness;
let admin: string;
let foundation: string;
let coordinator: string; // Xide

const XIDE = '513432';
const DAFANG = '520521';
const PER_CAPITA = '100.05';

const programmes = new Map<number, ProgrammeFixture>();
async function activeContract(countyCode: string, year: number, status = 'ACTIVE') {
  let p = programmes.get(year);
  if (!p) {
    p = await createProgramme(h, { year });
    programmes.set(year, p);
  }
  const periodStart = `${year}-01-01`;
  const periodEnd = `${year}-12-31`;
  const c = await createDraftContract(h, p, { countyCode, periodStart, periodEnd });
  await h.sql(
    `update county_contract set status = $2, activated_at = now(), per_capita_premium = $3, insured_count = 1000,
            total_premium = $3::numeric * 1000 where id = $1`,
    [c.id, status, PER_CAPITA],
  );
  return { id: c.id, programmeYear: year, countyCode, periodStart, periodEnd };
}

const ADD = `mutation($input: AddCoverageInput!) { addCoverage(input: $input) {
  coverage { id contractId programmeYear countyCode periodStart periodEnd status endReason endedOn insured { id name nationalIdMasked } }
  endorsement { id contractId coverageId kind effectiveDate reason days premiumDelta createdAt }
  warnings } }`;
const END = `mutation($input: EndCoverageInput!) { endCoverage(input: $input) {
  coverage { id status endReason endedOn periodStart periodEnd }
  endorsement { id kind effectiveDate reason days premiumDelta } warnings } }`;
const LIST = `query($id: ID!, $page: PageInput) { endorsements(contractId: $id, page: $page) {
  totalCount edges { node { id kind days premiumDelta } } pageInfo { hasNextPage endCursor } } }`;
const CHECK = `query($id: String!, $on: Date) { coverage(nationalId: $id, on: $on) { covered reason endedOn } }`;

let n = 0;
function newId(countyCode = XIDE, birthDate = '1980-05-05', gender: 'F' | 'M' = 'F'): string {
  n += 1;
  return makeNationalId(countyCode, birthDate, (n * 2) % 1000, gender); // even seq: parity flips never collide
}

const addInput = (
  contractId: number,
  nationalId: string,
  effectiveDate: string,
  extra: Record<string, unknown> = {},
) => ({
  input: {
    contractId: String(contractId),
    nationalId,
    name: '王小明',
    householdId: 'HH-1',
    effectiveDate,
    ...extra,
  },
});

async function endorsementPremium(contractId: number): Promise<string> {
  const [row] = await h.sql<{ p: string }>(
    'select endorsement_premium::text as p from county_contract where id = $1',
    [contractId],
  );
  return row!.p;
}

beforeAll(async () => {
  h = await startHarness(); // today: 2020-03-02 in China
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  foundation = await h.token(Role.FOUNDATION);
  coordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
});
afterAll(async () => h?.close());

describe('addCoverage', () => {
  it('adds a person from today, charging per-capita × days / days in period, half-up to the fen', async () => {
    const c = await activeContract(XIDE, 2020);
    const id = newId();
    const res = await h.gql(ADD, addInput(c.id, id, '2020-03-02'), coordinator);
    expect(res.errors).toBeUndefined();
    const { coverage, endorsement, warnings } = res.data!.addCoverage;
    expect(coverage).toMatchObject({
      contractId: String(c.id),
      programmeYear: 2020,
      countyCode: XIDE,
      periodStart: '2020-03-02',
      periodEnd: '2020-12-31',
      status: 'ENROLLED',
      endReason: null,
      insured: { name: '王小明', nationalIdMasked: `${id.slice(0, 6)}********${id.slice(14)}` },
    });
    // 2020 has 366 days; 2020-03-02 … 2020-12-31 is 305 days: 100.05 × 305 / 366 = 83.375 → 83.38.
    expect(endorsement).toMatchObject({
      kind: 'ADD',
      effectiveDate: '2020-03-02',
      reason: null,
      days: 305,
      premiumDelta: '83.38',
    });
    expect(warnings).toEqual([]);
    expect(await endorsementPremium(c.id)).toBe('83.38');
    // A half year: 183 days → 100.05 / 2 = 50.025 → 50.03 (half-up; half-even would say 50.02).
    const laterId = newId();
    const half = await h.gql(ADD, addInput(c.id, laterId, '2020-07-02'), admin);
    expect(half.data!.addCoverage.endorsement).toMatchObject({ days: 183, premiumDelta: '50.03' });
    expect(await endorsementPremium(c.id)).toBe('133.41');
    // The look-up sees each person from their effective date.
    expect((await h.gql(CHECK, { id }, admin)).data!.coverage).toMatchObject({ covered: true });
    expect((await h.gql(CHECK, { id: laterId, on: '2020-07-01' }, admin)).data!.coverage).toMatchObject({
      reason: 'NOT_STARTED',
    });
    expect((await h.gql(CHECK, { id: laterId, on: '2020-07-02' }, admin)).data!.coverage).toMatchObject({
      covered: true,
    });
  });

  it('writes the coverage, the endorsement, the contract premium, an outbox event and the audit trail together', async () => {
    const c = await activeContract(DAFANG, 2020);
    const id = newId(XIDE, '1990-02-02', 'M'); // issued in Xide: a warning, not a rejection
    const res = await h.gql(
      ADD,
      addInput(c.id, id, '2020-04-01', { phone: '138 0000 1234', payeeAccount: '6222020200112233' }),
      foundation,
    );
    expect(res.errors).toBeUndefined();
    const { coverage, endorsement, warnings } = res.data!.addCoverage;
    expect(warnings).toEqual([expect.stringMatching(/^ID_REGION_MISMATCH/)]);
    expect(warnings[0]).not.toContain(id);
    const [contract] = await h.sql(
      'select endorsement_premium::text as p, version from county_contract where id = $1',
      [c.id],
    );
    expect(contract!.p).toBe(endorsement.premiumDelta);
    const events = await h.sql<{ type: string; county_code: string; payload: Record<string, unknown> }>(
      `select type, county_code, payload from outbox_event where payload->>'coverageId' = $1`,
      [coverage.id],
    );
    expect(events).toEqual([
      {
        type: 'COVERAGE_STARTED',
        county_code: DAFANG,
        payload: {
          coverageId: Number(coverage.id),
          insuredId: Number(coverage.insured.id),
          contractId: c.id,
          endorsementId: Number(endorsement.id),
          programmeYear: 2020,
          maskedId: coverage.insured.nationalIdMasked,
          periodStart: '2020-04-01',
          periodEnd: '2020-12-31',
        },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(id);
    const audit = await h.sql<{
      entity_type: string;
      entity_id: string;
      action: string;
      to_state: string | null;
      changes: any;
    }>(
      `select entity_type, entity_id, action, to_state, changes from audit_event
        where (entity_type = 'Coverage' and entity_id = $1) or (entity_type = 'CountyContract' and entity_id = $2 and action = 'ENDORSE')
           or (entity_type = 'Insured' and entity_id = $3) order by id`,
      [coverage.id, String(c.id), coverage.insured.id],
    );
    expect(audit.map((a) => `${a.entity_type} ${a.action}`)).toEqual([
      'Insured CREATE',
      'Coverage ADD',
      'CountyContract ENDORSE',
    ]);
    expect(audit[1]!.changes).toMatchObject({
      endorsementId: Number(endorsement.id),
      days: endorsement.days,
      premiumDelta: endorsement.premiumDelta,
    });
    expect(audit[2]!.changes.endorsementPremium).toEqual({ from: '0.00', to: endorsement.premiumDelta });
    expect(JSON.stringify(audit)).not.toContain(id);
    expect(JSON.stringify(audit)).not.toContain('6222020200112233');
  });

  it('re-uses the person of an earlier year (same hash), updating the home county', async () => {
    const old = await activeContract(DAFANG, 2019, 'EXPIRED');
    const [p] = await enrollPeople(h, old, [
      { countyCode: DAFANG, birthDate: '1979-09-09', gender: 'M', name: '李四' },
    ]);
    const c = await activeContract(XIDE, 2021);
    h.clock.set('2021-02-01T02:00:00Z');
    try {
      const res = await h.gql(ADD, addInput(c.id, p!.nationalId, '2021-02-01', { name: '李四' }), admin);
      expect(res.errors).toBeUndefined();
      expect(res.data!.addCoverage.coverage.insured.id).toBe(String(p!.insuredId));
      const [row] = await h.sql('select county_code from insured where id = $1', [p!.insuredId]);
      expect(row!.county_code).toBe(XIDE);
    } finally {
      h.clock.set('2020-03-02T02:00:00Z');
    }
  });

  it('refuses, before writing anything: back-dated, outside the period, too old, a bad ID, a contract not ACTIVE', async () => {
    const c = await activeContract(XIDE, 2022);
    const approved = await activeContract(DAFANG, 2022, 'APPROVED');
    h.clock.set('2022-03-02T02:00:00Z');
    try {
      const before = await h.sql<{ n: number }>(
        'select (select count(*) from coverage) + (select count(*) from endorsement) + (select count(*) from insured) as n',
      );
      const cases: [Record<string, unknown>, string, string, string][] = [
        [addInput(c.id, newId(), '2022-03-01'), 'BAD_USER_INPUT', 'effectiveDate', 'INVALID'],
        [addInput(c.id, newId(), '2023-01-01'), 'BAD_USER_INPUT', 'effectiveDate', 'INVALID'],
        [
          addInput(c.id, newId(XIDE, '1960-01-01'), '2022-03-02'),
          'BAD_USER_INPUT',
          'nationalId',
          'AGE_OUT_OF_RANGE',
        ],
        [
          addInput(c.id, newId(XIDE, '2005-01-01'), '2022-03-02'),
          'BAD_USER_INPUT',
          'nationalId',
          'AGE_OUT_OF_RANGE',
        ],
        [addInput(c.id, '51343219800505123', '2022-03-02'), 'BAD_USER_INPUT', 'nationalId', 'INVALID'],
        [addInput(c.id, newId(), '2022-03-02', { name: '  ' }), 'BAD_USER_INPUT', 'name', 'INVALID'],
        [addInput(approved.id, newId(DAFANG), '2022-03-02'), 'CONFLICT', '', 'CONTRACT_NOT_ACTIVE'],
      ];
      for (const [vars, code, field, reason] of cases) {
        const res = await h.gql(ADD, vars, admin);
        expect({ vars, ext: res.errors?.[0]?.extensions }).toEqual({
          vars,
          ext: expect.objectContaining({ code, reason, ...(field ? { field } : {}) }),
        });
      }
      const after = await h.sql<{ n: number }>(
        'select (select count(*) from coverage) + (select count(*) from endorsement) + (select count(*) from insured) as n',
      );
      expect(after[0]!.n).toBe(before[0]!.n);
      expect(await endorsementPremium(c.id)).toBe('0.00');
    } finally {
      h.clock.set('2020-03-02T02:00:00Z');
    }
  });

  it('one coverage per person and year: ALREADY_COVERED here, COVERED_ELSEWHERE in another county', async () => {
    const xide = await activeContract(XIDE, 2023);
    const dafang = await activeContract(DAFANG, 2023);
    h.clock.set('2023-03-02T02:00:00Z');
    try {
      const id = newId();
      expect((await h.gql(ADD, addInput(xide.id, id, '2023-03-02'), admin)).errors).toBeUndefined();
      const again = await h.gql(ADD, addInput(xide.id, id, '2023-04-02'), admin);
      expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_COVERED' });
      const elsewhere = await h.gql(ADD, addInput(dafang.id, id, '2023-04-02'), admin);
      expect(elsewhere.errors?.[0]?.extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'COVERED_ELSEWHERE',
      });
      expect(elsewhere.errors?.[0]?.message).not.toContain(XIDE);
    } finally {
      h.clock.set('2020-03-02T02:00:00Z');
    }
  });

  it('concurrent additions to one contract serialise: the premium is the sum of its endorsements', async () => {
    const c = await activeContract(XIDE, 2024);
    h.clock.set('2024-01-15T02:00:00Z');
    try {
      const dates = ['2024-01-15', '2024-02-29', '2024-03-31', '2024-06-30', '2024-09-09', '2024-12-31'];
      const results = await Promise.all(dates.map((d) => h.gql(ADD, addInput(c.id, newId(), d), admin)));
      expect(results.map((r) => r.errors)).toEqual(dates.map(() => undefined));
      const [sum] = await h.sql<{ s: string; n: number }>(
        'select sum(premium_delta)::text as s, count(*)::int as n from endorsement where contract_id = $1',
        [c.id],
      );
      expect(sum!.n).toBe(dates.length);
      expect(await endorsementPremium(c.id)).toBe(sum!.s);
      // 2024 has 366 days; the last day alone is 100.05 / 366 = 0.2733… → 0.27.
      expect(results.at(-1)!.data!.addCoverage.endorsement).toMatchObject({ days: 1, premiumDelta: '0.27' });
    } finally {
      h.clock.set('2020-03-02T02:00:00Z');
    }
  });

  it('is for ADMIN, FOUNDATION and coordinators of the county', async () => {
    const c = await activeContract(XIDE, 2025);
    h.clock.set('2025-03-02T02:00:00Z');
    try {
      await expectRoles(h, ADD, addInput(c.id, '1', '2025-03-02'), [
        Role.ADMIN,
        Role.FOUNDATION,
        Role.COORDINATOR,
      ]);
      const other = await h.token(Role.COORDINATOR, { countyCodes: [DAFANG] });
      const res = await h.gql(ADD, addInput(c.id, newId(), '2025-03-02'), other);
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    } finally {
      h.clock.set('2020-03-02T02:00:00Z');
    }
  });
});

describe('endCoverage', () => {
  it('ends a coverage from a date, refunding the unused days pro rata, with event and audit', async () => {
    const c = await activeContract(XIDE, 2040);
    const [p] = await enrollPeople(h, c, [{ countyCode: XIDE, birthDate: '1970-10-10', gender: 'M' }]);
    const res = await h.gql(
      END,
      { input: { coverageId: String(p!.coverageId), effectiveDate: '2040-10-01', reason: 'MOVED' } },
      coordinator,
    );
    expect(res.errors).toBeUndefined();
    const { coverage, endorsement } = res.data!.endCoverage;
    expect(coverage).toMatchObject({ status: 'TERMINATED', endReason: 'MOVED', endedOn: '2040-09-30' });
    // 2040 is a leap year; 2040-10-01 … 2040-12-31 = 92 unused days: 100.05 × 92 / 366 = 25.1491… → refund 25.15.
    expect(endorsement).toMatchObject({
      kind: 'TERMINATE',
      effectiveDate: '2040-10-01',
      reason: 'MOVED',
      days: -92,
      premiumDelta: '-25.15',
    });
    expect(await endorsementPremium(c.id)).toBe('-25.15');
    const check = async (on: string) => (await h.gql(CHECK, { id: p!.nationalId, on }, admin)).data!.coverage;
    expect(await check('2040-09-30')).toMatchObject({ covered: true });
    expect(await check('2040-10-01')).toMatchObject({
      covered: false,
      reason: 'TERMINATED',
      endedOn: '2040-09-30',
    });
    const [event] = await h.sql(
      `select type, payload from outbox_event where type = 'COVERAGE_ENDED' and payload->>'coverageId' = $1`,
      [String(p!.coverageId)],
    );
    expect(event!.payload).toMatchObject({
      coverageId: p!.coverageId,
      effectiveDate: '2040-10-01',
      endedOn: '2040-09-30',
      maskedId: expect.any(String),
    });
    expect(event!.payload.reason).toBeUndefined();
    expect(JSON.stringify(event)).not.toContain(p!.nationalId);
    const audit = await h.sql(
      `select entity_type, action, from_state, to_state, changes from audit_event where entity_type = 'Coverage' and entity_id = $1`,
      [String(p!.coverageId)],
    );
    expect(audit).toEqual([
      {
        entity_type: 'Coverage',
        action: 'END',
        from_state: 'ENROLLED',
        to_state: 'TERMINATED',
        changes: expect.objectContaining({
          reason: 'MOVED',
          endedOn: '2040-09-30',
          days: -92,
          premiumDelta: '-25.15',
        }),
      },
    ]);
  });

  it('may be back-dated (a death reported late) to the first day of the coverage', async () => {
    const c = await activeContract(DAFANG, 2040);
    const [p, q] = await enrollPeople(h, c, [
      { countyCode: DAFANG, birthDate: '1971-10-10', gender: 'M' },
      { countyCode: DAFANG, birthDate: '1972-10-10', gender: 'F' },
    ]);
    const res = await h.gql(
      END,
      { input: { coverageId: String(p!.coverageId), effectiveDate: '2040-02-01', reason: 'DECEASED' } },
      admin,
    );
    // 2040-02-01 … 2040-12-31 = 335 days: 100.05 × 335 / 366 = 91.5758… → 91.58.
    expect(res.data!.endCoverage.endorsement).toMatchObject({ days: -335, premiumDelta: '-91.58' });
    const whole = await h.gql(
      END,
      {
        input: {
          coverageId: String(q!.coverageId),
          effectiveDate: '2040-01-01',
          reason: 'NO_LONGER_ELIGIBLE',
        },
      },
      admin,
    );
    expect(whole.data!.endCoverage.endorsement).toMatchObject({ days: -366, premiumDelta: '-100.05' });
    expect(whole.data!.endCoverage.coverage.endedOn).toBe('2039-12-31');
    expect(await endorsementPremium(c.id)).toBe('-191.63');
    // Never covered at all now: TERMINATED whatever the date.
    expect((await h.gql(CHECK, { id: q!.nationalId, on: '2040-01-01' }, admin)).data!.coverage).toMatchObject(
      { reason: 'TERMINATED' },
    );
  });

  it('refuses: twice, outside the coverage, a live claim after the date, a contract not ACTIVE, another county', async () => {
    const c = await activeContract(XIDE, 2026);
    const expired = await activeContract(DAFANG, 2026, 'EXPIRED');
    const [p, q] = await enrollPeople(h, c, [
      { countyCode: XIDE, birthDate: '1973-10-10', gender: 'M' },
      { countyCode: XIDE, birthDate: '1974-10-10', gender: 'M' },
    ]);
    const [r] = await enrollPeople(h, expired, [
      { countyCode: DAFANG, birthDate: '1975-10-10', gender: 'M' },
    ]);
    const end = (coverageId: number, effectiveDate: string, token = admin, reason = 'DECEASED') =>
      h.gql(END, { input: { coverageId: String(coverageId), effectiveDate, reason } }, token);
    expect((await end(p!.coverageId, '2025-12-31')).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'effectiveDate',
    });
    expect((await end(p!.coverageId, '2027-01-01')).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'effectiveDate',
    });
    expect(
      (await end(p!.coverageId, '2026-06-01', admin, 'REMOVED_FROM_ROSTER')).errors?.[0]?.extensions?.code,
    ).toBe('BAD_USER_INPUT');
    expect((await end(r!.coverageId, '2026-06-01')).errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'CONTRACT_NOT_ACTIVE',
    });
    const other = await h.token(Role.COORDINATOR, { countyCodes: [DAFANG] });
    expect((await end(p!.coverageId, '2026-06-01', other)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await end(p!.coverageId, '2026-06-01')).errors).toBeUndefined();
    expect((await end(p!.coverageId, '2026-07-01')).errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'ALREADY_ENDED',
    });
    // A live claim admitted on 2026-05-10: the coverage may end after it, not before.
    const tokenId = (await h.sql<{ id: number }>('select min(id)::int as id from api_token'))[0]!.id;
    await h.sql(
      `insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status, flags,
         missing_documents, admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers,
         total_cost, basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop,
         rule_trace, idempotency_key, submitted_by_token_id, submitted_at)
       values ('CLM-T-1', $1, $2, $3, $4, 2026, 'APPROVED', '{}', '{}', '2026-05-10', '2026-05-20', 'H', 'COUNTY', 'A87.9',
         '{INV-1}', 1000, 500, 0, 0, 0, 500, '[]', 'k-1', $5, now())`,
      [q!.insuredId, q!.coverageId, c.id, XIDE, tokenId],
    );
    expect((await end(q!.coverageId, '2026-05-10')).errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'CLAIMS_AFTER_END',
    });
    expect((await end(q!.coverageId, '2026-05-11')).errors).toBeUndefined();
    const list = await h.gql(LIST, { id: String(c.id), page: { first: 1 } }, admin);
    expect(list.data!.endorsements).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const next = await h.gql(
      LIST,
      { id: String(c.id), page: { first: 1, after: list.data!.endorsements.pageInfo.endCursor } },
      admin,
    );
    expect(next.data!.endorsements.edges).toHaveLength(1);
    expect(next.data!.endorsements.pageInfo.hasNextPage).toBe(false);
  });

  it('is for ADMIN, FOUNDATION and coordinators of the county; the list for contract readers', async () => {
    const c = await activeContract(DAFANG, 2027);
    await expectRoles(
      h,
      END,
      { input: { coverageId: '999999', effectiveDate: '2027-06-01', reason: 'MOVED' } },
      [Role.ADMIN, Role.FOUNDATION, Role.COORDINATOR],
    );
    await expectRoles(
      h,
      LIST,
      { id: String(c.id) },
      [Role.ADMIN, Role.ACTUARY, Role.FOUNDATION, Role.COORDINATOR],
      {
        countyCodes: [DAFANG],
      },
    );
  });
});
