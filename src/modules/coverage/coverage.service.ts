import type { Pool } from 'pg';
import type { Clock } from '../../shared/clock';
import { addDays, dayNumber, isIsoDate, type IsoDate } from '../../shared/dates';
import { badInput, type ErrorCode } from '../../shared/errors';
import { Role } from '../auth/api-token.entity';
import { isScoped, type Actor } from '../auth/actor';
import { ContractStatus } from '../contracts/county-contract.entity';
import { maskName } from '../enrollment/masking';
import { parseNationalId, type Gender, type NationalIdProblem } from '../enrollment/national-id';
import type { PiiService } from '../enrollment/pii.service';

/**
 * Why a person is not covered on a date (spec: "Coverage look-up for integrations").
 *
 * Precedence, for the coverage the look-up picks (see `pickCoverage`):
 * 1. the contract was CANCELLED → CONTRACT_NOT_ACTIVE (it never will be in force);
 * 2. the coverage was ended before its first day (e.g. removed from the roster) → TERMINATED;
 * 3. the date is before the coverage's first day → NOT_STARTED;
 * 4. the date is after its last covered day → TERMINATED when it was ended early, else EXPIRED;
 * 5. the contract is not in force on the date (DRAFT, QUOTED, APPROVED not yet activated, or
 *    EXPIRED without ever having been activated) → CONTRACT_NOT_ACTIVE;
 * 6. otherwise covered.
 * With no coverage at all: NOT_ENROLLED; for a scoped token with no coverage in its scope:
 * OUT_OF_SCOPE, whether or not the person is covered elsewhere (so it reveals nothing outside).
 */
export enum CoverageCheckReason {
  NOT_ENROLLED = 'NOT_ENROLLED',
  NOT_STARTED = 'NOT_STARTED',
  EXPIRED = 'EXPIRED',
  TERMINATED = 'TERMINATED',
  CONTRACT_NOT_ACTIVE = 'CONTRACT_NOT_ACTIVE',
  OUT_OF_SCOPE = 'OUT_OF_SCOPE',
}

/** Where a look-up came from, as the access log records it. */
export type AccessChannel = 'GRAPHQL' | 'FHIR';

/** At most this many IDs in one `coverages` call (one statement, one round trip). */
export const MAX_BATCH_IDS = 1000;

/** The county of a coverage, as the look-up joins it (the fields of the County type). */
export interface CoverageCounty {
  code: string;
  nameZh: string;
  nameEn: string;
  prefectureCode: string;
  prefectureZh: string;
  provinceCode: string;
  provinceZh: string;
  provinceEn: string;
}

/** One coverage of a person, as the look-up statement reads it. */
export interface CoverageFacts {
  coverageId: number;
  contractId: number;
  programmeYear: number;
  county: CoverageCounty;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  status: 'ENROLLED' | 'TERMINATED';
  /** Last covered day of a coverage ended early. */
  endedOn: IsoDate | null;
  eligibleApproved: string;
  benefitApproved: string;
  contractStatus: ContractStatus;
  /** The contract has been ACTIVE at some point (activated_at set). */
  contractActivated: boolean;
  planCode: string;
  deductible: string;
  annualCap: string;
}

export interface CoverageDecision {
  covered: boolean;
  reason: CoverageCheckReason | null;
}

/** The answer about one person on one date. */
export interface CoverageAnswer {
  on: IsoDate;
  covered: boolean;
  reason: CoverageCheckReason | null;
  /** From the ID asked about (the caller's own input): `513432********1234`. */
  nationalIdMasked: string;
  gender: Gender;
  /** Whole years on `on`; null when `on` is before the birth date. */
  age: number | null;
  /** The insured's record, only when a coverage in the caller's scope was found (or unscoped). */
  insuredId: number | null;
  /** Masked name (`张*`); null when the person is not known within the caller's scope. */
  nameMasked: string | null;
  /** Home county of the insured, for the name rule of the `insured` field. */
  insuredCountyCode: string | null;
  coverage: CoverageFigures | null;
}

/** The coverage the answer is about, with the year's amounts left. */
export interface CoverageFigures {
  coverageId: number;
  contractId: number;
  programmeYear: number;
  county: CoverageCounty;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  endedOn: IsoDate | null;
  planCode: string;
  deductible: string;
  /** max(0, deductible − eligible out-of-pocket approved this coverage year). */
  deductibleLeft: string;
  annualCap: string;
  /** Benefit approved this coverage year (paid or awaiting payment). */
  benefitUsed: string;
  /** max(0, annual cap − benefit approved). */
  benefitLeft: string;
}

