import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { TIMESTAMP } from '../../db/types';

/** Every coverage look-up by an integration: token, time, how many people, hashed IDs. */
@Entity({ tableName: 'coverage_access_log' })
export class CoverageAccessLog {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'integer', index: true })
  tokenId!: number;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  at: Opt<Date> = new Date();

  @Property({ type: 'integer' })
  peopleCount!: number;

  /** Hex of the HMAC look-up hashes asked about (never the IDs themselves). */
  @Property({ type: 'text[]' })
  idHashes!: string[];

  @Property({ type: 'text' })
  channel!: string;
}
