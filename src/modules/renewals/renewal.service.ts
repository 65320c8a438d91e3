import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
  type PageInput,
} from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { addYears, isIsoDate, type IsoDate } from '../../shared/dates';
import { badInput, conflict, DomainError, notFound } from '../../shared/errors';
import { formatMoney, money } from '../../shared/money';
import type { AuditService } from '../audit/audit.service';
import { SYSTEM_ACTOR, type Actor } from '../auth/actor';
import { ContractStatus, CountyContract } from '../contracts/county-contract.entity';
import type { JobService, JobSnapshot } from '../jobs/job.service';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import type { QuoteService } from '../pricing/quote.service';
import { RateTable } from '../pricing/rate-table.entity';
import { Programme } from '../programmes/programme.entity';
import {
  RenewalCounty,
  RenewalOutcome,
  RenewalRun,
  RenewalRunStatus,
  RenewalTrigger,
} from './renewal-run.entity';

/** Why a person on the expiring roster is not carried into the successor. */
export const DROP_REASONS = ['TERMINATED', 'NOT_REGISTERED_POOR', 'AGED_OUT', 'COVERED_ELSEWHERE'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Reason codes of the renewals module (SCREAMING_SNAKE, API `reason`). */
export enum RenewalReason {
  SUCCESSOR_PROGRAMME_MISSING = 'SUCCESSOR_PROGRAMME_MISSING',
  ALREADY_RENEWED = 'ALREADY_RENEWED',
  CONTRACT_EXISTS = 'CONTRACT_EXISTS',
  NOT_RENEWABLE = 'NOT_RENEWABLE',
}

/**
 * The IBNR share of one expiring contract from the latest loss study: the actuarial module's
 * `ActuarialStudyService.ibnrShareDetail` (null when no loss study covers it → IBNR 0, and
 * the quote says so).
 */
export interface IbnrSource {
  ibnrShareDetail(
    em: EntityManager,
    target: { contractId: number },
  ): Promise<{ amount: string; studyId: number; version: number } | null>;
}

export const NO_LOSS_STUDY_NOTE = 'no loss study: IBNR 0';

/** One county's renewal as reported (stored as the RenewalCounty's report). */
export interface CountyRenewalReport {
  carried: number;
  added: number;
  dropped: Record<DropReason, number>;
  experience: {
    claimCount: number;
    paid: string;
    approvedUnpaid: string;
    ibnr: string;
    incurred: string;
    exposure: number;
    coveredDays: number;
    note: string;
  };
  oldPerCapitaPremium: string;
  newPerCapitaPremium: string;
  /** new ÷ old − 1, 6 decimals. */
  rateChange: number;
  /** Credibility Z of the experience. */
  credibility: number;
  insuredCount: number;
  newTotalPremium: string;
  earnedPremium: string;
  expenseLoading: number;
  surplus: string;
  carryOverShare: string;
  carryOverCredit: string;
}

export interface RenewalRunSummary {
  fromYear: number;
  toYear: number;
  contracts: number;
  renewed: number;
  skipped: number;
  failed: number;
  carried: number;
  added: number;
  dropped: Record<DropReason, number>;
  oldTotalPremium: string;
  newTotalPremium: string;
  carryOverCredit: string;
}

/** Counties of a programme year by how far their contract has come (renewalPipeline). */
export interface RenewalPipeline {
  year: number;
  /** Reached at least this stage (the report's 56 → 56 → 53). */
  inTalks: number;
  rosterReceived: number;
  sentForPricing: number;
  quoted: number;
  approved: number;
  active: number;
  /** Where each county is now (each county counted once). */
  now: Record<
    'IN_TALKS' | 'ROSTER_RECEIVED' | 'SENT_FOR_PRICING' | 'QUOTED' | 'APPROVED' | 'ACTIVE' | 'EXPIRED',
    number
  >;
  cancelled: number;
}

export type RenewalRunWithCounties = { run: RenewalRun; counties: RenewalCounty[] };

const ENTITY = 'RenewalRun';

function emptyDrops(): Record<DropReason, number> {
  return { TERMINATED: 0, NOT_REGISTERED_POOR: 0, AGED_OUT: 0, COVERED_ELSEWHERE: 0 };
}

/**
 * Year-end renewal (renewals-actuarial.md "Renewal run"): for each expiring contract, in its
 * own transaction, the successor contract, the carried roster (set-based SQL), the
 * experience, the experience-rated quote and the carry-over credit, reported per county.
 * A county is renewed once: the predecessor's unique key on the successor backs the
 * service's check, and a resumed run finds the counties it has already done.
 */
export class RenewalService {
  constructor(
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly quotes: QuoteService,
    private readonly jobs: JobService,
    /** The loss study's IBNR (the actuarial module); undefined → IBNR 0. */
    private readonly ibnr?: IbnrSource,
  ) {}

  // ---------------------------------------------------------------- start and read

  /**
   * Starts a renewal run of `fromYear` (a job on the `renewals` queue). While a run of that
   * year is queued or running, asking again returns it instead of starting another.
   */
  async startRun(
    em: EntityManager,
    actor: Actor,
    input: { fromYear: number },
  ): Promise<{ run: RenewalRun; job: JobSnapshot }> {
    const fromYear = input.fromYear;
    if (!Number.isInteger(fromYear) || fromYear < 2000 || fromYear > 2100)
      throw badInput('input.fromYear', 'must be a year 2000–2100');
    const run = await em.transactional(async (tx) => {
      const programme = await tx.findOne(Programme, { year: fromYear });
      if (!programme) throw badInput('input.fromYear', `no programme for ${fromYear}`);
      // Serialise starts of one year: the programme row is the lock.
      await tx
        .getConnection()
        .execute(
          'select id from programme where id = ? for update',
          [programme.id],
          'all',
          tx.getTransactionContext(),
        );
      const open = await tx.findOne(
        RenewalRun,
        {
          fromYear,
          trigger: RenewalTrigger.MANUAL,
          status: { $in: [RenewalRunStatus.QUEUED, RenewalRunStatus.RUNNING] },
        },
        { orderBy: { id: 'desc' } },
      );
      if (open) return open;
      const created = tx.create(RenewalRun, {
        fromYear,
        toYear: fromYear + 1,
        trigger: RenewalTrigger.MANUAL,
        createdByTokenId: actor.tokenId,
        createdByRole: actor.role,
        createdAt: this.clock.now(),
      });
      await tx.flush();
      this.audit.record(tx, actor, {
        entityType: ENTITY,
        entityId: created.id,
        action: 'START',
        toState: RenewalRunStatus.QUEUED,
        changes: { fromYear, toYear: fromYear + 1 },
      });
      return created;
    });
    // Enqueued after the commit: the worker must find the run. The job id is the run's, so
    // a second enqueue of the same run (a double click that found it open) is a no-op.
    const job = await this.jobs.enqueue(
      'renewals',
      'renewal-run',
      { runId: run.id },
      // A run left open by a job that gave up (e.g. the database was down for every attempt)
      // is resumed by asking again: its finished job runs again, from where it stopped.
      { jobId: `renewal-run-${run.id}`, rerunFinished: true },
    );
    if (run.jobId !== job.id) {
      await em.nativeUpdate(RenewalRun, { id: run.id }, { jobId: job.id });
      run.jobId = job.id;
    }
    return { run, job };
  }

  async get(em: EntityManager, id: number): Promise<RenewalRunWithCounties> {
    const run = await em.findOne(RenewalRun, { id });
    if (!run) throw notFound('RenewalRun', id);
    return { run, counties: await this.counties(em, id) };
  }

  async counties(em: EntityManager, runId: number): Promise<RenewalCounty[]> {
    return em.find(RenewalCounty, { run: runId }, { orderBy: { countyCode: 'asc', id: 'asc' } });
  }

  /** Runs, newest first, optionally of one year. */
  async list(
    em: EntityManager,
    filter: { fromYear?: number | null },
    page?: PageInput,
  ): Promise<Connection<RenewalRun>> {
    const limit = pageSize(page);
    const and: Record<string, unknown>[] = [];
    if (filter.fromYear !== undefined && filter.fromYear !== null) and.push({ fromYear: filter.fromYear });
    const totalCount = await em.count(RenewalRun, { $and: and });
    let before: number | undefined;
    if (page?.after) {
      const key = decodeCursor(page.after);
      if (!/^\d{1,10}$/.test(key)) throw badInput('page.after', 'not a cursor of this list');
      before = Number(key);
    }
    const rows = await em.find(
      RenewalRun,
      { $and: before !== undefined ? [...and, { id: { $lt: before } }] : and },
      { orderBy: { id: 'desc' }, limit: limit + 1 },
    );
    return toConnection(
      rows,
      limit,
      totalCount,
      (r) => r.id,
      (r) => r,
      before !== undefined,
    );
  }

  // ---------------------------------------------------------------- the run (worker side)

  /**
   * Executes a run: every contract of `fromYear` that is ACTIVE or EXPIRED, one transaction
   * each (renewCounty), then the summary. Resumable: counties this run has done are found
   * again, not done twice; counties renewed by another run are skipped.
   */
  async executeRun(
    em: EntityManager,
    runId: number,
    onCounty: (done: number, total: number, county: RenewalCounty) => Promise<void> = async () => undefined,
  ): Promise<RenewalRunSummary> {
    const run = await em.fork().findOne(RenewalRun, { id: runId });
    if (!run) throw notFound('RenewalRun', runId);
    const actor = actorOfRun(run);
    await em.fork().nativeUpdate(
      RenewalRun,
      { id: runId },
      {
        status: RenewalRunStatus.RUNNING,
        startedAt: run.startedAt ?? this.clock.now(),
        failureReason: null,
      },
    );
    const successor = await em.fork().findOne(Programme, { year: run.toYear });
    if (!successor) {
      const err = conflict(
        `no programme for ${run.toYear}: create the ${run.toYear} programme before renewing ${run.fromYear}`,
        RenewalReason.SUCCESSOR_PROGRAMME_MISSING,
        { field: 'fromYear' },
      );
      await this.finish(
        em,
        runId,
        RenewalRunStatus.FAILED,
        null,
        `${RenewalReason.SUCCESSOR_PROGRAMME_MISSING}: ${err.message}`,
      );
      throw err;
    }
    const rows = await em
      .fork()
      .getConnection()
      .execute<{ id: number }[]>(
        `select id from county_contract where programme_year = ? and status in ('ACTIVE', 'EXPIRED') order by id`,
        [run.fromYear],
      );
    let done = 0;
    for (const { id } of rows) {
      const county = await this.renewCounty(em, runId, id, actor);
      done += 1;
      await onCounty(done, rows.length, county);
    }
    const summary = await this.summarise(em, run);
    await this.finish(em, runId, RenewalRunStatus.COMPLETED, summary, null);
    return summary;
  }

  /**
   * The daily job: starts renewal quotes for ACTIVE contracts ending within their programme's
   * renewal window of `asOf` whose successor programme exists and who have no successor yet.
   * One run per year renewed, keyed by date (a retried job continues the same runs).
   */
  async renewDue(
    em: EntityManager,
    asOf: IsoDate,
    onCounty: (done: number, total: number) => Promise<void> = async () => undefined,
  ): Promise<{ asOf: IsoDate; runs: { runId: number; fromYear: number; summary: RenewalRunSummary }[] }> {
    if (!isIsoDate(asOf)) throw badInput('asOf', 'must be a calendar date YYYY-MM-DD');
    const due = await em
      .fork()
      .getConnection()
      .execute<{ id: number; programme_year: number }[]>(
        `select c.id, c.programme_year
           from county_contract c
           join programme p on p.id = c.programme_id
          where c.status = 'ACTIVE'
            and c.period_end <= ?::date + p.renewal_window_days
            and exists (select 1 from programme n where n.year = c.programme_year + 1)
            and not exists (select 1 from county_contract s where s.predecessor_id = c.id)
          order by c.programme_year, c.id`,
        [asOf],
      );
    const byYear = new Map<number, number[]>();
    for (const r of due) byYear.set(r.programme_year, [...(byYear.get(r.programme_year) ?? []), r.id]);
    const out: { runId: number; fromYear: number; summary: RenewalRunSummary }[] = [];
    let done = 0;
    for (const [fromYear, ids] of byYear) {
      const run = await this.scheduledRun(em, asOf, fromYear);
      for (const id of ids) {
        await this.renewCounty(em, run.id, id, SYSTEM_ACTOR);
        await onCounty((done += 1), due.length);
      }
      const summary = await this.summarise(em, run);
      await this.finish(em, run.id, RenewalRunStatus.COMPLETED, summary, null);
      out.push({ runId: run.id, fromYear, summary });
    }
    return { asOf, runs: out };
  }

  private async scheduledRun(em: EntityManager, asOf: IsoDate, fromYear: number): Promise<RenewalRun> {
    const key = `window-${asOf}-${fromYear}`;
    const fork = em.fork();
    await fork.getConnection().execute(
      `insert into renewal_run (from_year, to_year, trigger, trigger_key, status, created_by_role, created_at, started_at)
         values (?, ?, 'SCHEDULED', ?, 'RUNNING', 'SYSTEM', ?, ?) on conflict (trigger_key) do nothing`,
      [fromYear, fromYear + 1, key, this.clock.now(), this.clock.now()],
    );
    return fork.findOneOrFail(RenewalRun, { triggerKey: key });
  }

  /**
   * Renews one expiring contract in one transaction, or finds what this run already did for
   * it. Never throws for a county-level problem: it is reported as SKIPPED or FAILED.
   */
  async renewCounty(
    em: EntityManager,
    runId: number,
    contractId: number,
    actor: Actor,
  ): Promise<RenewalCounty> {
    const done = await em.fork().findOne(RenewalCounty, { run: runId, predecessorContractId: contractId });
    if (done) return done;
    try {
      return await em.fork().transactional((tx) => this.renewLocked(tx, runId, contractId, actor));
    } catch (err) {
      let reason: string;
      let outcome = RenewalOutcome.FAILED;
      if (err instanceof UniqueConstraintViolationException) {
        // Another run (or the daily job) renewed it between our check and our insert.
        const again = await em
          .fork()
          .findOne(RenewalCounty, { run: runId, predecessorContractId: contractId });
        if (again) return again;
        outcome = RenewalOutcome.SKIPPED;
        reason = `${RenewalReason.ALREADY_RENEWED}: renewed concurrently by another run`;
      } else if (err instanceof DomainError) {
        reason = `${String(err.details.reason ?? err.code)}: ${err.message}`;
      } else {
        throw err;
      }
      const fork = em.fork();
      const [row] = await fork
        .getConnection()
        .execute<{ county_code: string }[]>('select county_code from county_contract where id = ?', [
          contractId,
        ]);
      await fork.getConnection().execute(
        `insert into renewal_county (run_id, county_code, predecessor_contract_id, outcome, reason, created_at)
           values (?, ?, ?, ?, ?, ?) on conflict (run_id, predecessor_contract_id) do nothing`,
        [runId, row?.county_code ?? '000000', contractId, outcome, reason, this.clock.now()],
      );
      return fork.findOneOrFail(RenewalCounty, { run: runId, predecessorContractId: contractId });
    }
  }

  private async renewLocked(
    tx: EntityManager,
    runId: number,
    contractId: number,
    actor: Actor,
  ): Promise<RenewalCounty> {
    const pred = await tx.findOne(
      CountyContract,
      { id: contractId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!pred) throw notFound('CountyContract', contractId);
    const countyCode = pred.county.code;
    const record = (outcome: RenewalOutcome, extra: Partial<RenewalCounty>) => {
      const row = tx.create(RenewalCounty, {
        run: tx.getReference(RenewalRun, runId),
        countyCode,
        predecessorContractId: pred.id,
        outcome,
        createdAt: this.clock.now(),
        ...extra,
      });
      return row;
    };
    // Re-checked under the lock: a concurrent renewal of this county waits here and then
    // sees the successor.
    if (pred.status !== ContractStatus.ACTIVE && pred.status !== ContractStatus.EXPIRED) {
      return record(RenewalOutcome.SKIPPED, {
        reason: `${RenewalReason.NOT_RENEWABLE}: contract ${pred.id} is ${pred.status}`,
      });
    }
    const existing = await tx.findOne(CountyContract, { predecessor: pred.id });
    if (existing) {
      return record(RenewalOutcome.SKIPPED, {
        successorContractId: existing.id,
        reason: `${RenewalReason.ALREADY_RENEWED}: successor contract ${existing.id} (${existing.status})`,
      });
    }
    const toYear = pred.programmeYear + 1;
    const programme = await tx.findOne(Programme, { year: toYear });
    if (!programme) {
      throw conflict(`no programme for ${toYear}`, RenewalReason.SUCCESSOR_PROGRAMME_MISSING);
    }
    const live = await tx.findOne(CountyContract, {
      county: pred.county,
      programme,
      status: { $ne: ContractStatus.CANCELLED },
    });
    if (live) {
      return record(RenewalOutcome.SKIPPED, {
        reason: `${RenewalReason.CONTRACT_EXISTS}: county ${countyCode} already has contract ${live.id} for ${toYear}, not linked to ${pred.id}`,
      });
    }

    // 1. The successor: the programme's default plan (or the old one), period one year on.
    const planId = programme.defaultPlan?.id ?? pred.plan.id;
    const plan = await tx.findOneOrFail(BenefitPlan, { id: planId });
    const successor = tx.create(CountyContract, {
      county: pred.county,
      programme,
      programmeYear: toYear,
      plan,
      rateTable: null,
      periodStart: addYears(pred.periodStart, 1),
      periodEnd: addYears(pred.periodEnd, 1),
      // A county priced from a declared head count keeps it until its roster comes in (with a
      // roster, the roster prices).
      declaredHeadCount: pred.declaredHeadCount ?? null,
      predecessor: pred,
    });
    await tx.flush();

    // 2. The roster, set-based.
    const roster = await this.carryRoster(tx, pred, successor, plan);

    // 3. Experience of the expiring contract.
    const experience = await this.experience(tx, pred);

    // 5 (before 4: the credit goes into the quote). Year-end carry-over.
    const predProgramme = await tx.findOneOrFail(Programme, { id: pred.programme.id });
    const expenseLoading = await this.expenseLoading(tx, pred, predProgramme);
    const earned = money(pred.totalPremium ?? 0).plus(pred.endorsementPremium);
    const surplus = earned.times(money(1).minus(expenseLoading)).minus(experience.incurred);
    const share = money(predProgramme.carryOverShare);
    const credit = surplus.isPositive() && !surplus.isZero() ? surplus.times(share) : money(0);

    // 4. Quote with experience → QUOTED.
    const { quote } = await this.quotes.quote(tx, actor, {
      contractId: successor.id,
      experience: {
        claimCount: experience.claimCount,
        incurred: experience.incurred,
        exposure: experience.exposure,
        note: experience.note,
      },
      carryOverCredit: formatMoney(credit),
    });

    const oldPer = money(pred.perCapitaPremium!);
    const report: CountyRenewalReport = {
      carried: roster.carried,
      added: roster.added,
      dropped: roster.dropped,
      experience: {
        claimCount: experience.claimCount,
        paid: experience.paid,
        approvedUnpaid: experience.approvedUnpaid,
        ibnr: experience.ibnr,
        incurred: experience.incurred,
        exposure: experience.exposure,
        coveredDays: experience.coveredDays,
        note: experience.note,
      },
      oldPerCapitaPremium: formatMoney(oldPer),
      newPerCapitaPremium: formatMoney(quote.perCapitaPremium),
      rateChange: oldPer.isZero()
        ? 0
        : money(quote.perCapitaPremium).div(oldPer).minus(1).toDecimalPlaces(6).toNumber(),
      credibility: quote.credibility,
      insuredCount: quote.insuredCount,
      newTotalPremium: formatMoney(quote.totalPremium),
      earnedPremium: formatMoney(earned),
      expenseLoading,
      surplus: formatMoney(surplus),
      carryOverShare: share.toString(),
      carryOverCredit: formatMoney(credit),
    };
    this.audit.record(tx, actor, {
      entityType: 'CountyContract',
      entityId: successor.id,
      action: 'RENEW',
      toState: ContractStatus.DRAFT,
      changes: {
        renewalRunId: runId,
        predecessorContractId: pred.id,
        programmeYear: toYear,
        planId: plan.id,
        periodStart: successor.periodStart,
        periodEnd: successor.periodEnd,
        carried: roster.carried,
        added: roster.added,
        dropped: roster.dropped,
      },
    });
    const row = record(RenewalOutcome.RENEWED, {
      successorContractId: successor.id,
      quoteId: quote.id,
      report: report as unknown as Record<string, unknown>,
    });
    await tx.flush();
    return row;
  }

  /**
   * Carries the roster with one INSERT … SELECT (renewals-actuarial.md step 2):
   * - carried: everyone on the expiring contract still ENROLLED at its end (a TERMINATED
   *   coverage ended before the end: dropped TERMINATED), still registered poor
   *   (NOT_REGISTERED_POOR) and aged within the successor plan's range at the new start
   *   (AGED_OUT), checked in that order;
   * - added (a newer roster import): people of the county, registered poor and of age,
   *   never on the expiring contract, whose record a roster import of the county completed
   *   after the expiring period's start created or updated (`insured.updated_at` after that
   *   start, and such an import exists) — newly listed households;
   * - a person already covered in the new year elsewhere is kept out by the unique
   *   (insured, programme year) and counted COVERED_ELSEWHERE.
   */
  private async carryRoster(
    tx: EntityManager,
    pred: CountyContract,
    successor: CountyContract,
    plan: BenefitPlan,
  ): Promise<{ carried: number; added: number; dropped: Record<DropReason, number> }> {
    const start = successor.periodStart;
    // Age within [minAge, maxAge] at the new start, by birth date against the start shifted
    // by whole years (civil age, no per-row interval arithmetic on the column).
    const tooYoung = `i.birth_date > ?::date - make_interval(years => ?)`;
    const tooOld = `i.birth_date <= ?::date - make_interval(years => ?)`;
    const rows = await tx
      .getConnection()
      .execute<{ kind: string; drop_reason: string | null; n: number; inserted: number }[]>(
        `with src as (
         select c.insured_id, 'CARRIED' as kind,
                case when c.status <> 'ENROLLED' then 'TERMINATED'
                     when not i.registered_poor then 'NOT_REGISTERED_POOR'
                     when ${tooYoung} or ${tooOld} then 'AGED_OUT'
                end as drop_reason
           from coverage c join insured i on i.id = c.insured_id
          where c.contract_id = ?
         union all
         select i.id, 'ADDED', null
           from insured i
          where i.county_code = ? and i.registered_poor
            and not (${tooYoung}) and not (${tooOld})
            and i.updated_at > ?::date
            and exists (select 1 from roster_import ri join county_contract rc on rc.id = ri.contract_id
                         where rc.county_code = ? and ri.status = 'COMPLETED' and ri.completed_at > ?::date)
            and not exists (select 1 from coverage o where o.contract_id = ? and o.insured_id = i.id)
       ), ins as (
         insert into coverage (insured_id, contract_id, programme_year, county_code, period_start, period_end)
         select s.insured_id, ?, ?, ?, ?, ? from src s where s.drop_reason is null
         on conflict (insured_id, programme_year) do nothing
         returning insured_id
       )
       select s.kind, s.drop_reason, count(*)::int as n, count(ins.insured_id)::int as inserted
         from src s left join ins on ins.insured_id = s.insured_id
        group by 1, 2`,
        [
          start,
          plan.minAge,
          start,
          plan.maxAge + 1,
          pred.id,
          pred.county.code,
          start,
          plan.minAge,
          start,
          plan.maxAge + 1,
          pred.periodStart,
          pred.county.code,
          pred.periodStart,
          pred.id,
          successor.id,
          successor.programmeYear,
          successor.county.code,
          successor.periodStart,
          successor.periodEnd,
        ],
        'all',
        tx.getTransactionContext(),
      );
    const dropped = emptyDrops();
    let carried = 0;
    let added = 0;
    for (const r of rows) {
      if (r.drop_reason) {
        dropped[r.drop_reason as DropReason] += r.n;
        continue;
      }
      dropped.COVERED_ELSEWHERE += r.n - r.inserted;
      if (r.kind === 'CARRIED') carried += r.inserted;
      else added += r.inserted;
    }
    return { carried, added, dropped };
  }

  /** N, paid, approved-unpaid, IBNR share, I and E of the expiring contract (two aggregates). */
  private async experience(tx: EntityManager, pred: CountyContract) {
    const exec = <T>(sql: string, params: unknown[]) =>
      tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());
    // N counts claims (adjustments correct a claim, they are not another one); amounts are
    // the payables of approved (awaiting payment) and paid claims, adjustments included.
    const [claims] = await exec<{ n: number; paid: string; approved: string }>(
      `select count(*) filter (where adjustment_of_id is null)::int as n,
              coalesce(sum(payable) filter (where status = 'PAID'), 0)::text as paid,
              coalesce(sum(payable) filter (where status = 'APPROVED'), 0)::text as approved
         from claim where contract_id = ? and status in ('APPROVED', 'PAID')`,
      [pred.id],
    );
    // Covered days of every coverage of the contract, to its end or its early end.
    const [exposure] = await exec<{ days: string }>(
      `select coalesce(sum(greatest(0, least(coalesce(ended_on, period_end), period_end) - period_start + 1)), 0)::text as days
         from coverage where contract_id = ?`,
      [pred.id],
    );
    // ---- IBNR: the single call site of the loss study (actuarial module). ----
    const ibnr = this.ibnr ? await this.ibnr.ibnrShareDetail(tx, { contractId: pred.id }) : null;
    const ibnrAmount = formatMoney(ibnr?.amount ?? 0);
    const coveredDays = Number(exposure!.days);
    return {
      claimCount: claims!.n,
      paid: formatMoney(claims!.paid),
      approvedUnpaid: formatMoney(claims!.approved),
      ibnr: ibnrAmount,
      incurred: formatMoney(money(claims!.paid).plus(claims!.approved).plus(ibnrAmount)),
      coveredDays,
      exposure: Number((coveredDays / 365).toFixed(6)),
      note: ibnr
        ? `IBNR ${ibnrAmount} from loss study ${ibnr.studyId} (v${ibnr.version})`
        : NO_LOSS_STUDY_NOTE,
    };
  }

  /** The expense loading the expiring contract was priced with (its accepted quote's table). */
  private async expenseLoading(
    tx: EntityManager,
    pred: CountyContract,
    programme: Programme,
  ): Promise<number> {
    const [row] = await tx
      .getConnection()
      .execute<{ rate_table_id: number | null }[]>(
        'select rate_table_id from quote where id = ?',
        [pred.acceptedQuote?.id ?? -1],
        'all',
        tx.getTransactionContext(),
      );
    const id = row?.rate_table_id ?? pred.rateTable?.id ?? programme.defaultRateTable?.id;
    if (id === undefined || id === null) return 0;
    const table = await tx.findOneOrFail(RateTable, { id });
    return table.expenseLoading;
  }

  private async summarise(em: EntityManager, run: RenewalRun): Promise<RenewalRunSummary> {
    const counties = await em.fork().find(RenewalCounty, { run: run.id });
    const dropped = emptyDrops();
    let carried = 0;
    let added = 0;
    let oldTotal = money(0);
    let newTotal = money(0);
    let credit = money(0);
    for (const c of counties) {
      const r = c.report as unknown as CountyRenewalReport | null;
      if (c.outcome !== RenewalOutcome.RENEWED || !r) continue;
      carried += r.carried;
      added += r.added;
      for (const k of DROP_REASONS) dropped[k] += r.dropped[k];
      newTotal = newTotal.plus(r.newTotalPremium);
      oldTotal = oldTotal.plus(r.earnedPremium);
      credit = credit.plus(r.carryOverCredit);
    }
    return {
      fromYear: run.fromYear,
      toYear: run.toYear,
      contracts: counties.length,
      renewed: counties.filter((c) => c.outcome === RenewalOutcome.RENEWED).length,
      skipped: counties.filter((c) => c.outcome === RenewalOutcome.SKIPPED).length,
      failed: counties.filter((c) => c.outcome === RenewalOutcome.FAILED).length,
      carried,
      added,
      dropped,
      oldTotalPremium: formatMoney(oldTotal),
      newTotalPremium: formatMoney(newTotal),
      carryOverCredit: formatMoney(credit),
    };
  }

  private async finish(
    em: EntityManager,
    runId: number,
    status: RenewalRunStatus,
    summary: RenewalRunSummary | null,
    failureReason: string | null,
  ): Promise<void> {
    await em.fork().transactional(async (tx) => {
      await tx.nativeUpdate(
        RenewalRun,
        { id: runId },
        {
          status,
          summary: summary as unknown as Record<string, unknown> | null,
          failureReason,
          completedAt: this.clock.now(),
        },
      );
      this.audit.record(tx, SYSTEM_ACTOR, {
        entityType: ENTITY,
        entityId: runId,
        action: status === RenewalRunStatus.COMPLETED ? 'COMPLETE' : 'FAIL',
        toState: status,
        changes: summary
          ? { renewed: summary.renewed, skipped: summary.skipped, failed: summary.failed }
          : { failureReason },
      });
    });
  }

  // ---------------------------------------------------------------- pipeline

  /**
   * Counties of programme year `year` by how far their contract has come, the way the
   * foundation's year report counts (56 in talks → 56 sent for pricing → 53 quoted):
   * - inTalks: the county has a live (not cancelled) contract for the year;
   * - rosterReceived: … whose roster is in (at least one coverage);
   * - sentForPricing: … with what pricing needs: a roster or a declared head count;
   * - quoted: … with a quote (QUOTED or later);
   * - approved: … APPROVED, ACTIVE or EXPIRED; active: ACTIVE or EXPIRED.
   * A later stage implies the earlier ones (a contract past DRAFT counts as sent for pricing
   * even without a roster). `now` puts each county in its current stage only.
   */
  async pipeline(em: EntityManager, year: number): Promise<RenewalPipeline> {
    if (!Number.isInteger(year) || year < 2000 || year > 2100)
      throw badInput('year', 'must be a year 2000–2100');
    const [row] = await em.getConnection().execute<Record<string, number>[]>(
      `with c as (
         select c.status,
                exists (select 1 from coverage v where v.contract_id = c.id) as has_roster,
                coalesce(c.declared_head_count, 0) > 0 as has_head_count
           from county_contract c where c.programme_year = ?
       ), s as (
         select status, case
                  when status = 'CANCELLED' then 'CANCELLED'
                  when status in ('QUOTED', 'APPROVED', 'ACTIVE', 'EXPIRED') then status
                  when has_roster then 'ROSTER_RECEIVED'
                  when has_head_count then 'SENT_FOR_PRICING'
                  else 'IN_TALKS' end as stage,
                has_roster
           from c
       )
       select count(*) filter (where stage <> 'CANCELLED')::int as in_talks,
              count(*) filter (where stage <> 'CANCELLED' and (has_roster or stage in ('QUOTED', 'APPROVED', 'ACTIVE', 'EXPIRED')))::int as roster_received,
              count(*) filter (where stage not in ('CANCELLED', 'IN_TALKS'))::int as sent_for_pricing,
              count(*) filter (where stage in ('QUOTED', 'APPROVED', 'ACTIVE', 'EXPIRED'))::int as quoted,
              count(*) filter (where stage in ('APPROVED', 'ACTIVE', 'EXPIRED'))::int as approved,
              count(*) filter (where stage in ('ACTIVE', 'EXPIRED'))::int as active,
              count(*) filter (where stage = 'IN_TALKS')::int as now_in_talks,
              count(*) filter (where stage = 'ROSTER_RECEIVED')::int as now_roster,
              count(*) filter (where stage = 'SENT_FOR_PRICING')::int as now_sent,
              count(*) filter (where stage = 'QUOTED')::int as now_quoted,
              count(*) filter (where stage = 'APPROVED')::int as now_approved,
              count(*) filter (where stage = 'ACTIVE')::int as now_active,
              count(*) filter (where stage = 'EXPIRED')::int as now_expired,
              count(*) filter (where stage = 'CANCELLED')::int as cancelled
         from s`,
      [year],
    );
    const r = row!;
    return {
      year,
      inTalks: r.in_talks!,
      rosterReceived: r.roster_received!,
      sentForPricing: r.sent_for_pricing!,
      quoted: r.quoted!,
      approved: r.approved!,
      active: r.active!,
      now: {
        IN_TALKS: r.now_in_talks!,
        ROSTER_RECEIVED: r.now_roster!,
        SENT_FOR_PRICING: r.now_sent!,
        QUOTED: r.now_quoted!,
        APPROVED: r.now_approved!,
        ACTIVE: r.now_active!,
        EXPIRED: r.now_expired!,
      },
      cancelled: r.cancelled!,
    };
  }
}

/** The actor a run acts as: whoever started it (scope-free roles only start runs). */
function actorOfRun(run: RenewalRun): Actor {
  return {
    tokenId: run.createdByTokenId ?? null,
    role: run.createdByRole as Actor['role'],
    countyCodes: [],
    provinceCodes: [],
  };
}
