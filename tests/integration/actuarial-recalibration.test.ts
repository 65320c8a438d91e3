import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { waitForJob } from '../helpers/jobs';
import { seedReferenceData } from '../factories/reference';
import { createDefaults, createPricedProgramme } from '../factories/pricing';
import { Prng } from '../../bench/lib/prng';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import { RateTable, RateTableStatus } from '../../src/modules/pricing/rate-table.entity';

/**
 * Claims generated from known parameters (seeded PRNG) for one programme year; the proposal
 * must recover frequency per band × gender and the log-normal mu/sigma per band within
 * sampling error, and blend them with the current table by Z = min(1, sqrt(claims / 300)).
 */
let h: Harness;
let actuary: string;
let table: RateTable;
let studyId: number;

const COUNTY = '513432'; // Sichuan: area factor 1.25 in the test table
const AREA = 1.25;
const BASE = '2022-07-01';
const TREND = 0.06;
const FULL = 300;
const BANDS = ['18-29', '30-39', '40-49', '50-60'] as const;
const AGE_AT_START: Record<string, number> = { '18-29': 25, '30-39': 35, '40-49': 45, '50-60': 55 };
const TRUE_FREQ: Record<string, Record<'F' | 'M', number>> = {
  '18-29': { F: 0.4, M: 0.3 },
  '30-39': { F: 0.45, M: 0.4 },
  '40-49': { F: 0.55, M: 0.55 },
  '50-60': { F: 0.7, M: 0.8 },
};
const TRUE_SEV: Record<string, { mu: number; sigma: number }> = {
  '18-29': { mu: 7.3, sigma: 1.2 },
  '30-39': { mu: 7.4, sigma: 1.2 },
  '40-49': { mu: 7.5, sigma: 1.1 },
  '50-60': { mu: 7.6, sigma: 1.3 },
};
const PER_CELL = 600; // of whom the last quarter leave on 2022-06-30 (181 covered days)
const LEAVERS = 150;

