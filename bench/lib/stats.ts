import type { SampleStats } from './types';

export function summarise(samplesMs: readonly number[]): SampleStats {
  if (samplesMs.length === 0) throw new Error('no samples');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    samplesMs: [...samplesMs],
    medianMs: median,
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
  };
}

/** Wall time of `f` in milliseconds (monotonic clock). */
export async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await f();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, result };
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatRate(perSecond: number, unit: string): string {
  const [v, suffix] =
    perSecond >= 1e6
      ? [perSecond / 1e6, ' M']
      : perSecond >= 1e3
        ? [perSecond / 1e3, ' k']
        : [perSecond, ' '];
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}${suffix}${unit}/s`;
}
