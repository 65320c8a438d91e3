import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ClaimStatus } from '../../src/modules/claims/claim.entity';
import {
  isOverdue,
  pauseClock,
  slaReportQuery,
  startClock,
  workingDaysOnClock,
} from '../../src/modules/claims/sla';
import { SYSTEM_ACTOR, type Actor } from '../../src/modules/auth/actor';
import { Role } from '../../src/modules/auth/api-token.entity';
import { referenceDataDir } from '../../src/seed/reference-data';
import { WorkingDayCalendar, type CalendarDayKind } from '../../src/shared/working-days';

const rows: { date: string; kind: CalendarDayKind }[] = parse(
  readFileSync(join(referenceDataDir(), 'cn-working-calendar-2019-2021.csv')),
  {
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  },
);
const cal = new WorkingDayCalendar(new Map(rows.map((r) => [r.date, r.kind])));

describe('the service-level clock', () => {
  it('is due 5 working days after submission', () => {
    expect(startClock(cal, '2020-03-02')).toEqual({
      dueDate: '2020-03-09',
      slaDaysUsed: 0,
      slaClockStartedOn: '2020-03-02',
    }); // Mon → Mon
    expect(startClock(cal, '2020-03-06').dueDate).toBe('2020-03-13'); // Fri → Fri
    expect(startClock(cal, '2020-03-07').dueDate).toBe('2020-03-16'); // Sat: day 0 is Monday the 9th
  });

  it('skips the National Day holidays and counts the make-up Saturday', () => {
    // Mon 28 Sep: Tue 29 (1), Wed 30 (2), 1–8 Oct holidays, Fri 9 (3), Sat 10 make-up (4), Mon 12 (5).
    expect(startClock(cal, '2020-09-28').dueDate).toBe('2020-10-12');
  });

  it('pauses keeping the working days used, and restarts with the days left', () => {
    const running = startClock(cal, '2020-03-02'); // Mon
    expect(workingDaysOnClock(cal, '2020-03-02', '2020-03-04')).toBe(2);
    const paused = pauseClock(cal, running, '2020-03-04'); // Wed: 2 used
    expect(paused).toEqual({ dueDate: null, slaDaysUsed: 2, slaClockStartedOn: null });
    expect(pauseClock(cal, paused, '2020-03-20')).toEqual(paused); // pausing a paused clock changes nothing
    const resumed = startClock(cal, '2020-03-13', paused.slaDaysUsed); // Fri: 3 left → Wed 18
    expect(resumed).toEqual({ dueDate: '2020-03-18', slaDaysUsed: 2, slaClockStartedOn: '2020-03-13' });
    // Paused again on Mon 16 (1 more day), resumed on Tue 17 with 2 left → Thu 19.
    const again = pauseClock(cal, resumed, '2020-03-16');
    expect(again.slaDaysUsed).toBe(3);
    expect(startClock(cal, '2020-03-17', again.slaDaysUsed).dueDate).toBe('2020-03-19');
  });

  it('an overused clock restarts due on its first working day', () => {
    expect(startClock(cal, '2020-03-07', 7).dueDate).toBe('2020-03-09');
  });

  it('a clock started on a weekend has used 0 days on the Monday', () => {
    expect(workingDaysOnClock(cal, '2020-03-07', '2020-03-09')).toBe(0);
    expect(workingDaysOnClock(cal, '2020-03-07', '2020-03-10')).toBe(1);
  });

  it('is overdue only while the clock runs and after the due date', () => {
    expect(isOverdue({ status: ClaimStatus.UNDER_REVIEW, dueDate: '2020-03-09' }, '2020-03-09')).toBe(false);
    expect(isOverdue({ status: ClaimStatus.UNDER_REVIEW, dueDate: '2020-03-09' }, '2020-03-10')).toBe(true);
    expect(isOverdue({ status: ClaimStatus.APPROVED, dueDate: '2020-03-09' }, '2020-03-10')).toBe(true);
    expect(isOverdue({ status: ClaimStatus.PAID, dueDate: '2020-03-09' }, '2020-03-10')).toBe(false);
    expect(isOverdue({ status: ClaimStatus.REJECTED, dueDate: '2020-03-09' }, '2020-03-10')).toBe(false);
    expect(isOverdue({ status: ClaimStatus.NEEDS_INFO, dueDate: null }, '2020-03-10')).toBe(false);
  });
});

describe('slaReportQuery', () => {
  it('filters by scope with its own parameters after year and county', () => {
    const coordinator: Actor = {
      tokenId: 1,
      role: Role.COORDINATOR,
      countyCodes: ['513432'],
      provinceCodes: [],
    };
    const q = slaReportQuery(coordinator, 2020, null);
    expect(q.values).toEqual([2020, null, ['513432']]);
    expect(q.text).toContain('c.county_code = any($3::text[])');
    expect(q.text).toContain('percentile_cont(0.95)');
    expect(slaReportQuery(SYSTEM_ACTOR, 2020, '513432').values).toEqual([2020, '513432']);
  });
});
