import type { Job } from 'bullmq';
import type { Runtime } from '../../src/app/runtime';
import type { JobDataOf, JobNameOf, JobPayloads, QueueName, QueueWithJobs } from '../queues';
import { execExperienceStudy, execLossStudy, execProposeRateTable } from './actuarial';
import { execRosterImport } from './enrollment';
import { execDeliverWebhook, execDispatchEvents } from './events';
import { execContractLifecycleSweep } from './maintenance';
import { execSettle } from './payouts';
import { execRotatePiiKey } from './pii';
import { execQuoteProgramme } from './pricing';
import { execRenewalRun, execRenewalWindow } from './renewals';

/** What an exec function may use: the process's services and infrastructure (never a request's). */
export type JobDeps = Pick<Runtime, 'config' | 'orm' | 'clock' | 'queues' | 'pg' | 'services'>;

/** Progress as every processor reports it (`job.updateProgress`), read back by `job(id)`. */
export interface JobProgressReport {
  /** 0–100. */
  percent: number;
  message: string;
}

/**
 * One job's work. Returns a small JSON summary (counts, ids) — it is stored with the job and
 * shown by `job(id)`, so never personal data. Throw a `DomainError` for a problem retrying
 * cannot fix (the worker turns it into an UnrecoverableError); any other error is retried.
 */
export type JobExec<D = unknown, R = unknown> = (job: Job<D, R>, deps: JobDeps) => Promise<R>;

/**
 * An exec function for payload `D`, whatever its result type. Declared as a method so its
 * parameter is compared bivariantly: `JobExec<D, R>` fits for any `R`.
 */
export type ExecFor<D> = { exec(job: Job<D>, deps: JobDeps): Promise<unknown> }['exec'];

/** Every declared job (jobs/queues.ts `JobPayloads`) must have its exec function. */
export type ProcessorRegistry = {
  [Q in QueueWithJobs]: { [N in JobNameOf<Q>]: ExecFor<JobDataOf<Q, N>> };
};

/** Looser shape the worker consumes (tests may pass their own, e.g. a deliberately slow job). */
export type WorkerRegistry = Partial<Record<QueueName, Record<string, ExecFor<unknown>>>>;

/**
 * Queue → job name → exec function. To add a job on a new queue: declare the payload under
 * the queue in `JobPayloads`, write `jobs/processors/<area>.ts` exporting `exec<Job>` (starting
 * with a comment saying why it is safe to repeat), and list it here. The worker starts one
 * BullMQ Worker for each queue listed.
 */
export const PROCESSORS: ProcessorRegistry = {
  maintenance: {
    'contract-lifecycle-sweep': execContractLifecycleSweep,
    'rotate-pii-key': execRotatePiiKey,
  },
  pricing: {
    'quote-programme': execQuoteProgramme,
  },
  events: {
    'dispatch-events': execDispatchEvents,
    'deliver-webhook': execDeliverWebhook,
  },
  enrollment: {
    'roster-import': execRosterImport,
  },
  renewals: {
    'renewal-run': execRenewalRun,
    'renewal-window': execRenewalWindow,
  },
  actuarial: {
    'loss-study': execLossStudy,
    'experience-study': execExperienceStudy,
    'propose-rate-table': execProposeRateTable,
  },
  payouts: {
    settle: execSettle,
  },
};

/** Queues that have at least one processor. */
export function queuesWithProcessors(registry: WorkerRegistry): QueueName[] {
  return (Object.keys(registry) as QueueName[]).filter((q) => Object.keys(registry[q] ?? {}).length > 0);
}

export type { JobPayloads };
