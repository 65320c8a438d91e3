import { Entity, Enum, ManyToOne, Opt, PrimaryKey, Property, Rel } from '@mikro-orm/core';
import { DATE, TIMESTAMP } from '../../db/types';
import { County } from '../counties/county.entity';

/**
 * One person. The national ID is never stored in plain text: an HMAC-SHA-256 for look-up
 * (unique), an AES-256-GCM ciphertext with its key id, and the masked form.
 */
@Entity({ tableName: 'insured' })
export class Insured {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'bytea', unique: true })
  idHash!: Buffer;

  @Property({ type: 'text' })
  idCiphertext!: string;

  @Property({ type: 'text' })
  idKeyId!: string;

  @Property({ type: 'text' })
  idMasked!: string;

  @Property({ type: 'text' })
  name!: string;

  @Enum({ items: ['F', 'M'], type: 'text' })
  gender!: 'F' | 'M';

  @Property({ ...DATE })
  birthDate!: string;

  @Property({ type: 'text' })
  householdId!: string;

  /** Home county: the county whose roster last listed the person. */
  @ManyToOne(() => County, { index: true })
  county!: Rel<County>;

  /** First six digits of the ID: where it was issued (may differ from the county). */
  @Property({ type: 'string', length: 6 })
  idRegion!: string;

  @Property({ type: 'text', nullable: true })
  payeeAccount?: string | null;

  @Property({ type: 'text', nullable: true })
  phone?: string | null;

  @Property({ type: 'boolean' })
  registeredPoor!: boolean;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}
