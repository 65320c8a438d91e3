import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import {
  signWebhook,
  SIGNATURE_TOLERANCE_SECONDS,
  validateWebhookUrl,
  verifyWebhookSignature,
  webhookSignatureHex,
} from '../../src/modules/events/webhook.service';
import { assertSafePayload, EventPayloadError } from '../../src/modules/events/event.service';
import { makeNationalId } from '../../src/modules/enrollment/national-id';

// Fixed vector, computed independently with
//   printf '%s' '1583114400.<body>' | openssl dgst -sha256 -hmac 'whsec_test_secret'
const SECRET = 'whsec_test_secret';
const TS = 1583114400; // 2020-03-02T02:00:00Z
const BODY =
  '{"id":"1","type":"CLAIM_STATUS_CHANGED","occurredAt":"2020-03-02T02:00:00.000Z","countyCode":"513432","data":{"claimId":7}}';
const HEX = '0a1a1446292d7a22d59c96537fa6bb2af61e2501b3e928456a0970b3bdfe2dc2';

describe('webhook signature', () => {
  it('is the hex HMAC-SHA-256 of "<t>.<body>" under the secret, as t=…,v1=…', () => {
    expect(webhookSignatureHex(SECRET, TS, BODY)).toBe(HEX);
    expect(signWebhook(SECRET, TS, BODY)).toBe(`t=${TS},v1=${HEX}`);
  });

  it('verifies within the replay window and refuses outside it', () => {
    const header = signWebhook(SECRET, TS, BODY);
    expect(verifyWebhookSignature(SECRET, header, BODY, TS)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, TS + SIGNATURE_TOLERANCE_SECONDS)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, TS - SIGNATURE_TOLERANCE_SECONDS)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, TS + SIGNATURE_TOLERANCE_SECONDS + 1)).toBe(false);
    expect(SIGNATURE_TOLERANCE_SECONDS).toBe(300);
  });

  it('refuses another secret, a changed body, a changed timestamp and malformed headers', () => {
    const header = signWebhook(SECRET, TS, BODY);
    expect(verifyWebhookSignature('whsec_other', header, BODY, TS)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY.replace('"claimId":7', '"claimId":8'), TS)).toBe(
      false,
    );
    expect(verifyWebhookSignature(SECRET, header.replace(`t=${TS}`, `t=${TS + 1}`), BODY, TS)).toBe(false);
    for (const bad of [
      '',
      'v1=' + HEX,
      `t=${TS}`,
      `t=x,v1=${HEX}`,
      `t=${TS},v1=${HEX.toUpperCase()}`,
      `t=${TS},v0=${HEX}`,
    ]) {
      expect({ bad, ok: verifyWebhookSignature(SECRET, bad, BODY, TS) }).toEqual({ bad, ok: false });
    }
  });

  it('accepts a header with several v1 values when one matches (secret rotation)', () => {
    const other = createHmac('sha256', 'whsec_old').update(`${TS}.${BODY}`).digest('hex');
    expect(verifyWebhookSignature(SECRET, `t=${TS},v1=${other},v1=${HEX}`, BODY, TS)).toBe(true);
  });

  it('refuses a timestamp that is not Unix seconds', () => {
    expect(() => signWebhook(SECRET, 1.5, BODY)).toThrow(RangeError);
    expect(() => signWebhook(SECRET, -1, BODY)).toThrow(RangeError);
  });
});

describe('validateWebhookUrl', () => {
  const dev = { production: false };
  const prod = { production: true };
  const fieldOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (err) {
      return (err as { details?: { field?: string } }).details?.field;
    }
    return undefined;
  };

  it('accepts http(s) outside production and normalises', () => {
    expect(validateWebhookUrl(' https://Example.org/hooks?a=1 ', dev)).toBe('https://example.org/hooks?a=1');
    expect(validateWebhookUrl('http://127.0.0.1:8080/x', dev)).toBe('http://127.0.0.1:8080/x');
  });

  it('refuses other schemes, credentials, fragments and garbage (field url)', () => {
    for (const bad of [
      '',
      'example.org/hooks',
      'ftp://example.org/x',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://user:pw@example.org/x',
      'https://user@example.org/x',
      'https://example.org/x#frag',
      `https://example.org/${'a'.repeat(2100)}`,
    ]) {
      expect({ bad, field: fieldOf(() => validateWebhookUrl(bad, dev)) }).toEqual({ bad, field: 'url' });
    }
  });

  it('in production: https only, and no literal internal addresses', () => {
    expect(validateWebhookUrl('https://hooks.example.org/pillar', prod)).toBe(
      'https://hooks.example.org/pillar',
    );
    expect(validateWebhookUrl('https://8.8.8.8/x', prod)).toBe('https://8.8.8.8/x');
    for (const bad of [
      'http://hooks.example.org/pillar',
      'https://localhost/x',
      'https://api.localhost/x',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://172.16.0.1/x',
      'https://192.168.1.1/x',
      'https://169.254.169.254/latest/meta-data',
      'https://0.0.0.0/x',
      'https://[::1]/x',
      'https://[fd00::1]/x',
      'https://[fe80::1]/x',
      'https://[::ffff:127.0.0.1]/x',
    ]) {
      expect({ bad, field: fieldOf(() => validateWebhookUrl(bad, prod)) }).toEqual({ bad, field: 'url' });
    }
  });
});

describe('event payload safety net', () => {
  const id = makeNationalId('513432', '1980-05-17', 123, 'F');
  const idX = makeNationalId('513432', '1980-05-17', 1, 'M').slice(0, 17) + 'X';

  it('refuses a national-ID-shaped string anywhere, without echoing it', () => {
    for (const payload of [
      { nationalId: id },
      { person: { note: `id ${id} here` } },
      { list: [1, 'a', { deep: [id] }] },
      { [id]: true },
      { x: idX.toLowerCase() },
    ]) {
      let err: unknown;
      try {
        assertSafePayload(payload);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EventPayloadError);
      expect((err as Error).message).not.toContain(id);
    }
  });

  it('lets ids, masked IDs and longer numbers through', () => {
    expect(() =>
      assertSafePayload({
        claimId: 7,
        coverageId: '12345',
        maskedId: '513432********1234',
        reference: '1234567890123456789', // 19 digits: not an ID
        at: '2020-03-02T02:00:00.000Z',
        nested: { ok: [true, null, 1.5] },
      }),
    ).not.toThrow();
  });

  it('refuses what is not plain JSON', () => {
    expect(() => assertSafePayload({ at: new Date() })).toThrow(EventPayloadError);
    expect(() => assertSafePayload({ n: Number.NaN })).toThrow(EventPayloadError);
  });
});
