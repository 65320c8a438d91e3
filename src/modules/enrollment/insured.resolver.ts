import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import { County } from '../counties/county.entity';
import { CountyType, toCountyType } from '../counties/county.types';
import type { Coverage } from '../coverage/coverage.entity';
import { CoverageType, toCoverageType } from '../coverage/coverage.types';
import { JobPayload, toJobType } from '../jobs/job.types';
import { maskTail, nameFor, seesFullPersonalData } from './insured.service';
import {
  InsuredType,
  RevealNationalIdInput,
  RevealNationalIdPayload,
  RotatePiiKeyInput,
  toInsuredType,
} from './insured.types';

/** Rosters: view (api-security.md) — not INTEGRATION, not ACTUARY (aggregates only); COORDINATOR its county. */
export const PERSON_READERS = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];

@Resolver(() => InsuredType)
export class InsuredResolver {
  @Authorized(PERSON_READERS)
  @Query(() => InsuredType, { description: 'One insured person (NOT_FOUND outside your scope).' })
  async insured(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Id of the record.' }) id: string,
  ): Promise<InsuredType> {
    return toInsuredType(await ctx.services.insured.get(ctx.em, actorOf(ctx), parseId(id, 'id')));
  }

  @Authorized(Role.ADMIN, Role.CLAIMS_REVIEWER)
  @Mutation(() => RevealNationalIdPayload, {
    description:
      'Shows a national ID in plain text (ADMIN, CLAIMS_REVIEWER), with a reason; audited (never the ID itself).',
  })
  async revealNationalId(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: RevealNationalIdInput,
  ): Promise<RevealNationalIdPayload> {
    const { insured, nationalId } = await ctx.services.insured.revealNationalId(ctx.em, actorOf(ctx), {
      insuredId: parseId(input.insuredId, 'insuredId'),
      reason: input.reason,
    });
    return { insured: toInsuredType(insured), nationalId };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => JobPayload, {
    description:
      'Re-encrypts every national ID and webhook signing secret not under the active key (PII_ENC_ACTIVE_KEY), in batches, as a job (ADMIN). ' +
      'Safe to repeat and to interrupt; poll `job(id)` for progress.',
  })
  async rotatePiiKey(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => RotatePiiKeyInput, { description: "The operation's input.", nullable: true })
    input?: RotatePiiKeyInput,
  ): Promise<JobPayload> {
    return { job: toJobType(await ctx.services.insured.startKeyRotation(ctx.em, actorOf(ctx), input ?? {})) };
  }

  @FieldResolver(() => String, {
    description:
      "Name: in full for ADMIN, CLAIMS_REVIEWER and coordinators of the person's county; masked (`张*`) otherwise.",
  })
  name(@Root() root: InsuredType, @Ctx() ctx: GqlContext): string {
    return nameFor(actorOf(ctx), root.rawName, root.countyCode);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Contact phone; only the last four digits for those who see masked names.',
  })
  phone(@Root() root: InsuredType, @Ctx() ctx: GqlContext): string | null {
    if (root.rawPhone === null) return null;
    return seesFullPersonalData(actorOf(ctx), root.countyCode) ? root.rawPhone : maskTail(root.rawPhone);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Payee account; only the last four characters for those who see masked names.',
  })
  payeeAccount(@Root() root: InsuredType, @Ctx() ctx: GqlContext): string | null {
    if (root.rawPayeeAccount === null) return null;
    return seesFullPersonalData(actorOf(ctx), root.countyCode)
      ? root.rawPayeeAccount
      : maskTail(root.rawPayeeAccount);
  }

  @FieldResolver(() => CountyType, { description: 'Home county.' })
  async county(@Root() root: InsuredType, @Ctx() ctx: GqlContext): Promise<CountyType> {
    return toCountyType((await ctx.loaders.byId(County, 'code').load(root.countyCode))!);
  }

  @FieldResolver(() => [CoverageType], {
    description: "The person's coverages in your scope, by programme year.",
  })
  async coverages(@Root() root: InsuredType, @Ctx() ctx: GqlContext): Promise<CoverageType[]> {
    const actor = actorOf(ctx);
    const loader = ctx.loaders.named<number, Coverage[]>('coveragesByInsured', (ids) =>
      ctx.services.insured.coveragesOf(ctx.em, actor, ids),
    );
    return (await loader.load(Number(root.id))).map(toCoverageType);
  }
}
