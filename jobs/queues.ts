import { Queue, QueueEvents, Worker, createPostgresBackend, withBackend } from 'bullmq';
import type { Processor, WorkerOptions } from 'bullmq';
import IORedis from 'ioredis';

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

/** Payloads by queue and job name. */
export interface JobPayloads {
  maintenance: {
    /** Activate contracts whose start date has come, expire those whose end has passed. */
    'contract-lifecycle-sweep': { asOf?: string };
  };
}

export interface QueueBackendOptions {
  /** Redis in production; unset → BullMQ's PostgreSQL backend in `databaseUrl`. */
  redisUrl?: string;
  databaseUrl: string;
  /** Key prefix (Redis) or schema (PostgreSQL) separating deployments and test workers. */
  prefix: string;
}

export type BackendKind = 'redis' | 'postgres';

/**
 * Binds BullMQ's classes to the configured backend. Redis keys are prefixed with a hash
 * tag (`{pillar}`) so every key of a queue lands on one Redis Cluster slot.
 */
export class QueueKit {
  readonly kind: BackendKind;
  private redis?: IORedis;
  private readonly queues = new Map<string, Queue>();


  constructor(readonly options: QueueBackendOptions) {
    this.kind = options.redisUrl ? 'redis' : 'postgres';
  }

  private redisConnection(): IORedis {
    this.redis ??= new IORedis(this.options.redisUrl!, { maxRetriesPerRequest: null, enableReadyCheck: true });
    return this.redis;
  }

  /** Connection options for one BullMQ object. Workers need their own blocking connection. */
  private common(forWorker = false): Record<string, unknown> {
    if (this.kind === 'redis') {
      return {
        connection: forWorker
          ? new IORedis(this.options.redisUrl!, { maxRetriesPerRequest: null })
          : this.redisConnection(),
        prefix: `{${this.options.prefix}}`,
      };
    }
    return {
      connection: { connectionString: this.options.databaseUrl, schema: `bullmq_${this.options.prefix}`, max: 4 },
    };
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q =
        this.kind === 'redis'
          ? new Queue(name, this.common() as never)
          : (new (withBackend(createPostgresBackend).Queue)(name, this.common() as never) as unknown as Queue);
      this.queues.set(name, q);
    }
    return q as Queue;
  }

  worker(name: QueueName, processor: Processor, opts: Partial<WorkerOptions> = {}): Worker {
    const options = { ...this.common(true), ...opts } as never;
    return this.kind === 'redis'
      ? new Worker(name, processor, options)
      : (new (withBackend(createPostgresBackend).Worker)(name, processor, options) as unknown as Worker);
  }

  events(name: QueueName): QueueEvents {
    const options = this.common(true) as never;
    return this.kind === 'redis'
      ? new QueueEvents(name, options)
      : (new (withBackend(createPostgresBackend).QueueEvents)(name, options) as unknown as QueueEvents);
  }

  allQueues(): Queue[] {
    return ALL_QUEUES.map((n) => this.queue(n));
  }

  /** Resolves when the backend answers (readiness check). */
  async ping(): Promise<void> {
    if (this.kind === 'redis') {
      await this.redisConnection().ping();
    } else {
      await this.queue(QUEUE_NAMES.maintenance).getJobCounts('waiting');
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    if (this.redis) {
      await this.redis.quit().catch(() => undefined);
      this.redis = undefined;
    }
  }
}
