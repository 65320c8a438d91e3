import { Entity, Enum, Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { TIMESTAMP } from '../../db/types';

export enum StudyKind {
  LOSS_DEVELOPMENT = 'LOSS_DEVELOPMENT',
  EXPERIENCE = 'EXPERIENCE',
}

/** The stored result of an actuarial job; versioned per kind, never overwritten. */
@Entity({ tableName: 'actuarial_study' })
@Unique({ properties: ['kind', 'version'] })
export class ActuarialStudy {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Enum({ items: () => StudyKind, type: 'text' })
  kind!: StudyKind;

  @Property({ type: 'integer' })
  version!: number;

  /** What was asked: granularity, filters, tail factor, programme year… */
  @Property({ type: 'jsonb' })
  parameters!: Record<string, unknown>;

  /** Triangle, factors, reserves; or experience by county. */
  @Property({ type: 'jsonb' })
  result!: Record<string, unknown>;

  @Property({ type: 'integer', nullable: true })
  createdByTokenId?: number | null;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();
}