export interface LookupError {
  code: ErrorCode;
  reason: NationalIdProblem;
  field: string;
  message: string;
}

/** One entry of a batch answer, in input order: an answer or an error of its own. */
export interface CoverageEntry {
  index: number;
  answer: CoverageAnswer | null;
  error: LookupError | null;
}

// ----------------------------------------------------------------- pure rules
//
// These run once per person of a batch of up to 1,000, so they stay cheap: calendar dates are
// compared as YYYY-MM-DD strings (which order like the dates), day numbers are only worked out
// when no period holds the date, and money is added in integer fen (exact: numeric(14,2)
// amounts are below 2^53 fen) rather than through a decimal object per amount.

/** The contract was in force on a date inside its period: ACTIVE now, or EXPIRED after having been ACTIVE. */
function contractInForce(c: CoverageFacts): boolean {
  return c.contractStatus === ContractStatus.ACTIVE || (c.contractStatus === ContractStatus.EXPIRED && c.contractActivated);
}

/** The last day a coverage covers: its period end, or the day it was ended on if earlier. */
export function lastCoveredDay(c: CoverageFacts): IsoDate {
  if (c.status !== 'TERMINATED') return c.periodEnd;
  // Terminated without a date: ended before it began (a REPLACE roster before the start).
  if (!c.endedOn) return addDays(c.periodStart, -1);
  return c.endedOn < c.periodEnd ? c.endedOn : c.periodEnd;
}

/** Covered or why not, for one coverage on one date (precedence: see CoverageCheckReason). */
export function decideCoverage(c: CoverageFacts, on: IsoDate): CoverageDecision {
  if (c.contractStatus === ContractStatus.CANCELLED) return notCovered(CoverageCheckReason.CONTRACT_NOT_ACTIVE);
  const terminated = c.status === 'TERMINATED';
  const last = terminated ? lastCoveredDay(c) : c.periodEnd;
  if (terminated && last < c.periodStart) return notCovered(CoverageCheckReason.TERMINATED);
  if (on < c.periodStart) return notCovered(CoverageCheckReason.NOT_STARTED);
  if (on > last) return notCovered(terminated ? CoverageCheckReason.TERMINATED : CoverageCheckReason.EXPIRED);
  if (!contractInForce(c)) return notCovered(CoverageCheckReason.CONTRACT_NOT_ACTIVE);
  return COVERED;
}

const COVERED: CoverageDecision = Object.freeze({ covered: true, reason: null });
const NOT_COVERED = new Map(
  Object.values(CoverageCheckReason).map((r) => [r, Object.freeze({ covered: false, reason: r })] as const),
);
function notCovered(reason: CoverageCheckReason): CoverageDecision {
  return NOT_COVERED.get(reason)!;
}

/**
 * The coverage a look-up on `on` is about: one whose period contains the date (one that covers
 * first, then the latest programme year); else the nearest period in days, a tie going to the
 * coming one (NOT_STARTED says when cover begins, which is more useful than how long ago it
 * ended), then the latest programme year. Null when there is none.
 */
export function pickCoverage(coverages: readonly CoverageFacts[], on: IsoDate): CoverageFacts | null {
  if (coverages.length <= 1) {
    return coverages[0] ?? null;
  }
  let holding: CoverageFacts | null = null;
  let holdingCovers = false;
  for (const c of coverages) {
    if (c.periodStart > on || c.periodEnd < on) continue;
    const covers = decideCoverage(c, on).covered;
    if (
      !holding ||
      (covers && !holdingCovers) ||
      (covers === holdingCovers && c.programmeYear > holding.programmeYear)
    ) {
      holding = c;
      holdingCovers = covers;
    }
  }
  if (holding) return holding;
  const day = dayNumber(on);
  let best: CoverageFacts | null = null;
  let bestDistance = Infinity;
  let bestComing = false;
  for (const c of coverages) {
    const coming = c.periodStart > on;
    const distance = coming ? dayNumber(c.periodStart) - day : day - dayNumber(c.periodEnd);
    if (
      !best ||
      distance < bestDistance ||
      (distance === bestDistance && coming && !bestComing) ||
      (distance === bestDistance && coming === bestComing && c.programmeYear > best.programmeYear)
    ) {
      best = c;
      bestDistance = distance;
      bestComing = coming;
    }
  }
  return best;
}

