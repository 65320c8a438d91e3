/**
 * `claims`: submit + auto-adjudicate N claims over HTTP (`submitClaim`, the product's own
 * validation, placement, rules, coverage lock and audit) from 16 concurrent clients, several
 * claims per person, against the product API in its own process (production mode, a fixed clock) on loopback with the bench database
 * and the bench PII keys — versus the bare `pg` transaction from 16 clients: insert the claim,
 * lock the coverage row, update its running totals (payable from the same benefit function).
 *
 * Each repetition (both sides) uses a fresh group of people (2020 coverages with no claims
 * and zero totals), so repetitions are independent and no clean-up sits inside a timed run;
 * if the groups run out, the group is cleaned and reused (inside the run, charged to it).
 * The 2020 contracts are made ACTIVE for the run (the data set leaves them DRAFT) and put
 * back, and every claim, document, audit event and token the benchmark wrote is removed in
 * teardown, with the coverages' totals reset to zero.
 */
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config/config';
import { createOrm } from '../../src/db/orm';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import { Role } from '../../src/modules/auth/api-token.entity';
import { decryptId } from '../../src/modules/enrollment/pii-crypto';
import { benefitExact } from '../../src/modules/pricing/engine/benefit';
import type { BenefitPlanTerms } from '../../src/modules/pricing/engine/types';
import { addDays, type IsoDate } from '../../src/shared/dates';
import { money, toFen } from '../../src/shared/money';
import { benchKeys, benchPiiEnv } from '../lib/keys';
import { apiNodeArgs, distRoot, freePort, startChild, type ChildServer } from './coverage-common';
import { SHARED_CORES_NOTE, type BenchContext, type ReadyBenchmark } from '../lib/types';

const CLIENTS = 16;
const POOL_MAX = 16;
const CLAIMS_PER_PERSON = 5;
const TARGET_RATIO = 0.15;
const TARGET_RATE = 500;
/** Groups of people set aside (one per repetition of either side) before reuse. */
const MAX_GROUPS = 24;
const KEY_PREFIX = 'bench-claims:';
const YEAR = 2020;
/** The product's clock: claims of the 2020 programme year, inside the filing window. */
const NOW = '2020-12-20T02:00:00Z';

interface Person {
  coverageId: number;
  insuredId: number;
  contractId: number;
  countyCode: string;
  nationalId: string;
  periodStart: IsoDate;
  annualCap: string;
  terms: BenefitPlanTerms;
}

interface Job {
  person: Person;
  /** Eligible out-of-pocket (whole yuan). */
  x: number;
  admission: IsoDate;
  discharge: IsoDate;
}

interface State {
  rt: Runtime;
  api: ChildServer;
  url: string;
  tokenId: number;
  secret: string;
  baseline: Pool;
  groups: Person[][];
  nextGroup: number;
  used: Set<number>;
  claimsPerRun: number;
  contracts: { id: number; status: string; activatedAt: Date | null }[];
  seq: number;
}

interface Result {
  side: 'product' | 'baseline';
  submitted: number;
  errors: string[];
  statuses: Record<string, number>;
  /** Coverages of the run whose totals differ from the sums of their claims, or exceed the cap. */
  mismatches: string[];
  overCap: string[];
  atCap: number;
}

function claimsTotal(ctx: BenchContext): number {
  return ctx.scale === 'demo' ? 5_000 : ctx.scale === 'medium' ? 50_000 : 50_000;
}

/** Deterministic per-claim amounts and dates: x in [2,000, 16,000] (payable ≤ 9,600 < the auto-approve limit). */
function jobsFor(group: Person[], seed: number): Job[] {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
  const jobs: Job[] = [];
  // Round-robin: claim k of every person, then k + 1 … (same-person claims interleave across clients).
  for (let k = 0; k < CLAIMS_PER_PERSON; k++) {
    for (const person of group) {
      const admission = addDays(person.periodStart, 10 + k * 30 + Math.floor(rnd() * 10));
      jobs.push({
        person,
        x: 2000 + Math.floor(rnd() * 14) * 1000,
        admission,
        discharge: addDays(admission, 3),
      });
    }
  }
  return jobs;
}

