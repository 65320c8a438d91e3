import { Entity, Index, Opt, PrimaryKey, Property } from '@mikro-orm/core';
import { TIMESTAMP } from '../../db/types';

/** Who did what to which record, when, from which state to which, with the changed fields. */
@Entity({ tableName: 'audit_event' })
@Index({ properties: ['entityType', 'entityId', 'at'] })
export class AuditEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ ...TIMESTAMP, defaultRaw: 'now()' })
  at: Opt<Date> = new Date();

  /** The token that acted; null for the system (scheduled jobs, seeds). */
  @Property({ type: 'integer', nullable: true })
  actorTokenId?: number | null;

  @Property({ type: 'text' })
  actorRole!: string;

  @Property({ type: 'text' })
  entityType!: string;

  @Property({ type: 'text' })
  entityId!: string;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text', nullable: true })
  fromState?: string | null;

  @Property({ type: 'text', nullable: true })
  toState?: string | null;

  /** Changed fields `{ field: { from, to } }` and context (never a plain national ID). */
  @Property({ type: 'jsonb', nullable: true })
  changes?: Record<string, unknown> | null;

  @Property({ type: 'text', nullable: true })
  requestId?: string | null;
}
