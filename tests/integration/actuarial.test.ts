import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { waitForJob } from '../helpers/jobs';
import { seedReferenceData } from '../factories/reference';
import { createDefaults, createPricedProgramme } from '../factories/pricing';
import { enrollPeople } from '../factories/people';
import { quoteContract } from '../factories/contracts';
import { GEN_INS_CUMULATIVE } from '../unit/actuarial/gen-ins';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import type { LossStudyParameters } from '../../src/modules/actuarial/study.service';
import { money } from '../../src/shared/money';

let h: Harness;
let actuary: string;
const A = '513432';
const B = '420529';
const contractOf: Record<string, number> = {};
const coverageOf: Record<string, number[]> = {};

/** Clock: 2020-04-20 noon in China — the valuation date of the studies below. */
beforeAll(async () => {
  h = await startHarness({ now: '2020-04-20T04:00:00Z' });
  await seedReferenceData(h);
  const defaults = await createDefaults(h);
  actuary = await h.token(Role.ACTUARY);
  const { contracts } = await createPricedProgramme(
    h,
    2020,
    [
      { code: A, headCount: 3 },
      { code: B, headCount: 3 },
    ],
    defaults,
  );
  for (const c of contracts) {
    const code = c.county.code;
    contractOf[code] = c.id;
    const people = await enrollPeople(
      h,
      { id: c.id, programmeYear: 2020, countyCode: code, periodStart: c.periodStart, periodEnd: c.periodEnd },
      [
        { countyCode: code, birthDate: '1980-05-05', gender: 'F' },
        { countyCode: code, birthDate: '1975-05-05', gender: 'M' },
        { countyCode: code, birthDate: '1970-05-05', gender: 'M' },
      ],
    );
    coverageOf[code] = people.map((p) => p.coverageId);
  }
});
afterAll(async () => h?.close());

let claimSeq = 0;
/** A claim row written with SQL (claims intake is another module); `paidAt` is China time noon. */
async function claim(
  county: string,
  c: {
    admission: string;
    payable: string;
    status?: string;
    paidOn?: string | null;
    eligible?: string;
    person?: number;
  },
) {
  const n = (claimSeq += 1);
  const coverageId = coverageOf[county]![c.person ?? 0]!;
  await h.sql(
    `insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status, flags, missing_documents,
       admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers, total_cost,
       basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop, rule_trace,
       idempotency_key, submitted_by_token_id, submitted_at, payable, paid_at)
     select $1, v.insured_id, v.id, v.contract_id, v.county_code, v.programme_year, $3, '{}', '{}', $4, $4, 'H', 'COUNTY', 'A87.9', '{}',
            $5, 0, 0, 0, 0, $5, '[]', $1, 1, now(), $6, ($7::date + time '12:00') at time zone 'Asia/Shanghai'
       from coverage v where v.id = $2`,
    [
      `CLM-ACT-${n}`,
      coverageId,
      c.status ?? 'PAID',
      c.admission,
      c.eligible ?? c.payable,
      c.payable,
      c.paidOn ?? null,
    ],
  );
}

const CHAIN = `query($t: [[Float]]!, $tail: Float) { chainLadder(triangle: $t, tailFactor: $tail) {
  ageCount factors tailFactor links { fromAge factor sigma2 sigma2Basis }
  origins { origin period latest latestAge ageToUltimate ultimate ibnr standardError cv }
  totals { latest ultimate ibnr standardError cv } notes { code message age } } }`;

