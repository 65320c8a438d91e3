import { LockMode, UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paginate } from '../../db/paginate';
import { type Connection, type PageInput } from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { daysInclusive, isIsoDate, type IsoDate } from '../../shared/dates';
import { badInput, badInputs, forbidden, notFound, type FieldProblem } from '../../shared/errors';
import { formatMoney, money } from '../../shared/money';
import { AuditService } from '../audit/audit.service';
import { Role } from '../auth/api-token.entity';
import { scopeWhere, SYSTEM_ACTOR, type Actor } from '../auth/actor';
import { County } from '../counties/county.entity';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import type { PlanService } from '../pricing/plan.service';
import { RateTable, RateTableStatus } from '../pricing/rate-table.entity';
import { Programme } from '../programmes/programme.entity';
import type { ProgrammeService } from '../programmes/programme.service';
import { contractError, ContractReason, illegalTransition, staleVersion } from './contract.errors';
import { ContractStatus, CountyContract } from './county-contract.entity';
import { Quote } from './quote.entity';

const ENTITY = 'CountyContract';

/** Longest coverage period accepted: a year, or a leap year. */
export const MAX_PERIOD_DAYS = 366;

/** The lifecycle (domain.md): which states each transition may start from. */
const TRANSITIONS = {
  quote: [ContractStatus.DRAFT, ContractStatus.QUOTED],
  approve: [ContractStatus.QUOTED],
  cancel: [ContractStatus.DRAFT, ContractStatus.QUOTED, ContractStatus.APPROVED],
  update: [ContractStatus.DRAFT, ContractStatus.QUOTED],
} as const satisfies Record<string, readonly ContractStatus[]>;

export interface ContractFilter {
  programmeYear?: number | null;
  countyCode?: string | null;
  provinceCode?: string | null;
  status?: ContractStatus[] | null;
}

export interface CreateContractData {
  countyCode: string;
  programmeYear: number;
  planId?: number | null;
  rateTableId?: number | null;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  declaredHeadCount?: number | null;
}

/**
 * Changes to the terms of a DRAFT or QUOTED contract. `undefined` leaves a term as it is;
 * `rateTableId: null` returns to the programme's default table, `declaredHeadCount: null`
 * clears the declared head count.
 */
export interface UpdateContractData {
  id: number;
  version: number;
  planId?: number | null;
  rateTableId?: number | null;
  periodStart?: IsoDate | null;
  periodEnd?: IsoDate | null;
  declaredHeadCount?: number | null;
}

export interface CancelContractData {
  id: number;
  version: number;
  reason: string;
}

export interface ApproveContractData {
  id: number;
  version: number;
  overrideBudget?: boolean | null;
  reason?: string | null;
}

/** The amounts of a budget check, as exact decimal strings. */
export interface BudgetCheck {
  budget: string;
  /** Premium of the programme's other APPROVED/ACTIVE/EXPIRED contracts, less their credits. */
  committed: string;
  /** This contract's premium less its carry-over credit. */
  requested: string;
  /** committed + requested. */
  total: string;
  /** budget − committed (may be negative). */
  available: string;
  /** total − budget when positive, else "0.00". */
  shortfall: string;
  withinBudget: boolean;
}

export interface SweepResult {
  activated: number;
  expired: number;
}

/** Checks a coverage period against its programme year; problems are appended. */
export function validatePeriod(
  start: IsoDate,
  end: IsoDate,
  programmeYear: number,
  problems: FieldProblem[],
): void {
  if (!isIsoDate(start))
    problems.push({ field: 'periodStart', message: 'must be a calendar date YYYY-MM-DD' });
  if (!isIsoDate(end)) problems.push({ field: 'periodEnd', message: 'must be a calendar date YYYY-MM-DD' });
  if (!isIsoDate(start) || !isIsoDate(end)) return;
  if (Number(start.slice(0, 4)) !== programmeYear) {
    problems.push({ field: 'periodStart', message: `must fall in the programme year ${programmeYear}` });
  }
  if (end < start) {
    problems.push({ field: 'periodEnd', message: 'must not be before periodStart' });
  } else if (daysInclusive(start, end) > MAX_PERIOD_DAYS) {
    problems.push({
      field: 'periodEnd',
      message: `the coverage period may span at most ${MAX_PERIOD_DAYS} days`,
    });
  }
}

