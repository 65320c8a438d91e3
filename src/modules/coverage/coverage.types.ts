import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { CountyType } from '../counties/county.types';
import { GenderValue } from '../pricing/rate-table.types';
import { CoverageEndReason, CoverageStatus, type Coverage } from './coverage.entity';
import { CoverageCheckReason, type CoverageAnswer, type CoverageEntry } from './coverage.service';

registerEnumType(CoverageCheckReason, {
  name: 'CoverageCheckReason',
  description:
    'Why a person is not covered on the date asked. When several apply: a CANCELLED contract first, then the ' +
    "coverage's dates (NOT_STARTED, EXPIRED / TERMINATED), then the contract's state on the date.",
  valuesConfig: {
    NOT_ENROLLED: { description: 'No coverage of this person in any programme year.' },
    NOT_STARTED: { description: 'The coverage begins after the date asked (periodStart says when).' },
    EXPIRED: { description: 'The coverage ended before the date asked (periodEnd says when).' },
    TERMINATED: { description: 'The coverage was ended early (death, move, eligibility); endedOn is the last covered day.' },
    CONTRACT_NOT_ACTIVE: {
      description: "The county's contract was not in force on the date (not yet activated, cancelled, or never activated).",
    },
    OUT_OF_SCOPE: {
      description:
        'No coverage of this person in the counties or provinces your token may see. Given whether or not the person ' +
        'is covered elsewhere, so it tells nothing about other counties.',
    },
  },
});

registerEnumType(CoverageStatus, {
  name: 'CoverageStatus',
  description: 'State of a coverage record.',
  valuesConfig: {
    ENROLLED: { description: 'On the roster; covered through its period.' },
    TERMINATED: { description: 'Ended early (endReason, endedOn).' },
  },
});

registerEnumType(CoverageEndReason, {
  name: 'CoverageEndReason',
  description: 'Why a coverage was ended early.',
  valuesConfig: {
    DECEASED: { description: 'The person died.' },
    MOVED: { description: 'The person moved out of the county.' },
    NO_LONGER_ELIGIBLE: { description: 'The household is no longer registered poor, or another eligibility rule no longer holds.' },
    REMOVED_FROM_ROSTER: { description: 'Absent from a REPLACE roster before the contract started.' },
  },
});

/**
 * The answer of `coverage(nationalId, on)`. `insuredId` is kept (not exposed) for the `insured`
 * field resolver; `insuredCountyCode` for its name rule.
 */
@ObjectType('CoverageCheck', {
  description:
    'Whether a person is covered on a date and, when not, why; with the coverage it is about and the amounts left ' +
    'this coverage year.',
  // Plain properties read by graphql's default resolver: no per-field wrapper on the hot path
  // (a batch answer has ~10,000 fields). The `insured` field resolver keeps its role check.
  simpleResolvers: true,
})
export class CoverageCheckType {
  insuredId!: number | null;

  @Field(() => DateScalar, { description: 'The date asked about (default today, China time).' })
  on!: string;

  @Field({ description: 'True when the person is covered on that date.' })
  covered!: boolean;

  @Field(() => CoverageCheckReason, { nullable: true, description: 'Why not, when not covered; null when covered.' })
  reason!: CoverageCheckReason | null;

  @Field({ description: 'The national ID asked about, masked: `513432********1234`.' })
  nationalIdMasked!: string;

  @Field(() => GenderValue, { description: 'Gender, from the national ID.' })
  gender!: GenderValue;

  @Field(() => Int, { nullable: true, description: 'Age in whole years on the date; null before the birth date.' })
  age!: number | null;

  @Field(() => String, {
    nullable: true,
    description: "The insured's name, masked (`张*`, `欧阳**`); null when the person is not known in your scope.",
  })
  nameMasked!: string | null;

  @Field(() => ID, { nullable: true, description: 'The coverage the answer is about; null without one.' })
  coverageId!: string | null;

  @Field(() => CountyType, { nullable: true, description: "The coverage's county." })
  county!: CountyType | null;

  @Field(() => Int, { nullable: true, description: "The coverage's programme year." })
  programmeYear!: number | null;

  @Field(() => DateScalar, { nullable: true, description: 'First day of the coverage (inclusive).' })
  periodStart!: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Last day of the coverage period (inclusive).' })
  periodEnd!: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Last covered day of a coverage ended early; null otherwise.' })
  endedOn!: string | null;

  @Field(() => String, { nullable: true, description: 'Code of the benefit plan, e.g. BACKBONE-STD.' })
  planCode!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: "The plan's annual deductible." })
  deductible!: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Deductible still to be met this coverage year: max(0, deductible − eligible out-of-pocket approved).',
  })
  deductibleLeft!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: "The plan's annual benefit cap per person." })
  annualCap!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Benefit approved this coverage year (paid or awaiting payment).' })
  benefitUsed!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Annual benefit left: max(0, annual cap − benefit approved).' })
  benefitLeft!: string | null;
}

