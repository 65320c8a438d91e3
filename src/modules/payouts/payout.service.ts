import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
  type PageInput,
} from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { isIsoDate, type IsoDate } from '../../shared/dates';
import {
  badInput,
  badInputs,
  DomainError,
  notFound,
  type ErrorCode,
  type FieldProblem,
} from '../../shared/errors';
import { logger } from '../../shared/logger';
import { formatMoney, money, sumMoney } from '../../shared/money';
import type { AuditService } from '../audit/audit.service';
import { scopeSql, withScope, type Actor } from '../auth/actor';
import { ClaimStatus } from '../claims/claim.entity';
import type { EventService } from '../events/event.service';
import type { JobService, JobSnapshot } from '../jobs/job.service';
import { toBatchCsv, type BatchFileRow } from './batch-file';
import { PayoutBatch, PayoutBatchStatus, PayoutLineStatus } from './payout.entity';

/**
 * Settlement and payout (spec: claims.md, "Settlement and payout").
 *
 * - `settle` gathers APPROVED claims that are in no live payout line (PENDING or PAID) into one
 *   batch per county, one transaction per county, set-based (`INSERT … SELECT`).
 * - `confirmBatch` records the payment channel's result per line: PAID pays the claim (and adds
 *   to the coverage's `benefit_paid`), FAILED frees the claim for the next batch.
 * - `reconcile` checks the money with SQL aggregates and returns what does not add up.
 *
 * The claims module (written in parallel) has no "mark paid" call, so this module writes the
 * claim facts that payment owns — status APPROVED → PAID, `paid_at`, `payment_reference`,
 * `version` — and the coverage's `benefit_paid` running total, with set-based SQL under row
 * locks, as claims.md asks. It reads and writes those columns only and never loads a Claim or
 * Coverage entity, so the two modules' entities can change independently. A FAILED line leaves
 * the claim APPROVED (it never left it) and in no live line: the next settlement picks it up,
 * after the claims module's `updatePayeeAccount` (refused while a line is PENDING).
 */

/** The payouts module's reason codes, each mapped to one API error code. */
export enum PayoutReason {
  /** The channel's result contradicts the result recorded earlier for the line (PAID vs FAILED). */
  RESULT_CONFLICT = 'PAYOUT_RESULT_CONFLICT',
  /** A line already PAID is reported PAID again with another channel reference. */
  REFERENCE_CONFLICT = 'PAYOUT_REFERENCE_CONFLICT',
  /** The claim of a PENDING line can no longer be paid (not APPROVED, or no coverage). */
  CLAIM_NOT_PAYABLE = 'PAYOUT_CLAIM_NOT_PAYABLE',
}

export const PAYOUT_REASON_CODES: Record<PayoutReason, ErrorCode> = {
  [PayoutReason.RESULT_CONFLICT]: 'CONFLICT',
  [PayoutReason.REFERENCE_CONFLICT]: 'CONFLICT',
  [PayoutReason.CLAIM_NOT_PAYABLE]: 'CONFLICT',
};

export function payoutError(
  reason: PayoutReason,
  message: string,
  extra: Record<string, unknown> = {},
): DomainError {
  return new DomainError(PAYOUT_REASON_CODES[reason], message, { reason, ...extra });
}

export type PayoutResult = 'PAID' | 'FAILED';

export interface ConfirmLineData {
  claimNumber: string;
  result: PayoutResult;
  /** The channel's reference of the transfer; required for PAID. */
  channelReference?: string | null;
  /** Why the channel could not pay; required for FAILED. */
  failureReason?: string | null;
}

export interface ConfirmBatchData {
  batchId: number;
  lines: ConfirmLineData[];
}

export interface ConfirmBatchResult {
  batch: PayoutBatch;
  /** Lines marked PAID by this call. */
  paid: number;
  /** Lines marked FAILED by this call. */
  failed: number;
  /** Lines listed with the result they already had (a repeated confirmation): nothing done. */
  unchanged: number;
}

/** One county's part of a settlement run. */
export interface CountySettlement {
  countyCode: string;
  /** The batch made by this run for the county; null when there was nothing left to batch. */
  batchId: number | null;
  batchNumber: string | null;
  lineCount: number;
  totalAmount: string;
  /** Approved claims left out because neither the claim nor the person has a payee account. */
  skippedNoPayeeAccount: number;
  /** Times the county was redone after the live-line index refused a claim ("already batched"). */
  alreadyBatchedRetries: number;
}

/** A settlement run's summary (the job's result: counts and batch numbers, no personal data). */
export interface SettlementResult {
  runDate: IsoDate;
  batchesCreated: number;
  linesCreated: number;
  amountCreated: string;
  skippedNoPayeeAccount: number;
  /** Counties that had eligible claims when the run looked, in county order. */
  counties: CountySettlement[];
  /** Every batch of this run date, made by this run or by an earlier run of the same date. */
  batchesOfRunDate: { batchNumber: string; countyCode: string; lineCount: number; totalAmount: string }[];
}

export interface SettlementHooks {
  /** Called after each county's transaction has committed (progress; a test pauses here). */
  afterCounty?(county: CountySettlement, done: number, total: number): Promise<void>;
}

export interface PayoutBatchFilter {
  countyCode?: string | null;
  status?: PayoutBatchStatus | null;
  runDate?: IsoDate | null;
}

/** A line as shown through the API: no name, no account. */
export interface PayoutLineView {
  id: number;
  batchId: number;
  claimId: number;
  claimNumber: string;
  maskedId: string;
  amount: string;
  status: PayoutLineStatus;
  channelReference: string | null;
  failureReason: string | null;
  confirmedAt: Date | null;
}

export interface PayoutBatchSummary {
  batchId: number;
  pendingCount: number;
  paidCount: number;
  failedCount: number;
  pendingAmount: string;
  paidAmount: string;
  failedAmount: string;
}

export interface BatchMismatch {
  batchId: number;
  batchNumber: string;
  countyCode: string;
  totalAmount: string;
  linesAmount: string;
  lineCount: number;
  linesCounted: number;
}

export interface CoverageMismatch {
  coverageId: number;
  countyCode: string;
  maskedId: string;
  benefitPaid: string;
  paidClaimsAmount: string;
}

export interface PaidClaimMismatch {
  claimId: number;
  claimNumber: string;
  countyCode: string;
  status: string;
  payable: string | null;
  paidLines: number;
  paidLinesAmount: string;
}