function validateHeadCount(n: number | null | undefined, problems: FieldProblem[]): void {
  if (n === null || n === undefined) return;
  if (!Number.isInteger(n) || n < 0)
    problems.push({ field: 'declaredHeadCount', message: 'must be a whole number ≥ 0' });
}

/**
 * County contracts and their lifecycle (domain.md): DRAFT → QUOTED → APPROVED → ACTIVE →
 * EXPIRED, cancel from DRAFT, QUOTED or APPROVED. Every transition goes through this
 * service (the quote flow calls `markQuoted`, the scheduled job `runLifecycleSweep`) so
 * the rules and the audit trail live in one place.
 */
export class ContractService {
  constructor(
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly programmes: ProgrammeService,
    private readonly plans: PlanService,
  ) {}

  // ---------------------------------------------------------------- reads

  async list(
    em: EntityManager,
    actor: Actor,
    filter: ContractFilter,
    page?: PageInput,
  ): Promise<Connection<CountyContract>> {
    const and: Record<string, unknown>[] = [scopeWhere(actor, 'county')];
    if (filter.programmeYear !== undefined && filter.programmeYear !== null)
      and.push({ programmeYear: filter.programmeYear });
    if (filter.countyCode) {
      if (!/^\d{6}$/.test(filter.countyCode))
        throw badInput('filter.countyCode', 'must be a 6-digit county code');
      and.push({ county: filter.countyCode });
    }
    if (filter.provinceCode) {
      if (!/^\d{2}$/.test(filter.provinceCode))
        throw badInput('filter.provinceCode', 'must be a two-digit province code');
      and.push({ county: { $like: `${filter.provinceCode}%` } });
    }
    if (filter.status?.length) and.push({ status: { $in: [...filter.status] } });
    return paginate<CountyContract>(em, CountyContract, { $and: and } as FilterQuery<CountyContract>, page);
  }

  /** One contract; NOT_FOUND when it does not exist or lies outside the actor's scope. */
  async get(em: EntityManager, actor: Actor, id: number): Promise<CountyContract> {
    const contract = await em.findOne(CountyContract, { $and: [{ id }, scopeWhere(actor, 'county')] });
    if (!contract) throw notFound(ENTITY, id);
    return contract;
  }

  // ---------------------------------------------------------------- writes