async function pool<T>(
  items: readonly T[],
  workers: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i]!, i);
      }
    }),
  );
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const SUBMIT = `mutation($input: SubmitClaimInput!) { submitClaim(input: $input) { replayed claim { status } } }`;

async function takeGroup(ctx: BenchContext, state: State): Promise<Person[]> {
  const i = state.nextGroup++ % state.groups.length;
  const group = state.groups[i]!;
  if (state.used.has(i))
    await cleanCoverages(
      state.baseline,
      group.map((p) => p.coverageId),
    );
  state.used.add(i);
  void ctx;
  return group;
}

/** Removes the benchmark's claims (and their documents, audit events) of these coverages and zeroes their totals. */
async function cleanCoverages(pg: Pool, coverageIds: number[] | null): Promise<number> {
  const client = await pg.connect();
  try {
    await client.query('begin');
    const del = await client.query<{ id: number; coverage_id: number }>(
      `delete from claim where idempotency_key like $1 ${coverageIds ? 'and coverage_id = any($2::int[])' : ''}
       returning id, coverage_id`,
      coverageIds ? [`${KEY_PREFIX}%`, coverageIds] : [`${KEY_PREFIX}%`],
    );
    const ids = del.rows.map((r) => String(r.id));
    if (ids.length)
      await client.query(
        `delete from audit_event where entity_type = 'Claim' and entity_id = any($1::text[])`,
        [ids],
      );
    const covs = coverageIds ?? [...new Set(del.rows.map((r) => r.coverage_id))];
    if (covs.length)
      await client.query(
        'update coverage set eligible_approved = 0, benefit_approved = 0, benefit_paid = 0 where id = any($1::int[])',
        [covs],
      );
    await client.query('commit');
    return del.rowCount ?? 0;
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
}

/** Checks, in SQL, the coverages of a run: totals = sums of their claims, nothing above the cap. */
async function checkCoverages(
  pg: Pool,
  group: Person[],
): Promise<Pick<Result, 'mismatches' | 'overCap' | 'atCap' | 'statuses'>> {
  const ids = group.map((p) => p.coverageId);
  const { rows } = await pg.query<{
    id: number;
    eligible: string;
    benefit: string;
    ce: string;
    cb: string;
    cap: string;
  }>(
    `select c.id, c.eligible_approved::text as eligible, c.benefit_approved::text as benefit,
            coalesce(s.e, 0)::text as ce, coalesce(s.b, 0)::text as cb, p.annual_cap::text as cap
       from coverage c
       join county_contract k on k.id = c.contract_id
       join benefit_plan p on p.id = k.plan_id
       left join (select coverage_id, sum(eligible_oop) as e, sum(payable) as b from claim
                   where coverage_id = any($1::int[]) and status in ('APPROVED', 'PAID') group by coverage_id) s
              on s.coverage_id = c.id
      where c.id = any($1::int[])`,
    [ids],
  );
  const mismatches: string[] = [];
  const overCap: string[] = [];
  let atCap = 0;
  for (const r of rows) {
    if (!money(r.eligible).eq(r.ce) || !money(r.benefit).eq(r.cb))
      mismatches.push(`coverage ${r.id}: totals ${r.eligible}/${r.benefit}, claims ${r.ce}/${r.cb}`);
    if (money(r.benefit).gt(r.cap)) overCap.push(`coverage ${r.id}: benefit ${r.benefit} > cap ${r.cap}`);
    if (money(r.benefit).eq(r.cap)) atCap++;
  }
  const st = await pg.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from claim where coverage_id = any($1::int[]) and idempotency_key like $2 group by status`,
    [ids, `${KEY_PREFIX}%`],
  );
  return { mismatches, overCap, atCap, statuses: Object.fromEntries(st.rows.map((r) => [r.status, r.n])) };
}

export const claimsBench: ReadyBenchmark<State, Result> = {
  kind: 'ready',
  name: 'claims',
  work: 'submit + auto-adjudicate N claims over HTTP (submitClaim), 16 concurrent clients, 5 per person (demo 5 k, medium 50 k)',
  compares: 'bare pg transaction from 16 clients: insert claim, lock (FOR UPDATE) and update coverage totals',
  target: `≥ ${TARGET_RATE} claims/s, ≥ ${TARGET_RATIO}× baseline; caps never exceeded, totals = sums of claims`,
  ratioKind: 'throughput',
  needs: ['coverages'],
  notes: [
    SHARED_CORES_NOTE,
    'API in its own process on loopback (production mode, info-level request logs to /dev/null); both sides 16 DB connections',
    'product clock fixed at 2020-12-20 (claims of the 2020 programme year, inside the filing window)',
  ],
  repetitions: { demo: 3, medium: 3, full: 3 },
  async setup(ctx) {
    const n = claimsTotal(ctx);
    const perGroup = Math.ceil(n / CLAIMS_PER_PERSON);
    // People with a 2020 coverage, their ID issued in the county (no ID_REGION_MISMATCH flag),
    // no claims, zero totals.
    await cleanCoverages(ctx.db.pg, null);
    // Earlier runs leave dead rows behind; a production database has autovacuum for them (this
    // machine's PostgreSQL runs with it off), so start both sides from vacuumed tables.
    await ctx.db.pg.query(
      'vacuum analyze claim, claim_document, claim_sequence, audit_event, outbox_event, coverage',
    );
    const { rows } = await ctx.db.pg.query<{
      coverage_id: number;
      insured_id: number;
      contract_id: number;
      county_code: string;
      id_ciphertext: string;
      period_start: string;
      deductible: string;
      annual_cap: string;
      tiers: { upTo: string | null; ratio: string }[];
    }>(
      `select c.id as coverage_id, c.insured_id, c.contract_id, c.county_code, i.id_ciphertext,
              c.period_start::text as period_start, p.deductible::text as deductible, p.annual_cap::text as annual_cap, p.tiers
         from coverage c
         join insured i on i.id = c.insured_id
         join county_contract k on k.id = c.contract_id
         join benefit_plan p on p.id = k.plan_id
        where c.programme_year = $1 and c.status = 'ENROLLED' and i.id_region = c.county_code
          and c.eligible_approved = 0 and c.benefit_approved = 0
          and not exists (select 1 from claim x where x.insured_id = c.insured_id)
          and (select count(*) from coverage o where o.insured_id = c.insured_id and o.programme_year = $1) = 1
        order by hashint4(c.id # $2), c.id
        limit $3`,
      [YEAR, ctx.seed, perGroup * MAX_GROUPS],
    );
    if (rows.length < perGroup)
      throw new Error(`only ${rows.length} people without claims, need ${perGroup}`);
    const keyring = { [benchKeys().encKey.id]: benchKeys().encKey.key };
    const people: Person[] = rows.map((r) => ({
      coverageId: r.coverage_id,
      insuredId: r.insured_id,
      contractId: r.contract_id,
      countyCode: r.county_code,
      nationalId: decryptId(r.id_ciphertext, keyring),
      periodStart: r.period_start as IsoDate,
      annualCap: r.annual_cap,
      terms: {
        deductible: Number(r.deductible),
        annualCap: Number(r.annual_cap),
        tiers: r.tiers.map((t) => ({
          upTo: t.upTo === null ? null : Number(t.upTo),
          ratio: Number(t.ratio),
        })),
      },
    }));
    const groups: Person[][] = [];
    for (let i = 0; i + perGroup <= people.length; i += perGroup) groups.push(people.slice(i, i + perGroup));
    ctx.log(`  claims: ${n} per run, ${groups.length} groups of ${perGroup} people`);

    // The 2020 contracts in force for the run (restored in teardown).
    const k = await ctx.db.pg.query<{ id: number; status: string; activated_at: Date | null }>(
      'select id, status, activated_at from county_contract where programme_year = $1',
      [YEAR],
    );
    await ctx.db.pg.query(
      `update county_contract set status = 'ACTIVE', activated_at = coalesce(activated_at, now()) where programme_year = $1`,
      [YEAR],
    );

    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: ctx.db.url,
      REDIS_URL: '',
      DB_POOL_MAX: '2',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...benchPiiEnv(),
    });
    // This process keeps a small runtime for the token and the clean-up; the API serving the
    // claims runs in its own process, as in production (clients are never in its event loop).
    const orm = await createOrm({ url: ctx.db.url, poolMax: 2 });
    const rt = await createRuntime({ config, orm });
    const port = await freePort();
    const api = await startChild(
      join(distRoot(), 'bench', 'benchmarks', 'claims-api-server.js'),
      [],
      {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        PORT: String(port),
        DATABASE_URL: ctx.db.url,
        REDIS_URL: process.env.BENCH_REDIS_URL ?? '',
        QUEUE_PREFIX: 'bench-claims',
        DB_POOL_MAX: String(POOL_MAX),
        LOG_LEVEL: 'info',
        EXPLORER_ENABLED: 'false',
        BENCH_NOW: NOW,
        ...benchPiiEnv(),
      },
      port,
      'product API (claims)',
      ctx.log,
      apiNodeArgs(),
    );
    const url = `${api.url}/graphql`;
    const { token, secret } = await rt.services.tokens.create(orm.em.fork(), SYSTEM_ACTOR, {
      name: 'bench claims',
      role: Role.CLAIMS_REVIEWER,
    });
    return {
      rt,
      api,
      url,
      tokenId: token.id,
      secret,
      baseline: new Pool({ connectionString: ctx.db.url, max: POOL_MAX }),
      groups,
      nextGroup: 0,
      used: new Set(),
      claimsPerRun: perGroup * CLAIMS_PER_PERSON,
      contracts: k.rows.map((r) => ({ id: r.id, status: r.status, activatedAt: r.activated_at })),
      seq: 0,
    };
  },
  async baseline(ctx, state) {
    const group = await takeGroup(ctx, state);
    const run = ++state.seq;
    const jobs = jobsFor(group, ctx.seed + run);
    const errors: string[] = [];
    await pool(jobs, CLIENTS, async (job, i) => {
      const client = await state.baseline.connect();
      try {
        await client.query('begin');
        const cov = await client.query<{ e: string; b: string }>({
          name: 'bench-claims-lock',
          text: 'select eligible_approved::text as e, benefit_approved::text as b from coverage where id = $1 for update',
          values: [job.person.coverageId],
        });
        const before = money(cov.rows[0]!.e);
        const after = before.plus(job.x);
        const payable = toFen(benefitExact(job.person.terms, after)).minus(
          toFen(benefitExact(job.person.terms, before)),
        );
        await client.query({
          name: 'bench-claims-insert',
          text: `insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status, flags,
                   missing_documents, admission_date, discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers,
                   total_cost, basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop,
                   prior_eligible, payable, rule_trace, idempotency_key, submitted_by_token_id, submitted_at, decided_at, approved_at)
                 values ($1, $2, $3, $4, $5, $6, 'APPROVED', '{}', '{}', $7, $8, 'H', 'COUNTY', 'A87.9', $9, $10, $11, 0, 0, 0, $11,
                         $12, $13, '[]', $1, $14, now(), now(), now())`,
          values: [
            `${KEY_PREFIX}b${run}:${i}`,
            job.person.insuredId,
            job.person.coverageId,
            job.person.contractId,
            job.person.countyCode,
            YEAR,
            job.admission,
            job.discharge,
            [`B-${run}-${i}`],
            (job.x * 2).toFixed(2),
            job.x.toFixed(2),
            before.toFixed(2),
            payable.toFixed(2),
            state.tokenId,
          ],
        });
        await client.query({
          name: 'bench-claims-update',
          text: 'update coverage set eligible_approved = eligible_approved + $2, benefit_approved = benefit_approved + $3 where id = $1',
          values: [job.person.coverageId, job.x.toFixed(2), payable.toFixed(2)],
        });
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        errors.push((err as Error).message);
      } finally {
        client.release();
      }
    });
    return {
      side: 'baseline',
      submitted: jobs.length,
      errors: errors.slice(0, 5),
      ...(await checkCoverages(state.baseline, group)),
    };
  },
  async run(ctx, state) {
    const group = await takeGroup(ctx, state);
    const run = ++state.seq;
    const jobs = jobsFor(group, ctx.seed + run);
    const errors: string[] = [];
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${state.secret}` };
    await pool(jobs, CLIENTS, async (job, i) => {
      const tag = `${run}-${i}`;
      const input = {
        nationalId: job.person.nationalId,
        admissionDate: job.admission,
        dischargeDate: job.discharge,
        hospitalName: '县人民医院',
        hospitalLevel: 'COUNTY',
        diagnosisCode: 'A87.9',
        invoiceNumbers: [`INV-${tag}`],
        totalCost: (job.x * 2).toFixed(2),
        basicInsurancePaid: job.x.toFixed(2),
        criticalIllnessPaid: '0.00',
        medicalAssistancePaid: '0.00',
        excludedCost: '0.00',
        documents: [
          { kind: 'INVOICE', sha256: sha(`i${tag}`), storageKey: `bench/${tag}/invoice.pdf` },
          { kind: 'DISCHARGE_SUMMARY', sha256: sha(`d${tag}`), storageKey: `bench/${tag}/discharge.pdf` },
        ],
        settlementNumber: null,
        idempotencyKey: `${KEY_PREFIX}p${tag}`,
      };
      try {
        const res = await fetch(state.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: SUBMIT, variables: { input } }),
        });
        const body = (await res.json()) as { errors?: { message: string }[] };
        if (body.errors) errors.push(body.errors[0]!.message);
      } catch (err) {
        errors.push((err as Error).message);
      }
    });
    return {
      side: 'product',
      submitted: jobs.length,
      errors: errors.slice(0, 5),
      ...(await checkCoverages(state.baseline, group)),
    };
  },
  verify(_ctx, r, state) {
    const problems: string[] = [];
    if (r.errors.length) problems.push(`${r.side}: errors, e.g. ${r.errors.join(' | ')}`);
    const total = Object.values(r.statuses).reduce((a, v) => a + v, 0);
    if (total !== state.claimsPerRun)
      problems.push(`${r.side}: ${total} claims stored, submitted ${state.claimsPerRun}`);
    if ((r.statuses.APPROVED ?? 0) !== state.claimsPerRun)
      problems.push(`${r.side}: not all auto-approved: ${JSON.stringify(r.statuses)}`);
    problems.push(...r.mismatches.slice(0, 5), ...r.overCap.slice(0, 5));
    if (r.atCap === 0) problems.push(`${r.side}: no person reached the cap (the cap is never exercised)`);
    return problems;
  },
  units: (_ctx, state) => ({ count: state.claimsPerRun, unit: 'claims' }),
  judge({ ratio, product, work }) {
    const rate = work.count / (product.stats.medianMs / 1000);
    const ok = ratio !== null && ratio >= TARGET_RATIO && rate >= TARGET_RATE;
    return {
      pass: ok,
      detail: `${rate.toFixed(0)} claims/s ${rate >= TARGET_RATE ? '≥' : '<'} ${TARGET_RATE}; ratio ${ratio?.toFixed(3)} ${
        ratio !== null && ratio >= TARGET_RATIO ? '≥' : '<'
      } ${TARGET_RATIO}`,
    };
  },
  async teardown(ctx, state) {
    await state.api.stop();
    const removed = await cleanCoverages(ctx.db.pg, null);
    for (const c of state.contracts)
      await ctx.db.pg.query('update county_contract set status = $2, activated_at = $3 where id = $1', [
        c.id,
        c.status,
        c.activatedAt,
      ]);
    await ctx.db.pg.query(`delete from audit_event where entity_type = 'ApiToken' and entity_id = $1`, [
      String(state.tokenId),
    ]);
    await ctx.db.pg.query('delete from api_token where id = $1', [state.tokenId]);
    ctx.log(`  claims: removed ${removed} benchmark claims, restored ${state.contracts.length} contracts`);
    await state.baseline.end();
    await state.rt.close();
  },
};
