import type { CoverageEligibilityResponse, OperationOutcome } from 'fhir/r4';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { seedReferenceData } from '../factories/reference';
import { createDraftContract, createProgramme } from '../factories/contracts';
import { enrollPeople, TEST_HMAC_KEY } from '../factories/people';
import { lookupHash } from '../../src/modules/enrollment/pii-crypto';
import { makeNationalId } from '../../src/modules/enrollment/national-id';
import { REASON_EXTENSION } from '../../src/modules/coverage/fhir';

let h: Harness;
let integration: string;
let integrationId: number;
let covered: { nationalId: string; coverageId: number };
let inDafang: { nationalId: string };

const XIDE = '513432';
const DAFANG = '520521';
const SID = 'urn:oid:2.16.156.10011.1.3';

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  const p = await createProgramme(h, { year: 2020 });
  const mk = async (countyCode: string) => {
    const c = await createDraftContract(h, p, {
      countyCode,
      periodStart: '2020-01-01',
      periodEnd: '2020-12-31',
    });
    await h.sql(
      `update county_contract set status = 'ACTIVE', activated_at = now(), per_capita_premium = 100 where id = $1`,
      [c.id],
    );
    return { id: c.id, programmeYear: 2020, countyCode, periodStart: '2020-01-01', periodEnd: '2020-12-31' };
  };
  const xide = await mk(XIDE);
  const dafang = await mk(DAFANG);
  covered = (
    await enrollPeople(h, xide, [{ countyCode: XIDE, birthDate: '1980-04-04', gender: 'F', name: '张三' }])
  )[0]!;
  inDafang = (
    await enrollPeople(h, dafang, [{ countyCode: DAFANG, birthDate: '1981-04-04', gender: 'M' }])
  )[0]!;
  await h.sql('update coverage set eligible_approved = 30000, benefit_approved = 10000 where id = $1', [
    covered.coverageId,
  ]);
  integration = await h.token(Role.INTEGRATION, { countyCodes: [XIDE] });
  integrationId = (await h.sql<{ id: number }>('select max(id)::int as id from api_token'))[0]!.id;
});
afterAll(async () => h?.close());

function request(nationalId: string, extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'CoverageEligibilityRequest',
    id: 'req-1',
    status: 'active',
    purpose: ['validation', 'benefits'],
    patient: { identifier: { system: SID, value: nationalId } },
    servicedDate: '2020-03-02',
    created: '2020-03-02T10:00:00+08:00',
    insurer: { display: 'Pillar' },
    ...extra,
  };
}

async function post(
  body: unknown,
  opts: { token?: string | null; contentType?: string; path?: string } = {},
) {
  const token = opts.token === undefined ? integration : opts.token;
  const res = await fetch(`${h.url}${opts.path ?? '/fhir/CoverageEligibilityRequest'}`, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/fhir+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(text) as any, text };
}

