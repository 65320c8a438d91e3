import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job, JobsOptions } from 'bullmq';
import {
  DEFAULT_JOB_OPTIONS,
  isQueueName,
  withTimeout,
  type JobDataOf,
  type JobNameOf,
  type QueueKit,
  type QueueName,
  type QueueWithJobs,
} from '../../../jobs/queues';
import type { Clock } from '../../shared/clock';
import { isIsoDate, type IsoDate } from '../../shared/dates';
import { badInput, notFound } from '../../shared/errors';
import type { AuditService } from '../audit/audit.service';
import { inScope, type Actor } from '../auth/actor';

export type JobStateName = 'WAITING' | 'ACTIVE' | 'COMPLETED' | 'FAILED' | 'DELAYED' | 'UNKNOWN';

/** What `job(id)` reports. Built from BullMQ's job record; the payload itself is never shown. */
export interface JobSnapshot {
  /** Public id: `<queue>.<BullMQ job id>`, e.g. `maintenance.sweep-2020-03-02`. */
  id: string;
  queue: QueueName;
  name: string;
  state: JobStateName;
  /** 0–100. */
  percent: number;
  message: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Attempts started so far (the one running included). */
  attempts: number;
  maxAttempts: number;
  /** The processor's JSON summary, once completed. */
  result: unknown;
  /** Why it failed, or why the last attempt failed while it waits to retry. No stack. */
  failureReason: string | null;
}

