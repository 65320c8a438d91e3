import Decimal from 'decimal.js';
import {
  benefit,
  benefitExact,
  benefitWorking,
  capPoint,
  capPointExact,
  type BenefitPlanTerms,
} from '../../../src/modules/pricing/engine';
import { roundFloatToFen, toFen } from '../../../src/shared/money';
import { BACKBONE_STD } from './fixtures';

const capInFirstTier: BenefitPlanTerms = {
  deductible: 1000,
  tiers: [
    { upTo: 10000, ratio: 0.4 },
    { upTo: null, ratio: 0.6 },
  ],
  annualCap: 2000,
};
const capInMiddleTier: BenefitPlanTerms = { ...BACKBONE_STD, annualCap: 10000 };
const neverCapped: BenefitPlanTerms = {
  deductible: 1000,
  tiers: [
    { upTo: 10000, ratio: 0.4 },
    { upTo: 30000, ratio: 0.5 },
    { upTo: null, ratio: 0 },
  ],
  annualCap: 30000,
};
const singleTierNoDeductible: BenefitPlanTerms = {
  deductible: 0,
  tiers: [{ upTo: null, ratio: 0.7 }],
  annualCap: 5000,
};
const capAtBoundary: BenefitPlanTerms = {
  deductible: 0,
  tiers: [
    { upTo: 5000, ratio: 0 },
    { upTo: 20000, ratio: 0.5 },
    { upTo: null, ratio: 0 },
  ],
  annualCap: 7500,
};

describe('benefit P(y)', () => {
  it('pays the 2019 settlement: P(41,696) = 3,600 + 10,000 + 7,017.60 = 20,617.60', () => {
    expect(benefit(BACKBONE_STD, 41696)).toBeCloseTo(20617.6, 9);
    expect(roundFloatToFen(benefit(BACKBONE_STD, 41696)).toFixed(2)).toBe('20617.60');
    expect(benefitExact(BACKBONE_STD, '41696').toFixed(2)).toBe('20617.60');
    expect(benefitExact(BACKBONE_STD, new Decimal(41696)).eq('20617.6')).toBe(true);
  });

  it.each([
    [0, '0'],
    [999.99, '0'],
    [1000, '0'],
    [1000.01, '0.004'],
    [10000, '3600'],
    [30000, '13600'],
    [57333.33, '29999.998'],
    [57333.34, '30000'],
    [1e9, '30000'],
  ])('BACKBONE-STD: P(%p) = %s exactly', (y, expected) => {
    expect(benefitExact(BACKBONE_STD, String(y)).toString()).toBe(expected);
    expect(benefit(BACKBONE_STD, y)).toBeCloseTo(Number(expected), 8);
  });

  it('is 0 below the deductible, pays from the first fen with no deductible, and caps', () => {
    expect(benefit(singleTierNoDeductible, 0)).toBe(0);
    expect(benefitExact(singleTierNoDeductible, '0.01').toString()).toBe('0.007');
    expect(benefitExact(singleTierNoDeductible, '7142.85').toString()).toBe('4999.995');
    expect(benefitExact(singleTierNoDeductible, '7142.86').toString()).toBe('5000');
    expect(benefit(singleTierNoDeductible, Infinity)).toBe(5000);
    expect(benefit(neverCapped, Infinity)).toBe(13600);
    expect(benefitExact(neverCapped, '1000000').toString()).toBe('13600');
  });

  it('pays nothing in ratio-0 tiers', () => {
    expect(benefitExact(capAtBoundary, '5000').toString()).toBe('0');
    expect(benefitExact(capAtBoundary, '12000').toString()).toBe('3500');
    expect(benefitExact(capAtBoundary, '20000').toString()).toBe('7500');
    expect(benefitExact(capAtBoundary, '90000').toString()).toBe('7500');
  });

  it('float and exact versions agree over a spread of amounts', () => {
    const plans = [
      BACKBONE_STD,
      capInFirstTier,
      capInMiddleTier,
      neverCapped,
      singleTierNoDeductible,
      capAtBoundary,
    ];
    for (const plan of plans) {
      for (let i = 0; i <= 400; i++) {
        const y = (Math.round(Math.exp(i / 25) * 100) / 100).toFixed(2); // 1.00 … ~8.9 million
        const exact = benefitExact(plan, y).toNumber();
        expect(Math.abs(benefit(plan, Number(y)) - exact)).toBeLessThanOrEqual(1e-9 * Math.max(1, exact));
      }
    }
  });

  it('telescopes: per-claim payables round(P(C + x)) − round(P(C)) add up to round(P(total))', () => {
    const claims = ['812.40', '4410.05', '0.01', '23000.00', '13473.55', '16000.99', '1234.56'];
    let cumulative = new Decimal(0);
    let paid = new Decimal(0);
    for (const x of claims) {
      const before = toFen(benefitExact(BACKBONE_STD, cumulative));
      cumulative = cumulative.plus(x);
      paid = paid.plus(toFen(benefitExact(BACKBONE_STD, cumulative)).minus(before));
    }
    expect(paid.toFixed(2)).toBe(toFen(benefitExact(BACKBONE_STD, cumulative)).toFixed(2));
    expect(paid.toFixed(2)).toBe('30000.00');
  });
});

