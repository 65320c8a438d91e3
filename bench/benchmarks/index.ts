/** The benchmark registry, in the order `npm run bench` runs them. */
import type { Benchmark } from '../lib/types';
import { baselineSanity } from './baseline-sanity';
import { PLACEHOLDERS } from './placeholders';
import { priceProgramme } from './price-programme';

export const BENCHMARKS: readonly Benchmark[] = [baselineSanity, priceProgramme, ...PLACEHOLDERS];

export function findBenchmark(name: string): Benchmark | undefined {
  return BENCHMARKS.find((b) => b.name === name);
}