describe('chainLadder (supplied triangle)', () => {
  it('reproduces Mack’s GenIns results through the API', async () => {
    const res = await h.gql(CHAIN, { t: GEN_INS_CUMULATIVE }, actuary);
    expect(res.errors).toBeUndefined();
    const r = res.data!.chainLadder;
    expect(r.ageCount).toBe(10);
    expect(r.factors.map((f: number) => f.toFixed(3))).toEqual([
      '3.491',
      '1.747',
      '1.457',
      '1.174',
      '1.104',
      '1.086',
      '1.054',
      '1.077',
      '1.018',
    ]);
    expect(r.links[8].sigma2Basis).toBe('MACK_EXTRAPOLATION');
    expect(Math.round(r.origins[9].ibnr)).toBe(4_625_811);
    expect(Math.round(r.origins[9].standardError)).toBe(1_363_155);
    expect(Math.round(r.origins[1].standardError)).toBe(75_535);
    expect(r.origins[0].cv).toBeNull();
    expect(r.origins[0].period).toBeNull();
    expect(r.totals.latest).toBe(34_358_090);
    expect(Math.round(r.totals.ultimate)).toBe(53_038_946);
    expect(Math.round(r.totals.ibnr)).toBe(18_680_856);
    expect(Math.round(r.totals.standardError)).toBe(2_447_095);
    expect(r.totals.cv.toFixed(3)).toBe('0.131');
    expect(r.notes.map((n: any) => n.code)).toEqual(['SIGMA_MACK_EXTRAPOLATION']);
  });

  it('applies a tail factor to the ultimates', async () => {
    const res = await h.gql(CHAIN, { t: GEN_INS_CUMULATIVE, tail: 1.05 }, actuary);
    expect(res.errors).toBeUndefined();
    expect(res.data!.chainLadder.tailFactor).toBe(1.05);
    expect(Math.round(res.data!.chainLadder.totals.ultimate)).toBe(Math.round(53_038_946.1 * 1.05));
    expect(res.data!.chainLadder.notes.map((n: any) => n.code)).toContain('TAIL_WITHOUT_STANDARD_ERROR');
  });

  it('rejects bad input with BAD_USER_INPUT and the field', async () => {
    const neg = await h.gql(
      CHAIN,
      {
        t: [
          [1, 2],
          [-3, null],
        ],
      },
      actuary,
    );
    expect(neg.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'triangle[1][0]',
      reason: 'INVALID_CELL',
    });
    const gap = await h.gql(
      CHAIN,
      {
        t: [
          [1, null, 3],
          [2, null, null],
        ],
      },
      actuary,
    );
    expect(gap.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'triangle[0][2]',
      reason: 'GAP_IN_ROW',
    });
    const nullRow = await h.gql(CHAIN, { t: [[1, 2], null] }, actuary);
    expect(nullRow.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'triangle[1]' });
    const empty = await h.gql(CHAIN, { t: [] }, actuary);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'triangle' });
    const tail = await h.gql(
      CHAIN,
      {
        t: [
          [1, 2],
          [3, null],
        ],
        tail: 0,
      },
      actuary,
    );
    expect(tail.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tailFactor' });
  });

  it('is for ACTUARY and ADMIN', async () => {
    await expectRoles(
      h,
      CHAIN,
      {
        t: [
          [1, 2],
          [3, null],
        ],
      },
      [Role.ADMIN, Role.ACTUARY],
    );
  });
});

/**
 * Monthly triangle of the hand-computed 4 × 4 example (factors 1.5, 1.1, 1.05), paid by two
 * counties, valuation 2020-04-20:
 *   origin 2020-01: 100 (A), +50 (B), +10 (A), +8 (B)
 *   origin 2020-02: 150 (A) + 50 (B), +80 (A), +33 (B)
 *   origin 2020-03: 120 (B), +80 (A)
 *   origin 2020-04: 150 (A)
 */
const LOSS_STUDY = `mutation($input: RunLossStudyInput!) { runLossStudy(input: $input) { job { id state } } }`;
const STUDY = `query($id: ID!) { actuarialStudy(id: $id) { id kind version parameters
  lossDevelopment { valuationDate granularity periods triangle claimCount
    chainLadder { factors origins { period latest ibnr ageToUltimate standardError } totals { ibnr latest } }
    ibnrByCounty { countyCode programmeYear paid ibnr } } } }`;

