// Safe to repeat: a proposal job stores its job id in the table's evidence and a retried attempt
// returns the table the first one stored (under the code's version lock). A study job computes from committed claims and stores its result as the next
// version under a per-kind advisory lock, keyed by its BullMQ job id (kept in the study's
// parameters). A retried attempt — after a crash before or after the commit — first looks for a
// study with its job id and returns that one, so one job never stores two versions; reads
// before the commit leave nothing behind.
import type { Job } from 'bullmq';
import type { Role } from '../../src/modules/auth/api-token.entity';
import type { Actor } from '../../src/modules/auth/actor';
import type { ProposalJobSummary, StudyJobSummary } from '../../src/modules/actuarial/study.service';
import type { JobPayloads } from '../queues';
import type { JobDeps, JobProgressReport } from './index';

export type LossStudyJob = JobPayloads['actuarial']['loss-study'];
export type ExperienceStudyJob = JobPayloads['actuarial']['experience-study'];
export type ProposeRateTableJob = JobPayloads['actuarial']['propose-rate-table'];

function actorOf(data: { actorTokenId: number | null; actorRole: string }): Actor {
  return { tokenId: data.actorTokenId, role: data.actorRole as Role, countyCodes: [], provinceCodes: [] };
}

function reporter(job: Job) {
  return async (percent: number, message: string) => {
    await job.updateProgress({ percent, message } satisfies JobProgressReport);
  };
}

export async function execLossStudy(
  job: Job<LossStudyJob, StudyJobSummary>,
  deps: JobDeps,
): Promise<StudyJobSummary> {
  const result = await deps.services.actuarial.runLossStudy(
    deps.orm.em.fork(),
    actorOf(job.data),
    job.id!,
    job.data.parameters,
    reporter(job),
  );
  await reporter(job)(
    100,
    `loss study v${result.version} stored (${result.origins as number} origin periods)`,
  );
  return result;
}

export async function execExperienceStudy(
  job: Job<ExperienceStudyJob, StudyJobSummary>,
  deps: JobDeps,
): Promise<StudyJobSummary> {
  const result = await deps.services.actuarial.runExperienceStudy(
    deps.orm.em.fork(),
    actorOf(job.data),
    job.id!,
    job.data.parameters,
    reporter(job),
  );
  await reporter(job)(
    100,
    `experience study v${result.version} stored (${result.counties as number} counties)`,
  );
  return result;
}

export async function execProposeRateTable(
  job: Job<ProposeRateTableJob, ProposalJobSummary>,
  deps: JobDeps,
): Promise<ProposalJobSummary> {
  const result = await deps.services.actuarial.proposeRateTable(
    deps.orm.em.fork(),
    actorOf(job.data),
    job.id!,
    job.data.studyId,
    reporter(job),
  );
  await reporter(job)(
    100,
    `DRAFT rate table ${result.code} v${result.version} proposed from ${result.claims} claims`,
  );
  return result;
}
