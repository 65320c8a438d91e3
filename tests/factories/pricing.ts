import type { Harness } from '../helpers/harness';
import { County } from '../../src/modules/counties/county.entity';
import { CountyContract } from '../../src/modules/contracts/county-contract.entity';
import { BenefitPlan } from '../../src/modules/pricing/benefit-plan.entity';
import { RateTable, RateTableStatus } from '../../src/modules/pricing/rate-table.entity';
import { Programme } from '../../src/modules/programmes/programme.entity';
import { DEFAULT_PLAN, DEFAULT_RATE_TABLE } from '../../src/seed/defaults';

/** The default plan BACKBONE-STD and the published table CN-RURAL-2019 of pricing.md. */
export async function createDefaults(h: Harness): Promise<{ plan: BenefitPlan; table: RateTable }> {
  const em = h.em();
  const plan = em.create(BenefitPlan, {
    ...DEFAULT_PLAN,
    tiers: DEFAULT_PLAN.tiers.map((t) => ({ ...t })),
    hospitalLevels: [...DEFAULT_PLAN.hospitalLevels],
    requiredDocuments: [...DEFAULT_PLAN.requiredDocuments],
  });
  const table = em.create(RateTable, {
    ...DEFAULT_RATE_TABLE,
    status: RateTableStatus.PUBLISHED,
    frequency: JSON.parse(JSON.stringify(DEFAULT_RATE_TABLE.frequency)),
    severity: JSON.parse(JSON.stringify(DEFAULT_RATE_TABLE.severity)),
    areaFactors: { ...DEFAULT_RATE_TABLE.areaFactors },
  });
  await em.flush();
  return { plan, table };
}

/** A programme year priced with the defaults, and a DRAFT contract per given county. */
export async function createPricedProgramme(
  h: Harness,
  year: number,
  counties: { code: string; headCount?: number | null }[],
  defaults: { plan: BenefitPlan; table: RateTable },
): Promise<{ programme: Programme; contracts: CountyContract[] }> {
  const em = h.em();
  const programme = em.create(Programme, {
    year,
    name: `Programme ${year}`,
    budget: '100000000.00',
    defaultPlan: em.getReference(BenefitPlan, defaults.plan.id),
    defaultRateTable: em.getReference(RateTable, defaults.table.id),
  });
  const contracts = counties.map((c) =>
    em.create(CountyContract, {
      county: em.getReference(County, c.code as never),
      programme,
      programmeYear: year,
      plan: em.getReference(BenefitPlan, defaults.plan.id),
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
      declaredHeadCount: c.headCount === undefined ? 10000 : c.headCount,
    }),
  );
  await em.flush();
  return { programme, contracts };
}
