import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../app/services';
import type { Actor } from '../modules/auth/actor';
import { unauthenticated } from '../shared/errors';
import { Loaders } from './loaders';

/** What every resolver gets: a request-scoped EntityManager, the caller and the services. */
export interface GqlContext {
  em: EntityManager;
  actor: Actor | null;
  requestId: string;
  services: Services;
  loaders: Loaders;
}

export function makeContext(args: Omit<GqlContext, 'loaders'>): GqlContext {
  return { ...args, loaders: new Loaders(args.em) };
}

/** The authenticated actor (the auth checker has already refused anonymous calls). */
export function actorOf(ctx: GqlContext): Actor {
  if (!ctx.actor) throw unauthenticated();
  return ctx.actor;
}
