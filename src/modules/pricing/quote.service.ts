import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { canonicalJson, sha256Hex } from '../../shared/canonical-json';
import type { Clock } from '../../shared/clock';
import { badInput, badInputs, conflict, DomainError, notFound, type FieldProblem } from '../../shared/errors';
import { formatMoney, money } from '../../shared/money';
import { scopeWhere, type Actor } from '../auth/actor';
import { ContractStatus, CountyContract } from '../contracts/county-contract.entity';
import type { ContractService } from '../contracts/contract.service';
import { Quote } from '../contracts/quote.entity';
import { Programme } from '../programmes/programme.entity';
import { BenefitPlan } from './benefit-plan.entity';
import {
  AGE_BANDS,
  GENDERS,
  PricingInputError,
  priceContract,
  validatePlan,
  type BenefitPlanTerms,
  type PopulationCells,
  type PopulationInput,
  type PricingInput,
  type PricingResult,
  type RateTableBasis,
} from './engine';
import { planTerms } from './plan.service';
import { rateTableBasis as rateBasis } from './rate-table.service';
import { RateTable, RateTableStatus } from './rate-table.entity';

/** The expiring contract's experience as the renewal run (or an actuary) supplies it. */
export interface ExperienceData {
  /** N: claims of the expiring contract. */
  claimCount: number;
  /** I: paid + approved-unpaid + IBNR share, exact. */
  incurred: string;
  /** E: exposure in insured-years. */
  exposure: number;
  /** Where I came from, e.g. "IBNR from loss study 3" or "no loss study: IBNR 0". */
  note?: string;
}

export interface QuoteRequest {
  contractId: number;
  /** Optimistic lock of the contract (quoteContract). */
  version?: number;
  /** Price with this table instead of the contract's (preview may use a DRAFT table). */
  rateTableId?: number;
  experience?: ExperienceData;
  /** Year-end carry-over credit from the predecessor (renewals); lowers what the foundation pays. */
  carryOverCredit?: string;
}

/** Everything a quote was priced from: stored with it, hashed to recognise identical inputs. */
export interface QuoteSnapshot {
  contractId: number;
  countyCode: string;
  provinceCode: string;
  periodStart: string;
  periodEnd: string;
  population: {
    source: 'ROSTER' | 'DECLARED_HEAD_COUNT';
    cells: PopulationCells | null;
    headCount: number | null;
    excludedOutOfRange: number;
  };
  plan: { id: number | null; code: string; version: number | null; terms: BenefitPlanTerms };
  rateTable: { id: number; code: string; version: number; status: string; basis: RateTableBasis };
  experience: (ExperienceData & { predecessorContractId: number; previousPerCapita: string }) | null;
  carryOverCredit: string;
}

export interface PricedQuote {
  snapshot: QuoteSnapshot;
  inputHash: string;
  result: PricingResult;
}

export interface PlanProposal {
  /** A label for the comparison, e.g. "deductible 500". */
  label: string;
  /** An existing plan… */
  planId?: number;
  /** …or proposed terms. */
  terms?: BenefitPlanTerms;
}

export interface PlanSimulation {
  label: string;
  terms: BenefitPlanTerms;
  priced: PricedQuote;
  replay: {
    programmeYear: number | null;
    contractId: number | null;
    people: number;
    claims: number;
    benefit: string;
    /** Benefit ÷ (this plan's per-capita × that year's insured count). */
    lossRatio: number | null;
    peopleAtCap: number;
    note: string | null;
  };
}

export interface CountyQuoteSummary {
  countyCode: string;
  contractId: number;
  outcome: 'QUOTED' | 'UNCHANGED' | 'FAILED';
  quoteId: number | null;
  insuredCount: number | null;
  perCapitaPremium: string | null;
  totalPremium: string | null;
  reason: string | null;
}

export interface QuoteProgrammeResult {
  year: number;
  contracts: number;
  quoted: number;
  unchanged: number;
  failed: number;
  counties: CountyQuoteSummary[];
}

