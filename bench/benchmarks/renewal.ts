/**
 * `renewal`: the renewal run of the data set through the product — RenewalService.executeRun,
 * what the `renewal-run` job runs: per county in its own transaction the successor contract,
 * the roster carried with one INSERT … SELECT (drops counted by reason), the experience
 * aggregates, the experience-rated quote (roster GROUP BYs of both years, the engine, saved
 * quote, QUOTED, audited) and the report — against the bare INSERT … SELECT of the successor
 * contracts and coverages with the same eligibility filter (pg, one transaction).
 *
 * The data set has DRAFT contracts for 2019 and 2020 and a roster for each. Rather than
 * destroy 2020 (other benchmarks price it), the run renews 2020 into a third year, 2021:
 * setup makes the 2020 contracts EXPIRED with an accepted premium (30.00 per capita × the
 * enrolled count) and adds a 2021 programme copied from 2020; teardown removes every 2021
 * row and the programme and puts the 2020 contracts back to DRAFT without premiums (the data
 * set's own state). Each repetition of either side first deletes the 2021 contracts,
 * coverages, quotes and runs left by the previous one with the same statements, inside its
 * timed section, so both sides pay the same clean-up.
 */
import type { Pool } from 'pg';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config/config';
import type { RenewalRunSummary } from '../../src/modules/renewals/renewal.service';
import { benchPiiEnv } from '../lib/keys';
import type { ReadyBenchmark } from '../lib/types';

const FROM = 2020;
const TO = 2021;
const TARGET_RATIO = 2;

interface State {
  rt: Runtime;
  contracts: number;
  /** Coverages the successor rosters must hold (computed once, untimed). */
  expected: number;
}

type Result =
  { kind: 'bare'; contracts: number; coverages: number } | { kind: 'product'; summary: RenewalRunSummary };

const ELIGIBLE = `
  from coverage v
  join county_contract s on s.predecessor_id = v.contract_id
  join insured i on i.id = v.insured_id
  join benefit_plan bp on bp.id = s.plan_id
 where s.programme_year = ${TO} and v.status = 'ENROLLED' and i.registered_poor
   and i.birth_date <= s.period_start - make_interval(years => bp.min_age)
   and i.birth_date > s.period_start - make_interval(years => bp.max_age + 1)`;

const SUCCESSORS = `
  insert into county_contract (county_code, programme_id, programme_year, plan_id, period_start, period_end, predecessor_id, status)
  select c.county_code, n.id, ${TO}, coalesce(n.default_plan_id, c.plan_id),
         (c.period_start + interval '1 year')::date, (c.period_end + interval '1 year')::date, c.id, 'DRAFT'
    from county_contract c join programme n on n.year = ${TO}
   where c.programme_year = ${FROM} and c.status in ('ACTIVE', 'EXPIRED')
     and not exists (select 1 from county_contract x where x.predecessor_id = c.id)`;

/** Removes what a repetition of either side left for the third year. */
async function cleanUp(pg: Pool): Promise<void> {
  await pg.query(`delete from renewal_run where from_year = ${FROM}`);
  await pg.query(
    `delete from quote where contract_id in (select id from county_contract where programme_year = ${TO})`,
  );
  await pg.query(`delete from coverage where programme_year = ${TO}`);
  await pg.query(`delete from county_contract where programme_year = ${TO}`);
}

