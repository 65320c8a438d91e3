import { spawn } from 'node:child_process';
import type { Job } from 'bullmq';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { waitForJob } from '../helpers/jobs';
import { seedReferenceData } from '../factories/reference';
import { createDefaults, createPricedProgramme } from '../factories/pricing';
import { enrollPeople, TEST_ENC_KEY, TEST_HMAC_KEY, type PersonSpec } from '../factories/people';
import { startWorkers } from '../../jobs/worker';
import { execRenewalWindow } from '../../jobs/processors/renewals';
import type { BenefitPlan } from '../../src/modules/pricing/benefit-plan.entity';
import type { RateTable } from '../../src/modules/pricing/rate-table.entity';
import type { CountyContract } from '../../src/modules/contracts/county-contract.entity';
import type { Actor } from '../../src/modules/auth/actor';
import { money } from '../../src/shared/money';

let h: Harness;
let foundation: string;
let defaults: { plan: BenefitPlan; table: RateTable };
const ADMIN: Actor = { tokenId: null, role: Role.ADMIN, countyCodes: [], provinceCodes: [] };

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  defaults = await createDefaults(h);
  foundation = await h.token(Role.FOUNDATION);
});
afterAll(async () => h?.close());

const START = `mutation($input: StartRenewalRunInput!) { startRenewalRun(input: $input) { run { id fromYear toYear status } job { id state } } }`;
const RUN = `query($id: ID!) { renewalRun(id: $id) { id fromYear toYear trigger status failureReason jobId
  summary { contracts renewed skipped failed carried added dropped { TERMINATED NOT_REGISTERED_POOR AGED_OUT COVERED_ELSEWHERE }
            oldTotalPremium newTotalPremium carryOverCredit }
  counties { countyCode outcome reason predecessorContractId successorContractId quoteId carried added
    dropped { TERMINATED NOT_REGISTERED_POOR AGED_OUT COVERED_ELSEWHERE } oldPerCapitaPremium newPerCapitaPremium rateChange
    credibility claimCount incurred ibnr exposure experienceNote earnedPremium surplus carryOverCredit } } }`;
const PIPELINE = `query($year: Int!) { renewalPipeline(year: $year) { year inTalks rosterReceived sentForPricing quoted approved active cancelled
  now { IN_TALKS ROSTER_RECEIVED SENT_FOR_PRICING QUOTED APPROVED ACTIVE EXPIRED } } }`;

type C = { id: number; programmeYear: number; countyCode: string; periodStart: string; periodEnd: string };
const asC = (c: CountyContract): C => ({
  id: c.id,
  programmeYear: c.programmeYear,
  countyCode: c.county.code,
  periodStart: c.periodStart,
  periodEnd: c.periodEnd,
});

/** Quotes and approves through the services, then puts the contract in `status` (a fixture for the dates). */
async function accept(
  contractId: number,
  status: 'ACTIVE' | 'EXPIRED',
): Promise<{ perCapita: string; total: string }> {
  await h.rt.services.quotes.quote(h.em(), ADMIN, { contractId });
  const [{ version }] = await h.sql<{ version: number }>(
    'select version from county_contract where id = $1',
    [contractId],
  );
  const c = await h.rt.services.contracts.approve(h.em(), ADMIN, { id: contractId, version });
  await h.sql(`update county_contract set status = $2 where id = $1`, [contractId, status]);
  return { perCapita: c.perCapitaPremium!, total: c.totalPremium! };
}

let claimSeq = 0;
async function claim(
  c: C,
  insuredId: number,
  status: 'PAID' | 'APPROVED' | 'REJECTED',
  payable: string,
  adjustmentOf: number | null = null,
) {
  claimSeq += 1;
  const [row] = await h.sql<{ id: number }>(
    `insert into claim (claim_number, insured_id, contract_id, county_code, programme_year, status, flags, missing_documents,
       admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers, total_cost,
       basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop, payable, rule_trace,
       idempotency_key, submitted_by_token_id, submitted_at, adjustment_of_id)
     values ($1, $2, $3, $4, $5, $6, '{}', '{}', $7, $7, 'H', 'COUNTY', 'J18', '{}', 50000, 0, 0, 0, 0, 50000, $8, '[]',
       $1, 1, now(), $9) returning id`,
    [
      `CLM-R-${claimSeq}`,
      insuredId,
      c.id,
      c.countyCode,
      c.programmeYear,
      status,
      `${c.programmeYear}-05-01`,
      payable,
      adjustmentOf,
    ],
  );
  return row!.id;
}

