import { randomUUID } from 'node:crypto';
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
import { isIsoDate } from '../../shared/dates';
import { badInput, DomainError, notFound } from '../../shared/errors';
import { formatMoney, money, Money } from '../../shared/money';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import type { JobService, JobSnapshot } from '../jobs/job.service';
import { AGE_BANDS, GENDERS, RateTableStatus, type AgeBand, type Gender } from '../pricing/rate-table.entity';
import type { RateTableService } from '../pricing/rate-table.service';
import type { RateTable } from '../pricing/rate-table.entity';
import { ActuarialStudy, StudyKind } from './actuarial-study.entity';
import {
  buildCumulativeTriangle,
  chainLadder,
  ChainLadderInputError,
  CredibilityInputError,
  recalibrateRateTable,
  type ChainLadderResult,
  type FrequencyObservation,
  type IncrementalCell,
  type RecalibrationResult,
  type SeverityObservation,
} from './engine';

export type GranularityName = 'MONTH' | 'QUARTER' | 'YEAR';
const GRANULARITIES: readonly GranularityName[] = ['MONTH', 'QUARTER', 'YEAR'];

/** What a loss study was asked (stored as the study's `parameters`, with the job id). */
export interface LossStudyParameters {
  granularity: GranularityName;
  programmeYear: number | null;
  provinceCode: string | null;
  countyCode: string | null;
  tailFactor: number;
  /** Payments up to and including this date (China time); fixed when the study is requested. */
  valuationDate: string;
}

export interface CountyIbnr {
  countyCode: string;
  programmeYear: number;
  /** Paid to the valuation date (decimal string). */
  paid: string;
  /** Share of the IBNR (decimal string, to the fen). */
  ibnr: string;
}

export interface LossStudyResult {
  valuationDate: string;
  granularity: GranularityName;
  /** Origin period labels, oldest first. */
  periods: string[];
  triangle: (number | null)[][];
  claimCount: number;
  chainLadder: ChainLadderResult | null;
  ibnrByCounty: CountyIbnr[];
  /** How the IBNR was allocated to counties, in words (shown with the study). */
  allocation: string;
}

/** What the loss-study job returns (shown by `job(id)`): no personal data. */
/** What a proposal job reports: the DRAFT table it stored. */
export interface ProposalJobSummary {
  rateTableId: number;
  code: string;
  version: number;
  studyId: number;
  /** Claims the proposal counted. */
  claims: number;
  [key: string]: unknown;
}

export interface StudyJobSummary {
  studyId: number;
  kind: StudyKind;
  version: number;
  /** True when this attempt found the study already stored by an earlier attempt of the same job. */
  alreadyStored: boolean;
  [k: string]: unknown;
}

export interface ExperienceStudyParameters {
  year: number;
  /** Study date: exposure and earned premium are counted up to and including it. */
  asOf: string;
}

export interface ExperienceRow {
  countyCode: string;
  contractId: number | null;
  insured: number;
  /** Insured-years: covered days up to the study date / 365. */
  exposure: number;
  claimCount: number;
  /** claimCount / exposure; null without exposure. */
  frequency: number | null;
  payable: string;
  averagePayable: string | null;
  paid: string;
  approvedUnpaid: string;
  ibnr: string;
  incurred: string;
  premium: string;
  earnedPremium: string;
  lossRatio: number | null;
  expectedClaimsCost: string | null;
  expectedToDate: string | null;
  actualToExpected: number | null;
}

export interface ExperienceStudyResult {
  year: number;
  asOf: string;
  /** The loss study the IBNR shares come from; null when there is none (IBNR 0). */
  ibnrStudy: { id: number; version: number } | null;
  counties: ExperienceRow[];
  totals: ExperienceRow;
  basis: string;
}

/** Who a share of IBNR is asked for: a contract, or a county and programme year. */
export type IbnrTarget = { contractId: number } | { countyCode: string; programmeYear: number };

export interface IbnrShareDetail {
  amount: string;
  studyId: number;
  version: number;
}

export type ProgressFn = (percent: number, message: string) => Promise<void>;

const ALLOCATION =
  "Each origin period's IBNR is shared among counties (and programme years) pro rata to their paid to date in " +
  'that origin: a county gets its paid in origin i × (age-to-ultimate factor of i − 1). The shares add up to the ' +
  'total IBNR (to rounding to the fen per county and year). Recent origins carry most of the IBNR, so a county ' +
  'whose payments are recent gets a larger share than an allocation pro rata to total paid would give it.';

const EXPERIENCE_BASIS =
  'Exposure = covered days (terminated coverages to their last covered day) up to the study date / 365. Claims: ' +
  'APPROVED and PAID claims of the year (adjustment claims add to the amounts, not to the count). Incurred = paid ' +
  '+ approved unpaid + IBNR share from the latest loss study over the whole programme (no county or province ' +
  'filter; 0 when none). Earned premium = (total premium + endorsements) × elapsed days / contract days at the ' +
  'study date; expected to date = the accepted quote’s expected claims cost × the same fraction. Loss ratio = ' +
  'incurred / earned premium; A/E = incurred / expected to date. Totals are sums of the counties.';

