import {
  ageOnDate,
  CoverageCheckReason,
  decideCoverage,
  fenToText,
  figuresOf,
  lastCoveredDay,
  pickCoverage,
  toFenInteger,
  type CoverageFacts,
} from '../../src/modules/coverage/coverage.service';
import { proRataPremium } from '../../src/modules/coverage/endorsement.service';
import { ContractStatus } from '../../src/modules/contracts/county-contract.entity';
import { maskTail, nameFor, seesFullPersonalData } from '../../src/modules/enrollment/insured.service';
import { Role } from '../../src/modules/auth/api-token.entity';
import type { Actor } from '../../src/modules/auth/actor';

const county = {
  code: '513432',
  nameZh: '喜德县',
  nameEn: 'Xide',
  prefectureCode: '513400',
  prefectureZh: '凉山彝族自治州',
  provinceCode: '51',
  provinceZh: '四川省',
  provinceEn: 'Sichuan',
};

function cov(over: Partial<CoverageFacts> = {}): CoverageFacts {
  return {
    coverageId: 1,
    contractId: 1,
    programmeYear: 2020,
    county,
    periodStart: '2020-01-01',
    periodEnd: '2020-12-31',
    status: 'ENROLLED',
    endedOn: null,
    eligibleApproved: '0.00',
    benefitApproved: '0.00',
    contractStatus: ContractStatus.ACTIVE,
    contractActivated: true,
    planCode: 'BACKBONE-STD',
    deductible: '10000.00',
    annualCap: '150000.00',
    ...over,
  };
}

const R = CoverageCheckReason;
const reasonOf = (c: CoverageFacts, on: string) => decideCoverage(c, on).reason;

describe('decideCoverage', () => {
  it('covers inside the period of an ACTIVE contract, both ends included', () => {
    for (const on of ['2020-01-01', '2020-06-15', '2020-12-31'])
      expect(decideCoverage(cov(), on)).toEqual({ covered: true, reason: null });
  });

  it('NOT_STARTED before, EXPIRED after', () => {
    expect(reasonOf(cov(), '2019-12-31')).toBe(R.NOT_STARTED);
    expect(reasonOf(cov(), '2021-01-01')).toBe(R.EXPIRED);
  });

  it('TERMINATED after the last covered day, and always when ended before it began', () => {
    const ended = cov({ status: 'TERMINATED', endedOn: '2020-05-31' });
    expect(reasonOf(ended, '2020-05-31')).toBeNull();
    expect(reasonOf(ended, '2020-06-01')).toBe(R.TERMINATED);
    expect(reasonOf(ended, '2021-06-01')).toBe(R.TERMINATED);
    expect(reasonOf(ended, '2019-06-01')).toBe(R.NOT_STARTED);
    const never = cov({ status: 'TERMINATED', endedOn: '2019-12-31' });
    const noDate = cov({ status: 'TERMINATED', endedOn: null });
    for (const c of [never, noDate]) {
      for (const on of ['2019-06-01', '2020-06-01', '2021-06-01']) expect(reasonOf(c, on)).toBe(R.TERMINATED);
    }
    expect(lastCoveredDay(noDate)).toBe('2019-12-31');
    expect(lastCoveredDay(cov({ status: 'TERMINATED', endedOn: '2021-03-01' }))).toBe('2020-12-31');
  });

  it('CONTRACT_NOT_ACTIVE inside the period unless ACTIVE or once-active EXPIRED; CANCELLED always', () => {
    const on = '2020-06-01';
    expect(reasonOf(cov({ contractStatus: ContractStatus.APPROVED, contractActivated: false }), on)).toBe(
      R.CONTRACT_NOT_ACTIVE,
    );
    expect(reasonOf(cov({ contractStatus: ContractStatus.DRAFT, contractActivated: false }), on)).toBe(
      R.CONTRACT_NOT_ACTIVE,
    );
    expect(reasonOf(cov({ contractStatus: ContractStatus.QUOTED, contractActivated: false }), on)).toBe(
      R.CONTRACT_NOT_ACTIVE,
    );
    expect(reasonOf(cov({ contractStatus: ContractStatus.EXPIRED, contractActivated: false }), on)).toBe(
      R.CONTRACT_NOT_ACTIVE,
    );
    expect(reasonOf(cov({ contractStatus: ContractStatus.EXPIRED, contractActivated: true }), on)).toBeNull();
    const cancelled = cov({ contractStatus: ContractStatus.CANCELLED, contractActivated: false });
    for (const d of ['2019-06-01', on, '2021-06-01'])
      expect(reasonOf(cancelled, d)).toBe(R.CONTRACT_NOT_ACTIVE);
    // Dates first for a contract that may still start: before the period it is NOT_STARTED.
    expect(
      reasonOf(cov({ contractStatus: ContractStatus.APPROVED, contractActivated: false }), '2019-06-01'),
    ).toBe(R.NOT_STARTED);
    // A coverage ended early in a contract not in force: the person's end decides after it.
    const both = cov({
      contractStatus: ContractStatus.APPROVED,
      contractActivated: false,
      status: 'TERMINATED',
      endedOn: '2020-03-31',
    });
    expect(reasonOf(both, '2020-02-01')).toBe(R.CONTRACT_NOT_ACTIVE);
    expect(reasonOf(both, '2020-05-01')).toBe(R.TERMINATED);
  });
});

