import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paginate } from '../../db/paginate';
import { type Connection, type PageInput } from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { badInput, badInputs, conflict, notFound, type FieldProblem } from '../../shared/errors';
import { formatMoney, money, sumMoney } from '../../shared/money';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ContractStatus } from '../contracts/county-contract.entity';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import { RateTable, RateTableStatus } from '../pricing/rate-table.entity';
import { Programme, ProgrammeFunding } from './programme.entity';

/** Contract states whose premium the foundation has committed to pay (domain.md, approval budget check). */
export const COMMITTED_STATUSES: readonly ContractStatus[] = [
  ContractStatus.APPROVED,
  ContractStatus.ACTIVE,
  ContractStatus.EXPIRED,
];

/** numeric(14,2) holds amounts below 10^12. */
const MAX_BUDGET = money('999999999999.99');
const SHARE_RE = /^\d(\.\d{1,4})?$/;

export interface FundingData {
  source: string;
  amount: string;
}

export interface CreateProgrammeData {
  year: number;
  name: string;
  funding: FundingData[];
  defaultPlanId?: number | null;
  defaultRateTableId?: number | null;
  carryOverShare?: string | null;
  renewalWindowDays?: number | null;
}

/** Absent (undefined) fields stay as they are; `null` clears a default plan or rate table. */
export interface UpdateProgrammeData {
  id: number;
  version: number;
  name?: string | null;
  defaultPlanId?: number | null;
  defaultRateTableId?: number | null;
  carryOverShare?: string | null;
  renewalWindowDays?: number | null;
}

export interface UpdateBudgetData {
  id: number;
  version: number;
  funding: FundingData[];
}

/** Derived money figures of a programme year, from SQL aggregates (exact two-decimal strings). */
export interface ProgrammeFigures {
  /** Σ (total_premium + endorsement_premium − carry_over_credit) of APPROVED, ACTIVE and EXPIRED contracts. */
  committedPremium: string;
  /** Σ payable of PAID claims of the programme year. */
  claimsPaid: string;
}

export const ZERO_FIGURES: ProgrammeFigures = { committedPremium: '0.00', claimsPaid: '0.00' };

function validateFunding(funding: FundingData[] | null | undefined, problems: FieldProblem[]): void {
  const seen = new Map<string, number>();
  let total = money(0);
  let amountsOk = true;
  (funding ?? []).forEach((f, i) => {
    const source = f.source?.trim() ?? '';
    if (!source) problems.push({ field: `funding[${i}].source`, message: 'must not be empty' });
    else if (source.length > 200)
      problems.push({ field: `funding[${i}].source`, message: 'must be at most 200 characters' });
    else {
      // Names differing only in case or surrounding spaces are the same source.
      const key = source.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({
          field: `funding[${i}].source`,
          message: `"${source}" is already given at funding[${first}]`,
        });
      } else seen.set(key, i);
    }
    let amount;
    try {
      amount = money(f.amount);
    } catch {
      amount = null;
    }
    if (amount === null || amount.isNegative() || amount.decimalPlaces() > 2) {
      problems.push({
        field: `funding[${i}].amount`,
        message: 'must be an amount ≥ 0 with at most two decimals',
      });
      amountsOk = false;
    } else total = total.plus(amount);
  });
  if (amountsOk && total.greaterThan(MAX_BUDGET)) {
    problems.push({ field: 'funding', message: `the budget (sum of the sources) must be below 10^12` });
  }
}

function validateCarryOverShare(value: string | null | undefined, problems: FieldProblem[]): void {
  if (value === null || value === undefined) return;
  if (!SHARE_RE.test(value) || money(value).greaterThan(1)) {
    problems.push({
      field: 'carryOverShare',
      message: 'must be a decimal from 0 to 1 with at most 4 decimals, e.g. "0.5"',
    });
  }
}

function validateRenewalWindow(value: number | null | undefined, problems: FieldProblem[]): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > 366) {
    problems.push({ field: 'renewalWindowDays', message: 'must be a whole number of days from 1 to 366' });
  }
}

export function validateCreateProgramme(input: CreateProgrammeData): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) {
    problems.push({ field: 'year', message: 'must be a year from 2000 to 2100' });
  }
  if (!input.name?.trim()) problems.push({ field: 'name', message: 'must not be empty' });
  validateFunding(input.funding, problems);
  validateCarryOverShare(input.carryOverShare, problems);
  validateRenewalWindow(input.renewalWindowDays, problems);
  return problems;
}

