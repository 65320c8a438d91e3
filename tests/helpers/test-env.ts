/** Names and URLs shared by the jest global setup and the per-worker harness. */
export const ADMIN_DB_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function runId(): string {
  const id = process.env.PILLAR_TEST_RUN;
  if (!id) throw new Error('PILLAR_TEST_RUN is not set: run the tests through jest (global setup)');
  return id;
}

export const templateDb = (): string => `pillar_t_${runId()}_tpl`;
export const workerDb = (): string => `pillar_t_${runId()}_w${process.env.JEST_WORKER_ID ?? '0'}`;

export function dbUrl(name: string): string {
  const u = new URL(ADMIN_DB_URL);
  u.pathname = `/${name}`;
  return u.toString();
}