  /** Creates a DRAFT contract for a county and programme year (one per county and year). */
  async create(em: EntityManager, actor: Actor, input: CreateContractData): Promise<CountyContract> {
    return em.transactional(async (tx) => {
      const problems: FieldProblem[] = [];
      let county: County | null = null;
      if (!/^\d{6}$/.test(input.countyCode)) {
        problems.push({ field: 'countyCode', message: 'must be a 6-digit county code' });
      } else {
        county = await tx.findOne(County, { $and: [{ code: input.countyCode }, scopeWhere(actor, 'code')] });
        if (!county) problems.push({ field: 'countyCode', message: `unknown county ${input.countyCode}` });
      }
      const programme = await tx.findOne(Programme, { year: input.programmeYear });
      if (!programme)
        problems.push({ field: 'programmeYear', message: `no programme for ${input.programmeYear}` });

      let plan: BenefitPlan | null = null;
      if (input.planId !== undefined && input.planId !== null) {
        plan = await tx.findOne(BenefitPlan, { id: input.planId });
        if (!plan) problems.push({ field: 'planId', message: `unknown benefit plan ${input.planId}` });
      } else if (programme) {
        plan = programme.defaultPlan ? await tx.findOne(BenefitPlan, { id: programme.defaultPlan.id }) : null;
        if (!plan)
          problems.push({
            field: 'planId',
            message: `programme ${input.programmeYear} has no default plan: give one`,
          });
      }
      const rateTable = await this.findPublishedRateTable(tx, input.rateTableId, problems);
      validatePeriod(input.periodStart, input.periodEnd, input.programmeYear, problems);
      validateHeadCount(input.declaredHeadCount, problems);
      if (problems.length) throw badInputs(problems);

      const existing = await tx.findOne(CountyContract, {
        county: county!,
        programme: programme!,
        status: { $ne: ContractStatus.CANCELLED },
      });
      if (existing) throw duplicate(county!, input.programmeYear, existing);

      const contract = tx.create(CountyContract, {
        county: county!,
        programme: programme!,
        programmeYear: programme!.year,
        plan: plan!,
        rateTable: rateTable ?? null,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        declaredHeadCount: input.declaredHeadCount ?? null,
      });
      try {
        await tx.flush();
      } catch (err) {
        // A concurrent create of the same county and year: the unique key decides.
        if (err instanceof UniqueConstraintViolationException)
          throw duplicate(county!, input.programmeYear, null);
        throw err;
      }
      this.audit.record(tx, actor, {
        entityType: ENTITY,
        entityId: contract.id,
        action: 'CREATE',
        toState: ContractStatus.DRAFT,
        changes: {
          countyCode: county!.code,
          programmeYear: programme!.year,
          planId: plan!.id,
          rateTableId: rateTable?.id ?? null,
          periodStart: input.periodStart,
          periodEnd: input.periodEnd,
          declaredHeadCount: input.declaredHeadCount ?? null,
        },
      });
      return contract;
    });
  }

  /** Changes the terms of a DRAFT or QUOTED contract; frozen from APPROVED on. */
  async update(em: EntityManager, actor: Actor, input: UpdateContractData): Promise<CountyContract> {
    return em.transactional(async (tx) => {
      const contract = await this.lockContract(tx, actor, input.id, input.version);
      if (!(TRANSITIONS.update as readonly ContractStatus[]).includes(contract.status)) {
        throw contractError(
          ContractReason.TERMS_FROZEN,
          `contract ${contract.id} is ${contract.status}: its terms are frozen from APPROVED on`,
          { currentState: contract.status },
        );
      }
      const problems: FieldProblem[] = [];
      let plan: BenefitPlan | null | undefined;
      if (input.planId === null) problems.push({ field: 'planId', message: 'a contract always has a plan' });
      else if (input.planId !== undefined) {
        plan = await tx.findOne(BenefitPlan, { id: input.planId });
        if (!plan) problems.push({ field: 'planId', message: `unknown benefit plan ${input.planId}` });
      }
      const rateTable = await this.findPublishedRateTable(tx, input.rateTableId, problems);
      if (input.periodStart === null) problems.push({ field: 'periodStart', message: 'must not be empty' });
      if (input.periodEnd === null) problems.push({ field: 'periodEnd', message: 'must not be empty' });
      const start = input.periodStart ?? contract.periodStart;
      const end = input.periodEnd ?? contract.periodEnd;
      if (input.periodStart || input.periodEnd) validatePeriod(start, end, contract.programmeYear, problems);
      validateHeadCount(input.declaredHeadCount, problems);
      if (problems.length) throw badInputs(problems);

      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const note = (field: string, from: unknown, to: unknown) => {
        if (from !== to) changes[field] = { from, to };
      };
      if (plan) {
        note('planId', contract.plan.id, plan.id);
        contract.plan = plan;
      }
      if (input.rateTableId !== undefined) {
        note('rateTableId', contract.rateTable?.id ?? null, rateTable?.id ?? null);
        contract.rateTable = rateTable ?? null;
      }
      note('periodStart', contract.periodStart, start);
      note('periodEnd', contract.periodEnd, end);
      contract.periodStart = start;
      contract.periodEnd = end;
      if (input.declaredHeadCount !== undefined) {
        note('declaredHeadCount', contract.declaredHeadCount ?? null, input.declaredHeadCount);
        contract.declaredHeadCount = input.declaredHeadCount;
      }
      if (Object.keys(changes).length) {
        this.audit.record(tx, actor, {
          entityType: ENTITY,
          entityId: contract.id,
          action: 'UPDATE',
          changes,
        });
      }
      return contract;
    });
  }

