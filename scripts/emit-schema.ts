/** Writes schema/schema.graphql from the code (`--check`: fail when it differs instead). */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printPillarSchema } from '../src/graphql/schema';

async function main(): Promise<void> {
  const file = join(__dirname, '..', '..', 'schema', 'schema.graphql').replace(/dist[/\\]schema/, 'schema');
  const target = process.env.SCHEMA_FILE ?? file;
  const sdl = await printPillarSchema();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(target, 'utf8');
    if (committed !== sdl) {
      console.error('schema drift: schema/schema.graphql differs from the code; run `npm run schema:emit`');
      process.exit(1);
    }
    console.log('schema check: schema/schema.graphql matches the code');
    return;
  }
  writeFileSync(target, sdl);
  console.log(`wrote ${target}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
