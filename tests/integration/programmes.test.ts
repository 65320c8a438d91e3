import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';

let h: Harness;
let admin: string;
let foundation: string;
let actuary: string;
let coordinator: string;
let planId: string;
let publishedTableId: string;
let draftTableId: string;

const READERS = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];
const WRITERS = [Role.ADMIN, Role.FOUNDATION];

const PROGRAMME_FIELDS = `id year name budget funding { source amount } defaultPlanId defaultRateTableId carryOverShare
  renewalWindowDays version createdAt updatedAt`;
const CREATE = `mutation($input: CreateProgrammeInput!) { createProgramme(input: $input) { programme { ${PROGRAMME_FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateProgrammeInput!) { updateProgramme(input: $input) { programme { ${PROGRAMME_FIELDS} } } }`;
const BUDGET = `mutation($input: UpdateProgrammeBudgetInput!) {
  updateProgrammeBudget(input: $input) { programme { ${PROGRAMME_FIELDS} committedPremium budgetLeft } } }`;
const ONE = `query($id: ID, $year: Int) { programme(id: $id, year: $year) {
  ${PROGRAMME_FIELDS} committedPremium budgetLeft claimsPaid surplus defaultPlan { code version } } }`;
const LIST = `query($page: PageInput) { programmes(page: $page) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id year budget committedPremium budgetLeft claimsPaid surplus defaultPlan { code } } } } }`;