export interface PayoutTotals {
  paidClaimsCount: number;
  /** Sum of the payable of PAID claims. */
  paidClaimsAmount: string;
  /** Sum of coverages' `benefit_paid`. */
  benefitPaid: string;
  /** Sum of PAID payout lines. */
  paidLinesAmount: string;
}

export interface CountyTotals extends PayoutTotals {
  countyCode: string;
  /** The three sums agree. */
  consistent: boolean;
}

export interface ReconciliationReport {
  programmeYear: number;
  countyCode: string | null;
  /** Nothing is out: every list of mismatches is empty and the totals agree. */
  ok: boolean;
  batchesChecked: number;
  batchMismatches: BatchMismatch[];
  coveragesChecked: number;
  coverageMismatches: CoverageMismatch[];
  claimMismatches: PaidClaimMismatch[];
  counties: CountyTotals[];
  /** The programme's totals (or the county's, with a county filter), computed over the tables directly. */
  totals: PayoutTotals;
  /** The same totals as the sum of the per-county rows. */
  sumOfCounties: PayoutTotals;
  /** `totals` equal `sumOfCounties`, and claims paid = benefit paid = lines paid. */
  totalsConsistent: boolean;
}

/** Lines a confirmation may carry in one call (a county's daily batch is far smaller). */
export const MAX_CONFIRM_LINES = 5_000;
const REFERENCE_MAX = 200;
const REASON_MAX = 500;
/** Mismatches returned per list at most (the counts say whether there were more). */
const MISMATCH_LIMIT = 1_000;
/** The live-line partial unique index: a claim is in at most one PENDING or PAID line. */
const LIVE_LINE_INDEX = 'payout_line_live_claim_unique';
const BATCH_NUMBER_UNIQUE = 'payout_batch_batch_number_unique';
const MAX_ALREADY_BATCHED_RETRIES = 3;
const COUNTY_RE = /^\d{6}$/;

const log = logger.child({ component: 'payouts' });

/** `{1,2,3}`: a PostgreSQL int array literal (bound as one parameter; knex would expand a JS array). */
function intArray(ids: readonly number[]): string {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new RangeError(`not an integer id: ${id}`);
  return `{${ids.join(',')}}`;
}

function isLiveLineViolation(err: unknown): boolean {
  // Raw statements surface pg's own error, flushes MikroORM's UniqueConstraintViolationException
  // (which copies `code` and `constraint` from it): both carry SQLSTATE 23505.
  const e = err as { code?: unknown; constraint?: unknown } | null;
  if (!(err instanceof UniqueConstraintViolationException) && e?.code !== '23505') return false;
  return e?.constraint === LIVE_LINE_INDEX || e?.constraint === BATCH_NUMBER_UNIQUE;
}

/** Validates a confirmation before anything is read or written; returns trimmed lines. */
export function validateConfirmInput(input: ConfirmBatchData): ConfirmLineData[] {
  const problems: FieldProblem[] = [];
  if (!Array.isArray(input.lines) || input.lines.length === 0) {
    throw badInput('input.lines', 'list at least one line');
  }
  if (input.lines.length > MAX_CONFIRM_LINES) {
    throw badInput(
      'input.lines',
      `at most ${MAX_CONFIRM_LINES} lines per call (confirm a large batch in parts)`,
    );
  }
  const seen = new Map<string, number>();
  const out: ConfirmLineData[] = [];
  input.lines.forEach((l, i) => {
    const at = `input.lines[${i}]`;
    const claimNumber = (l.claimNumber ?? '').trim();
    const channelReference = l.channelReference?.trim() || null;
    const failureReason = l.failureReason?.trim() || null;
    if (!claimNumber) problems.push({ field: `${at}.claimNumber`, message: 'must not be empty' });
    else if (seen.has(claimNumber)) {
      problems.push({
        field: `${at}.claimNumber`,
        message: `${claimNumber} is listed twice (also at lines[${seen.get(claimNumber)}])`,
      });
    } else seen.set(claimNumber, i);
    if (l.result !== 'PAID' && l.result !== 'FAILED') {
      problems.push({ field: `${at}.result`, message: 'must be PAID or FAILED' });
    }
    if (l.result === 'PAID') {
      if (!channelReference)
        problems.push({
          field: `${at}.channelReference`,
          message: "a PAID line needs the channel's reference",
        });
      if (failureReason)
        problems.push({ field: `${at}.failureReason`, message: 'only a FAILED line has a failure reason' });
    }
    if (l.result === 'FAILED' && !failureReason) {
      problems.push({
        field: `${at}.failureReason`,
        message: 'a FAILED line needs the reason the channel gave',
      });
    }
    if (channelReference && channelReference.length > REFERENCE_MAX) {
      problems.push({ field: `${at}.channelReference`, message: `at most ${REFERENCE_MAX} characters` });
    }
    if (failureReason && failureReason.length > REASON_MAX) {
      problems.push({ field: `${at}.failureReason`, message: `at most ${REASON_MAX} characters` });
    }
    out.push({ claimNumber, result: l.result, channelReference, failureReason });
  });
  if (problems.length) throw badInputs(problems);
  return out;
}

export class PayoutService {
  constructor(
    private readonly pg: Pool,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly events: EventService,
    private readonly jobs: JobService,
  ) {}

  /** `PAY-<county>-<runDate>-<n>`: n counts the county's batches of that run date from 1. */
  static batchNumber(countyCode: string, runDate: IsoDate, n: number): string {
    return `PAY-${countyCode}-${runDate}-${n}`;
  }

  /**
   * Enqueues a settlement run for `runDate` (default today, China time; not after today). One
   * job per date at a time: job id `settle-<runDate>`, so a double click returns the same job;
   * once it has finished, asking again runs it again (idempotent: it batches only what is left).
   */
  async startSettlement(
    em: EntityManager,
    actor: Actor,
    input: { runDate?: IsoDate | null },
  ): Promise<JobSnapshot> {
    const today = this.clock.today();
    const runDate = input.runDate ?? today;
    if (!isIsoDate(runDate)) throw badInput('input.runDate', 'must be a calendar date YYYY-MM-DD');
    if (runDate > today)
      throw badInput('input.runDate', `must not be after today (${today})`, 'RUN_DATE_IN_FUTURE');
    const job = await this.jobs.enqueue(
      'payouts',
      'settle',
      { runDate },
      { jobId: `settle-${runDate}`, rerunFinished: true },
    );
    await em.transactional(async (tx) => {
      this.audit.record(tx, actor, {
        entityType: 'Job',
        entityId: job.id,
        action: 'ENQUEUE',
        toState: job.state,
        changes: { queue: job.queue, job: job.name, runDate },
      });
    });
    return job;
  }