const adult = (countyCode: string, birthDate = '1980-05-01', gender: 'F' | 'M' = 'F'): PersonSpec => ({
  countyCode,
  birthDate,
  gender,
});

describe('renewal run', () => {
  // 2019 → 2020: A (513432) with every kind of drop, claims and an addition; B (520521) without
  // claims and a carry-over; E (532624) that cannot be priced; X (420322) already renewed.
  const A = '513432';
  const B = '520521';
  const E = '532624';
  const X = '420322';
  const D = '421122'; // has only a 2020 contract (the "elsewhere" of COVERED_ELSEWHERE)
  let c2019: Record<string, C> = {};
  const prem: Record<string, { perCapita: string; total: string }> = {};
  let people: Record<string, number> = {};
  let runId: string;

  beforeAll(async () => {
    const { contracts } = await createPricedProgramme(
      h,
      2019,
      [A, B, E, X].map((code) => ({ code, headCount: 100 })),
      defaults,
    );
    c2019 = Object.fromEntries(contracts.map((c) => [c.county.code, asC(c)]));
    await h.sql(`update programme set carry_over_share = 0.5 where year = 2019`);
    const a = await enrollPeople(h, c2019[A]!, [
      adult(A, '1980-05-01', 'F'),
      adult(A, '1975-02-10', 'M'),
      adult(A, '1990-11-30', 'F'),
      adult(A, '1958-12-15', 'M'), // 60 at the 2019 start, 61 at the 2020 start: AGED_OUT
      adult(A, '1985-01-01', 'M'), // no longer registered poor
      adult(A, '1970-07-07', 'F'), // terminated mid-year
      adult(A, '1988-08-08', 'M'), // covered in 2020 by county D's contract already
      adult(A, '1992-03-03', 'F'), // newly listed: coverage removed below, then "added" by a newer import
    ]);
    people = {
      agedOut: a[3]!.insuredId,
      notPoor: a[4]!.insuredId,
      terminated: a[5]!.insuredId,
      elsewhere: a[6]!.insuredId,
      added: a[7]!.insuredId,
      first: a[0]!.insuredId,
    };
    await h.sql(`delete from coverage where id = $1`, [a[7]!.coverageId]);
    await h.sql(`update insured set registered_poor = false where id = $1`, [people.notPoor]);
    await h.sql(
      `update coverage set status = 'TERMINATED', end_reason = 'MOVED', ended_on = '2019-06-30' where id = $1`,
      [a[5]!.coverageId],
    );
    await enrollPeople(h, c2019[B]!, [adult(B), adult(B, '1966-06-06', 'M'), adult(B, '1999-09-09', 'F')]);
    await enrollPeople(h, c2019[E]!, [adult(E, '1958-10-01', 'M')]);
    await enrollPeople(h, c2019[X]!, [adult(X)]);

    for (const code of [A, B, E, X])
      prem[code] = await accept(c2019[code]!.id, code === B ? 'ACTIVE' : 'EXPIRED');
    // E has a roster of one who ages out and no declared head count: nothing to price.
    await h.sql(`update county_contract set declared_head_count = null where id = $1`, [c2019[E]!.id]);

    // Experience of A: 2 paid + 1 approved (+ an adjustment of a paid one) + 1 rejected.
    const paid1 = await claim(c2019[A]!, people.first!, 'PAID', '1000.00');
    await claim(c2019[A]!, people.first!, 'PAID', '1500.50');
    await claim(c2019[A]!, people.first!, 'APPROVED', '500.25');
    await claim(c2019[A]!, people.first!, 'PAID', '-100.00', paid1);
    await claim(c2019[A]!, people.first!, 'REJECTED', '9999.00');

    // 2020: the programme, X already renewed by hand, D's contract covering the "elsewhere" person.
    const { contracts: c2020 } = await createPricedProgramme(h, 2020, [{ code: D, headCount: 10 }], defaults);
    const d2020 = asC(c2020[0]!);
    await h.sql(
      `insert into coverage (insured_id, contract_id, programme_year, county_code, period_start, period_end) values ($1, $2, 2020, $3, $4, $5)`,
      [people.elsewhere, d2020.id, D, d2020.periodStart, d2020.periodEnd],
    );
    const [xs] = await h.sql<{ id: number }>(
      `insert into county_contract (county_code, programme_id, programme_year, plan_id, period_start, period_end, predecessor_id, status)
       select county_code, (select id from programme where year = 2020), 2020, plan_id, '2020-01-01', '2020-12-31', id, 'DRAFT'
         from county_contract where id = $1 returning id`,
      [c2019[X]!.id],
    );
    expect(xs).toBeDefined();
    // A newer roster import of county A, completed during 2019.
    await h.sql(
      `insert into roster_import (contract_id, mode, status, file_name, storage_key, file_sha256, completed_at)
       values ($1, 'MERGE', 'COMPLETED', 'r.csv', 'k', repeat('a', 64), '2019-11-01T00:00:00Z')`,
      [c2019[A]!.id],
    );
  });

  it('renews each county in a worker: successor, roster, experience quote, carry-over, report', async () => {
    const workers = await startWorkers(h.rt, { queues: ['renewals'] });
    try {
      const res = await h.gql(START, { input: { fromYear: 2019 } }, foundation);
      expect(res.errors).toBeUndefined();
      runId = res.data!.startRenewalRun.run.id;
      const job = await waitForJob(h, foundation, res.data!.startRenewalRun.job.id);
      expect(job.state).toBe('COMPLETED');
      expect(job.progress.percent).toBe(100);
      expect(job.result).toMatchObject({
        fromYear: 2019,
        toYear: 2020,
        contracts: 4,
        renewed: 2,
        skipped: 1,
        failed: 1,
      });
    } finally {
      await workers.close();
    }
    const r = await h.gql(RUN, { id: runId }, foundation);
    expect(r.errors).toBeUndefined();
    const run = r.data!.renewalRun;
    expect(run).toMatchObject({ status: 'COMPLETED', trigger: 'MANUAL', fromYear: 2019, toYear: 2020 });
    const by = Object.fromEntries(run.counties.map((c: any) => [c.countyCode, c]));

    // A: carried 3 (+1 added), dropped one of each reason.
    const a = by[A];
    expect(a).toMatchObject({
      outcome: 'RENEWED',
      carried: 3,
      added: 1,
      dropped: { TERMINATED: 1, NOT_REGISTERED_POOR: 1, AGED_OUT: 1, COVERED_ELSEWHERE: 1 },
      claimCount: 3,
      incurred: '2900.75', // 1000 + 1500.50 − 100 paid, 500.25 approved unpaid, IBNR 0
      ibnr: '0.00',
      experienceNote: 'no loss study: IBNR 0',
      oldPerCapitaPremium: prem[A]!.perCapita,
      earnedPremium: prem[A]!.total,
    });
    // Exposure: 6 people a full year (2019 has 365 days), the terminated one to 30 June (181 days).
    expect(a.exposure).toBeCloseTo((6 * 365 + 181) / 365, 6);
    const [succ] = await h.sql(
      `select c.id, c.status, c.programme_year, c.period_start::text, c.period_end::text, c.predecessor_id, c.plan_id, q.id as quote_id,
              q.per_capita_premium::text as per_capita, q.credibility, q.carry_over_credit::text as credit, q.inputs, q.insured_count
         from county_contract c join quote q on q.contract_id = c.id where c.predecessor_id = $1`,
      [c2019[A]!.id],
    );
    expect(succ).toMatchObject({
      status: 'QUOTED',
      programme_year: 2020,
      period_start: '2020-01-01',
      period_end: '2020-12-31',
      plan_id: defaults.plan.id,
      insured_count: 4,
    });
    expect(String(succ!.id)).toBe(a.successorContractId);
    expect(String(succ!.quote_id)).toBe(a.quoteId);
    expect(a.newPerCapitaPremium).toBe(succ!.per_capita);
    expect(a.credibility).toBeCloseTo(Math.sqrt(3 / 3000), 12);
    expect(succ!.inputs.experience).toMatchObject({
      claimCount: 3,
      incurred: '2900.75',
      note: 'no loss study: IBNR 0',
      predecessorContractId: c2019[A]!.id,
    });
    expect(a.rateChange).toBeCloseTo(Number(succ!.per_capita) / Number(prem[A]!.perCapita) - 1, 5);
    // Surplus negative (claims exceed the premium net of expenses): no credit.
    const surplusA = money(prem[A]!.total).times(0.92).minus('2900.75');
    expect(a.surplus).toBe(surplusA.toFixed(2));
    expect(a.carryOverCredit).toBe('0.00');
    const roster = await h.sql(`select insured_id from coverage where contract_id = $1 order by insured_id`, [
      succ!.id,
    ]);
    expect(roster.map((x) => x.insured_id)).toEqual(expect.arrayContaining([people.first, people.added]));
    expect(roster.map((x) => x.insured_id)).not.toEqual(expect.arrayContaining([people.agedOut]));

    // B: no claims, a positive surplus, half of it credited on the quote.
    const b = by[B];
    const surplusB = money(prem[B]!.total).times(0.92);
    expect(b).toMatchObject({
      outcome: 'RENEWED',
      carried: 3,
      added: 0,
      claimCount: 0,
      incurred: '0.00',
      surplus: surplusB.toFixed(2),
    });
    expect(b.carryOverCredit).toBe(surplusB.times(0.5).toFixed(2));
    const [qb] = await h.sql(`select carry_over_credit::text as c from quote where id = $1`, [b.quoteId]);
    expect(qb!.c).toBe(b.carryOverCredit);

    // E failed with the reason and left nothing behind; X was skipped.
    expect(by[E]).toMatchObject({ outcome: 'FAILED', successorContractId: null });
    expect(by[E].reason).toMatch(/declaredHeadCount|roster/);
    expect(
      await h.sql(`select id from county_contract where predecessor_id = $1`, [c2019[E]!.id]),
    ).toHaveLength(0);
    expect(by[X]).toMatchObject({ outcome: 'SKIPPED' });
    expect(by[X].reason).toMatch(/^ALREADY_RENEWED/);

    expect(run.summary).toMatchObject({
      contracts: 4,
      renewed: 2,
      skipped: 1,
      failed: 1,
      carried: 6,
      added: 1,
    });
    expect(run.summary.newTotalPremium).toBe(
      money(a.newPerCapitaPremium).times(4).plus(money(b.newPerCapitaPremium).times(3)).toFixed(2),
    );
    const audit = await h.sql(
      `select count(*)::int as n from audit_event where entity_type = 'CountyContract' and action = 'RENEW'`,
    );
    expect(audit[0]!.n).toBe(2);
  });

  it('a second run duplicates nothing', async () => {
    const before =
      await h.sql(`select count(*)::int as c, (select count(*)::int from coverage where programme_year = 2020) as v,
                                       (select count(*)::int from quote) as q from county_contract where programme_year = 2020`);
    const run = await h.rt.services.renewals.startRun(h.em(), ADMIN, { fromYear: 2019 });
    const summary = await h.rt.services.renewals.executeRun(h.rt.orm.em, run.run.id);
    expect(summary).toMatchObject({ contracts: 4, renewed: 0, skipped: 3, failed: 1 });
    const after =
      await h.sql(`select count(*)::int as c, (select count(*)::int from coverage where programme_year = 2020) as v,
                                      (select count(*)::int from quote) as q from county_contract where programme_year = 2020`);
    expect(after).toEqual(before);
  });

  it('reports the pipeline of the renewed year', async () => {
    const res = await h.gql(PIPELINE, { year: 2020 }, foundation);
    expect(res.errors).toBeUndefined();
    // A and B quoted; X DRAFT without roster nor head count (in talks); D DRAFT with a coverage (roster received).
    expect(res.data!.renewalPipeline).toMatchObject({
      inTalks: 4,
      rosterReceived: 3,
      sentForPricing: 3,
      quoted: 2,
      approved: 0,
      now: { IN_TALKS: 1, ROSTER_RECEIVED: 1, QUOTED: 2 },
    });
  });

  it('lists runs and checks roles', async () => {
    const list = await h.gql(
      `{ renewalRuns(fromYear: 2019) { totalCount edges { node { id status } } } }`,
      {},
      foundation,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.renewalRuns.totalCount).toBe(2);
    expect(list.data!.renewalRuns.edges[0].node.id).not.toBe(runId); // newest first
    await expectRoles(h, START, { input: { fromYear: 1999 } }, [Role.ADMIN, Role.FOUNDATION]);
    await expectRoles(h, RUN, { id: runId }, [Role.ADMIN, Role.FOUNDATION, Role.ACTUARY]);
    await expectRoles(h, PIPELINE, { year: 2020 }, [Role.ADMIN, Role.FOUNDATION]);
    const bad = await h.gql(START, { input: { fromYear: 2031 } }, foundation);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.fromYear' });
  });
});