/** Memory for a year's roster GROUP BY (set locally in its transaction). */
export const ROSTER_WORK_MEM = '64MB';

/** Contracts saved per transaction by quoteProgramme. */
const QUOTE_BATCH = 50;

/** A contract's roster counted by cell; `excluded` = enrolled people outside 18–60 at the start. */
export interface RosterCells {
  cells: PopulationCells;
  priced: number;
  excluded: number;
}

interface Population {
  input: PopulationInput;
  snapshot: QuoteSnapshot['population'];
}

function emptyCells(): PopulationCells {
  return Object.fromEntries(
    AGE_BANDS.map((b) => [b, Object.fromEntries(GENDERS.map((g) => [g, 0]))]),
  ) as PopulationCells;
}

/**
 * County quotes: gathers the population with one GROUP BY, calls the pure engine, stores an
 * immutable Quote with its input snapshot and breakdown, and moves the contract to QUOTED.
 */
export class QuoteService {
  constructor(
    private readonly clock: Clock,
    private readonly contracts: ContractService,
  ) {}

  /** Prices a contract without saving anything. */
  async preview(em: EntityManager, actor: Actor, req: QuoteRequest): Promise<PricedQuote> {
    const contract = await this.loadContract(em, actor, req.contractId);
    return this.price(em, contract, req, { requirePublished: false });
  }

  /**
   * Prices and saves a quote, DRAFT/QUOTED → QUOTED. Identical inputs give the identical
   * quote: when the newest quote has the same input hash, it is returned and nothing is written.
   */
  async quote(
    em: EntityManager,
    actor: Actor,
    req: QuoteRequest,
    prefetched?: Map<number, RosterCells>,
  ): Promise<{ quote: Quote; created: boolean }> {
    return em.transactional(async (tx) => {
      const contract = await this.contracts.lockContract(tx, actor, req.contractId, req.version);
      const [outcome] = await this.quoteLocked(tx, actor, [{ contract, req }], prefetched);
      if ('error' in outcome!) throw outcome.error;
      return outcome!;
    });
  }

  /**
   * Prices and saves quotes for contracts already locked by the caller's transaction, in a
   * few statements for the whole set: the newest quotes in one query, the new quotes in one
   * insert, then the transitions and their audit events in one flush. A contract whose
   * pricing fails with a domain error gets that error back and nothing is written for it
   * (every check runs before anything is written).
   */
  private async quoteLocked(
    tx: EntityManager,
    actor: Actor,
    items: { contract: CountyContract; req: QuoteRequest }[],
    prefetched?: Map<number, RosterCells>,
  ): Promise<({ quote: Quote; created: boolean } | { error: DomainError })[]> {
    const newest = new Map<number, { id: number; hash: string }>();
    if (items.length) {
      const rows = await tx
        .getConnection()
        .execute<{ id: number; contract_id: number; input_hash: string }[]>(
          `select distinct on (contract_id) id, contract_id, input_hash from quote
          where contract_id in (${items.map(() => '?').join(', ')}) order by contract_id, id desc`,
          items.map((i) => i.contract.id),
          'all',
          tx.getTransactionContext(),
        );
      for (const r of rows) newest.set(r.contract_id, { id: r.id, hash: r.input_hash });
    }
    const out: ({ quote: Quote; created: boolean } | { error: DomainError })[] = [];
    const fresh: { contract: CountyContract; quote: Quote }[] = [];
    for (const { contract, req } of items) {
      try {
        if (contract.status !== ContractStatus.DRAFT && contract.status !== ContractStatus.QUOTED) {
          throw conflict(
            `contract ${contract.id} is ${contract.status}; quotes are made in DRAFT or QUOTED`,
            'ILLEGAL_TRANSITION',
            { currentStatus: contract.status },
          );
        }
        const priced = await this.price(tx, contract, req, { requirePublished: true, prefetched });
        const last = newest.get(contract.id);
        if (last && last.hash === priced.inputHash && contract.status === ContractStatus.QUOTED) {
          out.push({ quote: await tx.findOneOrFail(Quote, { id: last.id }), created: false });
          continue;
        }
        const r = priced.result;
        const quote = tx.create(Quote, {
          contract,
          rateTable: tx.getReference(RateTable, priced.snapshot.rateTable.id),
          plan: tx.getReference(BenefitPlan, priced.snapshot.plan.id!),
          inputHash: priced.inputHash,
          inputs: priced.snapshot as unknown as Record<string, unknown>,
          breakdown: r as unknown as Record<string, unknown>,
          insuredCount: r.insuredCount,
          perCapitaPremium: r.perCapitaPremium,
          totalPremium: r.totalPremium,
          carryOverCredit: priced.snapshot.carryOverCredit,
          credibility: r.credibility,
          expectedClaimCount: r.expectedClaimCount,
          expectedClaimsCost: r.expectedClaimsCost,
          createdByTokenId: actor.tokenId,
          createdAt: this.clock.now(),
        });
        fresh.push({ contract, quote });
        out.push({ quote, created: true });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        out.push({ error: err });
      }
    }
    if (fresh.length) {
      await tx.flush();
      for (const f of fresh) await this.contracts.markQuoted(tx, actor, f.contract, f.quote);
      await tx.flush();
    }
    return out;
  }