  /**
   * A settlement run: one batch per county of the APPROVED claims that are in no live payout
   * line, each county in its own transaction (committed before the next starts). Safe to run
   * again and to kill at any point: a county's batch and lines commit together or not at all,
   * and a claim already in a live line is never gathered again, so a re-run of the same date
   * adds only what is still unbatched — nothing after an uninterrupted run.
   */
  async settle(
    em: EntityManager,
    actor: Actor,
    runDate: IsoDate,
    hooks: SettlementHooks = {},
  ): Promise<SettlementResult> {
    if (!isIsoDate(runDate)) throw badInput('runDate', 'must be a calendar date YYYY-MM-DD');
    const counties = await em.getConnection().execute<{ county_code: string }[]>(
      `select distinct c.county_code
         from claim c
        where c.status = 'APPROVED' and c.payable > 0
          and not exists (select 1 from payout_line l where l.claim_id = c.id and l.status in ('PENDING', 'PAID'))
        order by c.county_code`,
    );
    const done: CountySettlement[] = [];
    for (const [i, { county_code: countyCode }] of counties.entries()) {
      const county = await this.settleCountyWithRetry(em, actor, runDate, countyCode);
      done.push(county);
      await hooks.afterCounty?.(county, i + 1, counties.length);
    }
    const batches = await em
      .getConnection()
      .execute<{ batch_number: string; county_code: string; line_count: number; total_amount: string }[]>(
        `select batch_number, county_code, line_count, total_amount::text as total_amount
         from payout_batch where run_key = ? order by county_code, id`,
        [runDate],
      );
    const created = done.filter((c) => c.batchId !== null);
    return {
      runDate,
      batchesCreated: created.length,
      linesCreated: created.reduce((n, c) => n + c.lineCount, 0),
      amountCreated: formatMoney(sumMoney(created.map((c) => c.totalAmount))),
      skippedNoPayeeAccount: done.reduce((n, c) => n + c.skippedNoPayeeAccount, 0),
      counties: done,
      batchesOfRunDate: batches.map((b) => ({
        batchNumber: b.batch_number,
        countyCode: b.county_code,
        lineCount: b.line_count,
        totalAmount: b.total_amount,
      })),
    };
  }