const count = async (table: string, where = 'true') =>
  (await h.sql<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`))[0]!.n;

const programmeInput = (over: Record<string, unknown> = {}) => ({
  year: 2020,
  name: 'Backbone 2020',
  funding: [
    { source: 'Public fundraising', amount: '1200000.10' },
    { source: 'Corporate donors', amount: '300000.20' },
  ],
  ...over,
});

async function create(over: Record<string, unknown> = {}, token = foundation): Promise<any> {
  const res = await h.gql(CREATE, { input: programmeInput(over) }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.createProgramme.programme;
}

/** BAD_USER_INPUT naming `field`, and no programme, funding or audit row written. */
async function expectRefused(query: string, input: unknown, field: string) {
  const before = [
    await count('programme'),
    await count('programme_funding'),
    await count('audit_event', `entity_type = 'Programme'`),
  ];
  const res = await h.gql(query, { input }, admin);
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  const after = [
    await count('programme'),
    await count('programme_funding'),
    await count('audit_event', `entity_type = 'Programme'`),
  ];
  expect(after).toEqual(before);
}

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  foundation = await h.token(Role.FOUNDATION);
  actuary = await h.token(Role.ACTUARY);
  coordinator = await h.token(Role.COORDINATOR, { countyCodes: ['513432'] });
  const plan = await h.gql(
    `mutation($input: CreateBenefitPlanInput!) { createBenefitPlan(input: $input) { benefitPlan { id } } }`,
    {
      input: {
        code: 'BACKBONE-STD',
        name: 'Backbone standard',
        deductible: '1000',
        tiers: [
          { upTo: '10000', ratio: '0.4' },
          { upTo: '30000', ratio: '0.5' },
          { upTo: null, ratio: '0.6' },
        ],
        annualCap: '30000',
        hospitalLevels: ['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL', 'PRIVATE'],
      },
    },
    actuary,
  );
  planId = plan.data!.createBenefitPlan.benefitPlan.id;
  const table = (code: string) =>
    h.rt.services.rateTables.create(
      h.em(),
      { tokenId: null, role: 'SYSTEM', countyCodes: [], provinceCodes: [] },
      {
        code,
        baseDate: '2019-07-01',
        frequency: (['18-29', '30-39', '40-49', '50-60'] as const).flatMap((band) =>
          (['F', 'M'] as const).map((gender) => ({ band, gender, frequency: 0.02 })),
        ),
        severity: (['18-29', '30-39', '40-49', '50-60'] as const).map((band) => ({
          band,
          mu: 7.5,
          sigma: 1.2,
        })),
        annualTrend: 0.06,
        expenseLoading: 0.08,
        riskMargin: 0.04,
        minPremium: '20.00',
        fullCredibilityClaims: 3000,
        maxRateChange: 0.25,
      },
    );
  const published = await table('CN-RURAL-2019');
  await h.rt.services.rateTables.publish(
    h.em(),
    { tokenId: null, role: 'SYSTEM', countyCodes: [], provinceCodes: [] },
    published.id,
  );
  publishedTableId = String(published.id);
  draftTableId = String((await table('CN-DRAFT')).id);
});
afterAll(async () => h?.close());

describe('programme roles', () => {
  it('programmes and programme: everyone but INTEGRATION', async () => {
    await expectRoles(h, LIST, {}, READERS);
    await expectRoles(h, ONE, { year: 2099 }, READERS);
  });

  it('createProgramme: ADMIN and FOUNDATION', async () => {
    await expectRoles(h, CREATE, { input: programmeInput({ year: 2090 }) }, WRITERS);
  });

  it('updateProgramme and updateProgrammeBudget: ADMIN and FOUNDATION', async () => {
    const p = await create({ year: 2091 });
    await expectRoles(h, UPDATE, { input: { id: p.id, version: p.version, name: 'Renamed' } }, WRITERS);
    await expectRoles(h, BUDGET, { input: { id: p.id, version: p.version, funding: [] } }, WRITERS);
  });
});

describe('createProgramme', () => {
  let p2019: any;

  it('creates a year whose budget is the exact sum of its sources, audited', async () => {
    p2019 = await create({
      year: 2019,
      name: 'Backbone 2019',
      funding: [
        { source: ' Public fundraising ', amount: '0.10' },
        { source: 'Corporate donors', amount: '0.20' },
        { source: 'Other income', amount: '2999999.70' },
      ],
      defaultPlanId: planId,
      defaultRateTableId: publishedTableId,
      carryOverShare: '0.5',
      renewalWindowDays: 60,
    });
    expect(p2019).toMatchObject({
      year: 2019,
      name: 'Backbone 2019',
      budget: '3000000.00',
      funding: [
        { source: 'Public fundraising', amount: '0.10' },
        { source: 'Corporate donors', amount: '0.20' },
        { source: 'Other income', amount: '2999999.70' },
      ],
      defaultPlanId: planId,
      defaultRateTableId: publishedTableId,
      carryOverShare: '0.5000',
      renewalWindowDays: 60,
      version: 1,
    });
    const [row] = await h.sql(`select budget from programme where id = $1`, [p2019.id]);
    expect(row!.budget).toBe('3000000.00');
    const audit = await h.sql(
      `select action, actor_role, changes from audit_event where entity_type = 'Programme' and entity_id = $1`,
      [p2019.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'CREATE',
      actor_role: 'FOUNDATION',
      changes: { year: 2019, budget: { from: null, to: '3000000.00' }, defaultPlanId: Number(planId) },
    });
  });

  it('uses the defaults for the optional fields and allows no funding yet', async () => {
    const p = await create({ year: 2030, funding: [] }, admin);
    expect(p).toMatchObject({
      budget: '0.00',
      funding: [],
      defaultPlanId: null,
      defaultRateTableId: null,
      carryOverShare: '0.0000',
      renewalWindowDays: 90,
    });
  });

  it('a second programme for the same year is a CONFLICT (DUPLICATE) and writes nothing', async () => {
    const before = [await count('programme'), await count('programme_funding'), await count('audit_event')];
    const res = await h.gql(CREATE, { input: programmeInput({ year: 2019 }) }, admin);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE' });
    expect([await count('programme'), await count('programme_funding'), await count('audit_event')]).toEqual(
      before,
    );
  });

  it.each(
    (
      [
        ['a year before 2000', { year: 1999 }, 'year'],
        ['a year after 2100', { year: 2101 }, 'year'],
        ['an empty name', { name: ' ' }, 'name'],
        [
          'a negative amount',
          {
            funding: [
              { source: 'A', amount: '1.00' },
              { source: 'B', amount: '-0.01' },
            ],
          },
          'funding[1].amount',
        ],
        ['an empty source', { funding: [{ source: '  ', amount: '1.00' }] }, 'funding[0].source'],
        [
          'a source twice (ignoring case)',
          {
            funding: [
              { source: 'Donors', amount: '1' },
              { source: 'donors ', amount: '2' },
            ],
          },
          'funding[1].source',
        ],
        [
          'a budget beyond numeric(14,2)',
          {
            funding: [
              { source: 'A', amount: '999999999999.99' },
              { source: 'B', amount: '0.01' },
            ],
          },
          'funding',
        ],
        ['a carry-over share above 1', { carryOverShare: '1.5' }, 'carryOverShare'],
        ['a carry-over share with 5 decimals', { carryOverShare: '0.12345' }, 'carryOverShare'],
        ['a renewal window of 0 days', { renewalWindowDays: 0 }, 'renewalWindowDays'],
        ['a renewal window of 367 days', { renewalWindowDays: 367 }, 'renewalWindowDays'],
        ['an unknown default plan', { defaultPlanId: '99999' }, 'defaultPlanId'],
        ['a malformed default plan id', { defaultPlanId: 'x' }, 'defaultPlanId'],
        ['a DRAFT default rate table', { defaultRateTableId: 'DRAFT' }, 'defaultRateTableId'],
        [
          'a Money amount with three decimals',
          { funding: [{ source: 'A', amount: '1.001' }] },
          'input.funding[0].amount',
        ],
      ] as [string, Record<string, unknown>, string][]
    ).map(([what, over, field]) => [what, field, over] as const),
  )('refuses %s (field %s) and writes nothing', async (_what, field, over) => {
    const input: Record<string, unknown> = programmeInput({ year: 2040, ...over });
    if (input.defaultRateTableId === 'DRAFT') input.defaultRateTableId = draftTableId;
    await expectRefused(CREATE, input, field);
  });
});

describe('reading programmes', () => {
  it('programme by year or by id', async () => {
    const byYear = await h.gql(ONE, { year: 2019 }, coordinator);
    expect(byYear.errors).toBeUndefined();
    expect(byYear.data!.programme).toMatchObject({
      year: 2019,
      defaultPlan: { code: 'BACKBONE-STD', version: 1 },
    });
    const byId = await h.gql(ONE, { id: byYear.data!.programme.id }, coordinator);
    expect(byId.data!.programme).toEqual(byYear.data!.programme);
  });

  it('programme needs exactly one of id and year; an unknown one is NOT_FOUND', async () => {
    expect((await h.gql(ONE, {}, admin)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect((await h.gql(ONE, { id: '1', year: 2019 }, admin)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect((await h.gql(ONE, { year: 2077 }, admin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('programmes: newest year first, paged with cursors', async () => {
    const all = await h.gql(LIST, {}, coordinator);
    expect(all.errors).toBeUndefined();
    const years = all.data!.programmes.edges.map((e: any) => e.node.year);
    expect(years).toEqual([...years].sort((a, b) => b - a));
    expect(all.data!.programmes.totalCount).toBe(years.length);
    const first = await h.gql(LIST, { page: { first: 2 } }, coordinator);
    expect(first.data!.programmes.pageInfo.hasNextPage).toBe(true);
    const rest = await h.gql(
      LIST,
      { page: { first: 500, after: first.data!.programmes.pageInfo.endCursor } },
      coordinator,
    );
    expect(
      [...first.data!.programmes.edges, ...rest.data!.programmes.edges].map((e: any) => e.node.year),
    ).toEqual(years);
  });

  it('the default rate table itself is for ADMIN and ACTUARY; its id is for every reader', async () => {
    const q = `query { programme(year: 2019) { defaultRateTableId defaultRateTable { code status } } }`;
    const asActuary = await h.gql(q, {}, actuary);
    expect(asActuary.errors).toBeUndefined();
    expect(asActuary.data!.programme.defaultRateTable).toEqual({
      code: 'CN-RURAL-2019',
      status: 'PUBLISHED',
    });
    const asFoundation = await h.gql(q, {}, foundation);
    expect(asFoundation.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const idOnly = await h.gql(`query { programme(year: 2019) { defaultRateTableId } }`, {}, foundation);
    expect(idOnly.data!.programme.defaultRateTableId).toBe(publishedTableId);
  });
});

describe('updateProgrammeBudget', () => {
  it('replaces the sources, budget = exact sum, version moves on, audited from/to', async () => {
    const p = await create({ year: 2021 });
    expect(p.budget).toBe('1500000.30');
    const res = await h.gql(
      BUDGET,
      {
        input: {
          id: p.id,
          version: p.version,
          funding: [
            { source: 'Public fundraising', amount: '1300000.05' }, // kept, new amount
            { source: 'Matching grant', amount: '0.05' }, // new
          ], // Corporate donors dropped
        },
      },
      foundation,
    );
    expect(res.errors).toBeUndefined();
    const updated = res.data!.updateProgrammeBudget.programme;
    expect(updated).toMatchObject({
      budget: '1300000.10',
      funding: [
        { source: 'Public fundraising', amount: '1300000.05' },
        { source: 'Matching grant', amount: '0.05' },
      ],
      version: p.version + 1,
      committedPremium: '0.00',
      budgetLeft: '1300000.10',
    });
    expect(
      await h.sql(`select source, amount from programme_funding where programme_id = $1 order by id`, [p.id]),
    ).toEqual([
      { source: 'Public fundraising', amount: '1300000.05' },
      { source: 'Matching grant', amount: '0.05' },
    ]);
    const audit = await h.sql(
      `select changes from audit_event where entity_type = 'Programme' and entity_id = $1 and action = 'UPDATE_BUDGET'`,
      [p.id],
    );
    expect(audit).toEqual([
      {
        changes: {
          budget: { from: '1500000.30', to: '1300000.10' },
          funding: {
            from: [
              { source: 'Public fundraising', amount: '1200000.10' },
              { source: 'Corporate donors', amount: '300000.20' },
            ],
            to: [
              { source: 'Public fundraising', amount: '1300000.05' },
              { source: 'Matching grant', amount: '0.05' },
            ],
          },
        },
      },
    ]);

    // The same funding again still moves the version on (a write happened, and it is audited).
    const again = await h.gql(
      BUDGET,
      {
        input: {
          id: p.id,
          version: updated.version,
          funding: [{ source: 'Public fundraising', amount: '1300000.10' }],
        },
      },
      admin,
    );
    expect(again.data!.updateProgrammeBudget.programme).toMatchObject({
      budget: '1300000.10',
      version: updated.version + 1,
    });
  });

  it('a stale version is a CONFLICT (STALE_VERSION) and changes nothing', async () => {
    const p = await create({ year: 2022 });
    await h.gql(
      BUDGET,
      { input: { id: p.id, version: p.version, funding: [{ source: 'A', amount: '5.00' }] } },
      admin,
    );
    const before = [
      await count('programme_funding'),
      await count('audit_event', `entity_type = 'Programme'`),
    ];
    const res = await h.gql(
      BUDGET,
      { input: { id: p.id, version: p.version, funding: [{ source: 'B', amount: '7.00' }] } },
      foundation,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
      currentVersion: p.version + 1,
    });
    expect([
      await count('programme_funding'),
      await count('audit_event', `entity_type = 'Programme'`),
    ]).toEqual(before);
    const [row] = await h.sql(`select budget, version from programme where id = $1`, [p.id]);
    expect(row).toEqual({ budget: '5.00', version: p.version + 1 });
  });

  it('concurrent updates from the same version: one wins, the others get STALE_VERSION', async () => {
    const p = await create({ year: 2023 });
    const results = await Promise.all(
      ['10.00', '20.00', '30.00'].map((amount) =>
        h.gql(BUDGET, { input: { id: p.id, version: p.version, funding: [{ source: 'A', amount }] } }, admin),
      ),
    );
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.reason === 'STALE_VERSION')).toHaveLength(2);
    const [row] = await h.sql(`select budget, version from programme where id = $1`, [p.id]);
    expect(row).toEqual({
      budget: winners[0]!.data!.updateProgrammeBudget.programme.budget,
      version: p.version + 1,
    });
  });

  it.each(
    (
      [
        ['a negative amount', [{ source: 'A', amount: '-1.00' }], 'funding[0].amount'],
        [
          'a source twice',
          [
            { source: 'A', amount: '1' },
            { source: 'a', amount: '1' },
          ],
          'funding[1].source',
        ],
        ['an empty source', [{ source: '', amount: '1' }], 'funding[0].source'],
      ] as [string, unknown[], string][]
    ).map(([what, funding, field]) => [what, field, funding] as const),
  )('refuses %s (field %s) and writes nothing', async (_what, field, funding) => {
    const [p] = await h.sql(`select id, version from programme where year = 2019`);
    await expectRefused(BUDGET, { id: String(p!.id), version: p!.version, funding }, field);
  });

  it('an unknown programme is NOT_FOUND', async () => {
    const res = await h.gql(BUDGET, { input: { id: '99999', version: 1, funding: [] } }, admin);
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('updateProgramme', () => {
  it('changes name and defaults, audits the changed fields, clears a default with null', async () => {
    const p = await create({ year: 2024 });
    const res = await h.gql(
      UPDATE,
      {
        input: {
          id: p.id,
          version: p.version,
          name: 'Backbone 2024',
          defaultPlanId: planId,
          defaultRateTableId: publishedTableId,
          carryOverShare: '0.25',
          renewalWindowDays: 120,
        },
      },
      foundation,
    );
    expect(res.errors).toBeUndefined();
    const updated = res.data!.updateProgramme.programme;
    expect(updated).toMatchObject({
      name: 'Backbone 2024',
      defaultPlanId: planId,
      defaultRateTableId: publishedTableId,
      carryOverShare: '0.2500',
      renewalWindowDays: 120,
      budget: '1500000.30',
      version: p.version + 1,
    });
    const cleared = await h.gql(
      UPDATE,
      { input: { id: p.id, version: updated.version, defaultPlanId: null } },
      admin,
    );
    expect(cleared.errors).toBeUndefined();
    expect(cleared.data!.updateProgramme.programme).toMatchObject({
      defaultPlanId: null,
      defaultRateTableId: publishedTableId, // omitted: unchanged
      name: 'Backbone 2024',
      version: p.version + 2,
    });
    const audit = await h.sql(
      `select changes from audit_event where entity_type = 'Programme' and entity_id = $1 and action = 'UPDATE' order by id`,
      [p.id],
    );
    expect(audit.map((a) => a.changes)).toEqual([
      {
        name: { from: 'Backbone 2020', to: 'Backbone 2024' },
        defaultPlanId: { from: null, to: Number(planId) },
        defaultRateTableId: { from: null, to: Number(publishedTableId) },
        carryOverShare: { from: '0.0000', to: '0.2500' },
        renewalWindowDays: { from: 90, to: 120 },
      },
      { defaultPlanId: { from: Number(planId), to: null } },
    ]);
  });

  it('a stale version is a CONFLICT (STALE_VERSION) and changes nothing', async () => {
    const [p] = await h.sql(`select id, version, name from programme where year = 2024`);
    const events = await count('audit_event', `entity_type = 'Programme'`);
    const res = await h.gql(
      UPDATE,
      { input: { id: String(p!.id), version: p!.version - 1, name: 'Stale' } },
      admin,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'STALE_VERSION' });
    expect((await h.sql(`select name, version from programme where id = $1`, [p!.id]))[0]).toEqual({
      name: p!.name,
      version: p!.version,
    });
    expect(await count('audit_event', `entity_type = 'Programme'`)).toBe(events);
  });

  it.each(
    (
      [
        ['an empty name', { name: '' }, 'name'],
        ['a carry-over share below 0', { carryOverShare: '-0.1' }, 'carryOverShare'],
        ['a renewal window of 400 days', { renewalWindowDays: 400 }, 'renewalWindowDays'],
        ['an unknown plan', { defaultPlanId: '424242' }, 'defaultPlanId'],
        ['a DRAFT rate table', { defaultRateTableId: 'DRAFT' }, 'defaultRateTableId'],
      ] as [string, Record<string, unknown>, string][]
    ).map(([what, over, field]) => [what, field, over] as const),
  )('refuses %s (field %s) and writes nothing', async (_what, field, over) => {
    const [p] = await h.sql(`select id, version from programme where year = 2024`);
    const input: Record<string, unknown> = { id: String(p!.id), version: p!.version, ...over };
    if (input.defaultRateTableId === 'DRAFT') input.defaultRateTableId = draftTableId;
    await expectRefused(UPDATE, input, field);
    expect((await h.sql(`select version from programme where id = $1`, [p!.id]))[0]!.version).toBe(
      p!.version,
    );
  });
});

describe('derived figures', () => {
  let programmeId: number;
  const contractIds: Record<string, number> = {};

  beforeAll(async () => {
    const p = await create({
      year: 2025,
      funding: [{ source: 'Public fundraising', amount: '1000000.00' }],
      defaultPlanId: planId,
    });
    programmeId = Number(p.id);
    // Contracts in every state (the contracts module writes these; here they are set up directly).
    const rows: [string, string, string | null, string, string][] = [
      // county, status, total_premium, endorsement_premium, carry_over_credit
      ['513432', 'APPROVED', '300000.10', '0.00', '0.00'],
      ['520521', 'ACTIVE', '200000.00', '-1500.25', '10000.00'],
      ['522631', 'EXPIRED', '100000.00', '250.00', '0.00'],
      ['532624', 'DRAFT', null, '0.00', '0.00'],
      ['532627', 'QUOTED', '99999.00', '0.00', '0.00'],
      ['421122', 'CANCELLED', '88888.00', '0.00', '0.00'],
    ];
    for (const [county, status, total, endorsement, credit] of rows) {
      const [row] = await h.sql<{ id: number }>(
        `insert into county_contract (county_code, programme_id, programme_year, plan_id, period_start, period_end,
           total_premium, endorsement_premium, carry_over_credit, status)
         values ($1, $2, 2025, $3, '2025-01-01', '2025-12-31', $4, $5, $6, $7) returning id`,
        [county, programmeId, Number(planId), total, endorsement, credit, status],
      );
      contractIds[status] = row!.id;
    }
    // Claims: two PAID of 2025, one APPROVED of 2025 (not paid yet), one PAID of another year.
    const [insured] = await h.sql<{ id: number }>(
      `insert into insured (id_hash, id_ciphertext, id_key_id, id_masked, name, gender, birth_date, household_id,
         county_code, id_region, registered_poor)
       values ('\\x01', 'c', 'k1', '5134***********12X', 'Test Person', 'F', '1980-01-01', 'H1', '513432', '513432', true)
       returning id`,
    );
    const claims: [string, number, string, string][] = [
      ['CLM-1', 2025, 'PAID', '1234.56'],
      ['CLM-2', 2025, 'PAID', '20617.60'],
      ['CLM-3', 2025, 'APPROVED', '500.00'],
      ['CLM-4', 2019, 'PAID', '777.00'],
    ];
    for (const [number, year, status, payable] of claims) {
      await h.sql(
        `insert into claim (claim_number, insured_id, county_code, programme_year, status, flags, missing_documents,
           admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers,
           total_cost, basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop,
           payable, rule_trace, idempotency_key, submitted_by_token_id, submitted_at)
         values ($1, $2, '513432', $3, $4, '{}', '{}', '2025-03-01', '2025-03-05', 'Xide County Hospital', 'COUNTY', 'J18',
           '{}', 0, 0, 0, 0, 0, 0, $5, '[]', $1, 1, now())`,
        [number, insured!.id, year, status, payable],
      );
    }
  });

  it('committedPremium = Σ (total + endorsement − carry-over) of APPROVED, ACTIVE and EXPIRED contracts', async () => {
    // 300000.10 + (200000.00 − 1500.25 − 10000.00) + (100000.00 + 250.00) = 588749.85
    const res = await h.gql(ONE, { year: 2025 }, foundation);
    expect(res.errors).toBeUndefined();
    expect(res.data!.programme).toMatchObject({
      budget: '1000000.00',
      committedPremium: '588749.85',
      budgetLeft: '411250.15',
      surplus: '411250.15',
      claimsPaid: '21852.16',
    });
    const earlier = await h.gql(ONE, { year: 2019 }, foundation);
    expect(earlier.data!.programme).toMatchObject({
      committedPremium: '0.00',
      claimsPaid: '777.00',
      budgetLeft: '3000000.00',
    });
  });

  it('the service method for the approval check, with and without the contract being approved', async () => {
    const svc = h.rt.services.programmes;
    expect(await svc.committedPremium(h.em(), programmeId)).toBe('588749.85');
    expect(await svc.committedPremium(h.em(), programmeId, { excludeContractId: contractIds.APPROVED })).toBe(
      '288749.75',
    );
    expect(await svc.committedPremium(h.em(), programmeId, { excludeContractId: contractIds.DRAFT })).toBe(
      '588749.85',
    );
    expect(await svc.committedPremium(h.em(), 99999)).toBe('0.00');
    // Inside a transaction it sees the transaction's own writes.
    await h
      .em()
      .transactional(async (tx) => {
        await tx
          .getConnection()
          .execute(
            `update county_contract set status = 'APPROVED', total_premium = 1000 where id = ?`,
            [contractIds.QUOTED],
            'run',
            tx.getTransactionContext(),
          );
        expect(await svc.committedPremium(tx, programmeId)).toBe('589749.85');
        throw new Error('roll back');
      })
      .catch((e: Error) => expect(e.message).toBe('roll back'));
    expect(await svc.committedPremium(h.em(), programmeId)).toBe('588749.85');
  });

  it('loads the figures of a whole page in a constant number of statements (no N+1)', async () => {
    const connection = h.rt.orm.em.getConnection();
    const statements = async (first: number) => {
      const spy = jest.spyOn(connection, 'execute');
      try {
        const res = await h.gql(LIST, { page: { first } }, foundation);
        expect(res.errors).toBeUndefined();
        const nodes = res.data!.programmes.edges.map((e: any) => e.node);
        return {
          calls: spy.mock.calls.length,
          nodes: nodes.length,
          withPlan: nodes.filter((n: any) => n.defaultPlan).length,
        };
      } finally {
        spy.mockRestore();
      }
    };
    // Newest first: 2091, 2090, 2030, 2025 (with a default plan), … 2019 (with a default plan).
    const few = await statements(4);
    const all = await statements(500);
    expect(few).toMatchObject({ nodes: 4, withPlan: 1 });
    expect(all.nodes).toBeGreaterThanOrEqual(9);
    expect(all.withPlan).toBeGreaterThanOrEqual(2);
    expect(all.calls).toBe(few.calls);
    const many = all.calls;
    expect(many).toBeLessThanOrEqual(7);
  });
});
