import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { CoverageEndReason, EndorsementKind, type Endorsement } from './coverage.entity';
import { CoverageType } from './coverage.types';

registerEnumType(EndorsementKind, {
  name: 'EndorsementKind',
  description: 'What a mid-year change did.',
  valuesConfig: {
    ADD: { description: 'A person was added; the premium of the days from the effective date is charged.' },
    TERMINATE: { description: 'A coverage was ended; the premium of the unused days is refunded.' },
  },
});

/** The reasons a coverage may be ended mid-year (a subset of CoverageEndReason). */
export enum MidYearEndReasonValue {
  DECEASED = 'DECEASED',
  MOVED = 'MOVED',
  NO_LONGER_ELIGIBLE = 'NO_LONGER_ELIGIBLE',
}

registerEnumType(MidYearEndReasonValue, {
  name: 'MidYearEndReason',
  description: 'Why a coverage is ended mid-year.',
  valuesConfig: {
    DECEASED: { description: 'The person died.' },
    MOVED: { description: 'The person moved out of the county.' },
    NO_LONGER_ELIGIBLE: { description: 'The household is no longer registered poor, or another rule no longer holds.' },
  },
});

@ObjectType('Endorsement', { description: 'A mid-year change to an ACTIVE contract and its pro-rata premium adjustment.' })
export class EndorsementType {
  @Field(() => ID, { description: 'Endorsement id.' })
  id!: string;

  @Field(() => ID, { description: 'The county contract.' })
  contractId!: string;

  @Field(() => ID, { description: 'The coverage added or ended.' })
  coverageId!: string;

  @Field(() => EndorsementKind, { description: 'ADD or TERMINATE.' })
  kind!: EndorsementKind;

  @Field(() => DateScalar, {
    description: 'ADD: the first covered day. TERMINATE: the first day without cover (the last covered day is the day before).',
  })
  effectiveDate!: string;

  @Field(() => CoverageEndReason, { nullable: true, description: 'Why the coverage was ended (TERMINATE).' })
  reason!: CoverageEndReason | null;

  @Field(() => Int, {
    description: 'Days of cover added (positive: effective date to period end) or refunded (negative: the unused days).',
  })
  days!: number;

  @Field(() => MoneyScalar, {
    description: 'Premium change: per-capita premium × days / days in the contract period, half-up to the fen (negative = refund).',
  })
  premiumDelta!: string;

  @Field(() => Date, { description: 'When it was recorded.' })
  createdAt!: Date;
}

export const EndorsementConnection = ConnectionType(EndorsementType, 'Endorsement');

export function toEndorsementType(e: Endorsement): EndorsementType {
  return {
    id: String(e.id),
    contractId: String(e.contract.id),
    coverageId: String(e.coverage.id),
    kind: e.kind,
    effectiveDate: e.effectiveDate,
    reason: e.reason ?? null,
    days: e.days,
    premiumDelta: e.premiumDelta,
    createdAt: e.createdAt,
  };
}

@InputType({ description: 'Adds a person to an ACTIVE contract from a date (ADMIN, FOUNDATION, COORDINATOR of the county).' })
export class AddCoverageInput {
  @Field(() => ID, { description: 'The ACTIVE county contract.' })
  contractId!: string;

  @Field({ description: 'National ID (18 characters).' })
  nationalId!: string;

  @Field({ description: 'Name as on the ID card.' })
  name!: string;

  @Field({ description: "Household id as the county's roster gives it." })
  householdId!: string;

  @Field(() => DateScalar, {
    description: 'First covered day: today or later (China time), within the contract period. Never back-dated.',
  })
  effectiveDate!: string;

  @Field(() => String, { nullable: true, description: 'Account claims are paid to.' })
  payeeAccount?: string | null;

  @Field(() => String, { nullable: true, description: 'Contact phone.' })
  phone?: string | null;
}

@InputType({ description: 'Ends a coverage of an ACTIVE contract from a date (ADMIN, FOUNDATION, COORDINATOR of the county).' })
export class EndCoverageInput {
  @Field(() => ID, { description: 'The coverage to end.' })
  coverageId!: string;

  @Field(() => DateScalar, {
    description:
      'First day without cover (e.g. the day after a death); within the coverage period. May be in the past, but not ' +
      'before the admission of a live claim of the coverage.',
  })
  effectiveDate!: string;

  @Field(() => MidYearEndReasonValue, { description: 'Why.' })
  reason!: MidYearEndReasonValue;
}

@ObjectType({ description: 'Result of addCoverage or endCoverage.' })
export class EndorsementPayload {
  @Field(() => CoverageType, { description: 'The coverage as it is now.' })
  coverage!: CoverageType;

  @Field(() => EndorsementType, { description: 'The endorsement recorded, with its premium change.' })
  endorsement!: EndorsementType;

  @Field(() => [String], { description: 'Warnings that did not stop the change, e.g. ID_REGION_MISMATCH.' })
  warnings!: string[];
}