export interface EnqueueOptions {
  /**
   * Deterministic BullMQ job id (no ':' and not only digits): a second enqueue with the same id
   * while the first is waiting or running is a no-op that returns the existing job.
   */
  jobId?: string;
  /**
   * With `jobId`: when a finished (completed or failed) job holds the id, remove it and run
   * again. Without this, BullMQ would silently keep the finished job and not run anything.
   */
  rerunFinished?: boolean;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

const STATES: Record<string, JobStateName> = {
  waiting: 'WAITING',
  prioritized: 'WAITING',
  'waiting-children': 'WAITING',
  wait: 'WAITING',
  paused: 'WAITING',
  active: 'ACTIVE',
  completed: 'COMPLETED',
  failed: 'FAILED',
  delayed: 'DELAYED',
};

const JOB_ID_RE = /^(?!\d+$)[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Background jobs seen from the API: enqueue (other services call this after their
 * transaction has committed) and the status of one job. The work itself runs in the worker
 * process (jobs/worker.ts); a mutation enqueues and returns the job at once.
 */
export class JobService {
  constructor(
    private readonly queues: QueueKit,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  static publicId(queue: QueueName, bullmqId: string): string {
    return `${queue}.${bullmqId}`;
  }

  /** `<queue>.<bullmqId>` → its parts; null when it cannot be one of ours. */
  static parseId(id: string): { queue: QueueName; bullmqId: string } | null {
    const dot = id.indexOf('.');
    if (dot <= 0 || dot === id.length - 1 || id.length > 300) return null;
    const queue = id.slice(0, dot);
    return isQueueName(queue) ? { queue, bullmqId: id.slice(dot + 1) } : null;
  }

  private timed<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.queues.timeoutMs, what);
  }

  /**
   * Adds a job and returns its snapshot (a handle whose `id` `job(id)` accepts). Payloads carry
   * ids, never personal data; add `countyCode` when the job concerns one county so scoped
   * tokens see only their own.
   */
  async enqueue<Q extends QueueWithJobs, N extends JobNameOf<Q>>(
    queue: Q,
    name: N,
    data: JobDataOf<Q, N>,
    opts: EnqueueOptions = {},
  ): Promise<JobSnapshot> {
    if (opts.jobId !== undefined && !JOB_ID_RE.test(opts.jobId)) {
      throw badInput('jobId', 'letters, digits, ".", "_" and "-" only, not only digits, at most 200');
    }
    const q = this.queues.queue(queue);
    if (opts.jobId && opts.rerunFinished) {
      const existing = await this.timed(q.getJob(opts.jobId), 'queue backend');
      const state = existing ? await this.timed(existing.getState(), 'queue backend') : undefined;
      // Removing can race a concurrent enqueue of the same id; both then add one job, which
      // BullMQ de-duplicates by id. Processors are idempotent, so the worst case is a no-op run.
      if (existing && (state === 'completed' || state === 'failed')) {
        await this.timed(existing.remove(), 'queue backend').catch(() => undefined);
      }
    }
    const options: JobsOptions = { ...DEFAULT_JOB_OPTIONS, jobId: opts.jobId, delay: opts.delayMs };
    const added = await this.timed(q.add(name, data, options), 'queue backend');
    // With an id already taken BullMQ returns an object built from *our* arguments, not the
    // stored job: read the stored one back.
    const stored = await this.read(queue, added.id!);
    if (!stored) throw new Error(`job ${queue}.${added.id} vanished right after it was added`);
    return this.snapshot(queue, stored.job, stored.state);
  }

  /**
   * One job by public id. NOT_FOUND when the id is malformed, unknown (never existed or already
   * trimmed) or concerns a county outside the actor's scope.
   */
  async get(actor: Actor, id: string): Promise<JobSnapshot> {
    const parsed = JobService.parseId(id);
    if (!parsed) throw notFound('Job', id);
    const read = await this.read(parsed.queue, parsed.bullmqId);
    if (!read) throw notFound('Job', id);
    const countyCode = (read.job.data as { countyCode?: unknown } | null)?.countyCode;
    if (typeof countyCode === 'string' && !inScope(actor, countyCode)) throw notFound('Job', id);
    return this.snapshot(parsed.queue, read.job, read.state);
  }

  /**
   * Enqueues the contract lifecycle sweep as of `asOf` (default today, China time), at most
   * one per date at a time: job id `sweep-<asOf>`, so a double click while it waits or runs
   * returns the same job; once it has finished, asking again runs it again (it is idempotent).
   * A date after today is refused: it would expire contracts that are still running.
   */
  async startContractLifecycleSweep(
    em: EntityManager,
    actor: Actor,
    input: { asOf?: IsoDate | null },
  ): Promise<JobSnapshot> {
    const today = this.clock.today();
    const asOf = input.asOf ?? today;
    if (!isIsoDate(asOf)) throw badInput('input.asOf', 'must be a calendar date YYYY-MM-DD');
    if (asOf > today) throw badInput('input.asOf', `must not be after today (${today})`, 'AS_OF_IN_FUTURE');
    return em.transactional(async (tx) => {
      const job = await this.enqueue(
        'maintenance',
        'contract-lifecycle-sweep',
        { asOf },
        { jobId: `sweep-${asOf}`, rerunFinished: true },
      );
      this.audit.record(tx, actor, {
        entityType: 'Job',
        entityId: job.id,
        action: 'ENQUEUE',
        toState: job.state,
        changes: { queue: job.queue, job: job.name, asOf },
      });
      return job;
    });
  }

  /** Starts quoting every DRAFT/QUOTED contract of a programme year; one run per year at a time. */
  async startQuoteProgramme(em: EntityManager, actor: Actor, year: number): Promise<JobSnapshot> {
    if (!Number.isInteger(year) || year < 2000 || year > 2100)
      throw badInput('input.year', 'must be a year 2000–2100');
    const programme = await em
      .getConnection()
      .execute<{ id: number }[]>('select id from programme where year = ?', [year]);
    if (!programme.length) throw badInput('input.year', `no programme for ${year}`);
    const job = await this.enqueue(
      'pricing',
      'quote-programme',
      { year, actorTokenId: actor.tokenId, actorRole: actor.role },
      { jobId: `quote-programme-${year}`, rerunFinished: true },
    );
    await em.transactional(async (tx) => {
      this.audit.record(tx, actor, {
        entityType: 'Job',
        entityId: job.id,
        action: 'ENQUEUE',
        toState: job.state,
        changes: { queue: job.queue, job: job.name, year },
      });
    });
    return job;
  }

  /**
   * The job and its state, consistent with each other: the state is read first, so a
   * finished state comes with the finished record; a job that finished between the two reads
   * (its record says so) has its state read again.
   */
  private async read(queue: QueueName, bullmqId: string): Promise<{ job: Job; state: string } | null> {
    const q = this.queues.queue(queue);
    let state: string = await this.timed(q.getJobState(bullmqId), 'queue backend');
    const job = await this.timed(q.getJob(bullmqId), 'queue backend');
    if (!job) return null;
    if (state !== 'completed' && state !== 'failed' && job.finishedOn) {
      state = await this.timed(q.getJobState(bullmqId), 'queue backend');
    }
    return { job, state };
  }

  private snapshot(queue: QueueName, job: Job, rawState: string): JobSnapshot {
    const state = STATES[rawState] ?? 'UNKNOWN';
    const progress = job.progress as unknown;
    let percent = 0;
    let message: string | null = null;
    if (typeof progress === 'number') {
      percent = progress;
    } else if (progress && typeof progress === 'object') {
      const p = progress as { percent?: unknown; message?: unknown };
      percent = Number(p.percent) || 0;
      message = typeof p.message === 'string' ? p.message : null;
    }
    if (state === 'COMPLETED') percent = 100;
    return {
      id: JobService.publicId(queue, job.id!),
      queue,
      name: job.name,
      state,
      percent: Math.min(100, Math.max(0, Math.round(percent))),
      message,
      createdAt: new Date(job.timestamp),
      startedAt: job.processedOn ? new Date(job.processedOn) : null,
      finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
      attempts: Math.max(job.attemptsStarted ?? 0, job.attemptsMade ?? 0),
      maxAttempts: job.opts.attempts ?? 1,
      result: state === 'COMPLETED' ? (job.returnvalue ?? null) : null,
      failureReason: job.failedReason || null,
    };
  }
}
