/**
 * The demo data `npm start` loads into an empty database, as a list of steps. Each step runs
 * in one transaction and is idempotent on its own (find-or-create by natural key), so a step
 * that failed half-way is simply run again. Later steps (rosters, claims) append to
 * `DEMO_STEPS`; src/seed/index.ts decides whether the seed runs at all.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { demoClaims } from './demo-claims';
import { demoRosters } from './demo-rosters';
import type { AuditService } from '../modules/audit/audit.service';
import { SYSTEM_ACTOR } from '../modules/auth/actor';
import { ContractStatus, CountyContract } from '../modules/contracts/county-contract.entity';
import { County } from '../modules/counties/county.entity';
import { BenefitPlan } from '../modules/pricing/benefit-plan.entity';
import { RateTable, RateTableStatus } from '../modules/pricing/rate-table.entity';
import { Programme, ProgrammeFunding } from '../modules/programmes/programme.entity';
import { formatMoney, sumMoney } from '../shared/money';
import {
  DEFAULT_PLAN,
  DEFAULT_RATE_TABLE,
  type BenefitPlanDefinition,
  type RateTableDefinition,
} from './defaults';
import { loadCalendar, loadCounties } from './reference-data';

/** What every step gets: where the reference data is, and the audit trail to write to. */
export interface DemoSeedContext {
  dataDir: string;
  audit: AuditService;
  /** The instant stamped on published tables (the process clock unless a test fixes it). */
  now: () => Date;
}

/** Counts of what one step wrote (rows it created or upserted), for the log and the tests. */
export type StepCounts = Record<string, number>;

export interface DemoSeedStep {
  name: string;
  run(em: EntityManager, ctx: DemoSeedContext): Promise<StepCounts>;
}

/** The 2020 programme year: the 2020 annual report's funding (RMB, to the fen). */
export const DEMO_PROGRAMME_2020 = Object.freeze({
  year: 2020,
  name: 'Backbone Project 2020',
  funding: Object.freeze([
    { source: 'public fundraising', amount: '99707300.00' },
    { source: 'other income', amount: '5719400.00' },
  ]),
  periodStart: '2020-01-01',
  periodEnd: '2020-12-31',
});

/**
 * Declared head counts (registered-poor adults 18–60) of the 2020 demo contracts, one per
 * demo county. Plausible magnitudes (the 2020 report: 3.02 M insured in 50 counties, about
 * 60 k per county); a roster, once imported, replaces them.
 */
export const DEMO_DECLARED_HEAD_COUNTS: Readonly<Record<string, number>> = Object.freeze({
  '513432': 58_600, // Xide, Sichuan
  '520521': 86_400, // Dafang, Guizhou
  '522631': 71_200, // Liping, Guizhou
  '532624': 34_800, // Malipo, Yunnan
  '532627': 79_500, // Guangnan, Yunnan
  '421122': 41_300, // Hong'an, Hubei
  '420529': 30_200, // Wufeng, Hubei
  '420528': 37_900, // Changyang, Hubei
  '420527': 32_600, // Zigui, Hubei
  '420322': 63_700, // Yunxi, Hubei
});

/** Finds the plan version or creates it from the definition; audited when created. */
export async function ensurePlan(
  em: EntityManager,
  ctx: DemoSeedContext,
  def: BenefitPlanDefinition,
): Promise<{ plan: BenefitPlan; created: boolean }> {
  const found = await em.findOne(BenefitPlan, { code: def.code, version: def.version });
  if (found) return { plan: found, created: false };
  const plan = em.create(BenefitPlan, {
    code: def.code,
    version: def.version,
    name: def.name,
    deductible: def.deductible,
    tiers: def.tiers.map((t) => ({ ...t })),
    annualCap: def.annualCap,
    hospitalLevels: [...def.hospitalLevels],
    minAge: def.minAge,
    maxAge: def.maxAge,
    filingWindowDays: def.filingWindowDays,
    autoApproveLimit: def.autoApproveLimit,
    reviewThreshold: def.reviewThreshold,
    requiredDocuments: [...def.requiredDocuments],
  });
  await em.flush();
  ctx.audit.record(em, SYSTEM_ACTOR, {
    entityType: 'BenefitPlan',
    entityId: plan.id,
    action: 'CREATE',
    changes: { code: def.code, version: def.version, source: 'seed' },
  });
  return { plan, created: true };
}

/** Finds the table version or creates it PUBLISHED from the definition; audited when created. */
export async function ensurePublishedRateTable(
  em: EntityManager,
  ctx: DemoSeedContext,
  def: RateTableDefinition,
): Promise<{ table: RateTable; created: boolean }> {
  const found = await em.findOne(RateTable, { code: def.code, version: def.version });
  if (found) return { table: found, created: false };
  const table = em.create(RateTable, {
    code: def.code,
    version: def.version,
    status: RateTableStatus.PUBLISHED,
    baseDate: def.baseDate,
    frequency: JSON.parse(JSON.stringify(def.frequency)) as RateTable['frequency'],
    severity: JSON.parse(JSON.stringify(def.severity)) as RateTable['severity'],
    areaFactors: { ...def.areaFactors },
    annualTrend: def.annualTrend,
    expenseLoading: def.expenseLoading,
    riskMargin: def.riskMargin,
    minPremium: def.minPremium,
    fullCredibilityClaims: def.fullCredibilityClaims,
    maxRateChange: def.maxRateChange,
    publishedAt: ctx.now(),
  });
  await em.flush();
  ctx.audit.record(em, SYSTEM_ACTOR, {
    entityType: 'RateTable',
    entityId: table.id,
    action: 'PUBLISH',
    fromState: null,
    toState: RateTableStatus.PUBLISHED,
    changes: { code: def.code, version: def.version, source: 'seed' },
  });
  return { table, created: true };
}

