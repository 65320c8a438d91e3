/**
 * `loss-study`: the monthly paid triangle + chain ladder over all claims through the product —
 * ActuarialStudyService.computeLossStudy, what the loss-study job runs before it stores the
 * study: one aggregate of paid claims by (county, programme year, origin month, lag), the
 * exact cumulative triangle, chain ladder with Mack's standard errors, IBNR allocated to
 * counties — against the bare SQL aggregate of the triangle cells (origin, lag, sum) with pg.
 * Storing the study (one insert of a small JSON document) is not timed.
 *
 * Claims: the reference generator does not make claims yet, so setup inserts synthetic PAID
 * claims set-based (one INSERT … SELECT over the coverages) unless this seed's are in place:
 * - each coverage has at most one claim, with probability = the default table CN-RURAL-2019's
 *   frequency for its band × gender (≈ 2 % a year; a Bernoulli stand-in for Poisson at this rate);
 * - eligible out-of-pocket log-normal(mu_band, 1.2) by Box–Muller, payable by BACKBONE-STD's
 *   tiers and cap (per claim, no annual aggregation: the triangle only needs amounts);
 * - admission uniform over the coverage period, paid 5 + Exp(mean 45) days later;
 * - every pseudo-random draw is md5(seed : coverage id : draw name) read as a 32-bit fraction,
 *   so the same seed gives the same claims in any order. Claim numbers are `BENCH-LS-<seed>-<id>`.
 * The valuation date is the end of the latest programme year, so payments after it are IBNR.
 */
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config/config';
import type { LossStudyParameters, LossStudyResult } from '../../src/modules/actuarial/study.service';
import { Money } from '../../src/shared/money';
import { benchPiiEnv } from '../lib/keys';
import type { ReadyBenchmark } from '../lib/types';

interface State {
  rt: Runtime;
  params: LossStudyParameters;
  expected: { count: number; paid: string };
}

type Result =
  | { kind: 'cells'; cells: { origin: number; lag: number; amount: string; n: number }[] }
  | { kind: 'study'; study: LossStudyResult };

const TARGET_RATIO = 1.5;
const TZ = 'Asia/Shanghai';

/** A uniform [0, 1) draw from md5(seed : coverage id : name) (first 32 bits). */
const U = (name: string) =>
  `(('x' || substr(md5($1::text || ':' || v.id || ':${name}'), 1, 8))::bit(32)::bigint + 0.5) / 4294967296.0`;

const INSERT_CLAIMS = `
insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status, flags,
  missing_documents, admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers,
  total_cost, basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop,
  rule_trace, idempotency_key, submitted_by_token_id, submitted_at, payable, approved_at, paid_at)
select 'BENCH-LS-' || $1 || '-' || id, insured_id, id, contract_id, county_code, programme_year, 'PAID', '{}', '{}',
       admission, admission + 2, 'Bench hospital', 'COUNTY', 'A09', '{}', x, 0, 0, 0, 0, x,
       '[]', 'BENCH-LS-' || $1 || '-' || id, 0, now(),
       least(30000, 0.4 * least(greatest(x - 1000, 0), 9000) + 0.5 * least(greatest(x - 10000, 0), 20000)
                    + 0.6 * greatest(x - 30000, 0))::numeric(14, 2),
       (admission + paid_lag + time '10:00') at time zone '${TZ}',
       (admission + paid_lag + time '10:00') at time zone '${TZ}'
  from (select v.id, v.insured_id, v.contract_id, v.county_code, v.programme_year,
               v.period_start + floor(${U('day')} * (v.period_end - v.period_start + 1))::int as admission,
               5 + floor(-45 * ln(${U('lag')}))::int as paid_lag,
               round(exp(case b.band when 0 then 7.3 when 1 then 7.4 when 2 then 7.5 else 7.6 end
                         + 1.2 * sqrt(-2 * ln(${U('z1')})) * cos(2 * pi() * ${U('z2')}))::numeric, 2) as x,
               ${U('claim')} < case b.band
                 when 0 then case i.gender when 'F' then 0.014 else 0.010 end
                 when 1 then case i.gender when 'F' then 0.016 else 0.014 end
                 when 2 then 0.020
                 else case i.gender when 'F' then 0.028 else 0.032 end end as has_claim
          from coverage v join insured i on i.id = v.insured_id
          cross join lateral (select date_part('year', age(v.period_start, i.birth_date))::int as age) a
          cross join lateral (select case when a.age < 30 then 0 when a.age < 40 then 1 when a.age < 50 then 2 else 3 end as band) b
       ) v
 where has_claim`;

const PAID_FILTER = `status = 'PAID' and paid_at is not null and payable is not null
  and (paid_at at time zone $1)::date <= $2::date and admission_date <= $2::date`;

const MONTH = (d: string) => `(extract(year from ${d})::int * 12 + extract(month from ${d})::int - 1)`;

/** The bare aggregate of triangle cells: origin month, lag in months, paid. */
const CELLS_SQL = `select origin, greatest(paid - origin, 0) as lag, sum(payable)::text as amount, count(*)::int as n
  from (select ${MONTH('admission_date')} as origin, ${MONTH('(paid_at at time zone $1)::date')} as paid, payable
          from claim where ${PAID_FILTER}) c
 group by 1, 2`;