function periodIndexSql(g: GranularityName, date: string): string {
  switch (g) {
    case 'MONTH':
      return `(extract(year from ${date})::int * 12 + extract(month from ${date})::int - 1)`;
    case 'QUARTER':
      return `(extract(year from ${date})::int * 4 + (extract(month from ${date})::int - 1) / 3)`;
    case 'YEAR':
      return `extract(year from ${date})::int`;
  }
}

function periodIndex(g: GranularityName, isoDate: string): number {
  const y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7));
  switch (g) {
    case 'MONTH':
      return y * 12 + m - 1;
    case 'QUARTER':
      return y * 4 + Math.floor((m - 1) / 3);
    case 'YEAR':
      return y;
  }
}

function periodLabel(g: GranularityName, index: number): string {
  switch (g) {
    case 'MONTH':
      return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
    case 'QUARTER':
      return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
    case 'YEAR':
      return String(index);
  }
}

function checkYear(field: string, year: unknown): number {
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100)
    throw badInput(field, 'must be a year 2000–2100');
  return year;
}

/** Band label of an age in whole years, as SQL (null outside 18–60). */
const BAND_SQL = (age: string) =>
  `case when ${age} between 18 and 29 then '18-29' when ${age} between 30 and 39 then '30-39'
        when ${age} between 40 and 49 then '40-49' when ${age} between 50 and 60 then '50-60' end`;

/**
 * Actuarial studies (renewals-actuarial.md): chain ladder over a supplied triangle, loss
 * development and experience studies run as jobs and stored as versioned ActuarialStudy
 * rows, and rate-table recalibration. The heavy reads are single set-based aggregates over
 * the `pg` pool; the pure engines in ./engine do the mathematics.
 */
export class ActuarialStudyService {
  constructor(
    private readonly pg: Pool,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly jobs: JobService,
    private readonly rateTables: RateTableService,
    private readonly timeZone: string,
  ) {}

  /** Chain ladder over a triangle supplied by the caller; nothing is read or stored. */
  chainLadder(
    triangle: readonly (readonly (number | null)[])[],
    tailFactor?: number | null,
  ): ChainLadderResult {
    const nullRow = triangle.findIndex((row) => !Array.isArray(row));
    if (nullRow >= 0) throw badInput(`triangle[${nullRow}]`, 'must be a list of cells', 'NOT_A_TRIANGLE');
    try {
      return chainLadder(triangle, tailFactor === null || tailFactor === undefined ? {} : { tailFactor });
    } catch (err) {
      if (err instanceof ChainLadderInputError) throw badInput(err.field, err.message, err.reason);
      throw err;
    }
  }

  // ---------------------------------------------------------------- studies (read)

  async get(em: EntityManager, id: number | string): Promise<ActuarialStudy> {
    const n = Number(id);
    if (!Number.isSafeInteger(n)) throw notFound('ActuarialStudy', String(id));
    const study = await em.findOne(ActuarialStudy, { id: n });
    if (!study) throw notFound('ActuarialStudy', n);
    return study;
  }

  /** Studies, newest first. */
  async list(
    em: EntityManager,
    kind: StudyKind | null,
    page?: PageInput,
  ): Promise<Connection<ActuarialStudy>> {
    const limit = pageSize(page);
    const where: Record<string, unknown> = kind ? { kind } : {};
    const totalCount = await em.count(ActuarialStudy, where);
    const before = page?.after ? Number(decodeCursor(page.after)) : undefined;
    if (before !== undefined && !Number.isSafeInteger(before))
      throw badInput('page.after', 'not a cursor of this list');
    const rows = await em.find(
      ActuarialStudy,
      before !== undefined ? { ...where, id: { $lt: before } } : where,
      {
        orderBy: { id: 'desc' },
        limit: limit + 1,
      },
    );
    return toConnection(
      rows,
      limit,
      totalCount,
      (s) => s.id,
      (s) => s,
      before !== undefined,
    );
  }

  // ---------------------------------------------------------------- loss study

