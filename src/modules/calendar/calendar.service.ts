import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { dayNumber, isIsoDate, weekday, type IsoDate } from '../../shared/dates';
import { badInput, badInputs, notFound, type FieldProblem } from '../../shared/errors';
import { WorkingDayCalendar, type CalendarDayKind } from '../../shared/working-days';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { CalendarDay } from './calendar-day.entity';

/** Widest `from`–`to` range `calendarDays` answers (about five years: a few hundred rows at most). */
export const MAX_CALENDAR_RANGE_DAYS = 1830;
/** Largest `n` of `addWorkingDays` (about four years of working days). */
export const MAX_WORKING_DAYS = 1000;
/**
 * How long a process trusts its cached calendar. Edits through this service invalidate the
 * cache at once; the time limit bounds how stale another process (a worker) can be.
 */
export const CALENDAR_CACHE_TTL_MS = 5 * 60_000;

export interface CalendarDayData {
  date: IsoDate;
  kind: CalendarDayKind;
  name: string;
}

export function validateCalendarDay(input: CalendarDayData): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isIsoDate(input.date)) {
    problems.push({ field: 'date', message: 'must be a calendar date YYYY-MM-DD' });
  } else if (input.kind === 'WORKDAY' && weekday(input.date) !== 0 && weekday(input.date) !== 6) {
    // Make-up working days are weekend days; Monday–Friday already are working days.
    problems.push({
      field: 'kind',
      message: `${input.date} is a Monday–Friday: a WORKDAY exception must be a weekend day`,
    });
  }
  if (input.kind !== 'HOLIDAY' && input.kind !== 'WORKDAY') {
    problems.push({ field: 'kind', message: 'must be HOLIDAY or WORKDAY' });
  }
  if (!input.name?.trim()) problems.push({ field: 'name', message: 'must not be empty' });
  else if (input.name.trim().length > 200)
    problems.push({ field: 'name', message: 'must be at most 200 characters' });
  return problems;
}

/**
 * The working-day calendar: Monday–Friday minus holidays plus make-up working days
 * (domain.md). Readers as for counties; ADMIN edits. Other modules (claims SLA clocks) use
 * `calendar(em)` / `addWorkingDays(em, …)`, which serve a per-process cached copy.
 */
export class CalendarService {
  private cache: { at: number; value: Promise<WorkingDayCalendar> } | null = null;

  constructor(
    private readonly audit: AuditService,
    private readonly ttlMs = CALENDAR_CACHE_TTL_MS,
  ) {}

