import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, type GqlContext } from '../../graphql/context';
import { Role } from '../auth/api-token.entity';
import { JobPayload, JobType, RunContractLifecycleSweepInput, toJobType } from './job.types';

/**
 * Every role that can start work may follow it. INTEGRATION (hospitals, government systems)
 * starts no jobs and has no business reading them. Scoped tokens see only jobs of their
 * counties (jobs whose payload names a county) — applied by the service.
 */
const JOB_READERS = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];

@Resolver(() => JobType)
export class JobResolver {
  @Authorized(JOB_READERS)
  @Query(() => JobType, {
    description:
      'A background job by id: state, progress, timings, result or failure (any role but INTEGRATION).',
  })
  async job(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Id of the record.' }) id: string,
  ): Promise<JobType> {
    return toJobType(await ctx.services.jobs.get(actorOf(ctx), id));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => JobPayload, {
    description:
      'Activates and expires contracts on their dates now, as the daily 00:05 job does (ADMIN). Returns the job at once; ' +
      'one job per date at a time (asking again while it runs returns the same job).',
  })
  async runContractLifecycleSweep(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => RunContractLifecycleSweepInput, {
      description: "The operation's input.",
      nullable: true,
    })
    input?: RunContractLifecycleSweepInput,
  ): Promise<JobPayload> {
    return {
      job: toJobType(await ctx.services.jobs.startContractLifecycleSweep(ctx.em, actorOf(ctx), input ?? {})),
    };
  }
}