  async get(em: EntityManager, actor: Actor, id: number): Promise<Quote> {
    const quote = await em.findOne(Quote, { $and: [{ id }, { contract: scopeWhere(actor, 'county') }] });
    if (!quote) throw notFound('Quote', id);
    return quote;
  }

  /** A contract's quotes, newest first. */
  async forContract(em: EntityManager, actor: Actor, contractId: number): Promise<Quote[]> {
    await this.loadContract(em, actor, contractId);
    return em.find(Quote, { contract: contractId }, { orderBy: { id: 'desc' } });
  }

  /**
   * What-if: prices each proposed plan for the contract and replays the county's last
   * complete year of approved claims under it (per person, in SQL). Nothing is saved.
   */
  async simulatePlans(
    em: EntityManager,
    actor: Actor,
    contractId: number,
    proposals: PlanProposal[],
  ): Promise<PlanSimulation[]> {
    if (!proposals.length) throw badInput('plans', 'give at least one plan');
    if (proposals.length > 10) throw badInput('plans', 'at most 10 plans at once');
    const contract = await this.loadContract(em, actor, contractId);
    const problems: FieldProblem[] = [];
    const plans: { label: string; terms: BenefitPlanTerms; plan: BenefitPlan | null }[] = [];
    for (const [i, p] of proposals.entries()) {
      if ((p.planId === undefined) === (p.terms === undefined)) {
        problems.push({ field: `plans[${i}]`, message: 'give either planId or terms' });
        continue;
      }
      if (p.planId !== undefined) {
        const plan = await em.findOne(BenefitPlan, { id: p.planId });
        if (!plan) problems.push({ field: `plans[${i}].planId`, message: `unknown plan ${p.planId}` });
        else plans.push({ label: p.label, terms: planTerms(plan), plan });
      } else {
        const bad = validatePlan(p.terms!);
        for (const b of bad) problems.push({ field: `plans[${i}].terms.${b.field}`, message: b.message });
        if (!bad.length) plans.push({ label: p.label, terms: p.terms!, plan: null });
      }
    }
    if (problems.length) throw badInputs(problems);
    const last = await this.lastCompleteYear(em, contract);
    const out: PlanSimulation[] = [];
    for (const p of plans) {
      const priced = await this.price(em, contract, {}, { requirePublished: false, planOverride: p });
      out.push({
        label: p.label,
        terms: p.terms,
        priced,
        replay: await this.replay(em, last, p.terms, priced.result.perCapitaPremium),
      });
    }
    return out;
  }

