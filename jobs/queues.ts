import { Queue, QueueEvents, Worker, createPostgresBackend, withBackend } from 'bullmq';
import type { Processor, WorkerOptions } from 'bullmq';
import IORedis from 'ioredis';
import { logger } from '../src/shared/logger';

/**
 * Queue names and payload types, in one place. Payloads carry ids, never personal data.
 * Job ids are deterministic where a job must run once (BullMQ forbids ':' in custom ids).
 */
export const QUEUE_NAMES = {
  maintenance: 'maintenance',
  pricing: 'pricing',
  enrollment: 'enrollment',
  claims: 'claims',
  payouts: 'payouts',
  renewals: 'renewals',
  actuarial: 'actuarial',
  events: 'events',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
export const ALL_QUEUES: QueueName[] = Object.values(QUEUE_NAMES);

export function isQueueName(name: string): name is QueueName {
  return (ALL_QUEUES as string[]).includes(name);
}

/**
 * Payloads by queue and job name. A payload may carry `countyCode`: `job(id)` then shows the
 * job only to tokens whose scope includes that county (JobService.get).
 * Adding a job: declare its payload here, then add its exec function to `PROCESSORS` in
 * jobs/processors/index.ts (the compiler insists on both).
 */
export interface JobPayloads {
  maintenance: {
    /** Activate contracts whose start date has come, expire those whose end has passed. */
    'contract-lifecycle-sweep': { asOf?: string };
    /**
     * Re-encrypt every national ID not under `targetKeyId` (the active key; jobs/processors/pii.ts).
     * Who asked, for the audit trail; no personal data.
     */
    'rotate-pii-key': {
      targetKeyId: string;
      batchSize: number;
      actorTokenId: number | null;
      actorRole: string;
    };
  };
  pricing: {
    /** Quote every DRAFT/QUOTED contract of a programme year (who asked, for the audit trail). */
    'quote-programme': { year: number; actorTokenId: number | null; actorRole: string };
  };
  events: {
    /** Fan undispatched outbox events out to webhook deliveries (every 10 s; nudged by EventService.dispatchSoon). */
    'dispatch-events': Record<string, never>;
    /** POST one webhook delivery (job id `delivery-<deliveryId>`, retried with back-off). */
    'deliver-webhook': { deliveryId: string; countyCode: string };
  };
  enrollment: {
    /** Import one uploaded roster (job id `roster-import-<importId>`); the county is for job scope. */
    'roster-import': { importId: number; countyCode: string };
  };
  renewals: {
    /** Execute one renewal run (job id `renewal-run-<runId>`; resumable). */
    'renewal-run': { runId: number };
    /** Daily: renewal quotes for contracts ending within their programme's renewal window (asOf default today). */
    'renewal-window': { asOf?: string };
  };
  actuarial: {
    /** A loss development study (job id `loss-study-<nonce>`: each request is a new study version). */
    'loss-study': {
      parameters: import('../src/modules/actuarial/study.service').LossStudyParameters;
      actorTokenId: number | null;
      actorRole: string;
    };
    /** An experience study of a programme year (job id `experience-study-<nonce>`). */
    'experience-study': {
      parameters: import('../src/modules/actuarial/study.service').ExperienceStudyParameters;
      actorTokenId: number | null;
      actorRole: string;
    };
    /** A DRAFT rate table proposed from a study (job id `propose-rate-table-<nonce>`). */
    'propose-rate-table': {
      studyId: number;
      actorTokenId: number | null;
      actorRole: string;
    };
  };
  payouts: {
    /**
     * A settlement run: one payout batch per county of the APPROVED claims in no live line
     * (job id `settle-<runDate>` on demand; runDate default: the day the job was created, China time).
     */
    settle: { runDate?: string };
  };
}
export type QueueWithJobs = keyof JobPayloads & QueueName;
export type JobNameOf<Q extends QueueWithJobs> = keyof JobPayloads[Q] & string;
export type JobDataOf<Q extends QueueWithJobs, N extends JobNameOf<Q>> = JobPayloads[Q][N];

/**
 * Defaults for every job we add: a few attempts with back-off (processors are idempotent),
 * and finished jobs kept long enough for `job(id)` and the dashboard, then trimmed.
 */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 14 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 60 * 24 * 3600, count: 5_000 },
} as const;

export interface QueueBackendOptions {
  /** Redis in production; unset → BullMQ's PostgreSQL backend in `databaseUrl`. */
  redisUrl?: string;
  databaseUrl: string;
  /** Key prefix (Redis) or schema (PostgreSQL) separating deployments and test workers. */
  prefix: string;
  /** Upper bound on a backend call from the API side (ping, counts, job look-ups). Default 3 s. */
  timeoutMs?: number;
}

export type BackendKind = 'redis' | 'postgres';

/**
 * The PostgreSQL schema of the queues for a prefix: `bullmq_<prefix>` with `-` turned into
 * `_` (BullMQ accepts plain identifiers only). It never holds our tables: MikroORM's schema
 * diff is limited to `public` (src/db/orm.ts).
 */
