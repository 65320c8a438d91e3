import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { AGE_BANDS, GENDERS, RateTableStatus, type RateTable } from './rate-table.entity';

/** Age bands of the rate table (pricing.md); the value inside the service is the band label ("18-29"). */
export enum AgeBandValue {
  BAND_18_29 = '18-29',
  BAND_30_39 = '30-39',
  BAND_40_49 = '40-49',
  BAND_50_60 = '50-60',
}

registerEnumType(AgeBandValue, {
  name: 'AgeBand',
  description: 'Age band of an insured person, ages in whole years as of the coverage start.',
  valuesConfig: {
    BAND_18_29: { description: '18-29' },
    BAND_30_39: { description: '30-39' },
    BAND_40_49: { description: '40-49' },
    BAND_50_60: { description: '50-60' },
  },
});

export enum GenderValue {
  F = 'F',
  M = 'M',
}

registerEnumType(GenderValue, {
  name: 'Gender',
  description: 'Gender as recorded on the national ID.',
  valuesConfig: { F: { description: 'Female.' }, M: { description: 'Male.' } },
});

registerEnumType(RateTableStatus, {
  name: 'RateTableStatus',
  description:
    'Life cycle of a rate table: DRAFT → PUBLISHED → RETIRED. Only PUBLISHED tables price contracts.',
  valuesConfig: {
    DRAFT: { description: 'Being prepared; can be published.' },
    PUBLISHED: { description: 'In use for pricing; can be retired.' },
    RETIRED: { description: 'No longer used for new quotes; final.' },
  },
});

@ObjectType('FrequencyCell', { description: 'Expected claims per insured-year for one age band and gender.' })
export class FrequencyCellType {
  @Field(() => AgeBandValue, { description: 'Age band.' })
  band!: AgeBandValue;

  @Field(() => GenderValue, { description: 'Gender.' })
  gender!: GenderValue;

  @Field(() => Float, { description: 'Claims per insured-year (≥ 0).' })
  frequency!: number;
}

@ObjectType('SeverityBand', {
  description: "Log-normal eligible out-of-pocket cost per claim for one age band, at the table's base date.",
})
export class SeverityBandType {
  @Field(() => AgeBandValue, { description: 'Age band.' })
  band!: AgeBandValue;

  @Field(() => Float, { description: 'Log-normal location parameter mu.' })
  mu!: number;

  @Field(() => Float, { description: 'Log-normal scale parameter sigma (> 0).' })
  sigma!: number;
}

@ObjectType('AreaFactor', {
  description: 'Frequency multiplier for one province (provinces not listed use 1.0).',
})
export class AreaFactorType {
  @Field({ description: 'Two-digit province code, e.g. 51 (Sichuan).' })
  provinceCode!: string;

  @Field(() => Float, { description: 'Multiplier on frequency (≥ 0).' })
  factor!: number;
}

@ObjectType('RateTable', { description: 'A versioned actuarial basis for pricing (pricing.md).' })
export class RateTableType {
  @Field(() => ID, { description: 'Rate table id.' })
  id!: string;

  @Field({ description: 'Code shared by all versions, e.g. CN-RURAL-2019.' })
  code!: string;

  @Field(() => Int, { description: 'Version within the code, from 1.' })
  version!: number;

  @Field(() => RateTableStatus, { description: 'DRAFT, PUBLISHED or RETIRED.' })
  status!: RateTableStatus;

  @Field(() => DateScalar, {
    description: 'Date the severities are expressed at (trend is applied from it).',
  })
  baseDate!: string;

  @Field(() => [FrequencyCellType], { description: 'The 8 frequency cells, by band then gender.' })
  frequency!: FrequencyCellType[];

  @Field(() => [SeverityBandType], { description: 'The 4 severity bands, youngest first.' })
  severity!: SeverityBandType[];

  @Field(() => [AreaFactorType], { description: 'Area factors by province code (others use 1.0).' })
  areaFactors!: AreaFactorType[];

  @Field(() => Float, { description: 'Annual claims-cost trend, e.g. 0.06 for 6 % a year.' })
  annualTrend!: number;

  @Field(() => Float, { description: 'Expense loading as a share of the gross premium.' })
  expenseLoading!: number;

  @Field(() => Float, { description: 'Risk margin as a share of the gross premium.' })
  riskMargin!: number;

  @Field(() => MoneyScalar, { description: 'Minimum gross premium per capita.' })
  minPremium!: string;

  @Field(() => Int, { description: 'Claim count that earns full credibility on renewal.' })
  fullCredibilityClaims!: number;

  @Field(() => Float, {
    description: 'Largest renewal rate change either way, as a fraction (0.25 = ±25 %).',
  })
  maxRateChange!: number;

  @Field(() => ID, { nullable: true, description: 'The actuarial study a proposed table came from, if any.' })
  sourceStudyId!: string | null;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      'For a proposed table: the evidence per cell (claims, exposure, raw estimate, Z, prior and blended value) and the data basis.',
  })
  evidence!: unknown;

  @Field(() => Date, { nullable: true, description: 'When it was published.' })
  publishedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was retired.' })
  retiredAt!: Date | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;
}