describe('renewal run failures and resumption', () => {
  it('fails the run with a clear reason when the successor programme does not exist', async () => {
    const { contracts } = await createPricedProgramme(h, 2045, [{ code: '420529', headCount: 50 }], defaults);
    await accept(contracts[0]!.id, 'EXPIRED');
    const workers = await startWorkers(h.rt, { queues: ['renewals'] });
    try {
      const res = await h.gql(START, { input: { fromYear: 2045 } }, foundation);
      const job = await waitForJob(h, foundation, res.data!.startRenewalRun.job.id);
      expect(job.state).toBe('FAILED');
      expect(job.failureReason).toMatch(/^SUCCESSOR_PROGRAMME_MISSING: no programme for 2046/);
      const run = await h.gql(RUN, { id: res.data!.startRenewalRun.run.id }, foundation);
      expect(run.data!.renewalRun).toMatchObject({ status: 'FAILED', counties: [] });
      expect(run.data!.renewalRun.failureReason).toMatch(/SUCCESSOR_PROGRAMME_MISSING/);
    } finally {
      await workers.close();
    }
  });

  it('a worker process killed after the first county resumes on restart: every county renewed exactly once', async () => {
    const codes = ['513432', '520521', '522631', '532627'];
    const { contracts } = await createPricedProgramme(
      h,
      2050,
      codes.map((code) => ({ code, headCount: 20 })),
      defaults,
    );
    for (const c of contracts) {
      await enrollPeople(h, asC(c), [
        adult(c.county.code, '2015-05-01'),
        adult(c.county.code, '2012-03-04', 'M'),
      ]);
      await accept(c.id, 'EXPIRED');
    }
    await createPricedProgramme(h, 2051, [], defaults);
    const res = await h.gql(START, { input: { fromYear: 2050 } }, foundation);
    expect(res.errors).toBeUndefined();
    const runId = Number(res.data!.startRenewalRun.run.id);
    const jobId = res.data!.startRenewalRun.job.id as string;

    // A real worker process (startWorkers on this test's database and queues) that SIGKILLs
    // itself right after the first county has committed.
    const child = spawn(process.execPath, ['-e', CHILD_WORKER], {
      cwd: `${__dirname}/../..`,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: h.rt.config.DATABASE_URL,
        REDIS_URL: h.rt.config.REDIS_URL ?? '',
        QUEUE_PREFIX: h.rt.config.QUEUE_PREFIX,
        PII_HMAC_KEY: TEST_HMAC_KEY.toString('base64'),
        PII_ENC_KEYS: `${TEST_ENC_KEY.id}:${TEST_ENC_KEY.key.toString('base64')}`,
        PILLAR_TEST_RENEWAL_KILL_AFTER: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    expect({ ...exit, stderr: exit.signal ? '' : stderr }).toEqual({
      code: null,
      signal: 'SIGKILL',
      stderr: '',
    });
    const half = await h.sql(`select outcome from renewal_county where run_id = $1`, [runId]);
    expect(half).toEqual([{ outcome: 'RENEWED' }]);
    expect(await h.sql(`select id from county_contract where programme_year = 2051`)).toHaveLength(1);

    // Restart: a worker takes the stalled job again (once its dead owner's lock has expired).
    const workers = await startWorkers(h.rt, { queues: ['renewals'] });
    try {
      const job = await waitForJob(h, foundation, jobId, ['COMPLETED', 'FAILED'], 100_000);
      expect(job.state).toBe('COMPLETED');
      expect(job.result).toMatchObject({ contracts: 4, renewed: 4, skipped: 0, failed: 0, carried: 8 });
    } finally {
      await workers.close();
    }
    const rows = await h.sql(
      `select c.county_code, count(*)::int as n, sum((select count(*) from coverage v where v.contract_id = c.id))::int as people,
              sum((select count(*) from quote q where q.contract_id = c.id))::int as quotes
         from county_contract c where c.programme_year = 2051 group by 1 order by 1`,
    );
    expect(rows).toEqual(codes.sort().map((county_code) => ({ county_code, n: 1, people: 2, quotes: 1 })));
    expect(await h.sql(`select id from renewal_county where run_id = $1`, [runId])).toHaveLength(4);
  }, 150_000);
});

describe('renewal experience with a loss study', () => {
  it("adds the county's IBNR share from the latest loss study to I and says where it came from", async () => {
    const code = '522631';
    const { contracts } = await createPricedProgramme(h, 2080, [{ code, headCount: 10 }], defaults);
    const c = asC(contracts[0]!);
    const [p] = await enrollPeople(h, c, [adult(code, '2040-01-01'), adult(code, '2041-02-02', 'M')]);
    await accept(c.id, 'EXPIRED');
    await claim(c, p!.insuredId, 'PAID', '800.00');
    await createPricedProgramme(h, 2081, [], defaults);
    const [study] = await h.sql<{ id: number }>(
      `insert into actuarial_study (kind, version, parameters, result)
       values ('LOSS_DEVELOPMENT', 9001, '{"granularity": "MONTH"}', $1) returning id`,
      [
        JSON.stringify({
          ibnrByCounty: [{ countyCode: code, programmeYear: 2080, paid: '800.00', ibnr: '123.45' }],
        }),
      ],
    );
    const { run } = await h.rt.services.renewals.startRun(h.em(), ADMIN, { fromYear: 2080 });
    const summary = await h.rt.services.renewals.executeRun(h.rt.orm.em, run.id);
    expect(summary).toMatchObject({ renewed: 1, carried: 2 });
    const res = await h.gql(RUN, { id: String(run.id) }, foundation);
    expect(res.data!.renewalRun.counties[0]).toMatchObject({
      claimCount: 1,
      ibnr: '123.45',
      incurred: '923.45',
      experienceNote: `IBNR 123.45 from loss study ${study!.id} (v9001)`,
    });
    const [q] = await h.sql(`select inputs from quote where id = $1`, [
      res.data!.renewalRun.counties[0].quoteId,
    ]);
    expect(q!.inputs.experience).toMatchObject({
      incurred: '923.45',
      note: `IBNR 123.45 from loss study ${study!.id} (v9001)`,
    });
  });
});

describe('daily renewal window job', () => {
  it('starts renewal quotes for contracts ending within the window, once, with the injected clock', async () => {
    const { contracts } = await createPricedProgramme(
      h,
      2060,
      [
        { code: '420528', headCount: 30 },
        { code: '420527', headCount: 30 },
      ],
      defaults,
    );
    await h.sql(`update programme set renewal_window_days = 60 where year = 2060`);
    for (const c of contracts) {
      await enrollPeople(h, asC(c), [adult(c.county.code, '2025-05-01')]);
      await accept(c.id, 'ACTIVE');
    }
    // 420527 ends later: outside the window on the day tested.
    await h.sql(`update county_contract set period_end = '2061-03-31' where id = $1`, [contracts[1]!.id]);
    const progress: unknown[] = [];
    const job = (asOf?: string) =>
      ({
        data: asOf ? { asOf } : {},
        updateProgress: async (p: unknown) => void progress.push(p),
      }) as unknown as Job<{ asOf?: string }>;

    // No 2061 programme yet: nothing is due.
    h.clock.set('2060-11-15T02:00:00Z');
    expect(await execRenewalWindow(job(), h.rt)).toEqual({ asOf: '2060-11-15', runs: [] });
    await createPricedProgramme(h, 2061, [], defaults);
    // 2060-10-15 + 60 days = 2060-12-14 < 2060-12-31: not yet.
    h.clock.set('2060-10-15T02:00:00Z');
    expect((await execRenewalWindow(job(), h.rt)).runs).toEqual([]);
    h.clock.set('2060-11-15T02:00:00Z');
    const first = await execRenewalWindow(job(), h.rt);
    expect(first.runs).toHaveLength(1);
    expect(first.runs[0]!.summary).toMatchObject({ fromYear: 2060, contracts: 1, renewed: 1 });
    const [succ] = await h.sql(`select county_code, status from county_contract where programme_year = 2061`);
    expect(succ).toEqual({ county_code: '420528', status: 'QUOTED' });
    const [run] = await h.sql(`select trigger, trigger_key, status from renewal_run where id = $1`, [
      first.runs[0]!.runId,
    ]);
    expect(run).toEqual({ trigger: 'SCHEDULED', trigger_key: 'window-2060-11-15-2060', status: 'COMPLETED' });
    expect(progress.length).toBeGreaterThan(0);
    // Again the same day (a retry) and the next day: nothing new.
    expect((await execRenewalWindow(job(), h.rt)).runs).toEqual([]);
    h.clock.set('2060-11-16T02:00:00Z');
    expect((await execRenewalWindow(job(), h.rt)).runs).toEqual([]);
    expect(await h.sql(`select id from county_contract where programme_year = 2061`)).toHaveLength(1);
    h.clock.set('2020-03-02T02:00:00Z');
  });

  it('is on the daily schedule', async () => {
    const { SCHEDULES } = await import('../../jobs/scheduler');
    expect(SCHEDULES.find((s) => s.queue === 'renewals')).toMatchObject({
      job: 'renewal-window',
      cron: '15 0 * * *',
    });
  });
});

describe('renewal pipeline', () => {
  it('counts counties the way the 2020 report does: 56 in talks → 56 sent for pricing → 53 quoted', async () => {
    const year = 2070;
    const codes = Array.from({ length: 57 }, (_, i) => `99${String(1000 + i).slice(1)}1`.slice(0, 6));
    for (const code of codes) {
      await h.sql(
        `insert into county (code, name_zh, name_en, prefecture_code, prefecture_zh, province_code, province_zh, province_en)
         values ($1, '测试县', 'Test', '990000', '测试市', '99', '测试省', 'Test') on conflict do nothing`,
        [code],
      );
    }
    const { contracts } = await createPricedProgramme(
      h,
      year,
      codes.map((code) => ({ code, headCount: 100 })),
      defaults,
    );
    const ids = contracts.map((c) => c.id);
    // 53 quoted, of which 10 approved and of those 4 active; 3 DRAFT (1 with a roster, 2 with a
    // head count only); 1 cancelled (not counted).
    await h.sql(`update county_contract set status = 'QUOTED' where id = any($1)`, [ids.slice(0, 53)]);
    await h.sql(`update county_contract set status = 'APPROVED' where id = any($1)`, [ids.slice(0, 10)]);
    await h.sql(`update county_contract set status = 'ACTIVE' where id = any($1)`, [ids.slice(0, 4)]);
    await h.sql(`update county_contract set status = 'CANCELLED' where id = $1`, [ids[56]]);
    await enrollPeople(h, asC(contracts[53]!), [adult(contracts[53]!.county.code)]);
    await h.sql(`update county_contract set declared_head_count = null where id = $1`, [ids[53]]);
    let res = await h.gql(PIPELINE, { year }, foundation);
    expect(res.errors).toBeUndefined();
    expect(res.data!.renewalPipeline).toEqual({
      year,
      inTalks: 56,
      rosterReceived: 54,
      sentForPricing: 56,
      quoted: 53,
      approved: 10,
      active: 4,
      cancelled: 1,
      now: {
        IN_TALKS: 0,
        ROSTER_RECEIVED: 1,
        SENT_FOR_PRICING: 2,
        QUOTED: 43,
        APPROVED: 6,
        ACTIVE: 4,
        EXPIRED: 0,
      },
    });
    // A county still in talks: no roster, no head count.
    await h.sql(`update county_contract set declared_head_count = null where id = $1`, [ids[54]]);
    res = await h.gql(PIPELINE, { year }, foundation);
    expect(res.data!.renewalPipeline).toMatchObject({
      inTalks: 56,
      sentForPricing: 55,
      now: { IN_TALKS: 1, SENT_FOR_PRICING: 1 },
    });
  });
});

/**
 * The child worker: compiles the TypeScript sources on the fly with SWC (as jest does), then
 * runs `startWorkers` on the renewals queue with the configuration from its environment.
 */
const CHILD_WORKER = `
const fs = require('node:fs');
const swc = require('@swc/core');
const cfg = JSON.parse(fs.readFileSync('.swcrc', 'utf8'));
delete cfg.$schema;
cfg.sourceMaps = false;
require.extensions['.ts'] = (m, file) => m._compile(swc.transformSync(fs.readFileSync(file, 'utf8'), { ...cfg, filename: file }).code, file);
require('reflect-metadata');
(async () => {
  const { createRuntime } = require('./src/app/runtime');
  const { startWorkers } = require('./jobs/worker');
  const rt = await createRuntime();
  await startWorkers(rt, { queues: ['renewals'], concurrency: 1 });
})().catch((err) => { console.error(err); process.exit(2); });
`;