  /** Cancels a DRAFT, QUOTED or APPROVED contract (an APPROVED one frees its budget). */
  async cancel(em: EntityManager, actor: Actor, input: CancelContractData): Promise<CountyContract> {
    const reason = input.reason?.trim() ?? '';
    if (!reason) throw badInput('reason', 'must say why the contract is cancelled');
    if (reason.length > 2000) throw badInput('reason', 'must be at most 2000 characters');
    return em.transactional(async (tx) => {
      const contract = await this.lockContract(tx, actor, input.id, input.version);
      assertTransition(contract, 'cancel');
      const from = contract.status;
      contract.status = ContractStatus.CANCELLED;
      contract.cancelReason = reason;
      this.audit.record(tx, actor, {
        entityType: ENTITY,
        entityId: contract.id,
        action: 'CANCEL',
        fromState: from,
        toState: ContractStatus.CANCELLED,
        changes: { reason },
      });
      return contract;
    });
  }

  /**
   * QUOTED → APPROVED: accepts the newest quote, locks the plan and checks the budget under
   * a row lock on the programme, so concurrent approvals are serialised per programme and
   * cannot together overrun it. Only an ADMIN may override the budget (audited).
   */
  async approve(em: EntityManager, actor: Actor, input: ApproveContractData): Promise<CountyContract> {
    const override = input.overrideBudget === true;
    const reason = input.reason?.trim() || null;
    if (override && actor.role !== Role.ADMIN) throw forbidden('only an ADMIN may approve over the budget');
    if (override && !reason) throw badInput('reason', 'say why the budget is overridden');
    if (reason && reason.length > 2000) throw badInput('reason', 'must be at most 2000 characters');
    return em.transactional(async (tx) => {
      const contract = await this.lockContract(tx, actor, input.id, input.version);
      assertTransition(contract, 'approve');
      const quote = await tx.findOne(Quote, { contract }, { orderBy: { id: 'desc' } });
      if (!quote)
        throw contractError(ContractReason.NO_QUOTE, `contract ${contract.id} has no quote to approve`);
      if (
        quote.plan.id !== contract.plan.id ||
        (contract.rateTable && quote.rateTable.id !== contract.rateTable.id)
      ) {
        throw contractError(
          ContractReason.QUOTE_OUTDATED,
          `contract ${contract.id}: the newest quote ${quote.id} was priced with other terms than the contract has now; quote it again`,
          { quoteId: String(quote.id) },
        );
      }

      const requested = money(quote.totalPremium)
        .plus(contract.endorsementPremium)
        .minus(quote.carryOverCredit);
      const check = await this.budgetCheck(tx, contract.programme.id, requested.toString(), contract.id);
      if (!check.withinBudget && !override) {
        throw contractError(
          ContractReason.BUDGET_EXCEEDED,
          `approving contract ${contract.id} would commit ${check.total} against the ${contract.programmeYear} budget of ${check.budget} (short by ${check.shortfall})`,
          { ...check, programmeYear: contract.programmeYear },
        );
      }

      const from = contract.status;
      const now = this.clock.now();
      contract.status = ContractStatus.APPROVED;
      contract.acceptedQuote = quote;
      contract.insuredCount = quote.insuredCount;
      contract.perCapitaPremium = quote.perCapitaPremium;
      contract.totalPremium = quote.totalPremium;
      contract.carryOverCredit = quote.carryOverCredit;
      contract.approvedAt = now;
      contract.budgetOverride = !check.withinBudget;
      // The plan is immutable from its first approved contract on (the plans module's rule).
      await this.plans.markUsed(tx, contract.plan.id);

      this.audit.record(tx, actor, {
        entityType: ENTITY,
        entityId: contract.id,
        action: 'APPROVE',
        fromState: from,
        toState: ContractStatus.APPROVED,
        changes: {
          acceptedQuoteId: quote.id,
          insuredCount: quote.insuredCount,
          perCapitaPremium: formatMoney(quote.perCapitaPremium),
          totalPremium: formatMoney(quote.totalPremium),
          carryOverCredit: formatMoney(quote.carryOverCredit),
          planId: contract.plan.id,
          budget: check,
          ...(reason ? { reason } : {}),
        },
      });
      if (!check.withinBudget) {
        this.audit.record(tx, actor, {
          entityType: ENTITY,
          entityId: contract.id,
          action: 'APPROVE_OVER_BUDGET',
          changes: { ...check, programmeYear: contract.programmeYear, reason },
        });
      }
      return contract;
    });
  }

