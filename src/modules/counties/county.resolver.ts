import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { Role } from '../auth/api-token.entity';
import {
  CountyConnection,
  CountyFilterInput,
  CountyPayload,
  CountyType,
  toCountyType,
  UpsertCountyInput,
} from './county.types';

const READERS = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];

@Resolver(() => CountyType)
export class CountyResolver {
  @Authorized(READERS)
  @Query(() => CountyConnection, { description: 'Counties, by code; scoped tokens see their own.' })
  async counties(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => CountyFilterInput, { description: 'Filters (all optional).', nullable: true })
    filter?: CountyFilterInput,
    @Arg('page', () => PageInput, { description: 'Page size and cursor.', nullable: true }) page?: PageInput,
  ) {
    const conn = await ctx.services.counties.list(ctx.em, actorOf(ctx), filter ?? {}, page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toCountyType(e.node) })) };
  }

  @Authorized(READERS)
  @Query(() => CountyType, { description: 'One county by its 6-digit code.' })
  async county(
    @Ctx() ctx: GqlContext,
    @Arg('code', { description: '6-digit county code.' }) code: string,
  ): Promise<CountyType> {
    return toCountyType(await ctx.services.counties.get(ctx.em, actorOf(ctx), code));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CountyPayload, { description: 'Creates or updates a county (ADMIN).' })
  async upsertCounty(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: UpsertCountyInput,
  ): Promise<CountyPayload> {
    return { county: toCountyType(await ctx.services.counties.upsert(ctx.em, actorOf(ctx), input)) };
  }
}
