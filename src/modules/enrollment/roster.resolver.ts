import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import {
  RosterImportConnection,
  RosterImportType,
  RosterRejectConnection,
  RosterRejectFilterInput,
  toRosterImportType,
  toRosterRejectType,
} from './roster.types';

/**
 * Rosters (api-security.md): ADMIN and FOUNDATION import and view any county, COORDINATOR
 * their own (scope applied by the service), CLAIMS_REVIEWER views, ACTUARY sees the
 * aggregates (an import's counts) but not the rejected rows, INTEGRATION nothing.
 * Uploads themselves go over HTTP (`POST /uploads/rosters`, src/server/uploads.ts).
 */
export const ROSTER_VIEWERS = [
  Role.ADMIN,
  Role.ACTUARY,
  Role.CLAIMS_REVIEWER,
  Role.FOUNDATION,
  Role.COORDINATOR,
];
export const ROSTER_REJECT_VIEWERS = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];
export const ROSTER_WRITERS = [Role.ADMIN, Role.FOUNDATION, Role.COORDINATOR];

@Resolver(() => RosterImportType)
export class RosterResolver {
  @Authorized(ROSTER_VIEWERS)
  @Query(() => RosterImportType, {
    description: 'A roster import: status, counts (every row accounted for), progress, failure.',
  })
  async rosterImport(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Id of the import (returned by the upload).' }) id: string,
  ): Promise<RosterImportType> {
    return toRosterImportType(await ctx.services.rosters.get(ctx.em, actorOf(ctx), parseId(id, 'id')));
  }

  @Authorized(ROSTER_VIEWERS)
  @Query(() => RosterImportConnection, { description: "A contract's roster imports, newest first." })
  async rosterImports(
    @Ctx() ctx: GqlContext,
    @Arg('contractId', () => ID, { description: 'The contract.' }) contractId: string,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    const conn = await ctx.services.rosters.list(
      ctx.em,
      actorOf(ctx),
      parseId(contractId, 'contractId'),
      page,
    );
    return {
      ...conn,
      edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toRosterImportType(e.node) })),
    };
  }

  @Authorized(ROSTER_REJECT_VIEWERS)
  @Query(() => RosterRejectConnection, {
    description:
      'The rejected rows of an import by line number, with masked IDs and reasons (not ACTUARY). ' +
      'All of them as CSV: GET /uploads/rosters/{importId}/rejects.csv.',
  })
  async rosterRejects(
    @Ctx() ctx: GqlContext,
    @Arg('importId', () => ID, { description: 'The import.' }) importId: string,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
    @Arg('filter', () => RosterRejectFilterInput, { nullable: true, description: 'Filters (all optional).' })
    filter?: RosterRejectFilterInput,
  ) {
    const conn = await ctx.services.rosters.rejects(
      ctx.em,
      actorOf(ctx),
      parseId(importId, 'importId'),
      page,
      filter ?? {},
    );
    return {
      ...conn,
      edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toRosterRejectType(e.node) })),
    };
  }
}