  /**
   * DRAFT/QUOTED → QUOTED after the quote flow stored `quote` for `contract`, inside the
   * caller's transaction (the pricing module calls this; the lifecycle stays here). A
   * re-quote keeps QUOTED but still bumps the version, so an approver's version names the
   * quote they saw.
   */
  async markQuoted(tx: EntityManager, actor: Actor, contract: CountyContract, quote: Quote): Promise<void> {
    assertTransition(contract, 'quote');
    if (quote.contract.id !== contract.id) {
      throw new Error(`quote ${quote.id} belongs to contract ${quote.contract.id}, not ${contract.id}`);
    }
    if (quote.id === undefined) await tx.flush();
    const from = contract.status;
    contract.status = ContractStatus.QUOTED;
    contract.updatedAt = new Date(Math.max(Date.now(), contract.updatedAt.getTime() + 1));
    this.audit.record(tx, actor, {
      entityType: ENTITY,
      entityId: contract.id,
      action: 'QUOTE',
      fromState: from,
      toState: ContractStatus.QUOTED,
      changes: {
        quoteId: quote.id,
        insuredCount: quote.insuredCount,
        perCapitaPremium: formatMoney(quote.perCapitaPremium),
        totalPremium: formatMoney(quote.totalPremium),
        carryOverCredit: formatMoney(quote.carryOverCredit),
      },
    });
  }

  /**
   * The budget check of approving `requested` (premium less credit) for a programme, inside
   * the caller's transaction. Takes `SELECT … FOR UPDATE` on the programme row first, so the
   * committed sum it then reads cannot change until the transaction ends.
   */
  async budgetCheck(
    tx: EntityManager,
    programmeId: number,
    requested: string,
    excludeContractId?: number,
  ): Promise<BudgetCheck> {
    const [row] = await this.exec<{ budget: string }>(
      tx,
      'select budget::text as budget from programme where id = ? for update',
      [programmeId],
    );
    if (!row) throw notFound('Programme', programmeId);
    const committed = money(await this.programmes.committedPremium(tx, programmeId, { excludeContractId }));
    const budget = money(row.budget);
    const total = committed.plus(requested);
    const shortfall = total.minus(budget);
    return {
      budget: formatMoney(budget),
      committed: formatMoney(committed),
      requested: formatMoney(requested),
      total: formatMoney(total),
      available: formatMoney(budget.minus(committed)),
      shortfall: formatMoney(shortfall.isPositive() && !shortfall.isZero() ? shortfall : 0),
      withinBudget: total.lte(budget),
    };
  }