  /**
   * Validates and enqueues a loss study. Every request is a new study (a re-run makes a new
   * version), so the job id is a fresh nonce; a retried attempt of that job keeps its id, which
   * is stored in the study's parameters and checked before storing (no second version).
   */
  async startLossStudy(
    em: EntityManager,
    actor: Actor,
    input: {
      granularity: string;
      programmeYear?: number | null;
      provinceCode?: string | null;
      countyCode?: string | null;
      tailFactor?: number | null;
    },
  ): Promise<JobSnapshot> {
    if (!GRANULARITIES.includes(input.granularity as GranularityName))
      throw badInput('input.granularity', `must be one of ${GRANULARITIES.join(', ')}`);
    const programmeYear =
      input.programmeYear === null || input.programmeYear === undefined
        ? null
        : checkYear('input.programmeYear', input.programmeYear);
    const provinceCode = input.provinceCode ?? null;
    if (provinceCode !== null && !/^\d{2}$/.test(provinceCode))
      throw badInput('input.provinceCode', 'must be a two-digit province code');
    const countyCode = input.countyCode ?? null;
    if (countyCode !== null && !/^\d{6}$/.test(countyCode))
      throw badInput('input.countyCode', 'must be a 6-digit county code');
    if (countyCode !== null && provinceCode !== null && !countyCode.startsWith(provinceCode))
      throw badInput('input.countyCode', `county ${countyCode} is not in province ${provinceCode}`);
    const tailFactor = input.tailFactor ?? 1;
    if (!Number.isFinite(tailFactor) || tailFactor <= 0)
      throw badInput('input.tailFactor', 'must be a number above 0');
    const parameters: LossStudyParameters = {
      granularity: input.granularity as GranularityName,
      programmeYear,
      provinceCode,
      countyCode,
      tailFactor,
      valuationDate: this.clock.today(),
    };
    const job = await this.jobs.enqueue(
      'actuarial',
      'loss-study',
      { parameters, actorTokenId: actor.tokenId, actorRole: actor.role },
      { jobId: `loss-study-${randomUUID()}` },
    );
    await this.auditEnqueue(em, actor, job, { ...parameters });
    return job;
  }

  /**
   * The job's work: one aggregate of paid claims into (county, programme year, origin, lag)
   * cells, the cumulative triangle, the chain ladder, the allocation to counties, stored as
   * the next LOSS_DEVELOPMENT version. `jobId` is the idempotency key (see startLossStudy).
   */
  async runLossStudy(
    em: EntityManager,
    actor: Actor,
    jobId: string,
    parameters: LossStudyParameters,
    progress: ProgressFn = async () => undefined,
  ): Promise<StudyJobSummary> {
    const existing = await this.findByJob(em, StudyKind.LOSS_DEVELOPMENT, jobId);
    if (existing) return this.lossSummary(existing, true);
    await progress(5, 'aggregating paid claims into triangle cells');
    const result = await this.computeLossStudy(parameters);
    await progress(80, `chain ladder over ${result.periods.length} origin periods done; storing the study`);
    const { study, alreadyStored } = await this.store(
      em,
      actor,
      StudyKind.LOSS_DEVELOPMENT,
      jobId,
      { ...parameters },
      result,
    );
    return this.lossSummary(study, alreadyStored);
  }

  /** Triangle, chain ladder and county allocation (reads only; also what the benchmark times). */
  async computeLossStudy(p: LossStudyParameters): Promise<LossStudyResult> {
    const g = p.granularity;
    const params: unknown[] = [this.timeZone, p.valuationDate];
    const where = [
      `status = 'PAID'`,
      'paid_at is not null',
      'payable is not null',
      `(paid_at at time zone $1)::date <= $2::date`,
      'admission_date <= $2::date',
    ];
    if (p.programmeYear !== null) {
      params.push(p.programmeYear);
      where.push(`programme_year = $${params.length}`);
    }
    if (p.countyCode !== null) {
      params.push(p.countyCode);
      where.push(`county_code = $${params.length}`);
    }
    if (p.provinceCode !== null) {
      params.push(`${p.provinceCode}%`);
      where.push(`county_code like $${params.length}`);
    }
    const origin = periodIndexSql(g, 'admission_date');
    const paidPeriod = periodIndexSql(g, '(paid_at at time zone $1)::date');
    // One aggregate, one pass over the claims with two grouping sets: the triangle cells
    // (origin, lag; county null) and paid per county, programme year and origin (lag null) for
    // the allocation. A payment dated before its admission (a data error) counts at lag 0.
    const { rows } = await this.pg.query<{
      county_code: string | null;
      programme_year: number | null;
      origin: number;
      lag: number | null;
      amount: string;
      n: number;
    }>(
      `select county_code, programme_year, origin, lag, sum(payable)::text as amount, count(*)::int as n
         from (select county_code, programme_year, ${origin} as origin,
                      greatest(${paidPeriod} - ${origin}, 0) as lag, payable
                 from claim where ${where.join(' and ')}) c
        group by grouping sets ((origin, lag), (county_code, programme_year, origin))`,
      params,
    );
    const empty: LossStudyResult = {
      valuationDate: p.valuationDate,
      granularity: g,
      periods: [],
      triangle: [],
      claimCount: 0,
      chainLadder: null,
      ibnrByCounty: [],
      allocation: ALLOCATION,
    };
    if (!rows.length) return empty;

    const valuation = periodIndex(g, p.valuationDate);
    let first = Infinity;
    for (const r of rows) if (r.origin < first) first = r.origin;
    const originCount = valuation - first + 1;
    const cells: IncrementalCell[] = [];
    const paidByCounty = new Map<
      string,
      { countyCode: string; programmeYear: number; byOrigin: Map<number, Money> }
    >();
    let claimCount = 0;
    for (const r of rows) {
      const o = r.origin - first;
      if (r.county_code === null) {
        cells.push({ origin: o, lag: r.lag!, amount: r.amount });
        claimCount += r.n;
        continue;
      }
      const key = `${r.county_code}|${r.programme_year}`;
      let entry = paidByCounty.get(key);
      if (!entry) {
        entry = { countyCode: r.county_code, programmeYear: r.programme_year!, byOrigin: new Map() };
        paidByCounty.set(key, entry);
      }
      entry.byOrigin.set(o, new Money(r.amount));
    }
    const triangle = buildCumulativeTriangle(cells, originCount, originCount - 1);
    const cl = chainLadder(triangle, { tailFactor: p.tailFactor });

    const ibnrByCounty: CountyIbnr[] = [...paidByCounty.values()]
      .map((c) => {
        let paid = new Money(0);
        let ibnr = new Money(0);
        for (const [o, amount] of c.byOrigin) {
          paid = paid.plus(amount);
          ibnr = ibnr.plus(amount.times(cl.origins[o]!.ageToUltimate - 1));
        }
        return {
          countyCode: c.countyCode,
          programmeYear: c.programmeYear,
          paid: formatMoney(paid),
          ibnr: formatMoney(ibnr),
        };
      })
      .sort((a, b) => a.countyCode.localeCompare(b.countyCode) || a.programmeYear - b.programmeYear);

    return {
      ...empty,
      periods: Array.from({ length: originCount }, (_, i) => periodLabel(g, first + i)),
      triangle,
      claimCount,
      chainLadder: cl,
      ibnrByCounty,
    };
  }

