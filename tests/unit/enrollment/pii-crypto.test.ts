import { createHmac } from 'node:crypto';
import {
  decryptId,
  encryptId,
  keyIdOf,
  lookupHash,
  PiiCryptoError,
  type PiiCryptoProblem,
} from '../../../src/modules/enrollment/pii-crypto';

// Fixed test keys: deterministic, obviously not secrets.
const KEY_2024 = Buffer.alloc(32, 0x24);
const KEY_2025 = Buffer.alloc(32, 0x25);
const HMAC_KEY = Buffer.alloc(32, 0x48);
const ID = '11010519491231002X';
const OTHER_ID = '513432199001010013';

function expectProblem(fn: () => unknown, problem: PiiCryptoProblem): PiiCryptoError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PiiCryptoError);
    expect((err as PiiCryptoError).problem).toBe(problem);
    expect((err as Error).message).not.toContain(ID);
    return err as PiiCryptoError;
  }
  throw new Error(`expected a PiiCryptoError ${problem}, nothing was thrown`);
}

/** Replaces one base64url character with a different one that changes the decoded bytes. */
function flipChar(s: string, index: number): string {
  const c = s[index]!;
  const replacement = c === 'A' ? 'Q' : 'A'; // 'A'=0 vs 'Q'=16: differs in a high bit, never only padding
  return s.slice(0, index) + replacement + s.slice(index + 1);
}

describe('lookupHash', () => {
  it('is HMAC-SHA-256 of the normalised ID under the key', () => {
    const expected = createHmac('sha256', HMAC_KEY).update(ID).digest();
    const hash = lookupHash(ID, HMAC_KEY);
    expect(hash).toHaveLength(32);
    expect(hash.equals(expected)).toBe(true);
  });

  it('is deterministic and key-dependent', () => {
    expect(lookupHash(ID, HMAC_KEY).equals(lookupHash(ID, HMAC_KEY))).toBe(true);
    expect(lookupHash(ID, HMAC_KEY).equals(lookupHash(OTHER_ID, HMAC_KEY))).toBe(false);
    expect(lookupHash(ID, HMAC_KEY).equals(lookupHash(ID, Buffer.alloc(32, 0x49)))).toBe(false);
  });

  it.each(['11010519491231002x', ' 11010519491231002X', '110105491231002', ''])(
    'refuses the un-normalised %j (its hash would never be found)',
    (bad) => {
      expectProblem(() => lookupHash(bad, HMAC_KEY), 'BAD_INPUT');
    },
  );

  it('refuses a key shorter than 32 bytes', () => {
    expectProblem(() => lookupHash(ID, Buffer.alloc(16, 1)), 'BAD_KEY');
  });
});

