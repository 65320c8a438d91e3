import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import type { PiiKey } from './pii-crypto';

/**
 * The import's hot path for national-ID crypto: exactly what pii-crypto's `lookupHash` and
 * `encryptId` produce (HMAC-SHA-256; `v1.<keyId>.<iv>.<tag>.<data>` AES-256-GCM with the header
 * as AAD), without their per-call overhead — IVs are drawn from the CSPRNG 2,048 at a time,
 * the header and AAD are built once per key, and the input checks are left to the caller,
 * which passes only IDs parseNationalId has normalised. About half the cost per row, and the
 * crypto is most of an import's CPU (performance.md). tests/unit/roster-parse.test.ts checks
 * both outputs against pii-crypto (decryptId, lookupHash) so the two cannot drift apart.
 *
 * Every IV is still fresh random bytes used once: a pooled block is sliced, never reused.
 */
export class RowCrypto {
  private readonly header: string;
  private readonly aad: Buffer;
  private pool: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(
    private readonly hmacKey: Buffer,
    private readonly encKey: PiiKey,
  ) {
    if (hmacKey.length < 32) throw new Error('the look-up HMAC key must be at least 32 bytes');
    if (encKey.key.length !== 32)
      throw new Error(`key "${encKey.id}" must be exactly 32 bytes for AES-256-GCM`);
    this.header = `v1.${encKey.id}`;
    this.aad = Buffer.from(this.header, 'utf8');
  }

  /** HMAC-SHA-256 of a normalised ID, hex (as `lookupHash(id).toString('hex')`). */
  hashHex(normalisedId: string): string {
    return createHmac('sha256', this.hmacKey).update(normalisedId, 'latin1').digest('hex');
  }

  /** The `v1` ciphertext of a normalised ID (as `encryptId`, a fresh random IV each time). */
  encrypt(normalisedId: string): string {
    if (this.offset === this.pool.length) {
      this.pool = randomBytes(12 * 2048);
      this.offset = 0;
    }
    const iv = this.pool.subarray(this.offset, this.offset + 12);
    this.offset += 12;
    const cipher = createCipheriv('aes-256-gcm', this.encKey.key, iv, { authTagLength: 16 });
    cipher.setAAD(this.aad);
    const data = cipher.update(normalisedId, 'latin1');
    cipher.final();
    return `${this.header}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${data.toString('base64url')}`;
  }
}
