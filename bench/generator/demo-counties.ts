import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceDataDir } from '../../src/seed/reference-data';
import { parseDemoCounties, type CountyRow } from './counties';

/**
 * The ten demo counties from the shared reference data — the same file the product's seed
 * reads. Kept apart from counties.ts so the pure planning code (also run in worker threads)
 * does not pull in the ORM entities that the seed module imports.
 */
export function readDemoCounties(dir = referenceDataDir()): CountyRow[] {
  return parseDemoCounties(readFileSync(join(dir, 'demo-counties.csv')));
}