describe('encryptId / decryptId', () => {
  const keyring = new Map([
    ['k2024', KEY_2024],
    ['k2025', KEY_2025],
  ]);

  it('round-trips', () => {
    const sealed = encryptId(ID, { id: 'k2025', key: KEY_2025 });
    expect(decryptId(sealed, keyring)).toBe(ID);
    expect(decryptId(encryptId(OTHER_ID, { id: 'k2024', key: KEY_2024 }), keyring)).toBe(OTHER_ID);
  });

  it('accepts a plain record as the keyring', () => {
    const sealed = encryptId(ID, { id: 'k2024', key: KEY_2024 });
    expect(decryptId(sealed, { k2024: KEY_2024 })).toBe(ID);
  });

  it('produces the compact v1.<keyId>.<iv>.<tag>.<data> form without the plain ID', () => {
    const sealed = encryptId(ID, { id: 'k2025', key: KEY_2025 });
    expect(sealed).toMatch(/^v1\.k2025\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{24}$/);
    expect(sealed).not.toContain(ID);
    expect(keyIdOf(sealed)).toBe('k2025');
  });

  it('two encryptions of the same ID differ, but the look-up hash is the same', () => {
    const a = encryptId(ID, { id: 'k2025', key: KEY_2025 });
    const b = encryptId(ID, { id: 'k2025', key: KEY_2025 });
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]); // fresh IV each time
    expect(decryptId(a, keyring)).toBe(ID);
    expect(decryptId(b, keyring)).toBe(ID);
    expect(
      lookupHash(decryptId(a, keyring), HMAC_KEY).equals(lookupHash(decryptId(b, keyring), HMAC_KEY)),
    ).toBe(true);
  });

  it('keeps old values readable after rotation, as long as the old key stays in the keyring', () => {
    const old = encryptId(ID, { id: 'k2024', key: KEY_2024 });
    const fresh = encryptId(ID, { id: 'k2025', key: KEY_2025 });
    expect(keyIdOf(old)).toBe('k2024');
    expect(keyIdOf(fresh)).toBe('k2025');
    expect(decryptId(old, keyring)).toBe(ID);
    expect(decryptId(fresh, keyring)).toBe(ID);
  });

  it('throws UNKNOWN_KEY_ID, naming the key id, when the key is not in the keyring', () => {
    const sealed = encryptId(ID, { id: 'k2023', key: Buffer.alloc(32, 0x23) });
    const err = expectProblem(() => decryptId(sealed, keyring), 'UNKNOWN_KEY_ID');
    expect(err.message).toContain('k2023');
  });

  it('does not find inherited properties of a record keyring', () => {
    const sealed = encryptId(ID, { id: 'constructor', key: KEY_2024 });
    expectProblem(() => decryptId(sealed, {}), 'UNKNOWN_KEY_ID');
  });

  it('throws TAMPERED when the key under a known id is the wrong one', () => {
    const sealed = encryptId(ID, { id: 'k2025', key: KEY_2024 });
    expectProblem(() => decryptId(sealed, keyring), 'TAMPERED');
  });

  describe('tampering is detected', () => {
    const sealed = encryptId(ID, { id: 'k2025', key: KEY_2025 });
    const [version, keyId, iv, tag, data] = sealed.split('.') as [string, string, string, string, string];

    it.each([
      ['the ciphertext', [version, keyId, iv, tag, flipChar(data, 0)]],
      ['the ciphertext (last character)', [version, keyId, iv, tag, flipChar(data, data.length - 1)]],
      ['the tag', [version, keyId, iv, flipChar(tag, 0), data]],
      ['the IV', [version, keyId, flipChar(iv, 3), tag, data]],
    ])('in %s → TAMPERED', (_label, parts) => {
      expectProblem(() => decryptId(parts.join('.'), keyring), 'TAMPERED');
    });

    it('relabelling with another known key id → TAMPERED (the header is authenticated)', () => {
      const relabelled = [version, 'k2024', iv, tag, data].join('.');
      expectProblem(() => decryptId(relabelled, keyring), 'TAMPERED');
      // Even if the attacker also holds the value's real key under the new label:
      expectProblem(() => decryptId(relabelled, { k2024: KEY_2025 }), 'TAMPERED');
    });

    it('a truncated ciphertext → TAMPERED', () => {
      const shorter = Buffer.from(data, 'base64url').subarray(0, 17).toString('base64url');
      expectProblem(() => decryptId([version, keyId, iv, tag, shorter].join('.'), keyring), 'TAMPERED');
    });

    it('a non-canonical base64 spelling of the same bytes → MALFORMED, not silently accepted', () => {
      // The tag is 16 bytes = 22 characters; the last carries 4 unused bits.
      const last = tag[tag.length - 1]!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
      const respelled = [version, keyId, iv, tag.slice(0, -1) + sibling, data].join('.');
      expectProblem(() => decryptId(respelled, keyring), 'MALFORMED');
    });
  });

  it.each([
    ['empty', ''],
    ['plain text', ID],
    ['too few parts', 'v1.k2025.abc'],
    ['too many parts', 'v1.k2025.a.b.c.d'],
    ['another version', 'v2.k2025.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
    ['a bad key id', 'v1.k 2025.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
    ['a short IV', 'v1.k2025.AAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
    ['a short tag', 'v1.k2025.AAAAAAAAAAAAAAAA.AAAA.AAAA'],
    ['no data', 'v1.k2025.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.'],
    ['standard base64 characters', 'v1.k2025.AAAAAAAAAAAAAAA+.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
  ])('MALFORMED for %s', (_label, value) => {
    expectProblem(() => decryptId(value, keyring), 'MALFORMED');
    expectProblem(() => keyIdOf(value), 'MALFORMED');
  });

  it('refuses un-normalised IDs, bad key ids and wrong-size keys when encrypting', () => {
    expectProblem(() => encryptId('11010519491231002x', { id: 'k2025', key: KEY_2025 }), 'BAD_INPUT');
    expectProblem(() => encryptId(ID, { id: 'k.2025', key: KEY_2025 }), 'BAD_KEY');
    expectProblem(() => encryptId(ID, { id: '', key: KEY_2025 }), 'BAD_KEY');
    expectProblem(() => encryptId(ID, { id: 'k2025', key: Buffer.alloc(16) }), 'BAD_KEY');
    expectProblem(() => encryptId(ID, { id: 'k2025', key: Buffer.alloc(33) }), 'BAD_KEY');
  });

  it('refuses a wrong-size key in the keyring when decrypting', () => {
    const sealed = encryptId(ID, { id: 'k2025', key: KEY_2025 });
    expectProblem(() => decryptId(sealed, { k2025: Buffer.alloc(16) }), 'BAD_KEY');
  });
});