  /**
   * A county's share of IBNR for one programme year from the latest loss study that covers
   * it (no county/province filter excluding it, and the same programme year or none), as a
   * decimal string; '0.00' when there is no such study (the renewal quote should say so:
   * `ibnrShareDetail` returns null then). For the renewal run's experience (incurred).
   */
  async ibnrShare(em: EntityManager, target: IbnrTarget): Promise<string> {
    return (await this.ibnrShareDetail(em, target))?.amount ?? '0.00';
  }

  /** As `ibnrShare`, with the study it came from; null when no loss study covers the target. */
  async ibnrShareDetail(em: EntityManager, target: IbnrTarget): Promise<IbnrShareDetail | null> {
    let countyCode: string;
    let programmeYear: number;
    if ('contractId' in target) {
      const conn = em.getConnection();
      const [c] = await conn.execute<{ county_code: string; programme_year: number }[]>(
        'select county_code, programme_year from county_contract where id = ?',
        [target.contractId],
        'all',
        // Joins the caller's transaction when it passes one (the renewal run does).
        em.getTransactionContext(),
      );
      if (!c) throw notFound('Contract', target.contractId);
      countyCode = c.county_code;
      programmeYear = c.programme_year;
    } else {
      countyCode = target.countyCode;
      programmeYear = target.programmeYear;
    }
    const {
      rows: [row],
    } = await this.pg.query<{ id: number; version: number; share: { ibnr: string } | null }>(
      `select id, version,
              jsonb_path_query_first(result, '$.ibnrByCounty[*] ? (@.countyCode == $c && @.programmeYear == $y)',
                                     jsonb_build_object('c', $1::text, 'y', $2::int)) as share
         from actuarial_study
        where kind = 'LOSS_DEVELOPMENT'
          and (parameters->>'countyCode' is null or parameters->>'countyCode' = $1)
          and (parameters->>'provinceCode' is null or parameters->>'provinceCode' = left($1, 2))
          and (parameters->>'programmeYear' is null or (parameters->>'programmeYear')::int = $2)
        order by version desc limit 1`,
      [countyCode, programmeYear],
    );
    if (!row) return null;
    return {
      amount: row.share ? formatMoney(row.share.ibnr) : '0.00',
      studyId: row.id,
      version: row.version,
    };
  }

  // ---------------------------------------------------------------- experience study

  async startExperienceStudy(em: EntityManager, actor: Actor, year: number): Promise<JobSnapshot> {
    checkYear('input.year', year);
    const [programme] = await em
      .getConnection()
      .execute<{ id: number }[]>('select id from programme where year = ?', [year]);
    if (!programme) throw badInput('input.year', `no programme for ${year}`);
    const parameters: ExperienceStudyParameters = { year, asOf: this.clock.today() };
    const job = await this.jobs.enqueue(
      'actuarial',
      'experience-study',
      { parameters, actorTokenId: actor.tokenId, actorRole: actor.role },
      { jobId: `experience-study-${randomUUID()}` },
    );
    await this.auditEnqueue(em, actor, job, { ...parameters });
    return job;
  }

  async runExperienceStudy(
    em: EntityManager,
    actor: Actor,
    jobId: string,
    parameters: ExperienceStudyParameters,
    progress: ProgressFn = async () => undefined,
  ): Promise<StudyJobSummary> {
    const existing = await this.findByJob(em, StudyKind.EXPERIENCE, jobId);
    if (existing) return this.experienceSummary(existing, true);
    await progress(5, `aggregating exposure, claims and premium of ${parameters.year}`);
    const result = await this.computeExperience(em, parameters);
    await progress(80, `${result.counties.length} counties done; storing the study`);
    const { study, alreadyStored } = await this.store(
      em,
      actor,
      StudyKind.EXPERIENCE,
      jobId,
      { ...parameters },
      result,
    );
    return this.experienceSummary(study, alreadyStored);
  }

