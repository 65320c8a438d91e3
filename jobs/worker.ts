import { createServer, type Server } from 'node:http';
import {
  DelayedError,
  RateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
  WaitingError,
  type Job,
  type Processor,
  type Worker,
} from 'bullmq';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createRuntime } from '../src/app/runtime';
import { jobDuration } from '../src/server/metrics';
import { DomainError } from '../src/shared/errors';
import { logger, type Logger } from '../src/shared/logger';
import {
  PROCESSORS,
  queuesWithProcessors,
  type ExecFor,
  type JobDeps,
  type WorkerRegistry,
} from './processors';
import type { QueueName } from './queues';
import { registerSchedules } from './scheduler';

const log = logger.child({ component: 'worker' });

/**
 * The worker process's own Prometheus registry (the API keeps another): job durations by
 * queue, job name and outcome, plus process metrics once `runWorkers` starts.
 */
export const workerRegistry = new Registry();
workerRegistry.registerMetric(jobDuration);

/**
 * Domain errors that another attempt can fix: a concurrent writer bumped a version. Every
 * other DomainError (bad input, not found, illegal state) fails the job at once.
 */
const RETRYABLE_REASONS = new Set(['STALE_VERSION']);

/** BullMQ's control-flow errors, thrown on purpose by processors: passed through untouched. */
function isControlFlow(err: unknown): boolean {
  return (
    err instanceof UnrecoverableError ||
    err instanceof DelayedError ||
    err instanceof WaitingChildrenError ||
    err instanceof WaitingError ||
    err instanceof RateLimitError
  );
}

/**
 * What a failed attempt leaves on the job. Domain errors keep their message (it is meant for
 * users); anything unexpected is logged in full and stored as a generic reason, since
 * `job(id)` shows the reason through the API (the original goes to the job log too, which only
 * ADMINs see, on the dashboard).
 */
async function toJobError(err: unknown, job: Job, jobLog: Logger): Promise<Error> {
  if (isControlFlow(err)) {
    if (err instanceof UnrecoverableError) jobLog.warn({ reason: err.message }, 'job failed for good');
    return err as Error;
  }
  if (err instanceof DomainError) {
    const reason = err.details.reason ?? err.code;
    const message = `${reason}: ${err.message}`;
    if (RETRYABLE_REASONS.has(reason)) {
      jobLog.warn({ reason }, 'job attempt hit a retryable conflict');
      return new Error(message);
    }
    jobLog.warn({ reason, code: err.code }, 'job failed for good (domain error)');
    return new UnrecoverableError(message);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  jobLog.error({ err: e, attempt: job.attemptsStarted }, 'job attempt failed');
  await job.log(`attempt ${job.attemptsStarted} failed: ${e.name}: ${e.message}`).catch(() => undefined);
  return new Error(`unexpected ${e.name} (details in the worker log and the job log)`);
}

/** Wraps a queue's exec functions: dispatch by job name, logs, duration metric, error mapping. */
function makeProcessor(queue: QueueName, execs: Record<string, ExecFor<unknown>>, deps: JobDeps): Processor {
  return async (job: Job) => {
    // `name` is redacted by the logger (personal names); the job's name goes as `jobName`.
    const jobLog = log.child({ queue, jobId: job.id, jobName: job.name });
    const exec = execs[job.name];
    if (!exec) {
      jobLog.error('no processor for this job name');
      throw new UnrecoverableError(`no processor for job "${job.name}" on queue ${queue}`);
    }
    const stop = jobDuration.startTimer({ queue, name: job.name });
    jobLog.info({ attempt: job.attemptsStarted }, 'job started');
    try {
      const result: unknown = await exec(job, deps);
      const seconds = stop({ outcome: 'completed' });
      jobLog.info({ seconds }, 'job completed');
      return result;
    } catch (err) {
      stop({ outcome: 'failed' });
      throw await toJobError(err, job, jobLog);
    }
  };
}

export interface StartWorkersOptions {
  /** Queues to work (default: every queue with a processor in the registry). */
  queues?: QueueName[];
  /** Processors (default `PROCESSORS`); tests pass their own. */
  registry?: WorkerRegistry;
  /** Jobs in flight per queue (default WORKER_CONCURRENCY). */
  concurrency?: number;
}

export interface WorkerHandle {
  readonly workers: ReadonlyMap<QueueName, Worker>;
  /**
   * Graceful stop: takes no new jobs, waits for the jobs in flight to finish, then closes the
   * workers' connections. Nothing is lost: a job is only taken off the queue when it completes.
   */
  close(): Promise<void>;
}

/** Starts one BullMQ Worker per queue, in this process, and waits until they are connected. */
export async function startWorkers(rt: JobDeps, opts: StartWorkersOptions = {}): Promise<WorkerHandle> {
  const registry: WorkerRegistry = opts.registry ?? PROCESSORS;
  const queues = opts.queues ?? queuesWithProcessors(registry);
  const concurrency = opts.concurrency ?? rt.config.WORKER_CONCURRENCY;
  const workers = new Map<QueueName, Worker>();
  for (const queue of queues) {
    const execs = registry[queue];
    if (!execs || !Object.keys(execs).length) throw new Error(`no processors registered for queue ${queue}`);
    const worker = rt.queues.worker(queue, makeProcessor(queue, execs, rt), { concurrency, autorun: true });
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      log[final ? 'warn' : 'info'](
        { queue, jobId: job.id, jobName: job.name, attemptsMade: job.attemptsMade, final },
        final ? 'job failed' : 'job attempt failed, will retry',
      );
    });
    worker.on('stalled', (jobId) =>
      log.warn({ queue, jobId }, 'job stalled (its worker died); it will run again'),
    );
    workers.set(queue, worker);
  }
  await Promise.all([...workers.values()].map((w) => w.waitUntilReady()));
  log.info({ queues, concurrency, backend: rt.queues.kind }, 'workers started');
  let closing: Promise<void> | undefined;
  return {
    workers,
    close() {
      closing ??= (async () => {
        log.info({ queues }, 'workers closing: no new jobs, finishing the ones in flight');
        await Promise.all([...workers.values()].map((w) => w.close()));
        log.info({ queues }, 'workers closed');
      })();
      return closing;
    },
  };
}