export const lossStudy: ReadyBenchmark<State, Result> = {
  kind: 'ready',
  name: 'loss-study',
  work: 'monthly paid triangle + chain ladder (Mack s.e.) + IBNR by county over all claims (computeLossStudy)',
  compares: 'the bare SQL aggregate of triangle cells (origin, lag, sum) with pg',
  target: `triangle totals equal the claims paid; ≤ ${TARGET_RATIO}× baseline`,
  ratioKind: 'time',
  needs: ['coverages'],
  notes: [
    'in-process service call (no HTTP); client and PostgreSQL share the 2 cores',
    'synthetic PAID claims inserted by setup at the default table frequency (see the file header)',
  ],
  repetitions: { demo: 5, medium: 3, full: 3 },
  async setup(ctx) {
    const pg = ctx.db.pg;
    const seed = String(ctx.seed);
    const [{ mine, other }] = (
      await pg.query<{ mine: number; other: number }>(
        `select count(*) filter (where claim_number like $1)::int as mine,
                count(*) filter (where claim_number like 'BENCH-LS-%' and claim_number not like $1)::int as other
           from claim`,
        [`BENCH-LS-${seed}-%`],
      )
    ).rows as [{ mine: number; other: number }];
    if (other > 0) {
      ctx.log(`loss-study: removing ${other} synthetic claims of another seed`);
      await pg.query(`delete from claim where claim_number like 'BENCH-LS-%' and claim_number not like $1`, [
        `BENCH-LS-${seed}-%`,
      ]);
    }
    if (mine === 0) {
      const t0 = Date.now();
      const r = await pg.query(INSERT_CLAIMS, [seed]);
      await pg.query('analyze claim');
      ctx.log(`loss-study: inserted ${r.rowCount} synthetic PAID claims in ${Date.now() - t0} ms`);
    }
    const [{ last }] = (
      await pg.query<{ last: string }>(`select max(period_end)::text as last from coverage`)
    ).rows as [{ last: string }];
    const params: LossStudyParameters = {
      granularity: 'MONTH',
      programmeYear: null,
      provinceCode: null,
      countyCode: null,
      tailFactor: 1,
      valuationDate: last,
    };
    const [exp] = (
      await pg.query<{ count: number; paid: string }>(
        `select count(*)::int as count, coalesce(sum(payable), 0)::text as paid from claim where ${PAID_FILTER}`,
        [TZ, last],
      )
    ).rows as [{ count: number; paid: string }];
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: ctx.db.url,
      REDIS_URL: '',
      BUSINESS_TZ: TZ,
      ...benchPiiEnv(),
    });
    const rt = await createRuntime({ config, orm: ctx.db.orm });
    ctx.log(`loss-study: ${exp.count} claims paid by ${last}, ${exp.paid} in total`);
    return { rt, params, expected: exp };
  },
  async baseline(ctx, state) {
    const r = await ctx.db.pg.query<{ origin: number; lag: number; amount: string; n: number }>(CELLS_SQL, [
      TZ,
      state.params.valuationDate,
    ]);
    return { kind: 'cells', cells: r.rows };
  },
  async run(_ctx, state) {
    return { kind: 'study', study: await state.rt.services.actuarial.computeLossStudy(state.params) };
  },
  verify(_ctx, result, state) {
    const problems: string[] = [];
    const want = new Money(state.expected.paid);
    if (state.expected.count === 0) problems.push('no paid claims in the data set');
    if (result.kind === 'cells') {
      const n = result.cells.reduce((a, c) => a + c.n, 0);
      const paid = result.cells.reduce((a, c) => a.plus(c.amount), new Money(0));
      if (n !== state.expected.count)
        problems.push(`baseline: ${n} claims, expected ${state.expected.count}`);
      if (!paid.eq(want)) problems.push(`baseline: paid ${paid.toFixed(2)}, expected ${want.toFixed(2)}`);
      return problems;
    }
    const s = result.study;
    if (s.claimCount !== state.expected.count)
      problems.push(`product: ${s.claimCount} claims, expected ${state.expected.count}`);
    const cl = s.chainLadder;
    if (!cl) return [...problems, 'product: no chain ladder'];
    if (Math.abs(cl.totals.latest - want.toNumber()) > 1e-6 * Math.max(1, want.toNumber()))
      problems.push(`product: latest ${cl.totals.latest}, expected ${want.toFixed(2)}`);
    const countyPaid = s.ibnrByCounty.reduce((a, c) => a.plus(c.paid), new Money(0));
    if (!countyPaid.eq(want))
      problems.push(`product: county paid ${countyPaid.toFixed(2)} ≠ ${want.toFixed(2)}`);
    const countyIbnr = s.ibnrByCounty.reduce((a, c) => a + Number(c.ibnr), 0);
    if (
      Math.abs(countyIbnr - cl.totals.ibnr) >
      0.005 * s.ibnrByCounty.length + 1e-6 * Math.abs(cl.totals.ibnr)
    )
      problems.push(`product: county IBNR ${countyIbnr} ≠ total ${cl.totals.ibnr}`);
    if (!(cl.totals.ibnr > 0))
      problems.push(`product: IBNR ${cl.totals.ibnr} (payments after the valuation date should leave some)`);
    return problems;
  },
  units: (_ctx, state) => ({ count: state.expected.count, unit: 'claims' }),
  judge({ ratio }) {
    const ok = ratio !== null && ratio <= TARGET_RATIO;
    return { pass: ok, detail: `ratio ${ratio?.toFixed(2)} ${ok ? '≤' : '>'} ${TARGET_RATIO}` };
  },
  async teardown(_ctx, state) {
    await state.rt.queues.close();
    await state.rt.pg.end();
  },
};