const generated = {
  claims: {} as Record<string, number>,
  logs: {} as Record<string, number[]>,
};

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const isoOf = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startHarness({ now: '2023-02-01T04:00:00Z' });
  await seedReferenceData(h);
  const defaults = await createDefaults(h);
  actuary = await h.token(Role.ACTUARY);
  const em = h.em();
  table = em.create(RateTable, {
    code: 'TEST-RECAL',
    version: 1,
    status: RateTableStatus.PUBLISHED,
    baseDate: BASE,
    frequency: Object.fromEntries(BANDS.map((b) => [b, { F: 0.2, M: 0.2 }])) as never,
    severity: Object.fromEntries(BANDS.map((b) => [b, { mu: 7.0, sigma: 1.0 }])) as never,
    areaFactors: { '51': AREA },
    annualTrend: TREND,
    expenseLoading: 0.08,
    riskMargin: 0.04,
    minPremium: '20.00',
    fullCredibilityClaims: FULL,
    maxRateChange: 0.25,
    publishedAt: new Date(),
  });
  await em.flush();
  const { contracts } = await createPricedProgramme(h, 2022, [{ code: COUNTY }], {
    plan: defaults.plan,
    table,
  });
  const contract = contracts[0]!;

  // People and coverages, set-based.
  let n = 0;
  const rng = Prng.of(20221, 'recalibration');
  const cov: number[] = [];
  const adm: string[] = [];
  const oop: string[] = [];
  for (const band of BANDS) {
    for (const gender of ['F', 'M'] as const) {
      const birth = `${2022 - AGE_AT_START[band]! - 1}-06-15`;
      const ids = await h.sql<{ id: number }>(
        `insert into insured (id_hash, id_ciphertext, id_key_id, id_masked, name, gender, birth_date, household_id,
                              county_code, id_region, registered_poor)
         select decode(md5('recal-' || ($1::int + g)), 'hex'), 'x', 'test', '5134**********0000', '测试人', $2, $3,
                'HH-' || ($1::int + g), $4, $4, true
           from generate_series(1, $5) g returning id`,
        [n, gender, birth, COUNTY, PER_CELL],
      );
      n += PER_CELL;
      const covs = await h.sql<{ id: number; insured_id: number }>(
        `insert into coverage (insured_id, contract_id, programme_year, county_code, period_start, period_end, status, ended_on)
         select i.id, $2, 2022, $3, '2022-01-01', '2022-12-31',
                case when o > $4 then 'TERMINATED' else 'ENROLLED' end, case when o > $4 then date '2022-06-30' end
           from unnest($1::int[]) with ordinality as i(id, o) returning id, insured_id`,
        [ids.map((r) => r.id), contract.id, COUNTY, PER_CELL - LEAVERS],
      );
      const leavers = new Set(ids.slice(PER_CELL - LEAVERS).map((r) => r.id));
      const key = `${band}|${gender}`;
      generated.claims[key] = 0;
      generated.logs[band] ??= [];
      for (const c of covs) {
        const days = leavers.has(c.insured_id) ? 181 : 365;
        // Poisson(λ · area · t) by inversion.
        const mean = TRUE_FREQ[band]![gender] * AREA * (days / 365);
        let k = 0;
        let p = Math.exp(-mean);
        let cdf = p;
        const u = rng.next();
        while (u > cdf) {
          k += 1;
          p *= mean / k;
          cdf += p;
        }
        for (let j = 0; j < k; j++) {
          const admission = day('2022-01-01') + Math.floor(rng.next() * days);
          // Severity at the admission date: mu trended from the base date.
          const mu = TRUE_SEV[band]!.mu + Math.log(1 + TREND) * ((admission - day(BASE)) / 365);
          const x = Math.max(
            0.01,
            Math.round(Math.exp(mu + TRUE_SEV[band]!.sigma * rng.normal()) * 100) / 100,
          );
          cov.push(c.id);
          adm.push(isoOf(admission));
          oop.push(x.toFixed(2));
          generated.claims[key] += 1;
          generated.logs[band]!.push(Math.log(x) - Math.log(1 + TREND) * ((admission - day(BASE)) / 365));
        }
      }
    }
  }
  await h.sql(
    `insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status, flags,
       missing_documents, admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers,
       total_cost, basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop,
       rule_trace, idempotency_key, submitted_by_token_id, submitted_at, payable, paid_at)
     select 'CLM-GEN-' || o, v.insured_id, v.id, v.contract_id, v.county_code, 2022,
            case when o % 2 = 0 then 'PAID' else 'APPROVED' end, '{}', '{}', a, a, 'H', 'COUNTY', 'A87.9', '{}',
            x, 0, 0, 0, 0, x, '[]', 'CLM-GEN-' || o, 1, now(), 0, case when o % 2 = 0 then now() end
       from unnest($1::int[], $2::date[], $3::numeric[]) with ordinality as c(cov, a, x, o)
       join coverage v on v.id = c.cov`,
    [cov, adm, oop],
  );
  // Rejected claims do not count.
  await h.sql(
    `insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status, flags,
       missing_documents, admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers,
       total_cost, basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop,
       rule_trace, idempotency_key, submitted_by_token_id, submitted_at)
     select 'CLM-REJ-' || v.id, v.insured_id, v.id, v.contract_id, v.county_code, 2022, 'REJECTED', '{}', '{}',
            '2022-03-01', '2022-03-02', 'H', 'COUNTY', 'A87.9', '{}', 99999, 0, 0, 0, 0, 99999, '[]', 'CLM-REJ-' || v.id, 1, now()
       from coverage v where v.programme_year = 2022 limit 50`,
  );
  const study = await h.rt.services.actuarial.runExperienceStudy(
    h.em(),
    SYSTEM_ACTOR,
    'experience-2022-test',
    {
      year: 2022,
      asOf: '2022-12-31',
    },
  );
  studyId = study.studyId;
}, 120_000);
afterAll(async () => h?.close());

const PROPOSE = `mutation($input: ProposeRateTableInput!) { proposeRateTable(input: $input) { job { id state } } }`;
const TABLE = `query($id: ID!) { rateTable(id: $id) {
  id code version status baseDate sourceStudyId frequency { band gender frequency } severity { band mu sigma } areaFactors { provinceCode factor } annualTrend fullCredibilityClaims
  evidence } }`;

const BAND_ENUM: Record<string, string> = {
  '18-29': 'BAND_18_29',
  '30-39': 'BAND_30_39',
  '40-49': 'BAND_40_49',
  '50-60': 'BAND_50_60',
};

