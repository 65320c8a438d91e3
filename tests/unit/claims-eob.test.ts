import { adjudicate, payableFor, stampSteps, type TraceEntry } from '../../src/modules/claims/adjudication';
import { ClaimRejection, ClaimStatus } from '../../src/modules/claims/claim.entity';
import {
  explainClaim,
  formatYuan,
  nextStepOf,
  renderEobHtml,
  renderEobText,
  type EobSource,
} from '../../src/modules/claims/eob';
import { planTerms } from '../../src/modules/pricing/plan.service';
import { DEFAULT_PLAN } from '../../src/seed/defaults';

const TERMS = planTerms({
  deductible: DEFAULT_PLAN.deductible,
  annualCap: DEFAULT_PLAN.annualCap,
  tiers: [...DEFAULT_PLAN.tiers],
});
const PERSON = { name: '高伍格斯', maskedId: '513432********1234' };

/** The 2019 story: 189,003 billed, 41,696 still owed after government reimbursement. */
function story(over: Partial<EobSource> = {}): EobSource {
  const working = payableFor(TERMS, '0', '41696.00');
  return {
    claimNumber: 'CLM-513432-2019-000001',
    status: ClaimStatus.APPROVED,
    rejectionReason: null,
    reviewNote: null,
    ruleTrace: [],
    admissionDate: '2018-09-10',
    dischargeDate: '2018-12-20',
    hospitalName: '凉山州第一人民医院',
    hospitalLevel: 'CITY',
    diagnosisCode: 'A87.9',
    totalCost: '189003.00',
    basicInsurancePaid: '120000.00',
    criticalIllnessPaid: '20000.00',
    medicalAssistancePaid: '7307.00',
    excludedCost: '0.00',
    eligibleOop: '41696.00',
    payable: working.payable,
    working,
    adjustmentOfNumber: null,
    paidAt: null,
    paymentReference: null,
    ...over,
  };
}

