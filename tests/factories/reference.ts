import type { Harness } from '../helpers/harness';
import { loadCalendar, loadCounties } from '../../src/seed/reference-data';

/** Loads the ten demo counties and the 2019–2021 calendar through the product's seed path. */
export async function seedReferenceData(h: Harness): Promise<void> {
  await loadCounties(h.em());
  await loadCalendar(h.em());
}