describe('proposeRateTable', () => {
  it('recovers frequency and mu/sigma within sampling error and blends them by credibility into a DRAFT', async () => {
    const total = Object.values(generated.claims).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(2500); // a few thousand claims

    const { startWorkers } = await import('../../jobs/worker');
    const workers = await startWorkers(h.rt, { queues: ['actuarial'] });
    let done: Record<string, any>;
    try {
      const res = await h.gql(PROPOSE, { input: { studyId: String(studyId) } }, actuary);
      expect(res.errors).toBeUndefined();
      done = await waitForJob(h, actuary, res.data!.proposeRateTable.job.id, undefined, 60_000);
    } finally {
      await workers.close();
    }
    expect(done.state).toBe('COMPLETED');
    expect(done.progress.percent).toBe(100);
    expect(done.result).toMatchObject({ code: 'TEST-RECAL', version: 2, studyId, claims: total });
    const read = await h.gql(TABLE, { id: String(done.result.rateTableId) }, actuary);
    expect(read.errors).toBeUndefined();
    const { evidence, ...t } = read.data!.rateTable;
    expect(t).toMatchObject({
      code: 'TEST-RECAL',
      version: 2,
      status: 'DRAFT',
      baseDate: BASE,
      sourceStudyId: String(studyId),
      annualTrend: TREND,
      fullCredibilityClaims: FULL,
      areaFactors: [{ provinceCode: '51', factor: AREA }],
    });
    expect(evidence).toMatchObject({ studyId, programmeYear: 2022, asOf: '2022-12-31', trendedTo: BASE });
    expect(evidence.basedOn).toMatchObject({ rateTableId: table.id, version: 1 });

    for (const band of BANDS) {
      for (const gender of ['F', 'M'] as const) {
        const e = evidence.frequency.find((x: any) => x.band === band && x.gender === gender);
        // Exposure is exact: area-weighted insured-years, terminated coverages to their last day.
        expect(e.exposure).toBeCloseTo(AREA * (PER_CELL - LEAVERS + (LEAVERS * 181) / 365), 9);
        expect(e.claims).toBe(generated.claims[`${band}|${gender}`]);
        const truth = TRUE_FREQ[band]![gender];
        const se = Math.sqrt(truth / e.exposure);
        expect(Math.abs(e.raw - truth)).toBeLessThan(4 * se);
        expect(e.z).toBeCloseTo(Math.min(1, Math.sqrt(e.claims / FULL)), 12);
        expect(e.blended).toBeCloseTo(e.z * e.raw + (1 - e.z) * 0.2, 12);
        const cell = t.frequency.find((c: any) => c.band === BAND_ENUM[band] && c.gender === gender);
        expect(cell.frequency).toBeCloseTo(e.blended, 12);
      }
      const s = evidence.severity.find((x: any) => x.band === band);
      const logs = generated.logs[band]!;
      const mu = logs.reduce((a, b) => a + b, 0) / logs.length;
      const sigma = Math.sqrt(logs.reduce((a, b) => a + (b - mu) ** 2, 0) / logs.length);
      // The SQL summary gives exactly the MLE of the trended-back logs…
      expect(s.n).toBe(logs.length);
      expect(s.rawMu).toBeCloseTo(mu, 9);
      expect(s.rawSigma).toBeCloseTo(sigma, 9);
      // …which recovers the generating parameters within sampling error.
      const truth = TRUE_SEV[band]!;
      expect(Math.abs(s.rawMu - truth.mu)).toBeLessThan((4 * truth.sigma) / Math.sqrt(s.n));
      expect(Math.abs(s.rawSigma - truth.sigma)).toBeLessThan((4 * truth.sigma) / Math.sqrt(2 * s.n));
      expect(s.z).toBe(1); // every band has more than 300 claims
      const sev = t.severity.find((x: any) => x.band === BAND_ENUM[band]);
      expect(sev.mu).toBeCloseTo(s.blended.mu, 12);
      expect(sev.sigma).toBeCloseTo(s.blended.sigma, 12);
    }
    // Some cells are below full credibility, some at it.
    const zs = evidence.frequency.map((e: any) => e.z);
    expect(zs.some((z: number) => z < 1)).toBe(true);
    expect(zs.some((z: number) => z === 1)).toBe(true);
    const [stored] = await h.sql(
      `select source_study_id, evidence is not null as has_evidence from rate_table where id = $1`,
      [t.id],
    );
    expect(stored).toEqual({ source_study_id: studyId, has_evidence: true });
  });

  it('stores one table per job: a retried attempt returns the table its first attempt stored', async () => {
    const first = await h.rt.services.actuarial.proposeRateTable(
      h.em(),
      SYSTEM_ACTOR,
      'propose-retry-test',
      studyId,
    );
    const again = await h.rt.services.actuarial.proposeRateTable(
      h.em(),
      SYSTEM_ACTOR,
      'propose-retry-test',
      studyId,
    );
    expect(again).toEqual(first);
    const other = await h.rt.services.actuarial.proposeRateTable(
      h.em(),
      SYSTEM_ACTOR,
      'propose-other-job',
      studyId,
    );
    expect(other.version).toBe(first.version + 1);
    const [n] = await h.sql(
      `select count(*)::int as n from rate_table where evidence ->> 'jobId' = 'propose-retry-test'`,
    );
    expect(n).toEqual({ n: 1 });
  });

  it('refuses a study without a programme year, an unknown study, and checks roles', async () => {
    const loss = await h.rt.services.actuarial.runLossStudy(h.em(), SYSTEM_ACTOR, 'loss-no-year', {
      granularity: 'YEAR',
      programmeYear: null,
      provinceCode: null,
      countyCode: null,
      tailFactor: 1,
      valuationDate: '2023-01-31',
    });
    const noYear = await h.gql(PROPOSE, { input: { studyId: String(loss.studyId) } }, actuary);
    expect(noYear.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.studyId',
      reason: 'NO_YEAR',
    });
    const unknown = await h.gql(PROPOSE, { input: { studyId: '987654' } }, actuary);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.studyId' });
    await expectRoles(h, PROPOSE, { input: { studyId: '987654' } }, [Role.ADMIN, Role.ACTUARY]);
  });
});
