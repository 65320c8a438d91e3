import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { MoneyScalar } from '../../graphql/scalars';
import { formatMoney, money } from '../../shared/money';
import type { Programme } from './programme.entity';

@ObjectType('FundingSource', { description: 'One source of donations for a programme year.' })
export class FundingSourceType {
  @Field({ description: 'Where the money comes from, e.g. "Public fundraising".' })
  source!: string;

  @Field(() => MoneyScalar, { description: 'Amount raised from this source.' })
  amount!: string;
}

/**
 * A programme year. `funding`, `committedPremium`, `budgetLeft`, `claimsPaid`, `surplus` and the
 * default plan and rate table are field resolvers (ProgrammeResolver), batched through DataLoaders.
 */
@ObjectType('Programme', {
  description:
    'One programme year: the donations raised, the defaults its contracts are priced with, and derived figures.',
})
export class ProgrammeType {
  @Field(() => ID, { description: 'Programme id.' })
  id!: string;

  @Field(() => Int, { description: 'The programme year, e.g. 2020.' })
  year!: number;

  @Field({ description: 'Display name.' })
  name!: string;

  @Field(() => MoneyScalar, { description: 'Donations raised: the exact sum of the funding sources.' })
  budget!: string;

  @Field(() => ID, { nullable: true, description: 'Id of the default benefit plan of new contracts.' })
  defaultPlanId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Id of the default (PUBLISHED) rate table of new contracts; the table itself is readable by ADMIN and ACTUARY.',
  })
  defaultRateTableId!: string | null;

  @Field({
    description:
      'Share of a positive year-end surplus credited to the successor contract, a decimal in [0, 1].',
  })
  carryOverShare!: string;

  @Field(() => Int, { description: 'Days before a contract ends within which its renewal quote is started.' })
  renewalWindowDays!: number;

  @Field(() => Int, {
    description: 'Optimistic-lock version: send it back with updateProgramme and updateProgrammeBudget.',
  })
  version!: number;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it was last changed.' })
  updatedAt!: Date;
}

export const ProgrammeConnection = ConnectionType(ProgrammeType, 'Programme');

export function toProgrammeType(p: Programme): ProgrammeType {
  return {
    id: String(p.id),
    year: p.year,
    name: p.name,
    budget: formatMoney(p.budget),
    defaultPlanId: p.defaultPlan ? String(p.defaultPlan.id) : null,
    defaultRateTableId: p.defaultRateTable ? String(p.defaultRateTable.id) : null,
    carryOverShare: money(p.carryOverShare).toFixed(4),
    renewalWindowDays: p.renewalWindowDays,
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

@InputType({ description: 'One funding source.' })
export class FundingSourceInput {
  @Field({ description: 'Name of the source, not empty, unique within the programme (ignoring case).' })
  source!: string;

  @Field(() => MoneyScalar, { description: 'Amount raised (≥ 0).' })
  amount!: string;
}

@InputType({ description: 'A new programme year (ADMIN, FOUNDATION).' })
export class CreateProgrammeInput {
  @Field(() => Int, { description: 'The year, 2000–2100; one programme per year.' })
  year!: number;

  @Field({ description: 'Display name, not empty.' })
  name!: string;

  @Field(() => [FundingSourceInput], {
    description: 'Funding sources; the budget is their exact sum (may be empty).',
  })
  funding!: FundingSourceInput[];

  @Field(() => ID, { nullable: true, description: 'Default benefit plan of new contracts.' })
  defaultPlanId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Default rate table of new contracts; must be PUBLISHED.' })
  defaultRateTableId?: string | null;

  @Field({
    nullable: true,
    description: 'Carry-over share of a surplus, decimal string 0–1, at most 4 decimals (default "0").',
  })
  carryOverShare?: string;

  @Field(() => Int, { nullable: true, description: 'Renewal window in days, 1–366 (default 90).' })
  renewalWindowDays?: number;
}

@InputType({ description: 'Replaces the funding sources of a programme (ADMIN, FOUNDATION).' })
export class UpdateProgrammeBudgetInput {
  @Field(() => ID, { description: 'Programme id.' })
  id!: string;

  @Field(() => Int, {
    description: 'The version last read; a different current version is a CONFLICT (STALE_VERSION).',
  })
  version!: number;

  @Field(() => [FundingSourceInput], { description: 'The complete new list of funding sources.' })
  funding!: FundingSourceInput[];
}

@InputType({
  description:
    "Changes a programme's name and defaults (ADMIN, FOUNDATION). Omitted fields stay; null clears a default.",
})
export class UpdateProgrammeInput {
  @Field(() => ID, { description: 'Programme id.' })
  id!: string;

  @Field(() => Int, {
    description: 'The version last read; a different current version is a CONFLICT (STALE_VERSION).',
  })
  version!: number;

  @Field({ nullable: true, description: 'New display name.' })
  name?: string;

  @Field(() => ID, { nullable: true, description: 'New default benefit plan; null removes it.' })
  defaultPlanId?: string | null;

  @Field(() => ID, { nullable: true, description: 'New default rate table (PUBLISHED); null removes it.' })
  defaultRateTableId?: string | null;

  @Field({ nullable: true, description: 'New carry-over share, decimal string 0–1.' })
  carryOverShare?: string;

  @Field(() => Int, { nullable: true, description: 'New renewal window in days, 1–366.' })
  renewalWindowDays?: number;
}

@ObjectType({ description: 'Result of a programme mutation.' })
export class ProgrammePayload {
  @Field(() => ProgrammeType, { description: 'The programme as stored.' })
  programme!: ProgrammeType;
}
