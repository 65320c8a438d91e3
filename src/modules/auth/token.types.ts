import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { ApiToken, Role } from './api-token.entity';

registerEnumType(Role, {
  name: 'Role',
  description: 'What a token may do (api-security.md).',
  valuesConfig: {
    ADMIN: { description: 'Tokens, counties, everything else.' },
    ACTUARY: { description: 'Insurer actuaries: rate tables, quotes, studies.' },
    CLAIMS_REVIEWER: { description: 'Insurer claims staff: review claims, confirm payouts.' },
    FOUNDATION: { description: 'Foundation staff: programmes, contracts, renewals.' },
    COORDINATOR: { description: 'Village or township coordinator of one county: rosters and claims.' },
    INTEGRATION: { description: 'Hospitals and government systems: coverage look-ups.' },
  },
});

@ObjectType('ApiToken', { description: 'A bearer token (its secret is shown only once, at creation).' })
export class ApiTokenType {
  @Field(() => ID, { description: 'Token id.' })
  id!: string;

  @Field({ description: 'What the token is for.' })
  name!: string;

  @Field({ description: 'First characters of the secret, to tell tokens apart.' })
  prefix!: string;

  @Field(() => Role, { description: 'The role it acts with.' })
  role!: Role;

  @Field(() => [String], { description: 'Counties it is limited to (empty: not limited by county).' })
  countyCodes!: string[];

  @Field(() => [String], { description: 'Provinces it is limited to (empty: not limited by province).' })
  provinceCodes!: string[];

  @Field(() => Date, { nullable: true, description: 'When it stops working.' })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was revoked.' })
  revokedAt!: Date | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;
}

export function toApiTokenType(t: ApiToken): ApiTokenType {
  return {
    id: String(t.id),
    name: t.name,
    prefix: t.prefix,
    role: t.role,
    countyCodes: t.countyCodes,
    provinceCodes: t.provinceCodes,
    expiresAt: t.expiresAt ?? null,
    revokedAt: t.revokedAt ?? null,
    createdAt: t.createdAt,
  };
}

@InputType({ description: 'A new token.' })
export class CreateTokenInput {
  @Field({ description: 'What the token is for, e.g. "Xide county coordinator".' })
  name!: string;

  @Field(() => Role, { description: 'Its role.' })
  role!: Role;

  @Field(() => [String], {
    nullable: true,
    description: 'Counties it is limited to (COORDINATOR: exactly one).',
  })
  countyCodes?: string[];

  @Field(() => [String], { nullable: true, description: 'Provinces it is limited to (two-digit codes).' })
  provinceCodes?: string[];

  @Field(() => Date, { nullable: true, description: 'Expiry instant; none = does not expire.' })
  expiresAt?: Date;
}

@ObjectType({ description: 'A created token and its secret, shown this once.' })
export class CreateTokenPayload {
  @Field(() => ApiTokenType, { description: 'The token.' })
  token!: ApiTokenType;

  @Field({ description: 'The bearer secret: store it now, it cannot be shown again.' })
  secret!: string;
}

@InputType({ description: 'Revokes a token.' })
export class RevokeTokenInput {
  @Field(() => ID, { description: 'Token id.' })
  id!: string;
}

@ObjectType({ description: 'The revoked token.' })
export class TokenPayload {
  @Field(() => ApiTokenType, { description: 'The token.' })
  token!: ApiTokenType;
}
