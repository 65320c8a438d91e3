import { Entity, Enum, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { TIMESTAMP } from '../../db/types';

export enum Role {
  ADMIN = 'ADMIN',
  ACTUARY = 'ACTUARY',
  CLAIMS_REVIEWER = 'CLAIMS_REVIEWER',
  FOUNDATION = 'FOUNDATION',
  COORDINATOR = 'COORDINATOR',
  INTEGRATION = 'INTEGRATION',
}

/**
 * A bearer token, stored only as its SHA-256 (tokens are 256-bit random, so a fast hash is
 * enough). Scope: counties and/or provinces; empty means unrestricted.
 */
@Entity({ tableName: 'api_token' })
export class ApiToken {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'bytea', unique: true })
  tokenHash!: Buffer;

  /** First characters of the token, to tell tokens apart in lists. */
  @Property({ type: 'text' })
  prefix!: string;

  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  @Property({ type: 'text[]' })
  countyCodes: Opt<string[]> = [];

  @Property({ type: 'text[]' })
  provinceCodes: Opt<string[]> = [];

  @Property({ ...TIMESTAMP, nullable: true })
  expiresAt?: Date | null;

  @Property({ ...TIMESTAMP, nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'integer', nullable: true })
  createdByTokenId?: number | null;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
