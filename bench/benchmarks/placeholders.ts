/**
 * The benchmarks of spec/performance.md whose product code does not exist yet. They are
 * registered so `npm run bench` lists them as "not yet implemented" — never skipped silently,
 * never a pass. Each issue replaces its entry here with a real benchmark.
 */
import { SHARED_CORES_NOTE, type PlaceholderBenchmark } from '../lib/types';

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
  todo({
    name: 'coverage',
    work: 'coverage(nationalId) over HTTP, 32 connections, random people of the full set',
    compares:
      'bare node:http + pg handler running the same SQL in the same mode (prepared if the product prepares)',
    target: '≥ 0.6× baseline throughput; p99 ≤ 30 ms',
    issue: 'coverage: integration look-ups',
    notes: [SHARED_CORES_NOTE],
  }),
  todo({
    name: 'coverage-batch',
    work: 'coverages with 1,000 IDs over HTTP',
    compares: 'one bare = ANY($1) query',
    target: 'p50 ≤ 60 ms, ≤ 2.5× baseline',
    issue: 'coverage: integration look-ups',
    notes: [SHARED_CORES_NOTE],
  }),
  todo({
    name: 'claims',
    work: 'submit + auto-adjudicate 50 k claims over HTTP, 16 concurrent clients, many per person',
    compares: 'bare pg transaction from 16 clients: insert claim, lock and update coverage totals',
    target: '≥ 500 claims/s, ≥ 0.15× baseline; caps never exceeded',
    issue: 'claims: intake and adjudication',
    notes: [SHARED_CORES_NOTE],
  }),
  todo({
    name: 'renewal',
    work: 'renewal run of the full data set',
    compares: 'bare INSERT … SELECT of the successor coverages',
    target: '≤ 2× baseline',
    issue: 'renewals: renewal run',
    notes: [],
  }),
  todo({
    name: 'loss-study',
    work: 'monthly triangle + chain ladder over all claims',
    compares: 'the bare SQL aggregate of triangle cells',
    target: '≤ 1.5× baseline',
    issue: 'actuarial: loss study',
    notes: [],
  }),
  todo({
    name: 'api-memory',
    work: 'API process RSS after the coverage run',
    compares: '– (absolute)',
    target: '≤ 300 MB',
    issue: 'coverage: integration look-ups',
    notes: [],
  }),
];
