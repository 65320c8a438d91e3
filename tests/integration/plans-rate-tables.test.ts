import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';
import { priceContract } from '../../src/modules/pricing/engine';
import { planTerms } from '../../src/modules/pricing/plan.service';
import { rateTableBasis } from '../../src/modules/pricing/rate-table.service';

let h: Harness;
let admin: string;
let actuary: string;
let foundation: string;
beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  actuary = await h.token(Role.ACTUARY);
  foundation = await h.token(Role.FOUNDATION);
});
afterAll(async () => h?.close());

const PLAN_READERS = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];
const ACTUARIAL = [Role.ADMIN, Role.ACTUARY];

const PLAN_FIELDS = `id code version name deductible tiers { upTo ratio } annualCap hospitalLevels minAge maxAge
  filingWindowDays autoApproveLimit reviewThreshold requiredDocuments lockedAt createdAt`;
const CREATE_PLAN = `mutation($input: CreateBenefitPlanInput!) { createBenefitPlan(input: $input) { benefitPlan { ${PLAN_FIELDS} } } }`;
const PLAN = `query($id: ID!) { benefitPlan(id: $id) { ${PLAN_FIELDS} } }`;
const PLANS = `query($filter: BenefitPlanFilterInput, $page: PageInput) {
  benefitPlans(filter: $filter, page: $page) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id code version } } } }`;

const TABLE_FIELDS = `id code version status baseDate frequency { band gender frequency } severity { band mu sigma }
  areaFactors { provinceCode factor } annualTrend expenseLoading riskMargin minPremium fullCredibilityClaims maxRateChange
  sourceStudyId publishedAt retiredAt createdAt`;
const CREATE_TABLE = `mutation($input: CreateRateTableInput!) { createRateTable(input: $input) { rateTable { ${TABLE_FIELDS} } } }`;
const TABLE = `query($id: ID!) { rateTable(id: $id) { ${TABLE_FIELDS} } }`;
const TABLES = `query($filter: RateTableFilterInput, $page: PageInput) {
  rateTables(filter: $filter, page: $page) { totalCount edges { node { id code version status } } } }`;
const PUBLISH = `mutation($input: RateTableTransitionInput!) { publishRateTable(input: $input) { rateTable { id status publishedAt } } }`;
const RETIRE = `mutation($input: RateTableTransitionInput!) { retireRateTable(input: $input) { rateTable { id status retiredAt } } }`;

/** BACKBONE-STD (pricing.md). */
const backbone = (over: Record<string, unknown> = {}) => ({
  code: 'BACKBONE-STD',
  name: 'Backbone standard',
  deductible: '1000.00',
  tiers: [
    { upTo: '10000.00', ratio: '0.40' },
    { upTo: '30000.00', ratio: '0.50' },
    { upTo: null, ratio: '0.60' },
  ],
  annualCap: '30000.00',
  hospitalLevels: ['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL', 'PRIVATE'],
  ...over,
});

/** CN-RURAL-2019 (pricing.md), cells in the canonical order. */
const rural = (over: Record<string, unknown> = {}) => ({
  code: 'CN-RURAL-2019',
  baseDate: '2019-07-01',
  frequency: [
    { band: 'BAND_18_29', gender: 'F', frequency: 0.014 },
    { band: 'BAND_18_29', gender: 'M', frequency: 0.01 },
    { band: 'BAND_30_39', gender: 'F', frequency: 0.016 },
    { band: 'BAND_30_39', gender: 'M', frequency: 0.014 },
    { band: 'BAND_40_49', gender: 'F', frequency: 0.02 },
    { band: 'BAND_40_49', gender: 'M', frequency: 0.02 },
    { band: 'BAND_50_60', gender: 'F', frequency: 0.028 },
    { band: 'BAND_50_60', gender: 'M', frequency: 0.032 },
  ],
  severity: [
    { band: 'BAND_18_29', mu: 7.3, sigma: 1.2 },
    { band: 'BAND_30_39', mu: 7.4, sigma: 1.2 },
    { band: 'BAND_40_49', mu: 7.5, sigma: 1.2 },
    { band: 'BAND_50_60', mu: 7.6, sigma: 1.2 },
  ],
  areaFactors: [
    { provinceCode: '51', factor: 1.0 },
    { provinceCode: '52', factor: 0.95 },
    { provinceCode: '53', factor: 0.95 },
    { provinceCode: '42', factor: 1.05 },
  ],
  annualTrend: 0.06,
  expenseLoading: 0.08,
  riskMargin: 0.04,
  minPremium: '20.00',
  fullCredibilityClaims: 3000,
  maxRateChange: 0.25,
  ...over,
});

