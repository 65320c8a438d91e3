import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Crypto for national IDs (spec: "Personal data"). An ID is never stored in plain text:
 *
 * - `lookupHash`: HMAC-SHA-256 under a server secret — deterministic, so it backs the unique
 *   index and the look-up; a plain SHA-256 would not do, since 18-digit IDs with a known
 *   structure are cheap to enumerate.
 * - `encryptId`: AES-256-GCM with a random 96-bit IV, for the rare audited reveal. The key id
 *   travels inside the value so keys can be rotated: old rows stay readable as long as their
 *   key remains in the keyring.
 *
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>`, each binary part base64url without padding.
 * The header `v1.<keyId>` is bound as additional authenticated data, so a value cannot be
 * relabelled with another version or key id without failing authentication. We do not bind
 * the row or the ID itself: decrypting would then need what we are trying to recover.
 *
 * Both functions take only the normalised ID (18 characters, upper-case X, as returned by
 * parseNationalId) and refuse anything else: hashing an un-normalised value would silently
 * produce a hash no look-up ever finds.
 *
 * Errors never contain the ID, a key, or the ciphertext.
 */

export type PiiKey = { id: string; key: Buffer };
export type Keyring = ReadonlyMap<string, Buffer> | Readonly<Record<string, Buffer>>;

export type PiiCryptoProblem = 'MALFORMED' | 'UNKNOWN_KEY_ID' | 'TAMPERED' | 'BAD_KEY' | 'BAD_INPUT';

export class PiiCryptoError extends Error {
  constructor(
    readonly problem: PiiCryptoProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PiiCryptoError';
  }
}

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MIN_HMAC_KEY_BYTES = 32;
/** Key ids appear in the dotted format, so no dots; short and boring keeps them safe in logs. */
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;
const NORMALISED_ID = /^\d{17}[\dX]$/;

export function lookupHash(normalisedId: string, hmacKey: Buffer): Buffer {
  assertNormalisedId(normalisedId);
  if (hmacKey.length < MIN_HMAC_KEY_BYTES) {
    throw new PiiCryptoError('BAD_KEY', `the look-up HMAC key must be at least ${MIN_HMAC_KEY_BYTES} bytes`);
  }
  return createHmac('sha256', hmacKey).update(normalisedId, 'utf8').digest();
}

export function encryptId(normalisedId: string, key: PiiKey): string {
  assertNormalisedId(normalisedId);
  assertKeyId(key.id);
  assertAesKey(key.key, key.id);
  const header = `${VERSION}.${key.id}`;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(header, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(normalisedId, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [header, b64url(iv), b64url(tag), b64url(ciphertext)].join('.');
}

export function decryptId(value: string, keyring: Keyring): string {
  const parts = split(value);
  const key = keyFrom(keyring, parts.keyId);
  if (!key) {
    throw new PiiCryptoError('UNKNOWN_KEY_ID', `no key with id "${parts.keyId}" in the keyring`);
  }
  assertAesKey(key, parts.keyId);
  let plain: string;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`${VERSION}.${parts.keyId}`, 'utf8'));
    decipher.setAuthTag(parts.tag);
    plain = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // Node reports "Unsupported state or unable to authenticate data"; say what it means.
    throw new PiiCryptoError(
      'TAMPERED',
      `the encrypted ID failed authentication (altered, or encrypted under a different key "${parts.keyId}")`,
    );
  }
  if (!NORMALISED_ID.test(plain)) {
    // Authentic but not an ID: only possible if something else was encrypted under our key.
    throw new PiiCryptoError('MALFORMED', 'the decrypted value is not a national ID');
  }
  return plain;
}

/** The key id a value was encrypted under, e.g. to find rows still on a retired key. */
export function keyIdOf(value: string): string {
  return split(value).keyId;
}

interface Parts {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function split(value: string): Parts {
  const fields = value.split('.');
  if (fields.length !== 5 || fields[0] !== VERSION) {
    throw new PiiCryptoError(
      'MALFORMED',
      `not an encrypted ID in the ${VERSION}.<keyId>.<iv>.<tag>.<data> form`,
    );
  }
  const [, keyId, iv64, tag64, data64] = fields as [string, string, string, string, string];
  if (!KEY_ID.test(keyId) || ![iv64, tag64, data64].every((f) => B64URL.test(f))) {
    throw new PiiCryptoError('MALFORMED', 'the encrypted ID has an invalid key id or encoding');
  }
  const iv = Buffer.from(iv64, 'base64url');
  const tag = Buffer.from(tag64, 'base64url');
  const ciphertext = Buffer.from(data64, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES || ciphertext.length === 0) {
    throw new PiiCryptoError('MALFORMED', 'the encrypted ID has a wrong IV, tag or data length');
  }
  // Base64 decoding ignores the unused low bits of the last character, so two different
  // strings can carry the same bytes. Only the canonical spelling is accepted: one value,
  // one string, and an edit anywhere in the string is an error rather than a silent no-op.
  if (b64url(iv) !== iv64 || b64url(tag) !== tag64 || b64url(ciphertext) !== data64) {
    throw new PiiCryptoError('MALFORMED', 'the encrypted ID is not canonically encoded (altered?)');
  }
  return { keyId, iv, tag, ciphertext };
}

function keyFrom(keyring: Keyring, keyId: string): Buffer | undefined {
  if (keyring instanceof Map) return keyring.get(keyId);
  const record = keyring as Readonly<Record<string, Buffer>>;
  // Own properties only: a key id such as "constructor" must not find Object.prototype's.
  return Object.hasOwn(record, keyId) ? record[keyId] : undefined;
}

function assertNormalisedId(value: string): void {
  if (!NORMALISED_ID.test(value)) {
    throw new PiiCryptoError('BAD_INPUT', 'expected a normalised 18-character national ID (upper-case X)');
  }
}

function assertKeyId(keyId: string): void {
  if (!KEY_ID.test(keyId)) {
    throw new PiiCryptoError('BAD_KEY', 'a key id is 1–64 characters of A-Z, a-z, 0-9, "_" or "-"');
  }
}

function assertAesKey(key: Buffer, keyId: string): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new PiiCryptoError('BAD_KEY', `key "${keyId}" must be exactly ${KEY_BYTES} bytes for AES-256-GCM`);
  }
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}
