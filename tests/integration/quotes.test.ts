import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';
import { createDefaults, createPricedProgramme } from '../factories/pricing';
import { enrollPeople } from '../factories/people';
import { contractVersion } from '../factories/contracts';
import type { BenefitPlan } from '../../src/modules/pricing/benefit-plan.entity';
import type { RateTable } from '../../src/modules/pricing/rate-table.entity';
import type { CountyContract } from '../../src/modules/contracts/county-contract.entity';

let h: Harness;
let actuary: string;
let defaults: { plan: BenefitPlan; table: RateTable };
/** Programme 2020 (calendar-year coverage, as in the spec's sanity figures), a contract per demo county. */
const c2020: Record<string, CountyContract> = {};

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  defaults = await createDefaults(h);
  actuary = await h.token(Role.ACTUARY);
  const codes = ['513432', '520521', '421122', '420529', '420527'];
  const { contracts } = await createPricedProgramme(
    h,
    2020,
    codes.map((code) => ({ code, headCount: 10000 })),
    defaults,
  );
  for (const c of contracts) c2020[c.county.code] = c;
});
afterAll(async () => h?.close());

const PREVIEW = `query($input: PreviewQuoteInput!) { previewQuote(input: $input) {
  id insuredCount perCapitaPremium totalPremium inputHash rateTableLabel planLabel
  breakdown { populationSource areaFactor tau delta capPoint manualPurePremium credibility grossBeforeFloor floorApplied
    clamp { lower } expectedClaimCount expectedClaimsCost minPremium
    cells { band gender count frequency expectedPayment purePremium } bands { band mu trendedMu expectedPayment } } } }`;
const QUOTE = `mutation($input: QuoteContractInput!) { quoteContract(input: $input) { created quote { id perCapitaPremium totalPremium inputHash } } }`;

let year = 2030;
async function contractIn(code: string, headCount: number | null = 10000) {
  const { contracts } = await createPricedProgramme(h, (year += 1), [{ code, headCount }], defaults);
  return contracts[0]!;
}

