/**
 * Seeds: the demo data for `npm start` (`node dist/src/main.js seed-demo`). The demo seed
 * runs only on an empty database — one without any programme — so it never touches a
 * database someone is working in, and running it again changes nothing.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../modules/audit/audit.service';
import { Programme } from '../modules/programmes/programme.entity';
import { DEMO_STEPS, type DemoSeedStep, type StepCounts } from './demo';
import { referenceDataDir } from './reference-data';

export { DEFAULT_PLAN, DEFAULT_RATE_TABLE, planTerms, rateTableBasis } from './defaults';
export { DEMO_DECLARED_HEAD_COUNTS, DEMO_PROGRAMME_2020, DEMO_STEPS } from './demo';
export { loadCalendar, loadCounties, referenceDataDir } from './reference-data';

export interface SeedDemoOptions {
  /** The audit trail to record in (the process's AuditService; a plain one by default). */
  audit?: AuditService;
  /** Where demo-counties.csv and the calendar are (default: referenceDataDir()). */
  dataDir?: string;
  now?: () => Date;
  /** The steps to run (default DEMO_STEPS); tests may pass a prefix. */
  steps?: readonly DemoSeedStep[];
}

export interface SeedDemoResult {
  /** False when the database already had a programme and nothing was written. */
  seeded: boolean;
  /** What each step wrote, by step name. */
  steps: Record<string, StepCounts>;
}

/** True when no programme exists yet: the only state the demo seed writes into. */
export async function isEmptyDatabase(em: EntityManager): Promise<boolean> {
  return (await em.fork().count(Programme, {})) === 0;
}

/** Loads the demo data when the database is empty; each step in its own transaction. */
export async function seedDemo(em: EntityManager, opts: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  if (!(await isEmptyDatabase(em))) return { seeded: false, steps: {} };
  const ctx = {
    dataDir: opts.dataDir ?? referenceDataDir(),
    audit: opts.audit ?? new AuditService(),
    now: opts.now ?? (() => new Date()),
  };
  const steps: Record<string, StepCounts> = {};
  for (const step of opts.steps ?? DEMO_STEPS) {
    steps[step.name] = await step.run(em.fork(), ctx);
  }
  return { seeded: true, steps };
}
