import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';
import {
  contractVersion,
  createDraftContract,
  createPlan,
  createProgramme,
  createQuotedContract,
  createRateTable,
  quoteContract,
  type ProgrammeFixture,
} from '../factories/contracts';
import { RateTableStatus } from '../../src/modules/pricing/rate-table.entity';

let h: Harness;
let admin: string;
let foundation: string;
let actuary: string;
let coordinator: string; // 513432 Xide

const XIDE = '513432';
const DAFANG = '520521';
const LIPING = '522631';
const MALIPO = '532624';
const GUANGNAN = '532627';
const HONGAN = '421122';

// Every test opens its own programme year, so counties can be reused across tests.
let nextYear = 2030;
const newProgramme = (budget = '1000000.00') => createProgramme(h, { year: nextYear++, budget });

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  foundation = await h.token(Role.FOUNDATION);
  actuary = await h.token(Role.ACTUARY);
  coordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
});
afterAll(async () => h?.close());

const FIELDS = `id status version programmeYear periodStart periodEnd declaredHeadCount insuredCount perCapitaPremium
  totalPremium endorsementPremium carryOverCredit acceptedQuoteId predecessorId approvedAt activatedAt expiredAt
  budgetOverride cancelReason createdAt updatedAt county { code nameZh } programme { year } plan { id code }`;
const CREATE = `mutation($input: CreateContractInput!) { createContract(input: $input) { contract { ${FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateContractInput!) { updateContract(input: $input) { contract { ${FIELDS} } } }`;
const CANCEL = `mutation($input: CancelContractInput!) { cancelContract(input: $input) { contract { ${FIELDS} } } }`;
const APPROVE = `mutation($input: ApproveContractInput!) { approveContract(input: $input) { contract { ${FIELDS} } } }`;
const GET = `query($id: ID!) { contract(id: $id) { ${FIELDS} } }`;
const LIST = `query($filter: ContractFilterInput, $page: PageInput) {
  contracts(filter: $filter, page: $page) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id status county { code } } }
  } }`;

const codeOf = (res: { errors?: { extensions?: Record<string, any> }[] }) =>
  res.errors?.[0]?.extensions?.code;
const extOf = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions ?? {};

async function counts() {
  const [c] = await h.sql<{ n: number }>('select count(*)::int as n from county_contract');
  const [a] = await h.sql<{ n: number }>('select count(*)::int as n from audit_event');
  return { contracts: c!.n, audit: a!.n };
}

async function contractRow(id: number | string) {
  const [row] = await h.sql('select * from county_contract where id = $1', [id]);
  return row!;
}

async function auditOf(id: number | string) {
  return h.sql(
    `select action, from_state, to_state, actor_role, actor_token_id, changes, request_id from audit_event
      where entity_type = 'CountyContract' and entity_id = $1 order by id`,
    [String(id)],
  );
}

const createInput = (p: ProgrammeFixture, countyCode: string, extra: Record<string, unknown> = {}) => ({
  countyCode,
  programmeYear: p.year,
  periodStart: `${p.year}-03-01`,
  periodEnd: `${p.year + 1}-02-28`,
  declaredHeadCount: 1200,
  ...extra,
});

