import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122173759 } from './Migration20261122173759';

/**
 * Every migration, in order. Listed explicitly so the same build runs them from source
 * (tests) and compiled (production) without globbing. Never edit a landed migration.
 */
export const MIGRATIONS: MigrationObject[] = [{ name: 'Migration20261122173759', class: Migration20261122173759 }];