describe('pickCoverage', () => {
  const y2019 = cov({
    coverageId: 19,
    programmeYear: 2019,
    periodStart: '2019-01-01',
    periodEnd: '2019-12-31',
    contractStatus: ContractStatus.EXPIRED,
  });
  const y2020 = cov({
    coverageId: 20,
    programmeYear: 2020,
    periodStart: '2020-03-01',
    periodEnd: '2021-02-28',
  });
  it('the one holding the date; else the nearest; a tie to the coming one', () => {
    expect(pickCoverage([], '2020-01-01')).toBeNull();
    expect(pickCoverage([y2019, y2020], '2019-05-01')!.coverageId).toBe(19);
    expect(pickCoverage([y2019, y2020], '2020-05-01')!.coverageId).toBe(20);
    expect(pickCoverage([y2019, y2020], '2020-01-10')!.coverageId).toBe(19); // 10 days after vs 51 before
    expect(pickCoverage([y2019, y2020], '2020-02-20')!.coverageId).toBe(20);
    expect(pickCoverage([y2019, y2020], '2020-01-30')!.coverageId).toBe(19); // 30 after vs 31 before (2020 is leap)
    const fromMarch2 = { ...y2020, coverageId: 22, periodStart: '2020-03-02' };
    expect(pickCoverage([y2019, fromMarch2], '2020-01-31')!.coverageId).toBe(22); // 31 and 31: the coming one
    expect(pickCoverage([y2020, y2019], '2018-01-01')!.coverageId).toBe(19);
    expect(pickCoverage([y2020, y2019], '2030-01-01')!.coverageId).toBe(20);
  });
  it('with overlapping periods, one that covers, then the latest year', () => {
    const overlapping = cov({
      coverageId: 21,
      programmeYear: 2021,
      periodStart: '2021-01-01',
      periodEnd: '2021-12-31',
    });
    expect(pickCoverage([y2020, overlapping], '2021-02-01')!.coverageId).toBe(21);
    const endedEarly = { ...overlapping, status: 'TERMINATED' as const, endedOn: '2021-01-15' };
    expect(pickCoverage([y2020, endedEarly], '2021-02-01')!.coverageId).toBe(20);
  });
});

describe('figuresOf', () => {
  it('deductible left and benefit left, never below zero, to the fen', () => {
    expect(figuresOf(cov({ eligibleApproved: '4000.50' }))).toMatchObject({
      deductibleLeft: '5999.50',
      benefitUsed: '0.00',
      benefitLeft: '150000.00',
    });
    expect(figuresOf(cov({ eligibleApproved: '30000.01', benefitApproved: '10000.01' }))).toMatchObject({
      deductible: '10000.00',
      deductibleLeft: '0.00',
      annualCap: '150000.00',
      benefitLeft: '139999.99',
    });
    expect(figuresOf(cov({ eligibleApproved: '999999.00', benefitApproved: '150000.00' }))).toMatchObject({
      benefitLeft: '0.00',
    });
    expect(figuresOf(cov({ status: 'TERMINATED', endedOn: '2020-05-31' })).endedOn).toBe('2020-05-31');
  });
});