  /**
   * Activates APPROVED contracts whose period has begun on `asOf` and expires ACTIVE (and
   * never-activated APPROVED) contracts whose period ended before it, with one set-based
   * statement each, writing one SYSTEM audit event per contract, in one transaction.
   * Idempotent: a second run on the same date finds nothing to move.
   */
  async runLifecycleSweep(em: EntityManager, asOf: IsoDate): Promise<SweepResult> {
    if (!isIsoDate(asOf)) throw badInput('asOf', 'must be a calendar date YYYY-MM-DD');
    const actor = SYSTEM_ACTOR;
    return em.transactional(async (tx) => {
      const now = this.clock.now();
      const [activated] = await this.exec<{ n: number }>(
        tx,
        `with moved as (
           update county_contract c
              set status = 'ACTIVE', activated_at = ?, version = c.version + 1, updated_at = ?
            where c.status = 'APPROVED' and c.period_start <= ?::date and c.period_end >= ?::date
           returning c.id, c.version
         ), logged as (
           insert into audit_event (actor_token_id, actor_role, entity_type, entity_id, action, from_state, to_state, changes, request_id)
           select ?::int, ?, ?, m.id::text, 'ACTIVATE', 'APPROVED', 'ACTIVE', jsonb_build_object('asOf', ?::text, 'version', m.version), null
             from moved m
           returning 1
         )
         select count(*)::int as n from moved`,
        [now, now, asOf, asOf, actor.tokenId, actor.role, ENTITY, asOf],
      );
      const [expired] = await this.exec<{ n: number }>(
        tx,
        `with target as (
           select id, status from county_contract
            where status in ('ACTIVE', 'APPROVED') and period_end < ?::date
            for update
         ), moved as (
           update county_contract c
              set status = 'EXPIRED', expired_at = ?, version = c.version + 1, updated_at = ?
             from target t
            where c.id = t.id
           returning c.id, c.version, t.status as from_state
         ), logged as (
           insert into audit_event (actor_token_id, actor_role, entity_type, entity_id, action, from_state, to_state, changes, request_id)
           select ?::int, ?, ?, m.id::text, 'EXPIRE', m.from_state, 'EXPIRED', jsonb_build_object('asOf', ?::text, 'version', m.version), null
             from moved m
           returning 1
         )
         select count(*)::int as n from moved`,
        [asOf, now, now, actor.tokenId, actor.role, ENTITY, asOf],
      );
      return { activated: activated?.n ?? 0, expired: expired?.n ?? 0 };
    });
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Loads a contract in the actor's scope with a row lock (`SELECT … FOR UPDATE`) inside the
   * caller's transaction: NOT_FOUND outside the scope, STALE_VERSION when `version` is given
   * and is not the stored one. Concurrent writers of one contract queue here, and the one
   * that waited sees the committed state. The quote flow calls it before `markQuoted`.
   */
  async lockContract(tx: EntityManager, actor: Actor, id: number, version?: number): Promise<CountyContract> {
    const contract = await tx.findOne(
      CountyContract,
      { $and: [{ id }, scopeWhere(actor, 'county')] },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!contract) throw notFound(ENTITY, id);
    if (version !== undefined) checkVersion(contract, version);
    return contract;
  }

  private async findPublishedRateTable(
    tx: EntityManager,
    id: number | null | undefined,
    problems: FieldProblem[],
  ): Promise<RateTable | null> {
    if (id === undefined || id === null) return null;
    const table = await tx.findOne(RateTable, { id });
    if (!table) problems.push({ field: 'rateTableId', message: `unknown rate table ${id}` });
    else if (table.status !== RateTableStatus.PUBLISHED) {
      problems.push({
        field: 'rateTableId',
        message: `rate table ${table.code} v${table.version} is ${table.status}; only PUBLISHED tables price contracts`,
      });
    }
    return table && table.status === RateTableStatus.PUBLISHED ? table : null;
  }

  private exec<T>(tx: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
    return tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());
  }
}

function checkVersion(contract: CountyContract, given: number): void {
  if (contract.version !== given) throw staleVersion(contract.id, contract.status, contract.version, given);
}

function assertTransition(contract: CountyContract, action: keyof typeof TRANSITIONS): void {
  if (!(TRANSITIONS[action] as readonly ContractStatus[]).includes(contract.status)) {
    throw illegalTransition(contract.id, contract.status, action);
  }
}

function duplicate(county: County, year: number, existing: CountyContract | null) {
  const which = existing ? ` (contract ${existing.id}, ${existing.status})` : '';
  return contractError(
    ContractReason.DUPLICATE,
    `county ${county.code} (${county.nameZh}) already has a contract for programme year ${year}${which}`,
    existing ? { existingContractId: String(existing.id) } : {},
  );
}