describe('POST /fhir/CoverageEligibilityRequest', () => {
  it('answers a CoverageEligibilityResponse: in force, benefit period, deductible and benefit money', async () => {
    const res = await post(request(covered.nationalId));
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/fhir\+json/);
    const r = res.body as CoverageEligibilityResponse;
    expect(r).toMatchObject({
      resourceType: 'CoverageEligibilityResponse',
      status: 'active',
      purpose: ['validation', 'benefits'],
      outcome: 'complete',
      servicedDate: '2020-03-02',
      request: { reference: 'CoverageEligibilityRequest/req-1' },
      patient: {
        identifier: {
          system: SID,
          value: `${covered.nationalId.slice(0, 6)}********${covered.nationalId.slice(14)}`,
        },
        display: '张*',
      },
    });
    expect(r.disposition).toMatch(/^Covered on 2020-03-02/);
    const ins = r.insurance![0]!;
    expect(ins.inforce).toBe(true);
    expect(ins.benefitPeriod).toEqual({ start: '2020-01-01', end: '2020-12-31' });
    expect(ins.coverage.identifier?.value).toBe(String(covered.coverageId));
    const benefits = ins.item![0]!.benefit!;
    expect(benefits).toEqual([
      {
        type: { coding: [expect.objectContaining({ code: 'deductible' })] },
        allowedMoney: { value: 10000, currency: 'CNY' },
        usedMoney: { value: 10000, currency: 'CNY' },
      },
      {
        type: { coding: [expect.objectContaining({ code: 'benefit' })] },
        allowedMoney: { value: 150000, currency: 'CNY' },
        usedMoney: { value: 10000, currency: 'CNY' },
      },
    ]);
    // The plain ID is never echoed.
    expect(res.text).not.toContain(covered.nationalId);
  });

  it('takes the $check alias, the request identifier, application/json, servicedPeriod and a default date', async () => {
    const body = request(covered.nationalId, {
      patient: { reference: 'Patient/1' },
      identifier: [{ value: covered.nationalId }],
    });
    delete (body as Record<string, unknown>).servicedDate;
    const res = await post(body, {
      path: '/fhir/CoverageEligibilityRequest/$check',
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    expect(res.body.servicedDate).toBe('2020-03-02'); // today, China time
    expect(res.body.insurance[0].inforce).toBe(true);
    const period = await post(
      request(covered.nationalId, {
        servicedDate: undefined,
        servicedPeriod: { start: '2021-02-01T08:00:00+08:00' },
      }),
    );
    expect(period.body.insurance[0]).toMatchObject({
      inforce: false,
      extension: [{ url: REASON_EXTENSION, valueCode: 'EXPIRED' }],
    });
  });

  it('validation only: no benefit items', async () => {
    const res = await post(request(covered.nationalId, { purpose: ['validation'] }));
    expect(res.status).toBe(200);
    expect(res.body.insurance[0].item).toBeUndefined();
  });

  it('not in force: inforce false with the reason; out of scope tells nothing more', async () => {
    const expired = await post(request(covered.nationalId, { servicedDate: '2021-01-05' }));
    expect(expired.body.insurance[0]).toMatchObject({
      inforce: false,
      benefitPeriod: { start: '2020-01-01', end: '2020-12-31' },
      extension: [{ url: REASON_EXTENSION, valueCode: 'EXPIRED' }],
    });
    expect(expired.body.disposition).toMatch(/^Not covered on 2021-01-05/);
    const outside = await post(request(inDafang.nationalId));
    const nobody = await post(request(makeNationalId(XIDE, '1990-01-01', 3, 'M')));
    for (const r of [outside, nobody]) {
      expect(r.status).toBe(200);
      expect(r.body.insurance).toEqual([
        {
          coverage: { display: 'No Pillar coverage found' },
          inforce: false,
          extension: [{ url: REASON_EXTENSION, valueCode: 'OUT_OF_SCOPE' }],
        },
      ]);
      expect(r.body.patient.display).toBeUndefined();
    }
  });

  it('invalid input is an OperationOutcome with 400, each problem with its expression', async () => {
    const cases: [unknown, string, string][] = [
      [{ resourceType: 'Patient' }, 'structure', 'resourceType'],
      [request(covered.nationalId, { status: undefined }), 'required', 'CoverageEligibilityRequest.status'],
      [request(covered.nationalId, { purpose: [] }), 'value', 'CoverageEligibilityRequest.purpose'],
      [
        request(covered.nationalId, { purpose: ['auth-requirements'] }),
        'not-supported',
        'CoverageEligibilityRequest.purpose',
      ],
      [request(covered.nationalId, { insurer: undefined }), 'required', 'CoverageEligibilityRequest.insurer'],
      [
        request(covered.nationalId, { servicedDate: '2020-03' }),
        'value',
        'CoverageEligibilityRequest.servicedDate',
      ],
      [
        request(covered.nationalId, { status: 'cancelled' }),
        'business-rule',
        'CoverageEligibilityRequest.status',
      ],
      [
        request(covered.nationalId, { patient: { display: 'x' } }),
        'required',
        'CoverageEligibilityRequest.patient.identifier.value',
      ],
      [
        request(`${covered.nationalId.slice(0, 17)}${covered.nationalId[17] === '0' ? '1' : '0'}`),
        'value',
        'CoverageEligibilityRequest.patient.identifier.value',
      ],
      [
        request(covered.nationalId, { identifier: [{ value: inDafang.nationalId }] }),
        'invariant',
        'CoverageEligibilityRequest.identifier',
      ],
    ];
    for (const [body, code, expression] of cases) {
      const res = await post(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      const oo = res.body as OperationOutcome;
      expect(oo.resourceType).toBe('OperationOutcome');
      expect(oo.issue).toContainEqual(
        expect.objectContaining({ severity: 'error', code, expression: [expression] }),
      );
      expect(res.text).not.toContain(covered.nationalId);
    }
    const several = await post(request(covered.nationalId, { status: undefined, created: undefined }));
    expect(several.body.issue).toHaveLength(2);
  });

  it('malformed JSON, wrong content type, no token, too large: OperationOutcome, never a stack', async () => {
    const broken = await post('{"resourceType": ');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'structure' }] });
    const xml = await post('<CoverageEligibilityRequest/>', { contentType: 'application/fhir+xml' });
    expect(xml.status).toBe(415);
    expect(xml.body.issue[0].code).toBe('not-supported');
    const anonymous = await post(request(covered.nationalId), { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.issue[0].code).toBe('login');
    const badToken = await post(request(covered.nationalId), { token: 'plr_nope' });
    expect(badToken.status).toBe(401);
    const huge = await post(request(covered.nationalId, { text: { div: 'x'.repeat(3 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(huge.body.issue[0].code).toBe('too-long');
  });

  it('logs each look-up by an integration with channel FHIR', async () => {
    const before = await h.sql<{ n: number }>(
      'select count(*)::int as n from coverage_access_log where token_id = $1',
      [integrationId],
    );
    await post(request(covered.nationalId));
    const rows = await h.sql<{ people_count: number; id_hashes: string[]; channel: string }>(
      'select people_count, id_hashes, channel from coverage_access_log where token_id = $1 order by id',
      [integrationId],
    );
    expect(rows.length).toBe(before[0]!.n + 1);
    expect(rows.at(-1)).toEqual({
      people_count: 1,
      id_hashes: [lookupHash(covered.nationalId, TEST_HMAC_KEY).toString('hex')],
      channel: 'FHIR',
    });
  });

  it('staff roles may use it too, within their scope', async () => {
    const admin = await h.token(Role.ADMIN);
    expect((await post(request(inDafang.nationalId), { token: admin })).body.insurance[0].inforce).toBe(true);
    const coordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
    expect((await post(request(inDafang.nationalId), { token: coordinator })).body.insurance[0].inforce).toBe(
      false,
    );
  });
});
