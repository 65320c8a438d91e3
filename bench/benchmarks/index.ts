/** The benchmark registry, in the order `npm run bench` runs them. */
import type { Benchmark } from '../lib/types';
import { baselineSanity } from './baseline-sanity';
import { priceProgramme } from './price-programme';
import { lossStudy } from './loss-study';
import { apiMemoryBench, coverageBench } from './coverage';
import { coverageBatchBench } from './coverage-batch';
import { renewal } from './renewal';
import { claimsBench } from './claims';
import { importBench } from './import';

export const BENCHMARKS: readonly Benchmark[] = [
  baselineSanity,
  priceProgramme,
  coverageBench,
  coverageBatchBench,
  apiMemoryBench,
  renewal,
  lossStudy,
  claimsBench,
  importBench,
];

export function findBenchmark(name: string): Benchmark | undefined {
  return BENCHMARKS.find((b) => b.name === name);
}