export function pgQueueSchema(prefix: string): string {
  return `bullmq_${prefix.replace(/-/g, '_').toLowerCase()}`;
}

/** Rejects with a clear message when `promise` takes longer than `ms` (a dead backend never answers). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const log = logger.child({ component: 'queues' });

/**
 * Binds BullMQ's classes to the configured backend. Redis keys are prefixed with a hash
 * tag (`{pillar}`) so every key of a queue lands on one Redis Cluster slot.
 *
 * Connections: the queues (producers) of a process share one Redis connection; each worker
 * and QueueEvents gets connection *options*, so BullMQ opens and closes its own (blocking)
 * connections. On PostgreSQL every BullMQ object owns a small pool in schema
 * `pgQueueSchema(prefix)`, created and migrated by BullMQ on first use (`migrate: true`).
 */
export class QueueKit {
  readonly kind: BackendKind;
  readonly timeoutMs: number;
  private redis?: IORedis;
  private readonly queues = new Map<string, Queue>();
  private lastErrorLog = 0;

  constructor(readonly options: QueueBackendOptions) {
    this.kind = options.redisUrl ? 'redis' : 'postgres';
    this.timeoutMs = options.timeoutMs ?? 3_000;
  }

  /** The PostgreSQL schema of the queues (PostgreSQL backend). */
  get pgSchema(): string {
    return pgQueueSchema(this.options.prefix);
  }

  /** Backend errors repeat on every reconnect attempt: log one line per 30 s, not a flood. */
  private readonly onError = (err: Error): void => {
    const now = Date.now();
    if (now - this.lastErrorLog < 30_000) return;
    this.lastErrorLog = now;
    log.warn({ err: { message: err.message }, backend: this.kind }, 'queue backend error');
  };

  private redisConnection(): IORedis {
    if (!this.redis) {
      this.redis = new IORedis(this.options.redisUrl!, {
        maxRetriesPerRequest: null,
        enableReadyCheck: true,
      });
      this.redis.on('error', this.onError);
    }
    return this.redis;
  }

  /** Connection options for one BullMQ object. Workers need their own blocking connection. */
  private common(forWorker = false): Record<string, unknown> {
    if (this.kind === 'redis') {
      return {
        connection: forWorker
          ? { url: this.options.redisUrl!, maxRetriesPerRequest: null }
          : this.redisConnection(),
        prefix: `{${this.options.prefix}}`,
      };
    }
    return {
      connection: {
        connectionString: this.options.databaseUrl,
        schema: this.pgSchema,
        migrate: true,
        max: forWorker ? 4 : 2,
        idleTimeoutMillis: 10_000,
      },
    };
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q =
        this.kind === 'redis'
          ? new Queue(name, this.common() as never)
          : (new (withBackend(createPostgresBackend).Queue)(
              name,
              this.common() as never,
            ) as unknown as Queue);
      q.on('error', this.onError);
      this.queues.set(name, q);
    }
    return q as Queue;
  }

  worker(name: QueueName, processor: Processor, opts: Partial<WorkerOptions> = {}): Worker {
    const options = { ...this.common(true), ...opts } as never;
    const w =
      this.kind === 'redis'
        ? new Worker(name, processor, options)
        : (new (withBackend(createPostgresBackend).Worker)(name, processor, options) as unknown as Worker);
    w.on('error', this.onError);
    return w;
  }

  events(name: QueueName): QueueEvents {
    const options = this.common(true) as never;
    const e =
      this.kind === 'redis'
        ? new QueueEvents(name, options)
        : (new (withBackend(createPostgresBackend).QueueEvents)(name, options) as unknown as QueueEvents);
    e.on('error', this.onError);
    return e;
  }

  allQueues(): Queue[] {
    return ALL_QUEUES.map((n) => this.queue(n));
  }

  /** Resolves when the backend answers (readiness check); rejects after `timeoutMs`. */
  async ping(): Promise<void> {
    const answer: Promise<unknown> =
      this.kind === 'redis'
        ? this.redisConnection().ping()
        : this.queue(QUEUE_NAMES.maintenance).getJobCounts('waiting');
    await withTimeout(answer, this.timeoutMs, `queue backend (${this.kind})`);
  }

  /** Job counts per queue and state (metrics), bounded by `timeoutMs` so a scrape never hangs. */
  async jobCounts(): Promise<Record<QueueName, Record<string, number>>> {
    const rows = await withTimeout(
      Promise.all(
        this.allQueues().map(
          async (q) =>
            [q.name, await q.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed')] as const,
        ),
      ),
      this.timeoutMs,
      `queue backend (${this.kind})`,
    );
    return Object.fromEntries(rows) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.queues.values()].map((q) =>
        withTimeout(q.close(), 5_000, `closing queue ${q.name}`).catch(() => undefined),
      ),
    );
    this.queues.clear();
    if (this.redis) {
      // quit() waits for the server; with Redis gone that would never return.
      await withTimeout(this.redis.quit(), 1_000, 'redis quit').catch(() => this.redis?.disconnect());
      this.redis = undefined;
    }
  }
}