const MONEY_TEXT = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** An exact decimal amount as PostgreSQL sends numeric(14,2) ("10000.00") → integer fen. */
export function toFenInteger(amount: string): number {
  const m = MONEY_TEXT.exec(amount);
  if (!m) throw new RangeError('not a money amount with at most two decimals');
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new RangeError('money amount out of range');
  return m[1] ? -fen : fen;
}

/** Integer fen → "1234.50". */
export function fenToText(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const cents = abs % 100;
  return `${sign}${(abs - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
}

/** The year's amounts left on a coverage (claims.md: the deductible is taken once a year, the cap holds across claims). */
export function figuresOf(c: CoverageFacts): CoverageFigures {
  const deductible = toFenInteger(c.deductible);
  const cap = toFenInteger(c.annualCap);
  const benefitUsed = toFenInteger(c.benefitApproved);
  return {
    coverageId: c.coverageId,
    contractId: c.contractId,
    programmeYear: c.programmeYear,
    county: c.county,
    periodStart: c.periodStart,
    periodEnd: c.periodEnd,
    endedOn: c.status === 'TERMINATED' ? lastCoveredDay(c) : null,
    planCode: c.planCode,
    deductible: fenToText(deductible),
    deductibleLeft: fenToText(Math.max(0, deductible - toFenInteger(c.eligibleApproved))),
    annualCap: fenToText(cap),
    benefitUsed: fenToText(benefitUsed),
    benefitLeft: fenToText(Math.max(0, cap - benefitUsed)),
  };
}

/**
 * Whole years from `birthDate` to `on` (both valid YYYY-MM-DD, `on` not before the birth):
 * the same civil reckoning as national-id.ts `ageOn` (29 February birthdays come on 1 March in
 * common years), without re-validating dates that are already known to be real.
 */
export function ageOnDate(birthDate: IsoDate, on: IsoDate): number {
  const age = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? age - 1 : age;
}

// ----------------------------------------------------------------- the statement

/**
 * One statement for one ID or a thousand: the people by look-up hash with every coverage in the
 * caller's scope, their contract's state, plan terms and county. `$2`/`$3` are the scope's
 * county and province codes (both null when unscoped), so one prepared statement serves every
 * token. Dates come back as text (no time-zone conversion), money as exact decimal strings.
 */
const LOOKUP_SELECT = `
select encode(i.id_hash, 'hex') as hash, i.id as insured_id, i.name, i.county_code as home_county_code,
       c.id as coverage_id, c.contract_id, c.programme_year, c.county_code,
       c.period_start::text as period_start, c.period_end::text as period_end, c.status, c.ended_on::text as ended_on,
       c.eligible_approved, c.benefit_approved,
       k.status as contract_status, k.activated_at is not null as contract_activated,
       p.code as plan_code, p.deductible, p.annual_cap,
       co.name_zh, co.name_en, co.prefecture_code, co.prefecture_zh, co.province_code, co.province_zh, co.province_en
  from insured i
  left join coverage c
         on c.insured_id = i.id
        and ($2::text[] is null or c.county_code = any($2::text[]) or left(c.county_code, 2) = any($3::text[]))
  left join county_contract k on k.id = c.contract_id
  left join benefit_plan p on p.id = k.plan_id
  left join county co on co.code = c.county_code
 where i.id_hash = any($1::bytea[])`;

/**
 * The same, for integration tokens: the access-log row is written by the same statement (a
 * data-modifying CTE always runs to completion), so an answer never leaves without its log row
 * and the look-up stays one round trip. `$4` token id, `$5` channel.
 */
const LOGGED_LOOKUP = `
with logged as (
  insert into coverage_access_log (token_id, people_count, id_hashes, channel)
  select $4::int, cardinality($1::bytea[]), array(select encode(h, 'hex') from unnest($1::bytea[]) as h), $5::text
)${LOOKUP_SELECT}`;

export const LOOKUP_STATEMENT = { name: 'coverage-lookup-v1', text: LOOKUP_SELECT.trim() } as const;
export const LOGGED_LOOKUP_STATEMENT = { name: 'coverage-lookup-logged-v1', text: LOGGED_LOOKUP.trim() } as const;

interface LookupRow {
  hash: string;
  insured_id: number;
  name: string;
  home_county_code: string;
  coverage_id: number | null;
  contract_id: number;
  programme_year: number;
  county_code: string;
  period_start: string;
  period_end: string;
  status: 'ENROLLED' | 'TERMINATED';
  ended_on: string | null;
  eligible_approved: string;
  benefit_approved: string;
  contract_status: ContractStatus;
  contract_activated: boolean;
  plan_code: string;
  deductible: string;
  annual_cap: string;
  name_zh: string;
  name_en: string;
  prefecture_code: string;
  prefecture_zh: string;
  province_code: string;
  province_zh: string;
  province_en: string;
}

interface Person {
  insuredId: number;
  name: string;
  homeCountyCode: string;
  coverages: CoverageFacts[];
}

function toFacts(r: LookupRow): CoverageFacts {
  return {
    coverageId: r.coverage_id!,
    contractId: r.contract_id,
    programmeYear: r.programme_year,
    county: {
      code: r.county_code,
      nameZh: r.name_zh,
      nameEn: r.name_en,
      prefectureCode: r.prefecture_code,
      prefectureZh: r.prefecture_zh,
      provinceCode: r.province_code,
      provinceZh: r.province_zh,
      provinceEn: r.province_en,
    },
    periodStart: r.period_start,
    periodEnd: r.period_end,
    status: r.status,
    endedOn: r.ended_on,
    eligibleApproved: r.eligible_approved,
    benefitApproved: r.benefit_approved,
    contractStatus: r.contract_status,
    contractActivated: r.contract_activated,
    planCode: r.plan_code,
    deductible: r.deductible,
    annualCap: r.annual_cap,
  };
}

interface ValidId {
  id: string;
  birthDate: IsoDate;
  gender: Gender;
}

/**
 * "Is this person covered on this date?" — for hospitals and government systems (INTEGRATION,
 * scoped to counties or provinces), coordinators (their county) and the insurer's and
 * foundation's staff. The hot path stays off the ORM: one prepared `pg` statement over the
 * look-up hashes, for one ID or a thousand; every look-up by an integration writes its
 * access-log row in that same statement.
 *
 * The access log is written in the request, not after it: an answer never leaves without its
 * row, and there is nothing to lose if the process dies. What it costs is a WAL flush per
 * integration look-up (the statement now commits a row); measured on the 2-core bench machine
 * at the database alone, 10 connections, ≈ 0.4–0.5× the look-ups per second of the same
 * statement without the insert — while end to end the API process, not PostgreSQL, is the
 * bottleneck, so integration and staff look-ups run at the same rate. A deployment that needs
 * more can give this pool `synchronous_commit = off` (a crash of PostgreSQL may then lose the
 * last fraction of a second of log rows, never an inconsistent one).
 */
export class CoverageService {
  constructor(
    private readonly pg: Pool,
    private readonly pii: PiiService,
    private readonly clock: Clock,
  ) {}

  private todayCache = { second: Number.NaN, today: '' };

  /**
   * Today in China time, worked out at most once per second: `clock.today()` builds an
   * Intl.DateTimeFormat (≈ 0.1 ms), which was most of a look-up's own CPU. Exact, not an
   * approximation: a calendar date changes only on a whole second, so within one second of
   * the clock the date cannot change.
   */
  private today(): IsoDate {
    const second = Math.floor(this.clock.now().getTime() / 1000);
    if (second !== this.todayCache.second) this.todayCache = { second, today: this.clock.today() };
    return this.todayCache.today;
  }

  /** One person. An invalid ID is a BAD_USER_INPUT error on `nationalId`, never "not covered". */
  async check(actor: Actor, nationalId: string, on: IsoDate | null | undefined, channel: AccessChannel): Promise<CoverageAnswer> {
    const today = this.today();
    const date = dateOf(on, today);
    const parsed = parseNationalId(String(nationalId ?? ''), today);
    if (!parsed.ok) throw badInput('nationalId', parsed.message, parsed.reason);
    const hash = this.pii.hash(parsed.id);
    const people = await this.lookup(actor, [hash], channel);
    return answerFor(actor, parsed, people.get(hash.toString('hex')), date);
  }

  /**
   * Up to MAX_BATCH_IDS people in one statement, answered in input order. An invalid ID gets an
   * error entry of its own; the same ID twice gets the same answer twice (asked once).
   */
  async checkMany(
    actor: Actor,
    nationalIds: readonly string[],
    on: IsoDate | null | undefined,
    channel: AccessChannel,
  ): Promise<CoverageEntry[]> {
    if (nationalIds.length > MAX_BATCH_IDS) {
      throw badInput('nationalIds', `at most ${MAX_BATCH_IDS} IDs per call (got ${nationalIds.length})`, 'TOO_MANY');
    }
    const today = this.today();
    const date = dateOf(on, today);
    if (!nationalIds.length) return [];
    const parsed = nationalIds.map((raw) => parseNationalId(String(raw ?? ''), today));
    const hexOf = new Map<string, string>(); // normalised ID → hash (hex), each ID hashed once
    const hashes: Buffer[] = [];
    for (const p of parsed) {
      if (!p.ok || hexOf.has(p.id)) continue;
      const hash = this.pii.hash(p.id);
      hashes.push(hash);
      hexOf.set(p.id, hash.toString('hex'));
    }
    const people = await this.lookup(actor, hashes, channel);
    const answers = new Map<string, CoverageAnswer>();
    return parsed.map((p, index): CoverageEntry => {
      if (!p.ok) {
        return {
          index,
          answer: null,
          error: { code: 'BAD_USER_INPUT', reason: p.reason, field: `nationalIds.${index}`, message: p.message },
        };
      }
      let answer = answers.get(p.id);
      if (!answer) {
        answer = answerFor(actor, p, people.get(hexOf.get(p.id)!), date);
        answers.set(p.id, answer);
      }
      return { index, answer, error: null };
    });
  }

  /** The one round trip: people by hash with their in-scope coverages (and the access-log row). */
  private async lookup(actor: Actor, hashes: Buffer[], channel: AccessChannel): Promise<Map<string, Person>> {
    const scoped = isScoped(actor);
    const values: unknown[] = [
      hashes,
      scoped ? [...actor.countyCodes] : null,
      scoped ? [...actor.provinceCodes] : null,
    ];
    const logged = actor.role === Role.INTEGRATION;
    const statement = logged ? LOGGED_LOOKUP_STATEMENT : LOOKUP_STATEMENT;
    if (logged) values.push(actor.tokenId, channel);
    const { rows } = await this.pg.query<LookupRow>({ name: statement.name, text: statement.text, values });
    const people = new Map<string, Person>();
    for (const r of rows) {
      let person = people.get(r.hash);
      if (!person) {
        person = { insuredId: r.insured_id, name: r.name, homeCountyCode: r.home_county_code, coverages: [] };
        people.set(r.hash, person);
      }
      if (r.coverage_id !== null) person.coverages.push(toFacts(r));
    }
    return people;
  }
}

function dateOf(on: IsoDate | null | undefined, today: IsoDate): IsoDate {
  if (on === null || on === undefined) return today;
  if (!isIsoDate(on)) throw badInput('on', 'must be a calendar date YYYY-MM-DD');
  return on;
}

function answerFor(actor: Actor, id: ValidId, person: Person | undefined, on: IsoDate): CoverageAnswer {
  // The ID is normalised (parseNationalId): its mask is a slice, as maskNationalId would make it.
  const nationalIdMasked = `${id.id.slice(0, 6)}********${id.id.slice(14)}`;
  const age = on < id.birthDate ? null : ageOnDate(id.birthDate, on);
  const coverage = person ? pickCoverage(person.coverages, on) : null;
  if (!coverage) {
    // A scoped token learns nothing about people outside its scope, not even that they exist.
    const known = person && !isScoped(actor);
    return {
      on,
      covered: false,
      reason: isScoped(actor) ? CoverageCheckReason.OUT_OF_SCOPE : CoverageCheckReason.NOT_ENROLLED,
      nationalIdMasked,
      gender: id.gender,
      age,
      insuredId: known ? person.insuredId : null,
      nameMasked: known ? maskName(person.name) : null,
      insuredCountyCode: known ? person.homeCountyCode : null,
      coverage: null,
    };
  }
  const decision = decideCoverage(coverage, on);
  return {
    on,
    covered: decision.covered,
    reason: decision.reason,
    nationalIdMasked,
    gender: id.gender,
    age,
    insuredId: person!.insuredId,
    nameMasked: maskName(person!.name),
    insuredCountyCode: person!.homeCountyCode,
    coverage: figuresOf(coverage),
  };
}
