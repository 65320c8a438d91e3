import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { MoneyScalar } from '../../graphql/scalars';
import type { BenefitPlan } from './benefit-plan.entity';

/** GraphQL mirror of `HOSPITAL_LEVELS` (benefit-plan.entity.ts); reuse it rather than registering another. */
export enum HospitalLevelValue {
  TOWNSHIP = 'TOWNSHIP',
  COUNTY = 'COUNTY',
  CITY = 'CITY',
  PROVINCIAL = 'PROVINCIAL',
  PRIVATE = 'PRIVATE',
}

registerEnumType(HospitalLevelValue, {
  name: 'HospitalLevel',
  description: 'Level of the hospital where a stay took place.',
  valuesConfig: {
    TOWNSHIP: { description: 'Township health centre.' },
    COUNTY: { description: 'County hospital.' },
    CITY: { description: 'Prefecture-level city hospital.' },
    PROVINCIAL: { description: 'Provincial hospital.' },
    PRIVATE: { description: 'Private hospital.' },
  },
});

/** GraphQL mirror of `DOCUMENT_KINDS` (benefit-plan.entity.ts); reuse it rather than registering another. */
export enum DocumentKindValue {
  INVOICE = 'INVOICE',
  DISCHARGE_SUMMARY = 'DISCHARGE_SUMMARY',
  ID_CARD = 'ID_CARD',
  BANK_ACCOUNT = 'BANK_ACCOUNT',
  OTHER = 'OTHER',
}

registerEnumType(DocumentKindValue, {
  name: 'DocumentKind',
  description: 'Kind of a supporting document of a claim.',
  valuesConfig: {
    INVOICE: { description: 'Hospital invoice.' },
    DISCHARGE_SUMMARY: { description: 'Discharge summary.' },
    ID_CARD: { description: 'Copy of the national ID card.' },
    BANK_ACCOUNT: { description: 'Proof of the payee bank account.' },
    OTHER: { description: 'Any other document.' },
  },
});

@ObjectType('BenefitTier', {
  description:
    'A reimbursement tier: `ratio` of cumulative eligible out-of-pocket from the previous bound up to `upTo`.',
})
export class BenefitTierType {
  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Upper bound of the tier; null for the last (unbounded) tier.',
  })
  upTo!: string | null;

  @Field({ description: 'Share paid in this tier, a decimal string in [0, 1], e.g. "0.4".' })
  ratio!: string;
}

@ObjectType('BenefitPlan', {
  description:
    'A versioned benefit design; immutable once a contract uses it (a change is a new version of the code).',
})
export class BenefitPlanType {
  @Field(() => ID, { description: 'Plan id.' })
  id!: string;

  @Field({ description: 'Code shared by all versions, e.g. BACKBONE-STD.' })
  code!: string;

  @Field(() => Int, { description: 'Version within the code, from 1.' })
  version!: number;

  @Field({ description: 'Display name.' })
  name!: string;

  @Field(() => MoneyScalar, { description: 'Annual deductible per person.' })
  deductible!: string;

  @Field(() => [BenefitTierType], {
    description: 'Reimbursement tiers, ascending; the first starts at the deductible.',
  })
  tiers!: BenefitTierType[];

  @Field(() => MoneyScalar, { description: 'Annual cap on benefit per person.' })
  annualCap!: string;

  @Field(() => [HospitalLevelValue], { description: 'Hospital levels covered.' })
  hospitalLevels!: HospitalLevelValue[];

  @Field(() => Int, { description: 'Youngest covered age (whole years).' })
  minAge!: number;

  @Field(() => Int, { description: 'Oldest covered age (whole years).' })
  maxAge!: number;

  @Field(() => Int, { description: 'Days after discharge within which a claim must be filed.' })
  filingWindowDays!: number;

  @Field(() => MoneyScalar, {
    description: 'Claims with a payable up to this are approved automatically (absent flags).',
  })
  autoApproveLimit!: string;

