import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { actorOf, type GqlContext } from '../../graphql/context';
import { DateScalar } from '../../graphql/scalars';
import { Role } from '../auth/api-token.entity';
import { Insured } from '../enrollment/insured.entity';
import { PERSON_READERS } from '../enrollment/insured.resolver';
import { InsuredType, toInsuredType } from '../enrollment/insured.types';
import { MAX_BATCH_IDS } from './coverage.service';
import {
  CoverageCheckEntryType,
  CoverageCheckType,
  CoverageType,
  toCoverageCheckEntryType,
  toCoverageCheckType,
} from './coverage.types';

/**
 * api-security.md "coverage look-up": every role, within its scope (COORDINATOR its county,
 * INTEGRATION its counties or provinces) — the service filters by scope in its one statement.
 */
const LOOKUP_ROLES = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR, Role.INTEGRATION];

async function loadInsured(ctx: GqlContext, id: number | null): Promise<InsuredType | null> {
  if (id === null) return null;
  const insured = await ctx.loaders.byId(Insured).load(id);
  return insured ? toInsuredType(insured) : null;
}

@Resolver(() => CoverageCheckType)
export class CoverageResolver {
  @Authorized(LOOKUP_ROLES)
  @Query(() => CoverageCheckType, {
    description:
      'Is this person covered on this date? An invalid national ID is a BAD_USER_INPUT error on `nationalId`. ' +
      'Scoped tokens see coverages in their counties only (OUT_OF_SCOPE otherwise); look-ups by INTEGRATION tokens are logged.',
  })
  async coverage(
    @Ctx() ctx: GqlContext,
    @Arg('nationalId', { description: 'National ID (18 characters; a lower-case x is accepted).' }) nationalId: string,
    @Arg('on', () => DateScalar, { nullable: true, description: 'The date (default today, China time).' }) on?: string | null,
  ): Promise<CoverageCheckType> {
    return toCoverageCheckType(await ctx.services.coverage.check(actorOf(ctx), nationalId, on, 'GRAPHQL'));
  }

  @Authorized(LOOKUP_ROLES)
  @Query(() => [CoverageCheckEntryType], {
    description:
      `Up to ${MAX_BATCH_IDS} people at once, answered in input order; an invalid ID gets an entry with an \`error\` and ` +
      `does not fail the rest. More than ${MAX_BATCH_IDS} IDs is a BAD_USER_INPUT error on \`nationalIds\`.`,
  })
  async coverages(
    @Ctx() ctx: GqlContext,
    @Arg('nationalIds', () => [String], { description: `National IDs, at most ${MAX_BATCH_IDS}.` }) nationalIds: string[],
    @Arg('on', () => DateScalar, { nullable: true, description: 'The date (default today, China time).' }) on?: string | null,
  ): Promise<CoverageCheckEntryType[]> {
    const entries = await ctx.services.coverage.checkMany(actorOf(ctx), nationalIds, on, 'GRAPHQL');
    return entries.map(toCoverageCheckEntryType);
  }

  @Authorized(PERSON_READERS)
  @FieldResolver(() => InsuredType, {
    nullable: true,
    description: "The insured's record (not for INTEGRATION or ACTUARY); null when the person is not known in your scope.",
  })
  async insured(@Root() root: CoverageCheckType, @Ctx() ctx: GqlContext): Promise<InsuredType | null> {
    return loadInsured(ctx, root.insuredId);
  }
}

@Resolver(() => CoverageType)
export class CoverageRecordResolver {
  @FieldResolver(() => InsuredType, { description: 'The insured person.' })
  async insured(@Root() root: CoverageType, @Ctx() ctx: GqlContext): Promise<InsuredType> {
    return (await loadInsured(ctx, root.insuredId))!;
  }
}
