import type { AuthCheckerInterface, ResolverData } from 'type-graphql';
import { forbidden, unauthenticated } from '../shared/errors';
import type { GqlContext } from './context';

/**
 * `@Authorized(...roles)`: no or bad token → UNAUTHENTICATED; a role not listed → FORBIDDEN.
 * Scope (county, province) is then applied by the services in their queries.
 */
export class AuthChecker implements AuthCheckerInterface<GqlContext> {
  check({ context }: ResolverData<GqlContext>, roles: string[]): boolean {
    if (!context.actor) throw unauthenticated();
    if (roles.length && !roles.includes(context.actor.role)) throw forbidden();
    return true;
  }
}
