/**
 * Benchmark runner: `npm run bench -- [name…] [--scale demo|medium|full] [--seed N]`
 * (compiled: `node dist/bench/run.js …`). See bench/README.md.
 *
 * For each benchmark: make sure the bench database holds the data set, set up, then one or
 * more untimed warm-ups and N timed repetitions of the bare baseline and the product,
 * alternating which goes first so drift on a shared machine hits both alike. Every result is
 * verified (untimed) — a fast wrong answer is a failure, never a time. Prints one table and
 * writes one JSON file per benchmark run under bench/results/. Exit code 1 when any
 * benchmark fails or errors; placeholders are listed as not implemented and never pass.
 */
import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import { BENCHMARKS, findBenchmark } from './benchmarks';
import { ensureDataSet, GENERATOR_STEPS, type EnsureResult, type GeneratorStep } from './generator';
import { ArgsError, parseArgs, recoverNpmFlags, USAGE, type RunArgs } from './lib/args';
import { benchDatabaseUrl, openBenchDb, redactUrl, type BenchDb } from './lib/db';
import { machineInfo, type MachineInfo } from './lib/machine';
import { formatTable, sideSummary, writeResult, type ResultRow } from './lib/report';
import { summarise, timed } from './lib/stats';
import type { BenchContext, PlaceholderBenchmark, ReadyBenchmark, Side } from './lib/types';

const MIN_TIMED_MS = 3000;
const MAX_REPETITIONS = 50;

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