/** Serves the worker's metrics (and a liveness probe) on WORKER_METRICS_PORT. */
async function serveWorkerMetrics(port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      workerRegistry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'content-type': workerRegistry.contentType });
          res.end(text);
        })
        .catch((err: Error) => {
          log.error({ err }, 'metrics failed');
          res.writeHead(500).end();
        });
      return;
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  log.info({ url: `http://${host}:${port}/metrics` }, 'worker metrics listening');
  return server;
}

/**
 * Entry of `node dist/src/main.js worker`: connects, works every queue with processors,
 * registers the repeatable schedules when SCHEDULER_ENABLED, and on SIGTERM/SIGINT finishes the
 * jobs in flight before closing (a SIGTERM'd worker loses no job).
 */
export async function runWorkers(): Promise<void> {
  const rt = await createRuntime();
  collectDefaultMetrics({ register: workerRegistry, prefix: 'pillar_' });
  const metricsServer =
    rt.config.WORKER_METRICS_PORT !== undefined
      ? await serveWorkerMetrics(rt.config.WORKER_METRICS_PORT, rt.config.HOST)
      : undefined;

  // Signals are handled from here on, so a SIGTERM during start-up still closes cleanly.
  const started: { workers?: Promise<WorkerHandle> } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'already shutting down, waiting for jobs in flight');
      return;
    }
    stopping = true;
    log.info({ signal }, 'worker shutting down');
    let code = 0;
    try {
      const handle = await started.workers?.catch(() => undefined);
      await handle?.close();
      metricsServer?.close();
      await rt.close();
    } catch (err) {
      log.error({ err }, 'error while shutting down');
      code = 1;
    }
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // Schedules first: if that fails the process exits before it has taken any job.
  if (rt.config.SCHEDULER_ENABLED) {
    const schedules = await registerSchedules(rt.queues, { tz: rt.config.BUSINESS_TZ });
    log.info(
      { schedules: schedules.map((s) => ({ id: s.id, next: s.next && new Date(s.next) })) },
      'schedules registered',
    );
  }
  if (stopping) return;
  started.workers = startWorkers(rt);
  await started.workers;
}