describe('previewQuote', () => {
  it('prices the spec sanity figures for Sichuan, Guizhou and Hubei and saves nothing', async () => {
    // Same period as the spec (a calendar year); the programme year differs only in its label.
    const expected: Record<string, string> = { '513432': '30.31', '520521': '28.79', '421122': '31.82' };
    for (const c of Object.keys(expected).map((code) => c2020[code]!)) {
      const res = await h.gql(PREVIEW, { input: { contractId: String(c.id) } }, actuary);
      expect(res.errors).toBeUndefined();
      const q = res.data!.previewQuote;
      expect(q.id).toBeNull();
      expect(q.perCapitaPremium).toBe(expected[c.county.code]);
      expect(q.totalPremium).toBe((Number(expected[c.county.code]) * 10000).toFixed(2));
      expect(q.insuredCount).toBe(10000);
      expect(q.rateTableLabel).toBe('CN-RURAL-2019 v1');
      expect(q.breakdown.populationSource).toBe('DEFAULT_MIX');
      expect(q.breakdown.cells.reduce((s: number, x: any) => s + x.count, 0)).toBe(10000);
      expect(q.breakdown.tau).toBeCloseTo(1.0602538593357647, 12);
      expect(q.breakdown.capPoint).toBeCloseTo(57333.333333, 5);
      expect(q.breakdown.bands[0].expectedPayment).toBeCloseTo(1003.0705, 3);
      expect(q.breakdown.floorApplied).toBe(false);
      expect(q.breakdown.clamp).toBeNull();
      expect(q.breakdown.credibility).toBe(0);
    }
    expect(await h.sql('select * from quote')).toHaveLength(0);
    const statuses = await h.sql(`select distinct status from county_contract where programme_year = 2020`);
    expect(statuses).toEqual([{ status: 'DRAFT' }]);
  });

  it('counts the roster with one GROUP BY, by age at coverage start', async () => {
    const c = await contractIn('513432', null);
    const start = c.periodStart; // YYYY-01-01
    const y = Number(start.slice(0, 4));
    await enrollPeople(
      h,
      {
        id: c.id,
        programmeYear: c.programmeYear,
        countyCode: '513432',
        periodStart: c.periodStart,
        periodEnd: c.periodEnd,
      },
      [
        { countyCode: '513432', birthDate: `${y - 30}-01-01`, gender: 'F' }, // 30 on the start day → 30-39
        { countyCode: '513432', birthDate: `${y - 30}-01-02`, gender: 'F' }, // 29 → 18-29
        { countyCode: '513432', birthDate: `${y - 60}-01-01`, gender: 'M' }, // 60 → 50-60
        { countyCode: '513432', birthDate: `${y - 61}-01-01`, gender: 'M' }, // 61: outside the bands, not priced
        { countyCode: '513432', birthDate: `${y - 18}-01-01`, gender: 'M' }, // 18 → 18-29
      ],
    );
    const res = await h.gql(PREVIEW, { input: { contractId: String(c.id) } }, actuary);
    expect(res.errors).toBeUndefined();
    const q = res.data!.previewQuote;
    expect(q.breakdown.populationSource).toBe('ROSTER');
    const count = (band: string, gender: string) =>
      q.breakdown.cells.find((x: any) => x.band === band && x.gender === gender).count;
    expect(count('30-39', 'F')).toBe(1);
    expect(count('18-29', 'F')).toBe(1);
    expect(count('50-60', 'M')).toBe(1);
    expect(count('18-29', 'M')).toBe(1);
    expect(q.insuredCount).toBe(4);
  });

  it('asks for a head count when there is no roster', async () => {
    const c = await contractIn('513432', null);
    const res = await h.gql(PREVIEW, { input: { contractId: String(c.id) } }, actuary);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'declaredHeadCount' });
  });
});