async function main(): Promise<number> {
  let args: RunArgs;
  try {
    args = parseArgs(
      recoverNpmFlags(process.argv.slice(2), process.env, (n) => findBenchmark(n) !== undefined),
    );
  } catch (err) {
    if (err instanceof ArgsError) {
      log(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    for (const b of BENCHMARKS) {
      const state = b.kind === 'ready' ? 'ready' : `not yet implemented (issue: ${b.issue})`;
      console.log(
        `${b.name.padEnd(16)} ${state}\n${' '.repeat(17)}product:  ${b.work}\n${' '.repeat(17)}baseline: ${b.compares}\n${' '.repeat(17)}target:   ${b.target}`,
      );
    }
    return 0;
  }
  const unknown = args.names.filter((n) => !findBenchmark(n));
  if (unknown.length) {
    log(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = args.names.length ? args.names.map((n) => findBenchmark(n)!) : [...BENCHMARKS];
  const ready = selected.filter((b): b is ReadyBenchmark<unknown, unknown> => b.kind === 'ready');
  const steps: GeneratorStep[] =
    args.generateOnly && args.names.length === 0
      ? [...GENERATOR_STEPS]
      : [...new Set(ready.flatMap((b) => b.needs))];

  const startedAt = new Date();
  const rows: ResultRow[] = [];
  let db: BenchDb | undefined;
  let dataSet: EnsureResult | undefined;
  let machine: MachineInfo | undefined;
  try {
    if (steps.length) {
      const url = benchDatabaseUrl(args.scale);
      log(`bench database: ${redactUrl(url)}`);
      db = await openBenchDb(url);
      if (db.created) log(`  created; applied ${db.migrationsApplied.length} migration(s)`);
      else if (db.migrationsApplied.length)
        log(`  applied ${db.migrationsApplied.length} pending migration(s)`);
      const t0 = Date.now();
      dataSet = await ensureDataSet(db, {
        scale: args.scale,
        seed: args.seed,
        steps,
        force: args.regenerate,
        workers: args.workers,
        log,
      });
      if (Object.keys(dataSet.ran).length)
        log(`data set ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      else
        log(
          `data set in place (${args.scale}, seed ${args.seed}): ${dataSet.plan.totals.insured} insured, ${dataSet.plan.totals.coverages} coverages`,
        );
      machine = await machineInfo(db.pg);
    }
    if (args.generateOnly) {
      if (dataSet)
        console.log(
          JSON.stringify(
            { scale: args.scale, seed: args.seed, totals: dataSet.plan.totals, ran: dataSet.ran },
            null,
            2,
          ),
        );
      return 0;
    }

    for (const b of selected) {
      if (b.kind === 'not-implemented') {
        rows.push(placeholderRow(b, args));
        continue;
      }
      const ctx: BenchContext = { scale: args.scale, seed: args.seed, db: db!, plan: dataSet!.plan, log };
      log(`running ${b.name} …`);
      const row = await runOne(b, ctx, args);
      rows.push(row);
      const file = writeResult(startedAt, b.name, {
        benchmark: b.name,
        startedAt: startedAt.toISOString(),
        args: { scale: args.scale, seed: args.seed, reps: args.reps ?? null, warmup: args.warmup ?? null },
        result: row,
        machine,
        database: { url: redactUrl(db!.url), name: db!.name },
        dataSet: { marker: dataSet!.marker, generatedThisRun: dataSet!.ran, totals: dataSet!.plan.totals },
      });
      log(`  wrote ${file}`);
    }
  } finally {
    await db?.close();
  }

  console.log('');
  console.log(formatTable(rows));
  if (machine) {
    console.log(
      `\nmachine: ${machine.cores} cores (${machine.cpuModel}), ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, ` +
        `node ${machine.node}, PostgreSQL ${machine.postgres.settings.server_version ?? '?'}; ` +
        `ratio: time = product/baseline median time (≤ target is good), thr = product/baseline throughput (≥ target is good)`,
    );
  }
  return rows.some((r) => r.status === 'FAIL' || r.status === 'ERROR') ? 1 : 0;
}

function placeholderRow(b: PlaceholderBenchmark, args: RunArgs): ResultRow {
  return {
    name: b.name,
    scale: args.scale,
    seed: args.seed,
    status: 'NOT IMPLEMENTED',
    work: b.work,
    compares: b.compares,
    target: b.target,
    ratioKind: null,
    ratio: null,
    units: null,
    repetitions: 0,
    warmup: 0,
    baseline: null,
    product: null,
    verdict: '',
    problems: [],
    notes: [...b.notes],
    issue: b.issue,
  };
}

async function runOne<S, R>(b: ReadyBenchmark<S, R>, ctx: BenchContext, args: RunArgs): Promise<ResultRow> {
  const repetitions = args.reps ?? b.repetitions?.[ctx.scale] ?? (ctx.scale === 'demo' ? 5 : 3);
  const warmup = args.warmup ?? b.warmup ?? 1;
  const row: ResultRow = {
    name: b.name,
    scale: ctx.scale,
    seed: ctx.seed,
    status: 'ERROR',
    work: b.work,
    compares: b.compares,
    target: b.target,
    ratioKind: b.ratioKind,
    ratio: null,
    units: null,
    repetitions,
    warmup,
    baseline: null,
    product: null,
    verdict: '',
    problems: [],
    notes: [...b.notes],
  };
  let state: S | undefined;
  const loadBefore = loadavg()[0]!;
  try {
    state = await b.setup(ctx);
    const s = state;
    const check = (label: string, result: R): void => {
      for (const p of b.verify(ctx, result, s)) row.problems.push(`${label}: ${p}`);
    };
    const sides = {
      baseline: b.baseline
        ? { fn: b.baseline, samples: [] as number[], last: undefined as R | undefined }
        : null,
      product: { fn: b.run, samples: [] as number[], last: undefined as R | undefined },
    };
    // Untimed, before every call of either side (benchmarks whose work changes the data).
    const reset = async (): Promise<void> => {
      if (b.reset) await b.reset(ctx, s);
    };
    for (let i = 0; i < warmup; i++) {
      if (sides.baseline) {
        await reset();
        check('baseline (warm-up)', await sides.baseline.fn(ctx, s));
      }
      await reset();
      check('product (warm-up)', await sides.product.fn(ctx, s));
    }
    // A wrong warm-up answer ends it: no time is reported for a wrong answer.
    if (row.problems.length === 0) {
      // At least `repetitions`, and more (up to MAX_REPETITIONS) until each side has run for
      // MIN_TIMED_MS: a median of five 80 ms runs on a busy machine is mostly noise.
      const enough = (i: number): boolean =>
        i >= repetitions &&
        (i >= MAX_REPETITIONS ||
          [sides.baseline, sides.product].every(
            (x) => !x || x.samples.reduce((a, v) => a + v, 0) >= MIN_TIMED_MS,
          ));
      for (let i = 0; !enough(i); i++) {
        const order = [sides.baseline, sides.product].filter((x) => x !== null);
        if (i % 2 === 1) order.reverse();
        for (const side of order) {
          await reset();
          const { ms, result } = await timed(() => side.fn(ctx, s));
          side.samples.push(ms);
          side.last = result;
          check(side === sides.product ? `product (rep ${i + 1})` : `baseline (rep ${i + 1})`, result);
        }
      }
    }
    row.repetitions = sides.product.samples.length;
    if (row.problems.length) {
      row.status = 'FAIL';
      row.verdict = 'no time reported for a wrong answer';
      return row;
    }
    const units = b.units(ctx, s);
    row.units = units;
    const product: Side<R> = { stats: summarise(sides.product.samples), last: sides.product.last as R };
    const baseline: Side<R> | null = sides.baseline
      ? { stats: summarise(sides.baseline.samples), last: sides.baseline.last as R }
      : null;
    row.product = sideSummary(product.stats, units);
    row.baseline = baseline ? sideSummary(baseline.stats, units) : null;
    row.ratio = baseline
      ? b.ratioKind === 'time'
        ? product.stats.medianMs / baseline.stats.medianMs
        : baseline.stats.medianMs / product.stats.medianMs
      : null;
    const load = Math.max(loadBefore, loadavg()[0]!);
    if (load > cpus().length) {
      row.notes.push(
        `machine busy: 1-min load ${load.toFixed(1)} on ${cpus().length} cores, figures are noisy`,
      );
    }
    const verdict = b.judge({ baseline, product, ratio: row.ratio, work: units });
    row.status = verdict.pass ? 'PASS' : 'FAIL';
    row.verdict = verdict.detail;
    return row;
  } catch (err) {
    row.status = 'ERROR';
    row.error = err instanceof Error ? err.message : String(err);
    log(`  ${b.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return row;
  } finally {
    if (state !== undefined && b.teardown)
      await b
        .teardown(ctx, state)
        .catch((err: unknown) => log(`  teardown of ${b.name} failed: ${String(err)}`));
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
