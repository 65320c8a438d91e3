import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { notFound } from '../../shared/errors';
import { Role } from '../auth/api-token.entity';
import { County } from '../counties/county.entity';
import { CountyType, toCountyType } from '../counties/county.types';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import { BenefitPlanType, toBenefitPlanType } from '../pricing/plan.types';
import { RateTable } from '../pricing/rate-table.entity';
import { RateTableType, toRateTableType } from '../pricing/rate-table.types';
import { Programme } from '../programmes/programme.entity';
import { ProgrammeType, toProgrammeType } from '../programmes/programme.types';
import {
  ApproveContractInput,
  CancelContractInput,
  ContractConnection,
  ContractFilterInput,
  ContractPayload,
  ContractType,
  CreateContractInput,
  toContractType,
  UpdateContractInput,
} from './contract.types';

/** api-security.md "contracts": ACTUARY reads (to quote), COORDINATOR reads its own county. */
const READERS = [Role.ADMIN, Role.ACTUARY, Role.FOUNDATION, Role.COORDINATOR];
const WRITERS = [Role.ADMIN, Role.FOUNDATION];
/** Rate tables are for ADMIN and ACTUARY only (api-security.md). */
const RATE_TABLE_READERS = [Role.ADMIN, Role.ACTUARY];

const optionalId = (id: string | null | undefined, field: string): number | null | undefined =>
  id === undefined || id === null ? id : parseId(id, field);

@Resolver(() => ContractType)
export class ContractResolver {
  @Authorized(READERS)
  @Query(() => ContractConnection, {
    description: 'County contracts, by id; a COORDINATOR sees its own county.',
  })
  async contracts(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => ContractFilterInput, { description: 'Filters (all optional).', nullable: true })
    filter?: ContractFilterInput,
    @Arg('page', () => PageInput, { description: 'Page size and cursor.', nullable: true }) page?: PageInput,
  ) {
    const conn = await ctx.services.contracts.list(ctx.em, actorOf(ctx), filter ?? {}, page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toContractType(e.node) })) };
  }

  @Authorized(READERS)
  @Query(() => ContractType, { description: 'One contract (NOT_FOUND outside your scope).' })
  async contract(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Id of the record.' }) id: string,
  ): Promise<ContractType> {
    return toContractType(await ctx.services.contracts.get(ctx.em, actorOf(ctx), parseId(id, 'id')));
  }

  @Authorized(WRITERS)
  @Mutation(() => ContractPayload, {
    description: 'Creates a DRAFT contract for a county and programme year (ADMIN, FOUNDATION).',
  })
  async createContract(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: CreateContractInput,
  ): Promise<ContractPayload> {
    const contract = await ctx.services.contracts.create(ctx.em, actorOf(ctx), {
      ...input,
      planId: optionalId(input.planId, 'planId'),
      rateTableId: optionalId(input.rateTableId, 'rateTableId'),
    });
    return { contract: toContractType(contract) };
  }

  @Authorized(WRITERS)
  @Mutation(() => ContractPayload, {
    description: 'Changes the terms of a DRAFT or QUOTED contract (ADMIN, FOUNDATION).',
  })
  async updateContract(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: UpdateContractInput,
  ): Promise<ContractPayload> {
    const contract = await ctx.services.contracts.update(ctx.em, actorOf(ctx), {
      ...input,
      id: parseId(input.id, 'id'),
      planId: optionalId(input.planId, 'planId'),
      rateTableId: optionalId(input.rateTableId, 'rateTableId'),
    });
    return { contract: toContractType(contract) };
  }

  @Authorized(WRITERS)
  @Mutation(() => ContractPayload, {
    description: 'Cancels a DRAFT, QUOTED or APPROVED contract (ADMIN, FOUNDATION).',
  })
  async cancelContract(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: CancelContractInput,
  ): Promise<ContractPayload> {
    const contract = await ctx.services.contracts.cancel(ctx.em, actorOf(ctx), {
      ...input,
      id: parseId(input.id, 'id'),
    });
    return { contract: toContractType(contract) };
  }

  @Authorized(WRITERS)
  @Mutation(() => ContractPayload, {
    description:
      'Approves a QUOTED contract with its newest quote, within the programme budget (FOUNDATION, ADMIN); ' +
      'BUDGET_EXCEEDED otherwise, unless an ADMIN overrides.',
  })
  async approveContract(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: ApproveContractInput,
  ): Promise<ContractPayload> {
    const contract = await ctx.services.contracts.approve(ctx.em, actorOf(ctx), {
      ...input,
      id: parseId(input.id, 'id'),
    });
    return { contract: toContractType(contract) };
  }

  @FieldResolver(() => CountyType, { description: 'The county.' })
  async county(@Root() c: ContractType, @Ctx() ctx: GqlContext): Promise<CountyType> {
    const county = await ctx.loaders.byId(County, 'code').load(c.countyCode);
    if (!county) throw notFound('County', c.countyCode);
    return toCountyType(county);
  }

  @FieldResolver(() => ProgrammeType, { description: 'The programme year.' })
  async programme(@Root() c: ContractType, @Ctx() ctx: GqlContext): Promise<ProgrammeType> {
    const programme = await ctx.loaders.byId(Programme).load(c.programmeId);
    if (!programme) throw notFound('Programme', c.programmeId);
    return toProgrammeType(programme);
  }

  @FieldResolver(() => BenefitPlanType, { description: 'The benefit plan.' })
  async plan(@Root() c: ContractType, @Ctx() ctx: GqlContext): Promise<BenefitPlanType> {
    const plan = await ctx.loaders.byId(BenefitPlan).load(c.planId);
    if (!plan) throw notFound('BenefitPlan', c.planId);
    return toBenefitPlanType(plan);
  }

  @Authorized(RATE_TABLE_READERS)
  @FieldResolver(() => RateTableType, {
    nullable: true,
    description: "The rate table chosen for pricing; null: the programme's default (ADMIN, ACTUARY).",
  })
  async rateTable(@Root() c: ContractType, @Ctx() ctx: GqlContext): Promise<RateTableType | null> {
    if (c.rateTableId === null) return null;
    const table = await ctx.loaders.byId(RateTable).load(c.rateTableId);
    return table ? toRateTableType(table) : null;
  }
}
