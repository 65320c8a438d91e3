import 'reflect-metadata';
import type { Server } from 'node:http';
import { createRuntime } from './app/runtime';
import { ConfigError } from './config/config';
import { migrateUp } from './db/migrate';
import { Role } from './modules/auth/api-token.entity';
import { SYSTEM_ACTOR } from './modules/auth/actor';
import { createApp } from './server/app';
import { logger } from './shared/logger';

const USAGE = `usage: node dist/src/main.js <command>
  api                     serve the GraphQL API
  worker                  run the background workers
  migrate                 apply pending migrations
  create-admin-token [n]  create an ADMIN token and print its secret once
  seed-demo               load the demo data when the database has no programme yet`;

async function serveApi(): Promise<void> {
  const rt = await createRuntime();
  const { app, apollo } = await createApp({ config: rt.config, orm: rt.orm, services: rt.services });
  const server: Server = app.listen(rt.config.PORT, rt.config.HOST, () => {
    logger.info({ url: `http://${rt.config.HOST}:${rt.config.PORT}/graphql` }, 'API listening');
  });
  server.keepAliveTimeout = 65_000;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'API shutting down: no new requests, finishing in-flight ones');
    server.close();
    server.closeIdleConnections();
    await apollo.stop();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'api':
      return serveApi();
    case 'worker': {
      const { runWorkers } = await import('../jobs/worker');
      return runWorkers();
    }
    case 'migrate': {
      const rt = await createRuntime();
      try {
        const applied = await migrateUp(rt.orm);
        logger.info({ applied }, applied.length ? 'migrations applied' : 'migrations current');
      } finally {
        await rt.close();
      }
      return;
    }
    case 'create-admin-token': {
      const rt = await createRuntime();
      try {
        const { secret } = await rt.services.tokens.create(rt.orm.em.fork(), SYSTEM_ACTOR, {
          name: args[0] ?? 'first admin',
          role: Role.ADMIN,
        });
        process.stdout.write(`${secret}\n`);
      } finally {
        await rt.close();
      }
      return;
    }
    case 'seed-demo': {
      const rt = await createRuntime();
      try {
        const { seedDemo } = await import('./seed');
        const result = await seedDemo(rt.orm.em.fork(), { audit: rt.services.audit });
        logger.info(
          result,
          result.seeded ? 'demo data loaded' : 'demo data skipped: the database already has a programme',
        );
      } finally {
        await rt.close();
      }
      return;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exit(command ? 2 : 0);
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  logger.fatal({ err }, 'fatal');
  process.exit(1);
});
