/**
 * The product API for the `claims` benchmark, run as its own process as in production (the
 * clients are never in the server's event loop): the product's runtime and HTTP app on the
 * bench database with the bench keys — with one difference, a clock fixed at `BENCH_NOW`, so
 * the claims fall inside the 2020 programme year's filing window.
 */
import { createRuntime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config/config';
import { createOrm } from '../../src/db/orm';
import { createApp } from '../../src/server/app';
import { FixedClock } from '../../src/shared/clock';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const orm = await createOrm({ url: process.env.DATABASE_URL!, poolMax: config.DB_POOL_MAX });
  const rt = await createRuntime({ config, clock: new FixedClock(new Date(process.env.BENCH_NOW!)), orm });
  const { app } = await createApp({ config, orm, services: rt.services });
  const server = app.listen(config.PORT, '127.0.0.1');
  const stop = (): void => {
    server.closeAllConnections();
    server.close(() => void rt.close().then(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
