/** What a benchmark is, and what the runner hands it. */
import type { BenchDb } from './db';
import type { DataSetPlan, Scale } from '../generator/plan';
import type { GeneratorStep } from '../generator';

export type Log = (message: string) => void;

export interface BenchContext {
  scale: Scale;
  seed: number;
  db: BenchDb;
  plan: DataSetPlan;
  log: Log;
}

/** Units of work one repetition does, for throughput (`count / median time`). */
export interface Work {
  count: number;
  /** Plural noun: 'coverages', 'rows', 'requests', 'claims'. */
  unit: string;
}

export interface SampleStats {
  /** Timed repetitions, in milliseconds, in the order they ran. */
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface Side<R> {
  stats: SampleStats;
  /** The last repetition's result (every one was verified). */
  last: R;
}

/**
 * `time`: ratio = product median time / baseline median time (lower is better; the target
 * reads "≤ 1.5× baseline"). `throughput`: ratio = product throughput / baseline throughput
 * (higher is better; the target reads "≥ 0.6× baseline throughput").
 */
export type RatioKind = 'time' | 'throughput';

export interface Verdict {
  pass: boolean;
  /** Which targets held or not, in words. */
  detail: string;
}

export interface JudgeInput<R> {
  baseline: Side<R> | null;
  product: Side<R>;
  ratio: number | null;
  work: Work;
}

export interface ReadyBenchmark<S, R> {
  kind: 'ready';
  name: string;
  /** What the product does, in one line. */
  work: string;
  /** The bare baseline, in one line. */
  compares: string;
  target: string;
  ratioKind: RatioKind;
  /** Generator steps the benchmark's data needs. */
  needs: readonly GeneratorStep[];
  /** Shown next to the figures (e.g. that the load generator shares the cores). */
  notes: readonly string[];
  /** Timed repetitions per scale (default 5 / 3 / 3), after `warmup` untimed ones (default 1). */
  repetitions?: Partial<Record<Scale, number>>;
  warmup?: number;
  setup(ctx: BenchContext): Promise<S>;
  /**
   * Untimed, before every call of `baseline` and `run` (warm-ups included): puts the data back
   * for benchmarks whose work changes it (an import adds people and coverages).
   */
  reset?(ctx: BenchContext, state: S): Promise<void>;
  /** The bare stack doing the same work; null for benchmarks without one (api-memory). */
  baseline: ((ctx: BenchContext, state: S) => Promise<R>) | null;
  run(ctx: BenchContext, state: S): Promise<R>;
  /** Problems with a result (empty when it is right). Runs on every result, untimed. */
  verify(ctx: BenchContext, result: R, state: S): string[];
  units(ctx: BenchContext, state: S): Work;
  judge(input: JudgeInput<R>): Verdict;
  teardown?(ctx: BenchContext, state: S): Promise<void>;
}

export interface PlaceholderBenchmark {
  kind: 'not-implemented';
  name: string;
  work: string;
  compares: string;
  target: string;
  /** The issue that will implement it. */
  issue: string;
  notes: readonly string[];
}

// The registry holds benchmarks of different state and result types; the runner only passes
// each one's own values back to it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Benchmark = ReadyBenchmark<any, any> | PlaceholderBenchmark;

export const SHARED_CORES_NOTE = 'load generator shares the 2 cores with server and PostgreSQL';