describe('cap point y*', () => {
  it('inside the first tier', () => {
    expect(capPointExact(capInFirstTier)?.toString()).toBe('6000');
    expect(capPoint(capInFirstTier)).toBe(6000);
  });

  it('inside a middle tier', () => {
    // 3,600 paid by 10,000; 6,400 more at 50 % takes 12,800
    expect(capPointExact(capInMiddleTier)?.toString()).toBe('22800');
  });

  it('inside the last (unbounded) tier', () => {
    // 13,600 paid by 30,000; 16,400 more at 60 %
    expect(capPointExact(BACKBONE_STD)?.toFixed(10)).toBe('57333.3333333333');
    expect(capPoint(BACKBONE_STD)).toBe(30000 + 16400 / 0.6);
    expect(benefitExact(BACKBONE_STD, capPointExact(BACKBONE_STD)!).toFixed(20)).toBe(
      '30000.00000000000000000000',
    );
  });

  it('never reached', () => {
    expect(capPointExact(neverCapped)).toBeNull();
    expect(capPoint(neverCapped)).toBe(Infinity);
    expect(capPoint({ ...BACKBONE_STD, annualCap: 1e12 })).toBe(30000 + (1e12 - 13600) / 0.6);
  });

  it('exactly at a tier boundary, with ratio-0 tiers either side', () => {
    expect(capPointExact(capAtBoundary)?.toString()).toBe('20000');
    expect(capPoint(capAtBoundary)).toBe(20000);
    expect(capPoint({ ...capAtBoundary, annualCap: 7500.01 })).toBe(Infinity);
    expect(capPoint({ ...capAtBoundary, annualCap: 7499.5 })).toBe(19999);
    // the boundary of a plan whose float sum 0.1·… would not land exactly on the cap
    const tenths: BenefitPlanTerms = {
      deductible: 0,
      tiers: [
        { upTo: 0.3, ratio: 0.1 },
        { upTo: null, ratio: 0.2 },
      ],
      annualCap: 0.03,
    };
    expect(capPoint(tenths)).toBe(0.3);
  });

  it('is 0 when the cap is 0', () => {
    expect(capPoint({ ...BACKBONE_STD, annualCap: 0 })).toBe(0);
  });

  it('a single tier with no deductible', () => {
    expect(capPointExact(singleTierNoDeductible)?.toFixed(6)).toBe('7142.857143');
  });
});

describe('benefitWorking', () => {
  it('shows the deductible, each tier and the cap for the 2019 settlement', () => {
    const working = benefitWorking(BACKBONE_STD, '41696');
    expect(working.deductibleTaken.toString()).toBe('1000');
    expect(
      working.tiers.map((t) => [
        t.index,
        t.from.toString(),
        t.to?.toString() ?? null,
        t.ratio.toString(),
        t.amountInBand.toString(),
        t.share.toString(),
      ]),
    ).toEqual([
      [0, '1000', '10000', '0.4', '9000', '3600'],
      [1, '10000', '30000', '0.5', '20000', '10000'],
      [2, '30000', null, '0.6', '11696', '7017.6'],
    ]);
    expect(working.uncapped.toString()).toBe('20617.6');
    expect(working.capReached).toBe(false);
    expect(working.capApplied).toBe(false);
    expect(working.benefit.toString()).toBe('20617.6');
  });

  it('marks the cap', () => {
    const working = benefitWorking(BACKBONE_STD, '60000');
    expect(working.uncapped.toString()).toBe('31600');
    expect(working.capApplied).toBe(true);
    expect(working.benefit.toString()).toBe('30000');
    const exactly = benefitWorking(capAtBoundary, '20000');
    expect(exactly.capReached).toBe(true);
    expect(exactly.capApplied).toBe(false);
  });

  it('below the deductible takes only what there is', () => {
    const working = benefitWorking(BACKBONE_STD, '640.50');
    expect(working.deductibleTaken.toString()).toBe('640.5');
    expect(working.tiers.every((t) => t.amountInBand.isZero() && t.share.isZero())).toBe(true);
    expect(working.benefit.isZero()).toBe(true);
  });

  it('always equals benefitExact', () => {
    for (const y of [
      '0',
      '999.99',
      '1000',
      '5000.5',
      '10000',
      '29999.99',
      '57333.33',
      '57333.34',
      '1000000',
    ]) {
      for (const plan of [BACKBONE_STD, capInFirstTier, capAtBoundary, singleTierNoDeductible]) {
        expect(benefitWorking(plan, y).benefit.eq(benefitExact(plan, y))).toBe(true);
      }
    }
  });
});
