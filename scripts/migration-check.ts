/** Exits 1 when the entities need a migration that does not exist (CI drift check). */
import { createOrm } from '../src/db/orm';
import { migrateUp, migrationNeeded } from '../src/db/migrate';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/pillar_migration_check';
  const orm = await createOrm({ url });
  try {
    await migrateUp(orm);
    const needed = await migrationNeeded(orm);
    if (needed) {
      const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
      console.error(`migration check: entities and migrations disagree:\n${diff}`);
      process.exitCode = 1;
    } else {
      console.log('migration check: entities and migrations agree');
    }
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
