import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { MoneyScalar } from '../../graphql/scalars';
import { formatMoney, money } from '../../shared/money';
import { Role } from '../auth/api-token.entity';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import { BenefitPlanType, toBenefitPlanType } from '../pricing/plan.types';
import { RateTable } from '../pricing/rate-table.entity';
import { RateTableType, toRateTableType } from '../pricing/rate-table.types';
import { ZERO_FIGURES, type ProgrammeFigures } from './programme.service';
import type { ProgrammeFunding } from './programme.entity';
import {
  CreateProgrammeInput,
  FundingSourceType,
  ProgrammeConnection,
  ProgrammePayload,
  ProgrammeType,
  toProgrammeType,
  UpdateProgrammeBudgetInput,
  UpdateProgrammeInput,
} from './programme.types';

// api-security.md: "counties, programmes, calendars" — ADMIN and FOUNDATION write programmes;
// ACTUARY, CLAIMS_REVIEWER and COORDINATOR read; INTEGRATION has no access.
const READERS = [Role.ADMIN, Role.ACTUARY, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];
const WRITERS = [Role.ADMIN, Role.FOUNDATION];

const optionalId = (value: string | null | undefined, field: string): number | null | undefined =>
  value === undefined ? undefined : value === null ? null : parseId(value, field);

/** The derived figures of the programmes on a page, one SQL statement per request tick. */
function figures(ctx: GqlContext, programmeId: string): Promise<ProgrammeFigures> {
  return ctx.loaders
    .named<number, ProgrammeFigures>('programmeFigures', async (ids) => {
      const found = await ctx.services.programmes.figures(ctx.em, ids);
      return ids.map((id) => found.get(id) ?? ZERO_FIGURES);
    })
    .load(Number(programmeId));
}

