/**
 * The fixed PII keys of the bench data set. Everything in a bench database is synthetic, so
 * the keys are derived from public strings: anyone can rebuild the same data, and a product
 * process benchmarked against the bench database must run with `benchPiiEnv()` so its
 * look-up hashes match the generated ones.
 */
import { createHash } from 'node:crypto';
import type { PiiKey } from '../../src/modules/enrollment/pii-crypto';

export interface BenchKeys {
  hmacKey: Buffer;
  encKey: PiiKey;
}

export function benchKeys(): BenchKeys {
  return {
    hmacKey: createHash('sha256').update('pillar-bench/pii-hmac/v1').digest(),
    encKey: { id: 'bench1', key: createHash('sha256').update('pillar-bench/pii-aes/v1').digest() },
  };
}

/** Environment for a product process (API, worker) that reads the bench database. */
export function benchPiiEnv(): Record<'PII_HMAC_KEY' | 'PII_ENC_KEYS' | 'PII_ENC_ACTIVE_KEY', string> {
  const k = benchKeys();
  return {
    PII_HMAC_KEY: k.hmacKey.toString('base64'),
    PII_ENC_KEYS: `${k.encKey.id}:${k.encKey.key.toString('base64')}`,
    PII_ENC_ACTIVE_KEY: k.encKey.id,
  };
}
