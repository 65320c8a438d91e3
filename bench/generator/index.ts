/**
 * The reference-data generator: `ensureDataSet` makes the bench database hold the planned
 * data set for (scale, seed), running only the steps it lacks. What is loaded is recorded in
 * the database's comment (a small JSON marker), so a second run starts at once, and a marker
 * for another seed, scale or generator version makes it rebuild from empty.
 *
 * Steps, in order: `reference` (counties, calendar, plan, rate table, programmes, contracts)
 * and `coverages` (insured people and their coverages — a COPY stand-in until the product's
 * roster import exists; see load.ts). Later issues add rosters and claims as further steps.
 */
import type { BenchDb } from '../lib/db';
import { readDatabaseComment, writeDatabaseComment } from '../lib/db';
import { readDemoCounties } from './demo-counties';
import { loadCoverages, loadReference, wipe, type Counts, type Log } from './load';
import { GENERATOR_VERSION, planDataSet, type DataSetPlan, type Scale } from './plan';

export const GENERATOR_STEPS = ['reference', 'coverages'] as const;
export type GeneratorStep = (typeof GENERATOR_STEPS)[number];

export interface StepRecord {
  at: string;
  ms: number;
  counts: Counts;
  detail?: Record<string, unknown>;
}

export interface DataSetMarker {
  generator: 'pillar-bench';
  version: number;
  scale: Scale;
  seed: number;
  steps: Partial<Record<GeneratorStep, StepRecord>>;
}

export interface EnsureOptions {
  scale: Scale;
  seed: number;
  steps: readonly GeneratorStep[];
  /** Rebuild from empty even when the marker says the data is there. */
  force?: boolean;
  /** Worker threads for the row crypto (default: one per core). */
  workers?: number;
  log?: Log;
}

export interface EnsureResult {
  plan: DataSetPlan;
  marker: DataSetMarker;
  /** Steps run now (empty when the data set was already in place), with their timings. */
  ran: Partial<Record<GeneratorStep, StepRecord>>;
}

export function planFor(scale: Scale, seed: number): DataSetPlan {
  return planDataSet(scale, seed, readDemoCounties());
}

export async function ensureDataSet(db: BenchDb, opts: EnsureOptions): Promise<EnsureResult> {
  const log = opts.log ?? (() => undefined);
  const plan = planFor(opts.scale, opts.seed);
  const wanted = GENERATOR_STEPS.filter((_, i) =>
    GENERATOR_STEPS.slice(i).some((w) => opts.steps.includes(w)),
  );

  let marker = parseMarker(await readDatabaseComment(db.pg));
  const matches =
    marker &&
    marker.version === GENERATOR_VERSION &&
    marker.scale === opts.scale &&
    marker.seed === opts.seed;
  if (!marker || !matches || opts.force) {
    const why = opts.force
      ? 'forced'
      : !marker
        ? 'no data set recorded'
        : `recorded ${describe(marker)}, wanted ${opts.scale} seed ${opts.seed} v${GENERATOR_VERSION}`;
    if (!marker) await assertDisposable(db);
    log(`bench database ${db.name}: rebuilding from empty (${why})`);
    await writeDatabaseComment(db.pg, db.name, null);
    await wipe(db.pg);
    marker = {
      generator: 'pillar-bench',
      version: GENERATOR_VERSION,
      scale: opts.scale,
      seed: opts.seed,
      steps: {},
    };
  }

  const ran: EnsureResult['ran'] = {};
  for (const step of wanted) {
    if (marker.steps[step]) continue;
    // A step's data depends on the steps before it only; later ones are dropped and redone.
    for (const later of GENERATOR_STEPS.slice(GENERATOR_STEPS.indexOf(step))) delete marker.steps[later];
    await writeDatabaseComment(db.pg, db.name, JSON.stringify(marker));
    log(`generating ${step} (${opts.scale}, seed ${opts.seed}) …`);
    const started = Date.now();
    let counts: Counts;
    let detail: Record<string, unknown> | undefined;
    switch (step) {
      case 'reference':
        await wipe(db.pg);
        counts = await loadReference(db, plan);
        break;
      case 'coverages':
        ({ counts, detail } = await loadCoverages(db, plan, { workers: opts.workers, log }));
        break;
    }
    const record: StepRecord = {
      at: new Date().toISOString(),
      ms: Date.now() - started,
      counts,
      ...(detail ? { detail } : {}),
    };
    marker.steps[step] = record;
    ran[step] = record;
    await writeDatabaseComment(db.pg, db.name, JSON.stringify(marker));
    log(`  ${step} done in ${(record.ms / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
  }
  return { plan, marker, ran };
}

/**
 * Rebuilding empties every table. Without our marker, only do that to a database that is
 * evidently a bench database or holds no programme data — never to one BENCH_DATABASE_URL
 * happens to point at by mistake.
 */
async function assertDisposable(db: BenchDb): Promise<void> {
  if (/bench/i.test(db.name)) return;
  const r = await db.pg.query<{ used: boolean }>(
    `select exists (select 1 from programme) or exists (select 1 from insured) or exists (select 1 from county_contract) as used`,
  );
  if (r.rows[0]?.used) {
    throw new Error(
      `refusing to empty database "${db.name}": it holds programme data and no bench marker; ` +
        `point BENCH_DATABASE_URL at a dedicated database (its name containing "bench")`,
    );
  }
}

function parseMarker(comment: string | null): DataSetMarker | null {
  if (!comment) return null;
  try {
    const m = JSON.parse(comment) as Partial<DataSetMarker>;
    if (
      m.generator !== 'pillar-bench' ||
      typeof m.seed !== 'number' ||
      typeof m.scale !== 'string' ||
      !m.steps
    )
      return null;
    return m as DataSetMarker;
  } catch {
    return null;
  }
}

function describe(m: DataSetMarker): string {
  return `${m.scale} seed ${m.seed} v${m.version}`;
}

export { planDataSet, SCALES, SCALE_NAMES, expectedCells, type DataSetPlan, type Scale } from './plan';