const count = async (table: string, where = 'true') =>
  (await h.sql<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`))[0]!.n;

async function createTable(over: Record<string, unknown> = {}, token = actuary): Promise<any> {
  const res = await h.gql(CREATE_TABLE, { input: rural(over) }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.createRateTable.rateTable;
}

/** Asserts a BAD_USER_INPUT naming `field` and that neither the table nor the audit log changed. */
async function expectRefused(
  query: string,
  input: unknown,
  field: string,
  table: string,
  entityType: string,
) {
  const rows = await count(table);
  const events = await count('audit_event', `entity_type = '${entityType}'`);
  const res = await h.gql(query, { input }, actuary);
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(await count(table)).toBe(rows);
  expect(await count('audit_event', `entity_type = '${entityType}'`)).toBe(events);
  return res.errors![0]!;
}

describe('benefit plan roles', () => {
  it('benefitPlans and benefitPlan: all but INTEGRATION', async () => {
    await expectRoles(h, PLANS, {}, PLAN_READERS);
    await expectRoles(h, PLAN, { id: '999' }, PLAN_READERS);
  });

  it('createBenefitPlan: ADMIN and ACTUARY', async () => {
    await expectRoles(h, CREATE_PLAN, { input: backbone({ code: 'ROLE-TEST' }) }, ACTUARIAL);
  });
});

describe('benefit plans', () => {
  it('creates BACKBONE-STD v1 with the domain defaults, audited', async () => {
    const res = await h.gql(CREATE_PLAN, { input: backbone() }, actuary);
    expect(res.errors).toBeUndefined();
    const plan = res.data!.createBenefitPlan.benefitPlan;
    expect(plan).toMatchObject({
      code: 'BACKBONE-STD',
      version: 1,
      deductible: '1000.00',
      tiers: [
        { upTo: '10000.00', ratio: '0.4' },
        { upTo: '30000.00', ratio: '0.5' },
        { upTo: null, ratio: '0.6' },
      ],
      annualCap: '30000.00',
      minAge: 18,
      maxAge: 60,
      filingWindowDays: 365,
      autoApproveLimit: '10000.00',
      reviewThreshold: '100000.00',
      requiredDocuments: ['INVOICE', 'DISCHARGE_SUMMARY'],
      lockedAt: null,
    });
    const audit = await h.sql(
      `select action, actor_role, changes from audit_event where entity_type = 'BenefitPlan' and entity_id = $1`,
      [plan.id],
    );
    expect(audit).toEqual([
      { action: 'CREATE', actor_role: 'ACTUARY', changes: { code: 'BACKBONE-STD', version: 1 } },
    ]);
    const read = await h.gql(PLAN, { id: plan.id }, foundation);
    expect(read.data!.benefitPlan).toEqual(plan);
  });

  it('a change is a new version of the code', async () => {
    const res = await h.gql(
      CREATE_PLAN,
      {
        input: backbone({
          name: 'Backbone standard 2021',
          minAge: 16,
          maxAge: 65,
          filingWindowDays: 180,
          autoApproveLimit: '5000',
          reviewThreshold: '80000.5',
          requiredDocuments: ['INVOICE', 'ID_CARD'],
        }),
      },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.createBenefitPlan.benefitPlan).toMatchObject({
      code: 'BACKBONE-STD',
      version: 2,
      minAge: 16,
      maxAge: 65,
      filingWindowDays: 180,
      autoApproveLimit: '5000.00',
      reviewThreshold: '80000.50',
      requiredDocuments: ['INVOICE', 'ID_CARD'],
    });
  });

  it('numbers versions without gaps or clashes under concurrent creates', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => h.gql(CREATE_PLAN, { input: backbone({ code: 'RACE-PLAN' }) }, actuary)),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(results.map((r) => r.data!.createBenefitPlan.benefitPlan.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('lists by code, as a connection with cursors', async () => {
    const all = await h.gql(PLANS, { filter: { code: 'BACKBONE-STD' } }, foundation);
    expect(all.data!.benefitPlans.totalCount).toBe(2);
    expect(all.data!.benefitPlans.edges.map((e: any) => e.node.version)).toEqual([1, 2]);
    const first = await h.gql(PLANS, { filter: { code: 'BACKBONE-STD' }, page: { first: 1 } }, foundation);
    expect(first.data!.benefitPlans.pageInfo.hasNextPage).toBe(true);
    const next = await h.gql(
      PLANS,
      {
        filter: { code: 'BACKBONE-STD' },
        page: { first: 1, after: first.data!.benefitPlans.pageInfo.endCursor },
      },
      foundation,
    );
    expect(next.data!.benefitPlans.edges.map((e: any) => e.node.version)).toEqual([2]);
    expect(next.data!.benefitPlans.pageInfo.hasNextPage).toBe(false);
  });

  it('benefitPlan: unknown id is NOT_FOUND, a malformed one BAD_USER_INPUT', async () => {
    expect((await h.gql(PLAN, { id: '99999' }, actuary)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await h.gql(PLAN, { id: 'abc' }, actuary)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  });

  const tiers = (...t: [string | null, string][]) => t.map(([upTo, ratio]) => ({ upTo, ratio }));
  it.each(
    (
      [
        ['a lower-case code', { code: 'backbone' }, 'code'],
        ['an empty name', { name: '  ' }, 'name'],
        ['a negative deductible', { deductible: '-1.00' }, 'deductible'],
        ['a ratio above 1', { tiers: tiers(['10000', '0.4'], [null, '1.2']) }, 'tiers[1].ratio'],
        [
          'a ratio that is not a decimal',
          { tiers: tiers(['10000', 'forty'], [null, '0.6']) },
          'tiers[0].ratio',
        ],
        [
          'tiers not ascending',
          { tiers: tiers(['10000', '0.4'], ['5000', '0.5'], [null, '0.6']) },
          'tiers[1].upTo',
        ],
        [
          'a first tier below the deductible',
          { tiers: tiers(['500', '0.4'], [null, '0.6']) },
          'tiers[0].upTo',
        ],
        ['a bounded last tier', { tiers: tiers(['10000', '0.4'], ['30000', '0.6']) }, 'tiers[1].upTo'],
        ['no tiers', { tiers: [] }, 'tiers'],
        ['a negative cap', { annualCap: '-5' }, 'annualCap'],
        ['no hospital level', { hospitalLevels: [] }, 'hospitalLevels'],
        ['a hospital level twice', { hospitalLevels: ['COUNTY', 'COUNTY'] }, 'hospitalLevels[1]'],
        ['a document twice', { requiredDocuments: ['INVOICE', 'INVOICE'] }, 'requiredDocuments[1]'],
        ['minAge above maxAge', { minAge: 61, maxAge: 60 }, 'maxAge'],
        ['a negative minAge', { minAge: -1 }, 'minAge'],
        ['maxAge above 120', { maxAge: 121 }, 'maxAge'],
        ['a zero filing window', { filingWindowDays: 0 }, 'filingWindowDays'],
        ['a negative auto-approve limit', { autoApproveLimit: '-1' }, 'autoApproveLimit'],
        ['a negative review threshold', { reviewThreshold: '-0.01' }, 'reviewThreshold'],
      ] as [string, Record<string, unknown>, string][]
    ).map(([what, over, field]) => [what, field, over] as const),
  )('refuses %s (field %s) and writes nothing', async (_what, field, over) => {
    await expectRefused(
      CREATE_PLAN,
      backbone({ code: 'BAD-PLAN', ...over }),
      field,
      'benefit_plan',
      'BenefitPlan',
    );
  });

  it('reports every problem at once', async () => {
    const err = await expectRefused(
      CREATE_PLAN,
      backbone({ code: 'BAD-PLAN', name: '', minAge: 70, tiers: tiers(['10000', '2'], [null, '0.6']) }),
      'name',
      'benefit_plan',
      'BenefitPlan',
    );
    expect(err.extensions!.problems.map((p: any) => p.field).sort()).toEqual([
      'maxAge',
      'name',
      'tiers[0].ratio',
    ]);
  });

  it('refuses an unknown hospital level or document kind at the schema', async () => {
    const before = await count('benefit_plan');
    for (const over of [{ hospitalLevels: ['CLINIC'] }, { requiredDocuments: ['SELFIE'] }]) {
      const res = await h.gql(CREATE_PLAN, { input: backbone({ code: 'BAD-PLAN', ...over }) }, actuary);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await count('benefit_plan')).toBe(before);
  });
});

describe('rate table roles', () => {
  it('rateTables and rateTable: ADMIN and ACTUARY only (FOUNDATION reads quotes, not tables)', async () => {
    await expectRoles(h, TABLES, {}, ACTUARIAL);
    await expectRoles(h, TABLE, { id: '999' }, ACTUARIAL);
  });

  it('createRateTable: ADMIN and ACTUARY', async () => {
    await expectRoles(h, CREATE_TABLE, { input: rural({ code: 'ROLE-TEST' }) }, ACTUARIAL);
  });

  it('publishRateTable and retireRateTable: ADMIN and ACTUARY', async () => {
    const t = await createTable({ code: 'ROLE-TRANSITIONS' });
    await expectRoles(h, PUBLISH, { input: { id: t.id } }, ACTUARIAL);
    await expectRoles(h, RETIRE, { input: { id: t.id } }, ACTUARIAL);
  });
});

describe('rate tables', () => {
  let rural1: any;

  it('creates CN-RURAL-2019 v1 as DRAFT, audited, with every cell as given', async () => {
    rural1 = await createTable();
    expect(rural1).toMatchObject({
      code: 'CN-RURAL-2019',
      version: 1,
      status: 'DRAFT',
      baseDate: '2019-07-01',
      minPremium: '20.00',
      fullCredibilityClaims: 3000,
      maxRateChange: 0.25,
      annualTrend: 0.06,
      expenseLoading: 0.08,
      riskMargin: 0.04,
      sourceStudyId: null,
      publishedAt: null,
      retiredAt: null,
    });
    expect(rural1.frequency).toEqual(rural().frequency);
    expect(rural1.severity).toEqual(rural().severity);
    expect(rural1.areaFactors).toEqual([
      { provinceCode: '42', factor: 1.05 },
      { provinceCode: '51', factor: 1 },
      { provinceCode: '52', factor: 0.95 },
      { provinceCode: '53', factor: 0.95 },
    ]);
    const [row] = await h.sql(`select frequency, severity, area_factors from rate_table where id = $1`, [
      rural1.id,
    ]);
    expect(row!.frequency['50-60']).toEqual({ F: 0.028, M: 0.032 });
    expect(row!.severity['18-29']).toEqual({ mu: 7.3, sigma: 1.2 });
    const audit = await h.sql(
      `select action, to_state, changes from audit_event where entity_type = 'RateTable' and entity_id = $1`,
      [rural1.id],
    );
    expect(audit).toEqual([
      {
        action: 'CREATE',
        to_state: 'DRAFT',
        changes: { code: 'CN-RURAL-2019', version: 1, sourceStudyId: null },
      },
    ]);
    expect((await h.gql(TABLE, { id: rural1.id }, admin)).data!.rateTable).toEqual(rural1);
  });

  it('accepts cells in any order and numbers versions per code', async () => {
    const shuffled = rural();
    const t = await createTable({
      frequency: [...shuffled.frequency].reverse(),
      severity: [...shuffled.severity].reverse(),
    });
    expect(t.version).toBe(2);
    expect(t.frequency).toEqual(rural().frequency);
  });

  it('feeds the pricing engine: the defaults price at about 30 per person in Sichuan', async () => {
    const plan = (await h.gql(PLANS, { filter: { code: 'BACKBONE-STD' } }, actuary)).data!.benefitPlans
      .edges[0].node;
    const em = h.em();
    const storedPlan = await h.rt.services.plans.get(em, Number(plan.id));
    const storedTable = await h.rt.services.rateTables.get(em, Number(rural1.id));
    const result = priceContract({
      population: { headCount: 10000 },
      plan: planTerms(storedPlan),
      rateTable: rateTableBasis(storedTable),
      provinceCode: '51',
      periodStart: '2020-01-01',
      periodEnd: '2020-12-31',
    });
    expect(Number(result.perCapitaPremium)).toBeGreaterThan(28);
    expect(Number(result.perCapitaPremium)).toBeLessThan(32);
  });

  it('publishes DRAFT → PUBLISHED and retires PUBLISHED → RETIRED, each audited', async () => {
    h.clock.set('2020-03-02T03:00:00Z');
    const pub = await h.gql(PUBLISH, { input: { id: rural1.id } }, actuary);
    expect(pub.errors).toBeUndefined();
    expect(pub.data!.publishRateTable.rateTable).toEqual({
      id: rural1.id,
      status: 'PUBLISHED',
      publishedAt: '2020-03-02T03:00:00.000Z',
    });

    const again = await h.gql(PUBLISH, { input: { id: rural1.id } }, actuary);
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'ILLEGAL_TRANSITION',
      currentState: 'PUBLISHED',
    });
    expect(again.errors?.[0]?.message).toContain('PUBLISHED');

    const listed = await h.gql(TABLES, { filter: { code: 'CN-RURAL-2019', status: 'PUBLISHED' } }, actuary);
    expect(listed.data!.rateTables.edges.map((e: any) => e.node.id)).toEqual([rural1.id]);

    const ret = await h.gql(RETIRE, { input: { id: rural1.id } }, admin);
    expect(ret.data!.retireRateTable.rateTable).toMatchObject({
      status: 'RETIRED',
      retiredAt: '2020-03-02T03:00:00.000Z',
    });
    const retAgain = await h.gql(RETIRE, { input: { id: rural1.id } }, admin);
    expect(retAgain.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'ILLEGAL_TRANSITION',
      currentState: 'RETIRED',
    });
    const republish = await h.gql(PUBLISH, { input: { id: rural1.id } }, admin);
    expect(republish.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentState: 'RETIRED' });

    const audit = await h.sql(
      `select action, from_state, to_state, actor_role from audit_event where entity_type = 'RateTable' and entity_id = $1 order by id`,
      [rural1.id],
    );
    expect(audit).toEqual([
      { action: 'CREATE', from_state: null, to_state: 'DRAFT', actor_role: 'ACTUARY' },
      { action: 'PUBLISH', from_state: 'DRAFT', to_state: 'PUBLISHED', actor_role: 'ACTUARY' },
      { action: 'RETIRE', from_state: 'PUBLISHED', to_state: 'RETIRED', actor_role: 'ADMIN' },
    ]);
  });

  it('a DRAFT cannot be retired', async () => {
    const t = await createTable({ code: 'DRAFT-ONLY' });
    const res = await h.gql(RETIRE, { input: { id: t.id } }, actuary);
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'ILLEGAL_TRANSITION',
      currentState: 'DRAFT',
    });
    expect(res.errors?.[0]?.message).toContain('DRAFT');
    expect(
      await count(
        'audit_event',
        `entity_type = 'RateTable' and entity_id = '${t.id}' and action <> 'CREATE'`,
      ),
    ).toBe(0);
  });

  it('concurrent publishes of one table: exactly one wins, the other is a CONFLICT', async () => {
    const t = await createTable({ code: 'RACE-TABLE' });
    const results = await Promise.all([1, 2, 3].map(() => h.gql(PUBLISH, { input: { id: t.id } }, actuary)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.reason === 'ILLEGAL_TRANSITION')).toHaveLength(2);
    expect(
      await count(
        'audit_event',
        `entity_type = 'RateTable' and entity_id = '${t.id}' and action = 'PUBLISH'`,
      ),
    ).toBe(1);
  });

  it('transitions of an unknown id are NOT_FOUND', async () => {
    expect((await h.gql(PUBLISH, { input: { id: '99999' } }, actuary)).errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.gql(RETIRE, { input: { id: '0' } }, actuary)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  });

  const cells = rural().frequency;
  const bands = rural().severity;
  it.each(
    (
      [
        ['a bad code', { code: 'cn rural' }, 'code'],
        ['a missing cell', { frequency: cells.slice(0, 7) }, 'frequency'],
        [
          'a cell given twice',
          { frequency: [...cells.slice(0, 3), cells[0], ...cells.slice(4)] },
          'frequency[3].gender',
        ],
        [
          'a negative frequency',
          { frequency: cells.map((c, i) => (i === 5 ? { ...c, frequency: -0.01 } : c)) },
          'frequency[5].frequency',
        ],
        ['a missing severity band', { severity: bands.slice(1) }, 'severity'],
        ['a severity band twice', { severity: [bands[0], bands[0], bands[2], bands[3]] }, 'severity[1].band'],
        [
          'sigma 0',
          { severity: bands.map((b, i) => (i === 2 ? { ...b, sigma: 0 } : b)) },
          'severity[2].sigma',
        ],
        ['loadings summing to 1', { expenseLoading: 0.5, riskMargin: 0.5 }, 'expenseLoading'],
        ['a negative risk margin', { riskMargin: -0.01 }, 'riskMargin'],
        [
          'a bad province code',
          { areaFactors: [{ provinceCode: '5', factor: 1 }] },
          'areaFactors[0].provinceCode',
        ],
        [
          'a province twice',
          {
            areaFactors: [
              { provinceCode: '51', factor: 1 },
              { provinceCode: '51', factor: 1.1 },
            ],
          },
          'areaFactors[1].provinceCode',
        ],
        [
          'a negative area factor',
          {
            areaFactors: [
              { provinceCode: '51', factor: 1 },
              { provinceCode: '52', factor: -1 },
            ],
          },
          'areaFactors[1].factor',
        ],
        ['a trend of −100 %', { annualTrend: -1 }, 'annualTrend'],
        ['a negative minimum premium', { minPremium: '-1.00' }, 'minPremium'],
        ['zero credibility claims', { fullCredibilityClaims: 0 }, 'fullCredibilityClaims'],
        ['a rate change above 1', { maxRateChange: 1.5 }, 'maxRateChange'],
      ] as [string, Record<string, unknown>, string][]
    ).map(([what, over, field]) => [what, field, over] as const),
  )('refuses %s (field %s) and writes nothing', async (_what, field, over) => {
    await expectRefused(
      CREATE_TABLE,
      rural({ code: 'BAD-TABLE', ...over }),
      field,
      'rate_table',
      'RateTable',
    );
  });

  it('refuses an unknown band or gender at the schema', async () => {
    const before = await count('rate_table');
    const frequency = rural().frequency.map((c, i) => (i === 0 ? { ...c, gender: 'X' } : c));
    const res = await h.gql(CREATE_TABLE, { input: rural({ code: 'BAD-TABLE', frequency }) }, actuary);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count('rate_table')).toBe(before);
  });
});