describe('explainClaim', () => {
  it('the 2019 story: owed 41,696 with nothing earlier → pays 20,617.60, in Chinese and English, line by line', () => {
    const e = explainClaim(story(), PERSON)!;
    expect(e.lines.map((l) => [l.code, l.amount])).toEqual([
      ['BILLED', '189003.00'],
      ['BASIC_INSURANCE', '120000.00'],
      ['CRITICAL_ILLNESS', '20000.00'],
      ['MEDICAL_ASSISTANCE', '7307.00'],
      ['EXCLUDED', '0.00'],
      ['COUNTED', '41696.00'],
      ['COUNTED_EARLIER', '0.00'],
      ['DEDUCTIBLE', '1000.00'],
      ['TIER_1', '3600.00'],
      ['TIER_2', '10000.00'],
      ['TIER_3', '7017.60'],
      ['PAID', '20617.60'],
    ]);
    expect(e.en).toContain('Billed by the hospital: 189,003.00 yuan.');
    expect(e.en).toContain('Paid by government schemes: 147,307.00 yuan');
    expect(e.en).toContain('41,696.00');
    expect(e.en).toContain('taken by this claim: 1,000.00');
    expect(e.en).toContain('40% of the part from 1,000.00 to 10,000.00: 9,000.00 counted, 3,600.00 paid.');
    expect(e.en).toContain('60% of the part above 30,000.00: 11,696.00 counted, 7,017.60 paid.');
    expect(e.en).toContain('Annual cap: 30,000.00 yuan per person');
    expect(e.en).toContain('Amount paid: 20,617.60 yuan');
    expect(e.zh).toContain('医院总费用：189,003.00 元。');
    expect(e.zh).toContain('政府报销共 147,307.00 元');
    expect(e.zh).toContain('本次扣除 1,000.00 元');
    expect(e.zh).toContain(
      '累计超过 30,000.00 元的部分按 60% 赔付：本次计入 11,696.00 元，赔付 7,017.60 元。',
    );
    expect(e.zh).toContain('本次赔付：20,617.60 元');
    expect(e.zh).toContain('高伍格斯（身份证号 513432********1234）');
  });

  it('says when it was paid, and with which reference (China date)', () => {
    const e = explainClaim(
      story({
        status: ClaimStatus.PAID,
        paidAt: new Date('2019-01-10T17:00:00Z'),
        paymentReference: 'ALIPAY-1',
      }),
      PERSON,
    )!;
    expect(e.en).toContain('paid on 2019-01-11 (payment reference ALIPAY-1)');
    expect(e.zh).toContain('已于 2019-01-11 支付');
  });

  it('shows the cap cutting a claim, and a rounding line only when the fen-rounded lines need it', () => {
    const w = payableFor(TERMS, '50000.00', '20000.00');
    const e = explainClaim(story({ eligibleOop: '20000.00', working: w, payable: w.payable }), PERSON)!;
    const byCode = Object.fromEntries(e.lines.map((l) => [l.code, l.amount]));
    expect(byCode).toMatchObject({
      COUNTED_EARLIER: '50000.00',
      TIER_3: '12000.00',
      CAP: '-7600.00',
      PAID: '4400.00',
    });
    expect(byCode.ROUNDING).toBeUndefined();
    expect(e.en).toContain('cap reached');
    const odd = payableFor(TERMS, '1000.01', '1.25'); // shares 0.5 from 1,000.01 → P: 0.004 → 0.504: payable 0.50 − 0.00
    const r = explainClaim(story({ eligibleOop: '1.25', working: odd, payable: odd.payable }), PERSON)!;
    const lines = Object.fromEntries(r.lines.map((l) => [l.code, l.amount]));
    expect(lines).toMatchObject({ TIER_1: '0.50', PAID: '0.50' });
    const odd2 = payableFor(TERMS, '1000.01', '0.01'); // 0.004 (shown 0.00), P 0.008 → 0.01
    const r2 = explainClaim(story({ eligibleOop: '0.01', working: odd2, payable: odd2.payable }), PERSON)!;
    expect(Object.fromEntries(r2.lines.map((l) => [l.code, l.amount]))).toMatchObject({
      TIER_1: '0.00',
      ROUNDING: '0.01',
      PAID: '0.01',
    });
  });

  it('explains a claim within the deductible: nothing to pay', () => {
    const w = payableFor(TERMS, '0', '600.00');
    const e = explainClaim(story({ eligibleOop: '600.00', working: w, payable: w.payable }), PERSON)!;
    expect(e.en).toContain('All of this claim fell within the deductible');
    expect(e.lines.find((l) => l.code === 'PAID')!.amount).toBe('0.00');
  });

  it('explains a downward adjustment as an amount to recover', () => {
    const w = payableFor(TERMS, '25000', '-3000');
    const e = explainClaim(
      story({
        claimNumber: 'CLM-513432-2020-000009',
        eligibleOop: '-3000.00',
        excludedCost: '3000.00',
        totalCost: '0.00',
        basicInsurancePaid: '0.00',
        criticalIllnessPaid: '0.00',
        medicalAssistancePaid: '0.00',
        working: w,
        payable: w.payable,
        adjustmentOfNumber: 'CLM-513432-2020-000001',
        reviewNote: 'invoice item reclassified',
      }),
      PERSON,
    )!;
    expect(e.en).toContain('This corrects claim CLM-513432-2020-000001, because: invoice item reclassified.');
    expect(e.en).toContain('1,500.00 yuan is to be recovered');
    expect(e.lines.find((l) => l.code === 'PAID')).toMatchObject({
      labelEn: 'Amount to be recovered',
      amount: '-1500.00',
    });
  });

  const rejected = (reason: ClaimRejection, trace: TraceEntry[], over: Partial<EobSource> = {}) =>
    explainClaim(
      story({
        status: ClaimStatus.REJECTED,
        rejectionReason: reason,
        payable: null,
        working: null,
        ruleTrace: trace,
        ...over,
      }),
      PERSON,
    )!;
  const traceOf = (facts: Parameters<typeof adjudicate>[0]) =>
    stampSteps([], 'SUBMIT', adjudicate(facts).steps, new Date('2020-03-02T02:00:00Z'));
  const base = {
    submittedOn: '2020-03-02',
    admissionDate: '2018-09-10',
    dischargeDate: '2018-12-20',
    hospitalLevel: 'PRIVATE' as const,
    eligibleOop: '41696.00',
    documentKinds: [],
    requestedDocuments: [],
    coverage: { inForce: { coverageId: 1, countyCode: '513432', programmeYear: 2019 }, reason: null },
    plan: {
      code: 'P',
      version: 1,
      hospitalLevels: ['COUNTY', 'CITY'] as const,
      filingWindowDays: 365,
      requiredDocuments: [],
      autoApproveLimit: '10000',
      reviewThreshold: '100000',
      terms: TERMS,
    },
    idRegion: '513432',
    duplicates: [],
    overlappingStays: [],
    priorEligible: '0',
  };

  it('gives the reason for each rejection in words', () => {
    const notCovered = rejected(
      ClaimRejection.NOT_COVERED,
      traceOf({ ...base, coverage: { inForce: null, reason: 'NOT_STARTED' }, plan: null }),
    );
    expect(notCovered.en).toContain(
      'On the admission date 2018-09-10 the person was not covered: the cover had not started yet.',
    );
    expect(notCovered.zh).toContain('保障尚未开始');
    expect(notCovered.lines.find((l) => l.code === 'REJECTED')).toMatchObject({ amount: null });
    expect(notCovered.lines.find((l) => l.code === 'PAID')!.amount).toBe('0.00');

    const provider = rejected(
      ClaimRejection.PROVIDER_NOT_COVERED,
      traceOf({ ...base, plan: { ...base.plan, hospitalLevels: ['COUNTY', 'CITY'] } }),
      { hospitalLevel: 'PRIVATE' },
    );
    expect(provider.en).toContain(
      'The plan does not pay for stays in a private hospital (it covers: county hospital, city hospital).',
    );
    expect(provider.zh).toContain('本保障不报销民营医院的费用');

    const late = rejected(
      ClaimRejection.LATE_SUBMISSION,
      traceOf({ ...base, hospitalLevel: 'CITY', dischargeDate: '2019-01-01', submittedOn: '2020-03-02' }),
    );
    expect(late.en).toContain('filed 426 days after discharge; claims must be filed within 365 days');

    const dup = rejected(
      ClaimRejection.DUPLICATE_INVOICE,
      traceOf({
        ...base,
        hospitalLevel: 'CITY',
        dischargeDate: '2020-01-01',
        duplicates: [
          { claimNumber: 'CLM-513432-2020-000003', invoiceNumbers: ['INV-7'], settlementNumber: null },
        ],
      }),
    );
    expect(dup.en).toContain('invoice number(s) INV-7 already claimed on CLM-513432-2020-000003');
    expect(dup.zh).toContain('发票号 INV-7已在理赔 CLM-513432-2020-000003 中申请过');

    const other = rejected(ClaimRejection.OTHER, [], { reviewNote: 'the stay was for a cosmetic procedure' });
    expect(other.en).toContain("Reviewer's note: the stay was for a cosmetic procedure");
  });

  it('has no explanation before a decision', () => {
    expect(explainClaim(story({ status: ClaimStatus.UNDER_REVIEW }), PERSON)).toBeNull();
    expect(explainClaim(story({ status: ClaimStatus.NEEDS_INFO }), PERSON)).toBeNull();
  });

  it('renders printable HTML (escaped) and plain text', () => {
    const e = explainClaim(story({ hospitalName: '<script>x</script>' }), PERSON)!;
    const html = renderEobHtml('CLM-513432-2019-000001', e);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('20,617.60');
    const txt = renderEobText(e);
    expect(txt.startsWith('理赔结果说明')).toBe(true);
    expect(txt).toContain('Amount paid: 20,617.60 yuan');
  });

  it('formats yuan with thousands separators and sign', () => {
    expect(formatYuan('1234567.8')).toBe('1,234,567.80');
    expect(formatYuan('-1500')).toBe('-1,500.00');
    expect(formatYuan('0.005')).toBe('0.01');
  });
});

describe('nextStepOf (the coordinator’s view)', () => {
  it('says what is missing, when it is due, or why it was not paid', () => {
    expect(
      nextStepOf({
        status: ClaimStatus.NEEDS_INFO,
        rejectionReason: null,
        missingDocuments: ['DISCHARGE_SUMMARY', 'INVOICE'],
        dueDate: null,
        paidAt: null,
      }),
    ).toEqual({
      zh: '请补交：出院小结、住院发票（补齐后继续计时）',
      en: 'Please add: discharge summary, hospital invoice (the clock restarts once added)',
    });
    expect(
      nextStepOf({
        status: ClaimStatus.UNDER_REVIEW,
        rejectionReason: null,
        missingDocuments: [],
        dueDate: '2020-03-09',
        paidAt: null,
      }).en,
    ).toBe('Being reviewed by the insurer; due to be paid by 2020-03-09');
    expect(
      nextStepOf({
        status: ClaimStatus.REJECTED,
        rejectionReason: ClaimRejection.LATE_SUBMISSION,
        missingDocuments: [],
        dueDate: null,
        paidAt: null,
      }).zh,
    ).toBe('未获赔付：超过申请期限');
  });
});
