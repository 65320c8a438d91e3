/** The benchmark registry, in the order `npm run bench` runs them. */
import type { Benchmark } from '../lib/types';
import { baselineSanity } from './baseline-sanity';
import { PLACEHOLDERS } from './placeholders';

export const BENCHMARKS: readonly Benchmark[] = [baselineSanity, ...PLACEHOLDERS];

export function findBenchmark(name: string): Benchmark | undefined {
  return BENCHMARKS.find((b) => b.name === name);
}
