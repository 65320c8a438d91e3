import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { ContractStatus, type CountyContract } from './county-contract.entity';

registerEnumType(ContractStatus, {
  name: 'ContractStatus',
  description: 'Lifecycle of a county contract (domain.md).',
  valuesConfig: {
    DRAFT: { description: 'Created; terms may change; not yet priced.' },
    QUOTED: { description: 'Priced at least once; terms may still change; can be approved.' },
    APPROVED: { description: 'Approved within the budget with its newest quote; terms frozen.' },
    ACTIVE: { description: 'The coverage period has begun.' },
    EXPIRED: { description: 'The coverage period has ended.' },
    CANCELLED: { description: 'Cancelled before it began; final.' },
  },
});

/**
 * A county's contract for one programme year. The ids of related objects are kept (not
 * exposed) so the field resolvers can load them through DataLoaders.
 */
@ObjectType('CountyContract', { description: "A county's contract for one programme year." })
export class ContractType {
  @Field(() => ID, { description: 'Contract id.' })
  id!: string;

  countyCode!: string;
  programmeId!: number;
  planId!: number;
  rateTableId!: number | null;

  @Field(() => Int, { description: 'Programme year, e.g. 2020.' })
  programmeYear!: number;

  @Field(() => DateScalar, { description: 'First day of coverage (inclusive).' })
  periodStart!: string;

  @Field(() => DateScalar, { description: 'Last day of coverage (inclusive).' })
  periodEnd!: string;

  @Field(() => Int, { nullable: true, description: 'Head count declared before a roster exists.' })
  declaredHeadCount!: number | null;

  @Field(() => Int, { nullable: true, description: 'Insured count of the accepted quote (set on approval).' })
  insuredCount!: number | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Per-capita premium of the accepted quote.' })
  perCapitaPremium!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Total premium of the accepted quote.' })
  totalPremium!: string | null;

  @Field(() => MoneyScalar, { description: 'Net premium change from mid-year endorsements.' })
  endorsementPremium!: string;

  @Field(() => MoneyScalar, {
    description: "Carry-over credit from the predecessor's surplus; lowers what the foundation pays.",
  })
  carryOverCredit!: string;

  @Field(() => ContractStatus, { description: 'Lifecycle state.' })
  status!: ContractStatus;

  @Field(() => Int, { description: 'Optimistic-lock version: pass it back with every change.' })
  version!: number;

  @Field(() => ID, { nullable: true, description: 'The accepted quote (set on approval).' })
  acceptedQuoteId!: string | null;

  @Field(() => ID, { nullable: true, description: "The previous year's contract this one renews." })
  predecessorId!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was approved.' })
  approvedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it became ACTIVE.' })
  activatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it became EXPIRED.' })
  expiredAt!: Date | null;

  @Field({ description: 'True when an ADMIN approved it over the programme budget.' })
  budgetOverride!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it was cancelled.' })
  cancelReason!: string | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed.' })
  updatedAt!: Date;
}

export const ContractConnection = ConnectionType(ContractType, 'CountyContract');

export function toContractType(c: CountyContract): ContractType {
  return {
    id: String(c.id),
    countyCode: c.county.code,
    programmeId: c.programme.id,
    planId: c.plan.id,
    rateTableId: c.rateTable?.id ?? null,
    programmeYear: c.programmeYear,
    periodStart: c.periodStart,
    periodEnd: c.periodEnd,
    declaredHeadCount: c.declaredHeadCount ?? null,
    insuredCount: c.insuredCount ?? null,
    perCapitaPremium: c.perCapitaPremium ?? null,
    totalPremium: c.totalPremium ?? null,
    endorsementPremium: c.endorsementPremium,
    carryOverCredit: c.carryOverCredit,
    status: c.status,
    version: c.version,
    acceptedQuoteId: c.acceptedQuote ? String(c.acceptedQuote.id) : null,
    predecessorId: c.predecessor ? String(c.predecessor.id) : null,
    approvedAt: c.approvedAt ?? null,
    activatedAt: c.activatedAt ?? null,
    expiredAt: c.expiredAt ?? null,
    budgetOverride: c.budgetOverride,
    cancelReason: c.cancelReason ?? null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

@InputType({ description: 'Filters for the contract list (all optional, combined with AND).' })
export class ContractFilterInput {
  @Field(() => Int, { nullable: true, description: 'Programme year.' })
  programmeYear?: number;

  @Field({ nullable: true, description: '6-digit county code.' })
  countyCode?: string;

  @Field({ nullable: true, description: 'Two-digit province code.' })
  provinceCode?: string;

  @Field(() => [ContractStatus], { nullable: true, description: 'Any of these states.' })
  status?: ContractStatus[];
}

@InputType({ description: 'A new DRAFT contract for a county and programme year (ADMIN, FOUNDATION).' })
export class CreateContractInput {
  @Field({ description: '6-digit county code.' })
  countyCode!: string;

  @Field(() => Int, { description: 'Programme year; the programme must exist.' })
  programmeYear!: number;

  @Field(() => ID, { nullable: true, description: "Benefit plan; default: the programme's default plan." })
  planId?: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "A PUBLISHED rate table to price with; default (none): the programme's default table at quote time.",
  })
  rateTableId?: string;

  @Field(() => DateScalar, { description: 'First day of coverage; must fall in the programme year.' })
  periodStart!: string;

  @Field(() => DateScalar, {
    description: 'Last day of coverage (inclusive); at most 366 days after the start.',
  })
  periodEnd!: string;

  @Field(() => Int, { nullable: true, description: 'Head count declared before a roster exists (≥ 0).' })
  declaredHeadCount?: number;
}

@InputType({
  description:
    'Changes the terms of a DRAFT or QUOTED contract (frozen from APPROVED on). Omitted fields stay; ' +
    'rateTableId null returns to the programme default, declaredHeadCount null clears it.',
})
export class UpdateContractInput {
  @Field(() => ID, { description: 'Contract id.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read.' })
  version!: number;

  @Field(() => ID, { nullable: true, description: 'Benefit plan.' })
  planId?: string | null;

  @Field(() => ID, { nullable: true, description: 'A PUBLISHED rate table; null for the programme default.' })
  rateTableId?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'First day of coverage.' })
  periodStart?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Last day of coverage (inclusive).' })
  periodEnd?: string | null;

  @Field(() => Int, { nullable: true, description: 'Declared head count (≥ 0); null clears it.' })
  declaredHeadCount?: number | null;
}

@InputType({ description: 'Cancels a DRAFT, QUOTED or APPROVED contract.' })
export class CancelContractInput {
  @Field(() => ID, { description: 'Contract id.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read.' })
  version!: number;

  @Field({ description: 'Why it is cancelled (required).' })
  reason!: string;
}

@InputType({ description: 'Approves a QUOTED contract with its newest quote, within the programme budget.' })
export class ApproveContractInput {
  @Field(() => ID, { description: 'Contract id.' })
  id!: string;

  @Field(() => Int, { description: 'The version you read (it names the quote you saw).' })
  version!: number;

  @Field({
    nullable: true,
    description: 'Approve even over the budget (ADMIN only; requires a reason; audited).',
  })
  overrideBudget?: boolean;

  @Field(() => String, { nullable: true, description: 'Why (required with overrideBudget).' })
  reason?: string | null;
}

@ObjectType({ description: 'The contract after a change.' })
export class ContractPayload {
  @Field(() => ContractType, { description: 'The contract as stored.' })
  contract!: ContractType;
}
