/**
 * `coverage`: `coverage(nationalId, on)` over HTTP from 32 connections (autocannon), random
 * people of the data set, against the product API in its own process, with an INTEGRATION
 * token (so every look-up also writes its access-log row, as in production). The bare
 * baseline is `node:http` + `pg` in its own process running the product's own prepared
 * statement (coverage-bare-server.ts). Both answer the same people in the same order, and
 * every response is checked against the answer worked out in SQL at setup.
 *
 * `BENCH_COVERAGE_ROLE=ADMIN` runs the product side with an ADMIN token instead (no access
 * log), to see what the log costs.
 */
import autocannon from 'autocannon';
import { Prng } from '../lib/prng';
import { SHARED_CORES_NOTE, type BenchContext, type ReadyBenchmark } from '../lib/types';
import {
  createIntegrationToken,
  dropToken,
  LOOKUP_DATE,
  samplePeople,
  startBareServer,
  startProductApi,
  type BenchToken,
  type CoverageAnswerJson,
  type ChildServer,
  type SampledPerson,
  warmCache,
} from './coverage-common';

const CONNECTIONS = 32;
const SAMPLE = 20_000;
const REQUESTS = { demo: 10_000, medium: 20_000, full: 20_000 } as const;
const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 30;

const QUERY =
  'query Coverage($id: String!, $on: Date) { coverage(nationalId: $id, on: $on) { covered reason programmeYear county { code } deductibleLeft benefitLeft } }';

export interface State {
  people: SampledPerson[];
  /** Request bodies in a shuffled order, the same for both sides. */
  productBodies: string[];
  bareBodies: string[];
  order: number[];
  token: BenchToken;
  productToken: string;
  api: ChildServer;
  bare: ChildServer | null;
  amount: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  checked: number;
  mismatches: string[];
  /** API resident memory after the run (product side). */
  rssBytes: number | null;
}

type Check = (person: SampledPerson, status: number, body: string) => string | null;

async function load(
  server: ChildServer,
  path: string,
  headers: Record<string, string>,
  bodies: readonly string[],
  state: State,
  check: Check,
): Promise<LoadResult> {
  let next = 0;
  let checked = 0;
  let wrong = 0;
  const mismatches: string[] = [];
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    amount: state.amount,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path,
        headers,
        setupRequest: (req, context) => {
          const i = state.order[next++ % state.order.length]!;
          (context as { i?: number }).i = i;
          return { ...req, body: bodies[i] };
        },
        onResponse: (status, body, context) => {
          checked += 1;
          const problem = check(state.people[(context as { i: number }).i]!, status, body);
          if (problem) {
            wrong += 1;
            if (mismatches.length < 10) mismatches.push(problem);
          }
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    checked,
    mismatches: wrong > mismatches.length ? [...mismatches, `… ${wrong} wrong answers in all`] : mismatches,
    rssBytes: server.rss(),
  };
}

const checkProduct: Check = (p, status, body) => {
  if (status !== 200) return `HTTP ${status}`;
  const res = JSON.parse(body) as { data?: { coverage?: CoverageAnswerJson }; errors?: unknown[] };
  const c = res.data?.coverage;
  if (!c || res.errors) return `errors: ${JSON.stringify(res.errors).slice(0, 200)}`;
  if (c.county?.code !== p.countyCode || c.programmeYear !== 2020)
    return `wrong coverage: ${JSON.stringify(c)}`;
  if (c.covered !== p.covered || (!p.covered && c.reason !== 'CONTRACT_NOT_ACTIVE'))
    return `wrong answer: ${JSON.stringify(c)}`;
  if (!c.benefitLeft || !c.deductibleLeft) return `no amounts left: ${JSON.stringify(c)}`;
  return null;
};

const checkBare: Check = (p, status, body) => {
  if (status !== 200) return `HTTP ${status}`;
  const { rows } = JSON.parse(body) as {
    rows: { hash: string; county_code: string; programme_year: number }[];
  };
  return rows.some((r) => r.hash === p.hashHex && r.county_code === p.countyCode && r.programme_year === 2020)
    ? null
    : `rows do not hold the person's 2020 coverage: ${JSON.stringify(rows).slice(0, 200)}`;
};

async function setUp(ctx: BenchContext, opts: { bare: boolean }): Promise<State> {
  const people = await samplePeople(ctx.db.pg, SAMPLE, ctx.seed);
  await warmCache(ctx.db.pg, people);
  const rng = Prng.of(ctx.seed, 'coverage-bench');
  const order = people.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const token = await createIntegrationToken(ctx.db.pg, 'bench coverage');
  let productToken = token.secret;
  if (process.env.BENCH_COVERAGE_ROLE === 'ADMIN') {
    const admin = await createIntegrationToken(ctx.db.pg, 'bench coverage (admin)');
    await ctx.db.pg.query(`update api_token set role = 'ADMIN' where id = $1`, [admin.id]);
    productToken = admin.secret;
    ctx.log('  product side with an ADMIN token: no access log');
  }
  const api = await startProductApi(ctx.db.url, ctx.log);
  const bare = opts.bare
    ? await startBareServer(ctx.db.url, token.id, ctx.log).catch(async (err: unknown) => {
        await api.stop();
        throw err;
      })
    : null;
  return {
    people,
    order,
    productBodies: people.map((p) =>
      JSON.stringify({
        operationName: 'Coverage',
        query: QUERY,
        variables: { id: p.nationalId, on: LOOKUP_DATE },
      }),
    ),
    bareBodies: people.map((p) => JSON.stringify({ nationalId: p.nationalId, on: LOOKUP_DATE })),
    token,
    productToken,
    api,
    bare,
    amount: REQUESTS[ctx.scale],
  };
}

