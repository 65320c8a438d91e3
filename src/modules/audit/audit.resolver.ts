import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { actorOf, type GqlContext } from '../../graphql/context';
import { parseId } from '../../graphql/ids';
import { badInput, forbidden, notFound } from '../../shared/errors';
import { inScope, isScoped, type Actor } from '../auth/actor';
import { Role } from '../auth/api-token.entity';
import { AuditEventType, toAuditEventType } from './audit.types';

/**
 * Who may read audit trails: the roles that oversee records (ADMIN; FOUNDATION, which pays;
 * ACTUARY and CLAIMS_REVIEWER, the insurer's staff who act on contracts and claims).
 * COORDINATOR (village level) and INTEGRATION (machines) may not: the trail names tokens
 * and carries amounts beyond what they otherwise see.
 */
const AUDIT_READERS = [Role.ADMIN, Role.FOUNDATION, Role.ACTUARY, Role.CLAIMS_REVIEWER];

@Resolver(() => AuditEventType)
export class AuditResolver {
  @Authorized(AUDIT_READERS)
  @Query(() => [AuditEventType], {
    description:
      'The audit trail of one record, oldest first (ADMIN, FOUNDATION, ACTUARY, CLAIMS_REVIEWER). ' +
      'County-scoped tokens see the trails of their counties and contracts only.',
  })
  async auditEvents(
    @Ctx() ctx: GqlContext,
    @Arg('entityType', { description: 'Kind of record, e.g. CountyContract.' }) entityType: string,
    @Arg('entityId', () => ID, { description: 'Id of the record.' }) entityId: string,
  ): Promise<AuditEventType[]> {
    const actor = actorOf(ctx);
    if (!/^[A-Za-z]{1,64}$/.test(entityType))
      throw badInput('entityType', 'must be an entity type name, e.g. CountyContract');
    if (!entityId.trim() || entityId.length > 100) throw badInput('entityId', 'must be a record id');
    if (isScoped(actor)) await assertInScope(ctx, actor, entityType, entityId);
    return (await ctx.services.audit.list(ctx.em, entityType, entityId)).map(toAuditEventType);
  }
}

/**
 * Scope for county-scoped tokens (FOUNDATION or CLAIMS_REVIEWER limited to counties): the
 * record must be theirs. Belongs in AuditService.list(em, actor, …) once that takes an actor.
 */
async function assertInScope(
  ctx: GqlContext,
  actor: Actor,
  entityType: string,
  entityId: string,
): Promise<void> {
  switch (entityType) {
    case 'CountyContract':
      await ctx.services.contracts.get(ctx.em, actor, parseId(entityId, 'entityId'));
      return;
    case 'County':
      if (!inScope(actor, entityId)) throw notFound('County', entityId);
      return;
    default:
      throw forbidden(`a county-scoped token may not read the audit trail of ${entityType} records`);
  }
}
