import { seedDemo } from '../../src/seed';
import { BASE_STEPS, DEMO_DECLARED_HEAD_COUNTS, DEMO_STEPS } from '../../src/seed/demo';
import { referenceDataDir } from '../../src/seed/reference-data';
import { startHarness, type Harness } from '../helpers/harness';

/** Every table the demo seed writes, with a stable order for comparing snapshots. */
const TABLES: Record<string, string> = {
  county: 'code',
  calendar_day: 'date',
  benefit_plan: 'id',
  rate_table: 'id',
  programme: 'id',
  programme_funding: 'id',
  county_contract: 'id',
  audit_event: 'id',
};

async function snapshot(h: Harness): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(TABLES)) {
    out[table] = await h.sql(`select * from ${table} order by ${order}`);
  }
  return out;
}

describe('demo seed', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ http: false });
  });

  afterAll(async () => {
    await h.close();
  });

  test('seeding a fresh database writes exactly the demo rows', async () => {
    const result = await seedDemo(h.em(), {
      audit: h.rt.services.audit,
      now: () => h.clock.now(),
      steps: BASE_STEPS,
    });
    expect(result).toEqual({
      seeded: true,
      steps: {
        'reference-data': { counties: 10, calendarDays: 111 },
        'pricing-defaults': { benefitPlans: 1, rateTables: 1 },
        'programme-2020': { programmes: 1, fundingSources: 2, contracts: 10 },
      },
    });

    const counts = await h.sql<{ t: string; n: number }>(
      Object.keys(TABLES)
        .map((t) => `select '${t}' as t, count(*)::int as n from ${t}`)
        .join(' union all '),
    );
    expect(Object.fromEntries(counts.map((c) => [c.t, c.n]))).toEqual({
      county: 10,
      calendar_day: 111,
      benefit_plan: 1,
      rate_table: 1,
      programme: 1,
      programme_funding: 2,
      county_contract: 10,
      audit_event: 13, // plan, rate table, programme, ten contracts
    });

    const [plan] = await h.sql(
      `select code, version, deductible::text, tiers, annual_cap::text, hospital_levels, min_age, max_age,
              filing_window_days, auto_approve_limit::text, review_threshold::text, required_documents, locked_at
         from benefit_plan`,
    );
    expect(plan).toEqual({
      code: 'BACKBONE-STD',
      version: 1,
      deductible: '1000.00',
      tiers: [
        { upTo: '10000.00', ratio: '0.40' },
        { upTo: '30000.00', ratio: '0.50' },
        { upTo: null, ratio: '0.60' },
      ],
      annual_cap: '30000.00',
      hospital_levels: ['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL', 'PRIVATE'],
      min_age: 18,
      max_age: 60,
      filing_window_days: 365,
      auto_approve_limit: '10000.00',
      review_threshold: '100000.00',
      required_documents: ['INVOICE', 'DISCHARGE_SUMMARY'],
      locked_at: null,
    });

    const [table] = await h.sql(
      `select code, version, status, base_date::text, frequency, severity, area_factors, annual_trend,
              expense_loading, risk_margin, min_premium::text, full_credibility_claims, max_rate_change,
              published_at is not null as published
         from rate_table`,
    );
    expect(table).toEqual({
      code: 'CN-RURAL-2019',
      version: 1,
      status: 'PUBLISHED',
      base_date: '2019-07-01',
      frequency: {
        '18-29': { F: 0.014, M: 0.01 },
        '30-39': { F: 0.016, M: 0.014 },
        '40-49': { F: 0.02, M: 0.02 },
        '50-60': { F: 0.028, M: 0.032 },
      },
      severity: {
        '18-29': { mu: 7.3, sigma: 1.2 },
        '30-39': { mu: 7.4, sigma: 1.2 },
        '40-49': { mu: 7.5, sigma: 1.2 },
        '50-60': { mu: 7.6, sigma: 1.2 },
      },
      area_factors: { '51': 1, '52': 0.95, '53': 0.95, '42': 1.05 },
      annual_trend: 0.06,
      expense_loading: 0.08,
      risk_margin: 0.04,
      min_premium: '20.00',
      full_credibility_claims: 3000,
      max_rate_change: 0.25,
      published: true,
    });

    const [programme] = await h.sql(
      `select p.year, p.budget::text, bp.code as plan, rt.code as rate_table
         from programme p join benefit_plan bp on bp.id = p.default_plan_id
         join rate_table rt on rt.id = p.default_rate_table_id`,
    );
    expect(programme).toEqual({
      year: 2020,
      budget: '105426700.00',
      plan: 'BACKBONE-STD',
      rate_table: 'CN-RURAL-2019',
    });
    const funding = await h.sql(`select source, amount::text from programme_funding order by amount desc`);
    expect(funding).toEqual([
      { source: 'public fundraising', amount: '99707300.00' },
      { source: 'other income', amount: '5719400.00' },
    ]);

    const contracts = await h.sql<{ county_code: string; declared_head_count: number }>(
      `select c.county_code, c.status, c.programme_year, c.period_start::text, c.period_end::text,
              c.declared_head_count, c.insured_count, c.total_premium, bp.code as plan, rt.code as rate_table
         from county_contract c join benefit_plan bp on bp.id = c.plan_id join rate_table rt on rt.id = c.rate_table_id
        order by c.county_code`,
    );
    expect(contracts.map((c) => c.county_code)).toEqual(
      (await h.sql(`select code from county order by code`)).map((c) => c.code),
    );
    for (const c of contracts) {
      expect(c).toEqual({
        county_code: c.county_code,
        status: 'DRAFT',
        programme_year: 2020,
        period_start: '2020-01-01',
        period_end: '2020-12-31',
        declared_head_count: DEMO_DECLARED_HEAD_COUNTS[c.county_code],
        insured_count: null,
        total_premium: null,
        plan: 'BACKBONE-STD',
        rate_table: 'CN-RURAL-2019',
      });
      expect(c.declared_head_count).toBeGreaterThanOrEqual(30_000);
      expect(c.declared_head_count).toBeLessThanOrEqual(90_000);
    }

    const audits = await h.sql(
      `select entity_type, action, actor_role, actor_token_id, to_state, count(*)::int as n
         from audit_event group by 1, 2, 3, 4, 5 order by 1`,
    );
    expect(audits).toEqual([
      {
        entity_type: 'BenefitPlan',
        action: 'CREATE',
        actor_role: 'SYSTEM',
        actor_token_id: null,
        to_state: null,
        n: 1,
      },
      {
        entity_type: 'CountyContract',
        action: 'CREATE',
        actor_role: 'SYSTEM',
        actor_token_id: null,
        to_state: 'DRAFT',
        n: 10,
      },
      {
        entity_type: 'Programme',
        action: 'CREATE',
        actor_role: 'SYSTEM',
        actor_token_id: null,
        to_state: null,
        n: 1,
      },
      {
        entity_type: 'RateTable',
        action: 'PUBLISH',
        actor_role: 'SYSTEM',
        actor_token_id: null,
        to_state: 'PUBLISHED',
        n: 1,
      },
    ]);
    // Each contract's audit event names it.
    const unaudited = await h.sql(
      `select c.id from county_contract c
        where not exists (select 1 from audit_event a where a.entity_type = 'CountyContract' and a.entity_id = c.id::text)`,
    );
    expect(unaudited).toEqual([]);
  });

  test('seeding again changes nothing', async () => {
    const before = await snapshot(h);
    expect(await seedDemo(h.em(), { audit: h.rt.services.audit })).toEqual({ seeded: false, steps: {} });
    expect(await snapshot(h)).toEqual(before);
  });

  test('each step is idempotent on its own (a step that failed half-way is simply run again)', async () => {
    const before = await snapshot(h);
    const ctx = { dataDir: referenceDataDir(), audit: h.rt.services.audit, now: () => h.clock.now() };
    // The roster and claims steps have their own tests (roster-import-seed); they need the
    // PII keys of a running system, which npm start provides.
    for (const step of BASE_STEPS) {
      await step.run(h.em(), ctx);
    }
    expect(DEMO_STEPS.slice(0, BASE_STEPS.length)).toEqual(BASE_STEPS);
    expect(await snapshot(h)).toEqual(before);
  });
});
