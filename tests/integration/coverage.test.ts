import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';
import { createDraftContract, createProgramme, type ProgrammeFixture } from '../factories/contracts';
import { enrollPeople, TEST_HMAC_KEY, type PersonSpec } from '../factories/people';
import { lookupHash } from '../../src/modules/enrollment/pii-crypto';
import { makeNationalId } from '../../src/modules/enrollment/national-id';
import { benefitExact } from '../../src/modules/pricing/engine/benefit';
import { formatMoney } from '../../src/shared/money';

let h: Harness;
let admin: string;

const XIDE = '513432'; // Sichuan 51
const DAFANG = '520521'; // Guizhou 52
const LIPING = '522631'; // Guizhou 52
const MALIPO = '532624'; // Yunnan 53
const TODAY = '2020-03-02'; // the harness clock, China time

const programmes = new Map<number, ProgrammeFixture>();
async function programme(year: number): Promise<ProgrammeFixture> {
  let p = programmes.get(year);
  if (!p) {
    p = await createProgramme(h, { year });
    programmes.set(year, p);
  }
  return p;
}

interface ContractFixture {
  id: number;
  programmeYear: number;
  countyCode: string;
  periodStart: string;
  periodEnd: string;
}

/** A contract in any state, written directly (the contract lifecycle is tested elsewhere). */
async function contract(opts: {
  countyCode: string;
  year: number;
  status: 'DRAFT' | 'APPROVED' | 'ACTIVE' | 'EXPIRED' | 'CANCELLED';
  periodStart?: string;
  periodEnd?: string;
  activated?: boolean;
}): Promise<ContractFixture> {
  const p = await programme(opts.year);
  const periodStart = opts.periodStart ?? `${opts.year}-01-01`;
  const periodEnd = opts.periodEnd ?? `${opts.year}-12-31`;
  const c = await createDraftContract(h, p, { countyCode: opts.countyCode, periodStart, periodEnd });
  const activated = opts.activated ?? (opts.status === 'ACTIVE' || opts.status === 'EXPIRED');
  await h.sql(
    `update county_contract set status = $2, per_capita_premium = 100, activated_at = $3 where id = $1`,
    [c.id, opts.status, activated ? new Date('2020-01-01T00:00:00Z') : null],
  );
  return { id: c.id, programmeYear: opts.year, countyCode: opts.countyCode, periodStart, periodEnd };
}

let birth = 0;
/** One person (distinct birth dates keep IDs apart) enrolled in a contract. */
async function person(c: ContractFixture, spec: Partial<PersonSpec> = {}) {
  birth += 1;
  const birthDate = spec.birthDate ?? `19${70 + (birth % 25)}-0${1 + (birth % 9)}-1${birth % 10}`;
  const [p] = await enrollPeople(h, c, [
    {
      countyCode: spec.countyCode ?? c.countyCode,
      birthDate,
      gender: spec.gender ?? 'F',
      name: spec.name ?? '王小明',
    },
  ]);
  return p!;
}

/** A second coverage for an existing person, in another programme year. */
async function coverAgain(
  insuredId: number,
  c: ContractFixture,
  periodStart = c.periodStart,
): Promise<number> {
  const [row] = await h.sql<{ id: number }>(
    `insert into coverage (insured_id, contract_id, programme_year, county_code, period_start, period_end)
     values ($1, $2, $3, $4, $5, $6) returning id`,
    [insuredId, c.id, c.programmeYear, c.countyCode, periodStart, c.periodEnd],
  );
  return row!.id;
}

const FIELDS = `covered reason on nationalIdMasked gender age nameMasked coverageId programmeYear periodStart periodEnd
  endedOn planCode deductible deductibleLeft annualCap benefitUsed benefitLeft county { code nameZh provinceCode }`;