describe('integer fen and ages', () => {
  it('reads and writes two-decimal amounts exactly', () => {
    expect(toFenInteger('10000.00')).toBe(1_000_000);
    expect(toFenInteger('0.1')).toBe(10);
    expect(toFenInteger('7')).toBe(700);
    expect(toFenInteger('-25.15')).toBe(-2515);
    expect(toFenInteger('999999999999.99')).toBe(99_999_999_999_999);
    expect(() => toFenInteger('1.005')).toThrow(RangeError);
    expect(() => toFenInteger('1e3')).toThrow(RangeError);
    expect(fenToText(1_000_000)).toBe('10000.00');
    expect(fenToText(5)).toBe('0.05');
    expect(fenToText(-2515)).toBe('-25.15');
    expect(fenToText(0)).toBe('0.00');
    expect(fenToText(99_999_999_999_999)).toBe('999999999999.99');
  });
  it('ages match national-id ageOn, 29 February included', () => {
    const { ageOn } = jest.requireActual('../../src/modules/enrollment/national-id');
    const births = ['1980-02-29', '1980-03-01', '1999-12-31', '2000-01-01'];
    const days = ['2019-02-28', '2019-03-01', '2020-02-28', '2020-02-29', '2020-12-31', '2021-01-01'];
    for (const b of births)
      for (const d of days) expect({ b, d, age: ageOnDate(b, d) }).toEqual({ b, d, age: ageOn(b, d) });
  });
});

describe('proRataPremium', () => {
  it('per-capita × days / days in period, half-up to the fen', () => {
    expect(proRataPremium('100.05', 183, 366).toFixed(2)).toBe('50.03'); // 50.025: half-up, not half-even
    expect(proRataPremium('100.05', 305, 366).toFixed(2)).toBe('83.38'); // 83.375
    expect(proRataPremium('100.05', 92, 366).toFixed(2)).toBe('25.15'); // 25.1491…
    expect(proRataPremium('31.21', 365, 365).toFixed(2)).toBe('31.21');
    expect(proRataPremium('31.21', 0, 365).toFixed(2)).toBe('0.00');
    expect(proRataPremium('31.21', 1, 365).toFixed(2)).toBe('0.09'); // 0.08550…
    expect(proRataPremium('0.01', 1, 2).toFixed(2)).toBe('0.01'); // 0.005 → up
    expect(() => proRataPremium('1', -1, 365)).toThrow(RangeError);
    expect(() => proRataPremium('1', 1, 0)).toThrow(RangeError);
  });
});

describe('who sees names in full', () => {
  const actor = (role: Actor['role'], countyCodes: string[] = []): Actor => ({
    tokenId: 1,
    role,
    countyCodes,
    provinceCodes: [],
  });
  it('ADMIN, CLAIMS_REVIEWER and coordinators of the home county; nobody else', () => {
    expect(seesFullPersonalData(actor(Role.ADMIN), '513432')).toBe(true);
    expect(seesFullPersonalData(actor(Role.CLAIMS_REVIEWER), '513432')).toBe(true);
    expect(seesFullPersonalData(actor(Role.COORDINATOR, ['513432']), '513432')).toBe(true);
    expect(seesFullPersonalData(actor(Role.COORDINATOR, ['520521']), '513432')).toBe(false);
    for (const role of [Role.ACTUARY, Role.FOUNDATION, Role.INTEGRATION, 'SYSTEM' as const]) {
      expect(seesFullPersonalData(actor(role), '513432')).toBe(false);
    }
    expect(nameFor(actor(Role.FOUNDATION), '欧阳娜娜', '513432')).toBe('欧阳**');
    expect(nameFor(actor(Role.ADMIN), '欧阳娜娜', '513432')).toBe('欧阳娜娜');
  });
  it('masks phones and accounts to their last four', () => {
    expect(maskTail('13800001234')).toBe('*******1234');
    expect(maskTail(' 6222 ')).toBe('****');
    expect(maskTail('123')).toBe('***');
  });
});