  async computeExperience(em: EntityManager, p: ExperienceStudyParameters): Promise<ExperienceStudyResult> {
    const { rows } = await this.pg.query<{
      contract_id: number;
      county_code: string;
      insured: number;
      covered_days: string;
      claims: number;
      payable: string;
      paid: string;
      approved_unpaid: string;
      premium: string;
      earned: string;
      expected: string | null;
      expected_to_date: string | null;
    }>(
      `with k as (
         select c.id, c.county_code, coalesce(c.total_premium, 0) + c.endorsement_premium as premium,
                q.expected_claims_cost as expected,
                greatest(0, least($2::date, c.period_end) - c.period_start + 1)::numeric
                  / (c.period_end - c.period_start + 1) as earned_fraction
           from county_contract c left join quote q on q.id = c.accepted_quote_id
          where c.programme_year = $1 and c.status in ('APPROVED', 'ACTIVE', 'EXPIRED')
       ), e as (
         select v.contract_id, count(*)::int as insured,
                sum(greatest(0, least(coalesce(v.ended_on, v.period_end), v.period_end, $2::date) - v.period_start + 1))
                  as covered_days
           from coverage v where v.contract_id in (select id from k) group by v.contract_id
       ), cl as (
         select contract_id,
                (count(*) filter (where adjustment_of_id is null))::int as claims,
                coalesce(sum(payable), 0) as payable,
                coalesce(sum(payable) filter (where status = 'PAID'), 0) as paid,
                coalesce(sum(payable) filter (where status = 'APPROVED'), 0) as approved_unpaid
           from claim
          where programme_year = $1 and status in ('APPROVED', 'PAID') and admission_date <= $2::date
            and contract_id in (select id from k)
          group by contract_id
       )
       select k.id as contract_id, k.county_code, coalesce(e.insured, 0) as insured,
              coalesce(e.covered_days, 0)::text as covered_days, coalesce(cl.claims, 0) as claims,
              coalesce(cl.payable, 0)::text as payable, coalesce(cl.paid, 0)::text as paid,
              coalesce(cl.approved_unpaid, 0)::text as approved_unpaid, k.premium::text as premium,
              round(k.premium * k.earned_fraction, 2)::text as earned, k.expected::text as expected,
              round(k.expected * k.earned_fraction, 2)::text as expected_to_date
         from k left join e on e.contract_id = k.id left join cl on cl.contract_id = k.id
        order by k.county_code`,
      [p.year, p.asOf],
    );
    const ibnrStudy = await this.programmeIbnr(em, p.year);
    const counties = rows.map((r) =>
      experienceRow({
        countyCode: r.county_code,
        contractId: r.contract_id,
        insured: r.insured,
        coveredDays: money(r.covered_days),
        claimCount: r.claims,
        payable: money(r.payable),
        paid: money(r.paid),
        approvedUnpaid: money(r.approved_unpaid),
        ibnr: money(ibnrStudy?.byCounty.get(r.county_code) ?? 0),
        premium: money(r.premium),
        earned: money(r.earned),
        expected: r.expected === null ? null : money(r.expected),
        expectedToDate: r.expected_to_date === null ? null : money(r.expected_to_date),
      }),
    );
    const sum = (f: (r: ExperienceRow) => string | null) =>
      counties.reduce((a, r) => a.plus(f(r) ?? 0), new Money(0));
    const allExpected = counties.every((r) => r.expectedClaimsCost !== null);
    const totals = experienceRow({
      countyCode: 'ALL',
      contractId: null,
      insured: counties.reduce((a, r) => a + r.insured, 0),
      coveredDays: rows.reduce((a, r) => a.plus(r.covered_days), new Money(0)),
      claimCount: counties.reduce((a, r) => a + r.claimCount, 0),
      payable: sum((r) => r.payable),
      paid: sum((r) => r.paid),
      approvedUnpaid: sum((r) => r.approvedUnpaid),
      ibnr: sum((r) => r.ibnr),
      premium: sum((r) => r.premium),
      earned: sum((r) => r.earnedPremium),
      expected: allExpected && counties.length ? sum((r) => r.expectedClaimsCost) : null,
      expectedToDate: allExpected && counties.length ? sum((r) => r.expectedToDate) : null,
    });
    return {
      year: p.year,
      asOf: p.asOf,
      ibnrStudy: ibnrStudy ? { id: ibnrStudy.id, version: ibnrStudy.version } : null,
      counties,
      totals,
      basis: EXPERIENCE_BASIS,
    };
  }