describe('quoteContract', () => {
  it('saves an immutable quote with its snapshot, moves DRAFT → QUOTED, and returns the same quote for identical inputs', async () => {
    const c = c2020['520521']!;
    const version = await contractVersion(h, c.id);
    const first = await h.gql(QUOTE, { input: { contractId: String(c.id), version } }, actuary);
    expect(first.errors).toBeUndefined();
    expect(first.data!.quoteContract.created).toBe(true);
    expect(first.data!.quoteContract.quote.perCapitaPremium).toBe('28.79');
    const [row] = await h.sql(`select status, version from county_contract where id = $1`, [c.id]);
    expect(row!.status).toBe('QUOTED');
    const [stored] = await h.sql(
      `select inputs, breakdown, per_capita_premium from quote where contract_id = $1`,
      [c.id],
    );
    expect(stored!.inputs.rateTable.basis.frequency['18-29'].F).toBe(0.014);
    expect(stored!.inputs.plan.terms.annualCap).toBe(30000);
    expect(stored!.breakdown.perCapitaPremium).toBe('28.79');
    const audit = await h.sql(
      `select action, from_state, to_state from audit_event where entity_type = 'CountyContract' and entity_id = $1`,
      [String(c.id)],
    );
    expect(audit).toEqual([{ action: 'QUOTE', from_state: 'DRAFT', to_state: 'QUOTED' }]);

    const again = await h.gql(QUOTE, { input: { contractId: String(c.id), version: row!.version } }, actuary);
    expect(again.data!.quoteContract).toEqual({ created: false, quote: first.data!.quoteContract.quote });
    expect(await h.sql(`select id from quote where contract_id = $1`, [c.id])).toHaveLength(1);
  });

  it('re-quotes in QUOTED when inputs change, and approval accepts the newest', async () => {
    const c = c2020['421122']!;
    let version = await contractVersion(h, c.id);
    const q1 = await h.gql(QUOTE, { input: { contractId: String(c.id), version } }, actuary);
    version = await contractVersion(h, c.id);
    const foundation = await h.token(Role.FOUNDATION);
    const upd = await h.gql(
      `mutation($input: UpdateContractInput!) { updateContract(input: $input) { contract { version } } }`,
      { input: { id: String(c.id), version, declaredHeadCount: 2000 } },
      foundation,
    );
    expect(upd.errors).toBeUndefined();
    version = upd.data!.updateContract.contract.version;
    const q2 = await h.gql(QUOTE, { input: { contractId: String(c.id), version } }, actuary);
    expect(q2.data!.quoteContract.created).toBe(true);
    expect(q2.data!.quoteContract.quote.id).not.toBe(q1.data!.quoteContract.quote.id);
    expect(q2.data!.quoteContract.quote.totalPremium).toBe('63640.00');
    version = await contractVersion(h, c.id);
    const approved = await h.gql(
      `mutation($input: ApproveContractInput!) { approveContract(input: $input) { contract { status acceptedQuoteId totalPremium } } }`,
      { input: { id: String(c.id), version } },
      foundation,
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveContract.contract).toEqual({
      status: 'APPROVED',
      acceptedQuoteId: q2.data!.quoteContract.quote.id,
      totalPremium: '63640.00',
    });
    const late = await h.gql(
      QUOTE,
      { input: { contractId: String(c.id), version: await contractVersion(h, c.id) } },
      actuary,
    );
    expect(late.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    expect(late.errors?.[0]?.message).toContain('APPROVED');
  });

  it('refuses a stale version and a DRAFT rate table', async () => {
    const c = await contractIn('532624');
    const stale = await h.gql(QUOTE, { input: { contractId: String(c.id), version: 999 } }, actuary);
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'STALE_VERSION' });
    await h.sql(`update rate_table set status = 'DRAFT' where id = $1`, [defaults.table.id]);
    try {
      const draft = await h.gql(
        QUOTE,
        { input: { contractId: String(c.id), version: await contractVersion(h, c.id) } },
        actuary,
      );
      expect(draft.errors?.[0]?.extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'RATE_TABLE_NOT_PUBLISHED',
      });
      // A preview may still use it: actuaries try draft tables before publishing.
      const preview = await h.gql(PREVIEW, { input: { contractId: String(c.id) } }, actuary);
      expect(preview.errors).toBeUndefined();
    } finally {
      await h.sql(`update rate_table set status = 'PUBLISHED' where id = $1`, [defaults.table.id]);
    }
    expect(await h.sql(`select id from quote where contract_id = $1`, [c.id])).toHaveLength(0);
  });

  it('checks roles: ACTUARY and ADMIN quote, FOUNDATION reads quotes', async () => {
    const c = await contractIn('532627');
    await expectRoles(h, PREVIEW, { input: { contractId: String(c.id) } }, [Role.ADMIN, Role.ACTUARY]);
    await expectRoles(h, QUOTE, { input: { contractId: String(c.id), version: 1 } }, [
      Role.ADMIN,
      Role.ACTUARY,
    ]);
    const res = await h.gql(
      QUOTE,
      { input: { contractId: String(c.id), version: await contractVersion(h, c.id) } },
      actuary,
    );
    const id = res.data!.quoteContract.quote.id;
    await expectRoles(h, `query($id: ID!) { quote(id: $id) { id } }`, { id }, [
      Role.ADMIN,
      Role.ACTUARY,
      Role.FOUNDATION,
    ]);
    await expectRoles(h, `query($id: ID!) { contractQuotes(contractId: $id) { id } }`, { id: String(c.id) }, [
      Role.ADMIN,
      Role.ACTUARY,
      Role.FOUNDATION,
    ]);
  });
});