  /**
   * One county, redone when the live-line index refuses a claim: another writer batched it
   * between our read and our insert ("already batched"). The redo reads again and leaves it out.
   */
  private async settleCountyWithRetry(
    em: EntityManager,
    actor: Actor,
    runDate: IsoDate,
    countyCode: string,
  ): Promise<CountySettlement> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.settleCounty(em.fork(), actor, runDate, countyCode);
        return { ...result, alreadyBatchedRetries: attempt };
      } catch (err) {
        if (!isLiveLineViolation(err) || attempt >= MAX_ALREADY_BATCHED_RETRIES) throw err;
        log.warn(
          { countyCode, runDate, attempt },
          'claims already batched by a concurrent writer; redoing the county',
        );
      }
    }
  }

  /**
   * The county's batch in one transaction. A transaction-scoped advisory lock per county makes
   * concurrent runs (the daily schedule and an on-demand run) take turns, so the second sees the
   * first's lines and gathers nothing twice; the partial unique index is the backstop. The claim
   * rows are locked (`FOR UPDATE`) so a claim changed meanwhile is re-checked before it is batched.
   */
  private async settleCounty(
    em: EntityManager,
    actor: Actor,
    runDate: IsoDate,
    countyCode: string,
  ): Promise<Omit<CountySettlement, 'alreadyBatchedRetries'>> {
    return em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      await conn.execute(
        `select pg_advisory_xact_lock(hashtext('pillar.payout-settle'), hashtext(?))`,
        [countyCode],
        'all',
        ctx,
      );
      const [seq] = await conn.execute<{ n: number }[]>(
        `select coalesce(max(substring(batch_number from '-(\\d+)$')::int), 0) + 1 as n
           from payout_batch where county_code = ? and run_key = ?`,
        [countyCode, runDate],
        'all',
        ctx,
      );
      const batchNumber = PayoutService.batchNumber(countyCode, runDate, seq!.n);
      const [row] = await conn.execute<
        {
          batch_id: number | null;
          total_amount: string | null;
          line_count: number | null;
          lines_inserted: number;
          lines_amount: string;
          skipped_no_account: number;
          claim_ids: number[];
        }[]
      >(
        `with eligible as (
           select c.id, c.payable,
                  coalesce(nullif(btrim(c.payee_account), ''), nullif(btrim(i.payee_account), '')) as account
             from claim c join insured i on i.id = c.insured_id
            where c.county_code = ? and c.status = 'APPROVED' and c.payable > 0
              and not exists (select 1 from payout_line l where l.claim_id = c.id and l.status in ('PENDING', 'PAID'))
            order by c.id
            for update of c
         ), picked as (
           select id, payable, account from eligible where account is not null
         ), batch as (
           insert into payout_batch (batch_number, county_code, run_key, status, total_amount, line_count, created_at)
           select ?, ?, ?, 'CREATED', sum(payable), count(*), ? from picked having count(*) > 0
           returning id, total_amount, line_count
         ), lines as (
           insert into payout_line (batch_id, claim_id, amount, payee_account, status)
           select b.id, p.id, p.payable, p.account, 'PENDING' from batch b cross join picked p order by p.id
           returning claim_id, amount
         )
         select (select id from batch) as batch_id,
                (select total_amount::text from batch) as total_amount,
                (select line_count from batch) as line_count,
                (select count(*)::int from lines) as lines_inserted,
                (select coalesce(sum(amount), 0)::text from lines) as lines_amount,
                (select count(*)::int from eligible where account is null) as skipped_no_account,
                (select coalesce(json_agg(claim_id order by claim_id), '[]'::json) from lines) as claim_ids`,
        [countyCode, batchNumber, countyCode, runDate, this.clock.now()],
        'all',
        ctx,
      );
      const r = row!;
      if (r.batch_id === null) {
        return {
          countyCode,
          batchId: null,
          batchNumber: null,
          lineCount: 0,
          totalAmount: '0.00',
          skippedNoPayeeAccount: r.skipped_no_account,
        };
      }
      // Both come from the same rows in one statement; a difference would be a bug: roll back.
      if (r.line_count !== r.lines_inserted || !money(r.total_amount!).eq(money(r.lines_amount))) {
        throw new Error(
          `batch ${batchNumber}: total ${r.total_amount}/${r.line_count} ≠ lines ${r.lines_amount}/${r.lines_inserted}`,
        );
      }
      this.audit.record(tx, actor, {
        entityType: 'PayoutBatch',
        entityId: r.batch_id,
        action: 'CREATE',
        toState: PayoutBatchStatus.CREATED,
        changes: {
          batchNumber,
          countyCode,
          runDate,
          totalAmount: r.total_amount,
          lineCount: r.line_count,
          claimIds: r.claim_ids,
          skippedNoPayeeAccount: r.skipped_no_account,
        },
      });
      return {
        countyCode,
        batchId: r.batch_id,
        batchNumber,
        lineCount: r.line_count,
        totalAmount: r.total_amount!,
        skippedNoPayeeAccount: r.skipped_no_account,
      };
    });
  }

  /**
   * Records the channel's result per line, exactly once. The batch row is locked, so two
   * confirmations of one batch take turns and the second sees the first's results: a line
   * reported again with the result it has is a no-op (PAID again must carry the same reference),
   * a contradicting result is a CONFLICT, and nothing is written unless every listed line is
   * known and consistent. Lines not listed stay PENDING; the batch is CONFIRMED when none is.
   *
   * Writes are set-based and touch only what payment owns: the lines; the claims' status,
   * `paid_at`, `payment_reference` and `version`; the coverages' `benefit_paid`. Locks: the batch,
   * then coverages, then claims, each set in id order — the claims module's order (coverage row
   * before claim row), so the two never wait on each other in a cycle.
   */
  async confirmBatch(em: EntityManager, actor: Actor, input: ConfirmBatchData): Promise<ConfirmBatchResult> {
    const wanted = validateConfirmInput(input);
    let paidNow = 0;
    const result = await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const batch = await tx.findOne(PayoutBatch, withScope({ id: input.batchId }, actor), {
        lockMode: LockMode.PESSIMISTIC_WRITE,
      });
      if (!batch) throw notFound('PayoutBatch', input.batchId);

      const current = await conn.execute<
        {
          line_id: number;
          claim_id: number;
          claim_number: string;
          county_code: string;
          coverage_id: number | null;
          insured_id: number;
          id_masked: string;
          adjustment_of_id: number | null;
          amount: string;
          status: PayoutLineStatus;
          channel_reference: string | null;
        }[]
      >(
        `select l.id as line_id, c.id as claim_id, c.claim_number, c.county_code, c.coverage_id,
                c.insured_id, i.id_masked, c.adjustment_of_id,
                l.amount::text as amount, l.status, l.channel_reference
           from payout_line l join claim c on c.id = l.claim_id join insured i on i.id = c.insured_id
          where l.batch_id = ? and c.claim_number in (select jsonb_array_elements_text(?::jsonb))`,
        [batch.id, JSON.stringify(wanted.map((w) => w.claimNumber))],
        'all',
        ctx,
      );
      const byNumber = new Map(current.map((c) => [c.claim_number, c]));
      const unknown: FieldProblem[] = [];
      wanted.forEach((w, i) => {
        if (!byNumber.has(w.claimNumber)) {
          unknown.push({
            field: `input.lines[${i}].claimNumber`,
            message: `${w.claimNumber} is not in batch ${batch.batchNumber}`,
          });
        }
      });
      if (unknown.length) throw badInputs(unknown, 'NOT_IN_BATCH');

      type Current = (typeof current)[number];
      const toPay: { want: ConfirmLineData; cur: Current }[] = [];
      const toFail: { want: ConfirmLineData; cur: Current }[] = [];
      const conflicts: { claimNumber: string; recorded: string; reported: string; reason: PayoutReason }[] =
        [];
      let unchanged = 0;
      for (const want of wanted) {
        const cur = byNumber.get(want.claimNumber)!;
        if (cur.status === PayoutLineStatus.PENDING) {
          (want.result === 'PAID' ? toPay : toFail).push({ want, cur });
        } else if (cur.status !== want.result) {
          conflicts.push({
            claimNumber: want.claimNumber,
            recorded: cur.status,
            reported: want.result,
            reason: PayoutReason.RESULT_CONFLICT,
          });
        } else if (cur.status === PayoutLineStatus.PAID && cur.channel_reference !== want.channelReference) {
          conflicts.push({
            claimNumber: want.claimNumber,
            recorded: `PAID ${cur.channel_reference ?? ''}`.trim(),
            reported: `PAID ${want.channelReference ?? ''}`.trim(),
            reason: PayoutReason.REFERENCE_CONFLICT,
          });
        } else {
          unchanged++;
        }
      }
      if (conflicts.length) {
        const shown = conflicts
          .slice(0, 5)
          .map((c) => `${c.claimNumber} was ${c.recorded}, now reported ${c.reported}`)
          .join('; ');
        throw payoutError(
          conflicts[0]!.reason,
          `batch ${batch.batchNumber}: ${conflicts.length} line(s) contradict an earlier confirmation ` +
            `(${shown}${conflicts.length > 5 ? '; …' : ''}); nothing was changed`,
          {
            conflicts: conflicts.map(({ claimNumber, recorded, reported }) => ({
              claimNumber,
              recorded,
              reported,
            })),
          },
        );
      }

      // Lock what paying writes — claims, then coverages, as the claims module does — and
      // re-check the claims under their lock.
      const noCoverage = toPay.find((p) => p.cur.coverage_id === null);
      if (noCoverage) {
        throw payoutError(
          PayoutReason.CLAIM_NOT_PAYABLE,
          `claim ${noCoverage.want.claimNumber} has no coverage to pay from`,
          {
            claimNumber: noCoverage.want.claimNumber,
          },
        );
      }
      if (toPay.length) {
        const coverageIds = [...new Set(toPay.map((p) => p.cur.coverage_id!))].sort((a, b) => a - b);
        const claimIds = toPay.map((p) => p.cur.claim_id).sort((a, b) => a - b);
        // Coverage rows before claim rows: the order approval takes them (claim.service.ts),
        // so a confirmation and an approval or adjustment for the same person cannot deadlock.
        await conn.execute(
          'select id from coverage where id = any(?::int[]) order by id for update',
          [intArray(coverageIds)],
          'all',
          ctx,
        );
        const locked = await conn.execute<
          { id: number; claim_number: string; status: string; coverage_id: number | null }[]
        >(
          'select id, claim_number, status, coverage_id from claim where id = any(?::int[]) order by id for update',
          [intArray(claimIds)],
          'all',
          ctx,
        );
        const byId = new Map(toPay.map((p) => [p.cur.claim_id, p]));
        for (const c of locked) {
          if (c.status !== ClaimStatus.APPROVED || c.coverage_id !== byId.get(c.id)!.cur.coverage_id) {
            throw payoutError(
              PayoutReason.CLAIM_NOT_PAYABLE,
              `claim ${c.claim_number} is ${c.status}, not APPROVED: it cannot be paid; nothing was changed`,
              { claimNumber: c.claim_number, currentState: c.status },
            );
          }
        }
      }

      const now = this.clock.now();
      const lineUpdates = [
        ...toPay.map((p) => ({
          id: p.cur.line_id,
          status: PayoutLineStatus.PAID,
          ref: p.want.channelReference,
          reason: null,
        })),
        ...toFail.map((f) => ({
          id: f.cur.line_id,
          status: PayoutLineStatus.FAILED,
          ref: f.want.channelReference ?? null,
          reason: f.want.failureReason,
        })),
      ];
      if (lineUpdates.length) {
        const updated = await conn.execute<{ id: number }[]>(
          `update payout_line l
              set status = v.status, channel_reference = v.ref, failure_reason = v.reason, confirmed_at = ?
             from jsonb_to_recordset(?::jsonb) as v(id int, status text, ref text, reason text)
            where l.id = v.id and l.status = 'PENDING'
        returning l.id`,
          [now, JSON.stringify(lineUpdates)],
          'all',
          ctx,
        );
        // The batch lock keeps every listed PENDING line PENDING until here.
        if (updated.length !== lineUpdates.length)
          throw new Error(`batch ${batch.batchNumber}: lines changed under the batch lock`);
      }
      if (toPay.length) {
        const paidClaims = await conn.execute<{ id: number }[]>(
          `update claim c
              set status = 'PAID', paid_at = ?, payment_reference = v.ref, version = c.version + 1, updated_at = ?
             from jsonb_to_recordset(?::jsonb) as v(id int, ref text)
            where c.id = v.id and c.status = 'APPROVED'
        returning c.id`,
          [
            now,
            now,
            JSON.stringify(toPay.map((p) => ({ id: p.cur.claim_id, ref: p.want.channelReference }))),
          ],
          'all',
          ctx,
        );
        if (paidClaims.length !== toPay.length)
          throw new Error(`batch ${batch.batchNumber}: claims changed under their lock`);

        const adds = new Map<number, { amount: ReturnType<typeof money>; claimIds: number[] }>();
        for (const p of toPay) {
          const add = adds.get(p.cur.coverage_id!) ?? { amount: money(0), claimIds: [] };
          add.amount = add.amount.plus(money(p.cur.amount));
          add.claimIds.push(p.cur.claim_id);
          adds.set(p.cur.coverage_id!, add);
        }
        const coverages = await conn.execute<{ id: number; benefit_paid: string }[]>(
          `update coverage cv
              set benefit_paid = cv.benefit_paid + v.amount, updated_at = ?
             from jsonb_to_recordset(?::jsonb) as v(id int, amount numeric)
            where cv.id = v.id
        returning cv.id, cv.benefit_paid::text as benefit_paid`,
          [now, JSON.stringify([...adds].map(([id, a]) => ({ id, amount: a.amount.toFixed(2) })))],
          'all',
          ctx,
        );
        const after = new Map(coverages.map((c) => [c.id, c.benefit_paid]));

        for (const p of toPay) {
          this.audit.record(tx, actor, {
            entityType: 'PayoutLine',
            entityId: p.cur.line_id,
            action: 'CONFIRM',
            fromState: PayoutLineStatus.PENDING,
            toState: PayoutLineStatus.PAID,
            changes: {
              batchNumber: batch.batchNumber,
              claimNumber: p.cur.claim_number,
              amount: p.cur.amount,
              channelReference: p.want.channelReference,
            },
          });
          this.audit.record(tx, actor, {
            entityType: 'Claim',
            entityId: p.cur.claim_id,
            action: 'PAY',
            fromState: ClaimStatus.APPROVED,
            toState: ClaimStatus.PAID,
            changes: {
              batchNumber: batch.batchNumber,
              amount: p.cur.amount,
              paymentReference: p.want.channelReference,
              paidAt: now.toISOString(),
            },
          });
          this.events.emit(tx, {
            type: 'CLAIM_STATUS_CHANGED',
            countyCode: p.cur.county_code,
            // The claims module's payload (ids and masked data only), plus what the payment adds.
            payload: {
              claimId: p.cur.claim_id,
              claimNumber: p.cur.claim_number,
              insuredId: p.cur.insured_id,
              maskedId: p.cur.id_masked,
              coverageId: p.cur.coverage_id,
              adjustmentOfId: p.cur.adjustment_of_id,
              from: ClaimStatus.APPROVED,
              to: ClaimStatus.PAID,
              rejectionReason: null,
              missingDocuments: [],
              amount: p.cur.amount,
              payoutBatchId: batch.id,
              payoutBatchNumber: batch.batchNumber,
              paidAt: now.toISOString(),
            },
          });
        }
        for (const [id, a] of [...adds].sort(([x], [y]) => x - y)) {
          const to = after.get(id);
          if (to === undefined) throw new Error(`coverage ${id} vanished while paying`);
          this.audit.record(tx, actor, {
            entityType: 'Coverage',
            entityId: id,
            action: 'BENEFIT_PAID',
            changes: {
              benefitPaid: { from: formatMoney(money(to).minus(a.amount)), to },
              added: a.amount.toFixed(2),
              claimIds: a.claimIds,
              batchNumber: batch.batchNumber,
            },
          });
        }
        paidNow = toPay.length;
      }
      for (const f of toFail) {
        this.audit.record(tx, actor, {
          entityType: 'PayoutLine',
          entityId: f.cur.line_id,
          action: 'CONFIRM',
          fromState: PayoutLineStatus.PENDING,
          toState: PayoutLineStatus.FAILED,
          changes: {
            batchNumber: batch.batchNumber,
            claimNumber: f.cur.claim_number,
            amount: f.cur.amount,
            failureReason: f.want.failureReason,
            channelReference: f.want.channelReference ?? null,
          },
        });
        // The claim never left APPROVED: no status change (no event), and it is free for the next batch.
        this.audit.record(tx, actor, {
          entityType: 'Claim',
          entityId: f.cur.claim_id,
          action: 'PAYMENT_FAILED',
          fromState: ClaimStatus.APPROVED,
          toState: ClaimStatus.APPROVED,
          changes: {
            batchNumber: batch.batchNumber,
            amount: f.cur.amount,
            failureReason: f.want.failureReason,
          },
        });
      }

      const [pending] = await conn.execute<{ n: number }[]>(
        `select count(*)::int as n from payout_line where batch_id = ? and status = 'PENDING'`,
        [batch.id],
        'all',
        ctx,
      );
      if (pending!.n === 0 && batch.status === PayoutBatchStatus.CREATED) {
        batch.status = PayoutBatchStatus.CONFIRMED;
        batch.confirmedAt = now;
        this.audit.record(tx, actor, {
          entityType: 'PayoutBatch',
          entityId: batch.id,
          action: 'CONFIRM',
          fromState: PayoutBatchStatus.CREATED,
          toState: PayoutBatchStatus.CONFIRMED,
          changes: { batchNumber: batch.batchNumber },
        });
      }
      return { batch, paid: toPay.length, failed: toFail.length, unchanged };
    });
    if (paidNow > 0) await this.events.dispatchSoon();
    return result;
  }

  /** Batches in the actor's scope, newest first. */
  async list(
    em: EntityManager,
    actor: Actor,
    filter: PayoutBatchFilter,
    page?: PageInput,
  ): Promise<Connection<PayoutBatch>> {
    const limit = pageSize(page);
    const problems: FieldProblem[] = [];
    if (filter.countyCode && !COUNTY_RE.test(filter.countyCode))
      problems.push({ field: 'filter.countyCode', message: 'must be a 6-digit county code' });
    if (filter.runDate && !isIsoDate(filter.runDate))
      problems.push({ field: 'filter.runDate', message: 'must be a calendar date YYYY-MM-DD' });
    if (filter.status && !Object.values(PayoutBatchStatus).includes(filter.status)) {
      problems.push({
        field: 'filter.status',
        message: `must be one of ${Object.values(PayoutBatchStatus).join(', ')}`,
      });
    }
    if (problems.length) throw badInputs(problems);
    const conditions: Record<string, unknown>[] = [];
    if (filter.countyCode) conditions.push({ countyCode: filter.countyCode });
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.runDate) conditions.push({ runKey: filter.runDate });
    const where = withScope({ $and: conditions }, actor);
    const totalCount = await em.count(PayoutBatch, where);
    let after: number | undefined;
    if (page?.after) {
      const key = decodeCursor(page.after);
      if (!/^\d+$/.test(key)) throw badInput('page.after', 'not a cursor of this list');
      after = Number(key);
    }
    const rows = await em.find(PayoutBatch, after ? { $and: [where, { id: { $lt: after } }] } : where, {
      orderBy: { id: 'desc' },
      limit: limit + 1,
    });
    return toConnection(
      rows,
      limit,
      totalCount,
      (b) => b.id,
      (b) => b,
      Boolean(after),
    );
  }

  /** One batch; NOT_FOUND when absent or outside the actor's scope. */
  async get(em: EntityManager, actor: Actor, id: number): Promise<PayoutBatch> {
    const batch = await em.findOne(PayoutBatch, withScope({ id }, actor));
    if (!batch) throw notFound('PayoutBatch', id);
    return batch;
  }

  /**
   * The lines of batches (already read through `get`/`list`, so in scope), in line order:
   * claim number and masked ID, never the name or the account.
   */
  async linesOf(em: EntityManager, batchIds: readonly number[]): Promise<Map<number, PayoutLineView[]>> {
    const out = new Map<number, PayoutLineView[]>(batchIds.map((id) => [id, []]));
    if (!batchIds.length) return out;
    const rows = await em.getConnection().execute<
      {
        id: number;
        batch_id: number;
        claim_id: number;
        claim_number: string;
        id_masked: string;
        amount: string;
        status: PayoutLineStatus;
        channel_reference: string | null;
        failure_reason: string | null;
        confirmed_at: Date | null;
      }[]
    >(
      `select l.id, l.batch_id, l.claim_id, c.claim_number, i.id_masked, l.amount::text as amount, l.status,
              l.channel_reference, l.failure_reason, l.confirmed_at
         from payout_line l join claim c on c.id = l.claim_id join insured i on i.id = c.insured_id
        where l.batch_id = any(?::int[])
        order by l.batch_id, l.id`,
      [intArray(batchIds)],
    );
    for (const r of rows) {
      out.get(r.batch_id)?.push({
        id: r.id,
        batchId: r.batch_id,
        claimId: r.claim_id,
        claimNumber: r.claim_number,
        maskedId: r.id_masked,
        amount: r.amount,
        status: r.status,
        channelReference: r.channel_reference,
        failureReason: r.failure_reason,
        confirmedAt: r.confirmed_at ? new Date(r.confirmed_at) : null,
      });
    }
    return out;
  }

  /** Counts and amounts of lines by status, per batch (one GROUP BY for many batches). */
  async summariesOf(
    em: EntityManager,
    batchIds: readonly number[],
  ): Promise<Map<number, PayoutBatchSummary>> {
    const out = new Map<number, PayoutBatchSummary>(
      batchIds.map((id) => [
        id,
        {
          batchId: id,
          pendingCount: 0,
          paidCount: 0,
          failedCount: 0,
          pendingAmount: '0.00',
          paidAmount: '0.00',
          failedAmount: '0.00',
        },
      ]),
    );
    if (!batchIds.length) return out;
    const rows = await em
      .getConnection()
      .execute<{ batch_id: number; status: PayoutLineStatus; n: number; amount: string }[]>(
        `select batch_id, status, count(*)::int as n, sum(amount)::text as amount
         from payout_line where batch_id = any(?::int[]) group by batch_id, status`,
        [intArray(batchIds)],
      );
    for (const r of rows) {
      const s = out.get(r.batch_id);
      if (!s) continue;
      switch (r.status) {
        case PayoutLineStatus.PENDING:
          s.pendingCount = r.n;
          s.pendingAmount = formatMoney(r.amount);
          break;
        case PayoutLineStatus.PAID:
          s.paidCount = r.n;
          s.paidAmount = formatMoney(r.amount);
          break;
        case PayoutLineStatus.FAILED:
          s.failedCount = r.n;
          s.failedAmount = formatMoney(r.amount);
          break;
      }
    }
    return out;
  }

  /**
   * The payment channel's file of a batch (see batch-file.ts), generated from its lines: the
   * file of the batch as made, whatever has been confirmed since. The download is audited (it
   * holds names and accounts; the audit holds neither).
   */
  async batchFile(
    em: EntityManager,
    actor: Actor,
    id: number,
  ): Promise<{ fileName: string; content: Buffer; lineCount: number }> {
    return em.transactional(async (tx) => {
      const batch = await tx.findOne(PayoutBatch, withScope({ id }, actor));
      if (!batch) throw notFound('PayoutBatch', id);
      const rows = await tx
        .getConnection()
        .execute<
          { claim_number: string; payee_account: string; id_masked: string; name: string; amount: string }[]
        >(
          `select c.claim_number, l.payee_account, i.id_masked, i.name, l.amount::text as amount
           from payout_line l join claim c on c.id = l.claim_id join insured i on i.id = c.insured_id
          where l.batch_id = ?
          order by l.id`,
          [batch.id],
          'all',
          tx.getTransactionContext(),
        );
      const fileRows: BatchFileRow[] = rows.map((r) => ({
        claimNumber: r.claim_number,
        payeeAccount: r.payee_account,
        maskedId: r.id_masked,
        name: r.name,
        amount: r.amount,
      }));
      this.audit.record(tx, actor, {
        entityType: 'PayoutBatch',
        entityId: batch.id,
        action: 'EXPORT_FILE',
        changes: { batchNumber: batch.batchNumber, lineCount: rows.length },
      });
      return { fileName: `${batch.batchNumber}.csv`, content: toBatchCsv(fileRows), lineCount: rows.length };
    });
  }

  /**
   * Does the money add up for a programme year (and optionally one county)? Each check is one
   * SQL aggregate that returns only what is out:
   * - every batch (with a claim of the year): total and line count = its lines' sum and count;
   * - every coverage of the year: `benefit_paid` = the payable of its PAID claims;
   * - every claim of the year: PAID ⇔ exactly one PAID line, of the claim's payable;
   * - per county and overall: claims paid = benefit paid = lines paid, and the programme's
   *   totals (computed over the tables directly) = the sum of the counties'.
   */
  async reconcile(
    actor: Actor,
    programmeYear: number,
    countyCode?: string | null,
  ): Promise<ReconciliationReport> {
    const problems: FieldProblem[] = [];
    if (!Number.isInteger(programmeYear) || programmeYear < 2000 || programmeYear > 2100) {
      problems.push({ field: 'programmeYear', message: 'must be a year 2000–2100' });
    }
    if (countyCode && !COUNTY_RE.test(countyCode))
      problems.push({ field: 'countyCode', message: 'must be a 6-digit county code' });
    if (problems.length) throw badInputs(problems);
    const county = countyCode || null;
    // Parameters: $1 year, $2 county (or null), then the scope's.
    const where = (column: string, params: unknown[]) =>
      `(${scopeSql(actor, column, params)} and ($2::text is null or ${column} = $2))`;

    const batchParams: unknown[] = [programmeYear, county];
    const batchScope = where('b.county_code', batchParams);
    const batchRows = await this.pg.query<{
      checked: number;
      mismatches: BatchMismatch[] | null;
    }>(
      `with checked as (
         select b.id, b.batch_number, b.county_code, b.total_amount, b.line_count,
                coalesce(sum(l.amount), 0) as lines_amount, count(l.id)::int as lines_counted
           from payout_batch b left join payout_line l on l.batch_id = b.id
          where ${batchScope}
            and (exists (select 1 from payout_line l2 join claim c2 on c2.id = l2.claim_id
                          where l2.batch_id = b.id and c2.programme_year = $1)
                 or not exists (select 1 from payout_line l3 where l3.batch_id = b.id))
          group by b.id
       )
       select (select count(*)::int from checked) as checked,
              (select json_agg(json_build_object(
                        'batchId', id, 'batchNumber', batch_number, 'countyCode', county_code,
                        'totalAmount', total_amount::text, 'linesAmount', lines_amount::text,
                        'lineCount', line_count, 'linesCounted', lines_counted) order by id)
                 from (select * from checked
                        where total_amount <> lines_amount or line_count <> lines_counted
                        order by id limit ${MISMATCH_LIMIT}) m) as mismatches`,
      batchParams,
    );

    const covParams: unknown[] = [programmeYear, county];
    const covScope = where('cv.county_code', covParams);
    const covRows = await this.pg.query<{ checked: number; mismatches: CoverageMismatch[] | null }>(
      `with paid as (
         select c.coverage_id, sum(c.payable) as amount
           from claim c
          where c.status = 'PAID' and c.coverage_id in (select id from coverage where programme_year = $1)
          group by c.coverage_id
       ), checked as (
         select cv.id, cv.county_code, cv.insured_id, cv.benefit_paid, coalesce(p.amount, 0) as paid_amount
           from coverage cv left join paid p on p.coverage_id = cv.id
          where cv.programme_year = $1 and ${covScope}
       )
       select (select count(*)::int from checked) as checked,
              (select json_agg(json_build_object(
                        'coverageId', m.id, 'countyCode', m.county_code, 'maskedId', i.id_masked,
                        'benefitPaid', m.benefit_paid::text, 'paidClaimsAmount', m.paid_amount::text) order by m.id)
                 from (select * from checked where benefit_paid <> paid_amount order by id limit ${MISMATCH_LIMIT}) m
                 join insured i on i.id = m.insured_id) as mismatches`,
      covParams,
    );

    const claimParams: unknown[] = [programmeYear, county];
    const claimScope = where('c.county_code', claimParams);
    const claimRows = await this.pg.query<{ mismatches: PaidClaimMismatch[] | null }>(
      `with candidates as (
         select c.id from claim c where c.programme_year = $1 and c.status = 'PAID' and ${claimScope}
         union
         select c.id from payout_line l join claim c on c.id = l.claim_id
          where l.status = 'PAID' and c.programme_year = $1 and ${claimScope}
       ), checked as (
         select c.id, c.claim_number, c.county_code, c.status, c.payable,
                count(l.id)::int as paid_lines, coalesce(sum(l.amount), 0) as paid_lines_amount
           from candidates k join claim c on c.id = k.id
           left join payout_line l on l.claim_id = c.id and l.status = 'PAID'
          group by c.id
       )
       select json_agg(json_build_object(
                'claimId', id, 'claimNumber', claim_number, 'countyCode', county_code, 'status', status,
                'payable', payable::text, 'paidLines', paid_lines, 'paidLinesAmount', paid_lines_amount::text) order by id) as mismatches
         from (select * from checked
                where not (status = 'PAID' and paid_lines = 1 and paid_lines_amount = payable)
                order by id limit ${MISMATCH_LIMIT}) m`,
      claimParams,
    );

    const totalParams: unknown[] = [programmeYear, county];
    const claimsScope = where('c.county_code', totalParams);
    const coverageScope = where('cv.county_code', totalParams);
    const totalRows = await this.pg.query<{
      counties:
        | {
            countyCode: string;
            paidClaimsCount: number;
            paidClaimsAmount: string;
            benefitPaid: string;
            paidLinesAmount: string;
          }[]
        | null;
      total: {
        paidClaimsCount: number;
        paidClaimsAmount: string;
        benefitPaid: string;
        paidLinesAmount: string;
      };
    }>(
      `with claims as (
         select c.county_code, count(*)::int as n, sum(c.payable) as amount
           from claim c where c.programme_year = $1 and c.status = 'PAID' and ${claimsScope}
          group by c.county_code
       ), benefit as (
         select cv.county_code, sum(cv.benefit_paid) as amount
           from coverage cv where cv.programme_year = $1 and ${coverageScope}
          group by cv.county_code
       ), lines as (
         select c.county_code, sum(l.amount) as amount
           from payout_line l join claim c on c.id = l.claim_id
          where l.status = 'PAID' and c.programme_year = $1 and ${claimsScope}
          group by c.county_code
       ), counties as (
         select k.county_code,
                coalesce(cl.n, 0) as n, coalesce(cl.amount, 0) as claims_amount,
                coalesce(b.amount, 0) as benefit_amount, coalesce(li.amount, 0) as lines_amount
           from (select county_code from claims union select county_code from benefit union select county_code from lines) k
           left join claims cl on cl.county_code = k.county_code
           left join benefit b on b.county_code = k.county_code
           left join lines li on li.county_code = k.county_code
       )
       select (select json_agg(json_build_object(
                        'countyCode', county_code, 'paidClaimsCount', n, 'paidClaimsAmount', claims_amount::text,
                        'benefitPaid', benefit_amount::text, 'paidLinesAmount', lines_amount::text) order by county_code)
                 from counties) as counties,
              json_build_object(
                'paidClaimsCount', (select count(*)::int from claim c where c.programme_year = $1 and c.status = 'PAID' and ${claimsScope}),
                'paidClaimsAmount', (select coalesce(sum(c.payable), 0)::text from claim c
                                      where c.programme_year = $1 and c.status = 'PAID' and ${claimsScope}),
                'benefitPaid', (select coalesce(sum(cv.benefit_paid), 0)::text from coverage cv
                                 where cv.programme_year = $1 and ${coverageScope}),
                'paidLinesAmount', (select coalesce(sum(l.amount), 0)::text from payout_line l join claim c on c.id = l.claim_id
                                     where l.status = 'PAID' and c.programme_year = $1 and ${claimsScope})) as total`,
      totalParams,
    );

    const fmt = (t: PayoutTotals): PayoutTotals => ({
      paidClaimsCount: t.paidClaimsCount,
      paidClaimsAmount: formatMoney(t.paidClaimsAmount),
      benefitPaid: formatMoney(t.benefitPaid),
      paidLinesAmount: formatMoney(t.paidLinesAmount),
    });
    const agree = (t: PayoutTotals) =>
      money(t.paidClaimsAmount).eq(money(t.benefitPaid)) &&
      money(t.paidClaimsAmount).eq(money(t.paidLinesAmount));
    const counties: CountyTotals[] = (totalRows.rows[0]!.counties ?? []).map((c) => {
      const t = fmt(c);
      return { countyCode: c.countyCode, ...t, consistent: agree(t) };
    });
    const totals = fmt(totalRows.rows[0]!.total);
    const sumOfCounties: PayoutTotals = {
      paidClaimsCount: counties.reduce((n, c) => n + c.paidClaimsCount, 0),
      paidClaimsAmount: formatMoney(sumMoney(counties.map((c) => c.paidClaimsAmount))),
      benefitPaid: formatMoney(sumMoney(counties.map((c) => c.benefitPaid))),
      paidLinesAmount: formatMoney(sumMoney(counties.map((c) => c.paidLinesAmount))),
    };
    const totalsConsistent =
      agree(totals) &&
      totals.paidClaimsCount === sumOfCounties.paidClaimsCount &&
      totals.paidClaimsAmount === sumOfCounties.paidClaimsAmount &&
      totals.benefitPaid === sumOfCounties.benefitPaid &&
      totals.paidLinesAmount === sumOfCounties.paidLinesAmount;

    const batchMismatches = (batchRows.rows[0]!.mismatches ?? []).map((m) => ({
      ...m,
      totalAmount: formatMoney(m.totalAmount),
      linesAmount: formatMoney(m.linesAmount),
    }));
    const coverageMismatches = (covRows.rows[0]!.mismatches ?? []).map((m) => ({
      ...m,
      benefitPaid: formatMoney(m.benefitPaid),
      paidClaimsAmount: formatMoney(m.paidClaimsAmount),
    }));
    const claimMismatches = (claimRows.rows[0]!.mismatches ?? []).map((m) => ({
      ...m,
      payable: m.payable === null ? null : formatMoney(m.payable),
      paidLinesAmount: formatMoney(m.paidLinesAmount),
    }));
    return {
      programmeYear,
      countyCode: county,
      ok:
        !batchMismatches.length &&
        !coverageMismatches.length &&
        !claimMismatches.length &&
        counties.every((c) => c.consistent) &&
        totalsConsistent,
      batchesChecked: batchRows.rows[0]!.checked,
      batchMismatches,
      coveragesChecked: covRows.rows[0]!.checked,
      coverageMismatches,
      claimMismatches,
      counties,
      totals,
      sumOfCounties,
      totalsConsistent,
    };
  }
}
