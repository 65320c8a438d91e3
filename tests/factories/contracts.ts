import { createHash } from 'node:crypto';
import type { Harness } from '../helpers/harness';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import { ContractStatus, CountyContract } from '../../src/modules/contracts/county-contract.entity';
import { Quote } from '../../src/modules/contracts/quote.entity';
import { County } from '../../src/modules/counties/county.entity';
import { BenefitPlan } from '../../src/modules/pricing/benefit-plan.entity';
import { RateTable, RateTableStatus } from '../../src/modules/pricing/rate-table.entity';
import { Programme, ProgrammeFunding } from '../../src/modules/programmes/programme.entity';
import { formatMoney, money, sumMoney } from '../../src/shared/money';

let seq = 0;
const next = () => ++seq;

export interface ProgrammeFixture {
  id: number;
  year: number;
  budget: string;
  planId: number;
  rateTableId: number;
}

/** A benefit plan (unlocked) with the usual 2020 terms. */
export async function createPlan(h: Harness, code = `PLAN-${next()}`): Promise<BenefitPlan> {
  const em = h.em();
  const plan = em.create(BenefitPlan, {
    code,
    version: 1,
    name: `Plan ${code}`,
    deductible: '10000.00',
    tiers: [
      { upTo: '50000.00', ratio: '0.5' },
      { upTo: null, ratio: '0.7' },
    ],
    annualCap: '150000.00',
    hospitalLevels: ['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL'],
  });
  await em.flush();
  return plan;
}

/** A rate table, PUBLISHED unless told otherwise. */
export async function createRateTable(
  h: Harness,
  status: RateTableStatus = RateTableStatus.PUBLISHED,
  code = `RT-${next()}`,
): Promise<RateTable> {
  const em = h.em();
  const cell = (f: number) => ({ F: f, M: f * 1.1 });
  const table = em.create(RateTable, {
    code,
    version: 1,
    status,
    baseDate: '2019-01-01',
    frequency: { '18-29': cell(0.01), '30-39': cell(0.015), '40-49': cell(0.02), '50-60': cell(0.03) },
    severity: {
      '18-29': { mu: 9.5, sigma: 1 },
      '30-39': { mu: 9.6, sigma: 1 },
      '40-49': { mu: 9.7, sigma: 1 },
      '50-60': { mu: 9.8, sigma: 1 },
    },
    annualTrend: 0.05,
    expenseLoading: 0.1,
    riskMargin: 0.05,
    minPremium: '20.00',
    fullCredibilityClaims: 1082,
    maxRateChange: 0.25,
    publishedAt: status === RateTableStatus.DRAFT ? null : new Date(),
  });
  await em.flush();
  return table;
}

/**
 * A programme year with funding sources summing to `budget`, a default plan and a
 * published default rate table.
 */
export async function createProgramme(
  h: Harness,
  opts: { year: number; budget?: string; funding?: Record<string, string> },
): Promise<ProgrammeFixture> {
  const plan = await createPlan(h);
  const table = await createRateTable(h);
  const funding = opts.funding ?? { PUBLIC_FUNDRAISING: opts.budget ?? '1000000.00' };
  const budget = formatMoney(sumMoney(Object.values(funding)));
  const em = h.em();
  const programme = em.create(Programme, {
    year: opts.year,
    name: `Programme ${opts.year}`,
    budget,
    defaultPlan: em.getReference(BenefitPlan, plan.id),
    defaultRateTable: em.getReference(RateTable, table.id),
  });
  for (const [source, amount] of Object.entries(funding))
    em.create(ProgrammeFunding, { programme, source, amount });
  await em.flush();
  return { id: programme.id, year: opts.year, budget, planId: plan.id, rateTableId: table.id };
}

export interface ContractOptions {
  countyCode: string;
  status?: ContractStatus.DRAFT | ContractStatus.QUOTED;
  periodStart?: string;
  periodEnd?: string;
  declaredHeadCount?: number;
}

/** A DRAFT contract written straight through the ORM (no audit event: a fixture, not an action). */
export async function createDraftContract(
  h: Harness,
  p: ProgrammeFixture,
  opts: ContractOptions,
): Promise<CountyContract> {
  const em = h.em();
  const contract = em.create(CountyContract, {
    // County's key is its code (the entity declares no PrimaryKeyProp, hence the cast).
    county: em.getReference(County, opts.countyCode as never),
    programme: em.getReference(Programme, p.id),
    programmeYear: p.year,
    plan: em.getReference(BenefitPlan, p.planId),
    rateTable: null,
    periodStart: opts.periodStart ?? `${p.year}-03-01`,
    periodEnd: opts.periodEnd ?? `${p.year + 1}-02-28`,
    declaredHeadCount: opts.declaredHeadCount ?? 1000,
  });
  await em.flush();
  return contract;
}

/**
 * Stands in for the pricing module's quote flow (not built yet): inserts a Quote row with
 * the given premium through the ORM and moves the contract to QUOTED through
 * `ContractService.markQuoted`, the same lifecycle call the quote flow makes.
 * `totalPremium` = `perCapita` × `insuredCount`.
 */
export async function quoteContract(
  h: Harness,
  contractId: number,
  opts: {
    perCapita?: string;
    insuredCount?: number;
    carryOverCredit?: string;
    planId?: number;
    rateTableId?: number;
  } = {},
): Promise<Quote> {
  const em = h.em();
  return em.transactional(async (tx) => {
    const contract = await tx.findOneOrFail(CountyContract, { id: contractId }, { populate: ['programme'] });
    const insuredCount = opts.insuredCount ?? contract.declaredHeadCount ?? 1000;
    const perCapita = opts.perCapita ?? '100.00';
    const total = formatMoney(money(perCapita).times(insuredCount));
    const planId = opts.planId ?? contract.plan.id;
    const rateTableId = opts.rateTableId ?? contract.rateTable?.id ?? contract.programme.defaultRateTable!.id;
    const inputs = { contractId, planId, rateTableId, insuredCount, perCapita, n: next() };
    const quote = tx.create(Quote, {
      contract,
      rateTable: tx.getReference(RateTable, rateTableId),
      plan: tx.getReference(BenefitPlan, planId),
      inputHash: createHash('sha256').update(JSON.stringify(inputs)).digest('hex'),
      inputs,
      breakdown: { fixture: true },
      insuredCount,
      perCapitaPremium: formatMoney(perCapita),
      totalPremium: total,
      carryOverCredit: formatMoney(opts.carryOverCredit ?? '0'),
      credibility: 0,
      expectedClaimCount: 1,
      expectedClaimsCost: formatMoney(money(total).times(0.8)),
    });
    await tx.flush();
    await h.rt.services.contracts.markQuoted(tx, SYSTEM_ACTOR, contract, quote);
    return quote;
  });
}

/** A QUOTED contract whose newest quote has `totalPremium` = perCapita × insuredCount. */
export async function createQuotedContract(
  h: Harness,
  p: ProgrammeFixture,
  opts: ContractOptions & { perCapita?: string; insuredCount?: number; carryOverCredit?: string },
): Promise<{ contract: CountyContract; quote: Quote; version: number }> {
  const draft = await createDraftContract(h, p, opts);
  const quote = await quoteContract(h, draft.id, opts);
  const [row] = await h.sql<{ version: number }>('select version from county_contract where id = $1', [
    draft.id,
  ]);
  return { contract: draft, quote, version: row!.version };
}

/** The stored version of a contract (what a client would have read). */
export async function contractVersion(h: Harness, id: number | string): Promise<number> {
  const [row] = await h.sql<{ version: number }>('select version from county_contract where id = $1', [id]);
  return row!.version;
}
