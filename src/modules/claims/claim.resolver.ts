import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageInput } from '../../graphql/connection';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { Role } from '../auth/api-token.entity';
import { Insured } from '../enrollment/insured.entity';
import { maskTail, nameFor, seesFullPersonalData } from '../enrollment/insured.service';
import { InsuredType, toInsuredType } from '../enrollment/insured.types';
import type { DocumentKind } from '../pricing/benefit-plan.entity';
import type { ClaimAmounts } from './adjudication';
import { Claim } from './claim.entity';
import { ClaimOrder, type ClaimFilter } from './claim.service';
import {
  AdjustClaimInput,
  ApproveClaimInput,
  ClaimConnection,
  ClaimDocumentType,
  ClaimFilterInput,
  ClaimPayload,
  ClaimSlaReportType,
  ClaimType,
  ExplanationType,
  NextStepType,
  RejectClaimInput,
  RequestClaimInfoInput,
  SubmitClaimInput,
  SubmitClaimPayload,
  SupplementClaimInput,
  toClaimDocumentType,
  toClaimType,
  toExplanationType,
  toSlaRowType,
  UpdatePayeeAccountInput,
} from './claim.types';
import { explainClaim, nextStepOf } from './eob';
import { isOverdue } from './sla';

/** api-security.md "claims: submit, supplement": ADMIN, CLAIMS_REVIEWER, COORDINATOR (own county, in the service). */
const SUBMITTERS = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.COORDINATOR];
/** "claims: review": ADMIN, CLAIMS_REVIEWER. */
const REVIEWERS = [Role.ADMIN, Role.CLAIMS_REVIEWER];
/** Reading claims: the reviewers, FOUNDATION, COORDINATOR (own county, in the service). */
export const CLAIM_READERS = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];

type Conn = Awaited<ReturnType<GqlContext['services']['claims']['list']>>;

function mapConnection(conn: Conn) {
  return { ...conn, edges: conn.edges.map((e) => ({ cursor: e.cursor, node: toClaimType(e.node) })) };
}

function toFilter(f: ClaimFilterInput | null | undefined): ClaimFilter {
  if (!f) return {};
  return {
    countyCode: f.countyCode ?? null,
    statuses: f.statuses ?? null,
    overdue: f.overdue ?? null,
    dueBefore: f.dueBefore ?? null,
    dueWithinWorkingDays: f.dueWithinWorkingDays ?? null,
    programmeYear: f.programmeYear ?? null,
    insuredId: f.insuredId ? parseId(f.insuredId, 'filter.insuredId') : null,
    nationalId: f.nationalId ?? null,
    flag: f.flag ?? null,
    submittedFrom: f.submittedFrom ?? null,
    submittedTo: f.submittedTo ?? null,
  };
}

@Resolver(() => ClaimType)
export class ClaimResolver {
  // ---------------------------------------------------------------------------- queries

  @Authorized(CLAIM_READERS)
  @Query(() => ClaimType, { description: 'One claim (NOT_FOUND outside your scope).' })
  async claim(
    @Ctx() ctx: GqlContext,
    @Arg('id', () => ID, { description: 'Claim id.' }) id: string,
  ): Promise<ClaimType> {
    return toClaimType(await ctx.services.claims.get(ctx.em, actorOf(ctx), parseId(id, 'id')));
  }

  @Authorized(CLAIM_READERS)
  @Query(() => ClaimType, {
    description: 'One claim by its number, e.g. CLM-513432-2020-000042 (NOT_FOUND outside your scope).',
  })
  async claimByNumber(
    @Ctx() ctx: GqlContext,
    @Arg('claimNumber', { description: 'The claim number.' }) claimNumber: string,
  ): Promise<ClaimType> {
    return toClaimType(await ctx.services.claims.getByNumber(ctx.em, actorOf(ctx), claimNumber));
  }

