import { addDays, weekday, type IsoDate } from './dates';

export type CalendarDayKind = 'HOLIDAY' | 'WORKDAY';

/**
 * Working days are Monday–Friday, minus the calendar's holidays, plus its make-up working
 * days (weekend days worked because a public holiday moved). Pure: the calendar is passed in.
 */
export class WorkingDayCalendar {
  constructor(private readonly days: ReadonlyMap<IsoDate, CalendarDayKind>) {}

  isWorkingDay(date: IsoDate): boolean {
    const kind = this.days.get(date);
    if (kind === 'HOLIDAY') return false;
    if (kind === 'WORKDAY') return true;
    const wd = weekday(date);
    return wd !== 0 && wd !== 6;
  }

  /**
   * The date `n` working days after `date` (n ≥ 0). Day 0 is `date` itself when it is a
   * working day, else the next working day; a claim submitted on a holiday starts its
   * clock on the first working day after it.
   */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${n}`);
    let d = date;
    while (!this.isWorkingDay(d)) d = addDays(d, 1);
    let left = n;
    while (left > 0) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) left -= 1;
    }
    return d;
  }

  /** Working days strictly after `from` up to and including `to` (0 when to ≤ from). */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) count += 1;
    return count;
  }
}