async function tearDown(ctx: BenchContext, s: State): Promise<void> {
  await Promise.all([s.api.stop(), s.bare?.stop()]);
  const removed = await dropToken(ctx.db.pg, s.token);
  if (s.productToken !== s.token.secret) {
    await ctx.db.pg.query(`delete from api_token where prefix = $1`, [s.productToken.slice(0, 10)]);
  }
  ctx.log(`  removed the bench token and its ${removed} access-log rows`);
}

const productLoad = (s: State, amount = s.amount) =>
  load(
    s.api,
    '/graphql',
    { 'content-type': 'application/json', authorization: `Bearer ${s.productToken}` },
    s.productBodies,
    { ...s, amount },
    checkProduct,
  );

export const coverageBench: ReadyBenchmark<State, LoadResult> = {
  kind: 'ready',
  name: 'coverage',
  work: `coverage(nationalId) over HTTP, ${CONNECTIONS} connections, random people, INTEGRATION token (access log written)`,
  compares:
    'bare node:http + pg handler running the same prepared statement (HMAC, statement, JSON), same pool size',
  target: `≥ ${TARGET_RATIO}× baseline throughput; p99 ≤ ${TARGET_P99_MS} ms`,
  ratioKind: 'throughput',
  needs: ['coverages'],
  notes: [SHARED_CORES_NOTE, 'API and bare server each in their own process; autocannon in the runner'],
  repetitions: { demo: 3, medium: 3, full: 3 },
  warmup: 1,
  setup: (ctx) => setUp(ctx, { bare: true }),
  baseline: (_ctx, s) =>
    load(s.bare!, '/', { 'content-type': 'application/json' }, s.bareBodies, s, checkBare),
  run: (_ctx, s) => productLoad(s),
  verify(ctx, r, s) {
    const problems = [...r.mismatches];
    if (r.errors) problems.push(`${r.errors} connection errors or timeouts`);
    if (r.non2xx) problems.push(`${r.non2xx} non-2xx responses`);
    if (r.checked < s.amount) problems.push(`only ${r.checked} of ${s.amount} responses checked`);
    ctx.log(
      `    ${r.requests} requests, ${r.rps.toFixed(0)} req/s (autocannon), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
    );
    return problems;
  },
  units: (_ctx, s) => ({ count: s.amount, unit: 'requests' }),
  judge({ ratio, product, baseline }) {
    const p99 = product.last.p99Ms;
    const okRatio = ratio !== null && ratio >= TARGET_RATIO;
    const okP99 = p99 <= TARGET_P99_MS;
    const rss = product.last.rssBytes;
    return {
      pass: okRatio && okP99,
      detail:
        `throughput ratio ${ratio?.toFixed(2)} ${okRatio ? '≥' : '<'} ${TARGET_RATIO}; ` +
        `product p99 ${p99} ms ${okP99 ? '≤' : '>'} ${TARGET_P99_MS} ms (bare p99 ${baseline?.last.p99Ms} ms); ` +
        `API RSS after the run ${rss ? `${(rss / 2 ** 20).toFixed(0)} MB` : 'unknown'}`,
    };
  },
  teardown: tearDown,
};

const MAX_RSS_MB = 300;

/**
 * `api-memory`: the API's resident memory after a `coverage` run — the same load (warm-up and
 * repetitions of the `coverage` benchmark, back to back) against a fresh API process.
 */
export const apiMemoryBench: ReadyBenchmark<State, LoadResult> = {
  kind: 'ready',
  name: 'api-memory',
  work: 'API process RSS after the coverage run (the same look-ups, INTEGRATION token)',
  compares: '– (absolute)',
  target: `≤ ${MAX_RSS_MB} MB`,
  ratioKind: 'time',
  needs: ['coverages'],
  notes: ['API in its own process; RSS from /proc after the load'],
  repetitions: { demo: 1, medium: 1, full: 1 },
  warmup: 0,
  setup: (ctx) => setUp(ctx, { bare: false }),
  baseline: null,
  run: (_ctx, s) => productLoad(s, s.amount * 4),
  verify: (_ctx, r) => [
    ...r.mismatches,
    ...(r.errors || r.non2xx ? [`${r.errors} errors, ${r.non2xx} non-2xx`] : []),
  ],
  units: (_ctx, s) => ({ count: s.amount * 4, unit: 'requests' }),
  judge({ product }) {
    const rss = product.last.rssBytes;
    const mb = rss === null ? null : rss / 2 ** 20;
    const ok = mb !== null && mb <= MAX_RSS_MB;
    return {
      pass: ok,
      detail:
        mb === null
          ? 'RSS unknown (no /proc)'
          : `API RSS ${mb.toFixed(0)} MB ${ok ? '≤' : '>'} ${MAX_RSS_MB} MB`,
    };
  },
  teardown: tearDown,
};
