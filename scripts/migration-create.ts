/**
 * Writes a new migration from the difference between the entities and the migration
 * snapshot: `npm run migration:create -- [--initial] [name]`. Add the new class to
 * migrations/index.ts afterwards.
 */
import { createOrm } from '../src/db/orm';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const initial = args.includes('--initial');
  const name = args.find((a) => !a.startsWith('--'));
  const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/pillar_dev';
  const orm = await createOrm({ url });
  try {
    const result = await orm.getMigrator().createMigration('migrations', false, initial, name);
    console.log(result.fileName ? `wrote migrations/${result.fileName}` : 'no changes');
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
