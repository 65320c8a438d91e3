import {
  dayNumber,
  priceContract,
  PricingInputError,
  validatePlan,
  validateRateTable,
  type BenefitPlanTerms,
  type PricingInput,
  type RateTableBasis,
} from '../../../src/modules/pricing/engine';
import { BACKBONE_STD, CN_RURAL_2019, clone, defaultInput } from './fixtures';

function planWith(change: (plan: BenefitPlanTerms) => void): BenefitPlanTerms {
  const plan = clone(BACKBONE_STD);
  change(plan);
  return plan;
}

function tableWith(change: (table: RateTableBasis) => void): RateTableBasis {
  const table = clone(CN_RURAL_2019);
  change(table);
  return table;
}

const fields = (problems: { field: string }[]): string[] => problems.map((p) => p.field);

describe('validatePlan', () => {
  it('accepts the default plan and simple variants', () => {
    expect(validatePlan(BACKBONE_STD)).toEqual([]);
    expect(validatePlan({ deductible: 0, tiers: [{ upTo: null, ratio: 1 }], annualCap: 0 })).toEqual([]);
    expect(validatePlan(planWith((p) => (p.tiers[1].ratio = 0)))).toEqual([]);
  });

  it.each<[string, (p: BenefitPlanTerms) => void, string[]]>([
    ['ratio above 1', (p) => (p.tiers[1].ratio = 1.2), ['tiers[1].ratio']],
    ['negative ratio', (p) => (p.tiers[0].ratio = -0.1), ['tiers[0].ratio']],
    ['NaN ratio', (p) => (p.tiers[2].ratio = NaN), ['tiers[2].ratio']],
    ['tiers not ascending', (p) => (p.tiers[1].upTo = 9000), ['tiers[1].upTo']],
    ['equal bounds', (p) => (p.tiers[1].upTo = 10000), ['tiers[1].upTo']],
    ['first bound at the deductible', (p) => (p.tiers[0].upTo = 1000), ['tiers[0].upTo']],
    ['first bound below the deductible', (p) => (p.deductible = 12000), ['tiers[0].upTo']],
    ['a middle tier unbounded', (p) => (p.tiers[1].upTo = null), ['tiers[1].upTo']],
    ['the last tier bounded', (p) => (p.tiers[2].upTo = 50000), ['tiers[2].upTo']],
    ['infinite bound', (p) => (p.tiers[0].upTo = Infinity), ['tiers[0].upTo']],
    ['negative deductible', (p) => (p.deductible = -1), ['deductible']],
    ['negative cap', (p) => (p.annualCap = -5), ['annualCap']],
    ['infinite cap', (p) => (p.annualCap = Infinity), ['annualCap']],
    ['no tiers', (p) => (p.tiers = []), ['tiers']],
    [
      'several problems at once',
      (p) => {
        p.deductible = NaN;
        p.tiers[0].ratio = 2;
        p.tiers[2].ratio = -1;
      },
      ['deductible', 'tiers[0].ratio', 'tiers[2].ratio'],
    ],
  ])('refuses %s', (_name, change, expected) => {
    expect(fields(validatePlan(planWith(change)))).toEqual(expected);
  });

  it('says what is wrong', () => {
    expect(validatePlan(planWith((p) => (p.tiers[0].upTo = 800)))).toEqual([
      { field: 'tiers[0].upTo', message: 'must be above the deductible (1000)' },
    ]);
  });
});

describe('validateRateTable', () => {
  it('accepts the default table', () => {
    expect(validateRateTable(CN_RURAL_2019)).toEqual([]);
  });

  it.each<[string, (t: RateTableBasis) => void, string[]]>([
    ['a negative frequency', (t) => (t.frequency['30-39'].M = -0.01), ['frequency.30-39.M']],
    ['a NaN frequency', (t) => (t.frequency['18-29'].F = NaN), ['frequency.18-29.F']],
    ['sigma 0', (t) => (t.severity['18-29'].sigma = 0), ['severity.18-29.sigma']],
    ['negative sigma', (t) => (t.severity['40-49'].sigma = -1.2), ['severity.40-49.sigma']],
    ['infinite mu', (t) => (t.severity['50-60'].mu = Infinity), ['severity.50-60.mu']],
    ['loadings summing to 1', (t) => (t.riskMargin = 0.92), ['expenseLoading']],
    ['loadings above 1', (t) => (t.expenseLoading = 0.99), ['expenseLoading']],
    ['a negative loading', (t) => (t.riskMargin = -0.04), ['riskMargin']],
    ['negative minimum premium', (t) => (t.minPremium = -1), ['minPremium']],
    ['zero full-credibility standard', (t) => (t.fullCredibilityClaims = 0), ['fullCredibilityClaims']],
    ['maxRateChange above 1', (t) => (t.maxRateChange = 1.5), ['maxRateChange']],
    ['maxRateChange below 0', (t) => (t.maxRateChange = -0.1), ['maxRateChange']],
    ['a non-date baseDate', (t) => (t.baseDate = 'July 2019'), ['baseDate']],
    ['an impossible baseDate', (t) => (t.baseDate = '2019-02-29'), ['baseDate']],
    ['a baseDate without padding', (t) => (t.baseDate = '2019-7-1'), ['baseDate']],
    ['a negative area factor', (t) => (t.areaFactors['52'] = -0.95), ['areaFactors.52']],
    ['a trend of −100 %', (t) => (t.annualTrend = -1), ['annualTrend']],
  ])('refuses %s', (_name, change, expected) => {
    expect(fields(validateRateTable(tableWith(change)))).toEqual(expected);
  });
});

