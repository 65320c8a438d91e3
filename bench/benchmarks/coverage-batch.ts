/**
 * `coverage-batch`: `coverages(nationalIds)` with 1,000 random people of the data set in one
 * HTTP request to the product API (its own process, INTEGRATION token, access log written),
 * one request at a time. The bare baseline is the one `= ANY($1)` statement the product runs
 * (its prepared, access-logged form) over the same 1,000 precomputed look-up hashes, through
 * bare `pg` — no HTTP, no hashing, no GraphQL. Each repetition asks about the next 1,000 of a
 * shuffled sample; every answer is checked, entry by entry, in input order.
 */
import { LOGGED_LOOKUP_STATEMENT } from '../../src/modules/coverage/coverage.service';
import { SHARED_CORES_NOTE, type ReadyBenchmark } from '../lib/types';
import {
  createIntegrationToken,
  dropToken,
  LOOKUP_DATE,
  samplePeople,
  startProductApi,
  type BenchToken,
  type CoverageAnswerJson,
  type ChildServer,
  type SampledPerson,
  warmCache,
} from './coverage-common';

const BATCH = 1000;
const SETS = 20;
const TARGET_P50_MS = 60;
const TARGET_RATIO = 2.5;

const QUERY =
  'query Coverages($ids: [String!]!, $on: Date) { coverages(nationalIds: $ids, on: $on) { index error { reason } coverage { covered reason programmeYear county { code } deductibleLeft benefitLeft } } }';

export interface State {
  sets: SampledPerson[][];
  bodies: string[];
  hashes: Buffer[][];
  token: BenchToken;
  api: ChildServer;
  /** Which set each side asks next. */
  next: { product: number; baseline: number };
}

export interface BatchResult {
  set: number;
  kind: 'product' | 'baseline';
  /** Product: the entries; baseline: the rows. */
  entries?: { index: number; error: unknown; coverage: CoverageAnswerJson | null }[];
  rows?: { hash: string; county_code: string; programme_year: number }[];
}

export const coverageBatchBench: ReadyBenchmark<State, BatchResult> = {
  kind: 'ready',
  name: 'coverage-batch',
  work: `coverages with ${BATCH} IDs in one HTTP request (INTEGRATION token, access log written)`,
  compares: `one bare = ANY($1) statement over the same ${BATCH} hashes (the product's prepared statement, via pg)`,
  target: `p50 ≤ ${TARGET_P50_MS} ms, ≤ ${TARGET_RATIO}× baseline`,
  ratioKind: 'time',
  needs: ['coverages'],
  notes: [SHARED_CORES_NOTE, 'API in its own process; the baseline statement runs from the runner'],
  repetitions: { demo: 20, medium: 20, full: 20 },
  warmup: 2,
  async setup(ctx) {
    const people = await samplePeople(ctx.db.pg, BATCH * SETS, ctx.seed + 1);
    await warmCache(ctx.db.pg, people);
    const sets = Array.from({ length: SETS }, (_, i) => people.slice(i * BATCH, (i + 1) * BATCH));
    const token = await createIntegrationToken(ctx.db.pg, 'bench coverage-batch');
    const api = await startProductApi(ctx.db.url, ctx.log);
    return {
      sets,
      bodies: sets.map((set) =>
        JSON.stringify({
          operationName: 'Coverages',
          query: QUERY,
          variables: { ids: set.map((p) => p.nationalId), on: LOOKUP_DATE },
        }),
      ),
      hashes: sets.map((set) => set.map((p) => Buffer.from(p.hashHex, 'hex'))),
      token,
      api,
      next: { product: 0, baseline: 0 },
    };
  },
  async baseline(ctx, s) {
    const set = s.next.baseline++ % SETS;
    const { rows } = await ctx.db.pg.query<{ hash: string; county_code: string; programme_year: number }>({
      name: LOGGED_LOOKUP_STATEMENT.name,
      text: LOGGED_LOOKUP_STATEMENT.text,
      values: [s.hashes[set], null, null, s.token.id, 'GRAPHQL'],
    });
    return { set, kind: 'baseline', rows };
  },
  async run(_ctx, s) {
    const set = s.next.product++ % SETS;
    const res = await fetch(`${s.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token.secret}` },
      body: s.bodies[set],
    });
    const json = (await res.json()) as { data?: { coverages?: BatchResult['entries'] }; errors?: unknown[] };
    if (!res.ok || json.errors || !json.data?.coverages) {
      throw new Error(`HTTP ${res.status}: ${JSON.stringify(json.errors ?? json).slice(0, 300)}`);
    }
    return { set, kind: 'product', entries: json.data.coverages };
  },
  verify(_ctx, r, s) {
    const people = s.sets[r.set]!;
    const problems: string[] = [];
    if (r.kind === 'baseline') {
      const rows = r.rows ?? [];
      for (const p of people) {
        if (
          !rows.some(
            (x) => x.hash === p.hashHex && x.county_code === p.countyCode && x.programme_year === 2020,
          )
        ) {
          problems.push(`set ${r.set}: no 2020 coverage row for ${p.hashHex.slice(0, 12)}…`);
        }
      }
      return problems.slice(0, 10);
    }
    const entries = r.entries ?? [];
    if (entries.length !== people.length)
      problems.push(`set ${r.set}: ${entries.length} entries for ${people.length} IDs`);
    entries.forEach((e, i) => {
      const p = people[i];
      const c = e.coverage;
      if (!p) return;
      if (e.index !== i) problems.push(`entry ${i} has index ${e.index}`);
      else if (e.error || !c) problems.push(`entry ${i}: error ${JSON.stringify(e.error)}`);
      else if (c.county?.code !== p.countyCode || c.programmeYear !== 2020)
        problems.push(`entry ${i}: wrong coverage ${JSON.stringify(c)}`);
      else if (c.covered !== p.covered || (!p.covered && c.reason !== 'CONTRACT_NOT_ACTIVE'))
        problems.push(`entry ${i}: wrong answer ${JSON.stringify(c)}`);
      else if (!c.benefitLeft || !c.deductibleLeft) problems.push(`entry ${i}: no amounts left`);
    });
    return problems.slice(0, 10);
  },
  units: () => ({ count: BATCH, unit: 'look-ups' }),
  judge({ ratio, product, baseline }) {
    const p50 = product.stats.medianMs;
    const okP50 = p50 <= TARGET_P50_MS;
    const okRatio = ratio !== null && ratio <= TARGET_RATIO;
    return {
      pass: okP50 && okRatio,
      detail:
        `product p50 ${p50.toFixed(1)} ms ${okP50 ? '≤' : '>'} ${TARGET_P50_MS} ms; ` +
        `ratio ${ratio?.toFixed(2)} ${okRatio ? '≤' : '>'} ${TARGET_RATIO} (bare = ANY p50 ${baseline?.stats.medianMs.toFixed(1)} ms)`,
    };
  },
  async teardown(ctx, s) {
    await s.api.stop();
    const removed = await dropToken(ctx.db.pg, s.token);
    ctx.log(`  removed the bench token and its ${removed} access-log rows`);
  },
};
