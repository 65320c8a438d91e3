import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import type { ChainLadderResult } from './engine';
import { StudyKind, type ActuarialStudy } from './actuarial-study.entity';
import type { CountyIbnr, LossStudyResult } from './study.service';

export enum Granularity {
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  YEAR = 'YEAR',
}

registerEnumType(Granularity, {
  name: 'Granularity',
  description: 'Length of the origin and development periods of a loss triangle.',
  valuesConfig: {
    MONTH: { description: 'Calendar months.' },
    QUARTER: { description: 'Calendar quarters.' },
    YEAR: { description: 'Calendar years.' },
  },
});

registerEnumType(StudyKind, {
  name: 'StudyKind',
  description: 'What an actuarial study computed.',
  valuesConfig: {
    LOSS_DEVELOPMENT: { description: 'Paid-claims triangle, chain ladder, IBNR (runLossStudy).' },
    EXPERIENCE: { description: 'Exposure, claims, incurred and loss ratio by county (runExperienceStudy).' },
  },
});

@ObjectType('DevelopmentLink', { description: 'One age-to-age link of a chain ladder.' })
export class DevelopmentLinkType {
  @Field(() => Int, { description: 'Development age developed from (0 = the origin period itself).' })
  fromAge!: number;

  @Field(() => Int, { description: 'Development age developed to (fromAge + 1).' })
  toAge!: number;

  @Field(() => Float, { description: 'Volume-weighted age-to-age factor f.' })
  factor!: number;

  @Field({ description: 'How the factor was obtained: ESTIMATED, ZERO_VOLUME or NO_DATA (1 used).' })
  factorBasis!: string;

  @Field(() => Int, { description: 'Origins observed at both ages.' })
  originCount!: number;

  @Field(() => Float, { description: 'Sum of the cumulative amounts at fromAge over those origins.' })
  volume!: number;

  @Field(() => Float, { nullable: true, description: "Mack's variance parameter σ²; null when unavailable." })
  sigma2!: number | null;

  @Field({
    description: 'How σ² was obtained: ESTIMATED, MACK_EXTRAPOLATION, FACTOR_ASSUMED or UNAVAILABLE.',
  })
  sigma2Basis!: string;
}

@ObjectType('ChainLadderOrigin', { description: 'Projection of one origin period.' })
export class ChainLadderOriginType {
  @Field(() => Int, { description: 'Row index in the triangle (0 = oldest origin).' })
  origin!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Label of the origin period for a stored study, e.g. 2020-03, 2020-Q1 or 2020; null for a supplied triangle.',
  })
  period!: string | null;

  @Field(() => Float, { description: 'Latest observed cumulative amount.' })
  latest!: number;

  @Field(() => Int, { description: 'Development age of the latest observed cell.' })
  latestAge!: number;

  @Field(() => Float, { description: 'Development still to come: ultimate = latest × ageToUltimate.' })
  ageToUltimate!: number;

  @Field(() => Float, { description: 'Projected ultimate amount.' })
  ultimate!: number;

  @Field(() => Float, { description: 'IBNR = ultimate − latest.' })
  ibnr!: number;

  @Field(() => Float, {
    nullable: true,
    description: "Mack's standard error of the IBNR; null when unavailable.",
  })
  standardError!: number | null;

  @Field(() => Float, { nullable: true, description: 'standardError / |IBNR|; null when undefined.' })
  cv!: number | null;
}

@ObjectType('ChainLadderTotals', { description: 'Totals over all origins.' })
export class ChainLadderTotalsType {
  @Field(() => Float, { description: 'Sum of the latest amounts.' })
  latest!: number;

  @Field(() => Float, { description: 'Sum of the ultimates.' })
  ultimate!: number;

  @Field(() => Float, { description: 'Total IBNR.' })
  ibnr!: number;

  @Field(() => Float, {
    nullable: true,
    description: "Mack's standard error of the total IBNR (with the covariances).",
  })
  standardError!: number | null;

  @Field(() => Float, { nullable: true, description: 'standardError / |IBNR|.' })
  cv!: number | null;
}

@ObjectType('ChainLadderNote', {
  description: 'Something the method had to assume, e.g. an extrapolated σ².',
})
export class ChainLadderNoteType {
  @Field({ description: 'Machine-readable code, e.g. SIGMA_MACK_EXTRAPOLATION.' })
  code!: string;

  @Field({ description: 'Explanation.' })
  message!: string;

  @Field(() => Int, { nullable: true, description: 'Development age concerned, if any.' })
  age!: number | null;

  @Field(() => Int, { nullable: true, description: 'Origin row concerned, if any.' })
  origin!: number | null;
}

@ObjectType('ChainLadderResult', {
  description:
    "Chain ladder with Mack's (1993) standard errors (renewals-actuarial.md, Loss development and IBNR).",
})
export class ChainLadderResultType {
  @Field(() => Int, { description: 'Number of development ages (columns).' })
  ageCount!: number;

  @Field(() => [Float], { description: 'Age-to-age factors f_0 … f_{n−2}.' })
  factors!: number[];

  @Field(() => [DevelopmentLinkType], { description: 'The links with their volumes and σ².' })
  links!: DevelopmentLinkType[];

  @Field(() => Float, { description: 'Tail factor applied after the last age (1 = none).' })
  tailFactor!: number;

  @Field(() => [ChainLadderOriginType], {
    description: 'Per origin: latest, ultimate, IBNR, standard error.',
  })
  origins!: ChainLadderOriginType[];

  @Field(() => ChainLadderTotalsType, { description: 'Totals over all origins.' })
  totals!: ChainLadderTotalsType;