export const RateTableConnection = ConnectionType(RateTableType, 'RateTable');

export function toRateTableType(t: RateTable): RateTableType {
  const sourceStudy = t.sourceStudy as { id: number } | null | undefined;
  return {
    id: String(t.id),
    code: t.code,
    version: t.version,
    status: t.status,
    baseDate: t.baseDate,
    frequency: AGE_BANDS.flatMap((band) =>
      GENDERS.map((gender) => ({
        band: band as AgeBandValue,
        gender: gender as GenderValue,
        frequency: t.frequency[band][gender],
      })),
    ),
    severity: AGE_BANDS.map((band) => ({ band: band as AgeBandValue, ...t.severity[band] })),
    areaFactors: Object.entries(t.areaFactors ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([provinceCode, factor]) => ({ provinceCode, factor })),
    annualTrend: t.annualTrend,
    expenseLoading: t.expenseLoading,
    riskMargin: t.riskMargin,
    minPremium: t.minPremium,
    fullCredibilityClaims: t.fullCredibilityClaims,
    maxRateChange: t.maxRateChange,
    sourceStudyId: sourceStudy ? String(sourceStudy.id) : null,
    evidence: t.evidence ?? null,
    publishedAt: t.publishedAt ?? null,
    retiredAt: t.retiredAt ?? null,
    createdAt: t.createdAt,
  };
}

@InputType({ description: 'One frequency cell of a new rate table.' })
export class FrequencyCellInput {
  @Field(() => AgeBandValue, { description: 'Age band.' })
  band!: AgeBandValue;

  @Field(() => GenderValue, { description: 'Gender.' })
  gender!: GenderValue;

  @Field(() => Float, { description: 'Claims per insured-year (≥ 0).' })
  frequency!: number;
}

@InputType({ description: 'One severity band of a new rate table.' })
export class SeverityBandInput {
  @Field(() => AgeBandValue, { description: 'Age band.' })
  band!: AgeBandValue;

  @Field(() => Float, {
    description: 'Log-normal location mu of eligible out-of-pocket per claim at the base date.',
  })
  mu!: number;

  @Field(() => Float, { description: 'Log-normal scale sigma (> 0).' })
  sigma!: number;
}

@InputType({ description: 'Frequency multiplier for one province.' })
export class AreaFactorInput {
  @Field({ description: 'Two-digit province code, each at most once.' })
  provinceCode!: string;

  @Field(() => Float, { description: 'Multiplier on frequency (≥ 0).' })
  factor!: number;
}

@InputType({
  description: 'A new rate table, created as DRAFT with the next version of its code (ADMIN, ACTUARY).',
})
export class CreateRateTableInput {
  @Field({
    description: 'Code, e.g. CN-RURAL-2019: upper-case letters, digits, "-" or "_", up to 64 characters.',
  })
  code!: string;

  @Field(() => DateScalar, { description: 'Date the severities are expressed at.' })
  baseDate!: string;

  @Field(() => [FrequencyCellInput], { description: 'All 8 band × gender cells, each exactly once.' })
  frequency!: FrequencyCellInput[];

  @Field(() => [SeverityBandInput], { description: 'All 4 bands, each exactly once.' })
  severity!: SeverityBandInput[];

  @Field(() => [AreaFactorInput], {
    nullable: true,
    description: 'Area factors by province (default none: every province 1.0).',
  })
  areaFactors?: AreaFactorInput[];

  @Field(() => Float, { description: 'Annual trend (> −1), e.g. 0.06.' })
  annualTrend!: number;

  @Field(() => Float, { description: 'Expense loading (≥ 0; with the risk margin below 1).' })
  expenseLoading!: number;

  @Field(() => Float, { description: 'Risk margin (≥ 0; with the expense loading below 1).' })
  riskMargin!: number;

  @Field(() => MoneyScalar, { description: 'Minimum gross premium per capita (≥ 0).' })
  minPremium!: string;

  @Field(() => Int, { description: 'Claims for full credibility (> 0), e.g. 3000.' })
  fullCredibilityClaims!: number;

  @Field(() => Float, { description: 'Largest renewal rate change, 0–1 (0.25 = ±25 %).' })
  maxRateChange!: number;
}

@InputType({ description: 'Identifies a rate table for a state change.' })
export class RateTableTransitionInput {
  @Field(() => ID, { description: 'Rate table id.' })
  id!: string;
}

@InputType({ description: 'Filters for the rate table list.' })
export class RateTableFilterInput {
  @Field({ nullable: true, description: 'Only this code (all its versions).' })
  code?: string;

  @Field(() => RateTableStatus, { nullable: true, description: 'Only tables in this state.' })
  status?: RateTableStatus;
}

@ObjectType({ description: 'Result of a rate table mutation.' })
export class RateTablePayload {
  @Field(() => RateTableType, { description: 'The rate table as stored.' })
  rateTable!: RateTableType;
}
