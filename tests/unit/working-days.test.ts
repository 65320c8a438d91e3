import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { referenceDataDir } from '../../src/seed/reference-data';
import { weekday } from '../../src/shared/dates';
import { WorkingDayCalendar, type CalendarDayKind } from '../../src/shared/working-days';

/** The official 2019–2021 calendar, read straight from the shared data file. */
function loadOfficialCalendar(): {
  calendar: WorkingDayCalendar;
  rows: { date: string; kind: CalendarDayKind; name: string }[];
} {
  const rows: { date: string; kind: CalendarDayKind; name: string }[] = parse(
    readFileSync(join(referenceDataDir(), 'cn-working-calendar-2019-2021.csv')),
    { columns: true, skip_empty_lines: true, trim: true, bom: true },
  );
  return { rows, calendar: new WorkingDayCalendar(new Map(rows.map((r) => [r.date, r.kind]))) };
}

const { calendar, rows } = loadOfficialCalendar();

describe('the 2019–2021 calendar file', () => {
  it('holds only weekend make-up days and known kinds', () => {
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) {
      expect(['HOLIDAY', 'WORKDAY']).toContain(r.kind);
      if (r.kind === 'WORKDAY') expect([0, 6]).toContain(weekday(r.date));
    }
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2020-01-22', true, 'an ordinary Wednesday'],
    ['2020-01-25', false, 'Spring Festival (Saturday)'],
    ['2020-01-31', false, 'the extension (Friday)'],
    ['2020-02-03', true, 'the first Monday after the extension'],
    ['2020-01-19', true, 'make-up Sunday'],
    ['2020-01-18', false, 'an ordinary Saturday'],
    ['2019-09-29', true, 'National Day make-up Sunday'],
    ['2019-10-07', false, 'National Day (Monday)'],
  ])('%s is %s (%s)', (date, expected) => {
    expect(calendar.isWorkingDay(date)).toBe(expected);
  });
});

describe('addWorkingDays', () => {
  it('skips the 2020 Spring Festival extended to 2 February: 2020-01-23 + 5 = 2020-02-07', () => {
    expect(calendar.addWorkingDays('2020-01-23', 5)).toBe('2020-02-07');
    expect(calendar.addWorkingDays('2020-01-23', 1)).toBe('2020-02-03');
  });

  it('counts a make-up Sunday as a working day (2020-01-19, 2019-09-29)', () => {
    expect(calendar.addWorkingDays('2020-01-17', 1)).toBe('2020-01-19');
    expect(calendar.addWorkingDays('2020-01-17', 2)).toBe('2020-01-20');
    expect(calendar.addWorkingDays('2019-09-27', 1)).toBe('2019-09-29');
    expect(calendar.addWorkingDays('2019-09-29', 0)).toBe('2019-09-29');
  });

  it('crosses the October Golden Week and its make-up Saturday', () => {
    expect(calendar.addWorkingDays('2019-09-30', 1)).toBe('2019-10-08');
    expect(calendar.addWorkingDays('2019-10-11', 1)).toBe('2019-10-12');
    expect(calendar.addWorkingDays('2019-09-27', 5)).toBe('2019-10-10');
    // 2020: National Day and Mid-Autumn together, 1–8 October, make-up Saturday 10 October.
    expect(calendar.addWorkingDays('2020-09-30', 1)).toBe('2020-10-09');
    expect(calendar.addWorkingDays('2020-09-30', 2)).toBe('2020-10-10');
  });

  it('starts the clock on the first working day after a holiday submission', () => {
    expect(calendar.addWorkingDays('2020-01-25', 0)).toBe('2020-02-03');
    expect(calendar.addWorkingDays('2020-01-25', 1)).toBe('2020-02-04');
    expect(calendar.addWorkingDays('2019-10-01', 0)).toBe('2019-10-08');
    expect(calendar.addWorkingDays('2020-03-07', 0)).toBe('2020-03-09'); // an ordinary Saturday
  });

  it('n = 0 on a working day is that day', () => {
    expect(calendar.addWorkingDays('2020-03-02', 0)).toBe('2020-03-02');
  });

  it('refuses a negative or fractional n', () => {
    expect(() => calendar.addWorkingDays('2020-03-02', -1)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays('2020-03-02', 1.5)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts working days strictly after from, up to and including to', () => {
    expect(calendar.workingDaysBetween('2020-01-23', '2020-02-07')).toBe(5);
    expect(calendar.workingDaysBetween('2020-01-23', '2020-02-02')).toBe(0);
    // 29 Sep (make-up), 30 Sep, 8–11 Oct, 12 Oct (make-up).
    expect(calendar.workingDaysBetween('2019-09-28', '2019-10-13')).toBe(7);
  });

  it('is 0 when to is not after from', () => {
    expect(calendar.workingDaysBetween('2020-03-02', '2020-03-02')).toBe(0);
    expect(calendar.workingDaysBetween('2020-03-02', '2020-02-02')).toBe(0);
  });

  it('gives the official 250 working days of 2019', () => {
    expect(calendar.workingDaysBetween('2018-12-31', '2019-12-31')).toBe(250);
  });

  it('agrees with addWorkingDays', () => {
    for (const start of ['2019-01-31', '2019-09-27', '2020-01-20', '2020-04-30', '2021-02-05']) {
      for (const n of [1, 3, 10, 30]) {
        expect(calendar.workingDaysBetween(start, calendar.addWorkingDays(start, n))).toBe(n);
      }
    }
  });
});
