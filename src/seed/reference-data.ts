import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CalendarDay } from '../modules/calendar/calendar-day.entity';
import { County } from '../modules/counties/county.entity';
import { isIsoDate } from '../shared/dates';
import { repoRoot } from '../shared/paths';

/** Where the shared reference data lives: `../shared/data` beside the repository by default. */
export function referenceDataDir(): string {
  return process.env.REFERENCE_DATA_DIR ?? resolve(repoRoot(), '..', 'shared', 'data');
}

function readCsv(file: string): Record<string, string>[] {
  return parse(readFileSync(file), { columns: true, skip_empty_lines: true, trim: true, bom: true });
}

/** Upserts the demo counties (GB/T 2260) from `demo-counties.csv`. Returns how many. */
export async function loadCounties(em: EntityManager, dir = referenceDataDir()): Promise<number> {
  const rows = readCsv(join(dir, 'demo-counties.csv'));
  await em.transactional(async (tx) => {
    for (const r of rows) {
      if (!/^\d{6}$/.test(r.code ?? '')) throw new Error(`demo-counties.csv: bad code ${r.code}`);
      await tx.upsert(County, {
        code: r.code!,
        nameZh: r.name_zh!,
        nameEn: r.name_en!,
        prefectureCode: r.prefecture_code!,
        prefectureZh: r.prefecture_zh!,
        provinceCode: r.code!.slice(0, 2),
        provinceZh: r.province_zh!,
        provinceEn: r.province_en!,
      });
    }
  });
  return rows.length;
}

/** Upserts the working-day calendar (holidays and make-up working days). Returns how many. */
export async function loadCalendar(em: EntityManager, dir = referenceDataDir()): Promise<number> {
  const rows = readCsv(join(dir, 'cn-working-calendar-2019-2021.csv'));
  await em.transactional(async (tx) => {
    for (const r of rows) {
      if (!isIsoDate(r.date ?? '') || (r.kind !== 'HOLIDAY' && r.kind !== 'WORKDAY')) {
        throw new Error(`calendar: bad row ${JSON.stringify(r)}`);
      }
      await tx.upsert(CalendarDay, { date: r.date!, kind: r.kind, name: r.name ?? '' });
    }
  });
  return rows.length;
}