  /** IBNR shares of a programme year from the latest loss study over the whole programme. */
  private async programmeIbnr(
    em: EntityManager,
    year: number,
  ): Promise<{ id: number; version: number; byCounty: Map<string, string> } | null> {
    const [study] = await em.getConnection().execute<{ id: number; version: number }[]>(
      `select id, version from actuarial_study
        where kind = 'LOSS_DEVELOPMENT' and parameters->>'countyCode' is null and parameters->>'provinceCode' is null
          and (parameters->>'programmeYear' is null or (parameters->>'programmeYear')::int = ?)
        order by version desc limit 1`,
      [year],
    );
    if (!study) return null;
    const shares = await em.getConnection().execute<{ county_code: string; ibnr: string }[]>(
      `select e->>'countyCode' as county_code, e->>'ibnr' as ibnr
         from actuarial_study s, jsonb_array_elements(s.result->'ibnrByCounty') e
        where s.id = ? and (e->>'programmeYear')::int = ?`,
      [study.id, year],
    );
    return { ...study, byCounty: new Map(shares.map((s) => [s.county_code, s.ibnr])) };
  }

  // ---------------------------------------------------------------- recalibration

  /**
   * Proposes a DRAFT rate table from the claims data of the study's programme year, blended
   * with the current published table by credibility (engine `recalibrateRateTable`).
   *
   * - Current table: the programme year's default table when PUBLISHED, else the newest
   *   PUBLISHED table. The proposal is the next version of its code.
   * - Exposure: covered days up to the study's date / 365 per band (age at coverage start) ×
   *   gender, weighted by the table's area factor of the county's province, since the
   *   table's frequencies are before the area factor (pricing.md step 4).
   * - Claims: APPROVED and PAID claims of the year admitted by the study date (adjustments
   *   excluded), band by the claimant's age at coverage start.
   * - Severity: claims with eligible out-of-pocket > 0; each log cost is trended back to the
   *   table's base date, ln x − (admission − baseDate)/365 × ln(1 + annualTrend), the inverse
   *   of the pricing trend, so the proposed mu is at the table's base date like the current one.
   */
  async startProposeRateTable(em: EntityManager, actor: Actor, studyId: string): Promise<JobSnapshot> {
    const study = await this.proposalStudy(em, studyId);
    const job = await this.jobs.enqueue(
      'actuarial',
      'propose-rate-table',
      { studyId: study.id, actorTokenId: actor.tokenId, actorRole: actor.role },
      { jobId: `propose-rate-table-${randomUUID()}` },
    );
    await this.auditEnqueue(em, actor, job, { studyId: study.id });
    return job;
  }

  /** The study a proposal is made from: it must exist and name a programme year. */
  private async proposalStudy(
    em: EntityManager,
    studyId: string | number,
  ): Promise<ActuarialStudy & { year: number }> {
    const id = Number(studyId);
    if (!Number.isSafeInteger(id)) throw badInput('input.studyId', 'not a study id');
    const study = await em.findOne(ActuarialStudy, { id });
    if (!study) throw badInput('input.studyId', `study ${studyId} not found`, 'NOT_FOUND');
    const params = study.parameters as Record<string, unknown>;
    const year = study.kind === StudyKind.EXPERIENCE ? params.year : params.programmeYear;
    if (typeof year !== 'number')
      throw badInput(
        'input.studyId',
        'the study has no programme year (run a loss study with programmeYear, or an experience study)',
        'NO_YEAR',
      );
    return Object.assign(study, { year });
  }

