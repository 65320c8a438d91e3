import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../auth/actor';
import { AuditEvent } from './audit-event.entity';

export interface AuditEntry {
  entityType: string;
  entityId: string | number;
  action: string;
  fromState?: string | null;
  toState?: string | null;
  changes?: Record<string, unknown> | null;
}

/**
 * Every state transition and every money-changing write records an event in the same
 * transaction as the change (persisted by the caller's flush).
 */
export class AuditService {
  record(em: EntityManager, actor: Actor, entry: AuditEntry): AuditEvent {
    return em.create(AuditEvent, {
      actorTokenId: actor.tokenId,
      actorRole: actor.role,
      entityType: entry.entityType,
      entityId: String(entry.entityId),
      action: entry.action,
      fromState: entry.fromState ?? null,
      toState: entry.toState ?? null,
      changes: entry.changes ?? null,
      requestId: actor.requestId ?? null,
    });
  }

  async list(em: EntityManager, entityType: string, entityId: string): Promise<AuditEvent[]> {
    return em.find(AuditEvent, { entityType, entityId }, { orderBy: { id: 'asc' } });
  }
}
