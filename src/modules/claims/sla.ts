/**
 * The claims service level (claims.md "Service level"): a claim is due 5 working days after
 * submission; NEEDS_INFO pauses the clock and a supplement restarts it with the days left.
 * The clock functions are pure (the working-day calendar is passed in); the report is one
 * SQL statement (percentiles by `percentile_cont`, working days against `calendar_day`).
 */
import { type IsoDate } from '../../shared/dates';
import type { WorkingDayCalendar } from '../../shared/working-days';
import { scopeSql, type Actor } from '../auth/actor';
import { ClaimStatus } from './claim.entity';

export const SLA_WORKING_DAYS = 5;

/** Statuses whose clock runs until the claim is paid or rejected (a good claim is *paid* in 5 working days). */
export const CLOCK_RUNNING_STATUSES: readonly ClaimStatus[] = [
  ClaimStatus.SUBMITTED,
  ClaimStatus.UNDER_REVIEW,
  ClaimStatus.APPROVED,
];

/** The claim's clock columns. */
export interface SlaClock {
  /** Due date while the clock runs; null while paused (NEEDS_INFO). */
  dueDate: IsoDate | null;
  /** Working days used before the current run of the clock. */
  slaDaysUsed: number;
  /** When the current run started; null while paused. */
  slaClockStartedOn: IsoDate | null;
}

/**
 * Working days a clock started on `startedOn` has run by `today`: those after the first working
 * day on or after the start, up to and including today — the same count `addWorkingDays` uses,
 * so a claim started on a Saturday has used 0 days on the Monday.
 */
export function workingDaysOnClock(cal: WorkingDayCalendar, startedOn: IsoDate, today: IsoDate): number {
  return cal.workingDaysBetween(cal.addWorkingDays(startedOn, 0), today);
}

/** Starts (or restarts) the clock today with the days already used: due after the days left. */
export function startClock(cal: WorkingDayCalendar, today: IsoDate, daysUsed = 0): SlaClock {
  const left = Math.max(0, SLA_WORKING_DAYS - daysUsed);
  return { dueDate: cal.addWorkingDays(today, left), slaDaysUsed: daysUsed, slaClockStartedOn: today };
}

/** Pauses a running clock today, keeping the days it used; a paused clock stays as it is. */
export function pauseClock(cal: WorkingDayCalendar, clock: SlaClock, today: IsoDate): SlaClock {
  if (!clock.slaClockStartedOn)
    return { dueDate: null, slaDaysUsed: clock.slaDaysUsed, slaClockStartedOn: null };
  const used = clock.slaDaysUsed + workingDaysOnClock(cal, clock.slaClockStartedOn, today);
  return { dueDate: null, slaDaysUsed: used, slaClockStartedOn: null };
}

/** Overdue: the clock runs (not paid, rejected or paused) and the due date has passed. */
export function isOverdue(claim: { status: ClaimStatus; dueDate?: IsoDate | null }, today: IsoDate): boolean {
  return CLOCK_RUNNING_STATUSES.includes(claim.status) && !!claim.dueDate && claim.dueDate < today;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
}

/** One row of the time-to-pay report: a county and month, a county's year (month null) or all (county null). */
export interface SlaReportRow {
  countyCode: string | null;
  month: number | null;
  paidClaims: number;
  /** Paid on or before the due date. */
  paidOnTime: number;
  /** Null when no claim was paid (the all-counties row of an empty year). */
  workingDays: Percentiles | null;
  calendarDays: Percentiles | null;
}

/** Percentiles come back as numeric text, rounded to two decimals in SQL (day counts need no more). */
interface SlaRow {
  county_code: string | null;
  month: number | null;
  paid_claims: number;
  on_time: number;
  wd50: string | null;
  wd90: string | null;
  wd95: string | null;
  cd50: string | null;
  cd90: string | null;
  cd95: string | null;
}

/**
 * Time to pay of the PAID claims whose payment fell in `year` (China time), in working days
 * (working days after the submission date up to and including the payment date, per the
 * calendar table: Monday–Friday, minus HOLIDAY rows, plus WORKDAY rows) and in calendar days,
 * by county and month of payment, with each county's year and the total (GROUPING SETS).
 * `paid_at` is set by the payout module.
 */
export function slaReportQuery(
  actor: Actor,
  year: number,
  countyCode: string | null,
): { text: string; values: unknown[] } {
  const values: unknown[] = [year, countyCode];
  const scope = scopeSql(actor, 'c.county_code', values);
  const text = `
with paid as (
  select c.county_code,
         extract(month from c.paid_at at time zone 'Asia/Shanghai')::int as month,
         (c.submitted_at at time zone 'Asia/Shanghai')::date as submitted_on,
         (c.paid_at at time zone 'Asia/Shanghai')::date as paid_on,
         c.due_date
    from claim c
   where c.status = 'PAID' and c.paid_at is not null
     and c.paid_at >= make_timestamptz($1::int, 1, 1, 0, 0, 0, 'Asia/Shanghai')
     and c.paid_at < make_timestamptz($1::int + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')
     and ($2::text is null or c.county_code = $2::text)
     and ${scope}
), timed as (
  select p.county_code, p.month, p.due_date, p.paid_on,
         (p.paid_on - p.submitted_on) as calendar_days,
         (select count(*)
            from generate_series(p.submitted_on + 1, p.paid_on, interval '1 day') as g(d)
            left join calendar_day k on k.date = g.d::date
           where case k.kind when 'WORKDAY' then true when 'HOLIDAY' then false
                 else extract(isodow from g.d) < 6 end)::int as working_days
    from paid p
)
select case when grouping(county_code) = 1 then null else county_code end as county_code,
       case when grouping(month) = 1 then null else month end as month,
       count(*)::int as paid_claims,
       count(*) filter (where due_date is not null and paid_on <= due_date)::int as on_time,
       round(percentile_cont(0.5) within group (order by working_days)::numeric, 2) as wd50,
       round(percentile_cont(0.9) within group (order by working_days)::numeric, 2) as wd90,
       round(percentile_cont(0.95) within group (order by working_days)::numeric, 2) as wd95,
       round(percentile_cont(0.5) within group (order by calendar_days)::numeric, 2) as cd50,
       round(percentile_cont(0.9) within group (order by calendar_days)::numeric, 2) as cd90,
       round(percentile_cont(0.95) within group (order by calendar_days)::numeric, 2) as cd95
  from timed
 group by grouping sets ((county_code, month), (county_code), ())
 order by grouping(county_code), county_code, grouping(month), month`;
  return { text, values };
}

export function toSlaReportRow(r: SlaRow): SlaReportRow {
  return {
    countyCode: r.county_code,
    month: r.month,
    paidClaims: r.paid_claims,
    paidOnTime: r.on_time,
    workingDays: r.wd50 === null ? null : { p50: Number(r.wd50), p90: Number(r.wd90), p95: Number(r.wd95) },
    calendarDays: r.cd50 === null ? null : { p50: Number(r.cd50), p90: Number(r.cd90), p95: Number(r.cd95) },
  };
}

export type { SlaRow };