  /**
   * The job's work (see the class notes above `startProposeRateTable`). `jobId` makes it safe to
   * repeat: a retried attempt finds the table its first attempt stored.
   */
  async proposeRateTable(
    em: EntityManager,
    actor: Actor,
    jobId: string,
    studyId: number,
    progress: ProgressFn = async () => undefined,
  ): Promise<ProposalJobSummary> {
    const study = await this.proposalStudy(em, studyId);
    const { year } = study;
    const params = study.parameters as Record<string, unknown>;
    const asOfRaw = study.kind === StudyKind.EXPERIENCE ? params.asOf : params.valuationDate;
    const asOf = typeof asOfRaw === 'string' && isIsoDate(asOfRaw) ? asOfRaw : this.clock.today();
    const current = await this.currentTable(em, year);
    const areaFactors = current.areaFactors ?? {};
    await progress(10, `exposure and claims of ${year} by band and gender`);

    const exposureRows = await this.pg.query<{ band: AgeBand; gender: Gender; exposure: number }>(
      `select band, gender, sum(days * coalesce(($3::jsonb ->> left(county_code, 2))::float8, 1)) / 365.0 as exposure
         from (select ${BAND_SQL("date_part('year', age(v.period_start, i.birth_date))::int")} as band, i.gender,
                      v.county_code,
                      greatest(0, least(coalesce(v.ended_on, v.period_end), v.period_end, $2::date) - v.period_start + 1) as days
                 from coverage v join insured i on i.id = v.insured_id join county_contract c on c.id = v.contract_id
                where v.programme_year = $1 and c.status <> 'CANCELLED') x
        where band is not null group by band, gender`,
      [year, asOf, JSON.stringify(areaFactors)],
    );
    const claimRows = await this.pg.query<{
      band: AgeBand;
      gender: Gender;
      claims: number;
      n: number;
      sum_log: number;
      sum_log2: number;
    }>(
      `select band, gender, count(*)::int as claims, count(lx)::int as n,
              coalesce(sum(lx), 0)::float8 as sum_log, coalesce(sum(lx * lx), 0)::float8 as sum_log2
         from (select ${BAND_SQL("date_part('year', age(v.period_start, i.birth_date))::int")} as band, i.gender,
                      case when k.eligible_oop > 0
                           then ln(k.eligible_oop::float8) - (k.admission_date - $3::date) / 365.0 * ln(1 + $4::float8) end as lx
                 from claim k join coverage v on v.id = k.coverage_id join insured i on i.id = v.insured_id
                where k.programme_year = $1 and k.status in ('APPROVED', 'PAID') and k.adjustment_of_id is null
                  and k.admission_date <= $2::date) x
        where band is not null group by band, gender`,
      [year, asOf, current.baseDate, current.annualTrend],
    );
    const frequency: FrequencyObservation[] = exposureRows.rows.map((e) => ({
      band: e.band,
      gender: e.gender,
      exposure: Number(e.exposure),
      claims: claimRows.rows.find((c) => c.band === e.band && c.gender === e.gender)?.claims ?? 0,
    }));
    const severityByBand = new Map<string, SeverityObservation>();
    for (const c of claimRows.rows) {
      const s = severityByBand.get(c.band) ?? { band: c.band, n: 0, sumLog: 0, sumLogSquared: 0 };
      s.n += c.n;
      s.sumLog += c.sum_log;
      s.sumLogSquared += c.sum_log2;
      severityByBand.set(c.band, s);
    }
    await progress(60, 'frequency and severity blended by credibility');
    let recal: RecalibrationResult;
    try {
      recal = recalibrateRateTable({
        current: { frequency: current.frequency, severity: current.severity },
        frequency,
        severity: [...severityByBand.values()],
        fullCredibilityClaims: current.fullCredibilityClaims,
      });
    } catch (err) {
      // Claims whose cells are not in the table, or inconsistent sums: the data, not the caller.
      if (err instanceof CredibilityInputError)
        throw new DomainError('CONFLICT', `claims data does not fit the table: ${err.message}`, {
          reason: err.reason,
        });
      throw err;
    }
    const evidence = {
      jobId,
      studyId: study.id,
      studyKind: study.kind,
      programmeYear: year,
      asOf,
      basedOn: { rateTableId: current.id, code: current.code, version: current.version },
      trendedTo: current.baseDate,
      basis:
        'frequency = claims / area-weighted exposure (insured-years, band by age at coverage start); severity = MLE of ' +
        'ln(eligible out-of-pocket) trended back to the base date; each blended with the current table by ' +
        'Z = min(1, sqrt(claims / fullCredibilityClaims))',
      frequency: recal.frequency,
      severity: recal.severity,
    };
    const table = await this.rateTables.create(
      em,
      actor,
      {
        code: current.code,
        baseDate: current.baseDate,
        frequency: AGE_BANDS.flatMap((band) =>
          GENDERS.map((gender) => ({ band, gender, frequency: recal.proposed.frequency[band]![gender]! })),
        ),
        severity: AGE_BANDS.map((band) => ({ band, ...recal.proposed.severity[band]! })),
        areaFactors: Object.entries(areaFactors).map(([provinceCode, factor]) => ({ provinceCode, factor })),
        annualTrend: current.annualTrend,
        expenseLoading: current.expenseLoading,
        riskMargin: current.riskMargin,
        minPremium: current.minPremium,
        fullCredibilityClaims: current.fullCredibilityClaims,
        maxRateChange: current.maxRateChange,
      },
      { sourceStudyId: study.id, evidence, jobId },
    );
    return {
      rateTableId: table.id,
      code: table.code,
      version: table.version,
      studyId: study.id,
      claims: frequency.reduce((n, f) => n + f.claims, 0),
    };
  }

  private async currentTable(em: EntityManager, year: number): Promise<RateTable> {
    const [row] = await em.getConnection().execute<{ id: number }[]>(
      `select coalesce(
                (select t.id from programme p join rate_table t on t.id = p.default_rate_table_id
                  where p.year = ? and t.status = 'PUBLISHED'),
                (select id from rate_table where status = 'PUBLISHED' order by published_at desc nulls last, id desc limit 1)
              ) as id`,
      [year],
    );
    if (!row?.id)
      throw new DomainError('CONFLICT', 'no PUBLISHED rate table to recalibrate', {
        reason: 'NO_PUBLISHED_TABLE',
      });
    const table = await this.rateTables.get(em, row.id);
    if (table.status !== RateTableStatus.PUBLISHED)
      throw new DomainError('CONFLICT', 'no PUBLISHED rate table to recalibrate', {
        reason: 'NO_PUBLISHED_TABLE',
      });
    return table;
  }

  // ---------------------------------------------------------------- storage

  private async findByJob(em: EntityManager, kind: StudyKind, jobId: string): Promise<ActuarialStudy | null> {
    const [row] = await em
      .getConnection()
      .execute<{ id: number }[]>(
        `select id from actuarial_study where kind = ? and parameters->>'jobId' = ?`,
        [kind, jobId],
      );
    return row ? em.findOne(ActuarialStudy, { id: row.id }) : null;
  }

