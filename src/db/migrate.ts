import type { Orm } from './orm';

/** Applies pending migrations; returns their names. */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}

/** True when the entities and the migrations disagree (a migration is missing). */
export async function migrationNeeded(orm: Orm): Promise<boolean> {
  return orm.getMigrator().checkMigrationNeeded();
}

/** Names of migrations not yet applied (readiness check). */
export async function pendingMigrations(orm: Orm): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
