import { Role } from './api-token.entity';

/** Who is calling: the authenticated token's role and scope. `system` for jobs and seeds. */
export interface Actor {
  tokenId: number | null;
  role: Role | 'SYSTEM';
  /** Counties the actor is limited to; empty with no provinces = unrestricted. */
  countyCodes: readonly string[];
  provinceCodes: readonly string[];
  /** The HTTP request the actor is acting through (recorded on audit events); none for jobs. */
  requestId?: string | null;
}

export const SYSTEM_ACTOR: Actor = { tokenId: null, role: 'SYSTEM', countyCodes: [], provinceCodes: [] };

export function isScoped(actor: Actor): boolean {
  return actor.countyCodes.length > 0 || actor.provinceCodes.length > 0;
}

/** True when the actor may see data of this county. */
export function inScope(actor: Actor, countyCode: string): boolean {
  if (!isScoped(actor)) return true;
  return actor.countyCodes.includes(countyCode) || actor.provinceCodes.includes(countyCode.slice(0, 2));
}

/**
 * A MikroORM filter on a county-code column limiting rows to the actor's scope; `{}` when
 * unrestricted. Every query of county data goes through this (scope in the data layer).
 */
export function scopeWhere(actor: Actor, countyPath = 'countyCode'): Record<string, unknown> {
  if (!isScoped(actor)) return {};
  const ors: Record<string, unknown>[] = [];
  if (actor.countyCodes.length) ors.push({ [countyPath]: { $in: [...actor.countyCodes] } });
  for (const p of actor.provinceCodes) ors.push({ [countyPath]: { $like: `${p}%` } });
  return ors.length === 1 ? ors[0]! : { $or: ors };
}

/** Combines a filter with the actor's scope without either overwriting the other. */
export function withScope<W extends object>(where: W, actor: Actor, countyPath = 'countyCode'): W {
  if (!isScoped(actor)) return where;
  return { $and: [where, scopeWhere(actor, countyPath)] } as unknown as W;
}

/** The same for raw SQL: returns a condition and appends its parameters. */
export function scopeSql(actor: Actor, column: string, params: unknown[]): string {
  if (!isScoped(actor)) return 'true';
  const parts: string[] = [];
  if (actor.countyCodes.length) {
    params.push([...actor.countyCodes]);
    parts.push(`${column} = any($${params.length}::text[])`);
  }
  if (actor.provinceCodes.length) {
    params.push([...actor.provinceCodes]);
    parts.push(`left(${column}, 2) = any($${params.length}::text[])`);
  }
  return `(${parts.join(' or ')})`;
}