export function validateUpdateProgramme(input: UpdateProgrammeData): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.name !== undefined && input.name !== null && !input.name.trim()) {
    problems.push({ field: 'name', message: 'must not be empty' });
  }
  validateCarryOverShare(input.carryOverShare, problems);
  validateRenewalWindow(input.renewalWindowDays, problems);
  return problems;
}

const fundingSnapshot = (rows: { source: string; amount: string }[]) =>
  rows.map((f) => ({ source: f.source, amount: formatMoney(f.amount) }));

/**
 * Programme years: the donations raised (budget = Σ funding sources), the defaults contracts
 * are priced with, and derived figures from SQL aggregates. ADMIN and FOUNDATION write;
 * everyone but INTEGRATION reads.
 */
export class ProgrammeService {
  constructor(
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Programmes, newest year first. */
  async list(em: EntityManager, page?: PageInput): Promise<Connection<Programme>> {
    return paginate(em, Programme, {}, page, { key: 'year', order: 'desc' });
  }

  /** One programme by id or by year (exactly one of them). */
  async get(em: EntityManager, ref: { id?: number | null; year?: number | null }): Promise<Programme> {
    const hasId = ref.id !== undefined && ref.id !== null;
    const hasYear = ref.year !== undefined && ref.year !== null;
    if (hasId === hasYear) throw badInput('id', 'give either id or year');
    const programme = await em.findOne(Programme, hasId ? { id: ref.id! } : { year: ref.year! }, {
      populate: ['funding'],
    });
    if (!programme) throw notFound('Programme', hasId ? ref.id! : `year ${ref.year}`);
    return programme;
  }

  async create(em: EntityManager, actor: Actor, input: CreateProgrammeData): Promise<Programme> {
    const problems = validateCreateProgramme(input);
    if (problems.length) throw badInputs(problems);
    return em.transactional(async (tx) => {
      if (await tx.count(Programme, { year: input.year })) {
        throw conflict(`a programme for ${input.year} already exists`, 'DUPLICATE', { field: 'year' });
      }
      const defaults = await this.resolveDefaults(tx, input.defaultPlanId, input.defaultRateTableId);
      const funding = input.funding.map((f) => ({ source: f.source.trim(), amount: formatMoney(f.amount) }));
      const budget = formatMoney(sumMoney(funding.map((f) => f.amount)));
      const programme = tx.create(Programme, {
        year: input.year,
        name: input.name.trim(),
        budget,
        defaultPlan: defaults.plan ?? null,
        defaultRateTable: defaults.rateTable ?? null,
        carryOverShare: money(input.carryOverShare ?? '0').toFixed(4),
        renewalWindowDays: input.renewalWindowDays ?? 90,
      });
      for (const f of funding) programme.funding.add(tx.create(ProgrammeFunding, { programme, ...f }));
      await tx.flush();
      this.audit.record(tx, actor, {
        entityType: 'Programme',
        entityId: programme.id,
        action: 'CREATE',
        changes: {
          year: input.year,
          name: programme.name,
          budget: { from: null, to: budget },
          funding: { from: null, to: funding },
          defaultPlanId: defaults.plan?.id ?? null,
          defaultRateTableId: defaults.rateTable?.id ?? null,
          carryOverShare: programme.carryOverShare,
          renewalWindowDays: programme.renewalWindowDays,
        },
      });
      return programme;
    });
  }

  /** Replaces the funding sources; budget = their exact sum. Optimistic `version` check. */
  async updateBudget(em: EntityManager, actor: Actor, input: UpdateBudgetData): Promise<Programme> {
    const problems: FieldProblem[] = [];
    validateFunding(input.funding, problems);
    if (problems.length) throw badInputs(problems);
    return em.transactional(async (tx) => {
      const programme = await this.lockForUpdate(tx, input.id, input.version);
      const before = fundingSnapshot(programme.funding.getItems());
      const beforeBudget = formatMoney(programme.budget);
      const wanted = new Map(input.funding.map((f) => [f.source.trim(), formatMoney(f.amount)]));
      // Keep rows whose source stays (so the unique (programme, source) key never sees two), drop the rest, add the new.
      for (const row of programme.funding.getItems()) {
        const amount = wanted.get(row.source);
        if (amount === undefined) {
          programme.funding.remove(row);
          tx.remove(row);
        } else {
          row.amount = amount;
          wanted.delete(row.source);
        }
      }
      for (const [source, amount] of wanted)
        programme.funding.add(tx.create(ProgrammeFunding, { programme, source, amount }));
      const after = input.funding.map((f) => ({ source: f.source.trim(), amount: formatMoney(f.amount) }));
      const budget = formatMoney(sumMoney(after.map((f) => f.amount)));
      programme.budget = budget;
      programme.updatedAt = this.clock.now(); // always an UPDATE of the row, so `version` moves on
      this.audit.record(tx, actor, {
        entityType: 'Programme',
        entityId: programme.id,
        action: 'UPDATE_BUDGET',
        changes: { budget: { from: beforeBudget, to: budget }, funding: { from: before, to: after } },
      });
      await tx.flush();
      await programme.funding.init({ refresh: true, orderBy: { id: 'asc' } });
      return programme;
    });
  }

  /** Changes the name and defaults (plan, rate table, carry-over share, renewal window). Optimistic `version` check. */
  async update(em: EntityManager, actor: Actor, input: UpdateProgrammeData): Promise<Programme> {
    const problems = validateUpdateProgramme(input);
    if (problems.length) throw badInputs(problems);
    return em.transactional(async (tx) => {
      const programme = await this.lockForUpdate(tx, input.id, input.version);
      const defaults = await this.resolveDefaults(tx, input.defaultPlanId, input.defaultRateTableId);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const change = (field: string, from: unknown, to: unknown) => {
        if (from !== to) changes[field] = { from, to };
      };
      if (input.name !== undefined && input.name !== null) {
        change('name', programme.name, input.name.trim());
        programme.name = input.name.trim();
      }
      if (input.defaultPlanId !== undefined) {
        change('defaultPlanId', programme.defaultPlan?.id ?? null, defaults.plan?.id ?? null);
        programme.defaultPlan = defaults.plan ?? null;
      }
      if (input.defaultRateTableId !== undefined) {
        change('defaultRateTableId', programme.defaultRateTable?.id ?? null, defaults.rateTable?.id ?? null);
        programme.defaultRateTable = defaults.rateTable ?? null;
      }
      if (input.carryOverShare !== undefined && input.carryOverShare !== null) {
        const share = money(input.carryOverShare).toFixed(4);
        change('carryOverShare', money(programme.carryOverShare).toFixed(4), share);
        programme.carryOverShare = share;
      }
      if (input.renewalWindowDays !== undefined && input.renewalWindowDays !== null) {
        change('renewalWindowDays', programme.renewalWindowDays, input.renewalWindowDays);
        programme.renewalWindowDays = input.renewalWindowDays;
      }
      if (Object.keys(changes).length) {
        programme.updatedAt = this.clock.now();
        this.audit.record(tx, actor, {
          entityType: 'Programme',
          entityId: programme.id,
          action: 'UPDATE',
          changes,
        });
      }
      await tx.flush();
      return programme;
    });
  }

  /** The funding sources of several programmes in one query (the DataLoader behind `Programme.funding`). */
  async fundingOf(
    em: EntityManager,
    programmeIds: readonly number[],
  ): Promise<Map<number, ProgrammeFunding[]>> {
    const result = new Map<number, ProgrammeFunding[]>(programmeIds.map((id) => [id, []]));
    if (!programmeIds.length) return result;
    const rows = await em.find(
      ProgrammeFunding,
      { programme: { $in: [...programmeIds] } },
      { orderBy: { id: 'asc' } },
    );
    for (const row of rows) result.get(row.programme.id)?.push(row);
    return result;
  }

  /**
   * Premium committed against the programme's budget: Σ (total_premium + endorsement_premium −
   * carry_over_credit) over its contracts in APPROVED, ACTIVE or EXPIRED, as an exact
   * two-decimal string. Runs in the caller's transaction when given one (the contracts module
   * calls it under its lock on the programme row); `excludeContractId` leaves out the contract
   * being approved.
   */
  async committedPremium(
    em: EntityManager,
    programmeId: number,
    opts: { excludeContractId?: number | null } = {},
  ): Promise<string> {
    const params: unknown[] = [programmeId, ...COMMITTED_STATUSES];
    let sql = `select coalesce(sum(coalesce(total_premium, 0) + endorsement_premium - carry_over_credit), 0)::text as committed
      from county_contract where programme_id = ? and status in (${COMMITTED_STATUSES.map(() => '?').join(', ')})`;
    if (opts.excludeContractId !== undefined && opts.excludeContractId !== null) {
      sql += ' and id <> ?';
      params.push(opts.excludeContractId);
    }
    const [row] = await em
      .getConnection()
      .execute<{ committed: string }[]>(sql, params, 'all', em.getTransactionContext());
    return formatMoney(row?.committed ?? '0');
  }

  /**
   * Committed premium and claims paid for a page of programmes in one statement (two
   * grouped aggregates joined to the page): the DataLoader behind the derived fields.
   */
  async figures(em: EntityManager, programmeIds: readonly number[]): Promise<Map<number, ProgrammeFigures>> {
    const result = new Map<number, ProgrammeFigures>();
    if (!programmeIds.length) return result;
    const ids = programmeIds.map(() => '?').join(', ');
    const statuses = COMMITTED_STATUSES.map(() => '?').join(', ');
    const rows = await em.getConnection().execute<{ id: number; committed: string; claims_paid: string }[]>(
      `with p as (select id, year from programme where id in (${ids})),
       c as (select programme_id, sum(coalesce(total_premium, 0) + endorsement_premium - carry_over_credit) as s
               from county_contract where programme_id in (select id from p) and status in (${statuses})
              group by programme_id),
       cl as (select programme_year, sum(coalesce(payable, 0)) as s
                from claim where programme_year in (select year from p) and status = 'PAID'
               group by programme_year)
       select p.id, coalesce(c.s, 0)::text as committed, coalesce(cl.s, 0)::text as claims_paid
         from p left join c on c.programme_id = p.id left join cl on cl.programme_year = p.year`,
      [...programmeIds, ...COMMITTED_STATUSES],
      'all',
      em.getTransactionContext(),
    );
    for (const r of rows) {
      result.set(Number(r.id), {
        committedPremium: formatMoney(r.committed),
        claimsPaid: formatMoney(r.claims_paid),
      });
    }
    return result;
  }

  /** Locks the programme row (the contracts module's approval takes the same lock) and checks `version`. */
  private async lockForUpdate(tx: EntityManager, id: number, version: number): Promise<Programme> {
    const programme = await tx.findOne(
      Programme,
      { id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!programme) throw notFound('Programme', id);
    if (programme.version !== version) {
      throw conflict(
        `programme ${programme.year} was changed by someone else (version ${programme.version}, given ${version}); reload and retry`,
        'STALE_VERSION',
        { currentVersion: programme.version },
      );
    }
    await programme.funding.init({ refresh: true, orderBy: { id: 'asc' } });
    return programme;
  }

  private async resolveDefaults(
    tx: EntityManager,
    planId: number | null | undefined,
    rateTableId: number | null | undefined,
  ): Promise<{ plan?: BenefitPlan | null; rateTable?: RateTable | null }> {
    const problems: FieldProblem[] = [];
    let plan: BenefitPlan | null | undefined;
    let rateTable: RateTable | null | undefined;
    if (planId !== undefined && planId !== null) {
      plan = await tx.findOne(BenefitPlan, { id: planId });
      if (!plan) problems.push({ field: 'defaultPlanId', message: `no benefit plan ${planId}` });
    } else plan = planId;
    if (rateTableId !== undefined && rateTableId !== null) {
      rateTable = await tx.findOne(RateTable, { id: rateTableId });
      if (!rateTable) problems.push({ field: 'defaultRateTableId', message: `no rate table ${rateTableId}` });
      else if (rateTable.status !== RateTableStatus.PUBLISHED) {
        // Only PUBLISHED tables price contracts (domain.md), so only they can be the default.
        problems.push({
          field: 'defaultRateTableId',
          message: `rate table ${rateTableId} is ${rateTable.status}, not PUBLISHED`,
        });
      }
    } else rateTable = rateTableId;
    if (problems.length) throw badInputs(problems);
    return { plan, rateTable };
  }
}
