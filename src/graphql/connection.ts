import { ClassType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { badInput } from '../shared/errors';

export const MAX_PAGE_SIZE = 500;

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field({ description: 'True when more items follow this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'True when items precede this page.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of the page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of the page.' })
  endCursor!: string | null;
}

@InputType({ description: 'Forward pagination: at most `first` items after the cursor `after`.' })
export class PageInput {
  @Field(() => Int, { nullable: true, description: 'Page size, 1–500 (default 50).' })
  first?: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the item to start after.' })
  after?: string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds a Relay connection type for a node type. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `An edge to a ${name}.` })
  class EdgeType {
    @Field({ description: 'Opaque cursor of this item.' })
    cursor!: string;

    @Field(() => node, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items.` })
  class ConnectionClass {
    @Field(() => [EdgeType], { description: 'The items of this page with their cursors.' })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Where this page stands.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of items matching the filter, all pages.' })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** Keyset cursors: base64url of the sort key of the last item seen. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(String(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key || encodeCursor(key) !== cursor) throw badInput('page.after', 'not a cursor of this list');
  return key;
}

export function pageSize(page?: PageInput): number {
  const first = page?.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput('page.first', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/** Builds a page from `limit + 1` rows fetched after the cursor. */
export function toConnection<R, T>(
  rows: R[],
  limit: number,
  totalCount: number,
  key: (row: R) => string | number,
  map: (row: R) => T,
  hasPrevious: boolean,
): Connection<T> {
  const page = rows.slice(0, limit);
  const edges = page.map((r) => ({ cursor: encodeCursor(key(r)), node: map(r) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