  /** The whole calendar, loaded once per process and reloaded after an edit (or after the TTL). */
  async calendar(em: EntityManager): Promise<WorkingDayCalendar> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < this.ttlMs) return this.cache.value;
    const value = this.load(em);
    const entry = { at: now, value };
    this.cache = entry;
    // A failed load must not stay cached.
    value.catch(() => {
      if (this.cache === entry) this.cache = null;
    });
    return value;
  }

  /** Forgets the cached calendar: the next call reads the table again. */
  invalidate(): void {
    this.cache = null;
  }

  /** `n` working days after `date` (see `WorkingDayCalendar.addWorkingDays`: day 0 is the first working day on or after `date`). */
  async addWorkingDays(em: EntityManager, date: IsoDate, n: number): Promise<IsoDate> {
    const problems: FieldProblem[] = [];
    if (!isIsoDate(date)) problems.push({ field: 'date', message: 'must be a calendar date YYYY-MM-DD' });
    if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS) {
      problems.push({ field: 'n', message: `must be a whole number from 0 to ${MAX_WORKING_DAYS}` });
    }
    if (problems.length) throw badInputs(problems);
    return (await this.calendar(em)).addWorkingDays(date, n);
  }

  /** Working days strictly after `from` up to and including `to` (0 when to ≤ from). */
  async workingDaysBetween(em: EntityManager, from: IsoDate, to: IsoDate): Promise<number> {
    if (!isIsoDate(from)) throw badInput('from', 'must be a calendar date YYYY-MM-DD');
    if (!isIsoDate(to)) throw badInput('to', 'must be a calendar date YYYY-MM-DD');
    return (await this.calendar(em)).workingDaysBetween(from, to);
  }

  async isWorkingDay(em: EntityManager, date: IsoDate): Promise<boolean> {
    if (!isIsoDate(date)) throw badInput('date', 'must be a calendar date YYYY-MM-DD');
    return (await this.calendar(em)).isWorkingDay(date);
  }

  /** The calendar's exceptions (holidays and make-up working days) from `from` to `to`, both included. */
  async list(em: EntityManager, from: IsoDate, to: IsoDate): Promise<CalendarDay[]> {
    const problems: FieldProblem[] = [];
    if (!isIsoDate(from)) problems.push({ field: 'from', message: 'must be a calendar date YYYY-MM-DD' });
    if (!isIsoDate(to)) problems.push({ field: 'to', message: 'must be a calendar date YYYY-MM-DD' });
    if (!problems.length) {
      if (to < from) problems.push({ field: 'to', message: 'must not be before from' });
      else if (dayNumber(to) - dayNumber(from) >= MAX_CALENDAR_RANGE_DAYS) {
        problems.push({ field: 'to', message: `the range may span at most ${MAX_CALENDAR_RANGE_DAYS} days` });
      }
    }
    if (problems.length) throw badInputs(problems);
    return em.find(CalendarDay, { date: { $gte: from, $lte: to } }, { orderBy: { date: 'asc' } });
  }

  /** Creates or changes one day's exception (ADMIN). */
  async set(em: EntityManager, actor: Actor, input: CalendarDayData): Promise<CalendarDay> {
    const data = { ...input, name: input.name?.trim() ?? '' };
    const problems = validateCalendarDay(data);
    if (problems.length) throw badInputs(problems);
    try {
      return await em.transactional(async (tx) => {
        const existing = await tx.findOne(
          CalendarDay,
          { date: data.date },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (existing) {
          const changes: Record<string, unknown> = {};
          if (existing.kind !== data.kind) changes.kind = { from: existing.kind, to: data.kind };
          if (existing.name !== data.name) changes.name = { from: existing.name, to: data.name };
          if (Object.keys(changes).length) {
            const fromKind = existing.kind;
            existing.kind = data.kind;
            existing.name = data.name;
            this.audit.record(tx, actor, {
              entityType: 'CalendarDay',
              entityId: data.date,
              action: 'UPDATE',
              fromState: fromKind,
              toState: data.kind,
              changes,
            });
          }
          return existing;
        }
        const day = tx.create(CalendarDay, data);
        this.audit.record(tx, actor, {
          entityType: 'CalendarDay',
          entityId: data.date,
          action: 'CREATE',
          toState: data.kind,
          changes: { kind: { from: null, to: data.kind }, name: { from: null, to: data.name } },
        });
        return day;
      });
    } finally {
      // After the commit (or rollback): no reader can cache the old calendar past this point.
      this.invalidate();
    }
  }

  /** Removes one day's exception (ADMIN): the date becomes an ordinary weekday or weekend day. */
  async remove(em: EntityManager, actor: Actor, date: IsoDate): Promise<CalendarDay> {
    if (!isIsoDate(date)) throw badInput('date', 'must be a calendar date YYYY-MM-DD');
    try {
      return await em.transactional(async (tx) => {
        const day = await tx.findOne(CalendarDay, { date }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!day) throw notFound('CalendarDay', date);
        const removed = { date: day.date, kind: day.kind, name: day.name };
        tx.remove(day);
        this.audit.record(tx, actor, {
          entityType: 'CalendarDay',
          entityId: date,
          action: 'DELETE',
          fromState: removed.kind,
          changes: { kind: { from: removed.kind, to: null }, name: { from: removed.name, to: null } },
        });
        return Object.assign(new CalendarDay(), removed);
      });
    } finally {
      this.invalidate();
    }
  }

  private async load(em: EntityManager): Promise<WorkingDayCalendar> {
    const rows = await em
      .getConnection()
      .execute<{ date: string; kind: CalendarDayKind }[]>(
        'select date::text as date, kind from calendar_day',
        [],
        'all',
        em.getTransactionContext(),
      );
    return new WorkingDayCalendar(new Map(rows.map((r) => [r.date, r.kind])));
  }
}