  /**
   * Stores the next version of `kind`, unless a study with this job id is already stored (a
   * retried attempt). Numbering and the check run under a per-kind advisory lock, so neither
   * two versions of one job nor two studies with the same version can appear; the unique
   * (kind, version) key backs the numbering up.
   */
  private async store(
    em: EntityManager,
    actor: Actor,
    kind: StudyKind,
    jobId: string,
    parameters: Record<string, unknown>,
    result: object,
  ): Promise<{ study: ActuarialStudy; alreadyStored: boolean }> {
    return em.transactional(async (tx) => {
      const exec = <T extends Record<string, unknown>>(sql: string, params: unknown[]) =>
        tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());
      await exec('select pg_advisory_xact_lock(hashtext(?))', [`actuarial_study:${kind}`]);
      const [done] = await exec<{ id: number }>(
        `select id from actuarial_study where kind = ? and parameters->>'jobId' = ?`,
        [kind, jobId],
      );
      if (done)
        return { study: await tx.findOneOrFail(ActuarialStudy, { id: done.id }), alreadyStored: true };
      const [max] = await exec<{ max: number | null }>(
        'select max(version) as max from actuarial_study where kind = ?',
        [kind],
      );
      const study = tx.create(ActuarialStudy, {
        kind,
        version: (max?.max ?? 0) + 1,
        parameters: { ...parameters, jobId },
        result: result as Record<string, unknown>,
        createdByTokenId: actor.tokenId,
      });
      await tx.flush();
      this.audit.record(tx, actor, {
        entityType: 'ActuarialStudy',
        entityId: study.id,
        action: 'CREATE',
        changes: { kind, version: study.version, jobId },
      });
      return { study, alreadyStored: false };
    });
  }

  private async auditEnqueue(
    em: EntityManager,
    actor: Actor,
    job: JobSnapshot,
    changes: Record<string, unknown>,
  ) {
    await em.transactional(async (tx) => {
      this.audit.record(tx, actor, {
        entityType: 'Job',
        entityId: job.id,
        action: 'ENQUEUE',
        toState: job.state,
        changes: { queue: job.queue, job: job.name, ...changes },
      });
    });
  }

  private lossSummary(study: ActuarialStudy, alreadyStored: boolean): StudyJobSummary {
    const r = study.result as unknown as LossStudyResult;
    return {
      studyId: study.id,
      kind: study.kind,
      version: study.version,
      alreadyStored,
      origins: r.periods.length,
      claimCount: r.claimCount,
      latest: r.chainLadder?.totals.latest ?? 0,
      ibnr: r.chainLadder?.totals.ibnr ?? 0,
      standardError: r.chainLadder?.totals.standardError ?? null,
      counties: r.ibnrByCounty.length,
    };
  }

  private experienceSummary(study: ActuarialStudy, alreadyStored: boolean): StudyJobSummary {
    const r = study.result as unknown as ExperienceStudyResult;
    return {
      studyId: study.id,
      kind: study.kind,
      version: study.version,
      alreadyStored,
      year: r.year,
      counties: r.counties.length,
      claimCount: r.totals.claimCount,
      incurred: r.totals.incurred,
      earnedPremium: r.totals.earnedPremium,
      lossRatio: r.totals.lossRatio,
    };
  }
}

function ratio(a: Money, b: Money | null): number | null {
  return b === null || b.isZero() ? null : a.div(b).toNumber();
}

function experienceRow(x: {
  countyCode: string;
  contractId: number | null;
  insured: number;
  coveredDays: Money;
  claimCount: number;
  payable: Money;
  paid: Money;
  approvedUnpaid: Money;
  ibnr: Money;
  premium: Money;
  earned: Money;
  expected: Money | null;
  expectedToDate: Money | null;
}): ExperienceRow {
  const exposure = x.coveredDays.div(365);
  const incurred = x.paid.plus(x.approvedUnpaid).plus(x.ibnr);
  return {
    countyCode: x.countyCode,
    contractId: x.contractId,
    insured: x.insured,
    exposure: exposure.toNumber(),
    claimCount: x.claimCount,
    frequency: exposure.isZero() ? null : new Money(x.claimCount).div(exposure).toNumber(),
    payable: formatMoney(x.payable),
    averagePayable: x.claimCount ? formatMoney(x.payable.div(x.claimCount)) : null,
    paid: formatMoney(x.paid),
    approvedUnpaid: formatMoney(x.approvedUnpaid),
    ibnr: formatMoney(x.ibnr),
    incurred: formatMoney(incurred),
    premium: formatMoney(x.premium),
    earnedPremium: formatMoney(x.earned),
    lossRatio: ratio(incurred, x.earned),
    expectedClaimsCost: x.expected === null ? null : formatMoney(x.expected),
    expectedToDate: x.expectedToDate === null ? null : formatMoney(x.expectedToDate),
    actualToExpected: ratio(incurred, x.expectedToDate),
  };
}