const ONE = `query($id: String!, $on: Date) { coverage(nationalId: $id, on: $on) { ${FIELDS} } }`;
const MANY = `query($ids: [String!]!, $on: Date) { coverages(nationalIds: $ids, on: $on) {
  index error { code reason field message } coverage { covered reason nationalIdMasked coverageId county { code } } } }`;

async function check(nationalId: string, on?: string, token = admin) {
  const res = await h.gql(ONE, { id: nationalId, ...(on ? { on } : {}) }, token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.coverage;
}

let xide2020: ContractFixture;
let dafang2020: ContractFixture;

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  xide2020 = await contract({ countyCode: XIDE, year: 2020, status: 'ACTIVE' });
  dafang2020 = await contract({ countyCode: DAFANG, year: 2020, status: 'ACTIVE' });
});
afterAll(async () => h?.close());

describe('coverage(nationalId, on)', () => {
  it('answers covered with the county, year, period, plan, amounts left and the masked person', async () => {
    const p = await person(xide2020, { birthDate: '1985-07-20', gender: 'M', name: '欧阳娜娜' });
    const c = await check(p.nationalId);
    expect(c).toEqual({
      covered: true,
      reason: null,
      on: TODAY,
      nationalIdMasked: `${p.nationalId.slice(0, 6)}********${p.nationalId.slice(14)}`,
      gender: 'M',
      age: 34,
      nameMasked: '欧阳**',
      coverageId: String(p.coverageId),
      programmeYear: 2020,
      periodStart: '2020-01-01',
      periodEnd: '2020-12-31',
      endedOn: null,
      planCode: expect.stringMatching(/^PLAN-/),
      deductible: '10000.00',
      deductibleLeft: '10000.00',
      annualCap: '150000.00',
      benefitUsed: '0.00',
      benefitLeft: '150000.00',
      county: { code: XIDE, nameZh: '喜德县', provinceCode: '51' },
    });
    expect(c.nationalIdMasked).not.toContain(p.nationalId.slice(6, 14));
    // Age on another date: the birthday is 20 July.
    expect((await check(p.nationalId, '2020-07-19')).age).toBe(34);
    expect((await check(p.nationalId, '2020-07-20')).age).toBe(35);
  });

  it('defaults `on` to today in China time (the injected clock), not UTC', async () => {
    const p = await person(xide2020);
    h.clock.set('2020-12-31T17:30:00Z'); // 01:30 on 1 January 2021 in China
    try {
      const c = await check(p.nationalId);
      expect(c.on).toBe('2021-01-01');
      expect(c).toMatchObject({ covered: false, reason: 'EXPIRED' });
    } finally {
      h.clock.set('2020-03-02T02:00:00Z');
    }
  });

  it('derives deductible left and benefit left from the approved running totals', async () => {
    const p = await person(xide2020);
    const plan = {
      deductible: '10000.00',
      annualCap: '150000.00',
      tiers: [
        { upTo: '50000.00', ratio: '0.5' },
        { upTo: null, ratio: '0.7' },
      ],
    };
    const set = async (eligible: string) => {
      // benefit_approved as the claims module keeps it: round(P(C)) (claims.md, the sum telescopes).
      const benefit = formatMoney(benefitExact(plan as never, eligible));
      await h.sql('update coverage set eligible_approved = $2, benefit_approved = $3 where id = $1', [
        p.coverageId,
        eligible,
        benefit,
      ]);
      return benefit;
    };
    await set('4000.50');
    expect(await check(p.nationalId)).toMatchObject({
      deductibleLeft: '5999.50',
      benefitUsed: '0.00',
      benefitLeft: '150000.00',
    });
    await set('10000.00');
    expect(await check(p.nationalId)).toMatchObject({ deductibleLeft: '0.00', benefitLeft: '150000.00' });
    expect(await set('30000.01')).toBe('10000.01'); // 0.5 × 20000.01 = 10000.005 → half-up
    expect(await check(p.nationalId)).toMatchObject({
      deductibleLeft: '0.00',
      benefitUsed: '10000.01',
      benefitLeft: '139999.99',
    });
    await set('500000.00'); // far past the cap
    expect(await check(p.nationalId)).toMatchObject({
      deductibleLeft: '0.00',
      benefitUsed: '150000.00',
      benefitLeft: '0.00',
    });
  });

  it('NOT_ENROLLED for a valid ID nobody has enrolled', async () => {
    const id = makeNationalId(XIDE, '1990-01-01', 999, 'M');
    expect(await check(id)).toMatchObject({
      covered: false,
      reason: 'NOT_ENROLLED',
      gender: 'M',
      age: 30,
      nameMasked: null,
      coverageId: null,
      county: null,
      deductibleLeft: null,
      benefitLeft: null,
    });
  });

  it('NOT_STARTED before the period, covered inside it, EXPIRED after it', async () => {
    const late = await contract({
      countyCode: XIDE,
      year: 2031,
      status: 'ACTIVE',
      periodStart: '2031-06-01',
      periodEnd: '2032-05-31',
    });
    const p = await person(late);
    expect(await check(p.nationalId, '2031-05-31')).toMatchObject({
      covered: false,
      reason: 'NOT_STARTED',
      periodStart: '2031-06-01',
    });
    expect(await check(p.nationalId, '2031-06-01')).toMatchObject({ covered: true, reason: null });
    expect(await check(p.nationalId, '2032-05-31')).toMatchObject({ covered: true });
    expect(await check(p.nationalId, '2032-06-01')).toMatchObject({
      covered: false,
      reason: 'EXPIRED',
      periodEnd: '2032-05-31',
    });
  });

  it('a past date inside an EXPIRED (once active) contract is covered; today is EXPIRED', async () => {
    const old = await contract({ countyCode: XIDE, year: 2019, status: 'EXPIRED' });
    const p = await person(old);
    expect(await check(p.nationalId, '2019-06-01')).toMatchObject({ covered: true, programmeYear: 2019 });
    expect(await check(p.nationalId)).toMatchObject({
      covered: false,
      reason: 'EXPIRED',
      programmeYear: 2019,
    });
  });

  it('TERMINATED after the last covered day (endedOn), covered up to it', async () => {
    const p = await person(xide2020);
    await h.sql(
      `update coverage set status = 'TERMINATED', end_reason = 'DECEASED', ended_on = '2020-02-15' where id = $1`,
      [p.coverageId],
    );
    expect(await check(p.nationalId)).toMatchObject({
      covered: false,
      reason: 'TERMINATED',
      endedOn: '2020-02-15',
    });
    expect(await check(p.nationalId, '2020-02-15')).toMatchObject({ covered: true, endedOn: '2020-02-15' });
    // After the period too: it was ended early, which says more than "expired".
    expect(await check(p.nationalId, '2021-02-01')).toMatchObject({ reason: 'TERMINATED' });
  });

  it('TERMINATED before it began (removed from a roster) even before the start date', async () => {
    const c = await contract({ countyCode: XIDE, year: 2032, status: 'ACTIVE' });
    const p = await person(c);
    await h.sql(
      `update coverage set status = 'TERMINATED', end_reason = 'REMOVED_FROM_ROSTER', ended_on = null where id = $1`,
      [p.coverageId],
    );
    expect(await check(p.nationalId, '2031-12-01')).toMatchObject({ covered: false, reason: 'TERMINATED' });
    expect(await check(p.nationalId, '2032-05-01')).toMatchObject({ covered: false, reason: 'TERMINATED' });
  });

  it('CONTRACT_NOT_ACTIVE inside the period of a contract not in force; a CANCELLED contract even before it', async () => {
    const approved = await contract({ countyCode: XIDE, year: 2033, status: 'APPROVED' });
    const a = await person(approved);
    expect(await check(a.nationalId, '2033-02-01')).toMatchObject({
      covered: false,
      reason: 'CONTRACT_NOT_ACTIVE',
    });
    expect(await check(a.nationalId, '2032-12-01')).toMatchObject({ covered: false, reason: 'NOT_STARTED' });

    const draft = await contract({ countyCode: DAFANG, year: 2033, status: 'DRAFT' });
    expect(await check((await person(draft)).nationalId, '2033-02-01')).toMatchObject({
      reason: 'CONTRACT_NOT_ACTIVE',
    });

    const neverActivated = await contract({
      countyCode: LIPING,
      year: 2033,
      status: 'EXPIRED',
      activated: false,
    });
    expect(await check((await person(neverActivated)).nationalId, '2033-02-01')).toMatchObject({
      reason: 'CONTRACT_NOT_ACTIVE',
    });

    const cancelled = await contract({ countyCode: MALIPO, year: 2033, status: 'CANCELLED' });
    const c = await person(cancelled);
    expect(await check(c.nationalId, '2032-12-01')).toMatchObject({
      covered: false,
      reason: 'CONTRACT_NOT_ACTIVE',
    });
    expect(await check(c.nationalId, '2033-02-01')).toMatchObject({
      covered: false,
      reason: 'CONTRACT_NOT_ACTIVE',
    });
  });

  it('picks the coverage whose period holds the date, else the nearest (a tie to the coming one)', async () => {
    const y2034 = await contract({ countyCode: XIDE, year: 2034, status: 'EXPIRED' });
    const y2035 = await contract({
      countyCode: XIDE,
      year: 2035,
      status: 'ACTIVE',
      periodStart: '2035-03-01',
      periodEnd: '2036-02-28',
    });
    const p = await person(y2034);
    await coverAgain(p.insuredId, y2035);
    // Inside 2034 and inside 2035:
    expect(await check(p.nationalId, '2034-06-01')).toMatchObject({ covered: true, programmeYear: 2034 });
    expect(await check(p.nationalId, '2035-06-01')).toMatchObject({ covered: true, programmeYear: 2035 });
    // In the gap (2035-01-01 … 2035-02-28): 2034 ended 2034-12-31, 2035 starts 2035-03-01.
    expect(await check(p.nationalId, '2035-01-10')).toMatchObject({ reason: 'EXPIRED', programmeYear: 2034 }); // 10 vs 50 days
    expect(await check(p.nationalId, '2035-02-20')).toMatchObject({
      reason: 'NOT_STARTED',
      programmeYear: 2035,
    }); // 51 vs 9
    expect(await check(p.nationalId, '2035-01-30')).toMatchObject({
      reason: 'NOT_STARTED',
      programmeYear: 2035,
    }); // 30 vs 30: the coming one
  });

  it('an invalid national ID is a BAD_USER_INPUT error on nationalId, never "not covered"', async () => {
    const good = makeNationalId(XIDE, '1990-01-01', 123, 'F');
    const cases: [string, string][] = [
      [`${good.slice(0, 17)}${good[17] === '0' ? '1' : '0'}`, 'BAD_CHECK_CHARACTER'],
      ['513432900101123', 'LEGACY_15_DIGIT'],
      ['51343219900101', 'WRONG_LENGTH'],
      ['', 'EMPTY'],
      [makeNationalId(XIDE, '2021-01-01', 5, 'F'), 'FUTURE_BIRTH_DATE'],
    ];
    for (const [id, reason] of cases) {
      const res = await h.gql(ONE, { id }, admin);
      expect(res.data?.coverage ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'nationalId',
        reason,
      });
      if (id.length >= 10) expect(res.errors?.[0]?.message).not.toContain(id);
    }
  });

  it('accepts a lower-case check character x', async () => {
    let seq = 0;
    let id = '';
    while (!id.endsWith('X')) id = makeNationalId(XIDE, '1988-08-08', (seq += 2), 'F');
    const [ins] = await h.sql<{ id: number }>(
      `insert into insured (id_hash, id_ciphertext, id_key_id, id_masked, name, gender, birth_date, household_id, county_code, id_region, registered_poor)
       values ($1, 'v1.test.x.x.x', 'test', $2, '李四', 'F', '1988-08-08', 'HH-x', $3, $3, true) returning id`,
      [lookupHash(id, TEST_HMAC_KEY), `${id.slice(0, 6)}********${id.slice(14)}`, XIDE],
    );
    await coverAgain(ins!.id, xide2020);
    expect(await check(id.toLowerCase())).toMatchObject({ covered: true, nameMasked: '李*' });
  });

  it('is open to every role; anonymous callers are refused', async () => {
    const p = await person(xide2020);
    await expectRoles(h, ONE, { id: p.nationalId }, [
      Role.ADMIN,
      Role.ACTUARY,
      Role.CLAIMS_REVIEWER,
      Role.FOUNDATION,
      Role.COORDINATOR,
      Role.INTEGRATION,
    ]);
  });

  it("follows to the insured's record for staff, never for integrations", async () => {
    const p = await person(xide2020, { name: '张三' });
    const q = `query($id: String!) { coverage(nationalId: $id) { covered insured { id name nationalIdMasked } } }`;
    const res = await h.gql(q, { id: p.nationalId }, admin);
    expect(res.data!.coverage.insured).toEqual({
      id: String(p.insuredId),
      name: '张三',
      nationalIdMasked: expect.any(String),
    });
    const integration = await h.gql(q, { id: p.nationalId }, await h.token(Role.INTEGRATION));
    expect(integration.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const actuary = await h.gql(q, { id: p.nationalId }, await h.token(Role.ACTUARY));
    expect(actuary.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('scope', () => {
  it('an integration scoped to a county sees its coverages; elsewhere and unknown both answer OUT_OF_SCOPE', async () => {
    const inXide = await person(xide2020, { name: '张三' });
    const inDafang = await person(dafang2020, { name: '李四' });
    const unknown = makeNationalId(XIDE, '1991-02-03', 7, 'M');
    const token = await h.token(Role.INTEGRATION, { countyCodes: [XIDE] });
    expect(await check(inXide.nationalId, undefined, token)).toMatchObject({
      covered: true,
      county: { code: XIDE },
      nameMasked: '张*',
    });
    const outside = await check(inDafang.nationalId, undefined, token);
    const nobody = await check(unknown, undefined, token);
    // Nothing tells "covered in Dafang" from "not enrolled at all": same reason, no name, no county, no ids.
    for (const c of [outside, nobody]) {
      expect(c).toMatchObject({
        covered: false,
        reason: 'OUT_OF_SCOPE',
        nameMasked: null,
        coverageId: null,
        county: null,
        programmeYear: null,
        planCode: null,
        deductibleLeft: null,
      });
    }
    expect(Object.keys(outside).sort()).toEqual(Object.keys(nobody).sort());
  });

  it('a province-scoped integration sees every county of the province; an unscoped one everything', async () => {
    const inDafang = await person(dafang2020);
    const inXide = await person(xide2020);
    const guizhou = await h.token(Role.INTEGRATION, { provinceCodes: ['52'] });
    expect(await check(inDafang.nationalId, undefined, guizhou)).toMatchObject({
      covered: true,
      county: { code: DAFANG },
    });
    expect(await check(inXide.nationalId, undefined, guizhou)).toMatchObject({ reason: 'OUT_OF_SCOPE' });
    const everywhere = await h.token(Role.INTEGRATION);
    expect(await check(inXide.nationalId, undefined, everywhere)).toMatchObject({ covered: true });
    expect(await check(makeNationalId(XIDE, '1992-02-03', 9, 'F'), undefined, everywhere)).toMatchObject({
      reason: 'NOT_ENROLLED',
    });
  });

  it("a coordinator sees its own county's coverages only", async () => {
    const inXide = await person(xide2020);
    const inDafang = await person(dafang2020);
    const coordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
    expect(await check(inXide.nationalId, undefined, coordinator)).toMatchObject({ covered: true });
    expect(await check(inDafang.nationalId, undefined, coordinator)).toMatchObject({
      covered: false,
      reason: 'OUT_OF_SCOPE',
      nameMasked: null,
    });
    const batch = await h.gql(MANY, { ids: [inDafang.nationalId, inXide.nationalId] }, coordinator);
    expect(batch.data!.coverages.map((e: any) => e.coverage.reason)).toEqual(['OUT_OF_SCOPE', null]);
  });

  it('the scope filter holds across years: the in-scope year answers, the other is invisible', async () => {
    const y2036x = await contract({ countyCode: XIDE, year: 2036, status: 'EXPIRED' });
    const y2037d = await contract({ countyCode: DAFANG, year: 2037, status: 'ACTIVE' });
    const p = await person(y2036x);
    await coverAgain(p.insuredId, y2037d);
    const xideOnly = await h.token(Role.INTEGRATION, { countyCodes: [XIDE] });
    // On a 2037 date the Dafang coverage holds it, but this token only sees Xide's 2036 one.
    expect(await check(p.nationalId, '2037-05-01', xideOnly)).toMatchObject({
      covered: false,
      reason: 'EXPIRED',
      programmeYear: 2036,
    });
    expect(await check(p.nationalId, '2037-05-01')).toMatchObject({
      covered: true,
      programmeYear: 2037,
      county: { code: DAFANG },
    });
  });
});

describe('coverages(nationalIds, on)', () => {
  it('answers in input order, repeats duplicates, and gives invalid IDs an error entry of their own', async () => {
    const a = await person(xide2020);
    const b = await person(dafang2020);
    const nobody = makeNationalId(MALIPO, '1980-05-05', 77, 'M');
    const bad = `${a.nationalId.slice(0, 17)}${a.nationalId[17] === '0' ? '1' : '0'}`;
    const res = await h.gql(
      MANY,
      { ids: [b.nationalId, bad, a.nationalId, nobody, b.nationalId, 'hello'] },
      admin,
    );
    expect(res.errors).toBeUndefined();
    const entries = res.data!.coverages;
    expect(entries.map((e: any) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(entries.map((e: any) => (e.coverage ? e.coverage.reason : e.error.reason))).toEqual([
      null,
      'BAD_CHECK_CHARACTER',
      null,
      'NOT_ENROLLED',
      null,
      'WRONG_LENGTH',
    ]);
    expect(entries[0].coverage).toMatchObject({
      covered: true,
      coverageId: String(b.coverageId),
      county: { code: DAFANG },
    });
    expect(entries[4]).toEqual({ ...entries[0], index: 4 });
    expect(entries[2].coverage).toMatchObject({ covered: true, coverageId: String(a.coverageId) });
    expect(entries[1]).toMatchObject({
      coverage: null,
      error: { code: 'BAD_USER_INPUT', field: 'nationalIds.1' },
    });
    expect(entries[1].error.message).not.toContain(bad);
  });

  it('takes up to 1,000 IDs in ONE statement; 1,001 is a BAD_USER_INPUT error on nationalIds', async () => {
    const people = await enrollPeople(
      h,
      xide2020,
      Array.from({ length: 20 }, (_, i) => ({
        countyCode: XIDE,
        birthDate: `1975-03-${String(i + 1).padStart(2, '0')}`,
        gender: 'M' as const,
      })),
    );
    const ids = Array.from({ length: 1000 }, (_, i) =>
      i % 50 === 0
        ? people[i / 50]!.nationalId
        : makeNationalId(XIDE, '1970-01-01', i % 1000, i % 2 ? 'M' : 'F'),
    );
    const spy = jest.spyOn(h.rt.pg, 'query');
    try {
      const res = await h.gql(MANY, { ids }, admin);
      expect(res.errors).toBeUndefined();
      expect(res.data!.coverages).toHaveLength(1000);
      expect(res.data!.coverages.filter((e: any) => e.coverage.covered)).toHaveLength(20);
      // Besides the token's authentication (cached after the first request), one round trip
      // through the pg pool: a named (prepared) statement over `= any($1)`.
      const calls = spy.mock.calls.map(
        (c) => c[0] as unknown as { name?: string; text: string; values: unknown[] },
      );
      const lookups = calls.filter((c) => !c.name?.startsWith('api-token-authenticate'));
      expect(calls.length - lookups.length).toBeLessThanOrEqual(1);
      expect(lookups).toHaveLength(1);
      const statement = lookups[0]!;
      expect(statement.name).toMatch(/^coverage-lookup/);
      expect(statement.text).toContain('i.id_hash = any($1::bytea[])');
      expect((statement.values[0] as Buffer[]).length).toBe(new Set(ids).size);
    } finally {
      spy.mockRestore();
    }
    const tooMany = await h.gql(MANY, { ids: [...ids, ids[0]] }, admin);
    expect(tooMany.data?.coverages ?? null).toBeNull();
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'nationalIds' });
  });

  it('an empty list is an empty answer', async () => {
    const res = await h.gql(MANY, { ids: [] }, admin);
    expect(res.data!.coverages).toEqual([]);
  });
});

describe('access log', () => {
  const logRows = (tokenId: number) =>
    h.sql<{ token_id: number; people_count: number; id_hashes: string[]; channel: string; at: Date }>(
      'select token_id, people_count, id_hashes, channel, at from coverage_access_log where token_id = $1 order by id',
      [tokenId],
    );
  const tokenIdOf = async (secret: string) =>
    (await h.sql<{ id: number }>('select id from api_token where prefix = $1', [secret.slice(0, 10)]))[0]!.id;

  it('writes one row per integration look-up: token, time, how many people, hashed IDs, channel', async () => {
    const a = await person(xide2020);
    const b = await person(dafang2020);
    const secret = await h.token(Role.INTEGRATION);
    const tokenId = await tokenIdOf(secret);
    await check(a.nationalId, undefined, secret);
    const res = await h.gql(MANY, { ids: [a.nationalId, b.nationalId, a.nationalId, 'junk'] }, secret);
    expect(res.errors).toBeUndefined();
    const rows = await logRows(tokenId);
    const hex = (id: string) => lookupHash(id, TEST_HMAC_KEY).toString('hex');
    expect(rows).toEqual([
      {
        token_id: tokenId,
        people_count: 1,
        id_hashes: [hex(a.nationalId)],
        channel: 'GRAPHQL',
        at: expect.any(Date),
      },
      {
        token_id: tokenId,
        people_count: 2,
        id_hashes: expect.arrayContaining([hex(a.nationalId), hex(b.nationalId)]),
        channel: 'GRAPHQL',
        at: expect.any(Date),
      },
    ]);
    expect(rows[1]!.id_hashes).toHaveLength(2);
    // An out-of-scope look-up is logged too (it is a look-up), and a refused one is not.
    const scoped = await h.token(Role.INTEGRATION, { countyCodes: [MALIPO] });
    await check(a.nationalId, undefined, scoped);
    expect(await logRows(await tokenIdOf(scoped))).toHaveLength(1);
    await h.gql(ONE, { id: 'not-an-id' }, scoped);
    expect(await logRows(await tokenIdOf(scoped))).toHaveLength(1);
  });

  it('writes nothing for staff look-ups', async () => {
    const a = await person(xide2020);
    const [before] = await h.sql<{ n: number }>('select count(*)::int as n from coverage_access_log');
    await check(a.nationalId, undefined, admin);
    await check(a.nationalId, undefined, await h.token(Role.COORDINATOR, { countyCodes: [XIDE] }));
    const [after] = await h.sql<{ n: number }>('select count(*)::int as n from coverage_access_log');
    expect(after!.n).toBe(before!.n);
  });
});