export const renewal: ReadyBenchmark<State, Result> = {
  kind: 'ready',
  name: 'renewal',
  work: `renewal run ${FROM} → ${TO} of the data set (per county: successor, roster INSERT … SELECT, experience, quote, report)`,
  compares: 'bare INSERT … SELECT of the successor contracts and coverages, same eligibility filter (pg)',
  target: `every county renewed, every eligible person carried; ≤ ${TARGET_RATIO}× baseline`,
  ratioKind: 'time',
  needs: ['coverages'],
  notes: [
    `renews ${FROM} into a generated ${TO} (setup expires ${FROM} at 30.00 per capita; teardown restores the data set)`,
    'in-process service call (no job queue); client and PostgreSQL share the 2 cores',
  ],
  repetitions: { demo: 5, medium: 3, full: 3 },
  async setup(ctx) {
    const pg = ctx.db.pg;
    await cleanUp(pg);
    await pg.query(
      `insert into programme (year, name, budget, default_plan_id, default_rate_table_id, carry_over_share, renewal_window_days)
       select ${TO}, 'Programme ${TO} (renewal bench)', budget, default_plan_id, default_rate_table_id, carry_over_share, renewal_window_days
         from programme where year = ${FROM} on conflict (year) do nothing`,
    );
    await pg.query(
      `update county_contract c
          set status = 'EXPIRED', accepted_quote_id = null, insured_count = n.n,
              per_capita_premium = 30.00, total_premium = 30.00 * n.n
         from (select contract_id, count(*)::int as n from coverage where programme_year = ${FROM} and status = 'ENROLLED' group by 1) n
        where n.contract_id = c.id and c.programme_year = ${FROM}`,
    );
    const [{ contracts }] = (
      await pg.query<{ contracts: number }>(
        `select count(*)::int as contracts from county_contract where programme_year = ${FROM} and status = 'EXPIRED'`,
      )
    ).rows as [{ contracts: number }];
    // The expected carried count: the successors written once in a rolled-back transaction.
    const client = await pg.connect();
    let expected = 0;
    try {
      await client.query('begin');
      await client.query(SUCCESSORS);
      expected = Number((await client.query<{ n: string }>(`select count(*) as n ${ELIGIBLE}`)).rows[0]!.n);
      await client.query('rollback');
    } finally {
      client.release();
    }
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: ctx.db.url,
      REDIS_URL: '',
      ...benchPiiEnv(),
    });
    const rt = await createRuntime({ config, orm: ctx.db.orm });
    ctx.log(`renewal: ${contracts} contracts of ${FROM}, ${expected} people to carry into ${TO}`);
    return { rt, contracts, expected };
  },
  async baseline(ctx) {
    await cleanUp(ctx.db.pg);
    const client = await ctx.db.pg.connect();
    try {
      await client.query('begin');
      const s = await client.query(SUCCESSORS);
      const v = await client.query(
        `insert into coverage (insured_id, contract_id, programme_year, county_code, period_start, period_end)
         select v.insured_id, s.id, s.programme_year, s.county_code, s.period_start, s.period_end ${ELIGIBLE}
         on conflict (insured_id, programme_year) do nothing`,
      );
      await client.query('commit');
      return { kind: 'bare', contracts: s.rowCount ?? 0, coverages: v.rowCount ?? 0 };
    } catch (err) {
      await client.query('rollback');
      throw err;
    } finally {
      client.release();
    }
  },
  async run(ctx, state) {
    await cleanUp(ctx.db.pg);
    const r = await ctx.db.pg.query<{ id: number }>(
      `insert into renewal_run (from_year, to_year, trigger, status, created_by_role) values (${FROM}, ${TO}, 'MANUAL', 'QUEUED', 'SYSTEM') returning id`,
    );
    const summary = await state.rt.services.renewals.executeRun(ctx.db.orm.em, r.rows[0]!.id);
    return { kind: 'product', summary };
  },
  verify(_ctx, result, state) {
    const problems: string[] = [];
    if (result.kind === 'bare') {
      if (result.contracts !== state.contracts)
        problems.push(`bare: ${result.contracts} successors, want ${state.contracts}`);
      if (result.coverages !== state.expected)
        problems.push(`bare: ${result.coverages} coverages, want ${state.expected}`);
      return problems;
    }
    const s = result.summary;
    if (s.renewed !== state.contracts || s.failed || s.skipped)
      problems.push(`renewed ${s.renewed}, skipped ${s.skipped}, failed ${s.failed} of ${state.contracts}`);
    if (s.carried + s.added !== state.expected)
      problems.push(`carried ${s.carried} + added ${s.added}, want ${state.expected}`);
    return problems;
  },
  units: (_ctx, state) => ({ count: state.expected, unit: 'coverages' }),
  judge({ ratio }) {
    const ok = ratio !== null && ratio <= TARGET_RATIO;
    return { pass: ok, detail: `ratio ${ratio?.toFixed(2)} ${ok ? '≤' : '>'} ${TARGET_RATIO}` };
  },
  async teardown(ctx, state) {
    await cleanUp(ctx.db.pg);
    await ctx.db.pg.query(
      `delete from programme_funding where programme_id in (select id from programme where year = ${TO})`,
    );
    await ctx.db.pg.query(`delete from programme where year = ${TO}`);
    await ctx.db.pg.query(
      `update county_contract set status = 'DRAFT', accepted_quote_id = null, insured_count = null, per_capita_premium = null, total_premium = null
        where programme_year = ${FROM} and status = 'EXPIRED'`,
    );
    await state.rt.queues.close();
    await state.rt.pg.end();
  },
};