describe('simulatePlans', () => {
  const SIM = `query($id: ID!, $plans: [PlanProposalInput!]!) { simulatePlans(contractId: $id, plans: $plans) {
    label quote { perCapitaPremium totalPremium id } replay { programmeYear people claims benefit lossRatio peopleAtCap note } } }`;

  it('prices each plan and replays last year’s approved claims per person with the annual benefit function', async () => {
    const prevYear = 2019;
    const {
      contracts: [prev],
    } = await createPricedProgramme(h, prevYear, [{ code: '420529', headCount: 100 }], defaults);
    const cur = c2020['420529'];
    await h.sql(
      `update county_contract set status = 'EXPIRED', insured_count = 100, per_capita_premium = 30, total_premium = 3000 where id = $1`,
      [prev!.id],
    );
    const people = await enrollPeople(
      h,
      {
        id: prev!.id,
        programmeYear: prevYear,
        countyCode: '420529',
        periodStart: prev!.periodStart,
        periodEnd: prev!.periodEnd,
      },
      [
        { countyCode: '420529', birthDate: '1980-05-05', gender: 'F' },
        { countyCode: '420529', birthDate: '1975-05-05', gender: 'M' },
        { countyCode: '420529', birthDate: '1970-05-05', gender: 'M' },
      ],
    );
    const claim = (i: number, p: (typeof people)[number], x: string, status = 'APPROVED') =>
      h.sql(
        `insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status, flags, missing_documents,
           admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers, total_cost,
           basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop, rule_trace,
           idempotency_key, submitted_by_token_id, submitted_at)
         values ($1, $2, $3, $4, '420529', $5, $6, '{}', '{}', $7, $7, 'H', 'COUNTY', 'A87.9', '{}', $8, 0, 0, 0, 0, $8, '[]', $1, 1, now())`,
        [
          `CLM-SIM-${prevYear}-${i}`,
          p.insuredId,
          p.coverageId,
          prev!.id,
          prevYear,
          status,
          `${prevYear}-06-0${i}`,
          x,
        ],
      );
    await claim(1, people[0]!, '41696.00'); // the 2019 story: P = 20,617.60
    await claim(2, people[1]!, '20000.00');
    await claim(3, people[1]!, '25000.00', 'PAID'); // year total 45,000: P = 3,600 + 10,000 + 9,000 = 22,600
    await claim(4, people[2]!, '80000.00'); // past the cap: 30,000
    await claim(5, people[2]!, '5000.00', 'REJECTED'); // not counted
    const res = await h.gql(
      SIM,
      {
        id: String(cur!.id),
        plans: [
          { label: 'standard', planId: String(defaults.plan.id) },
          {
            label: 'richer',
            terms: {
              deductible: '500.00',
              tiers: [
                { upTo: '10000.00', ratio: 0.5 },
                { upTo: null, ratio: 0.7 },
              ],
              annualCap: '50000.00',
            },
          },
        ],
      },
      actuary,
    );
    expect(res.errors).toBeUndefined();
    const [std, rich] = res.data!.simulatePlans;
    expect(std.label).toBe('standard');
    expect(std.quote.id).toBeNull();
    expect(std.replay).toMatchObject({
      programmeYear: prevYear,
      people: 3,
      claims: 4,
      benefit: '73217.60',
      peopleAtCap: 1,
      note: null,
    });
    // loss ratio = benefit ÷ (this plan's per-capita × last year's 100 insured)
    expect(std.replay.lossRatio).toBeCloseTo(73217.6 / (Number(std.quote.perCapitaPremium) * 100), 6);
    // richer: P(41,696) = 4,750 + 22,187.20; P(45,000) = 4,750 + 24,500; P(85,000) = min(50,000, 4,750 + 52,500)
    expect(rich.replay).toMatchObject({ benefit: '106187.20', peopleAtCap: 1 });
    expect(Number(rich.quote.perCapitaPremium)).toBeGreaterThan(Number(std.quote.perCapitaPremium));
    expect(await h.sql('select id from quote where contract_id = $1', [cur!.id])).toHaveLength(0);
  });

  it('returns the premium side and an empty replay when the county has no complete year', async () => {
    const c = c2020['420527']!;
    const res = await h.gql(
      SIM,
      { id: String(c.id), plans: [{ label: 'std', planId: String(defaults.plan.id) }] },
      actuary,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.simulatePlans[0].replay).toMatchObject({
      programmeYear: null,
      people: 0,
      benefit: '0.00',
      note: 'no complete previous year for this county',
    });
    expect(res.data!.simulatePlans[0].quote.perCapitaPremium).toBe('31.82');
  });

  it('refuses a bad proposed plan with the field', async () => {
    const c = await contractIn('420322');
    const res = await h.gql(
      SIM,
      {
        id: String(c.id),
        plans: [
          {
            label: 'bad',
            terms: { deductible: '0.00', tiers: [{ upTo: null, ratio: 1.5 }], annualCap: '100.00' },
          },
        ],
      },
      actuary,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'plans[0].terms.tiers[0].ratio',
    });
  });
});