  @Authorized(CLAIM_READERS)
  @Query(() => ClaimConnection, {
    description:
      'Claims in your scope (a coordinator: their county), filtered; oldest first unless ordered by due date.',
  })
  async claims(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => ClaimFilterInput, { nullable: true, description: 'Filters (all optional).' })
    filter?: ClaimFilterInput,
    @Arg('orderBy', () => ClaimOrder, { nullable: true, description: 'Order (default SUBMITTED).' })
    orderBy?: ClaimOrder,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    return mapConnection(
      await ctx.services.claims.list(
        ctx.em,
        actorOf(ctx),
        toFilter(filter),
        orderBy ?? ClaimOrder.SUBMITTED,
        page,
      ),
    );
  }

  @Authorized(CLAIM_READERS)
  @Query(() => ClaimConnection, {
    description:
      'Claims past their due date whose clock still runs (UNDER_REVIEW or APPROVED, not yet paid), most overdue first.',
  })
  async overdueClaims(
    @Ctx() ctx: GqlContext,
    @Arg('countyCode', () => String, { nullable: true, description: '6-digit county code.' })
    countyCode?: string,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    return mapConnection(
      await ctx.services.claims.list(
        ctx.em,
        actorOf(ctx),
        { countyCode: countyCode ?? null, overdue: true },
        ClaimOrder.DUE_DATE,
        page,
      ),
    );
  }

  @Authorized(CLAIM_READERS)
  @Query(() => ClaimConnection, {
    description: 'Claims whose clock runs and that fall due within the next working days, soonest first.',
  })
  async claimsDueSoon(
    @Ctx() ctx: GqlContext,
    @Arg('withinWorkingDays', () => Int, {
      nullable: true,
      description: 'Working days ahead, 0–30 (default 2).',
    })
    withinWorkingDays?: number,
    @Arg('countyCode', () => String, { nullable: true, description: '6-digit county code.' })
    countyCode?: string,
    @Arg('page', () => PageInput, { nullable: true, description: 'Page size and cursor.' }) page?: PageInput,
  ) {
    return mapConnection(
      await ctx.services.claims.list(
        ctx.em,
        actorOf(ctx),
        { countyCode: countyCode ?? null, dueWithinWorkingDays: withinWorkingDays ?? 2 },
        ClaimOrder.DUE_DATE,
        page,
      ),
    );
  }

  @Authorized(CLAIM_READERS)
  @Query(() => ClaimSlaReportType, {
    description:
      'Time-to-pay percentiles (p50/p90/p95, working and calendar days) of the claims paid in a year, by county and month.',
  })
  async claimSlaReport(
    @Ctx() ctx: GqlContext,
    @Arg('year', () => Int, { description: 'Year of payment.' }) year: number,
    @Arg('countyCode', () => String, {
      nullable: true,
      description: '6-digit county code (default: all in your scope).',
    })
    countyCode?: string,
  ): Promise<ClaimSlaReportType> {
    const rows = await ctx.services.claims.slaReport(actorOf(ctx), year, countyCode ?? null);
    return { year, countyCode: countyCode ?? null, rows: rows.map(toSlaRowType) };
  }

  // -------------------------------------------------------------------------- mutations

  @Authorized(SUBMITTERS)
  @Mutation(() => SubmitClaimPayload, {
    description:
      'Files a claim and adjudicates it at once. The same idempotency key from the same token returns the first claim.',
  })
  async submitClaim(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: SubmitClaimInput,
  ): Promise<SubmitClaimPayload> {
    const { claim, replayed } = await ctx.services.claims.submit(ctx.em, actorOf(ctx), {
      ...input,
      hospitalLevel: input.hospitalLevel,
      documents:
        input.documents?.map((d) => ({
          kind: d.kind as DocumentKind,
          sha256: d.sha256,
          storageKey: d.storageKey,
        })) ?? null,
    });
    return { claim: toClaimType(claim), replayed };
  }

  @Authorized(SUBMITTERS)
  @Mutation(() => ClaimPayload, {
    description: 'Adds documents or the settlement number to a NEEDS_INFO claim and adjudicates it again.',
  })
  async supplementClaim(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: SupplementClaimInput,
  ): Promise<ClaimPayload> {
    const claim = await ctx.services.claims.supplement(ctx.em, actorOf(ctx), {
      claimId: parseId(input.claimId, 'claimId'),
      version: input.version ?? null,
      documents:
        input.documents?.map((d) => ({
          kind: d.kind as DocumentKind,
          sha256: d.sha256,
          storageKey: d.storageKey,
        })) ?? null,
      settlementNumber: input.settlementNumber ?? null,
    });
    return { claim: toClaimType(claim) };
  }

  @Authorized(REVIEWERS)
  @Mutation(() => ClaimPayload, {
    description: 'Approves an UNDER_REVIEW claim; the payable is computed under the coverage lock.',
  })
  async approveClaim(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: ApproveClaimInput,
  ): Promise<ClaimPayload> {
    const claim = await ctx.services.claims.approve(ctx.em, actorOf(ctx), {
      claimId: parseId(input.claimId, 'claimId'),
      version: input.version,
      excludedCost: input.excludedCost ?? null,
      reason: input.reason ?? null,
    });
    return { claim: toClaimType(claim) };
  }

  @Authorized(REVIEWERS)
  @Mutation(() => ClaimPayload, {
    description: 'Rejects an UNDER_REVIEW (or NEEDS_INFO) claim as REJECTED / OTHER with a note.',
  })
  async rejectClaim(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: RejectClaimInput,
  ): Promise<ClaimPayload> {
    const claim = await ctx.services.claims.reject(ctx.em, actorOf(ctx), {
      claimId: parseId(input.claimId, 'claimId'),
      version: input.version,
      note: input.note,
    });
    return { claim: toClaimType(claim) };
  }

  @Authorized(REVIEWERS)
  @Mutation(() => ClaimPayload, {
    description: 'Sends an UNDER_REVIEW claim back for documents (NEEDS_INFO; the clock pauses).',
  })
  async requestClaimInfo(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: RequestClaimInfoInput,
  ): Promise<ClaimPayload> {
    const claim = await ctx.services.claims.requestInfo(ctx.em, actorOf(ctx), {
      claimId: parseId(input.claimId, 'claimId'),
      version: input.version,
      documents: input.documents as DocumentKind[],
      note: input.note ?? null,
    });
    return { claim: toClaimType(claim) };
  }

  @Authorized(REVIEWERS)
  @Mutation(() => ClaimPayload, {
    description: 'Corrects an approved or paid claim with a new, approved adjustment claim (returned).',
  })
  async adjustClaim(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: AdjustClaimInput,
  ): Promise<ClaimPayload> {
    const claim = await ctx.services.claims.adjust(ctx.em, actorOf(ctx), {
      claimId: parseId(input.claimId, 'claimId'),
      eligibleDelta: input.eligibleDelta ?? null,
      amounts: input.amounts ? ({ ...input.amounts } as ClaimAmounts) : null,
      reason: input.reason,
      idempotencyKey: input.idempotencyKey ?? null,
    });
    return { claim: toClaimType(claim) };
  }

  @Authorized(REVIEWERS)
  @Mutation(() => ClaimPayload, {
    description: 'Corrects the account a claim is paid to (e.g. after a FAILED payout); audited.',
  })
  async updatePayeeAccount(
    @Ctx() ctx: GqlContext,
    @Arg('input', { description: "The operation's input." }) input: UpdatePayeeAccountInput,
  ): Promise<ClaimPayload> {
    const claim = await ctx.services.claims.updatePayeeAccount(ctx.em, actorOf(ctx), {
      claimId: parseId(input.claimId, 'claimId'),
      payeeAccount: input.payeeAccount,
      reason: input.reason,
    });
    return { claim: toClaimType(claim) };
  }

  // ------------------------------------------------------------------------------ fields

  @FieldResolver(() => InsuredType, { description: 'The insured person.' })
  async insured(@Root() root: ClaimType, @Ctx() ctx: GqlContext): Promise<InsuredType> {
    return toInsuredType((await ctx.loaders.byId(Insured).load(root.insuredId))!);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Account to pay: in full for ADMIN, CLAIMS_REVIEWER and the county's coordinators; last four characters otherwise.",
  })
  payeeAccount(@Root() root: ClaimType, @Ctx() ctx: GqlContext): string | null {
    if (root.rawPayeeAccount === null) return null;
    return seesFullPersonalData(actorOf(ctx), root.countyCode)
      ? root.rawPayeeAccount
      : maskTail(root.rawPayeeAccount);
  }

  @FieldResolver(() => [ClaimDocumentType], { description: 'Documents attached, oldest first.' })
  async documents(@Root() root: ClaimType, @Ctx() ctx: GqlContext): Promise<ClaimDocumentType[]> {
    const loader = ctx.loaders.named<
      number,
      Awaited<ReturnType<GqlContext['services']['claims']['documentsOf']>>[number]
    >('claimDocuments', (ids) => ctx.services.claims.documentsOf(ctx.em, ids));
    return (await loader.load(Number(root.id))).map(toClaimDocumentType);
  }

  @FieldResolver(() => [ClaimType], {
    description: 'Adjustment claims that correct this claim, oldest first.',
  })
  async adjustments(@Root() root: ClaimType, @Ctx() ctx: GqlContext): Promise<ClaimType[]> {
    const loader = ctx.loaders.named<number, Claim[]>('claimAdjustments', (ids) =>
      ctx.services.claims.adjustmentsOf(ctx.em, ids),
    );
    return (await loader.load(Number(root.id))).map(toClaimType);
  }

  @FieldResolver(() => Boolean, {
    description: 'The clock runs (not paid, rejected or paused) and the due date has passed.',
  })
  overdue(@Root() root: ClaimType, @Ctx() ctx: GqlContext): boolean {
    return isOverdue(root, ctx.services.deps.clock.today());
  }

  @FieldResolver(() => NextStepType, {
    description: 'What happens next, in words a coordinator can pass on (what is missing, when it is due).',
  })
  nextStep(@Root() root: ClaimType): NextStepType {
    return nextStepOf({ ...root, paidAt: root.paidAtRaw });
  }

  @FieldResolver(() => ExplanationType, {
    nullable: true,
    description:
      'Explanation of benefits (Chinese and English) once decided (APPROVED, PAID, REJECTED); null before.',
  })
  async explanation(@Root() root: ClaimType, @Ctx() ctx: GqlContext): Promise<ExplanationType | null> {
    const [insured, original] = await Promise.all([
      ctx.loaders.byId(Insured).load(root.insuredId),
      root.adjustmentOfIdNumber === null ? null : ctx.loaders.byId(Claim).load(root.adjustmentOfIdNumber),
    ]);
    const e = explainClaim(
      { ...root.source, adjustmentOfNumber: original?.claimNumber ?? null },
      { name: nameFor(actorOf(ctx), insured!.name, insured!.county.code), maskedId: insured!.idMasked },
    );
    return e ? toExplanationType(e) : null;
  }
}
