/**
 * Numbers a query's `?` placeholders (MikroORM/knex style) `$from`, `$from+1`, … in order, for
 * `pg`. Only for SQL whose sole `?` characters are placeholders (no jsonb `?` operators).
 */
export function positional(sql: string, from = 1): string {
  let n = from;
  return sql.replace(/\?/g, () => `$${n++}`);
}
