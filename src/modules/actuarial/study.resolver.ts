import { Arg, Authorized, Ctx, Float, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { Role } from '../auth/api-token.entity';
import { JobPayload, toJobType } from '../jobs/job.types';
import { StudyKind } from './actuarial-study.entity';
import {
  ActuarialStudyConnection,
  ActuarialStudyType,
  ChainLadderResultType,
  ProposeRateTableInput,
  RunExperienceStudyInput,
  RunLossStudyInput,
  toChainLadderType,
  toStudyType,
} from './study.types';

const ACTUARIES = [Role.ADMIN, Role.ACTUARY];

@Resolver(() => ActuarialStudyType)
export class ActuarialStudyResolver {
  @Authorized(ACTUARIES)
  @Query(() => ChainLadderResultType, {
    description:
      "Chain ladder with Mack's standard errors over a cumulative triangle supplied in the request (ACTUARY, ADMIN); nothing is read or stored.",
  })
  chainLadder(
    @Ctx() ctx: GqlContext,
    @Arg('triangle', () => [[Float]], {
      nullable: 'items',
      description:
        'Cumulative amounts, rows = origin periods (oldest first), columns = development ages; null = not yet observed.',
    })
    triangle: (number | null)[][],
    @Arg('tailFactor', () => Float, {
      nullable: true,
      description: 'Development after the last age (default 1.0).',
    })
    tailFactor?: number | null,
  ): ChainLadderResultType {
    return toChainLadderType(ctx.services.actuarial.chainLadder(triangle, tailFactor));
  }

  @Authorized(ACTUARIES)
  @Query(() => ActuarialStudyType, { description: 'One stored actuarial study (ACTUARY, ADMIN).' })
  async actuarialStudy(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Id of the record.' }) id: string,
  ): Promise<ActuarialStudyType> {
    return toStudyType(await ctx.services.actuarial.get(ctx.em, id));
  }

  @Authorized(ACTUARIES)
  @Query(() => ActuarialStudyConnection, {
    description: 'Stored actuarial studies, newest first (ACTUARY, ADMIN).',
  })
  async actuarialStudies(
    @Ctx() ctx: GqlContext,
    @Arg('kind', () => StudyKind, { nullable: true, description: 'Only studies of this kind.' })
    kind?: StudyKind | null,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    const conn = await ctx.services.actuarial.list(ctx.em, kind ?? null, page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toStudyType(e.node) })) };
  }

  @Authorized(ACTUARIES)
  @Mutation(() => JobPayload, {
    description:
      'Starts a loss development study (paid triangle, chain ladder, IBNR by county) in the background; follow it with job(id). Each run stores a new version.',
  })
  async runLossStudy(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => RunLossStudyInput, { description: "The operation's input." })
    input: RunLossStudyInput,
  ): Promise<JobPayload> {
    return { job: toJobType(await ctx.services.actuarial.startLossStudy(ctx.em, actorOf(ctx), input)) };
  }

  @Authorized(ACTUARIES)
  @Mutation(() => JobPayload, {
    description:
      'Starts an experience study of a programme year (exposure, claims, incurred, loss ratio, A/E per county) in the background; follow it with job(id).',
  })
  async runExperienceStudy(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => RunExperienceStudyInput, { description: "The operation's input." })
    input: RunExperienceStudyInput,
  ): Promise<JobPayload> {
    return {
      job: toJobType(await ctx.services.actuarial.startExperienceStudy(ctx.em, actorOf(ctx), input.year)),
    };
  }

  @Authorized(ACTUARIES)
  @Mutation(() => JobPayload, {
    description:
      "Proposes a DRAFT rate table from the claims data of a study's programme year, credibility-blended with the current published table, in the background; follow it with job(id): its result names the table (rateTableId), whose evidence field holds the working (ACTUARY, ADMIN).",
  })
  async proposeRateTable(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => ProposeRateTableInput, { description: "The operation's input." })
    input: ProposeRateTableInput,
  ): Promise<JobPayload> {
    return {
      job: toJobType(await ctx.services.actuarial.startProposeRateTable(ctx.em, actorOf(ctx), input.studyId)),
    };
  }
}
