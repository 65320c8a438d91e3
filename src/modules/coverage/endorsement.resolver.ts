import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import { toCoverageType } from './coverage.types';
import { CoverageEndReason } from './coverage.entity';
import type { EndorsementResult, MidYearEndReason } from './endorsement.service';
import {
  AddCoverageInput,
  EndCoverageInput,
  EndorsementConnection,
  EndorsementPayload,
  EndorsementType,
  toEndorsementType,
} from './endorsement.types';

/** Rosters: write (api-security.md) — COORDINATOR for its own county, applied by the service's scope. */
const WRITERS = [Role.ADMIN, Role.FOUNDATION, Role.COORDINATOR];
/** Contracts: read. */
const READERS = [Role.ADMIN, Role.ACTUARY, Role.FOUNDATION, Role.COORDINATOR];

function toPayload(r: EndorsementResult): EndorsementPayload {
  return { coverage: toCoverageType(r.coverage), endorsement: toEndorsementType(r.endorsement), warnings: r.warnings };
}

@Resolver(() => EndorsementType)
export class EndorsementResolver {
  @Authorized(WRITERS)
  @Mutation(() => EndorsementPayload, {
    description:
      'Adds a person to an ACTIVE contract from a date (today or later); charges the premium of the days left, pro rata. ' +
      'ADMIN, FOUNDATION, COORDINATOR of the county.',
  })
  async addCoverage(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: AddCoverageInput,
  ): Promise<EndorsementPayload> {
    const result = await ctx.services.endorsements.addCoverage(ctx.em, actorOf(ctx), {
      ...input,
      contractId: parseId(input.contractId, 'contractId'),
    });
    return toPayload(result);
  }

  @Authorized(WRITERS)
  @Mutation(() => EndorsementPayload, {
    description:
      'Ends a coverage of an ACTIVE contract from a date (DECEASED, MOVED, NO_LONGER_ELIGIBLE); refunds the premium ' +
      'of the unused days, pro rata. ADMIN, FOUNDATION, COORDINATOR of the county.',
  })
  async endCoverage(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: EndCoverageInput,
  ): Promise<EndorsementPayload> {
    const result = await ctx.services.endorsements.endCoverage(ctx.em, actorOf(ctx), {
      coverageId: parseId(input.coverageId, 'coverageId'),
      effectiveDate: input.effectiveDate,
      reason: CoverageEndReason[input.reason] as MidYearEndReason,
    });
    return toPayload(result);
  }

  @Authorized(READERS)
  @Query(() => EndorsementConnection, { description: "A contract's mid-year changes, oldest first (NOT_FOUND outside your scope)." })
  async endorsements(
    @Ctx() ctx: GqlContext,
    @Arg('contractId', () => ID, { description: 'The county contract.' }) contractId: string,
    @Arg('page', () => PageInput, { description: 'Page size and cursor.', nullable: true }) page?: PageInput,
  ) {
    const conn = await ctx.services.endorsements.list(ctx.em, actorOf(ctx), parseId(contractId, 'contractId'), page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toEndorsementType(e.node) })) };
  }
}
