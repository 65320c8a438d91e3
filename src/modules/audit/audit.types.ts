import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { AuditEvent } from './audit-event.entity';

@ObjectType('AuditEvent', {
  description: 'Who did what to which record, when, from which state to which, with the changed fields.',
})
export class AuditEventType {
  @Field(() => ID, { description: 'Event id (increasing in the order events were written).' })
  id!: string;

  @Field(() => Date, { description: 'When it happened.' })
  at!: Date;

  @Field(() => ID, {
    nullable: true,
    description: 'The token that acted; null for the system (scheduled jobs, seeds).',
  })
  actorTokenId!: string | null;

  @Field({ description: 'Role of the actor: a token role, or SYSTEM.' })
  actorRole!: string;

  @Field({ description: 'Kind of record, e.g. CountyContract.' })
  entityType!: string;

  @Field(() => ID, { description: 'Id of the record.' })
  entityId!: string;

  @Field({ description: 'What was done, e.g. CREATE, APPROVE, APPROVE_OVER_BUDGET, ACTIVATE.' })
  action!: string;

  @Field(() => String, { nullable: true, description: 'State before a transition.' })
  fromState!: string | null;

  @Field(() => String, { nullable: true, description: 'State after a transition.' })
  toState!: string | null;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'Changed fields `{ field: { from, to } }` and context (amounts, reasons).',
  })
  changes!: Record<string, unknown> | null;

  @Field(() => String, {
    nullable: true,
    description: 'Id of the API request that caused it (none for jobs).',
  })
  requestId!: string | null;
}

export function toAuditEventType(e: AuditEvent): AuditEventType {
  return {
    id: String(e.id),
    at: e.at,
    actorTokenId: e.actorTokenId === null || e.actorTokenId === undefined ? null : String(e.actorTokenId),
    actorRole: e.actorRole,
    entityType: e.entityType,
    entityId: e.entityId,
    action: e.action,
    fromState: e.fromState ?? null,
    toState: e.toState ?? null,
    changes: e.changes ?? null,
    requestId: e.requestId ?? null,
  };
}
