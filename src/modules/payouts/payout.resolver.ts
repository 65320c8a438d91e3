import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import { JobPayload, toJobType } from '../jobs/job.types';
import type { PayoutBatchSummary, PayoutLineView } from './payout.service';
import {
  ConfirmPayoutBatchInput,
  ConfirmPayoutBatchPayload,
  PayoutBatchConnection,
  PayoutBatchFilterInput,
  PayoutBatchSummaryType,
  PayoutBatchType,
  PayoutLineType,
  PayoutReconciliationType,
  RunSettlementInput,
  toConfirmPayoutBatchPayload,
  toPayoutBatchSummaryType,
  toPayoutBatchType,
  toPayoutLineType,
  toPayoutReconciliationType,
} from './payout.types';

/** Settle and confirm payouts (api-security.md: "claims: review, payouts"). */
const PAYOUT_WRITERS = [Role.ADMIN, Role.CLAIMS_REVIEWER];
/** Read batches: FOUNDATION reads all, COORDINATOR its own county (scope applied by the service). */
const PAYOUT_READERS = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];
/** The programme-wide money check: no county-scoped role. */
const RECONCILERS = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION];

@Resolver(() => PayoutBatchType)
export class PayoutResolver {
  @Authorized(PAYOUT_WRITERS)
  @Mutation(() => JobPayload, {
    description:
      'Runs the settlement now, as the daily 02:00 job does (ADMIN, CLAIMS_REVIEWER): one payout batch per county of the ' +
      'APPROVED claims in no live payout line. Returns the job at once; one job per run date at a time.',
  })
  async runSettlement(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => RunSettlementInput, { nullable: true, description: "The operation's input." })
    input?: RunSettlementInput,
  ): Promise<JobPayload> {
    return { job: toJobType(await ctx.services.payouts.startSettlement(ctx.em, actorOf(ctx), input ?? {})) };
  }

  @Authorized(PAYOUT_WRITERS)
  @Mutation(() => ConfirmPayoutBatchPayload, {
    description:
      "Records the payment channel's result per line (ADMIN, CLAIMS_REVIEWER). PAID pays the claim; FAILED makes it " +
      'payable in the next batch. Exactly once: a repeated result is a no-op, a contradicting one a CONFLICT.',
  })
  async confirmPayoutBatch(
    @Ctx() ctx: GqlContext,
    @Arg('input', () => ConfirmPayoutBatchInput, { description: "The operation's input." })
    input: ConfirmPayoutBatchInput,
  ): Promise<ConfirmPayoutBatchPayload> {
    const result = await ctx.services.payouts.confirmBatch(ctx.em, actorOf(ctx), {
      batchId: parseId(input.batchId, 'input.batchId'),
      lines: input.lines.map((l) => ({
        claimNumber: l.claimNumber,
        result: l.result,
        channelReference: l.channelReference ?? null,
        failureReason: l.failureReason ?? null,
      })),
    });
    return toConfirmPayoutBatchPayload(result);
  }

  @Authorized(PAYOUT_READERS)
  @Query(() => PayoutBatchConnection, {
    description: 'Payout batches, newest first; a COORDINATOR sees its own county.',
  })
  async payoutBatches(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => PayoutBatchFilterInput, { nullable: true, description: 'Filters (all optional).' })
    filter?: PayoutBatchFilterInput,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    const conn = await ctx.services.payouts.list(ctx.em, actorOf(ctx), filter ?? {}, page);
    return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toPayoutBatchType(e.node) })) };
  }

  @Authorized(PAYOUT_READERS)
  @Query(() => PayoutBatchType, {
    description: 'One payout batch with its lines; a COORDINATOR sees its own county.',
  })
  async payoutBatch(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Batch id.' }) id: string,
  ): Promise<PayoutBatchType> {
    return toPayoutBatchType(await ctx.services.payouts.get(ctx.em, actorOf(ctx), parseId(id, 'id')));
  }

  @Authorized(RECONCILERS)
  @Query(() => PayoutReconciliationType, {
    description:
      'Checks the money of a programme year (ADMIN, CLAIMS_REVIEWER, FOUNDATION): batch totals = their lines, coverage ' +
      'benefit paid = PAID claims, programme = sum of counties. Lists only what does not add up.',
  })
  async payoutReconciliation(
    @Ctx() ctx: GqlContext,
    @Arg('programmeYear', () => Int, { description: 'Programme year, e.g. 2020.' }) programmeYear: number,
    @Arg('countyCode', () => String, { nullable: true, description: 'Limit to one county (6-digit code).' })
    countyCode?: string | null,
  ): Promise<PayoutReconciliationType> {
    return toPayoutReconciliationType(
      await ctx.services.payouts.reconcile(actorOf(ctx), programmeYear, countyCode),
    );
  }

  @FieldResolver(() => [PayoutLineType], { description: 'The lines, in the order they were made.' })
  async lines(@Root() batch: PayoutBatchType, @Ctx() ctx: GqlContext): Promise<PayoutLineType[]> {
    const loader = ctx.loaders.named<number, PayoutLineView[]>('payout.linesByBatch', async (ids) => {
      const byBatch = await ctx.services.payouts.linesOf(ctx.em, ids);
      return ids.map((id) => byBatch.get(id) ?? []);
    });
    return (await loader.load(batch.batchId)).map(toPayoutLineType);
  }

  @FieldResolver(() => PayoutBatchSummaryType, { description: 'Lines counted and summed by status.' })
  async summary(@Root() batch: PayoutBatchType, @Ctx() ctx: GqlContext): Promise<PayoutBatchSummaryType> {
    const loader = ctx.loaders.named<number, PayoutBatchSummary>('payout.summaryByBatch', async (ids) => {
      const byBatch = await ctx.services.payouts.summariesOf(ctx.em, ids);
      return ids.map((id) => byBatch.get(id)!);
    });
    return toPayoutBatchSummaryType(await loader.load(batch.batchId));
  }
}