describe('runLossStudy', () => {
  beforeAll(async () => {
    await claim(A, { admission: '2020-01-10', payable: '100.00', paidOn: '2020-01-20' });
    await claim(B, { admission: '2020-01-11', payable: '50.00', paidOn: '2020-02-03' });
    await claim(A, { admission: '2020-01-12', payable: '10.00', paidOn: '2020-03-31' });
    await claim(B, { admission: '2020-01-13', payable: '8.00', paidOn: '2020-04-01' });
    await claim(A, { admission: '2020-02-01', payable: '150.00', paidOn: '2020-02-29' });
    await claim(B, { admission: '2020-02-02', payable: '50.00', paidOn: '2020-02-10' });
    await claim(A, { admission: '2020-02-03', payable: '80.00', paidOn: '2020-03-05' });
    await claim(B, { admission: '2020-02-04', payable: '33.00', paidOn: '2020-04-19' });
    await claim(B, { admission: '2020-03-01', payable: '120.00', paidOn: '2020-03-02' });
    await claim(A, { admission: '2020-03-30', payable: '80.00', paidOn: '2020-04-02' });
    await claim(A, { admission: '2020-04-01', payable: '150.00', paidOn: '2020-04-20' });
    // Not in the paid triangle: approved and not paid, rejected, paid after the valuation date.
    await claim(A, { admission: '2020-04-02', payable: '500.00', status: 'APPROVED' });
    await claim(B, { admission: '2020-04-03', payable: '700.00', status: 'REJECTED' });
    await claim(B, { admission: '2020-04-04', payable: '900.00', paidOn: '2020-04-21' });
  });

  it('builds the monthly paid triangle with one aggregate, runs the chain ladder in a job and stores version 1', async () => {
    const { startWorkers } = await import('../../jobs/worker');
    const workers = await startWorkers(h.rt, { queues: ['actuarial'] });
    try {
      const res = await h.gql(LOSS_STUDY, { input: { granularity: 'MONTH', programmeYear: 2020 } }, actuary);
      expect(res.errors).toBeUndefined();
      const done = await waitForJob(h, actuary, res.data!.runLossStudy.job.id);
      expect(done.state).toBe('COMPLETED');
      expect(done.progress.percent).toBe(100);
      expect(done.result).toMatchObject({
        kind: 'LOSS_DEVELOPMENT',
        version: 1,
        alreadyStored: false,
        origins: 4,
        claimCount: 11,
      });
      expect(done.result.ibnr).toBeCloseTo(156.525, 9);

      const study = (await h.gql(STUDY, { id: String(done.result.studyId) }, actuary)).data!.actuarialStudy;
      expect(study.parameters).toMatchObject({
        granularity: 'MONTH',
        programmeYear: 2020,
        tailFactor: 1,
        valuationDate: '2020-04-20',
      });
      expect(study.parameters.jobId).toBe(res.data!.runLossStudy.job.id.replace(/^actuarial\./, ''));
      const ld = study.lossDevelopment;
      expect(ld.periods).toEqual(['2020-01', '2020-02', '2020-03', '2020-04']);
      expect(ld.triangle).toEqual([
        [100, 150, 160, 168],
        [200, 280, 313, null],
        [120, 200, null, null],
        [150, null, null, null],
      ]);
      expect(ld.claimCount).toBe(11);
      ld.chainLadder.factors.forEach((f: number, k: number) =>
        expect(f).toBeCloseTo([1.5, 1.1, 1.05][k]!, 12),
      );
      expect(ld.chainLadder.origins.map((o: any) => o.period)).toEqual(ld.periods);
      expect(ld.chainLadder.totals.ibnr).toBeCloseTo(156.525, 9);
      // Allocation: paid per origin × (age-to-ultimate − 1). A: 230×0.05 + 80×0.155 + 150×0.7325; B: 83×0.05 + 120×0.155.
      const byCounty = Object.fromEntries(ld.ibnrByCounty.map((c: any) => [c.countyCode, c]));
      expect(byCounty[A]).toMatchObject({ programmeYear: 2020, paid: '570.00' });
      expect(byCounty[B]).toMatchObject({ programmeYear: 2020, paid: '261.00', ibnr: '22.75' });
      expect(Number(byCounty[A].ibnr)).toBeCloseTo(133.775, 1);
      expect(Number(byCounty[A].ibnr) + Number(byCounty[B].ibnr)).toBeCloseTo(156.525, 1);

      // The renewal engineer's entry point.
      const em = h.em();
      expect(await h.rt.services.actuarial.ibnrShare(em, { countyCode: B, programmeYear: 2020 })).toBe(
        '22.75',
      );
      expect(await h.rt.services.actuarial.ibnrShare(em, { contractId: contractOf[A]! })).toBe(
        byCounty[A].ibnr,
      );
      expect(await h.rt.services.actuarial.ibnrShare(em, { countyCode: B, programmeYear: 2019 })).toBe(
        '0.00',
      );
      // Inside a caller's transaction (the renewal run holds one, contract row locked).
      const inTx = await h.em().transactional(async (tx) => {
        await tx
          .getConnection()
          .execute(
            'select id from county_contract where id = ? for update',
            [contractOf[B]],
            'all',
            tx.getTransactionContext(),
          );
        return h.rt.services.actuarial.ibnrShareDetail(tx, { contractId: contractOf[B]! });
      });
      expect(inTx).toMatchObject({ amount: '22.75', version: 1 });
      // The only study is of programme year 2020: none covers 2019 (null: "no loss study, IBNR 0").
      expect(
        await h.rt.services.actuarial.ibnrShareDetail(em, { countyCode: A, programmeYear: 2019 }),
      ).toBeNull();

      // A re-run is a new version; a county-filtered study does not displace the programme-wide one for other counties.
      const again = await h.gql(LOSS_STUDY, { input: { granularity: 'QUARTER', countyCode: B } }, actuary);
      const second = await waitForJob(h, actuary, again.data!.runLossStudy.job.id);
      expect(second.result).toMatchObject({ version: 2, origins: 2, claimCount: 5 }); // 2020-Q1 and the valuation quarter (nothing yet)
      const detailA = await h.rt.services.actuarial.ibnrShareDetail(em, {
        countyCode: A,
        programmeYear: 2020,
      });
      expect(detailA).toMatchObject({ version: 1, amount: byCounty[A].ibnr });
      const detailB = await h.rt.services.actuarial.ibnrShareDetail(em, {
        countyCode: B,
        programmeYear: 2020,
      });
      expect(detailB).toMatchObject({ version: 2, amount: '0.00' }); // one quarter: nothing left to develop
    } finally {
      await workers.close();
    }
  });

  it('a worker that dies after storing the study is retried and finishes without a second version', async () => {
    const { startWorkers } = await import('../../jobs/worker');
    const { execLossStudy } = await import('../../jobs/processors/actuarial');
    let crashes = 0;
    const workers = await startWorkers(h.rt, {
      queues: ['actuarial'],
      registry: {
        actuarial: {
          // The first attempt commits its study, then "crashes" before BullMQ hears of it.
          'loss-study': async (job: any, deps: any) => {
            const result = await execLossStudy(job, deps);
            if (crashes++ === 0) throw new Error('worker killed after the commit');
            return result;
          },
        },
      },
    });
    try {
      const before = await h.sql(`select count(*)::int as n from actuarial_study`);
      const res = await h.gql(
        LOSS_STUDY,
        { input: { granularity: 'QUARTER', programmeYear: 2020 } },
        actuary,
      );
      const done = await waitForJob(
        h,
        actuary,
        res.data!.runLossStudy.job.id,
        ['COMPLETED', 'FAILED'],
        30_000,
      );
      expect(done.state).toBe('COMPLETED');
      expect(done.attempts).toBe(2);
      expect(done.result.alreadyStored).toBe(true);
      const after = await h.sql(`select count(*)::int as n from actuarial_study`);
      expect(after[0]!.n).toBe(before[0]!.n + 1);
    } finally {
      await workers.close();
    }
  }, 40_000);

  it('a retried attempt of the same job stores no second version', async () => {
    const params: LossStudyParameters = {
      granularity: 'YEAR',
      programmeYear: null,
      provinceCode: null,
      countyCode: null,
      tailFactor: 1,
      valuationDate: '2020-04-20',
    };
    const svc = h.rt.services.actuarial;
    const first = await svc.runLossStudy(h.em(), SYSTEM_ACTOR, 'loss-study-retry-test', params);
    const second = await svc.runLossStudy(h.em(), SYSTEM_ACTOR, 'loss-study-retry-test', params);
    expect(first.alreadyStored).toBe(false);
    expect(second).toEqual({ ...first, alreadyStored: true });
    const rows = await h.sql(
      `select id from actuarial_study where parameters->>'jobId' = 'loss-study-retry-test'`,
    );
    expect(rows).toHaveLength(1);
    // Concurrent attempts (a stalled job picked up twice) still store one.
    const both = await Promise.all([
      svc.runLossStudy(h.em(), SYSTEM_ACTOR, 'loss-study-race', params),
      svc.runLossStudy(h.em(), SYSTEM_ACTOR, 'loss-study-race', params),
    ]);
    expect(both[0].studyId).toBe(both[1].studyId);
    expect(
      await h.sql(`select id from actuarial_study where parameters->>'jobId' = 'loss-study-race'`),
    ).toHaveLength(1);
  });

  it('validates input and lists studies', async () => {
    const bad = await h.gql(LOSS_STUDY, { input: { granularity: 'MONTH', countyCode: '12' } }, actuary);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.countyCode' });
    const tail = await h.gql(LOSS_STUDY, { input: { granularity: 'MONTH', tailFactor: -1 } }, actuary);
    expect(tail.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.tailFactor' });
    const list = await h.gql(
      `query { actuarialStudies(kind: LOSS_DEVELOPMENT, page: { first: 2 }) { totalCount edges { node { version kind } } pageInfo { hasNextPage } } }`,
      {},
      actuary,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.actuarialStudies.edges[0].node.version).toBeGreaterThan(
      list.data!.actuarialStudies.edges[1].node.version,
    );
    expect(list.data!.actuarialStudies.pageInfo.hasNextPage).toBe(true);
    const missing = await h.gql(STUDY, { id: '999999' }, actuary);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('checks roles', async () => {
    await expectRoles(h, LOSS_STUDY, { input: { granularity: 'MONTH', countyCode: 'x' } }, [
      Role.ADMIN,
      Role.ACTUARY,
    ]);
    await expectRoles(h, STUDY, { id: '999999' }, [Role.ADMIN, Role.ACTUARY]);
    await expectRoles(h, `query { actuarialStudies { totalCount } }`, {}, [Role.ADMIN, Role.ACTUARY]);
  });
});

const EXPERIENCE = `mutation($input: RunExperienceStudyInput!) { runExperienceStudy(input: $input) { job { id } } }`;

describe('runExperienceStudy', () => {
  it('reports exposure, claims, incurred, earned premium, loss ratio and A/E per county; totals reconcile', async () => {
    // Both contracts ACTIVE with an accepted quote (expected claims cost = 80 % of the premium in the fixture).
    for (const [code, perCapita] of [
      [A, '30.00'],
      [B, '40.00'],
    ] as const) {
      const quote = await quoteContract(h, contractOf[code]!, { perCapita, insuredCount: 3 });
      await h.sql(
        `update county_contract set status = 'ACTIVE', accepted_quote_id = $2, total_premium = $3, endorsement_premium = $4 where id = $1`,
        [contractOf[code], quote.id, quote.totalPremium, code === B ? '-5.00' : '0.00'],
      );
    }
    // One of B's people left on 2020-02-29 (60 covered days).
    await h.sql(
      `update coverage set status = 'TERMINATED', end_reason = 'MOVED', ended_on = '2020-02-29' where id = $1`,
      [coverageOf[B]![2]],
    );

    // The latest programme-wide loss study (monthly, as in runLossStudy above) gives the IBNR shares.
    const loss = await h.rt.services.actuarial.runLossStudy(h.em(), SYSTEM_ACTOR, 'loss-for-experience', {
      granularity: 'MONTH',
      programmeYear: 2020,
      provinceCode: null,
      countyCode: null,
      tailFactor: 1,
      valuationDate: '2020-04-20',
    });
    const ibnrA = await h.rt.services.actuarial.ibnrShare(h.em(), { countyCode: A, programmeYear: 2020 });
    expect(Number(ibnrA)).toBeCloseTo(133.775, 1);

    const { startWorkers } = await import('../../jobs/worker');
    const workers = await startWorkers(h.rt, { queues: ['actuarial'] });
    let result: any;
    try {
      const res = await h.gql(EXPERIENCE, { input: { year: 2020 } }, actuary);
      expect(res.errors).toBeUndefined();
      const done = await waitForJob(h, actuary, res.data!.runExperienceStudy.job.id);
      expect(done.state).toBe('COMPLETED');
      expect(done.result).toMatchObject({ kind: 'EXPERIENCE', version: 1, counties: 2 });
      const study = await h.gql(
        `query($id: ID!) { actuarialStudy(id: $id) { kind parameters result } }`,
        { id: String(done.result.studyId) },
        actuary,
      );
      result = study.data!.actuarialStudy.result;
      expect(study.data!.actuarialStudy.parameters).toMatchObject({ year: 2020, asOf: '2020-04-20' });
    } finally {
      await workers.close();
    }
    // 2020-01-01 … 2020-04-20 = 111 days of 366.
    const a = result.counties.find((c: any) => c.countyCode === A);
    const b = result.counties.find((c: any) => c.countyCode === B);
    expect(a.exposure).toBeCloseTo((3 * 111) / 365, 12);
    expect(b.exposure).toBeCloseTo((2 * 111 + 60) / 365, 12);
    // A: 6 PAID (570) + 1 APPROVED (500); B: 6 PAID incl. the one paid on 04-21 (PAID by now; the rejected one is out).
    expect(a.claimCount).toBe(7);
    expect(a.paid).toBe('570.00');
    expect(a.approvedUnpaid).toBe('500.00');
    expect(b.claimCount).toBe(6);
    expect(b.paid).toBe('1161.00');
    expect(a.frequency).toBeCloseTo(7 / a.exposure, 12);
    expect(a.averagePayable).toBe((1070 / 7).toFixed(2));
    expect(result.ibnrStudy).toEqual({ id: loss.studyId, version: loss.version });
    expect(a.ibnr).toBe(ibnrA);
    expect(b.ibnr).toBe('22.75');
    expect(a.incurred).toBe(money(a.paid).plus(a.approvedUnpaid).plus(a.ibnr).toFixed(2));
    expect(a.premium).toBe('90.00');
    expect(b.premium).toBe('115.00');
    expect(a.earnedPremium).toBe(money(90).times(111).div(366).toFixed(2));
    expect(b.earnedPremium).toBe(money(115).times(111).div(366).toFixed(2));
    expect(a.expectedToDate).toBe(money(72).times(111).div(366).toFixed(2));
    expect(a.lossRatio).toBeCloseTo(Number(a.incurred) / Number(a.earnedPremium), 9);
    expect(a.actualToExpected).toBeCloseTo(Number(a.incurred) / Number(a.expectedToDate), 9);
    // Programme totals = sums of the counties.
    const t = result.totals;
    for (const f of [
      'payable',
      'paid',
      'approvedUnpaid',
      'ibnr',
      'incurred',
      'premium',
      'earnedPremium',
      'expectedToDate',
    ]) {
      expect(t[f]).toBe(money(a[f]).plus(b[f]).toFixed(2));
    }
    expect(t.claimCount).toBe(a.claimCount + b.claimCount);
    expect(t.insured).toBe(6);
    expect(t.exposure).toBeCloseTo(a.exposure + b.exposure, 12);
    expect(t.lossRatio).toBeCloseTo(Number(t.incurred) / Number(t.earnedPremium), 9);
  });

  it('refuses a year without a programme and checks roles', async () => {
    const res = await h.gql(EXPERIENCE, { input: { year: 2099 } }, actuary);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.year' });
    await expectRoles(h, EXPERIENCE, { input: { year: 2099 } }, [Role.ADMIN, Role.ACTUARY]);
  });
});
