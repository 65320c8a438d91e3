import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar } from '../../graphql/scalars';
import type { JobSnapshot, JobStateName } from './job.service';

export enum JobState {
  WAITING = 'WAITING',
  ACTIVE = 'ACTIVE',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  DELAYED = 'DELAYED',
  UNKNOWN = 'UNKNOWN',
}

registerEnumType(JobState, {
  name: 'JobState',
  description: 'Where a background job is.',
  valuesConfig: {
    WAITING: { description: 'Queued, not yet taken by a worker.' },
    ACTIVE: { description: 'A worker is running it.' },
    COMPLETED: { description: 'Done; `result` holds its summary.' },
    FAILED: {
      description: 'Given up (attempts used up, or an error retrying cannot fix); see `failureReason`.',
    },
    DELAYED: { description: 'Scheduled for later, or waiting to retry after a failed attempt.' },
    UNKNOWN: { description: 'The queue no longer knows the job (e.g. trimmed while being read).' },
  },
});

@ObjectType('JobProgress', { description: 'Progress a job has reported.' })
export class JobProgressType {
  @Field(() => Int, { description: '0–100 (100 once completed).' })
  percent!: number;

  @Field(() => String, {
    nullable: true,
    description: 'What it is doing, e.g. "activated 3, expired 1 as of 2020-03-02".',
  })
  message!: string | null;
}

@ObjectType('Job', {
  description:
    'A background job (renewal run, study, sweep…): mutations that start one return it at once; poll `job(id)`.',
})
export class JobType {
  @Field(() => ID, { description: 'Job id, `<queue>.<id>`, e.g. `maintenance.sweep-2020-03-02`.' })
  id!: string;

  @Field({ description: 'Queue it runs on, e.g. `maintenance`.' })
  queue!: string;

  @Field({ description: 'What it does, e.g. `contract-lifecycle-sweep`.' })
  name!: string;

  @Field(() => JobState, { description: 'Where it is.' })
  state!: JobState;

  @Field(() => JobProgressType, { description: 'Reported progress.' })
  progress!: JobProgressType;

  @Field(() => Date, { description: 'When it was queued.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When a worker first started it.' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it completed or finally failed.' })
  finishedAt!: Date | null;

  @Field(() => Int, { description: 'Attempts started so far (a failed attempt is retried with back-off).' })
  attempts!: number;

  @Field(() => Int, { description: 'Attempts allowed.' })
  maxAttempts!: number;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'Summary of what it did (counts, ids), once completed.',
  })
  result!: unknown;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it failed, or why the last attempt failed while it waits to retry. Never a stack trace.',
  })
  failureReason!: string | null;
}

export function toJobType(j: JobSnapshot): JobType {
  return {
    id: j.id,
    queue: j.queue,
    name: j.name,
    state: JobState[j.state satisfies JobStateName],
    progress: { percent: j.percent, message: j.message },
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    result: j.result ?? null,
    failureReason: j.failureReason,
  };
}

@InputType({ description: 'Runs the contract lifecycle sweep (ADMIN).' })
export class RunContractLifecycleSweepInput {
  @Field(() => DateScalar, {
    nullable: true,
    description: 'Sweep as of this date (default today, China time; not after today).',
  })
  asOf?: string | null;
}

@ObjectType({ description: 'The job started (or already queued for the same date).' })
export class JobPayload {
  @Field(() => JobType, { description: 'The job; poll `job(id)` for its progress.' })
  job!: JobType;
}
