import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeCursor, pageSize, toConnection, type Connection, type PageInput } from '../graphql/connection';
import { badInput } from '../shared/errors';

export interface PaginateOptions<T> {
  /** The unique sort key the cursor carries (default `id`). */
  key?: keyof T & string;
  order?: 'asc' | 'desc';
  /** The key is numeric (default) or text (e.g. a county code). */
  keyType?: 'number' | 'string';
  populate?: FindOptions<T>['populate'];
}

/**
 * One page of a Relay connection by keyset pagination on a unique key: `first` rows after
 * the cursor's key, plus one to know whether more follow, and the total under the filter.
 */
export async function paginate<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  page: PageInput | undefined,
  opts: PaginateOptions<T> = {},
): Promise<Connection<T>> {
  const key = opts.key ?? ('id' as keyof T & string);
  const order = opts.order ?? 'asc';
  const limit = pageSize(page);
  let after: string | number | undefined;
  if (page?.after) {
    const raw = decodeCursor(page.after);
    after = opts.keyType === 'string' ? raw : Number(raw);
    if (typeof after === 'number' && !Number.isSafeInteger(after))
      throw badInput('page.after', 'not a cursor of this list');
  }
  const totalCount = await em.count(entity, where);
  const pageWhere =
    after === undefined
      ? where
      : ({ $and: [where, { [key]: { [order === 'asc' ? '$gt' : '$lt']: after } }] } as FilterQuery<T>);
  const rows = await em.find(entity, pageWhere, {
    orderBy: { [key]: order } as FindOptions<T>['orderBy'],
    limit: limit + 1,
    ...(opts.populate ? { populate: opts.populate } : {}),
  });
  return toConnection(
    rows,
    limit,
    totalCount,
    (r) => (r as Record<string, string | number>)[key]!,
    (r) => r,
    after !== undefined,
  );
}