/** Step 1: the ten demo counties and the 2019–2021 working-day calendar. */
const referenceData: DemoSeedStep = {
  name: 'reference-data',
  async run(em, ctx) {
    return em.transactional(async (tx) => {
      const counties = await loadCounties(tx, ctx.dataDir);
      const calendarDays = await loadCalendar(tx, ctx.dataDir);
      return { counties, calendarDays };
    });
  },
};

/** Step 2: the default benefit plan and the default rate table, published. */
const pricingDefaults: DemoSeedStep = {
  name: 'pricing-defaults',
  async run(em, ctx) {
    return em.transactional(async (tx) => {
      const { created: planCreated } = await ensurePlan(tx, ctx, DEFAULT_PLAN);
      const { created: tableCreated } = await ensurePublishedRateTable(tx, ctx, DEFAULT_RATE_TABLE);
      await tx.flush();
      return { benefitPlans: planCreated ? 1 : 0, rateTables: tableCreated ? 1 : 0 };
    });
  },
};

/** Step 3: programme 2020 (budget from its funding, the defaults) and a DRAFT contract per county. */
const programme2020: DemoSeedStep = {
  name: 'programme-2020',
  async run(em, ctx) {
    return em.transactional(async (tx) => {
      const p = DEMO_PROGRAMME_2020;
      const plan = await tx.findOneOrFail(BenefitPlan, {
        code: DEFAULT_PLAN.code,
        version: DEFAULT_PLAN.version,
      });
      const table = await tx.findOneOrFail(RateTable, {
        code: DEFAULT_RATE_TABLE.code,
        version: DEFAULT_RATE_TABLE.version,
      });
      let programme = await tx.findOne(Programme, { year: p.year });
      let programmes = 0;
      if (!programme) {
        const budget = formatMoney(sumMoney(p.funding.map((f) => f.amount)));
        programme = tx.create(Programme, {
          year: p.year,
          name: p.name,
          budget,
          defaultPlan: plan,
          defaultRateTable: table,
        });
        for (const f of p.funding)
          tx.create(ProgrammeFunding, { programme, source: f.source, amount: f.amount });
        await tx.flush();
        ctx.audit.record(tx, SYSTEM_ACTOR, {
          entityType: 'Programme',
          entityId: programme.id,
          action: 'CREATE',
          changes: { year: p.year, budget: { from: null, to: budget }, funding: p.funding, source: 'seed' },
        });
        programmes = 1;
      }

      const codes = Object.keys(DEMO_DECLARED_HEAD_COUNTS).sort();
      const counties = await tx.find(County, { code: { $in: codes } });
      if (counties.length !== codes.length) {
        const missing = codes.filter((c) => !counties.some((county) => county.code === c));
        throw new Error(`demo seed: counties not loaded: ${missing.join(', ')}`);
      }
      const existing = new Set(
        (await tx.find(CountyContract, { programme }, { populate: ['county'] })).map((c) => c.county.code),
      );
      const created: CountyContract[] = [];
      for (const county of counties.sort((a, b) => a.code.localeCompare(b.code))) {
        if (existing.has(county.code)) continue;
        created.push(
          tx.create(CountyContract, {
            county,
            programme,
            programmeYear: p.year,
            plan,
            rateTable: table,
            periodStart: p.periodStart,
            periodEnd: p.periodEnd,
            declaredHeadCount: DEMO_DECLARED_HEAD_COUNTS[county.code]!,
            status: ContractStatus.DRAFT,
          }),
        );
      }
      await tx.flush();
      for (const c of created) {
        ctx.audit.record(tx, SYSTEM_ACTOR, {
          entityType: 'CountyContract',
          entityId: c.id,
          action: 'CREATE',
          fromState: null,
          toState: ContractStatus.DRAFT,
          changes: {
            countyCode: c.county.code,
            programmeYear: c.programmeYear,
            planCode: plan.code,
            planVersion: plan.version,
            rateTableCode: table.code,
            rateTableVersion: table.version,
            periodStart: c.periodStart,
            periodEnd: c.periodEnd,
            declaredHeadCount: c.declaredHeadCount,
            source: 'seed',
          },
        });
      }
      await tx.flush();
      return { programmes, fundingSources: programmes ? p.funding.length : 0, contracts: created.length };
    });
  },
};

/** In order; each later step may rely on the ones before it. */
/** Reference data, the pricing defaults and programme 2020 with its DRAFT contracts. */
export const BASE_STEPS: readonly DemoSeedStep[] = [referenceData, pricingDefaults, programme2020];

/**
 * What `npm start` loads: the base, then a roster per county through the import pipeline,
 * then claims through the product's adjudication and a paid payout batch. (Functions, not
 * values, are read from the two later modules, so their import of this file is safe.)
 */
export const DEMO_STEPS: readonly DemoSeedStep[] = [...BASE_STEPS, demoRosters, demoClaims];