export function toCoverageCheckType(a: CoverageAnswer): CoverageCheckType {
  const c = a.coverage;
  return {
    insuredId: a.insuredId,
    on: a.on,
    covered: a.covered,
    reason: a.reason,
    nationalIdMasked: a.nationalIdMasked,
    gender: a.gender as GenderValue,
    age: a.age,
    nameMasked: a.nameMasked,
    coverageId: c ? String(c.coverageId) : null,
    county: c ? c.county : null,
    programmeYear: c?.programmeYear ?? null,
    periodStart: c?.periodStart ?? null,
    periodEnd: c?.periodEnd ?? null,
    endedOn: c?.endedOn ?? null,
    planCode: c?.planCode ?? null,
    deductible: c?.deductible ?? null,
    deductibleLeft: c?.deductibleLeft ?? null,
    annualCap: c?.annualCap ?? null,
    benefitUsed: c?.benefitUsed ?? null,
    benefitLeft: c?.benefitLeft ?? null,
  };
}

@ObjectType('CoverageCheckError', {
  description: 'Why one ID of a batch could not be looked up.',
  simpleResolvers: true,
})
export class CoverageCheckErrorType {
  @Field({ description: 'Error code, as in `extensions.code`: BAD_USER_INPUT.' })
  code!: string;

  @Field({ description: 'What is wrong with the ID: WRONG_LENGTH, BAD_CHECK_CHARACTER, LEGACY_15_DIGIT, …' })
  reason!: string;

  @Field({ description: 'The offending input, e.g. `nationalIds.3`.' })
  field!: string;

  @Field({ description: 'What is wrong, in words (never the ID itself).' })
  message!: string;
}

@ObjectType('CoverageCheckEntry', {
  description: 'One ID of a `coverages` batch, in input order: an answer or an error.',
  simpleResolvers: true,
})
export class CoverageCheckEntryType {
  @Field(() => Int, { description: 'Position of the ID in the input list, from 0.' })
  index!: number;

  @Field(() => CoverageCheckType, { nullable: true, description: 'The answer; null when the ID is invalid.' })
  coverage!: CoverageCheckType | null;

  @Field(() => CoverageCheckErrorType, { nullable: true, description: 'Why the ID could not be looked up; null otherwise.' })
  error!: CoverageCheckErrorType | null;
}

export function toCoverageCheckEntryType(e: CoverageEntry): CoverageCheckEntryType {
  return { index: e.index, coverage: e.answer ? toCoverageCheckType(e.answer) : null, error: e.error };
}

/** A coverage record: an insured person in a county contract for one programme year. */
@ObjectType('Coverage', { description: 'An insured person in a county contract for one programme year, with the year’s totals.' })
export class CoverageType {
  @Field(() => ID, { description: 'Coverage id.' })
  id!: string;

  insuredId!: number;

  @Field(() => ID, { description: 'The county contract.' })
  contractId!: string;

  @Field(() => Int, { description: 'Programme year.' })
  programmeYear!: number;

  @Field({ description: '6-digit county code of the contract.' })
  countyCode!: string;

  @Field(() => DateScalar, { description: 'First covered day (inclusive).' })
  periodStart!: string;

  @Field(() => DateScalar, { description: 'Last day of the period (inclusive).' })
  periodEnd!: string;

  @Field(() => CoverageStatus, { description: 'ENROLLED or TERMINATED.' })
  status!: CoverageStatus;

  @Field(() => CoverageEndReason, { nullable: true, description: 'Why it was ended early.' })
  endReason!: CoverageEndReason | null;

  @Field(() => DateScalar, { nullable: true, description: 'Last covered day when ended early.' })
  endedOn!: string | null;

  @Field(() => MoneyScalar, { description: 'Eligible out-of-pocket of the year’s approved claims.' })
  eligibleApproved!: string;

  @Field(() => MoneyScalar, { description: 'Benefit of the year’s approved claims.' })
  benefitApproved!: string;

  @Field(() => MoneyScalar, { description: 'Benefit of the year’s paid claims.' })
  benefitPaid!: string;
}

export function toCoverageType(c: Coverage): CoverageType {
  return {
    id: String(c.id),
    insuredId: c.insured.id,
    contractId: String(c.contract.id),
    programmeYear: c.programmeYear,
    countyCode: c.countyCode,
    periodStart: c.periodStart,
    periodEnd: c.periodEnd,
    status: c.status,
    endReason: c.endReason ?? null,
    endedOn: c.endedOn ?? null,
    eligibleApproved: c.eligibleApproved,
    benefitApproved: c.benefitApproved,
    benefitPaid: c.benefitPaid,
  };
}
