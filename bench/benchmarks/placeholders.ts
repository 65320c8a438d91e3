/**
 * The benchmarks of spec/performance.md whose product code does not exist yet. They are
 * registered so `npm run bench` lists them as "not yet implemented" — never skipped silently,
 * never a pass. Each issue replaces its entry here with a real benchmark.
 */
import type { PlaceholderBenchmark } from '../lib/types';

function todo(b: Omit<PlaceholderBenchmark, 'kind'>): PlaceholderBenchmark {
  return { kind: 'not-implemented', ...b };
}

export const PLACEHOLDERS: readonly PlaceholderBenchmark[] = [
  todo({
    name: 'import',
    work: 'roster import of 1 M rows into a database already holding 4 M people (parse, validate IDs, hash and encrypt, merge)',
    compares: 'COPY of the same rows with hash and ciphertext precomputed, then the same set-based merge SQL',
    target: '≥ 40 k rows/s end to end, ≤ 1.5× baseline; worker RSS ≤ 300 MB',
    issue: 'enrollment: roster import',
    notes: [],
  }),
];
