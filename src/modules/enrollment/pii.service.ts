import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../../config/config';
import { logger } from '../../shared/logger';
import { maskName, maskNationalId } from './masking';
import { decryptId, encryptId, keyIdOf, lookupHash, type PiiKey } from './pii-crypto';

export interface PiiKeys {
  hmacKey: Buffer;
  keyring: Map<string, Buffer>;
  activeKeyId: string;
}

/**
 * Keys from the configuration. Outside production, missing keys are generated for this
 * process only (with a warning): data written with them is unreadable after a restart, which
 * is why `npm start` keeps generated keys in `.data/keys.json` and passes them in.
 */
export function piiKeysFromConfig(
  config: Pick<Config, 'PII_HMAC_KEY' | 'PII_ENC_KEYS' | 'PII_ENC_ACTIVE_KEY' | 'isProduction'>,
): PiiKeys {
  if (!config.PII_HMAC_KEY || !config.PII_ENC_KEYS) {
    if (config.isProduction) throw new Error('PII keys are required in production');
    logger.warn('PII_HMAC_KEY/PII_ENC_KEYS not set: using ephemeral keys for this process only');
  }
  const hmacKey = config.PII_HMAC_KEY ? Buffer.from(config.PII_HMAC_KEY, 'base64') : randomBytes(32);
  const keyring = new Map<string, Buffer>();
  for (const part of (config.PII_ENC_KEYS ?? `ephemeral:${randomBytes(32).toString('base64')}`).split(',')) {
    const [id, key] = part.split(':');
    keyring.set(id!, Buffer.from(key!, 'base64'));
  }
  const activeKeyId = config.PII_ENC_ACTIVE_KEY ?? [...keyring.keys()][0]!;
  if (!keyring.has(activeKeyId))
    throw new Error(`PII_ENC_ACTIVE_KEY "${activeKeyId}" is not in PII_ENC_KEYS`);
  return { hmacKey, keyring, activeKeyId };
}

/** National-ID protection with the process's keys: look-up hash, encryption, masking. */
export class PiiService {
  constructor(private readonly keys: PiiKeys) {}

  get activeKeyId(): string {
    return this.keys.activeKeyId;
  }

  hash(normalisedId: string): Buffer {
    return lookupHash(normalisedId, this.keys.hmacKey);
  }

  encrypt(normalisedId: string): { ciphertext: string; keyId: string } {
    const key: PiiKey = { id: this.keys.activeKeyId, key: this.keys.keyring.get(this.keys.activeKeyId)! };
    return { ciphertext: encryptId(normalisedId, key), keyId: key.id };
  }

  decrypt(ciphertext: string): string {
    return decryptId(ciphertext, this.keys.keyring);
  }

  keyIdOf(ciphertext: string): string {
    return keyIdOf(ciphertext);
  }

  maskId(normalisedId: string): string {
    return maskNationalId(normalisedId);
  }

  maskName(name: string): string {
    return maskName(name);
  }

  /**
   * Encrypts a secret the server must read back (e.g. a webhook signing secret) under the
   * active key: AES-256-GCM, `s1.<keyId>.<iv>.<tag>.<data>` (base64url), header bound as AAD.
   * The `s1` version keeps these apart from encrypted national IDs (`v1`): neither decrypts
   * as the other.
   */
  encryptSecret(plain: string): string {
    const keyId = this.keys.activeKeyId;
    const header = `${SECRET_VERSION}.${keyId}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.keyring.get(keyId)!, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(header, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      header,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  /** Reverses `encryptSecret` with whichever keyring key it names. Errors never echo the value. */
  decryptSecret(value: string): string {
    const [version, keyId, iv, tag, data, ...rest] = value.split('.');
    if (version !== SECRET_VERSION || !keyId || !iv || !tag || data === undefined || rest.length) {
      throw new Error(`not an encrypted secret in the ${SECRET_VERSION}.<keyId>.<iv>.<tag>.<data> form`);
    }
    const key = this.keys.keyring.get(keyId);
    if (!key) throw new Error(`no key with id "${keyId}" in the keyring`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
        authTagLength: 16,
      });
      decipher.setAAD(Buffer.from(`${SECRET_VERSION}.${keyId}`, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
      return plain.toString('utf8');
    } catch {
      throw new Error(
        `the encrypted secret failed authentication (altered, or not encrypted under key "${keyId}")`,
      );
    }
  }
}

const SECRET_VERSION = 's1';