  /**
   * Quotes every DRAFT/QUOTED contract of a programme year (the quoteProgramme job): all
   * rosters in one GROUP BY, then each contract priced and saved in its own transaction. A
   * county that cannot be priced is reported and the run goes on; a re-run writes nothing
   * for contracts whose inputs did not change.
   */
  async quoteProgramme(
    em: EntityManager,
    actor: Actor,
    year: number,
    onProgress: (done: number, total: number) => Promise<void> = async () => undefined,
  ): Promise<QuoteProgrammeResult> {
    const work = await this.quotableContracts(em.fork(), year);
    const rosters = await this.rosterCells(em.fork(), { year });
    // Plans, rate tables and the programme are read once into this run's identity map; each
    // contract's transaction forks from it and finds them there instead of asking again.
    const runEm = em.fork();
    await runEm.find(Programme, { year });
    await runEm.find(BenefitPlan, { id: { $in: await this.planIds(runEm, year) } });
    await runEm.find(RateTable, { status: RateTableStatus.PUBLISHED });
    const counties: CountyQuoteSummary[] = [];
    // Contracts are saved in transactions of QUOTE_BATCH: locked together, their quotes
    // inserted together, one commit per batch.
    for (let from = 0; from < work.length; from += QUOTE_BATCH) {
      const batch = work.slice(from, from + QUOTE_BATCH);
      await runEm.transactional(async (tx) => {
        const locked = await tx.find(
          CountyContract,
          { $and: [{ id: { $in: batch.map((c) => c.id) } }, scopeWhere(actor, 'county')] },
          { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
        );
        const byId = new Map(locked.map((c) => [c.id, c]));
        const items = batch
          .filter((c) => byId.has(c.id))
          .map((c) => ({ contract: byId.get(c.id)!, req: { contractId: c.id } }));
        const outcomes = await this.quoteLocked(tx, actor, items, rosters);
        for (const [k, item] of items.entries()) {
          const o = outcomes[k]!;
          const countyCode = item.contract.county.code;
          if ('error' in o) {
            counties.push({
              countyCode,
              contractId: item.contract.id,
              outcome: 'FAILED',
              quoteId: null,
              insuredCount: null,
              perCapitaPremium: null,
              totalPremium: null,
              reason: `${String(o.error.details.reason ?? o.error.code)}: ${o.error.message}`,
            });
          } else {
            counties.push({
              countyCode,
              contractId: item.contract.id,
              outcome: o.created ? 'QUOTED' : 'UNCHANGED',
              quoteId: o.quote.id,
              insuredCount: o.quote.insuredCount,
              perCapitaPremium: o.quote.perCapitaPremium,
              totalPremium: o.quote.totalPremium,
              reason: null,
            });
          }
        }
      });
      await onProgress(Math.min(from + QUOTE_BATCH, work.length), work.length);
    }
    return {
      year,
      contracts: work.length,
      quoted: counties.filter((c) => c.outcome === 'QUOTED').length,
      unchanged: counties.filter((c) => c.outcome === 'UNCHANGED').length,
      failed: counties.filter((c) => c.outcome === 'FAILED').length,
      counties,
    };
  }

  private async planIds(em: EntityManager, year: number): Promise<number[]> {
    const rows = await em
      .getConnection()
      .execute<{ plan_id: number }[]>(
        'select distinct plan_id from county_contract where programme_year = ?',
        [year],
      );
    return rows.map((r) => r.plan_id);
  }

  /** Contracts of a programme year still open to quoting (the quoteProgramme job's work list). */
  async quotableContracts(em: EntityManager, year: number): Promise<{ id: number; countyCode: string }[]> {
    const rows = await em.find(
      CountyContract,
      { programmeYear: year, status: { $in: [ContractStatus.DRAFT, ContractStatus.QUOTED] } },
      { orderBy: { id: 'asc' }, fields: ['id', 'county'] },
    );
    return rows.map((c) => ({ id: c.id, countyCode: c.county.code }));
  }

  // ---------------------------------------------------------------- helpers

  private async loadContract(em: EntityManager, actor: Actor, id: number): Promise<CountyContract> {
    const contract = await em.findOne(CountyContract, { $and: [{ id }, scopeWhere(actor, 'county')] });
    if (!contract) throw notFound('CountyContract', id);
    return contract;
  }

  /** Gathers the inputs (one GROUP BY for the roster) and runs the engine. */
  private async price(
    em: EntityManager,
    contract: CountyContract,
    req: Pick<QuoteRequest, 'rateTableId' | 'experience' | 'carryOverCredit'>,
    opts: {
      requirePublished: boolean;
      planOverride?: { terms: BenefitPlanTerms; plan: BenefitPlan | null };
      prefetched?: Map<number, RosterCells>;
    },
  ): Promise<PricedQuote> {
    const table = await this.rateTable(em, contract, req.rateTableId, opts.requirePublished);
    const plan =
      opts.planOverride?.plan ??
      (opts.planOverride ? null : await em.findOneOrFail(BenefitPlan, { id: contract.plan.id }));
    const terms = opts.planOverride?.terms ?? planTerms(plan!);
    const population = await this.population(em, contract, opts.prefetched);
    const countyCode = contract.county.code;
    const carryOverCredit = formatMoney(req.carryOverCredit ?? '0');
    if (money(carryOverCredit).isNegative()) throw badInput('carryOverCredit', 'must not be negative');

    let experience: QuoteSnapshot['experience'] = null;
    let engineExperience: PricingInput['experience'];
    if (req.experience) {
      const e = req.experience;
      const problems: FieldProblem[] = [];
      if (!Number.isInteger(e.claimCount) || e.claimCount < 0)
        problems.push({ field: 'experience.claimCount', message: 'must be a whole number ≥ 0' });
      if (!Number.isFinite(e.exposure) || e.exposure < 0)
        problems.push({ field: 'experience.exposure', message: 'must be ≥ 0' });
      if (!/^-?\d+(\.\d{1,2})?$/.test(e.incurred) || money(e.incurred).isNegative()) {
        problems.push({ field: 'experience.incurred', message: 'must be an amount ≥ 0' });
      }
      if (problems.length) throw badInputs(problems);
      const pred = contract.predecessor
        ? await em.findOne(
            CountyContract,
            { id: contract.predecessor.id },
            { populate: ['plan', 'acceptedQuote'] },
          )
        : null;
      if (!pred || !pred.perCapitaPremium) {
        throw badInput(
          'experience',
          'experience rating needs the predecessor contract with its accepted premium',
        );
      }
      const predPopulation = await this.population(em, pred);
      experience = {
        ...e,
        predecessorContractId: pred.id,
        previousPerCapita: formatMoney(pred.perCapitaPremium),
      };
      engineExperience = {
        claimCount: e.claimCount,
        incurred: e.incurred,
        exposure: e.exposure,
        previousGrossPerCapita: pred.perCapitaPremium,
        expiring: {
          population: predPopulation.input,
          plan: planTerms(pred.plan),
          periodStart: pred.periodStart,
          periodEnd: pred.periodEnd,
        },
      };
    }

    const snapshot: QuoteSnapshot = {
      contractId: contract.id,
      countyCode,
      provinceCode: countyCode.slice(0, 2),
      periodStart: contract.periodStart,
      periodEnd: contract.periodEnd,
      population: population.snapshot,
      plan: plan
        ? { id: plan.id, code: plan.code, version: plan.version, terms }
        : { id: null, code: 'PROPOSED', version: null, terms },
      rateTable: {
        id: table.id,
        code: table.code,
        version: table.version,
        status: table.status,
        basis: rateBasis(table),
      },
      experience,
      carryOverCredit,
    };
    const input: PricingInput = {
      population: population.input,
      plan: terms,
      rateTable: snapshot.rateTable.basis,
      provinceCode: snapshot.provinceCode,
      periodStart: contract.periodStart,
      periodEnd: contract.periodEnd,
      ...(engineExperience ? { experience: engineExperience } : {}),
    };
    let result: PricingResult;
    try {
      result = priceContract(input);
    } catch (err) {
      if (err instanceof PricingInputError) throw badInputs(err.problems);
      throw err;
    }
    // The status of the table is not an input of the price; the hash covers what prices.
    const { status: _status, ...tableKey } = snapshot.rateTable;
    return { snapshot, result, inputHash: sha256Hex(canonicalJson({ ...snapshot, rateTable: tableKey })) };
  }

  private async rateTable(
    em: EntityManager,
    contract: CountyContract,
    explicitId: number | undefined,
    requirePublished: boolean,
  ): Promise<RateTable> {
    let id = explicitId ?? contract.rateTable?.id;
    if (id === undefined) {
      const programme = await em.findOneOrFail(Programme, { id: contract.programme.id });
      id = programme.defaultRateTable?.id;
    }
    if (id === undefined)
      throw badInput('rateTableId', 'the contract has no rate table and its programme no default');
    const table = await em.findOne(RateTable, { id });
    if (!table) throw badInput('rateTableId', `unknown rate table ${id}`);
    if (requirePublished && table.status !== RateTableStatus.PUBLISHED) {
      throw conflict(
        `rate table ${table.code} v${table.version} is ${table.status}; only PUBLISHED tables price contracts`,
        'RATE_TABLE_NOT_PUBLISHED',
        {
          field: 'rateTableId',
        },
      );
    }
    return table;
  }

  /**
   * The contract's population by band (age in whole years at the coverage start) × gender:
   * one GROUP BY over its enrolled coverages; with no roster yet, the declared head count
   * spread by the default mix.
   */
  private async population(
    em: EntityManager,
    contract: CountyContract,
    prefetched?: Map<number, RosterCells>,
  ): Promise<Population> {
    const roster = prefetched
      ? prefetched.get(contract.id)
      : (await this.rosterCells(em, { contractId: contract.id })).get(contract.id);
    if (roster) {
      if (roster.priced === 0)
        throw badInput('roster', 'nobody on the roster is aged 18–60 at the coverage start');
      return {
        input: { cells: roster.cells },
        snapshot: {
          source: 'ROSTER',
          cells: roster.cells,
          headCount: null,
          excludedOutOfRange: roster.excluded,
        },
      };
    }
    const headCount = contract.declaredHeadCount;
    if (!headCount)
      throw badInput('declaredHeadCount', 'the contract has no roster yet: declare a head count to quote it');
    return {
      input: { headCount },
      snapshot: { source: 'DECLARED_HEAD_COUNT', cells: null, headCount, excludedOutOfRange: 0 },
    };
  }

  /**
   * Roster cells of one contract, or of every quotable contract of a programme year, in ONE
   * GROUP BY (never rows in memory). The band compares the birth date with the coverage start
   * minus 18/30/40/50/61 years: the civil age of `ageOn`, without a per-row interval.
   */
  async rosterCells(
    em: EntityManager,
    scope: { contractId: number } | { year: number },
  ): Promise<Map<number, RosterCells>> {
    // For a year, every contract of the year is counted (the caller uses the ones it quotes):
    // a plain filter on coverage.programme_year lets the planner hash-join the whole year,
    // where a sub-select of quotable contracts made it guess one row and nest-loop millions.
    const where = 'contractId' in scope ? 'c.contract_id = ?' : 'c.programme_year = ?';
    type Row = { contract_id: number; band: string | null; gender: 'F' | 'M'; n: number };
    const run = async (tx: EntityManager): Promise<Row[]> => {
      // A year's join of coverages and people is large: give its hash join room in memory
      // instead of spilling to disk (the default 4 MB does, from a million rows on).
      if ('year' in scope)
        await tx
          .getConnection()
          .execute(`set local work_mem = '${ROSTER_WORK_MEM}'`, [], 'run', tx.getTransactionContext());
      return tx.getConnection().execute<Row[]>(
        `select c.contract_id,
              case when i.birth_date > c.period_start - interval '18 years' then null
                   when i.birth_date > c.period_start - interval '30 years' then '18-29'
                   when i.birth_date > c.period_start - interval '40 years' then '30-39'
                   when i.birth_date > c.period_start - interval '50 years' then '40-49'
                   when i.birth_date > c.period_start - interval '61 years' then '50-60' end as band,
              i.gender, count(*)::int as n
         from coverage c join insured i on i.id = c.insured_id
        where c.status = 'ENROLLED' and ${where}
        group by 1, 2, 3`,
        ['contractId' in scope ? scope.contractId : scope.year],
        'all',
        tx.getTransactionContext(),
      );
    };
    const rows = em.isInTransaction() || 'contractId' in scope ? await run(em) : await em.transactional(run);
    const out = new Map<number, RosterCells>();
    for (const r of rows) {
      let entry = out.get(r.contract_id);
      if (!entry) out.set(r.contract_id, (entry = { cells: emptyCells(), priced: 0, excluded: 0 }));
      if (r.band === null) entry.excluded += r.n;
      else {
        entry.cells[r.band as keyof PopulationCells][r.gender] += r.n;
        entry.priced += r.n;
      }
    }
    return out;
  }

  /** The county's contract of the previous programme year, when its period has ended. */
  private async lastCompleteYear(
    em: EntityManager,
    contract: CountyContract,
  ): Promise<CountyContract | null> {
    const prev = contract.predecessor
      ? await em.findOne(CountyContract, { id: contract.predecessor.id })
      : await em.findOne(CountyContract, {
          county: { code: contract.county.code },
          programmeYear: contract.programmeYear - 1,
        });
    if (!prev || prev.periodEnd >= this.clock.today()) return null;
    return prev;
  }

  /**
   * Replays a year's approved and paid claims under `terms`: per person, the year's benefit is
   * round(P(Σ x)) (the annual benefit function telescopes), computed in SQL.
   */
  private async replay(
    em: EntityManager,
    year: CountyContract | null,
    terms: BenefitPlanTerms,
    perCapita: string,
  ): Promise<PlanSimulation['replay']> {
    if (!year) {
      return {
        programmeYear: null,
        contractId: null,
        people: 0,
        claims: 0,
        benefit: '0.00',
        lossRatio: null,
        peopleAtCap: 0,
        note: 'no complete previous year for this county',
      };
    }
    // Tiers as JSON (knex would expand a bound array into a list).
    const tiers = JSON.stringify(
      terms.tiers.map((t, k) => ({
        lower_b: k === 0 ? terms.deductible : terms.tiers[k - 1]!.upTo,
        upper_b: t.upTo,
        ratio: t.ratio,
      })),
    );
    const [row] = await em
      .getConnection()
      .execute<{ people: number; claims: number; benefit: string; capped: number }[]>(
        `with person as (
         select coverage_id, sum(eligible_oop) as y, count(*) as n
           from claim where contract_id = ? and status in ('APPROVED', 'PAID') and coverage_id is not null
          group by coverage_id
       ), tiers as (
         select * from jsonb_to_recordset(?::jsonb) as t(lower_b numeric, upper_b numeric, ratio numeric)
       ), benefit as (
         select p.coverage_id, p.n,
                least(?::numeric, coalesce(sum(t.ratio * greatest(0, least(p.y, coalesce(t.upper_b, p.y)) - t.lower_b)), 0)) as b
           from person p cross join tiers t group by p.coverage_id, p.n, p.y
       )
       select count(*)::int as people, coalesce(sum(n), 0)::int as claims,
              coalesce(sum(round(b, 2)), 0)::text as benefit,
              count(*) filter (where b >= ?::numeric)::int as capped
         from benefit`,
        [year.id, tiers, terms.annualCap, terms.annualCap],
      );
    const insured = year.insuredCount ?? 0;
    const premium = money(perCapita).times(insured);
    return {
      programmeYear: year.programmeYear,
      contractId: year.id,
      people: row!.people,
      claims: row!.claims,
      benefit: formatMoney(row!.benefit),
      lossRatio: premium.isZero() ? null : money(row!.benefit).div(premium).toDecimalPlaces(6).toNumber(),
      peopleAtCap: row!.capped,
      note: row!.claims ? null : 'no approved claims in that year',
    };
  }
}
