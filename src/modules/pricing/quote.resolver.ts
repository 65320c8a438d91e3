import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import { JobPayload, toJobType } from '../jobs/job.types';
import { ContractType, toContractType } from '../contracts/contract.types';
import { CountyContract } from '../contracts/county-contract.entity';
import {
  PlanProposalInput,
  PlanSimulationType,
  PreviewQuoteInput,
  QuoteContractInput,
  QuoteContractPayload,
  QuoteProgrammeInput,
  QuoteType,
  termsOf,
  toPreviewType,
  toQuoteType,
  toSimulationType,
} from './quote.types';

const QUOTERS = [Role.ADMIN, Role.ACTUARY];
const QUOTE_READERS = [Role.ADMIN, Role.ACTUARY, Role.FOUNDATION];

@Resolver(() => QuoteType)
export class QuoteResolver {
  @Authorized(QUOTERS)
  @Query(() => QuoteType, { description: 'Prices a contract with every step shown; nothing is saved.' })
  async previewQuote(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: PreviewQuoteInput,
  ): Promise<QuoteType> {
    const priced = await ctx.services.quotes.preview(ctx.em, actorOf(ctx), {
      contractId: parseId(input.contractId, 'contractId'),
      rateTableId: input.rateTableId === undefined ? undefined : parseId(input.rateTableId, 'rateTableId'),
      experience: input.experience,
    });
    return toPreviewType(priced);
  }

  @Authorized(QUOTERS)
  @Mutation(() => QuoteContractPayload, {
    description:
      'Prices a contract and saves an immutable quote; DRAFT/QUOTED → QUOTED. Identical inputs return the same quote.',
  })
  async quoteContract(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: QuoteContractInput,
  ): Promise<QuoteContractPayload> {
    const { quote, created } = await ctx.services.quotes.quote(ctx.em, actorOf(ctx), {
      contractId: parseId(input.contractId, 'contractId'),
      version: input.version,
      experience: input.experience,
    });
    return { quote: toQuoteType(quote), created };
  }

  @Authorized(QUOTE_READERS)
  @Query(() => QuoteType, { description: 'One saved quote.' })
  async quote(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Id of the record.' }) id: string,
  ): Promise<QuoteType> {
    return toQuoteType(await ctx.services.quotes.get(ctx.em, actorOf(ctx), parseId(id, 'id')));
  }

  @Authorized(QUOTE_READERS)
  @Query(() => [QuoteType], {
    description: "A contract's quotes, newest first (the newest is the one approval accepts).",
  })
  async contractQuotes(
    @Ctx() ctx: GqlContext,
    @Arg('contractId', () => ID, { description: 'Contract id.' }) contractId: string,
  ): Promise<QuoteType[]> {
    const quotes = await ctx.services.quotes.forContract(
      ctx.em,
      actorOf(ctx),
      parseId(contractId, 'contractId'),
    );
    return quotes.map(toQuoteType);
  }

  @Authorized([Role.ADMIN, Role.ACTUARY, Role.FOUNDATION])
  @Query(() => [PlanSimulationType], {
    description:
      "What-if: prices each proposed plan for the contract and replays the county's last complete year of claims under it. Nothing is saved.",
  })
  async simulatePlans(
    @Ctx() ctx: GqlContext,
    @Arg('contractId', () => ID, { description: 'Contract id.' }) contractId: string,
    @Arg('plans', () => [PlanProposalInput], { description: 'Plans to compare (at most 10).' })
    plans: PlanProposalInput[],
  ): Promise<PlanSimulationType[]> {
    const result = await ctx.services.quotes.simulatePlans(
      ctx.em,
      actorOf(ctx),
      parseId(contractId, 'contractId'),
      plans.map((p, i) => ({
        label: p.label,
        planId: p.planId === undefined ? undefined : parseId(p.planId, `plans[${i}].planId`),
        terms: p.terms ? termsOf(p.terms) : undefined,
      })),
    );
    return result.map(toSimulationType);
  }

  @Authorized(QUOTERS)
  @Mutation(() => JobPayload, {
    description:
      'Quotes every DRAFT/QUOTED contract of a programme year in the background; follow it with job(id). The result lists each county.',
  })
  async quoteProgramme(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: QuoteProgrammeInput,
  ): Promise<JobPayload> {
    return { job: toJobType(await ctx.services.jobs.startQuoteProgramme(ctx.em, actorOf(ctx), input.year)) };
  }

  @FieldResolver(() => ContractType, { description: 'The contract priced.' })
  async contract(@Root() quote: QuoteType, @Ctx() ctx: GqlContext): Promise<ContractType> {
    const c = await ctx.loaders.byId(CountyContract).load(Number(quote.contractId));
    return toContractType(c!);
  }
}
