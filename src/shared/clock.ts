import { dateInZone, type IsoDate } from './dates';

/** The one source of "now". Services take a Clock so tests can set the date. */
export interface Clock {
  now(): Date;
  /** Today's calendar date in China time. */
  today(): IsoDate;
}

export const systemClock = (timeZone = 'Asia/Shanghai'): Clock => ({
  now: () => new Date(),
  today: () => dateInZone(new Date(), timeZone),
});

/** A clock fixed at an instant, movable by tests. */
export class FixedClock implements Clock {
  constructor(
    private instant: Date,
    private readonly timeZone = 'Asia/Shanghai',
  ) {}
  now(): Date {
    return new Date(this.instant.getTime());
  }
  today(): IsoDate {
    return dateInZone(this.instant, this.timeZone);
  }
  set(instant: Date | string): void {
    this.instant = typeof instant === 'string' ? new Date(instant) : instant;
  }
}