  @Field(() => [ChainLadderNoteType], { description: 'Assumptions the method had to make.' })
  notes!: ChainLadderNoteType[];
}

export function toChainLadderType(r: ChainLadderResult, periods?: readonly string[]): ChainLadderResultType {
  return {
    ageCount: r.ageCount,
    factors: r.factors,
    links: r.links.map((l) => ({ ...l })),
    tailFactor: r.tailFactor,
    origins: r.origins.map((o) => ({ ...o, period: periods?.[o.origin] ?? null })),
    totals: { ...r.totals },
    notes: r.notes.map((n) => ({
      code: n.code,
      message: n.message,
      age: n.age ?? null,
      origin: n.origin ?? null,
    })),
  };
}

@ObjectType('CountyIbnr', {
  description:
    "A county's share of a loss study's IBNR for one programme year: its paid to date in each origin period developed by that origin's factor to ultimate.",
})
export class CountyIbnrType {
  @Field({ description: '6-digit county code.' })
  countyCode!: string;

  @Field(() => Int, { description: 'Programme year of the claims.' })
  programmeYear!: number;

  @Field(() => MoneyScalar, { description: 'Paid to the valuation date.' })
  paid!: string;

  @Field(() => MoneyScalar, { description: 'Share of the IBNR.' })
  ibnr!: string;
}

@ObjectType('LossDevelopment', { description: 'The loss development part of a LOSS_DEVELOPMENT study.' })
export class LossDevelopmentType {
  @Field(() => DateScalar, { description: 'Valuation date (payments up to and including it).' })
  valuationDate!: string;

  @Field(() => Granularity, { description: 'Period length.' })
  granularity!: Granularity;

  @Field(() => [String], { description: 'Origin period labels, oldest first (rows of the triangle).' })
  periods!: string[];

  @Field(() => [[Float]], {
    nullable: 'items',
    description:
      'Cumulative paid triangle (rows = origin periods, columns = development ages); unobserved cells are null.',
  })
  triangle!: (number | null)[][];

  @Field(() => Int, { description: 'Claims in the triangle.' })
  claimCount!: number;

  @Field(() => ChainLadderResultType, {
    nullable: true,
    description: 'Chain ladder of the triangle; null when no paid claim matched the filters.',
  })
  chainLadder!: ChainLadderResultType | null;

  @Field(() => [CountyIbnrType], { description: 'IBNR allocated to counties and programme years.' })
  ibnrByCounty!: CountyIbnrType[];
}

@ObjectType('ActuarialStudy', {
  description: 'A stored actuarial study (versioned per kind, never overwritten).',
})
export class ActuarialStudyType {
  @Field(() => ID, { description: 'Study id.' })
  id!: string;

  @Field(() => StudyKind, { description: 'What it computed.' })
  kind!: StudyKind;

  @Field(() => Int, { description: 'Version within the kind, from 1.' })
  version!: number;

  @Field(() => GraphQLJSON, {
    description: 'What was asked (filters, granularity, tail factor, year, as-of date…).',
  })
  parameters!: Record<string, unknown>;

  @Field(() => GraphQLJSON, { description: 'The full result as stored.' })
  result!: Record<string, unknown>;

  @Field(() => LossDevelopmentType, {
    nullable: true,
    description: 'Typed loss development result (LOSS_DEVELOPMENT only).',
  })
  lossDevelopment!: LossDevelopmentType | null;

  @Field(() => Date, { description: 'When it was stored.' })
  createdAt!: Date;
}

export const ActuarialStudyConnection = ConnectionType(ActuarialStudyType, 'ActuarialStudy');

export function toStudyType(s: ActuarialStudy): ActuarialStudyType {
  let lossDevelopment: LossDevelopmentType | null = null;
  if (s.kind === StudyKind.LOSS_DEVELOPMENT) {
    const r = s.result as unknown as LossStudyResult;
    lossDevelopment = {
      valuationDate: r.valuationDate,
      granularity: r.granularity as Granularity,
      periods: r.periods,
      triangle: r.triangle,
      claimCount: r.claimCount,
      chainLadder: r.chainLadder ? toChainLadderType(r.chainLadder, r.periods) : null,
      ibnrByCounty: r.ibnrByCounty.map((c: CountyIbnr) => ({ ...c })),
    };
  }
  return {
    id: String(s.id),
    kind: s.kind,
    version: s.version,
    parameters: s.parameters,
    result: s.result,
    lossDevelopment,
    createdAt: s.createdAt,
  };
}

@InputType({ description: 'A loss development study over paid claims.' })
export class RunLossStudyInput {
  @Field(() => Granularity, { description: 'Origin and development period length.' })
  granularity!: Granularity;

  @Field(() => Int, { nullable: true, description: 'Only claims of this programme year.' })
  programmeYear?: number | null;

  @Field(() => String, { nullable: true, description: 'Only claims of counties in this two-digit province.' })
  provinceCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Only claims of this 6-digit county.' })
  countyCode?: string | null;

  @Field(() => Float, { nullable: true, description: 'Development after the last age (default 1.0, none).' })
  tailFactor?: number | null;
}

@InputType({ description: 'An experience study of one programme year.' })
export class RunExperienceStudyInput {
  @Field(() => Int, { description: 'Programme year.' })
  year!: number;
}

@InputType({ description: 'Proposes a rate table from the claims data of a study’s programme year.' })
export class ProposeRateTableInput {
  @Field(() => ID, { description: 'The study (EXPERIENCE, or LOSS_DEVELOPMENT with a programme year).' })
  studyId!: string;
}