describe('dayNumber', () => {
  it('counts days since 1970-01-01 and refuses non-dates', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('2020-07-01')! - dayNumber('2019-07-01')!).toBe(366);
    expect(dayNumber('2020-02-29')).not.toBeNull();
    expect(dayNumber('2019-02-29')).toBeNull();
    expect(dayNumber('2019-13-01')).toBeNull();
    expect(dayNumber('0019-01-01')).toBeNull();
    expect(dayNumber('2019-01-01T00:00:00Z')).toBeNull();
  });
});

describe('priceContract refuses bad input with every problem and its field', () => {
  function problemsOf(input: PricingInput): string[] {
    try {
      priceContract(input);
    } catch (e) {
      expect(e).toBeInstanceOf(PricingInputError);
      expect(e).toBeInstanceOf(Error);
      return fields((e as PricingInputError).problems);
    }
    throw new Error('expected a PricingInputError');
  }

  it('prefixes plan and rate-table problems', () => {
    const input = defaultInput('51');
    input.plan.tiers[1].ratio = 1.5;
    input.rateTable.severity['18-29'].sigma = 0;
    expect(problemsOf(input)).toEqual(['plan.tiers[1].ratio', 'rateTable.severity.18-29.sigma']);
  });

  it('refuses bad populations', () => {
    expect(problemsOf({ ...defaultInput('51'), population: { headCount: 0 } })).toEqual(['population']);
    expect(problemsOf({ ...defaultInput('51'), population: { headCount: 12.5 } })).toEqual([
      'population.headCount',
    ]);
    expect(problemsOf({ ...defaultInput('51'), population: { headCount: -3 } })).toEqual([
      'population.headCount',
    ]);
    const cells = {
      '18-29': { F: 1.5, M: 0 },
      '30-39': { F: 0, M: -1 },
      '40-49': { F: 0, M: 0 },
      '50-60': { F: 0, M: 0 },
    };
    expect(problemsOf({ ...defaultInput('51'), population: { cells } })).toEqual([
      'population.cells.18-29.F',
      'population.cells.30-39.M',
    ]);
  });

  it('refuses bad periods and province codes', () => {
    expect(problemsOf({ ...defaultInput('51'), periodEnd: '2019-12-31' })).toEqual(['periodEnd']);
    expect(problemsOf({ ...defaultInput('51'), periodStart: '2020-02-30' })).toEqual(['periodStart']);
    expect(problemsOf({ ...defaultInput(''), periodStart: '2020-01-01' })).toEqual(['provinceCode']);
  });

  it('refuses bad experience', () => {
    const input = defaultInput('51');
    input.experience = {
      claimCount: 2.5,
      incurred: 'lots',
      exposure: -1,
      previousGrossPerCapita: '0',
      expiring: {
        population: { headCount: 100 },
        plan: planWith((p) => (p.annualCap = -1)),
        periodStart: '2019-01-01',
        periodEnd: '2018-12-31',
      },
    };
    expect(problemsOf(input)).toEqual([
      'experience.claimCount',
      'experience.incurred',
      'experience.exposure',
      'experience.previousGrossPerCapita',
      'experience.expiring.plan.annualCap',
      'experience.expiring.periodEnd',
    ]);
  });

  it('needs people in the expiring contract only when it has exposure', () => {
    const input = defaultInput('51');
    input.experience = {
      claimCount: 0,
      incurred: 0,
      exposure: 10,
      previousGrossPerCapita: 30,
      expiring: {
        population: { headCount: 0 },
        plan: clone(BACKBONE_STD),
        periodStart: '2019-01-01',
        periodEnd: '2019-12-31',
      },
    };
    expect(problemsOf(input)).toEqual(['experience.expiring.population']);
    input.experience.exposure = 0;
    expect(priceContract(input).perCapitaPremium).toBe('30.31');
  });
});
