import {
  adjudicate,
  payableFor,
  RULES,
  staysOverlap,
  type AdjudicationFacts,
  type PlanRules,
} from '../../src/modules/claims/adjudication';
import { ClaimRejection, ClaimStatus } from '../../src/modules/claims/claim.entity';
import { planTerms } from '../../src/modules/pricing/plan.service';
import { benefitExact } from '../../src/modules/pricing/engine/benefit';
import { formatMoney, money, Money, toFen } from '../../src/shared/money';
import { DEFAULT_PLAN } from '../../src/seed/defaults';

const TERMS = planTerms({
  deductible: DEFAULT_PLAN.deductible,
  annualCap: DEFAULT_PLAN.annualCap,
  tiers: [...DEFAULT_PLAN.tiers],
});

const PLAN: PlanRules = {
  code: 'BACKBONE-STD',
  version: 1,
  hospitalLevels: [...DEFAULT_PLAN.hospitalLevels],
  filingWindowDays: 365,
  requiredDocuments: ['INVOICE', 'DISCHARGE_SUMMARY'],
  autoApproveLimit: '10000.00',
  reviewThreshold: '100000.00',
  terms: TERMS,
};

function facts(over: Partial<AdjudicationFacts> = {}): AdjudicationFacts {
  return {
    submittedOn: '2020-03-02',
    admissionDate: '2020-02-10',
    dischargeDate: '2020-02-15',
    hospitalLevel: 'COUNTY',
    eligibleOop: '5000.00',
    documentKinds: ['INVOICE', 'DISCHARGE_SUMMARY'],
    requestedDocuments: [],
    coverage: { inForce: { coverageId: 7, countyCode: '513432', programmeYear: 2020 }, reason: null },
    plan: PLAN,
    idRegion: '513432',
    duplicates: [],
    overlappingStays: [],
    priorEligible: '0.00',
    ...over,
  };
}

const stepsOf = (o: ReturnType<typeof adjudicate>) => o.steps.map((s) => [s.step, s.result]);