@Resolver(() => ProgrammeType)
export class ProgrammeResolver {
  @Authorized(READERS)
  @Query(() => ProgrammeConnection, { description: 'Programme years, newest first.' })
  async programmes(
    @Ctx() ctx: GqlContext,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    const conn = await ctx.services.programmes.list(ctx.em, page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toProgrammeType(e.node) })) };
  }

  @Authorized(READERS)
  @Query(() => ProgrammeType, { description: 'One programme, by id or by year (give exactly one).' })
  async programme(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { nullable: true, description: 'Programme id.' }) id?: string,
    @Arg('year', () => Int, { nullable: true, description: 'Programme year, e.g. 2020.' }) year?: number,
  ): Promise<ProgrammeType> {
    const ref = { id: id === undefined || id === null ? null : parseId(id, 'id'), year: year ?? null };
    return toProgrammeType(await ctx.services.programmes.get(ctx.em, ref));
  }

  @Authorized(WRITERS)
  @Mutation(() => ProgrammePayload, { description: 'Creates a programme year (ADMIN, FOUNDATION; audited).' })
  async createProgramme(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => CreateProgrammeInput, { description: 'The new programme year.' })
    input: CreateProgrammeInput,
  ): Promise<ProgrammePayload> {
    const programme = await ctx.services.programmes.create(ctx.em, actorOf(ctx), {
      ...input,
      defaultPlanId: optionalId(input.defaultPlanId, 'defaultPlanId'),
      defaultRateTableId: optionalId(input.defaultRateTableId, 'defaultRateTableId'),
    });
    return { programme: toProgrammeType(programme) };
  }

  @Authorized(WRITERS)
  @Mutation(() => ProgrammePayload, {
    description:
      'Replaces the funding sources; the budget becomes their exact sum (ADMIN, FOUNDATION; audited with the budget before and after).',
  })
  async updateProgrammeBudget(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => UpdateProgrammeBudgetInput, {
      description: 'The programme, the version last read and the new funding sources.',
    })
    input: UpdateProgrammeBudgetInput,
  ): Promise<ProgrammePayload> {
    const programme = await ctx.services.programmes.updateBudget(ctx.em, actorOf(ctx), {
      ...input,
      id: parseId(input.id, 'id'),
    });
    return { programme: toProgrammeType(programme) };
  }

  @Authorized(WRITERS)
  @Mutation(() => ProgrammePayload, {
    description: 'Changes the name and defaults of a programme (ADMIN, FOUNDATION; audited).',
  })
  async updateProgramme(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => UpdateProgrammeInput, {
      description: 'The programme, the version last read and the fields to change.',
    })
    input: UpdateProgrammeInput,
  ): Promise<ProgrammePayload> {
    const programme = await ctx.services.programmes.update(ctx.em, actorOf(ctx), {
      ...input,
      id: parseId(input.id, 'id'),
      defaultPlanId: optionalId(input.defaultPlanId, 'defaultPlanId'),
      defaultRateTableId: optionalId(input.defaultRateTableId, 'defaultRateTableId'),
    });
    return { programme: toProgrammeType(programme) };
  }

  @FieldResolver(() => [FundingSourceType], { description: 'The funding sources the budget is the sum of.' })
  async funding(@Root() p: ProgrammeType, @Ctx() ctx: GqlContext): Promise<FundingSourceType[]> {
    const rows = await ctx.loaders
      .named<number, ProgrammeFunding[]>('programmeFunding', async (ids) => {
        const found = await ctx.services.programmes.fundingOf(ctx.em, ids);
        return ids.map((id) => found.get(id) ?? []);
      })
      .load(Number(p.id));
    return rows.map((f) => ({ source: f.source, amount: formatMoney(f.amount) }));
  }

  @FieldResolver(() => MoneyScalar, {
    description:
      'Premium committed: Σ (total premium + endorsement premium − carry-over credit) of the APPROVED, ACTIVE and EXPIRED contracts of the year.',
  })
  async committedPremium(@Root() p: ProgrammeType, @Ctx() ctx: GqlContext): Promise<string> {
    return (await figures(ctx, p.id)).committedPremium;
  }

  @FieldResolver(() => MoneyScalar, {
    description:
      'Budget not yet committed: budget − committedPremium (negative when commitments exceed the budget: an ADMIN override, or a budget lowered later).',
  })
  async budgetLeft(@Root() p: ProgrammeType, @Ctx() ctx: GqlContext): Promise<string> {
    return formatMoney(money(p.budget).minus((await figures(ctx, p.id)).committedPremium));
  }

  @FieldResolver(() => MoneyScalar, {
    description:
      'Benefit paid: Σ payable of the PAID claims of the programme year (0 until claims are paid).',
  })
  async claimsPaid(@Root() p: ProgrammeType, @Ctx() ctx: GqlContext): Promise<string> {
    return (await figures(ctx, p.id)).claimsPaid;
  }

  @FieldResolver(() => MoneyScalar, {
    description:
      "The foundation's surplus: donations not spent on premiums, budget − committedPremium (equal to budgetLeft; claims are paid by the insurer out of premium, so they do not reduce it).",
  })
  async surplus(@Root() p: ProgrammeType, @Ctx() ctx: GqlContext): Promise<string> {
    return formatMoney(money(p.budget).minus((await figures(ctx, p.id)).committedPremium));
  }

  @FieldResolver(() => BenefitPlanType, {
    nullable: true,
    description: 'The default benefit plan of new contracts.',
  })
  async defaultPlan(@Root() p: ProgrammeType, @Ctx() ctx: GqlContext): Promise<BenefitPlanType | null> {
    if (!p.defaultPlanId) return null;
    const plan = await ctx.loaders.byId(BenefitPlan).load(Number(p.defaultPlanId));
    return plan ? toBenefitPlanType(plan) : null;
  }

  @Authorized([Role.ADMIN, Role.ACTUARY])
  @FieldResolver(() => RateTableType, {
    nullable: true,
    description: "The default rate table of new contracts (ADMIN, ACTUARY: rate tables are the insurer's).",
  })
  async defaultRateTable(@Root() p: ProgrammeType, @Ctx() ctx: GqlContext): Promise<RateTableType | null> {
    if (!p.defaultRateTableId) return null;
    const table = await ctx.loaders.byId(RateTable).load(Number(p.defaultRateTableId));
    return table ? toRateTableType(table) : null;
  }
}