describe('createContract', () => {
  it('creates a DRAFT with the programme default plan and audits it', async () => {
    const p = await newProgramme();
    const res = await h.gql(CREATE, { input: createInput(p, XIDE) }, foundation);
    expect(res.errors).toBeUndefined();
    const c = res.data!.createContract.contract;
    expect(c).toMatchObject({
      status: 'DRAFT',
      version: 1,
      programmeYear: p.year,
      periodStart: `${p.year}-03-01`,
      periodEnd: `${p.year + 1}-02-28`,
      declaredHeadCount: 1200,
      insuredCount: null,
      totalPremium: null,
      endorsementPremium: '0.00',
      carryOverCredit: '0.00',
      budgetOverride: false,
      county: { code: XIDE, nameZh: '喜德县' },
      programme: { year: p.year },
      plan: { id: String(p.planId) },
    });
    const audit = await auditOf(c.id);
    expect(audit).toMatchObject([
      { action: 'CREATE', from_state: null, to_state: 'DRAFT', actor_role: 'FOUNDATION' },
    ]);
    expect(audit[0]!.changes).toMatchObject({ countyCode: XIDE, programmeYear: p.year, planId: p.planId });
    expect(audit[0]!.request_id).toBeTruthy();
  });

  it('takes an explicit plan and a published rate table', async () => {
    const p = await newProgramme();
    const plan = await createPlan(h);
    const table = await createRateTable(h);
    const res = await h.gql(
      CREATE,
      {
        input: createInput(p, DAFANG, {
          planId: String(plan.id),
          rateTableId: String(table.id),
          declaredHeadCount: 0,
        }),
      },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.createContract.contract.plan.id).toBe(String(plan.id));
    expect(res.data!.createContract.contract.declaredHeadCount).toBe(0);
    const row = await contractRow(res.data!.createContract.contract.id);
    expect(row.rate_table_id).toBe(table.id);
  });

  it('refuses a second contract for the same county and year (DUPLICATE)', async () => {
    const p = await newProgramme();
    expect((await h.gql(CREATE, { input: createInput(p, XIDE) }, admin)).errors).toBeUndefined();
    const before = await counts();
    const res = await h.gql(CREATE, { input: createInput(p, XIDE) }, admin);
    expect(extOf(res)).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE' });
    expect(res.errors![0]!.message).toContain(XIDE);
    expect(res.errors![0]!.message).toContain(String(p.year));
    expect(await counts()).toEqual(before);
  });

  it('lets a cancelled contract be replaced for the same county and year (partial unique index)', async () => {
    const p = await newProgramme();
    const first = await h.gql(CREATE, { input: createInput(p, XIDE) }, admin);
    const id = first.data!.createContract.contract.id;
    const cancelled = await h.gql(
      CANCEL,
      { input: { id, version: first.data!.createContract.contract.version, reason: 'wrong period' } },
      admin,
    );
    expect(cancelled.errors).toBeUndefined();
    const again = await h.gql(CREATE, { input: createInput(p, XIDE) }, admin);
    expect(again.errors).toBeUndefined();
    // The database still refuses a second live one, whatever the code does.
    await expect(
      h.sql(
        `insert into county_contract (county_code, programme_id, programme_year, plan_id, period_start, period_end, status)
         select county_code, programme_id, programme_year, plan_id, period_start, period_end, 'DRAFT' from county_contract where id = $1`,
        [again.data!.createContract.contract.id],
      ),
    ).rejects.toThrow(/county_contract_county_programme_live_unique/);
  });

  it('lets only one of two concurrent creates for the same county and year through', async () => {
    const p = await newProgramme();
    const results = await Promise.all(
      [1, 2, 3].map(() => h.gql(CREATE, { input: createInput(p, LIPING) }, admin)),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors))
      expect(extOf(r)).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE' });
    const rows = await h.sql('select id from county_contract where programme_year = $1', [p.year]);
    expect(rows).toHaveLength(1);
  });

  it.each([
    ['periodEnd', { periodStart: 'Y-06-01', periodEnd: 'Y-05-31' }],
    ['periodEnd', { periodStart: 'Y-01-01', periodEnd: 'N-01-02' }],
    ['periodStart', { periodStart: 'P-12-01', periodEnd: 'Y-11-30' }],
    ['declaredHeadCount', { declaredHeadCount: -1 }],
    ['countyCode', { countyCode: '999999' }],
    ['countyCode', { countyCode: '51' }],
    ['programmeYear', { programmeYear: 1999, periodStart: '1999-03-01', periodEnd: '2000-02-28' }],
    ['planId', { planId: 'abc' }],
    ['planId', { planId: '987654' }],
    ['rateTableId', { rateTableId: '987654' }],
  ])('refuses bad input on %s and writes nothing', async (field, extra) => {
    const p = await newProgramme();
    const fix = (v: unknown) =>
      typeof v === 'string'
        ? v
            .replace(/^Y/, String(p.year))
            .replace(/^N/, String(p.year + 1))
            .replace(/^P/, String(p.year - 1))
        : v;
    const input = Object.fromEntries(
      Object.entries({ ...createInput(p, HONGAN), ...extra }).map(([k, v]) => [k, fix(v)]),
    );
    const before = await counts();
    const res = await h.gql(CREATE, { input }, admin);
    expect(extOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await counts()).toEqual(before);
  });

  it('refuses a DRAFT (unpublished) rate table', async () => {
    const p = await newProgramme();
    const draft = await createRateTable(h, RateTableStatus.DRAFT);
    const res = await h.gql(
      CREATE,
      { input: createInput(p, XIDE, { rateTableId: String(draft.id) }) },
      admin,
    );
    expect(extOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rateTableId' });
    expect(res.errors![0]!.message).toContain('PUBLISHED');
  });

  it('reports every problem at once, the first as the field', async () => {
    const p = await newProgramme();
    const res = await h.gql(
      CREATE,
      {
        input: createInput(p, XIDE, {
          periodStart: `${p.year}-05-01`,
          periodEnd: `${p.year}-04-01`,
          declaredHeadCount: -5,
        }),
      },
      admin,
    );
    expect(extOf(res).code).toBe('BAD_USER_INPUT');
    expect(
      extOf(res)
        .problems.map((x: { field: string }) => x.field)
        .sort(),
    ).toEqual(['declaredHeadCount', 'periodEnd']);
  });

  it('refuses a malformed date at the scalar', async () => {
    const p = await newProgramme();
    const res = await h.gql(
      CREATE,
      { input: createInput(p, XIDE, { periodStart: `${p.year}-02-30` }) },
      admin,
    );
    expect(extOf(res).code).toBe('BAD_USER_INPUT');
    expect(extOf(res).field).toContain('periodStart');
  });

  it('treats a county outside a scoped FOUNDATION token as unknown', async () => {
    const p = await newProgramme();
    const scoped = await h.token(Role.FOUNDATION, { countyCodes: [DAFANG] });
    const res = await h.gql(CREATE, { input: createInput(p, XIDE) }, scoped);
    expect(extOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'countyCode' });
    expect((await h.gql(CREATE, { input: createInput(p, DAFANG) }, scoped)).errors).toBeUndefined();
  });
});

