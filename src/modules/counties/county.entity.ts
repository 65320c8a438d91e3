import { Entity, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { TIMESTAMP } from '../../db/types';

/** A county-level administrative division (GB/T 2260). Reference data, loaded by a seed. */
@Entity({ tableName: 'county' })
export class County {
  @PrimaryKey({ type: 'string', length: 6 })
  code!: string;

  @Property({ type: 'text' })
  nameZh!: string;

  @Property({ type: 'text' })
  nameEn!: string;

  @Property({ type: 'string', length: 6 })
  prefectureCode!: string;

  @Property({ type: 'text' })
  prefectureZh!: string;

  /** First two digits of the code (`51` Sichuan). */
  @Property({ type: 'string', length: 2, index: true })
  provinceCode!: string;

  @Property({ type: 'text' })
  provinceZh!: string;

  @Property({ type: 'text' })
  provinceEn!: string;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ ...TIMESTAMP, defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}
