import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122173759 } from './Migration20261122173759';
import { Migration20261122180902 } from './Migration20261122180902';
import { Migration20261122181513 } from './Migration20261122181513';
import { Migration20261122182801 } from './Migration20261122182801';
import { Migration20261122182853 } from './Migration20261122182853';
import { Migration20261122184056 } from './Migration20261122184056';
import { Migration20261122203000 } from './Migration20261122203000';
import { Migration20261122210000 } from './Migration20261122210000';

/**
 * Every migration, in order. Listed explicitly so the same build runs them from source
 * (tests) and compiled (production) without globbing. Never edit a landed migration.
 */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122173759', class: Migration20261122173759 },
  { name: 'Migration20261122180902', class: Migration20261122180902 },
  { name: 'Migration20261122181513', class: Migration20261122181513 },
  { name: 'Migration20261122182801', class: Migration20261122182801 },
  { name: 'Migration20261122182853', class: Migration20261122182853 },
  { name: 'Migration20261122184056', class: Migration20261122184056 },
  { name: 'Migration20261122203000', class: Migration20261122203000 },
  { name: 'Migration20261122210000', class: Migration20261122210000 },
];
