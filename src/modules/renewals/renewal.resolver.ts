import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import { toJobType } from '../jobs/job.types';
import {
  RenewalCountyType,
  RenewalPipelineType,
  RenewalRunConnection,
  RenewalRunPayload,
  RenewalRunType,
  StartRenewalRunInput,
  toRenewalCountyType,
  toRenewalPipelineType,
  toRenewalRunType,
} from './renewal.types';

/** The foundation renews; actuaries read the runs (their experience feeds studies). */
const STARTERS = [Role.ADMIN, Role.FOUNDATION];
const READERS = [Role.ADMIN, Role.FOUNDATION, Role.ACTUARY];

@Resolver(() => RenewalRunType)
export class RenewalResolver {
  @Authorized(STARTERS)
  @Mutation(() => RenewalRunPayload, {
    description:
      'Renews every ACTIVE or EXPIRED contract of `fromYear` without a successor into the next year, one county at a time in a job ' +
      '(FOUNDATION, ADMIN). Returns the run and its job at once; asking again while one is queued or running returns it.',
  })
  async startRenewalRun(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => StartRenewalRunInput, { description: "The operation's input." })
    input: StartRenewalRunInput,
  ): Promise<RenewalRunPayload> {
    const { run, job } = await ctx.services.renewals.startRun(ctx.em, actorOf(ctx), {
      fromYear: input.fromYear,
    });
    return { run: toRenewalRunType(run), job: toJobType(job) };
  }

  @Authorized(READERS)
  @Query(() => RenewalRunType, {
    description: 'One renewal run with its per-county report (FOUNDATION, ADMIN, ACTUARY).',
  })
  async renewalRun(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Id of the record.' }) id: string,
  ): Promise<RenewalRunType> {
    const { run } = await ctx.services.renewals.get(ctx.em, parseId(id, 'id'));
    return toRenewalRunType(run);
  }

  @Authorized(READERS)
  @Query(() => RenewalRunConnection, {
    description: 'Renewal runs, newest first (FOUNDATION, ADMIN, ACTUARY).',
  })
  async renewalRuns(
    @Ctx() ctx: GqlContext,
    @Arg('fromYear', () => Int, { nullable: true, description: 'Only runs renewing this year.' })
    fromYear?: number,
    @Arg('page', () => PageInput, { description: 'Page size and cursor.', nullable: true }) page?: PageInput,
  ) {
    const conn = await ctx.services.renewals.list(ctx.em, { fromYear }, page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toRenewalRunType(e.node) })) };
  }

  @Authorized(STARTERS)
  @Query(() => RenewalPipelineType, {
    description: "Counties of a programme year by stage, the foundation's year pipeline (FOUNDATION, ADMIN).",
  })
  async renewalPipeline(
    @Ctx() ctx: GqlContext,
    @Arg('year', () => Int, { description: 'Programme year.' }) year: number,
  ): Promise<RenewalPipelineType> {
    return toRenewalPipelineType(await ctx.services.renewals.pipeline(ctx.em, year));
  }

  @FieldResolver(() => [RenewalCountyType], { description: 'What the run did for each county.' })
  async counties(@Root() run: RenewalRunType, @Ctx() ctx: GqlContext): Promise<RenewalCountyType[]> {
    return (await ctx.services.renewals.counties(ctx.em, Number(run.id))).map(toRenewalCountyType);
  }
}