describe('contracts and contract', () => {
  let p: ProgrammeFixture;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    p = await newProgramme();
    for (const code of [XIDE, DAFANG, LIPING, MALIPO, GUANGNAN])
      ids[code] = (await createDraftContract(h, p, { countyCode: code })).id;
    await quoteContract(h, ids[LIPING]!);
    await quoteContract(h, ids[MALIPO]!);
  });

  const nodes = (res: any) => res.data.contracts.edges.map((e: any) => e.node);

  it('lists by id with filters', async () => {
    const all = await h.gql(LIST, { filter: { programmeYear: p.year } }, actuary);
    expect(all.errors).toBeUndefined();
    expect(all.data!.contracts.totalCount).toBe(5);
    const listed = nodes(all).map((n: any) => Number(n.id));
    expect(listed).toEqual([...listed].sort((a, b) => a - b));

    const province = await h.gql(LIST, { filter: { programmeYear: p.year, provinceCode: '52' } }, admin);
    expect(nodes(province).map((n: any) => n.county.code)).toEqual([DAFANG, LIPING]);

    const county = await h.gql(LIST, { filter: { programmeYear: p.year, countyCode: MALIPO } }, admin);
    expect(nodes(county).map((n: any) => n.id)).toEqual([String(ids[MALIPO])]);

    const quoted = await h.gql(LIST, { filter: { programmeYear: p.year, status: ['QUOTED'] } }, foundation);
    expect(nodes(quoted).map((n: any) => n.county.code)).toEqual([LIPING, MALIPO]);

    const both = await h.gql(
      LIST,
      { filter: { programmeYear: p.year, status: ['QUOTED', 'DRAFT'], provinceCode: '53' } },
      admin,
    );
    expect(both.data!.contracts.totalCount).toBe(2);
  });

  it('pages with first/after', async () => {
    const first = await h.gql(LIST, { filter: { programmeYear: p.year }, page: { first: 2 } }, admin);
    expect(first.data!.contracts.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(nodes(first)).toHaveLength(2);
    const second = await h.gql(
      LIST,
      {
        filter: { programmeYear: p.year },
        page: { first: 10, after: first.data!.contracts.pageInfo.endCursor },
      },
      admin,
    );
    expect(second.data!.contracts.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(second.data!.contracts.totalCount).toBe(5);
    expect([...nodes(first), ...nodes(second)].map((n: any) => Number(n.id))).toEqual(
      [XIDE, DAFANG, LIPING, MALIPO, GUANGNAN].map((c) => ids[c]),
    );
  });

  it('refuses bad filters and cursors', async () => {
    expect(extOf(await h.gql(LIST, { filter: { provinceCode: '5' } }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.provinceCode',
    });
    expect(extOf(await h.gql(LIST, { page: { after: 'nonsense!' } }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'page.after',
    });
    expect(extOf(await h.gql(LIST, { page: { first: 501 } }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'page.first',
    });
  });

  it('limits a COORDINATOR to its own county in the data layer', async () => {
    const list = await h.gql(LIST, { filter: { programmeYear: p.year } }, coordinator);
    expect(list.data!.contracts.totalCount).toBe(1);
    expect(nodes(list).map((n: any) => n.county.code)).toEqual([XIDE]);
    // Filtering for another county does not widen the scope.
    const other = await h.gql(LIST, { filter: { countyCode: DAFANG } }, coordinator);
    expect(other.data!.contracts.totalCount).toBe(0);

    const own = await h.gql(GET, { id: String(ids[XIDE]) }, coordinator);
    expect(own.data!.contract.county.code).toBe(XIDE);
    const foreign = await h.gql(GET, { id: String(ids[DAFANG]) }, coordinator);
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    expect(foreign.data?.contract ?? null).toBeNull();
  });

  it('answers NOT_FOUND for unknown ids and BAD_USER_INPUT for malformed ones', async () => {
    expect(codeOf(await h.gql(GET, { id: '99999' }, admin))).toBe('NOT_FOUND');
    expect(extOf(await h.gql(GET, { id: 'x1' }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    const before = await counts();
    expect(
      codeOf(await h.gql(UPDATE, { input: { id: '99999', version: 1, declaredHeadCount: 3 } }, admin)),
    ).toBe('NOT_FOUND');
    expect(codeOf(await h.gql(CANCEL, { input: { id: '99999', version: 1, reason: 'x' } }, admin))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await h.gql(APPROVE, { input: { id: '99999', version: 1 } }, admin))).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });

  it('hides the rate table from roles that may not read rate tables', async () => {
    const q = `query($id: ID!) { contract(id: $id) { id rateTable { id } } }`;
    const table = await createRateTable(h);
    await h.sql('update county_contract set rate_table_id = $1 where id = $2', [table.id, ids[XIDE]]);
    const asActuary = await h.gql(q, { id: String(ids[XIDE]) }, actuary);
    expect(asActuary.data!.contract.rateTable).toEqual({ id: String(table.id) });
    const asCoordinator = await h.gql(q, { id: String(ids[XIDE]) }, coordinator);
    expect(codeOf(asCoordinator)).toBe('FORBIDDEN');
    expect(asCoordinator.data?.contract?.rateTable ?? null).toBeNull();
  });
});

describe('updateContract', () => {
  it('changes DRAFT terms, bumps the version and audits the changed fields', async () => {
    const p = await newProgramme();
    const c = await createDraftContract(h, p, { countyCode: XIDE, declaredHeadCount: 10 });
    const plan = await createPlan(h);
    const res = await h.gql(
      UPDATE,
      {
        input: {
          id: String(c.id),
          version: 1,
          planId: String(plan.id),
          periodEnd: `${p.year + 1}-01-31`,
          declaredHeadCount: 20,
        },
      },
      foundation,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateContract.contract).toMatchObject({
      version: 2,
      status: 'DRAFT',
      declaredHeadCount: 20,
      periodEnd: `${p.year + 1}-01-31`,
      plan: { id: String(plan.id) },
    });
    const [event] = await auditOf(c.id);
    expect(event).toMatchObject({ action: 'UPDATE', actor_role: 'FOUNDATION' });
    expect(event!.changes).toEqual({
      planId: { from: p.planId, to: plan.id },
      periodEnd: { from: `${p.year + 1}-02-28`, to: `${p.year + 1}-01-31` },
      declaredHeadCount: { from: 10, to: 20 },
    });
  });

  it('clears the declared head count and the rate table with explicit nulls', async () => {
    const p = await newProgramme();
    const c = await createDraftContract(h, p, { countyCode: XIDE, declaredHeadCount: 10 });
    await h.sql('update county_contract set rate_table_id = $1 where id = $2', [p.rateTableId, c.id]);
    const res = await h.gql(
      UPDATE,
      { input: { id: String(c.id), version: 1, declaredHeadCount: null, rateTableId: null } },
      admin,
    );
    expect(res.errors).toBeUndefined();
    const row = await contractRow(c.id);
    expect(row).toMatchObject({ declared_head_count: null, rate_table_id: null, version: 2 });
  });

  it('refuses a stale version (STALE_VERSION) and changes nothing', async () => {
    const p = await newProgramme();
    const c = await createDraftContract(h, p, { countyCode: XIDE });
    expect(
      (await h.gql(UPDATE, { input: { id: String(c.id), version: 1, declaredHeadCount: 5 } }, admin)).errors,
    ).toBeUndefined();
    const before = await contractRow(c.id);
    const res = await h.gql(UPDATE, { input: { id: String(c.id), version: 1, declaredHeadCount: 6 } }, admin);
    expect(extOf(res)).toMatchObject({ code: 'CONFLICT', reason: 'STALE_VERSION', currentVersion: 2 });
    expect(await contractRow(c.id)).toEqual(before);
  });

  it('refuses bad terms with the field and writes nothing', async () => {
    const p = await newProgramme();
    const c = await createDraftContract(h, p, { countyCode: XIDE });
    const before = await counts();
    for (const [field, input] of [
      ['periodEnd', { periodEnd: `${p.year}-01-01` }],
      ['periodStart', { periodStart: `${p.year + 1}-01-01`, periodEnd: `${p.year + 1}-06-01` }],
      ['declaredHeadCount', { declaredHeadCount: -3 }],
      ['planId', { planId: '77777' }],
      ['planId', { planId: null }],
      ['rateTableId', { rateTableId: '77777' }],
    ] as const) {
      const res = await h.gql(UPDATE, { input: { id: String(c.id), version: 1, ...input } }, admin);
      expect({ field, ext: extOf(res) }).toMatchObject({ field, ext: { code: 'BAD_USER_INPUT', field } });
    }
    expect(await counts()).toEqual(before);
    expect((await contractRow(c.id)).version).toBe(1);
  });

  it('keeps a QUOTED contract editable but freezes terms from APPROVED on (CONFLICT)', async () => {
    const p = await newProgramme();
    const { contract, version } = await createQuotedContract(h, p, { countyCode: XIDE });
    const edited = await h.gql(
      UPDATE,
      { input: { id: String(contract.id), version, declaredHeadCount: 900 } },
      admin,
    );
    expect(edited.errors).toBeUndefined();
    expect(edited.data!.updateContract.contract.status).toBe('QUOTED');
    const approved = await h.gql(
      APPROVE,
      { input: { id: String(contract.id), version: version + 1 } },
      foundation,
    );
    expect(approved.errors).toBeUndefined();
    const v = approved.data!.approveContract.contract.version;
    const res = await h.gql(
      UPDATE,
      { input: { id: String(contract.id), version: v, declaredHeadCount: 1 } },
      admin,
    );
    expect(extOf(res)).toMatchObject({ code: 'CONFLICT', reason: 'TERMS_FROZEN' });
    expect(res.errors![0]!.message).toContain('APPROVED');
  });
});

describe('cancelContract', () => {
  it.each(['DRAFT', 'QUOTED', 'APPROVED'])(
    'cancels a %s contract with a reason and audits it',
    async (state) => {
      const p = await newProgramme();
      let id: number;
      let version: number;
      if (state === 'DRAFT') {
        id = (await createDraftContract(h, p, { countyCode: XIDE })).id;
        version = 1;
      } else {
        const q = await createQuotedContract(h, p, { countyCode: XIDE });
        id = q.contract.id;
        version = q.version;
        if (state === 'APPROVED') {
          const a = await h.gql(APPROVE, { input: { id: String(id), version } }, foundation);
          version = a.data!.approveContract.contract.version;
        }
      }
      const res = await h.gql(
        CANCEL,
        { input: { id: String(id), version, reason: '  county withdrew  ' } },
        foundation,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.cancelContract.contract).toMatchObject({
        status: 'CANCELLED',
        cancelReason: 'county withdrew',
        version: version + 1,
      });
      const events = await auditOf(id);
      expect(events[events.length - 1]).toMatchObject({
        action: 'CANCEL',
        from_state: state,
        to_state: 'CANCELLED',
        changes: { reason: 'county withdrew' },
      });
    },
  );

  it('refuses to cancel a CANCELLED or ACTIVE contract (ILLEGAL_TRANSITION naming the state)', async () => {
    const p = await newProgramme();
    const c = await createDraftContract(h, p, { countyCode: XIDE });
    await h.gql(CANCEL, { input: { id: String(c.id), version: 1, reason: 'first' } }, admin);
    const again = await h.gql(CANCEL, { input: { id: String(c.id), version: 2, reason: 'again' } }, admin);
    expect(extOf(again)).toMatchObject({
      code: 'CONFLICT',
      reason: 'ILLEGAL_TRANSITION',
      currentState: 'CANCELLED',
    });
    expect(again.errors![0]!.message).toContain('CANCELLED');

    const d = await createDraftContract(h, p, { countyCode: DAFANG });
    await h.sql(`update county_contract set status = 'ACTIVE' where id = $1`, [d.id]);
    const active = await h.gql(CANCEL, { input: { id: String(d.id), version: 1, reason: 'late' } }, admin);
    expect(extOf(active)).toMatchObject({ code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION' });
    expect(active.errors![0]!.message).toContain('ACTIVE');
  });

  it('requires a reason', async () => {
    const p = await newProgramme();
    const c = await createDraftContract(h, p, { countyCode: XIDE });
    const res = await h.gql(CANCEL, { input: { id: String(c.id), version: 1, reason: '   ' } }, admin);
    expect(extOf(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await contractRow(c.id)).status).toBe('DRAFT');
  });
});

describe('approveContract', () => {
  it('accepts the newest quote, locks the plan and audits the transition', async () => {
    const p = await newProgramme('500000.00');
    const c = await createDraftContract(h, p, { countyCode: XIDE });
    await quoteContract(h, c.id, { perCapita: '120.00', insuredCount: 1000 });
    const newest = await quoteContract(h, c.id, {
      perCapita: '110.50',
      insuredCount: 1002,
      carryOverCredit: '1000.00',
    });
    const version = await contractVersion(h, c.id);
    expect(version).toBe(3); // created 1, quoted 2, re-quoted 3

    const res = await h.gql(APPROVE, { input: { id: String(c.id), version } }, foundation);
    expect(res.errors).toBeUndefined();
    expect(res.data!.approveContract.contract).toMatchObject({
      status: 'APPROVED',
      version: 4,
      acceptedQuoteId: String(newest.id),
      insuredCount: 1002,
      perCapitaPremium: '110.50',
      totalPremium: '110721.00',
      carryOverCredit: '1000.00',
      budgetOverride: false,
    });
    expect(res.data!.approveContract.contract.approvedAt).toBeTruthy();
    const [plan] = await h.sql('select locked_at from benefit_plan where id = $1', [p.planId]);
    expect(plan!.locked_at).toBeTruthy();
    const events = await auditOf(c.id);
    expect(events.map((e) => e.action)).toEqual(['QUOTE', 'QUOTE', 'APPROVE']);
    expect(events[1]).toMatchObject({ from_state: 'QUOTED', to_state: 'QUOTED' });
    expect(events[2]).toMatchObject({ from_state: 'QUOTED', to_state: 'APPROVED', actor_role: 'FOUNDATION' });
    expect(events[2]!.changes).toMatchObject({
      acceptedQuoteId: newest.id,
      totalPremium: '110721.00',
      budget: { budget: '500000.00', committed: '0.00', requested: '109721.00', withinBudget: true },
    });
  });

  it('refuses to approve a DRAFT (ILLEGAL_TRANSITION naming DRAFT)', async () => {
    const p = await newProgramme();
    const c = await createDraftContract(h, p, { countyCode: XIDE });
    const res = await h.gql(APPROVE, { input: { id: String(c.id), version: 1 } }, admin);
    expect(extOf(res)).toMatchObject({
      code: 'CONFLICT',
      reason: 'ILLEGAL_TRANSITION',
      currentState: 'DRAFT',
    });
    expect(res.errors![0]!.message).toContain('DRAFT');
  });

  it('refuses a version read before a re-quote (STALE_VERSION)', async () => {
    const p = await newProgramme();
    const { contract, version } = await createQuotedContract(h, p, { countyCode: XIDE });
    await quoteContract(h, contract.id, { perCapita: '999.00' });
    const res = await h.gql(APPROVE, { input: { id: String(contract.id), version } }, foundation);
    expect(extOf(res)).toMatchObject({ code: 'CONFLICT', reason: 'STALE_VERSION' });
    expect((await contractRow(contract.id)).status).toBe('QUOTED');
  });

  it('refuses a quote priced with another plan than the contract now has (QUOTE_OUTDATED)', async () => {
    const p = await newProgramme();
    const { contract, version } = await createQuotedContract(h, p, { countyCode: XIDE });
    const plan = await createPlan(h);
    const upd = await h.gql(
      UPDATE,
      { input: { id: String(contract.id), version, planId: String(plan.id) } },
      admin,
    );
    const res = await h.gql(
      APPROVE,
      { input: { id: String(contract.id), version: upd.data!.updateContract.contract.version } },
      admin,
    );
    expect(extOf(res)).toMatchObject({ code: 'CONFLICT', reason: 'QUOTE_OUTDATED' });
    await quoteContract(h, contract.id);
    const again = await h.gql(
      APPROVE,
      { input: { id: String(contract.id), version: await contractVersion(h, contract.id) } },
      admin,
    );
    expect(again.errors).toBeUndefined();
  });

  it('fails with BUDGET_EXCEEDED and the amounts, changing nothing', async () => {
    // budget 250,000; committed: approved 100,000 − 5,000 credit, active 60,000, expired 20,000
    // (+ 1,000 endorsements) = 176,000; cancelled and quoted contracts do not count.
    const p = await newProgramme('250000.00');
    const approved = await createQuotedContract(h, p, {
      countyCode: XIDE,
      perCapita: '100.00',
      insuredCount: 1000,
      carryOverCredit: '5000.00',
    });
    const active = await createQuotedContract(h, p, {
      countyCode: DAFANG,
      perCapita: '60.00',
      insuredCount: 1000,
    });
    const expired = await createQuotedContract(h, p, {
      countyCode: LIPING,
      perCapita: '20.00',
      insuredCount: 1000,
    });
    const cancelled = await createQuotedContract(h, p, {
      countyCode: MALIPO,
      perCapita: '500.00',
      insuredCount: 1000,
    });
    for (const c of [approved, active, expired, cancelled]) {
      const input = {
        id: String(c.contract.id),
        version: c.version,
        ...(c === cancelled ? { overrideBudget: true, reason: 'test' } : {}),
      };
      expect((await h.gql(APPROVE, { input }, admin)).errors).toBeUndefined();
    }
    await h.gql(
      CANCEL,
      { input: { id: String(cancelled.contract.id), version: cancelled.version + 1, reason: 'x' } },
      admin,
    );
    await h.sql(`update county_contract set status = 'ACTIVE' where id = $1`, [active.contract.id]);
    await h.sql(`update county_contract set status = 'EXPIRED', endorsement_premium = 1000 where id = $1`, [
      expired.contract.id,
    ]);

    // 74,001 + 176,000 = 250,001 > 250,000
    const over = await createQuotedContract(h, p, {
      countyCode: GUANGNAN,
      perCapita: '74001.00',
      insuredCount: 1,
    });
    const before = await contractRow(over.contract.id);
    const auditBefore = await counts();
    const res = await h.gql(
      APPROVE,
      { input: { id: String(over.contract.id), version: over.version } },
      foundation,
    );
    expect(extOf(res)).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      reason: 'BUDGET_EXCEEDED',
      budget: '250000.00',
      committed: '176000.00',
      requested: '74001.00',
      total: '250001.00',
      available: '74000.00',
      shortfall: '1.00',
      programmeYear: p.year,
    });
    expect(await contractRow(over.contract.id)).toEqual(before);
    expect(await counts()).toEqual(auditBefore);

    // Exactly at the budget passes: a 1.00 credit on a new quote.
    await quoteContract(h, over.contract.id, {
      perCapita: '74001.00',
      insuredCount: 1,
      carryOverCredit: '1.00',
    });
    const ok = await h.gql(
      APPROVE,
      { input: { id: String(over.contract.id), version: over.version + 1 } },
      foundation,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.approveContract.contract.status).toBe('APPROVED');
  });

  it('lets only an ADMIN override the budget, with a reason, audited', async () => {
    const p = await newProgramme('1000.00');
    const { contract, version } = await createQuotedContract(h, p, {
      countyCode: XIDE,
      perCapita: '10.00',
      insuredCount: 150,
    });
    const id = String(contract.id);

    const plain = await h.gql(APPROVE, { input: { id, version } }, foundation);
    expect(codeOf(plain)).toBe('BUDGET_EXCEEDED');
    const byFoundation = await h.gql(
      APPROVE,
      { input: { id, version, overrideBudget: true, reason: 'urgent' } },
      foundation,
    );
    expect(codeOf(byFoundation)).toBe('FORBIDDEN');
    const noReason = await h.gql(APPROVE, { input: { id, version, overrideBudget: true } }, admin);
    expect(extOf(noReason)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await contractRow(id)).status).toBe('QUOTED');

    const res = await h.gql(
      APPROVE,
      { input: { id, version, overrideBudget: true, reason: 'pledge arriving in May' } },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.approveContract.contract).toMatchObject({ status: 'APPROVED', budgetOverride: true });
    const events = await auditOf(id);
    expect(events.map((e) => e.action)).toEqual(['QUOTE', 'APPROVE', 'APPROVE_OVER_BUDGET']);
    expect(events[2]).toMatchObject({ actor_role: 'ADMIN' });
    expect(events[2]!.changes).toMatchObject({
      budget: '1000.00',
      committed: '0.00',
      requested: '1500.00',
      total: '1500.00',
      shortfall: '500.00',
      reason: 'pledge arriving in May',
    });
  });

  it('approves within budget without marking an override even when one is asked for', async () => {
    const p = await newProgramme('1000000.00');
    const { contract, version } = await createQuotedContract(h, p, { countyCode: XIDE });
    const res = await h.gql(
      APPROVE,
      { input: { id: String(contract.id), version, overrideBudget: true, reason: 'just in case' } },
      admin,
    );
    expect(res.data!.approveContract.contract.budgetOverride).toBe(false);
    expect((await auditOf(contract.id)).map((e) => e.action)).toEqual(['QUOTE', 'APPROVE']);
  });

  it('serialises concurrent approvals: two that each fit but not together → exactly one passes', async () => {
    for (let round = 0; round < 3; round++) {
      const p = await newProgramme('150000.00');
      const a = await createQuotedContract(h, p, {
        countyCode: XIDE,
        perCapita: '100.00',
        insuredCount: 1000,
      });
      const b = await createQuotedContract(h, p, {
        countyCode: DAFANG,
        perCapita: '100.00',
        insuredCount: 1000,
      });
      const results = await Promise.all([
        h.gql(APPROVE, { input: { id: String(a.contract.id), version: a.version } }, foundation),
        h.gql(APPROVE, { input: { id: String(b.contract.id), version: b.version } }, admin),
      ]);
      const ok = results.filter((r) => !r.errors);
      const failed = results.filter((r) => r.errors);
      expect(ok).toHaveLength(1);
      expect(failed.map(codeOf)).toEqual(['BUDGET_EXCEEDED']);
      expect(extOf(failed[0]!)).toMatchObject({ committed: '100000.00', requested: '100000.00' });
      const approved = await h.sql(
        `select id from county_contract where programme_year = $1 and status = 'APPROVED'`,
        [p.year],
      );
      expect(approved).toHaveLength(1);
    }
  });

  it('lets only one of two concurrent approvals of the same contract through', async () => {
    const p = await newProgramme();
    const { contract, version } = await createQuotedContract(h, p, { countyCode: XIDE });
    const results = await Promise.all(
      [foundation, admin].map((t) => h.gql(APPROVE, { input: { id: String(contract.id), version } }, t)),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(extOf(results.find((r) => r.errors)!)).toMatchObject({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
    });
    expect((await auditOf(contract.id)).filter((e) => e.action === 'APPROVE')).toHaveLength(1);
  });
});

describe('runLifecycleSweep', () => {
  it('activates and expires on the dates, audits each, and is idempotent', async () => {
    const p = await newProgramme();
    const y = p.year;
    const svc = h.rt.services.contracts;
    // The sweep is global: first settle the contracts of earlier tests (earlier years).
    await svc.runLifecycleSweep(h.em(), `${y}-03-01`);
    const mk = async (countyCode: string, periodStart: string, periodEnd: string, approve = true) => {
      const q = await createQuotedContract(h, p, { countyCode, periodStart, periodEnd });
      if (approve) {
        const r = await h.gql(APPROVE, { input: { id: String(q.contract.id), version: q.version } }, admin);
        expect(r.errors).toBeUndefined();
      }
      return q.contract.id;
    };
    const startsToday = await mk(XIDE, `${y}-03-01`, `${y + 1}-02-28`);
    const startsLater = await mk(DAFANG, `${y}-03-02`, `${y + 1}-03-01`);
    const endedUnactivated = await mk(LIPING, `${y}-01-01`, `${y}-02-28`);
    const alreadyActive = await mk(MALIPO, `${y}-01-01`, `${y}-02-28`);
    await h.sql(`update county_contract set status = 'ACTIVE' where id = $1`, [alreadyActive]);
    const quoted = await mk(GUANGNAN, `${y}-01-01`, `${y}-01-31`, false);

    const first = await svc.runLifecycleSweep(h.em(), `${y}-03-01`);
    expect(first).toEqual({ activated: 1, expired: 2 });
    const state = async () =>
      h.sql(
        `select id, status, version, activated_at, expired_at from county_contract where programme_year = $1 order by id`,
        [y],
      );
    const afterFirst = await state();
    const byId = Object.fromEntries(afterFirst.map((r) => [r.id, r]));
    expect(byId[startsToday]).toMatchObject({ status: 'ACTIVE', version: 4 });
    expect(byId[startsToday]!.activated_at).toBeTruthy();
    expect(byId[startsLater]).toMatchObject({ status: 'APPROVED', version: 3 });
    expect(byId[endedUnactivated]).toMatchObject({ status: 'EXPIRED', version: 4 });
    expect(byId[endedUnactivated]!.expired_at).toBeTruthy();
    expect(byId[alreadyActive]).toMatchObject({ status: 'EXPIRED' });
    expect(byId[quoted]).toMatchObject({ status: 'QUOTED' });

    const last = async (id: number) => (await auditOf(id)).at(-1);
    expect(await last(startsToday)).toMatchObject({
      action: 'ACTIVATE',
      from_state: 'APPROVED',
      to_state: 'ACTIVE',
      actor_role: 'SYSTEM',
      actor_token_id: null,
      changes: { asOf: `${y}-03-01`, version: 4 },
    });
    expect(await last(endedUnactivated)).toMatchObject({
      action: 'EXPIRE',
      from_state: 'APPROVED',
      to_state: 'EXPIRED',
    });
    expect(await last(alreadyActive)).toMatchObject({
      action: 'EXPIRE',
      from_state: 'ACTIVE',
      to_state: 'EXPIRED',
    });

    const auditCount = await counts();
    expect(await svc.runLifecycleSweep(h.em(), `${y}-03-01`)).toEqual({ activated: 0, expired: 0 });
    expect(await state()).toEqual(afterFirst);
    expect(await counts()).toEqual(auditCount);

    // The next day the later one starts; a year on, both expire.
    expect(await svc.runLifecycleSweep(h.em(), `${y}-03-02`)).toEqual({ activated: 1, expired: 0 });
    expect(await svc.runLifecycleSweep(h.em(), `${y + 1}-03-02`)).toEqual({ activated: 0, expired: 2 });
    expect(await svc.runLifecycleSweep(h.em(), `${y + 1}-03-02`)).toEqual({ activated: 0, expired: 0 });
    const ended = await h.sql(`select status from county_contract where id = any($1::int[])`, [
      [startsToday, startsLater],
    ]);
    expect(ended.map((r) => r.status)).toEqual(['EXPIRED', 'EXPIRED']);
    expect((await auditOf(startsLater)).map((e) => e.action)).toEqual([
      'QUOTE',
      'APPROVE',
      'ACTIVATE',
      'EXPIRE',
    ]);
  });

  it('refuses a malformed date', async () => {
    await expect(h.rt.services.contracts.runLifecycleSweep(h.em(), '2020-13-01')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'asOf' },
    });
  });
});

describe('roles', () => {
  const READERS = [Role.ADMIN, Role.ACTUARY, Role.FOUNDATION, Role.COORDINATOR];
  const WRITERS = [Role.ADMIN, Role.FOUNDATION];

  it('contracts and contract: ADMIN, ACTUARY, FOUNDATION, COORDINATOR', async () => {
    await expectRoles(h, LIST, {}, READERS);
    await expectRoles(h, GET, { id: '99999' }, READERS);
  });

  it('createContract: ADMIN, FOUNDATION', async () => {
    await expectRoles(
      h,
      CREATE,
      {
        input: {
          countyCode: '999999',
          programmeYear: 1990,
          periodStart: '1990-01-01',
          periodEnd: '1990-12-31',
        },
      },
      WRITERS,
    );
  });

  it('updateContract, cancelContract, approveContract: ADMIN, FOUNDATION', async () => {
    const before = await counts();
    await expectRoles(h, UPDATE, { input: { id: '99999', version: 1, declaredHeadCount: 1 } }, WRITERS);
    await expectRoles(h, CANCEL, { input: { id: '99999', version: 1, reason: 'x' } }, WRITERS);
    await expectRoles(h, APPROVE, { input: { id: '99999', version: 1 } }, WRITERS);
    const after = await counts();
    expect(after.contracts).toBe(before.contracts);
  });
});
