import {
  ALL_QUEUES,
  DEFAULT_JOB_OPTIONS,
  type JobDataOf,
  type JobNameOf,
  type QueueKit,
  type QueueWithJobs,
} from './queues';

/** One repeatable job: BullMQ adds a run of `job` on `queue` at each `cron` time in `tz`. */
export interface ScheduleOf<Q extends QueueWithJobs, N extends JobNameOf<Q>> {
  /** Job scheduler id (stable: upserting it again replaces, never duplicates). No ':'. */
  id: string;
  queue: Q;
  job: N;
  data: JobDataOf<Q, N>;
  /** Cron pattern (minute hour day month weekday). */
  cron: string;
}

/** Any declared job's schedule (a union over queues and job names, so data matches its job). */
export type Schedule = {
  [Q in QueueWithJobs]: { [N in JobNameOf<Q>]: ScheduleOf<Q, N> }[JobNameOf<Q>];
}[QueueWithJobs];

/**
 * The repeatable schedules, all in business time (Asia/Shanghai by default). Every job
 * scheduler of the system is declared here: this list is the source of truth, and a scheduler
 * found on a queue but not listed is removed at the next start.
 */
export const SCHEDULES: Schedule[] = [
  {
    id: 'daily-contract-lifecycle-sweep',
    queue: 'maintenance',
    job: 'contract-lifecycle-sweep',
    // No asOf: each run sweeps as of the day it runs, in China time.
    data: {},
    cron: '5 0 * * *',
  },
  {
    // Renewal quotes for contracts ending within their programme's renewal window (no asOf:
    // as of the day it runs), after the lifecycle sweep.
    id: 'daily-renewal-window',
    queue: 'renewals',
    job: 'renewal-window',
    data: {},
    cron: '15 0 * * *',
  },
  {
    // Settlement: yesterday's approvals go to the payment channel in the morning's batches
    // (no runDate: the date the job is created, China time, so a retry keeps the date).
    id: 'daily-payout-settlement',
    queue: 'payouts',
    job: 'settle',
    data: {},
    cron: '0 2 * * *',
  },
  {
    // The outbox's safety net: events whose commit was not followed by a dispatchSoon() nudge
    // (or whose process died first) go out within 10 s. Six fields: the first is seconds.
    id: 'events-dispatch',
    queue: 'events',
    job: 'dispatch-events',
    data: {},
    cron: '*/10 * * * * *',
  },
];

export interface RegisteredSchedule {
  id: string;
  queue: string;
  /** Next run, epoch ms. */
  next: number | null;
}

/**
 * Upserts every schedule with BullMQ's job schedulers (idempotent: every worker process may
 * run this at start) and removes schedulers no longer listed.
 */
export async function registerSchedules(
  kit: QueueKit,
  opts: { tz: string; schedules?: Schedule[] } = { tz: 'Asia/Shanghai' },
): Promise<RegisteredSchedule[]> {
  const schedules = opts.schedules ?? SCHEDULES;
  const wanted = new Set(schedules.map((s) => `${s.queue}/${s.id}`));
  for (const queue of ALL_QUEUES) {
    const q = kit.queue(queue);
    for (const existing of await q.getJobSchedulers(0, -1)) {
      if (!wanted.has(`${queue}/${existing.key}`)) await q.removeJobScheduler(existing.key);
    }
  }
  const out: RegisteredSchedule[] = [];
  for (const s of schedules) {
    const q = kit.queue(s.queue);
    await q.upsertJobScheduler(
      s.id,
      { pattern: s.cron, tz: opts.tz },
      { name: s.job, data: s.data, opts: { ...DEFAULT_JOB_OPTIONS } },
    );
    const registered = await q.getJobScheduler(s.id);
    out.push({ id: s.id, queue: s.queue, next: registered?.next ?? null });
  }
  return out;
}
