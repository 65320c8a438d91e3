/** The result table (stdout) and the result files (bench/results/<timestamp>-<name>.json). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../src/shared/paths';
import { formatMs, formatRate } from './stats';
import type { RatioKind, SampleStats, Work } from './types';

export type Status = 'PASS' | 'FAIL' | 'ERROR' | 'NOT IMPLEMENTED';

export interface SideSummary extends SampleStats {
  /** Units of work per second at the median time. */
  throughputPerSecond: number;
}

export interface ResultRow {
  name: string;
  scale: string;
  seed: number;
  status: Status;
  work: string;
  compares: string;
  target: string;
  ratioKind: RatioKind | null;
  /** See RatioKind; null when there is no baseline or no valid timing. */
  ratio: number | null;
  units: Work | null;
  repetitions: number;
  warmup: number;
  baseline: SideSummary | null;
  product: SideSummary | null;
  /** The judge's words, or why there is no verdict. */
  verdict: string;
  /** Wrong answers found by verify (each one fails the benchmark). */
  problems: string[];
  notes: string[];
  issue?: string;
  error?: string;
}

export function sideSummary(stats: SampleStats, units: Work): SideSummary {
  return { ...stats, throughputPerSecond: units.count / (stats.medianMs / 1000) };
}

function timeCell(s: SideSummary | null): string {
  return s ? `${formatMs(s.medianMs)} / ${formatMs(s.minMs)}` : '–';
}

function rateCell(s: SideSummary | null, units: Work | null): string {
  return s && units ? formatRate(s.throughputPerSecond, ` ${units.unit}`) : '–';
}

function ratioCell(r: ResultRow): string {
  if (r.ratio === null) return '–';
  return `${r.ratio.toFixed(2)}× ${r.ratioKind === 'throughput' ? 'thr' : 'time'}`;
}

export function formatTable(rows: readonly ResultRow[]): string {
  const header = [
    'benchmark',
    'scale',
    'baseline med / min',
    'baseline thr',
    'product med / min',
    'product thr',
    'ratio',
    'target',
    'result',
    'notes',
  ];
  const body = rows.map((r) => {
    const wrong = r.problems.length > 0;
    const notes =
      r.status === 'NOT IMPLEMENTED'
        ? [`not yet implemented (issue: ${r.issue})`, ...r.notes]
        : [
            ...(r.error ? [`error: ${r.error}`] : []),
            ...(wrong ? [`wrong answer: ${r.problems[0]}`] : []),
            r.verdict,
            ...r.notes,
          ].filter(Boolean);
    return [
      r.name,
      r.scale,
      wrong ? 'wrong answer' : timeCell(r.baseline),
      wrong ? '' : rateCell(r.baseline, r.units),
      wrong ? 'wrong answer' : timeCell(r.product),
      wrong ? '' : rateCell(r.product, r.units),
      ratioCell(r),
      r.target,
      r.status,
      notes.join('; '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd();
  return [
    line(header),
    widths.map((w, i) => (i === widths.length - 1 ? '-'.repeat(Math.min(w, 40)) : '-'.repeat(w))).join('-|-'),
    ...body.map(line),
  ].join('\n');
}

export function resultsDir(): string {
  return join(repoRoot(), 'bench', 'results');
}

/** `2026-11-22T18-04-05Z`: sortable and safe in file names. */
export function fileTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

export function writeResult(startedAt: Date, name: string, content: unknown): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${fileTimestamp(startedAt)}-${name}.json`);
  writeFileSync(file, JSON.stringify(content, null, 2) + '\n');
  return file;
}