describe('adjudicate: the rules in order, the first failure decides, every rule in the trace', () => {
  it('approves a good claim under the auto-approve limit with no flag; every rule and flag is traced', () => {
    const o = adjudicate(facts());
    expect(o.status).toBe(ClaimStatus.APPROVED);
    expect(o.rejectionReason).toBeNull();
    expect(o.payable!.payable).toBe('1600.00'); // 40 % of 4,000 above the 1,000 deductible
    expect(stepsOf(o)).toEqual([
      ['COVERAGE_IN_FORCE', 'PASSED'],
      ['PROVIDER_COVERED', 'PASSED'],
      ['FILED_IN_TIME', 'PASSED'],
      ['NO_DUPLICATE_INVOICE', 'PASSED'],
      ['DOCUMENTS_COMPLETE', 'PASSED'],
      ['OVERLAPPING_STAY', 'NOT_RAISED'],
      ['HIGH_AMOUNT', 'NOT_RAISED'],
      ['ID_REGION_MISMATCH', 'NOT_RAISED'],
      ['AUTO_APPROVE', 'PASSED'],
      ['DECISION', 'DECIDED'],
    ]);
  });

  it('rule 1: no coverage in force on the admission date → REJECTED / NOT_COVERED, the rest skipped', () => {
    const o = adjudicate(
      facts({ coverage: { inForce: null, reason: 'EXPIRED' }, plan: null, priorEligible: null }),
    );
    expect(o).toMatchObject({
      status: ClaimStatus.REJECTED,
      rejectionReason: ClaimRejection.NOT_COVERED,
      payable: null,
    });
    expect(o.steps[0]).toMatchObject({
      step: 'COVERAGE_IN_FORCE',
      result: 'FAILED',
      data: { reason: 'EXPIRED' },
    });
    expect(o.steps.slice(1, -1).every((s) => s.result === 'SKIPPED')).toBe(true);
    expect(o.steps).toHaveLength(10);
  });

  it('rule 2: a hospital level the plan does not cover → PROVIDER_NOT_COVERED', () => {
    const o = adjudicate(
      facts({ hospitalLevel: 'PRIVATE', plan: { ...PLAN, hospitalLevels: ['TOWNSHIP', 'COUNTY'] } }),
    );
    expect(o).toMatchObject({
      status: ClaimStatus.REJECTED,
      rejectionReason: ClaimRejection.PROVIDER_NOT_COVERED,
    });
    expect(stepsOf(o).slice(0, 3)).toEqual([
      ['COVERAGE_IN_FORCE', 'PASSED'],
      ['PROVIDER_COVERED', 'FAILED'],
      ['FILED_IN_TIME', 'SKIPPED'],
    ]);
  });

  it('rule 3: filed after the window → LATE_SUBMISSION; exactly on the last day is in time', () => {
    // 2019-03-03 → 2020-03-02 is 365 days (2020 is a leap year: 29 February in between).
    expect(adjudicate(facts({ dischargeDate: '2019-03-03', admissionDate: '2019-03-01' })).status).toBe(
      ClaimStatus.APPROVED,
    );
    const late = adjudicate(facts({ dischargeDate: '2019-03-02', admissionDate: '2019-03-01' }));
    expect(late).toMatchObject({
      status: ClaimStatus.REJECTED,
      rejectionReason: ClaimRejection.LATE_SUBMISSION,
    });
    expect(late.steps[2]).toMatchObject({
      step: 'FILED_IN_TIME',
      result: 'FAILED',
      data: { daysAfterDischarge: 366, filingWindowDays: 365 },
    });
  });

  it('rule 4: another live claim with one of the invoice numbers or the settlement number → DUPLICATE_INVOICE', () => {
    const o = adjudicate(
      facts({
        duplicates: [
          { claimNumber: 'CLM-513432-2020-000001', invoiceNumbers: ['INV-1'], settlementNumber: null },
        ],
      }),
    );
    expect(o).toMatchObject({
      status: ClaimStatus.REJECTED,
      rejectionReason: ClaimRejection.DUPLICATE_INVOICE,
    });
    expect(o.steps[3]!.detail).toContain('INV-1');
    expect(o.steps[3]!.detail).toContain('CLM-513432-2020-000001');
    const bySettlement = adjudicate(
      facts({ duplicates: [{ claimNumber: 'CLM-X', invoiceNumbers: [], settlementNumber: 'S-9' }] }),
    );
    expect(bySettlement.rejectionReason).toBe(ClaimRejection.DUPLICATE_INVOICE);
    expect(bySettlement.steps[3]!.detail).toContain('settlement number S-9');
  });

  it('rule 5: required documents missing → NEEDS_INFO listing them; a reviewer’s request adds to the plan’s', () => {
    const o = adjudicate(facts({ documentKinds: ['INVOICE'] }));
    expect(o).toMatchObject({
      status: ClaimStatus.NEEDS_INFO,
      missingDocuments: ['DISCHARGE_SUMMARY'],
      rejectionReason: null,
    });
    expect(stepsOf(o).slice(4, 6)).toEqual([
      ['DOCUMENTS_COMPLETE', 'FAILED'],
      ['OVERLAPPING_STAY', 'SKIPPED'],
    ]);
    expect(adjudicate(facts({ documentKinds: [] })).missingDocuments).toEqual([
      'INVOICE',
      'DISCHARGE_SUMMARY',
    ]);
    expect(adjudicate(facts({ requestedDocuments: ['BANK_ACCOUNT'] })).missingDocuments).toEqual([
      'BANK_ACCOUNT',
    ]);
  });

  it('rule 6: payable above the auto-approve limit → UNDER_REVIEW; at the limit → APPROVED', () => {
    // P(y) = 10,000 at y = 1,000 + 9,000 + (10,000 − 3,600)/0.5 = 22,800.
    expect(adjudicate(facts({ eligibleOop: '22800.00' }))).toMatchObject({
      status: ClaimStatus.APPROVED,
      flags: [],
    });
    const o = adjudicate(facts({ eligibleOop: '22800.02' }));
    expect(o).toMatchObject({ status: ClaimStatus.UNDER_REVIEW, flags: [] });
    expect(o.payable!.payable).toBe('10000.01');
    expect(o.steps.find((s) => s.step === 'AUTO_APPROVE')).toMatchObject({ result: 'FAILED' });
  });

  it('the payable of rule 6 is at the current C: a year that already used its deductible pays more', () => {
    expect(adjudicate(facts({ eligibleOop: '2000.00', priorEligible: '0.00' })).payable!.payable).toBe(
      '400.00',
    );
    expect(adjudicate(facts({ eligibleOop: '2000.00', priorEligible: '1000.00' })).payable!.payable).toBe(
      '800.00',
    );
  });

  it('flag OVERLAPPING_STAY sends a good claim to review', () => {
    const o = adjudicate(
      facts({
        overlappingStays: [
          { claimNumber: 'CLM-A', admissionDate: '2020-02-12', dischargeDate: '2020-02-20' },
        ],
      }),
    );
    expect(o).toMatchObject({ status: ClaimStatus.UNDER_REVIEW, flags: ['OVERLAPPING_STAY'] });
    expect(o.steps.find((s) => s.step === 'OVERLAPPING_STAY')).toMatchObject({ result: 'RAISED' });
  });

  it('flag HIGH_AMOUNT: eligible out-of-pocket above the review threshold (not at it)', () => {
    const plan = { ...PLAN, reviewThreshold: '3000.00', autoApproveLimit: '1000000.00' };
    expect(adjudicate(facts({ plan, eligibleOop: '3000.00' })).flags).toEqual([]);
    expect(adjudicate(facts({ plan, eligibleOop: '3000.01' }))).toMatchObject({
      status: ClaimStatus.UNDER_REVIEW,
      flags: ['HIGH_AMOUNT'],
    });
  });

  it('flag ID_REGION_MISMATCH: the ID was issued outside the coverage county', () => {
    const o = adjudicate(facts({ idRegion: '520521' }));
    expect(o).toMatchObject({ status: ClaimStatus.UNDER_REVIEW, flags: ['ID_REGION_MISMATCH'] });
  });

  it('several flags together, in a fixed order', () => {
    const o = adjudicate(
      facts({
        idRegion: '520521',
        eligibleOop: '200000.00',
        overlappingStays: [
          { claimNumber: 'CLM-A', admissionDate: '2020-02-10', dischargeDate: '2020-02-15' },
        ],
      }),
    );
    expect(o.flags).toEqual(['OVERLAPPING_STAY', 'HIGH_AMOUNT', 'ID_REGION_MISMATCH']);
  });

  it('an earlier failure wins over a later one (order matters)', () => {
    const o = adjudicate(
      facts({
        hospitalLevel: 'PRIVATE',
        plan: { ...PLAN, hospitalLevels: ['COUNTY'] },
        dischargeDate: '2018-01-01',
        admissionDate: '2018-01-01',
        duplicates: [{ claimNumber: 'X', invoiceNumbers: ['1'], settlementNumber: null }],
        documentKinds: [],
      }),
    );
    expect(o.rejectionReason).toBe(ClaimRejection.PROVIDER_NOT_COVERED);
    expect(RULES).toEqual([
      'COVERAGE_IN_FORCE',
      'PROVIDER_COVERED',
      'FILED_IN_TIME',
      'NO_DUPLICATE_INVOICE',
      'DOCUMENTS_COMPLETE',
      'AUTO_APPROVE',
    ]);
  });
});