describe('quoteProgramme job', () => {
  it('quotes every DRAFT/QUOTED contract of a year in a worker, reports each county, and a re-run writes nothing new', async () => {
    const { startWorkers } = await import('../../jobs/worker');
    const { waitForJob } = await import('../helpers/jobs');
    const y = 2040;
    const { contracts } = await createPricedProgramme(
      h,
      y,
      [
        { code: '513432', headCount: 500 },
        { code: '520521', headCount: 800 },
        { code: '532624', headCount: null }, // no roster, no head count: reported, not fatal
      ],
      defaults,
    );
    const workers = await startWorkers(h.rt, { queues: ['pricing'] });
    try {
      const start = `mutation($input: QuoteProgrammeInput!) { quoteProgramme(input: $input) { job { id state } } }`;
      const res = await h.gql(start, { input: { year: y } }, actuary);
      expect(res.errors).toBeUndefined();
      const done = await waitForJob(h, actuary, res.data!.quoteProgramme.job.id);
      expect(done.state).toBe('COMPLETED');
      expect(done.progress.percent).toBe(100);
      expect(done.result).toMatchObject({ year: y, contracts: 3, quoted: 2, unchanged: 0, failed: 1 });
      const byCounty = Object.fromEntries(done.result.counties.map((c: any) => [c.countyCode, c]));
      expect(byCounty['513432'].outcome).toBe('QUOTED');
      expect(byCounty['513432'].insuredCount).toBe(500);
      expect(byCounty['532624']).toMatchObject({ outcome: 'FAILED' });
      expect(byCounty['532624'].reason).toContain('declaredHeadCount');
      const statuses = await h.sql(
        `select county_code, status from county_contract where programme_year = $1 order by county_code`,
        [y],
      );
      expect(Object.fromEntries(statuses.map((r) => [r.county_code, r.status]))).toEqual({
        '513432': 'QUOTED',
        '520521': 'QUOTED',
        '532624': 'DRAFT',
      });
      expect(contracts).toHaveLength(3);

      const again = await h.gql(start, { input: { year: y } }, actuary);
      const second = await waitForJob(h, actuary, again.data!.quoteProgramme.job.id);
      expect(second.result).toMatchObject({ contracts: 3, quoted: 0, unchanged: 2, failed: 1 });
      const quotes = await h.sql(
        `select q.id from quote q join county_contract c on c.id = q.contract_id where c.programme_year = $1`,
        [y],
      );
      expect(quotes).toHaveLength(2);
    } finally {
      await workers.close();
    }
  });

  it('refuses an unknown year and non-actuaries', async () => {
    const start = `mutation($input: QuoteProgrammeInput!) { quoteProgramme(input: $input) { job { id } } }`;
    const res = await h.gql(start, { input: { year: 2099 } }, actuary);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.year' });
    await expectRoles(h, start, { input: { year: 2099 } }, [Role.ADMIN, Role.ACTUARY]);
  });
});
