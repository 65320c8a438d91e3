import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar } from '../../graphql/scalars';
import { GenderValue } from '../pricing/rate-table.types';
import type { Insured } from './insured.entity';

/**
 * One insured person. Personal fields that depend on who asks (name, phone, payee account) are
 * not properties of this object: the resolver applies the role rule to the hidden raw values
 * (insured.service.ts `seesFullPersonalData`). The national ID itself is never a field: only its
 * mask; `revealNationalId` gives the ID to ADMIN and CLAIMS_REVIEWER, audited.
 */
@ObjectType('Insured', {
  description:
    'An insured person. The name, phone and payee account are shown in full to ADMIN, CLAIMS_REVIEWER and the ' +
    "coordinators of the person's county, masked for everyone else; the national ID only masked.",
})
export class InsuredType {
  @Field(() => ID, { description: 'Insured id.' })
  id!: string;

  /** Raw values for the field resolvers (never exposed as they are). */
  rawName!: string;
  rawPhone!: string | null;
  rawPayeeAccount!: string | null;

  @Field({ description: 'The national ID, masked: `513432********1234`.' })
  nationalIdMasked!: string;

  @Field(() => GenderValue, { description: 'Gender, from the national ID.' })
  gender!: GenderValue;

  @Field(() => DateScalar, { description: 'Birth date, from the national ID.' })
  birthDate!: string;

  @Field({ description: "Household id as the county's roster gives it." })
  householdId!: string;

  @Field({ description: 'Home county: the county whose roster last listed the person (6 digits).' })
  countyCode!: string;

  @Field({
    description: 'First six digits of the national ID: where it was issued (may differ from the county).',
  })
  idRegion!: string;

  @Field({ description: 'Registered as a poor household (建档立卡).' })
  registeredPoor!: boolean;

  @Field(() => Date, { description: 'When the person was first recorded.' })
  createdAt!: Date;
}

export function toInsuredType(i: Insured): InsuredType {
  return {
    id: String(i.id),
    rawName: i.name,
    rawPhone: i.phone ?? null,
    rawPayeeAccount: i.payeeAccount ?? null,
    nationalIdMasked: i.idMasked,
    gender: i.gender as GenderValue,
    birthDate: i.birthDate,
    householdId: i.householdId,
    countyCode: i.county.code,
    idRegion: i.idRegion,
    registeredPoor: i.registeredPoor,
    createdAt: i.createdAt,
  };
}

@InputType({
  description: 'Shows one national ID in plain text (ADMIN, CLAIMS_REVIEWER); audited with the reason.',
})
export class RevealNationalIdInput {
  @Field(() => ID, { description: 'Insured id.' })
  insuredId!: string;

  @Field({
    description:
      'Why the ID is needed (required, kept in the audit trail), e.g. "bank rejected payout, checking the ID".',
  })
  reason!: string;
}

@ObjectType({ description: 'Result of revealNationalId.' })
export class RevealNationalIdPayload {
  @Field(() => InsuredType, { description: 'The person.' })
  insured!: InsuredType;

  @Field({ description: 'The national ID in plain text. Do not store or log it.' })
  nationalId!: string;
}

@InputType({ description: 'Re-encrypts every national ID not under the active key (ADMIN).' })
export class RotatePiiKeyInput {
  @Field(() => Int, { nullable: true, description: 'People per batch, 100–10,000 (default 1,000).' })
  batchSize?: number | null;
}