  @Field(() => MoneyScalar, { description: 'Eligible out-of-pocket above this flags a claim HIGH_AMOUNT.' })
  reviewThreshold!: string;

  @Field(() => [DocumentKindValue], { description: 'Documents a claim must carry.' })
  requiredDocuments!: DocumentKindValue[];

  @Field(() => Date, {
    nullable: true,
    description: 'When a contract first used it (from then on it is frozen); null if unused.',
  })
  lockedAt!: Date | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;
}

export const BenefitPlanConnection = ConnectionType(BenefitPlanType, 'BenefitPlan');

export function toBenefitPlanType(p: BenefitPlan): BenefitPlanType {
  return {
    id: String(p.id),
    code: p.code,
    version: p.version,
    name: p.name,
    deductible: p.deductible,
    tiers: p.tiers.map((t) => ({ upTo: t.upTo, ratio: t.ratio })),
    annualCap: p.annualCap,
    hospitalLevels: p.hospitalLevels as HospitalLevelValue[],
    minAge: p.minAge,
    maxAge: p.maxAge,
    filingWindowDays: p.filingWindowDays,
    autoApproveLimit: p.autoApproveLimit,
    reviewThreshold: p.reviewThreshold,
    requiredDocuments: p.requiredDocuments as DocumentKindValue[],
    lockedAt: p.lockedAt ?? null,
    createdAt: p.createdAt,
  };
}

@InputType({ description: 'A reimbursement tier of a new plan.' })
export class BenefitTierInput {
  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Upper bound (above the deductible and the previous tier); null for the last tier only.',
  })
  upTo?: string | null;

  @Field({ description: 'Share paid, a decimal string in [0, 1] such as "0.40".' })
  ratio!: string;
}

@InputType({ description: 'A new benefit plan: version = highest version of the code + 1 (ADMIN, ACTUARY).' })
export class CreateBenefitPlanInput {
  @Field({
    description: 'Code, e.g. BACKBONE-STD: upper-case letters, digits, "-" or "_", up to 64 characters.',
  })
  code!: string;

  @Field({ description: 'Display name, not empty.' })
  name!: string;

  @Field(() => MoneyScalar, { description: 'Annual deductible (≥ 0).' })
  deductible!: string;

  @Field(() => [BenefitTierInput], { description: 'Tiers, ascending; the last has no upper bound.' })
  tiers!: BenefitTierInput[];

  @Field(() => MoneyScalar, { description: 'Annual cap per person (≥ 0).' })
  annualCap!: string;

  @Field(() => [HospitalLevelValue], { description: 'Covered hospital levels: at least one, each once.' })
  hospitalLevels!: HospitalLevelValue[];

  @Field(() => Int, { nullable: true, description: 'Youngest covered age, 0–120 (default 18).' })
  minAge?: number;

  @Field(() => Int, { nullable: true, description: 'Oldest covered age, minAge–120 (default 60).' })
  maxAge?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Claim filing window after discharge, 1–3650 days (default 365).',
  })
  filingWindowDays?: number;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Auto-approve limit on the payable (default 10000.00).',
  })
  autoApproveLimit?: string;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Review threshold on eligible out-of-pocket (default 100000.00).',
  })
  reviewThreshold?: string;

  @Field(() => [DocumentKindValue], {
    nullable: true,
    description: 'Required documents, each once (default INVOICE and DISCHARGE_SUMMARY).',
  })
  requiredDocuments?: DocumentKindValue[];
}

@InputType({ description: 'Filters for the benefit plan list.' })
export class BenefitPlanFilterInput {
  @Field({ nullable: true, description: 'Only this code (all its versions).' })
  code?: string;
}

@ObjectType({ description: 'Result of createBenefitPlan.' })
export class BenefitPlanPayload {
  @Field(() => BenefitPlanType, { description: 'The plan as stored.' })
  benefitPlan!: BenefitPlanType;
}
