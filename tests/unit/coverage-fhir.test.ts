import { CoverageCheckReason, type CoverageAnswer } from '../../src/modules/coverage/coverage.service';
import { makeNationalId } from '../../src/modules/enrollment/national-id';
import {
  parseEligibilityRequest,
  REASON_EXTENSION,
  toEligibilityResponse,
} from '../../src/modules/coverage/fhir';

const ID = makeNationalId('513432', '1980-01-01', 2, 'F');
const base = {
  resourceType: 'CoverageEligibilityRequest',
  status: 'active',
  purpose: ['validation', 'benefits'],
  patient: { identifier: { value: ID } },
  created: '2020-03-02T10:00:00+08:00',
  insurer: { display: 'Pillar' },
};

describe('parseEligibilityRequest', () => {
  it('reads the national ID and the date from a valid request', () => {
    const r = parseEligibilityRequest({ ...base, servicedDate: '2020-03-02' });
    expect(r).toMatchObject({
      ok: true,
      question: { nationalId: ID, on: '2020-03-02', purpose: ['validation', 'benefits'] },
    });
    const noDate = parseEligibilityRequest(base);
    expect(noDate).toMatchObject({ ok: true, question: { on: null } });
    const fromIdentifier = parseEligibilityRequest({
      ...base,
      patient: { reference: 'Patient/1' },
      identifier: [{ value: ID }],
    });
    expect(fromIdentifier).toMatchObject({ ok: true, question: { nationalId: ID } });
  });

  it('reports each problem with its code and FHIRPath expression', () => {
    const issues = (body: unknown) => {
      const r = parseEligibilityRequest(body);
      if (r.ok) throw new Error('expected issues');
      return r.issues.map((i) => `${i.code} ${i.expression?.[0] ?? ''}`.trim());
    };
    expect(issues(null)).toEqual(['structure']);
    expect(issues([])).toEqual(['structure']);
    expect(issues({ ...base, resourceType: 'Coverage' })).toEqual(['structure resourceType']);
    expect(issues({ ...base, status: undefined, created: undefined })).toEqual([
      'required CoverageEligibilityRequest.status',
      'required CoverageEligibilityRequest.created',
    ]);
    expect(issues({ ...base, purpose: ['nonsense'] })).toEqual([
      'value CoverageEligibilityRequest.purpose[0]',
    ]);
    expect(issues({ ...base, purpose: ['discovery'] })).toEqual([
      'not-supported CoverageEligibilityRequest.purpose',
    ]);
    expect(issues({ ...base, patient: {} })).toEqual([
      'required CoverageEligibilityRequest.patient.identifier.value',
    ]);
    expect(issues({ ...base, servicedDate: '2020-02-30' })).toEqual([
      'value CoverageEligibilityRequest.servicedDate',
    ]);
    expect(issues({ ...base, servicedPeriod: { start: '2020' } })).toEqual([
      'value CoverageEligibilityRequest.servicedPeriod.start',
    ]);
    expect(issues({ ...base, identifier: [{ value: '513432198001010034' }] })).toEqual([
      'invariant CoverageEligibilityRequest.identifier',
    ]);
    // The same ID in both places (any case) is one person.
    expect(parseEligibilityRequest({ ...base, identifier: [{ value: ID.toLowerCase() }] }).ok).toBe(true);
  });
});

describe('toEligibilityResponse', () => {
  const answer: CoverageAnswer = {
    on: '2020-03-02',
    covered: true,
    reason: null,
    nationalIdMasked: `${ID.slice(0, 6)}********${ID.slice(14)}`,
    gender: 'F',
    age: 40,
    insuredId: 7,
    nameMasked: '张*',
    insuredCountyCode: '513432',
    coverage: {
      coverageId: 9,
      contractId: 3,
      programmeYear: 2020,
      county: {
        code: '513432',
        nameZh: '喜德县',
        nameEn: 'Xide',
        prefectureCode: '513400',
        prefectureZh: '凉山',
        provinceCode: '51',
        provinceZh: '四川省',
        provinceEn: 'Sichuan',
      },
      periodStart: '2020-01-01',
      periodEnd: '2020-12-31',
      endedOn: null,
      planCode: 'BACKBONE-STD',
      deductible: '10000.00',
      deductibleLeft: '5999.50',
      annualCap: '150000.00',
      benefitUsed: '0.00',
      benefitLeft: '150000.00',
    },
  };
  const question = (purpose: ('validation' | 'benefits')[]) => {
    const r = parseEligibilityRequest({ ...base, id: 'abc', purpose });
    if (!r.ok) throw new Error('invalid');
    return r.question;
  };

  it('maps an answer: inforce, benefit period, deductible and benefit in CNY, no plain ID', () => {
    const r = toEligibilityResponse(
      question(['validation', 'benefits']),
      answer,
      new Date('2020-03-02T02:00:00Z'),
    );
    expect(r).toMatchObject({
      resourceType: 'CoverageEligibilityResponse',
      status: 'active',
      outcome: 'complete',
      created: '2020-03-02T02:00:00.000Z',
      request: { reference: 'CoverageEligibilityRequest/abc' },
      patient: { identifier: { value: `${ID.slice(0, 6)}********${ID.slice(14)}` }, display: '张*' },
    });
    const ins = r.insurance![0]!;
    expect(ins).toMatchObject({ inforce: true, benefitPeriod: { start: '2020-01-01', end: '2020-12-31' } });
    expect(ins.extension).toBeUndefined();
    expect(ins.item![0]!.benefit).toEqual([
      expect.objectContaining({
        allowedMoney: { value: 10000, currency: 'CNY' },
        usedMoney: { value: 4000.5, currency: 'CNY' },
      }),
      expect.objectContaining({
        allowedMoney: { value: 150000, currency: 'CNY' },
        usedMoney: { value: 0, currency: 'CNY' },
      }),
    ]);
    expect(JSON.stringify(r)).not.toContain(ID);
  });

  it('a terminated coverage: inforce false, the period up to the last covered day, the reason as an extension', () => {
    const ended: CoverageAnswer = {
      ...answer,
      covered: false,
      reason: CoverageCheckReason.TERMINATED,
      coverage: { ...answer.coverage!, endedOn: '2020-02-15' },
    };
    const r = toEligibilityResponse(question(['validation']), ended, new Date());
    expect(r.insurance![0]).toEqual({
      coverage: expect.objectContaining({ display: 'Pillar 2020 · 喜德县 · BACKBONE-STD' }),
      inforce: false,
      benefitPeriod: { start: '2020-01-01', end: '2020-02-15' },
      extension: [{ url: REASON_EXTENSION, valueCode: 'TERMINATED' }],
    });
    expect(r.disposition).toBe(
      'Not covered on 2020-03-02: the coverage was ended early (TERMINATED); programme year 2020, 喜德县 (513432), 2020-01-01 – 2020-02-15.',
    );
  });
});
