import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import {
  BenefitPlanConnection,
  BenefitPlanFilterInput,
  BenefitPlanPayload,
  BenefitPlanType,
  CreateBenefitPlanInput,
  toBenefitPlanType,
} from './plan.types';

/**
 * The role matrix is silent on benefit plans. Plans are the terms of contracts and claims,
 * so everyone who reads programmes, contracts or claims reads them (all but INTEGRATION);
 * the insurer's pricing side (ADMIN, ACTUARY) creates them.
 */
export const PLAN_READERS = [
  Role.ADMIN,
  Role.ACTUARY,
  Role.CLAIMS_REVIEWER,
  Role.FOUNDATION,
  Role.COORDINATOR,
];
const PLAN_WRITERS = [Role.ADMIN, Role.ACTUARY];

@Resolver(() => BenefitPlanType)
export class PlanResolver {
  @Authorized(PLAN_READERS)
  @Query(() => BenefitPlanConnection, {
    description: 'Benefit plans, oldest first; filter by code for its versions.',
  })
  async benefitPlans(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => BenefitPlanFilterInput, { nullable: true, description: 'Code filter.' })
    filter?: BenefitPlanFilterInput,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    const conn = await ctx.services.plans.list(ctx.em, filter ?? {}, page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toBenefitPlanType(e.node) })) };
  }

  @Authorized(PLAN_READERS)
  @Query(() => BenefitPlanType, { description: 'One benefit plan by id.' })
  async benefitPlan(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Plan id.' }) id: string,
  ): Promise<BenefitPlanType> {
    return toBenefitPlanType(await ctx.services.plans.get(ctx.em, parseId(id, 'id')));
  }

  @Authorized(PLAN_WRITERS)
  @Mutation(() => BenefitPlanPayload, {
    description:
      'Creates a plan as the next version of its code (ADMIN, ACTUARY; audited). Plans are never edited.',
  })
  async createBenefitPlan(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => CreateBenefitPlanInput, { description: "The new plan's terms." })
    input: CreateBenefitPlanInput,
  ): Promise<BenefitPlanPayload> {
    return { benefitPlan: toBenefitPlanType(await ctx.services.plans.create(ctx.em, actorOf(ctx), input)) };
  }
}
