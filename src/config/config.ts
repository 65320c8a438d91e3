import { z } from 'zod';

/**
 * Configuration comes from environment variables, parsed once and validated at start.
 * Every problem is reported in one message so an operator fixes them all in one go.
 * `.env.example` lists every variable with its default.
 */
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** PostgreSQL URL. Unset: `npm start` runs an embedded PostgreSQL under .data/ and sets it. */
  DATABASE_URL: z.string().url().optional(),
  DB_POOL_MAX: positiveInt.default(10),
  /** Redis URL for the queues. Unset: BullMQ's PostgreSQL backend in the same database. */
  REDIS_URL: z.string().url().optional(),
  /** Prefix of every queue key (Redis) or queue name space (PostgreSQL); wrapped in a hash tag for Redis Cluster. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('pillar'),
  WORKER_CONCURRENCY: positiveInt.default(4),
  /** Worker process: serve Prometheus metrics (job durations) on this port; unset = not served. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Run the repeatable schedules (daily sweep, settlement) from this worker process. */
  SCHEDULER_ENABLED: boolish.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HMAC-SHA-256 key for national-ID look-up hashes, base64 of at least 32 bytes. */
  PII_HMAC_KEY: z.string().optional(),
  /** AES-256-GCM keyring for national IDs: `keyId:base64key[,keyId:base64key…]`. */
  PII_ENC_KEYS: z.string().optional(),
  /** The key id new ciphertexts are written with; default the first of PII_ENC_KEYS. */
  PII_ENC_ACTIVE_KEY: z.string().optional(),
  /** Where local development keeps generated secrets (never in production). */
  DATA_DIR: z.string().default('.data'),
  BODY_LIMIT: z.string().default('2mb'),
  MAX_QUERY_DEPTH: positiveInt.default(12),
  MAX_QUERY_COST: positiveInt.default(20000),
  MAX_BATCH_OPERATIONS: positiveInt.default(10),
  /** Time zone of business dates (coverage periods, due dates). */
  BUSINESS_TZ: z.string().default('Asia/Shanghai'),
  /** Upper bound on a roster upload, bytes. */
  UPLOAD_LIMIT_BYTES: positiveInt.default(512 * 1024 * 1024),
  UPLOAD_DIR: z.string().optional(),
  /** Serve the offline GraphQL explorer at /explorer; default on outside production. */
  EXPLORER_ENABLED: boolish.optional(),
});

export type Config = z.infer<typeof schema> & {
  isProduction: boolean;
  uploadDir: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const cfg = parsed.data;
  const problems: string[] = [];
  if (cfg.NODE_ENV === 'production') {
    if (!cfg.DATABASE_URL) problems.push('DATABASE_URL: required in production');
    if (!cfg.PII_HMAC_KEY) problems.push('PII_HMAC_KEY: required in production (base64, ≥ 32 bytes)');
    if (!cfg.PII_ENC_KEYS) problems.push('PII_ENC_KEYS: required in production (keyId:base64key,…)');
  }
  if (cfg.PII_HMAC_KEY && Buffer.from(cfg.PII_HMAC_KEY, 'base64').length < 32) {
    problems.push('PII_HMAC_KEY: must be base64 of at least 32 bytes');
  }
  if (cfg.PII_ENC_KEYS) {
    for (const part of cfg.PII_ENC_KEYS.split(',')) {
      const [id, key] = part.split(':');
      if (!id || !key || Buffer.from(key, 'base64').length !== 32) {
        problems.push(`PII_ENC_KEYS: entry "${id ?? ''}" must be keyId:base64 of exactly 32 bytes`);
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    ...cfg,
    isProduction: cfg.NODE_ENV === 'production',
    uploadDir: cfg.UPLOAD_DIR ?? `${cfg.DATA_DIR}/uploads`,
  };
}