describe('payableFor: round(P(C + x)) − round(P(C))', () => {
  it('the 2019 story: 41,696 owed with nothing earlier pays 20,617.60, tier by tier', () => {
    const w = payableFor(TERMS, '0', '41696.00');
    expect(w).toMatchObject({
      priorEligible: '0.00',
      eligible: '41696.00',
      cumulativeEligible: '41696.00',
      deductible: '1000.00',
      deductibleTaken: '1000.00',
      annualCap: '30000.00',
      capReached: false,
      benefitBefore: '0.00',
      benefitAfter: '20617.60',
      payable: '20617.60',
    });
    expect(w.tiers.map((t) => [t.from, t.to, t.ratio, t.amount, t.share])).toEqual([
      ['1000.00', '10000.00', '0.4', '9000', '3600'],
      ['10000.00', '30000.00', '0.5', '20000', '10000'],
      ['30000.00', null, '0.6', '11696', '7017.6'],
    ]);
    expect(money(w.capReduction).isZero()).toBe(true);
  });

  it('takes the deductible once a year: the second claim pays from its first yuan', () => {
    const first = payableFor(TERMS, '0', '600.00');
    expect(first).toMatchObject({ payable: '0.00', deductibleTaken: '600.00' });
    const second = payableFor(TERMS, '600.00', '1400.00');
    expect(second).toMatchObject({
      payable: '400.00',
      deductibleTaken: '400.00',
      deductibleTakenBefore: '600.00',
    });
    expect(payableFor(TERMS, '2000.00', '100.00')).toMatchObject({
      payable: '40.00',
      deductibleTaken: '0.00',
    });
  });

  it('holds the annual cap across claims: the claim that crosses it is cut, later ones pay 0', () => {
    const a = payableFor(TERMS, '0', '50000.00'); // 13,600 + 0.6 × 20,000 = 25,600
    expect(a.payable).toBe('25600.00');
    const b = payableFor(TERMS, '50000.00', '20000.00'); // uncapped 37,600 → capped 30,000
    expect(b).toMatchObject({ payable: '4400.00', capReached: true });
    expect(money(b.capReduction).eq('7600')).toBe(true);
    expect(payableFor(TERMS, '70000.00', '5000.00')).toMatchObject({ payable: '0.00', capReached: true });
  });

  it('rounds each side half-up to the fen, so fen-sized shares telescope exactly', () => {
    expect(payableFor(TERMS, '0', '1000.01').payable).toBe('0.00'); // P = 0.004
    expect(payableFor(TERMS, '1000.01', '0.01').payable).toBe('0.01'); // P(1000.02) = 0.008 → 0.01
    expect(payableFor(TERMS, '0', '1000.02').payable).toBe('0.01');
    expect(payableFor(TERMS, '0', '1001.25').payable).toBe('0.50'); // 0.5 exactly
    expect(payableFor(TERMS, '0', '1001.26').payable).toBe('0.50'); // 0.504
    expect(payableFor(TERMS, '0', '1001.27').payable).toBe('0.51'); // 0.508
  });

  it('a negative x (downward adjustment) gives a payable ≤ 0 at the top of the year', () => {
    // x1 = 5,000 pays 1,600; x2 = 20,000 at C = 5,000 pays 9,500; −3,000 at C = 25,000 gives −1,500.
    expect(payableFor(TERMS, '0', '5000').payable).toBe('1600.00');
    expect(payableFor(TERMS, '5000', '20000').payable).toBe('9500.00');
    const neg = payableFor(TERMS, '25000', '-3000');
    expect(neg).toMatchObject({
      payable: '-1500.00',
      cumulativeEligible: '22000.00',
      deductibleTaken: '0.00',
    });
    expect(neg.tiers.map((t) => t.share)).toEqual(['0', '-1500', '0']);
    expect(1600 + 9500 - 1500).toBe(Number(toFen(benefitExact(TERMS, '22000')).toFixed(2)));
  });

  it('telescopes: any sequence of claims (adjustments included) pays round(P(Σx)) in total, never above the cap', () => {
    let seed = 20200302;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let run = 0; run < 200; run++) {
      let c = new Money(0);
      let paid = new Money(0);
      const n = 1 + Math.floor(rnd() * 12);
      for (let i = 0; i < n; i++) {
        let x = new Money(Math.floor(rnd() * 2_500_000)).div(100); // up to 25,000.00, to the fen
        if (i > 0 && rnd() < 0.15) x = Money.max(c.negated(), x.negated().div(3).toDecimalPlaces(2)); // an adjustment down
        const w = payableFor(TERMS, c, x);
        expect(w.priorEligible).toBe(formatMoney(c));
        paid = paid.plus(w.payable);
        c = c.plus(x);
        expect(paid.lte(TERMS.annualCap)).toBe(true);
      }
      expect(paid.toFixed(2)).toBe(toFen(benefitExact(TERMS, c)).toFixed(2));
    }
  });
});

describe('staysOverlap: stays share a night (or a day case its day)', () => {
  const s = (a: string, d: string) => ({ admissionDate: a, dischargeDate: d });
  it.each([
    [s('2020-02-10', '2020-02-15'), s('2020-02-14', '2020-02-20'), true],
    [s('2020-02-10', '2020-02-15'), s('2020-02-15', '2020-02-20'), false], // same-day transfer
    [s('2020-02-10', '2020-02-15'), s('2020-02-01', '2020-02-10'), false],
    [s('2020-02-10', '2020-02-15'), s('2020-02-11', '2020-02-12'), true], // inside
    [s('2020-02-10', '2020-02-10'), s('2020-02-10', '2020-02-10'), true], // two day cases the same day
    [s('2020-02-10', '2020-02-10'), s('2020-02-09', '2020-02-11'), true],
    [s('2020-02-10', '2020-02-10'), s('2020-02-11', '2020-02-11'), false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(staysOverlap(a, b)).toBe(expected);
    expect(staysOverlap(b, a)).toBe(expected);
  });
});
