import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import {
  CreateRateTableInput,
  RateTableConnection,
  RateTableFilterInput,
  RateTablePayload,
  RateTableTransitionInput,
  RateTableType,
  toRateTableType,
} from './rate-table.types';

// api-security.md: "rate tables, quotes, studies" — ADMIN and ACTUARY write; FOUNDATION reads quotes only.
const ACTUARIAL = [Role.ADMIN, Role.ACTUARY];

@Resolver(() => RateTableType)
export class RateTableResolver {
  @Authorized(ACTUARIAL)
  @Query(() => RateTableConnection, { description: 'Rate tables, oldest first (ADMIN, ACTUARY).' })
  async rateTables(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => RateTableFilterInput, { nullable: true, description: 'Code and status filters.' })
    filter?: RateTableFilterInput,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    const conn = await ctx.services.rateTables.list(ctx.em, filter ?? {}, page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toRateTableType(e.node) })) };
  }

  @Authorized(ACTUARIAL)
  @Query(() => RateTableType, { description: 'One rate table by id (ADMIN, ACTUARY).' })
  async rateTable(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Rate table id.' }) id: string,
  ): Promise<RateTableType> {
    return toRateTableType(await ctx.services.rateTables.get(ctx.em, parseId(id, 'id')));
  }

  @Authorized(ACTUARIAL)
  @Mutation(() => RateTablePayload, {
    description: 'Creates a DRAFT rate table with the next version of its code (ADMIN, ACTUARY).',
  })
  async createRateTable(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => CreateRateTableInput, { description: "The new table's parameters." })
    input: CreateRateTableInput,
  ): Promise<RateTablePayload> {
    return { rateTable: toRateTableType(await ctx.services.rateTables.create(ctx.em, actorOf(ctx), input)) };
  }

  @Authorized(ACTUARIAL)
  @Mutation(() => RateTablePayload, {
    description: 'DRAFT → PUBLISHED: the table may price contracts (ADMIN, ACTUARY; audited).',
  })
  async publishRateTable(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => RateTableTransitionInput, { description: 'The rate table to change.' })
    input: RateTableTransitionInput,
  ): Promise<RateTablePayload> {
    const table = await ctx.services.rateTables.publish(ctx.em, actorOf(ctx), parseId(input.id, 'id'));
    return { rateTable: toRateTableType(table) };
  }

  @Authorized(ACTUARIAL)
  @Mutation(() => RateTablePayload, {
    description: 'PUBLISHED → RETIRED: no new quotes with it (ADMIN, ACTUARY; audited).',
  })
  async retireRateTable(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => RateTableTransitionInput, { description: 'The rate table to change.' })
    input: RateTableTransitionInput,
  ): Promise<RateTablePayload> {
    const table = await ctx.services.rateTables.retire(ctx.em, actorOf(ctx), parseId(input.id, 'id'));
    return { rateTable: toRateTableType(table) };
  }
}
