import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, QueryResult } from 'pg';
import {
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
  type PageInput,
} from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { addDays, dateInZone, isIsoDate, type IsoDate } from '../../shared/dates';
import { badInput, badInputs, notFound, type FieldProblem } from '../../shared/errors';
import { positional } from '../../db/positional';
import { formatMoney, money } from '../../shared/money';
import type { AuditService } from '../audit/audit.service';
import { inScope, isScoped, withScope, type Actor } from '../auth/actor';
import type { CalendarService } from '../calendar/calendar.service';
import type { ContractStatus } from '../contracts/county-contract.entity';
import { Coverage } from '../coverage/coverage.entity';
import { decideCoverage, pickCoverage, type CoverageFacts } from '../coverage/coverage.service';
import { Insured } from '../enrollment/insured.entity';
import { maskTail, nameFor } from '../enrollment/insured.service';
import { parseNationalId } from '../enrollment/national-id';
import type { PiiService } from '../enrollment/pii.service';
import { assertSafePayload, type EventService } from '../events/event.service';
import { BenefitPlan, DOCUMENT_KINDS, type DocumentKind } from '../pricing/benefit-plan.entity';
import { planTerms } from '../pricing/plan.service';
import {
  adjudicate,
  AMOUNT_FIELDS,
  checkAmount,
  checkAmounts,
  checkDocuments,
  eligibleOutOfPocket,
  MAX_NOTE,
  missingDocuments,
  payableFor,
  stampSteps,
  staysOverlap,
  validateSubmission,
  type AdjudicationOutcome,
  type ClaimAmounts,
  type ClaimDocumentData,
  type CoverageFinding,
  type DuplicateMatch,
  type PayableWorking,
  type PlanRules,
  type RuleStep,
  type StayMatch,
  type SubmitClaimData,
  type TraceAction,
  type TraceEntry,
} from './adjudication';
import { Claim, ClaimDocument, ClaimRejection, ClaimStatus, type ClaimFlag } from './claim.entity';
import {
  ClaimReason,
  claimError,
  illegalClaimTransition,
  outOfScope,
  staleClaimVersion,
} from './claim.errors';
import { explainClaim, isDecided, type EobSource, type Explanation } from './eob';
import {
  CLOCK_RUNNING_STATUSES,
  pauseClock,
  slaReportQuery,
  startClock,
  toSlaReportRow,
  type SlaClock,
  type SlaReportRow,
  type SlaRow,
} from './sla';

export interface SupplementClaimData {
  claimId: number;
  /** When given, must be the stored version. */
  version?: number | null;
  documents?: ClaimDocumentData[] | null;
  settlementNumber?: string | null;
}

export interface ApproveClaimData {
  claimId: number;
  version: number;
  /** A corrected excluded self-pay cost (requires `reason`); x is recomputed. */
  excludedCost?: string | null;
  reason?: string | null;
}

export interface RejectClaimData {
  claimId: number;
  version: number;
  note: string;
}

export interface RequestClaimInfoData {
  claimId: number;
  version: number;
  documents: DocumentKind[];
  note?: string | null;
}

export interface AdjustClaimData {
  claimId: number;
  /** The change to the eligible out-of-pocket (recorded as an opposite change of the excluded cost). */
  eligibleDelta?: string | null;
  /** The corrected amounts of the episode; the adjustment holds the differences. */
  amounts?: ClaimAmounts | null;
  reason: string;
  idempotencyKey?: string | null;
}

export interface UpdatePayeeAccountData {
  claimId: number;
  payeeAccount: string;
  reason: string;
}

export enum ClaimOrder {
  /** Oldest first (claim id). */
  SUBMITTED = 'SUBMITTED',
  /** Soonest due first; claims without a due date last. */
  DUE_DATE = 'DUE_DATE',
}

export interface ClaimFilter {
  countyCode?: string | null;
  statuses?: ClaimStatus[] | null;
  /** true: the clock runs and the due date has passed; false: not so. */
  overdue?: boolean | null;
  /** Due date before this date. */
  dueBefore?: IsoDate | null;
  /** The clock runs and the claim is due from today to this many working days ahead. */
  dueWithinWorkingDays?: number | null;
  programmeYear?: number | null;
  insuredId?: number | null;
  nationalId?: string | null;
  flag?: ClaimFlag | null;
  submittedFrom?: IsoDate | null;
  submittedTo?: IsoDate | null;
}

/**
 * A claim's stored fields with its relations as ids: what the answers and the explanation read.
 * A `Claim` entity is one; the intake builds one straight from the inserted row.
 */
export type ClaimRecord = Omit<Claim, 'insured' | 'coverage' | 'contract' | 'adjustmentOf'> & {
  insured: { id: number };
  coverage?: { id: number } | null;
  contract?: { id: number } | null;
  adjustmentOf?: { id: number } | null;
};

export interface SubmitResult {
  claim: ClaimRecord;
  /** True when the idempotency key returned an earlier claim. */
  replayed: boolean;
}

/** The stored `working`: the payable's working and the plan it was computed under. */
export type StoredWorking = PayableWorking & { planCode: string; planVersion: number };

/** Where a claim belongs: the coverage in force on the admission date, else the nearest one. */
interface Placement {
  finding: CoverageFinding;
  planId: number | null;
  countyCode: string;
  programmeYear: number;
}

/** The facts of a claim the rules look at, for a new claim (id 0) or a stored one. */
interface ClaimFacts {
  id: number;
  insuredId: number;
  idRegion: string;
  submittedOn: IsoDate;
  admissionDate: IsoDate;
  dischargeDate: IsoDate;
  hospitalLevel: Claim['hospitalLevel'];
  invoiceNumbers: string[];
  settlementNumber: string | null;
  eligibleOop: string;
  documentKinds: DocumentKind[];
  requestedDocuments: DocumentKind[];
}

interface CoverageRow {
  coverage_id: number;
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
  plan_id: number;
  plan_code: string;
  deductible: string;
  annual_cap: string;
}

/** Namespace of the per-person advisory lock (the first key of `pg_advisory_xact_lock(int, int)`): "CLM". */
const PERSON_LOCK_NS = 0x434c4d;
const COUNTY_RE = /^\d{6}$/;

/** The claim's county and submission year, China time: `CLM-513432-2020-000042`. */
export function formatClaimNumber(countyCode: string, year: number, seq: number): string {
  return `CLM-${countyCode}-${year}-${String(seq).padStart(6, '0')}`;
}

/** The columns `place` reads of a person's coverages, their contract and plan (alias `c`). */
const COVERAGE_ROWS_SELECT = `select c.id as coverage_id, c.contract_id, c.programme_year, c.county_code,
       c.period_start::text as period_start, c.period_end::text as period_end, c.status, c.ended_on::text as ended_on,
       c.eligible_approved::text as eligible_approved, c.benefit_approved::text as benefit_approved,
       k.status as contract_status, k.activated_at is not null as contract_activated,
       k.plan_id, p.code as plan_code, p.deductible::text as deductible, p.annual_cap::text as annual_cap
  from coverage c
  join county_contract k on k.id = c.contract_id
  join benefit_plan p on p.id = k.plan_id`;

/**
 * Which of the person's coverages (newest first) a claim belongs to: one in force on the
 * admission date (the coverage module's own rule, `decideCoverage`), else the nearest
 * (`pickCoverage`) for the county and year of a rejection.
 */
function placementFrom(
  rows: readonly CoverageRow[],
  homeCountyCode: string,
  admissionDate: IsoDate,
): Placement {
  const facts = rows.map((r): CoverageFacts & { planId: number } => ({
    coverageId: r.coverage_id,
    contractId: r.contract_id,
    programmeYear: r.programme_year,
    // The rules read only the code; names are for the look-up's answers.
    county: {
      code: r.county_code,
      nameZh: '',
      nameEn: '',
      prefectureCode: '',
      prefectureZh: '',
      provinceCode: r.county_code.slice(0, 2),
      provinceZh: '',
      provinceEn: '',
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
    planId: r.plan_id,
  }));
  const inForce = facts.find((c) => decideCoverage(c, admissionDate).covered) ?? null;
  if (inForce) {
    return {
      finding: {
        inForce: {
          coverageId: inForce.coverageId,
          countyCode: inForce.county.code,
          programmeYear: inForce.programmeYear,
        },
        reason: null,
      },
      planId: inForce.planId,
      countyCode: inForce.county.code,
      programmeYear: inForce.programmeYear,
    };
  }
  const nearest = pickCoverage(facts, admissionDate) as (CoverageFacts & { planId: number }) | null;
  return {
    finding: {
      inForce: null,
      reason: nearest ? decideCoverage(nearest, admissionDate).reason : 'NOT_ENROLLED',
    },
    planId: null,
    countyCode: nearest?.county.code ?? homeCountyCode,
    programmeYear: nearest?.programmeYear ?? Number(admissionDate.slice(0, 4)),
  };
}

interface OtherClaimRow {
  claim_number: string;
  invoice_numbers: string[];
  settlement_number: string | null;
  admission_date: string;
  discharge_date: string;
}

/**
 * The person's other live original claims that share an invoice or the settlement number or
 * overlap the stay. Parameters in order: insured id, invoice numbers (a JSON array), settlement
 * number, admission date, discharge date, admission date.
 */
const OTHER_CLAIMS_SELECT = `select id, claim_number, invoice_numbers, settlement_number,
       admission_date::text as admission_date, discharge_date::text as discharge_date
  from claim
 where insured_id = ? and status <> 'REJECTED' and adjustment_of_id is null
   and (invoice_numbers && array(select jsonb_array_elements_text(?::jsonb))
        or settlement_number = ?
        or daterange(admission_date, greatest(discharge_date, admission_date + 1), '[)')
           && daterange(?::date, greatest(?::date, ?::date + 1), '[)'))`;

/** Sorts the other claims found into duplicates (a shared invoice or settlement number) and overlapping stays. */
function matchOtherClaims(
  rows: readonly OtherClaimRow[],
  f: Pick<ClaimFacts, 'invoiceNumbers' | 'settlementNumber' | 'admissionDate' | 'dischargeDate'>,
): { duplicates: DuplicateMatch[]; overlaps: StayMatch[] } {
  const mine = new Set(f.invoiceNumbers);
  const duplicates: DuplicateMatch[] = [];
  const overlaps: StayMatch[] = [];
  for (const r of rows) {
    const shared = r.invoice_numbers.filter((n) => mine.has(n));
    const sameSettlement = f.settlementNumber !== null && r.settlement_number === f.settlementNumber;
    if (shared.length || sameSettlement) {
      duplicates.push({
        claimNumber: r.claim_number,
        invoiceNumbers: shared,
        settlementNumber: sameSettlement ? r.settlement_number : null,
      });
    }
    const stay = { admissionDate: r.admission_date, dischargeDate: r.discharge_date };
    if (staysOverlap(stay, f)) overlaps.push({ claimNumber: r.claim_number, ...stay });
  }
  return { duplicates, overlaps };
}

interface PersonRow {
  id: number;
  county_code: string;
  id_region: string;
  id_masked: string;
  payee_account: string | null;
}

interface IntakeFactsRow {
  earlier_id: number | null;
  coverages: CoverageRow[];
  others: OtherClaimRow[];
}

/** An audit row the intake statement writes; a null `entity_id` is the new claim's. */
interface IntakeAudit {
  entity_type: string;
  entity_id: string | null;
  action: string;
  from_state: string | null;
  to_state: string | null;
  changes: Record<string, unknown>;
}

/** The new claim's row as the intake statement returns it (dates as text). */
interface ClaimRow {
  id: number;
  claim_number: string;
  insured_id: number;
  coverage_id: number | null;
  contract_id: number | null;
  county_code: string;
  programme_year: number;
  status: ClaimStatus;
  rejection_reason: ClaimRejection | null;
  flags: ClaimFlag[];
  missing_documents: DocumentKind[];
  requested_documents: DocumentKind[];
  admission_date: string;
  discharge_date: string;
  hospital_name: string;
  hospital_level: Claim['hospitalLevel'];
  diagnosis_code: string;
  invoice_numbers: string[];
  settlement_number: string | null;
  total_cost: string;
  basic_insurance_paid: string;
  critical_illness_paid: string;
  medical_assistance_paid: string;
  excluded_cost: string;
  eligible_oop: string;
  prior_eligible: string | null;
  payable: string | null;
  working: Record<string, unknown> | null;
  rule_trace: Record<string, unknown>[];
  payee_account: string | null;
  idempotency_key: string;
  submitted_by_token_id: number;
  submitted_at: Date;
  due_date: string | null;
  sla_days_used: number;
  sla_clock_started_on: string | null;
  decided_at: Date | null;
  approved_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The answer for a claim the intake just wrote, without a round trip or the ORM's hydration. */
function claimFromRow(r: ClaimRow): ClaimRecord {
  return {
    id: r.id,
    claimNumber: r.claim_number,
    insured: { id: r.insured_id },
    coverage: r.coverage_id === null ? null : { id: r.coverage_id },
    contract: r.contract_id === null ? null : { id: r.contract_id },
    countyCode: r.county_code,
    programmeYear: r.programme_year,
    status: r.status,
    rejectionReason: r.rejection_reason,
    flags: r.flags,
    missingDocuments: r.missing_documents,
    requestedDocuments: r.requested_documents,
    admissionDate: r.admission_date,
    dischargeDate: r.discharge_date,
    hospitalName: r.hospital_name,
    hospitalLevel: r.hospital_level,
    diagnosisCode: r.diagnosis_code,
    invoiceNumbers: r.invoice_numbers,
    settlementNumber: r.settlement_number,
    totalCost: r.total_cost,
    basicInsurancePaid: r.basic_insurance_paid,
    criticalIllnessPaid: r.critical_illness_paid,
    medicalAssistancePaid: r.medical_assistance_paid,
    excludedCost: r.excluded_cost,
    eligibleOop: r.eligible_oop,
    priorEligible: r.prior_eligible,
    payable: r.payable,
    working: r.working,
    ruleTrace: r.rule_trace,
    payeeAccount: r.payee_account,
    idempotencyKey: r.idempotency_key,
    submittedByTokenId: r.submitted_by_token_id,
    submittedAt: r.submitted_at,
    dueDate: r.due_date,
    slaDaysUsed: r.sla_days_used,
    slaClockStartedOn: r.sla_clock_started_on,
    decidedAt: r.decided_at,
    approvedAt: r.approved_at,
    paidAt: null,
    paymentReference: null,
    reviewNote: null,
    adjustmentOf: null,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Intake (1): opens the transaction and, in the same round trip (the simple protocol allows
 * two statements; the ID hash is hex, nothing else is interpolated), finds the person by ID
 * hash and takes their transaction-scoped lock.
 */
function intakeOpen(idHash: Buffer): string {
  return `begin; select id, county_code, id_region, id_masked, payee_account,
       pg_advisory_xact_lock(${PERSON_LOCK_NS}, id)::text as locked
  from insured where id_hash = '\\x${idHash.toString('hex')}'::bytea`;
}

/**
 * Intake (2), after the person's lock: an earlier claim with this token and key; the person's
 * coverages (newest first) locked FOR UPDATE, with contract and plan; their other live claims
 * sharing an invoice or the settlement number or overlapping the stay.
 */
const INTAKE_FACTS = {
  name: 'claim-intake-facts-v1',
  text: `with cov as materialized (
  ${COVERAGE_ROWS_SELECT} where c.insured_id = $3 for update of c
), others as (
  ${positional(OTHER_CLAIMS_SELECT, 3)}
)
select (select id from claim where submitted_by_token_id = $1 and idempotency_key = $2) as earlier_id,
       (select coalesce(json_agg(cov order by cov.programme_year desc, cov.coverage_id desc), '[]') from cov) as coverages,
       (select coalesce(json_agg(others order by others.id), '[]') from others) as others`,
} as const;

/**
 * Intake (3): the county-year number (its counter row stays locked to the commit, so numbers
 * have no gaps), the claim, its documents, the coverage's new totals when approved, the audit
 * rows and the outbox event — one statement.
 */
const INTAKE_WRITE = {
  name: 'claim-intake-write-v1',
  text: `with seq as (
  insert into claim_sequence (county_code, year, last_value) values ($1, $2, 1)
  on conflict (county_code, year) do update set last_value = claim_sequence.last_value + 1
  returning last_value::text as v
), cov as (
  update coverage set eligible_approved = $3::numeric, benefit_approved = $4::numeric, updated_at = now()
   where id = $5::int
  returning id
), ins as (
  insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status,
                     rejection_reason, flags, missing_documents, requested_documents, admission_date, discharge_date,
                     hospital_name, hospital_level, diagnosis_code, invoice_numbers, settlement_number, total_cost,
                     basic_insurance_paid, critical_illness_paid, medical_assistance_paid, excluded_cost, eligible_oop,
                     prior_eligible, payable, working, rule_trace, payee_account, idempotency_key, submitted_by_token_id,
                     submitted_at, due_date, sla_days_used, sla_clock_started_on, decided_at, approved_at)
  select 'CLM-' || $1 || '-' || $2 || '-' || lpad(seq.v, greatest(6, length(seq.v)), '0'), $6, $7, $8, $1, $9, $10,
         $11, $12::text[], $13::text[], '{}', $14::date, $15::date,
         $16, $17, $18, $19::text[], $20, $21::numeric,
         $22::numeric, $23::numeric, $24::numeric, $25::numeric, $26::numeric,
         $27::numeric, $28::numeric, $29::jsonb, $30::jsonb, $31, $32, $33,
         $34::timestamptz, $35::date, $36, $37::date, $38::timestamptz, $39::timestamptz
    from seq
  returning id, claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status, rejection_reason,
            flags, missing_documents, requested_documents, admission_date::text as admission_date,
            discharge_date::text as discharge_date, hospital_name, hospital_level, diagnosis_code, invoice_numbers,
            settlement_number, total_cost::text as total_cost, basic_insurance_paid::text as basic_insurance_paid,
            critical_illness_paid::text as critical_illness_paid, medical_assistance_paid::text as medical_assistance_paid,
            excluded_cost::text as excluded_cost, eligible_oop::text as eligible_oop, prior_eligible::text as prior_eligible,
            payable::text as payable, working, rule_trace, payee_account, idempotency_key, submitted_by_token_id,
            submitted_at, due_date::text as due_date, sla_days_used, sla_clock_started_on::text as sla_clock_started_on,
            decided_at, approved_at, version, created_at, updated_at
), docs as (
  insert into claim_document (claim_id, kind, sha256, storage_key)
  select ins.id, d.kind, d.sha256, d.storage_key
    from ins, jsonb_to_recordset($40::jsonb) as d(kind text, sha256 text, storage_key text)
), aud as (
  insert into audit_event (actor_token_id, actor_role, entity_type, entity_id, action, from_state, to_state, changes, request_id)
  select $42::int, $43, e.a->>'entity_type', coalesce(e.a->>'entity_id', ins.id::text), e.a->>'action',
         e.a->>'from_state', e.a->>'to_state', (e.a->'changes') || jsonb_build_object('claimNumber', ins.claim_number), $44
    from ins, jsonb_array_elements($41::jsonb) with ordinality as e(a, n)
   order by e.n
), ob as (
  insert into outbox_event (type, county_code, payload, occurred_at)
  select 'CLAIM_STATUS_CHANGED', ins.county_code,
         $45::jsonb || jsonb_build_object('claimId', ins.id, 'claimNumber', ins.claim_number), $34::timestamptz
    from ins
)
select * from ins`,
} as const;

/**
 * What an approval does to the coverage's running totals, as its CLAIM_APPROVED audit records
 * it (the caller adds the claim number): C and the benefit so far, before and after.
 */
function approvalChanges(eligibleApproved: string, benefitApproved: string, w: PayableWorking) {
  return {
    eligibleApproved: { from: formatMoney(eligibleApproved), to: w.cumulativeEligible },
    benefitApproved: {
      from: formatMoney(benefitApproved),
      to: formatMoney(money(benefitApproved).plus(w.payable)),
    },
    payable: w.payable,
  };
}

function isUniqueViolation(err: unknown, needle: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e?.code === '23505' && `${e.constraint ?? ''} ${e.message ?? ''}`.includes(needle);
}

function checkVersion(problems: FieldProblem[], version: unknown, required: boolean): void {
  if (version === null || version === undefined) {
    if (required) problems.push({ field: 'version', message: 'is required: the version you read' });
    return;
  }
  if (!Number.isInteger(version) || (version as number) < 1)
    problems.push({ field: 'version', message: 'must be a whole number ≥ 1' });
}

function checkNote(
  problems: FieldProblem[],
  field: string,
  value: string | null | undefined,
  required: boolean,
): string | null {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v) {
    if (required) problems.push({ field, message: 'must not be empty' });
    return null;
  }
  if (Array.from(v).length > MAX_NOTE)
    problems.push({ field, message: `must be at most ${MAX_NOTE} characters` });
  return v;
}

/** 00:00 China time of a calendar date, as an instant. */
function startOfDayChina(date: IsoDate): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

/**
 * Claims (claims.md): intake with idempotency and gap-free numbers, automatic adjudication at
 * submission and after a supplement, review, corrections by adjustment claims, the payable by
 * the year's benefit function, service-level clocks and the explanation of benefits.
 *
 * Locks, always in this order, so no two transactions wait on each other in a cycle:
 * the person (a transaction-scoped advisory lock: serialises submissions, supplements and
 * adjustments of one person, so duplicate and overlap checks see each other) → the coverage row
 * (`FOR UPDATE`: C and the year's totals; concurrent approvals for one person serialise here) →
 * the claim row (`FOR UPDATE`, for review actions) → the county-year claim number counter.
 * The payout module takes coverage before claim too. The intake locks all of the person's
 * coverages (one per programme year, in one statement, under the person's lock) before it
 * knows which one the claim belongs to.
 */
export class ClaimService {
  private readonly planCache = new Map<number, PlanRules>();

  constructor(
    private readonly pg: Pool,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly pii: PiiService,
    private readonly calendar: CalendarService,
    private readonly events: EventService,
  ) {}

  // ------------------------------------------------------------------------------ intake

  /**
   * Files a claim and adjudicates it at once. This is the programme's busiest write, so it runs
   * on one pooled `pg` connection with prepared statements and four round trips inside the
   * transaction, not through the ORM's unit of work: (1) find the person and take their lock,
   * (2) after the lock, in one statement: the idempotency check, the person's coverages locked
   * `FOR UPDATE` with their contract and plan, and their other claims for the duplicate and
   * overlap rules, (3) one statement that takes the county-year number, inserts the claim and
   * its documents, moves the coverage's totals and writes the audit and outbox rows, (4) commit.
   * The rules, the payable and the clock are the same pure functions the other actions use;
   * the number's counter row is locked only for the last statement and the commit.
   */
  async submit(em: EntityManager, actor: Actor, input: SubmitClaimData): Promise<SubmitResult> {
    const now = this.clock.now();
    const today = dateInZone(now);
    const { problems, value: v } = validateSubmission(input, today);
    if (!v) throw badInputs(problems);
    const tokenId = actor.tokenId ?? 0;
    const idHash = this.pii.hash(v.id.id);
    const cal = await this.calendar.calendar(em);
    const client = await this.pg.connect();
    let written: ClaimRow | null = null;
    let earlierId: number | null = null;
    let broken: Error | undefined;
    try {
      try {
        const opened = (await client.query(intakeOpen(idHash))) as unknown as QueryResult<PersonRow>[];
        const person = opened[1]!.rows[0];
        if (!person) {
          if (isScoped(actor)) throw outOfScope();
          throw badInput(
            'nationalId',
            'no insured person has this national ID: the person must be enrolled first',
            'NOT_ENROLLED',
          );
        }
        // After the person's lock (a new statement, a new snapshot) a repeat of the same request
        // sees the first one, and the person's claims are all there for the rules.
        const facts = (
          await client.query<IntakeFactsRow>({
            ...INTAKE_FACTS,
            values: [
              tokenId,
              v.idempotencyKey,
              person.id,
              JSON.stringify(v.invoiceNumbers),
              v.settlementNumber,
              v.admissionDate,
              v.dischargeDate,
              v.admissionDate,
            ],
          })
        ).rows[0]!;
        if (facts.earlier_id !== null) {
          earlierId = facts.earlier_id;
        } else {
          const placement = placementFrom(facts.coverages, person.county_code, v.admissionDate);
          if (!inScope(actor, placement.countyCode)) throw outOfScope();
          const inForce = placement.finding.inForce;
          const coverageRow = inForce
            ? facts.coverages.find((c) => c.coverage_id === inForce.coverageId)!
            : null;
          const plan = coverageRow ? await this.planRules(em, coverageRow.plan_id) : null;
          const { duplicates, overlaps } = coverageRow
            ? matchOtherClaims(facts.others, v)
            : { duplicates: [], overlaps: [] };
          const outcome = adjudicate({
            submittedOn: today,
            admissionDate: v.admissionDate,
            dischargeDate: v.dischargeDate,
            hospitalLevel: v.hospitalLevel,
            eligibleOop: v.eligibleOop,
            documentKinds: v.documents.map((d) => d.kind),
            requestedDocuments: [],
            coverage: placement.finding,
            plan,
            idRegion: person.id_region,
            duplicates,
            overlappingStays: overlaps,
            priorEligible: coverageRow?.eligible_approved ?? null,
          });
          const approved = outcome.status === ClaimStatus.APPROVED;
          const w = approved ? payableFor(plan!.terms, coverageRow!.eligible_approved, v.eligibleOop) : null;
          const approval = w
            ? approvalChanges(coverageRow!.eligible_approved, coverageRow!.benefit_approved, w)
            : null;
          const clock: SlaClock =
            outcome.status === ClaimStatus.NEEDS_INFO
              ? { dueDate: null, slaDaysUsed: 0, slaClockStartedOn: null }
              : startClock(cal, today);
          const ruleTrace = stampSteps([], 'SUBMIT', outcome.steps, now);
          const coverageId = coverageRow?.coverage_id ?? null;
          const status = outcome.status;
          const payload = {
            insuredId: person.id,
            maskedId: person.id_masked,
            coverageId,
            adjustmentOfId: null,
            from: ClaimStatus.SUBMITTED,
            to: status,
            rejectionReason: outcome.rejectionReason,
            missingDocuments: outcome.missingDocuments,
          };
          assertSafePayload(payload);
          const audits: IntakeAudit[] = [];
          const requestId = actor.requestId ?? null;
          if (approval) {
            // The claim number joins the changes in the statement that takes it.
            audits.push({
              entity_type: 'Coverage',
              entity_id: String(coverageRow!.coverage_id),
              action: 'CLAIM_APPROVED',
              from_state: null,
              to_state: null,
              changes: approval,
            });
          }
          audits.push({
            entity_type: 'Claim',
            entity_id: null,
            action: 'SUBMIT',
            from_state: ClaimStatus.SUBMITTED,
            to_state: status,
            changes: {
              coverageId,
              eligibleOop: v.eligibleOop,
              payable: w?.payable ?? null,
              flags: outcome.flags,
              missingDocuments: outcome.missingDocuments,
              documents: v.documents.length,
              ruleTrace,
            },
          });
          const stored: StoredWorking | null = w
            ? { ...w, planCode: plan!.code, planVersion: plan!.version }
            : null;
          const decided = status === ClaimStatus.APPROVED || status === ClaimStatus.REJECTED;
          written = (
            await client.query<ClaimRow>({
              ...INTAKE_WRITE,
              values: [
                placement.countyCode,
                Number(today.slice(0, 4)),
                approval?.eligibleApproved.to ?? null,
                approval?.benefitApproved.to ?? null,
                w ? coverageRow!.coverage_id : null,
                person.id,
                coverageId,
                coverageId === null ? null : coverageRow!.contract_id,
                placement.programmeYear,
                status,
                outcome.rejectionReason,
                outcome.flags,
                outcome.missingDocuments,
                v.admissionDate,
                v.dischargeDate,
                v.hospitalName,
                v.hospitalLevel,
                v.diagnosisCode,
                v.invoiceNumbers,
                v.settlementNumber,
                v.totalCost,
                v.basicInsurancePaid,
                v.criticalIllnessPaid,
                v.medicalAssistancePaid,
                v.excludedCost,
                v.eligibleOop,
                w?.priorEligible ?? null,
                w?.payable ?? null,
                stored === null ? null : JSON.stringify(stored),
                JSON.stringify(ruleTrace),
                v.payeeAccount ?? person.payee_account,
                v.idempotencyKey,
                tokenId,
                now,
                clock.dueDate,
                clock.slaDaysUsed,
                clock.slaClockStartedOn,
                decided ? now : null,
                approved ? now : null,
                JSON.stringify(
                  dedupeDocuments(v.documents).map((d) => ({
                    kind: d.kind,
                    sha256: d.sha256,
                    storage_key: d.storageKey,
                  })),
                ),
                JSON.stringify(audits),
                actor.tokenId,
                actor.role,
                requestId,
                JSON.stringify(payload),
              ],
            })
          ).rows[0]!;
        }
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      }
    } catch (err) {
      // Two first requests with one key for different people raced past the check: the unique
      // (token, key) let one in; the other answers with it.
      if (!isUniqueViolation(err, 'idempotency_key')) throw err;
      const first = await em
        .fork()
        .findOne(Claim, { submittedByTokenId: tokenId, idempotencyKey: v.idempotencyKey });
      if (!first) throw err;
      return { claim: first, replayed: true };
    } finally {
      // A connection that could not even roll back is closed, not handed to the next caller.
      client.release(broken);
    }
    if (earlierId !== null)
      return { claim: await em.findOneOrFail(Claim, { id: earlierId }), replayed: true };
    await this.events.dispatchSoon();
    return { claim: claimFromRow(written!), replayed: false };
  }

  /** Adds documents and/or the settlement number to a NEEDS_INFO claim and adjudicates it again. */
  async supplement(em: EntityManager, actor: Actor, input: SupplementClaimData): Promise<Claim> {
    const problems: FieldProblem[] = [];
    checkVersion(problems, input.version, false);
    const documents = checkDocuments(problems, input.documents);
    const settlement = typeof input.settlementNumber === 'string' ? input.settlementNumber.trim() : '';
    if (settlement && (settlement.length > 64 || /[\u0000-\u001f\u007f]/.test(settlement))) {
      problems.push({ field: 'settlementNumber', message: 'must be at most 64 printable characters' });
    }
    if (!documents.length && !settlement && !problems.length) {
      problems.push({ field: 'documents', message: 'add at least one document or the settlement number' });
    }
    if (problems.length) throw badInputs(problems);
    const now = this.clock.now();
    const today = dateInZone(now);
    const claim = await em.transactional(async (tx) => {
      const read: { insured?: Insured; placement?: Placement } = {};
      const { claim } = await this.lockClaim(tx, actor, input.claimId, {
        person: true,
        // The coverage in force on the admission date is locked before the claim (lock order).
        coverage: async (found) => {
          read.insured = await tx.findOneOrFail(Insured, { id: found.insured.id });
          read.placement = await this.place(tx, read.insured, found.admissionDate);
          return read.placement.finding.inForce?.coverageId ?? null;
        },
      });
      const insured = read.insured!;
      const placement = read.placement!;
      if (input.version !== null && input.version !== undefined && claim.version !== input.version) {
        throw staleClaimVersion(claim.claimNumber, claim.status, claim.version, input.version);
      }
      if (claim.status !== ClaimStatus.NEEDS_INFO)
        throw illegalClaimTransition(claim.claimNumber, claim.status, 'supplement');
      const existing = await tx.find(ClaimDocument, { claim: claim.id });
      const known = new Set(existing.map((d) => `${d.kind}:${d.sha256}`));
      const added = dedupeDocuments(documents).filter((d) => !known.has(`${d.kind}:${d.sha256}`));
      for (const d of added) tx.create(ClaimDocument, { claim, ...d });
      const settlementChange =
        settlement && settlement !== claim.settlementNumber
          ? { from: claim.settlementNumber ?? null, to: settlement }
          : null;
      if (settlementChange) claim.settlementNumber = settlement;

      const { outcome, coverage, plan } = await this.runRules(
        tx,
        this.factsOf(claim, insured, [...existing, ...added]),
        placement,
      );
      if (outcome.status !== ClaimStatus.NEEDS_INFO) {
        Object.assign(claim, startClock(await this.calendar.calendar(tx), today, claim.slaDaysUsed));
      }
      claim.countyCode = placement.countyCode;
      claim.programmeYear = placement.programmeYear;
      this.applyOutcome(tx, actor, claim, outcome, coverage, plan, 'SUPPLEMENT', now);
      await tx.flush();
      this.record(tx, actor, claim, insured, 'SUPPLEMENT', ClaimStatus.NEEDS_INFO, {
        documentsAdded: added.map((d) => ({ kind: d.kind, sha256: d.sha256 })),
        settlementNumber: settlementChange,
        payable: claim.payable ?? null,
        flags: claim.flags,
        missingDocuments: claim.missingDocuments,
        dueDate: claim.dueDate ?? null,
        ruleTrace: lastRun(claim.ruleTrace),
      });
      return claim;
    });
    await this.events.dispatchSoon();
    return claim;
  }

  // ------------------------------------------------------------------------------ review

  /** A reviewer approves an UNDER_REVIEW claim, optionally with a corrected excluded cost. */
  async approve(em: EntityManager, actor: Actor, input: ApproveClaimData): Promise<Claim> {
    const problems: FieldProblem[] = [];
    checkVersion(problems, input.version, true);
    const hasExcluded = input.excludedCost !== null && input.excludedCost !== undefined;
    const excludedOk = hasExcluded && checkAmount(problems, 'excludedCost', input.excludedCost);
    const reason = checkNote(problems, 'reason', input.reason, false);
    if (problems.length) throw badInputs(problems);
    const now = this.clock.now();
    const claim = await em.transactional(async (tx) => {
      const locked = await this.lockClaim(tx, actor, input.claimId, {
        coverage: async (found) => found.coverage?.id ?? null,
      });
      const claim = locked.claim;
      if (claim.version !== input.version)
        throw staleClaimVersion(claim.claimNumber, claim.status, claim.version, input.version);
      if (claim.status !== ClaimStatus.UNDER_REVIEW)
        throw illegalClaimTransition(claim.claimNumber, claim.status, 'approve');
      const coverage = locked.coverage;
      if (!coverage || claim.coverage?.id !== coverage.id)
        throw illegalClaimTransition(
          claim.claimNumber,
          claim.status,
          'approve (its coverage changed meanwhile)',
        );
      let excludedChange: { from: string; to: string; eligibleOop: { from: string; to: string } } | null =
        null;
      if (excludedOk) {
        const excluded = formatMoney(String(input.excludedCost).trim());
        if (excluded !== claim.excludedCost) {
          if (!reason) throw badInput('reason', 'is required when the excluded cost is changed');
          const amounts = { ...amountsOf(claim), excludedCost: excluded };
          const x = eligibleOutOfPocket(amounts);
          if (x.isNegative()) {
            throw badInput(
              'excludedCost',
              `would make the eligible out-of-pocket negative (${formatMoney(x)}): at most ${formatMoney(eligibleOutOfPocket({ ...amounts, excludedCost: '0' }))}`,
            );
          }
          excludedChange = {
            from: claim.excludedCost,
            to: excluded,
            eligibleOop: { from: claim.eligibleOop, to: formatMoney(x) },
          };
          claim.excludedCost = excluded;
          claim.eligibleOop = formatMoney(x);
        }
      }
      const plan = await this.planOfCoverage(tx, coverage);
      const working = this.applyApproval(tx, actor, claim, coverage, plan, now);
      if (reason) claim.reviewNote = reason;
      this.appendTrace(
        claim,
        'APPROVE',
        [
          {
            step: 'DECISION',
            result: 'DECIDED',
            detail:
              `APPROVED by review: payable ${working.payable} (C = ${working.priorEligible}, x = ${working.eligible})` +
              (excludedChange
                ? `; excluded cost changed ${excludedChange.from} → ${excludedChange.to}: ${reason}`
                : ''),
            data: {
              status: ClaimStatus.APPROVED,
              payable: working.payable,
              excludedCost: excludedChange,
              reason,
            },
          },
        ],
        now,
      );
      await tx.flush();
      const insured = await tx.findOneOrFail(Insured, { id: claim.insured.id });
      this.record(tx, actor, claim, insured, 'APPROVE', ClaimStatus.UNDER_REVIEW, {
        payable: claim.payable,
        priorEligible: claim.priorEligible,
        eligibleOop: claim.eligibleOop,
        excludedCost: excludedChange,
        reason,
        ruleTrace: claim.ruleTrace,
      });
      return claim;
    });
    await this.events.dispatchSoon();
    return claim;
  }

  /** A reviewer rejects an UNDER_REVIEW (or an abandoned NEEDS_INFO) claim: REJECTED / OTHER with a note. */
  async reject(em: EntityManager, actor: Actor, input: RejectClaimData): Promise<Claim> {
    const problems: FieldProblem[] = [];
    checkVersion(problems, input.version, true);
    const note = checkNote(problems, 'note', input.note, true);
    if (problems.length || !note) throw badInputs(problems);
    const now = this.clock.now();
    const claim = await em.transactional(async (tx) => {
      const { claim } = await this.lockClaim(tx, actor, input.claimId);
      if (claim.version !== input.version)
        throw staleClaimVersion(claim.claimNumber, claim.status, claim.version, input.version);
      const from = claim.status;
      if (from !== ClaimStatus.UNDER_REVIEW && from !== ClaimStatus.NEEDS_INFO) {
        throw illegalClaimTransition(claim.claimNumber, from, 'reject');
      }
      claim.status = ClaimStatus.REJECTED;
      claim.rejectionReason = ClaimRejection.OTHER;
      claim.reviewNote = note;
      claim.decidedAt = now;
      this.appendTrace(
        claim,
        'REJECT',
        [
          {
            step: 'DECISION',
            result: 'DECIDED',
            detail: `REJECTED / OTHER by review: ${note}`,
            data: { status: ClaimStatus.REJECTED, rejectionReason: ClaimRejection.OTHER, note },
          },
        ],
        now,
      );
      await tx.flush();
      const insured = await tx.findOneOrFail(Insured, { id: claim.insured.id });
      this.record(tx, actor, claim, insured, 'REJECT', from, {
        rejectionReason: ClaimRejection.OTHER,
        note,
        ruleTrace: claim.ruleTrace,
      });
      return claim;
    });
    await this.events.dispatchSoon();
    return claim;
  }

  /**
   * A reviewer sends an UNDER_REVIEW claim back for documents: NEEDS_INFO, the clock paused with
   * the working days used kept; the kinds asked for are required from then on.
   */
  async requestInfo(em: EntityManager, actor: Actor, input: RequestClaimInfoData): Promise<Claim> {
    const problems: FieldProblem[] = [];
    checkVersion(problems, input.version, true);
    const kinds = input.documents ?? [];
    if (!kinds.length) problems.push({ field: 'documents', message: 'name at least one document kind' });
    kinds.forEach((k, i) => {
      if (!(DOCUMENT_KINDS as readonly string[]).includes(k))
        problems.push({ field: `documents[${i}]`, message: `must be one of ${DOCUMENT_KINDS.join(', ')}` });
    });
    const note = checkNote(problems, 'note', input.note, false);
    if (problems.length) throw badInputs(problems);
    const now = this.clock.now();
    const today = dateInZone(now);
    const claim = await em.transactional(async (tx) => {
      const { claim } = await this.lockClaim(tx, actor, input.claimId);
      if (claim.version !== input.version)
        throw staleClaimVersion(claim.claimNumber, claim.status, claim.version, input.version);
      if (claim.status !== ClaimStatus.UNDER_REVIEW)
        throw illegalClaimTransition(claim.claimNumber, claim.status, 'request information for');
      const attached = (await tx.find(ClaimDocument, { claim: claim.id })).map((d) => d.kind);
      const missing = missingDocuments([], kinds, attached);
      if (!missing.length)
        throw badInput(
          'documents',
          `already attached: ${kinds.join(', ')}; ask for another kind (e.g. OTHER) with a note`,
        );
      claim.requestedDocuments = [...new Set([...claim.requestedDocuments, ...missing])];
      claim.missingDocuments = missing;
      claim.status = ClaimStatus.NEEDS_INFO;
      if (note) claim.reviewNote = note;
      const running: SlaClock = {
        dueDate: claim.dueDate ?? null,
        slaDaysUsed: claim.slaDaysUsed,
        slaClockStartedOn: claim.slaClockStartedOn ?? null,
      };
      Object.assign(claim, pauseClock(await this.calendar.calendar(tx), running, today));
      this.appendTrace(
        claim,
        'REQUEST_INFO',
        [
          {
            step: 'DOCUMENTS_COMPLETE',
            result: 'FAILED',
            detail: `the reviewer asked for: ${missing.join(', ')}${note ? ` (${note})` : ''}`,
            data: { requested: missing, note },
          },
          {
            step: 'DECISION',
            result: 'DECIDED',
            detail: ClaimStatus.NEEDS_INFO,
            data: { status: ClaimStatus.NEEDS_INFO },
          },
        ],
        now,
      );
      await tx.flush();
      const insured = await tx.findOneOrFail(Insured, { id: claim.insured.id });
      this.record(tx, actor, claim, insured, 'REQUEST_INFO', ClaimStatus.UNDER_REVIEW, {
        requested: missing,
        note,
        slaDaysUsed: claim.slaDaysUsed,
      });
      return claim;
    });
    await this.events.dispatchSoon();
    return claim;
  }

  /**
   * A correction of an approved or paid claim: a new adjustment claim on the same coverage,
   * approved at once through the same payable formula, C being the year's total so far. A
   * negative change gives a payable ≤ 0 (an amount to recover); the year still telescopes to
   * round(P(Σx)).
   */
  async adjust(em: EntityManager, actor: Actor, input: AdjustClaimData): Promise<Claim> {
    const problems: FieldProblem[] = [];
    const hasDelta = input.eligibleDelta !== null && input.eligibleDelta !== undefined;
    const hasAmounts = input.amounts !== null && input.amounts !== undefined;
    let amounts: ClaimAmounts | null = null;
    if (hasDelta === hasAmounts) {
      problems.push({
        field: hasDelta ? 'amounts' : 'eligibleDelta',
        message: 'give either eligibleDelta or amounts, not both',
      });
    } else if (hasDelta) {
      if (
        checkAmount(problems, 'eligibleDelta', input.eligibleDelta, true) &&
        money(String(input.eligibleDelta).trim()).isZero()
      ) {
        problems.push({ field: 'eligibleDelta', message: 'must not be 0' });
      }
    } else {
      amounts = checkAmounts(problems, input.amounts!, 'amounts.');
    }
    const reason = checkNote(problems, 'reason', input.reason, true);
    const key = typeof input.idempotencyKey === 'string' ? input.idempotencyKey.trim() : '';
    if (key && !/^[\x21-\x7e]{1,128}$/.test(key))
      problems.push({
        field: 'idempotencyKey',
        message: 'must be 1–128 printable ASCII characters without spaces',
      });
    if (problems.length || !reason) throw badInputs(problems);
    const tokenId = actor.tokenId ?? 0;
    const now = this.clock.now();
    const today = dateInZone(now);
    const claim = await em.transactional(async (tx) => {
      const original = await tx.findOne(Claim, withScope({ id: input.claimId }, actor));
      if (!original) throw notFound('Claim', input.claimId);
      await this.lockPerson(tx, original.insured.id);
      if (key) {
        const earlier = await tx.findOne(Claim, { submittedByTokenId: tokenId, idempotencyKey: key });
        if (earlier) return earlier;
      }
      await tx.refresh(original);
      if (
        original.adjustmentOf ||
        !original.coverage ||
        (original.status !== ClaimStatus.APPROVED && original.status !== ClaimStatus.PAID)
      ) {
        throw claimError(
          ClaimReason.NOT_ADJUSTABLE,
          `claim ${original.claimNumber} is ${original.adjustmentOf ? 'itself an adjustment (adjust its original claim)' : original.status}: only approved or paid original claims are adjusted`,
          { currentState: original.status },
        );
      }
      const effective = await this.effectiveAmounts(tx, original.id);
      let delta: ClaimAmounts;
      if (amounts) {
        delta = Object.fromEntries(
          AMOUNT_FIELDS.map((f) => [f, formatMoney(money(amounts![f]).minus(effective[f]))]),
        ) as ClaimAmounts;
        if (AMOUNT_FIELDS.every((f) => money(delta[f]).isZero()))
          throw badInput('amounts', 'are the amounts the claim already counts: nothing to correct');
      } else {
        const d = money(String(input.eligibleDelta).trim());
        delta = {
          totalCost: '0.00',
          basicInsurancePaid: '0.00',
          criticalIllnessPaid: '0.00',
          medicalAssistancePaid: '0.00',
          excludedCost: formatMoney(d.negated()),
        };
      }
      const x = eligibleOutOfPocket(delta);
      const corrected = money(effective.eligibleOop).plus(x);
      if (corrected.isNegative()) {
        throw badInput(
          hasDelta ? 'eligibleDelta' : 'amounts',
          `would take the claim's counted amount ${effective.eligibleOop} below 0 (${formatMoney(corrected)})`,
        );
      }
      const coverage = await this.lockCoverage(tx, original.coverage.id);
      const plan = await this.planOfCoverage(tx, coverage);
      const claimNumber = await this.nextClaimNumber(tx, original.countyCode, Number(today.slice(0, 4)));
      const adjustment = tx.create(Claim, {
        claimNumber,
        insured: original.insured,
        coverage,
        contract: original.contract ?? coverage.contract,
        countyCode: original.countyCode,
        programmeYear: original.programmeYear,
        admissionDate: original.admissionDate,
        dischargeDate: original.dischargeDate,
        hospitalName: original.hospitalName,
        hospitalLevel: original.hospitalLevel,
        diagnosisCode: original.diagnosisCode,
        invoiceNumbers: [...original.invoiceNumbers],
        settlementNumber: original.settlementNumber ?? null,
        ...delta,
        eligibleOop: formatMoney(x),
        payeeAccount: original.payeeAccount ?? null,
        idempotencyKey: key || `adjust-${randomUUID()}`,
        submittedByTokenId: tokenId,
        submittedAt: now,
        adjustmentOf: original,
        reviewNote: reason,
        ...startClock(await this.calendar.calendar(tx), today),
      });
      const working = this.applyApproval(tx, actor, adjustment, coverage, plan, now);
      this.appendTrace(
        adjustment,
        'ADJUST',
        [
          {
            step: 'DECISION',
            result: 'DECIDED',
            detail: `APPROVED adjustment of ${original.claimNumber}: x ${working.eligible} (counted ${effective.eligibleOop} → ${formatMoney(corrected)}), payable ${working.payable}: ${reason}`,
            data: {
              status: ClaimStatus.APPROVED,
              adjustmentOf: original.claimNumber,
              delta,
              payable: working.payable,
              reason,
            },
          },
        ],
        now,
      );
      await tx.flush();
      const insured = await tx.findOneOrFail(Insured, { id: original.insured.id });
      this.record(tx, actor, adjustment, insured, 'ADJUST', ClaimStatus.SUBMITTED, {
        claimNumber,
        adjustmentOf: { id: original.id, claimNumber: original.claimNumber },
        delta,
        eligibleOop: adjustment.eligibleOop,
        counted: { from: effective.eligibleOop, to: formatMoney(corrected) },
        priorEligible: adjustment.priorEligible,
        payable: adjustment.payable,
        reason,
        ruleTrace: adjustment.ruleTrace,
      });
      this.audit.record(tx, actor, {
        entityType: 'Claim',
        entityId: original.id,
        action: 'ADJUSTED',
        changes: {
          adjustmentId: adjustment.id,
          adjustmentNumber: claimNumber,
          eligibleDelta: adjustment.eligibleOop,
          payable: adjustment.payable,
          reason,
        },
      });
      return adjustment;
    });
    await this.events.dispatchSoon();
    return claim;
  }

  /**
   * Corrects the account a claim is paid to (e.g. after a FAILED payout), audited with the
   * reason (masked accounts only). Not while the claim is in a live PENDING payout line (its
   * file is out), nor once paid or rejected.
   */
  async updatePayeeAccount(em: EntityManager, actor: Actor, input: UpdatePayeeAccountData): Promise<Claim> {
    const problems: FieldProblem[] = [];
    const account = typeof input.payeeAccount === 'string' ? input.payeeAccount.trim() : '';
    if (!account || Array.from(account).length > 100 || /[\u0000-\u001f\u007f]/.test(account)) {
      problems.push({ field: 'payeeAccount', message: 'must be 1–100 printable characters' });
    }
    const reason = checkNote(problems, 'reason', input.reason, true);
    if (problems.length || !reason) throw badInputs(problems);
    return em.transactional(async (tx) => {
      const { claim } = await this.lockClaim(tx, actor, input.claimId);
      if (claim.status === ClaimStatus.PAID || claim.status === ClaimStatus.REJECTED) {
        throw illegalClaimTransition(claim.claimNumber, claim.status, 'change the payee account of');
      }
      const [line] = await tx
        .getConnection()
        .execute<{ n: number }[]>(
          `select count(*)::int as n from payout_line where claim_id = ? and status = 'PENDING'`,
          [claim.id],
          'all',
          tx.getTransactionContext(),
        );
      if (line && line.n > 0) {
        throw claimError(
          ClaimReason.IN_PAYOUT,
          `claim ${claim.claimNumber} is in a payout batch awaiting confirmation: correct the account after the batch is confirmed`,
        );
      }
      const before = claim.payeeAccount ?? null;
      if (before === account) return claim;
      claim.payeeAccount = account;
      await tx.flush();
      this.audit.record(tx, actor, {
        entityType: 'Claim',
        entityId: claim.id,
        action: 'UPDATE_PAYEE_ACCOUNT',
        fromState: claim.status,
        toState: claim.status,
        // Masked: accounts stay out of the audit trail.
        changes: {
          payeeAccount: { from: before === null ? null : maskTail(before), to: maskTail(account) },
          reason,
        },
      });
      return claim;
    });
  }

  // ------------------------------------------------------------------------------ reads

  async get(em: EntityManager, actor: Actor, id: number): Promise<Claim> {
    const claim = await em.findOne(Claim, withScope({ id }, actor));
    if (!claim) throw notFound('Claim', id);
    return claim;
  }

  async getByNumber(em: EntityManager, actor: Actor, claimNumber: string): Promise<Claim> {
    const claim = await em.findOne(
      Claim,
      withScope({ claimNumber: String(claimNumber ?? '').trim() }, actor),
    );
    if (!claim) throw notFound('Claim', claimNumber);
    return claim;
  }

  async list(
    em: EntityManager,
    actor: Actor,
    filter: ClaimFilter,
    order: ClaimOrder = ClaimOrder.SUBMITTED,
    page?: PageInput,
  ): Promise<Connection<Claim>> {
    const limit = pageSize(page);
    const today = this.clock.today();
    const problems: FieldProblem[] = [];
    const conds: Record<string, unknown>[] = [];
    if (filter.countyCode !== null && filter.countyCode !== undefined) {
      if (!COUNTY_RE.test(filter.countyCode))
        problems.push({ field: 'filter.countyCode', message: 'must be a 6-digit county code' });
      conds.push({ countyCode: filter.countyCode });
    }
    if (filter.statuses?.length) conds.push({ status: { $in: [...filter.statuses] } });
    if (filter.overdue === true)
      conds.push({ status: { $in: [...CLOCK_RUNNING_STATUSES] }, dueDate: { $lt: today } });
    if (filter.overdue === false) {
      conds.push({
        $or: [
          { status: { $nin: [...CLOCK_RUNNING_STATUSES] } },
          { dueDate: null },
          { dueDate: { $gte: today } },
        ],
      });
    }
    if (filter.dueBefore) {
      if (!isIsoDate(filter.dueBefore))
        problems.push({ field: 'filter.dueBefore', message: 'must be a calendar date YYYY-MM-DD' });
      conds.push({ dueDate: { $lt: filter.dueBefore } });
    }
    if (filter.dueWithinWorkingDays !== null && filter.dueWithinWorkingDays !== undefined) {
      const n = filter.dueWithinWorkingDays;
      if (!Number.isInteger(n) || n < 0 || n > 30) {
        problems.push({
          field: 'filter.dueWithinWorkingDays',
          message: 'must be a whole number from 0 to 30',
        });
      } else {
        const until = (await this.calendar.calendar(em)).addWorkingDays(today, n);
        conds.push({ status: { $in: [...CLOCK_RUNNING_STATUSES] }, dueDate: { $gte: today, $lte: until } });
      }
    }
    if (filter.programmeYear !== null && filter.programmeYear !== undefined)
      conds.push({ programmeYear: filter.programmeYear });
    if (filter.insuredId !== null && filter.insuredId !== undefined)
      conds.push({ insured: filter.insuredId });
    if (filter.nationalId) {
      const parsed = parseNationalId(filter.nationalId, today);
      if (!parsed.ok) problems.push({ field: 'filter.nationalId', message: parsed.message });
      else conds.push({ insured: { idHash: this.pii.hash(parsed.id) } });
    }
    if (filter.flag) conds.push({ flags: { $contains: [filter.flag] } });
    for (const [field, value] of [
      ['submittedFrom', filter.submittedFrom],
      ['submittedTo', filter.submittedTo],
    ] as const) {
      if (value && !isIsoDate(value))
        problems.push({ field: `filter.${field}`, message: 'must be a calendar date YYYY-MM-DD' });
    }
    if (problems.length) throw badInputs(problems);
    if (filter.submittedFrom) conds.push({ submittedAt: { $gte: startOfDayChina(filter.submittedFrom) } });
    if (filter.submittedTo)
      conds.push({ submittedAt: { $lt: startOfDayChina(addDays(filter.submittedTo, 1)) } });
    const where = withScope(conds.length ? { $and: conds } : {}, actor);
    const totalCount = await em.count(Claim, where);

    let afterCond: Record<string, unknown> | null = null;
    if (page?.after) {
      const key = decodeCursor(page.after);
      if (order === ClaimOrder.SUBMITTED) {
        if (!/^\d{1,10}$/.test(key)) throw badInput('page.after', 'not a cursor of this list');
        afterCond = { id: { $gt: Number(key) } };
      } else {
        const m = /^(\d{4}-\d{2}-\d{2}|~)\|(\d{1,10})$/.exec(key);
        if (!m) throw badInput('page.after', 'not a cursor of this list');
        const id = Number(m[2]);
        afterCond =
          m[1] === '~'
            ? { dueDate: null, id: { $gt: id } }
            : { $or: [{ dueDate: { $gt: m[1] } }, { dueDate: m[1], id: { $gt: id } }, { dueDate: null }] };
      }
    }
    const rows = await em.find(Claim, afterCond ? { $and: [where, afterCond] } : where, {
      orderBy:
        order === ClaimOrder.SUBMITTED ? { id: 'asc' } : [{ dueDate: 'asc nulls last' }, { id: 'asc' }],
      limit: limit + 1,
    });
    const conn = toConnection(
      rows,
      limit,
      totalCount,
      (c) => (order === ClaimOrder.SUBMITTED ? c.id : `${c.dueDate ?? '~'}|${c.id}`),
      (c) => c,
      afterCond !== null,
    );
    return conn;
  }

  /** Documents of claims, by claim id (for DataLoaders; the claims were read in scope). */
  async documentsOf(em: EntityManager, claimIds: readonly number[]): Promise<ClaimDocument[][]> {
    const rows = await em.find(ClaimDocument, { claim: { $in: [...claimIds] } }, { orderBy: { id: 'asc' } });
    const by = new Map<number, ClaimDocument[]>();
    for (const d of rows) by.set(d.claim.id, [...(by.get(d.claim.id) ?? []), d]);
    return claimIds.map((id) => by.get(id) ?? []);
  }

  /** Adjustment claims of claims, by original claim id (for DataLoaders). */
  async adjustmentsOf(em: EntityManager, claimIds: readonly number[]): Promise<Claim[][]> {
    const rows = await em.find(Claim, { adjustmentOf: { $in: [...claimIds] } }, { orderBy: { id: 'asc' } });
    const by = new Map<number, Claim[]>();
    for (const c of rows) by.set(c.adjustmentOf!.id, [...(by.get(c.adjustmentOf!.id) ?? []), c]);
    return claimIds.map((id) => by.get(id) ?? []);
  }

  /** The explanation of benefits of a decided claim in the actor's scope (the printable EOB route). */
  async explanation(
    em: EntityManager,
    actor: Actor,
    claimNumber: string,
  ): Promise<{ claim: Claim; explanation: Explanation }> {
    const claim = await this.getByNumber(em, actor, claimNumber);
    if (!isDecided(claim.status)) {
      throw claimError(
        ClaimReason.NOT_DECIDED,
        `claim ${claim.claimNumber} is ${claim.status}: it has an explanation of benefits once decided`,
        { currentState: claim.status },
      );
    }
    const insured = await em.findOneOrFail(Insured, { id: claim.insured.id });
    const original = claim.adjustmentOf ? await em.findOne(Claim, { id: claim.adjustmentOf.id }) : null;
    const explanation = explainClaim(eobSourceOf(claim, original?.claimNumber ?? null), {
      name: nameFor(actor, insured.name, insured.county.code),
      maskedId: insured.idMasked,
    })!;
    return { claim, explanation };
  }

  /** Time-to-pay percentiles of PAID claims paid in `year`, by county and month (one SQL statement). */
  async slaReport(actor: Actor, year: number, countyCode?: string | null): Promise<SlaReportRow[]> {
    const problems: FieldProblem[] = [];
    if (!Number.isInteger(year) || year < 2000 || year > 2100)
      problems.push({ field: 'year', message: 'must be a year from 2000 to 2100' });
    if (countyCode && !COUNTY_RE.test(countyCode))
      problems.push({ field: 'countyCode', message: 'must be a 6-digit county code' });
    if (problems.length) throw badInputs(problems);
    const q = slaReportQuery(actor, year, countyCode || null);
    const { rows } = await this.pg.query<SlaRow>(q.text, q.values);
    return rows.map(toSlaReportRow);
  }

  // ------------------------------------------------------------------------------ internals

  private async lockPerson(tx: EntityManager, insuredId: number): Promise<void> {
    await tx
      .getConnection()
      .execute(
        'select pg_advisory_xact_lock(?, ?)',
        [PERSON_LOCK_NS, insuredId],
        'all',
        tx.getTransactionContext(),
      );
  }

  /**
   * A claim in the actor's scope, locked FOR UPDATE after the locks that come before it: the
   * person's (`person`) and a coverage row (`coverage` names it from the claim as first read).
   */
  private async lockClaim(
    tx: EntityManager,
    actor: Actor,
    id: number,
    opts: { person?: boolean; coverage?: (found: Claim) => Promise<number | null> } = {},
  ): Promise<{ claim: Claim; coverage: Coverage | null }> {
    const found = await tx.findOne(Claim, withScope({ id }, actor));
    if (!found) throw notFound('Claim', id);
    if (opts.person) await this.lockPerson(tx, found.insured.id);
    const coverageId = opts.coverage ? await opts.coverage(found) : null;
    const coverage = coverageId === null ? null : await this.lockCoverage(tx, coverageId);
    const claim = await tx.findOneOrFail(
      Claim,
      { id },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    return { claim, coverage };
  }

  private async lockCoverage(tx: EntityManager, coverageId: number): Promise<Coverage> {
    return tx.findOneOrFail(
      Coverage,
      { id: coverageId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
  }

  /** The next number of the county and year, under the counter row's lock (gap-free: it rolls back with the claim). */
  private async nextClaimNumber(tx: EntityManager, countyCode: string, year: number): Promise<string> {
    const [row] = await tx.getConnection().execute<{ last_value: number }[]>(
      `insert into claim_sequence (county_code, year, last_value) values (?, ?, 1)
       on conflict (county_code, year) do update set last_value = claim_sequence.last_value + 1
       returning last_value`,
      [countyCode, year],
      'all',
      tx.getTransactionContext(),
    );
    return formatClaimNumber(countyCode, year, row!.last_value);
  }

  /**
   * The person's coverages with their contract's state and plan, and which one the claim
   * belongs to: one in force on the admission date (the coverage module's own rule,
   * `decideCoverage`), else the nearest (`pickCoverage`) for the county and year of a rejection.
   */
  private async place(tx: EntityManager, insured: Insured, admissionDate: IsoDate): Promise<Placement> {
    const rows = await tx
      .getConnection()
      .execute<CoverageRow[]>(
        `${COVERAGE_ROWS_SELECT} where c.insured_id = ? order by c.programme_year desc, c.id desc`,
        [insured.id],
        'all',
        tx.getTransactionContext(),
      );
    return placementFrom(rows, insured.county.code, admissionDate);
  }

  private async planRules(tx: EntityManager, planId: number): Promise<PlanRules> {
    const cached = this.planCache.get(planId);
    if (cached) return cached;
    const p = await tx.findOneOrFail(BenefitPlan, { id: planId });
    const rules: PlanRules = {
      code: p.code,
      version: p.version,
      hospitalLevels: [...p.hospitalLevels],
      filingWindowDays: p.filingWindowDays,
      requiredDocuments: [...p.requiredDocuments],
      autoApproveLimit: p.autoApproveLimit,
      reviewThreshold: p.reviewThreshold,
      terms: planTerms(p),
    };
    // A plan in use is immutable (lockedAt): safe to keep for the life of the process.
    if (p.lockedAt) this.planCache.set(planId, rules);
    return rules;
  }

  private async planOfCoverage(tx: EntityManager, coverage: Coverage): Promise<PlanRules> {
    const [row] = await tx
      .getConnection()
      .execute<{ plan_id: number }[]>(
        'select plan_id from county_contract where id = ?',
        [coverage.contract.id],
        'all',
        tx.getTransactionContext(),
      );
    return this.planRules(tx, row!.plan_id);
  }

  /**
   * Gathers what the rules need — the coverage row locked (C), the plan, the person's other live
   * claims sharing an invoice or the settlement number or overlapping the stay — and runs them.
   */
  private async runRules(
    tx: EntityManager,
    f: ClaimFacts,
    placement: Placement,
  ): Promise<{ outcome: AdjudicationOutcome; coverage: Coverage | null; plan: PlanRules | null }> {
    let coverage: Coverage | null = null;
    let plan: PlanRules | null = null;
    let duplicates: DuplicateMatch[] = [];
    let overlaps: StayMatch[] = [];
    if (placement.finding.inForce && placement.planId !== null) {
      coverage = await this.lockCoverage(tx, placement.finding.inForce.coverageId);
      plan = await this.planRules(tx, placement.planId);
      ({ duplicates, overlaps } = await this.otherClaims(tx, f));
    }
    const outcome = adjudicate({
      submittedOn: f.submittedOn,
      admissionDate: f.admissionDate,
      dischargeDate: f.dischargeDate,
      hospitalLevel: f.hospitalLevel,
      eligibleOop: f.eligibleOop,
      documentKinds: f.documentKinds,
      requestedDocuments: f.requestedDocuments,
      coverage: placement.finding,
      plan,
      idRegion: f.idRegion,
      duplicates,
      overlappingStays: overlaps,
      priorEligible: coverage?.eligibleApproved ?? null,
    });
    return { outcome, coverage, plan };
  }

  /** The person's other live original claims sharing an invoice or the settlement number, or overlapping the stay. */
  private async otherClaims(
    tx: EntityManager,
    f: ClaimFacts,
  ): Promise<{ duplicates: DuplicateMatch[]; overlaps: StayMatch[] }> {
    const rows = await tx
      .getConnection()
      .execute<OtherClaimRow[]>(
        `${OTHER_CLAIMS_SELECT} and id <> ? order by id`,
        [
          f.insuredId,
          JSON.stringify(f.invoiceNumbers),
          f.settlementNumber,
          f.admissionDate,
          f.dischargeDate,
          f.admissionDate,
          f.id,
        ],
        'all',
        tx.getTransactionContext(),
      );
    return matchOtherClaims(rows, f);
  }

  private factsOf(claim: Claim, insured: Insured, documents: { kind: DocumentKind }[]): ClaimFacts {
    return {
      id: claim.id,
      insuredId: insured.id,
      idRegion: insured.idRegion,
      submittedOn: dateInZone(claim.submittedAt),
      admissionDate: claim.admissionDate,
      dischargeDate: claim.dischargeDate,
      hospitalLevel: claim.hospitalLevel,
      invoiceNumbers: claim.invoiceNumbers,
      settlementNumber: claim.settlementNumber ?? null,
      eligibleOop: claim.eligibleOop,
      documentKinds: documents.map((d) => d.kind),
      requestedDocuments: claim.requestedDocuments,
    };
  }

  /** Stores an adjudication run's outcome on the claim (approving it when the rules say so). */
  private applyOutcome(
    tx: EntityManager,
    actor: Actor,
    claim: Claim,
    outcome: AdjudicationOutcome,
    coverage: Coverage | null,
    plan: PlanRules | null,
    action: TraceAction,
    now: Date,
  ): void {
    claim.coverage = coverage;
    claim.contract = coverage?.contract ?? null;
    claim.status = outcome.status;
    claim.rejectionReason = outcome.rejectionReason;
    claim.flags = outcome.flags;
    claim.missingDocuments = outcome.missingDocuments;
    this.appendTrace(claim, action, outcome.steps, now);
    if (outcome.status === ClaimStatus.REJECTED) claim.decidedAt = now;
    if (outcome.status === ClaimStatus.APPROVED) this.applyApproval(tx, actor, claim, coverage!, plan!, now);
  }

  /**
   * Approves under the coverage row lock: payable = round(P(C + x)) − round(P(C)) with C the
   * coverage's eligible approved so far; the coverage's running totals move by x and the payable.
   */
  private applyApproval(
    tx: EntityManager,
    actor: Actor,
    claim: Claim,
    coverage: Coverage,
    plan: PlanRules,
    now: Date,
  ): PayableWorking {
    const w = payableFor(plan.terms, coverage.eligibleApproved, claim.eligibleOop);
    const changes = approvalChanges(coverage.eligibleApproved, coverage.benefitApproved, w);
    coverage.eligibleApproved = changes.eligibleApproved.to;
    coverage.benefitApproved = changes.benefitApproved.to;
    const stored: StoredWorking = { ...w, planCode: plan.code, planVersion: plan.version };
    claim.priorEligible = w.priorEligible;
    claim.payable = w.payable;
    claim.working = stored as unknown as Record<string, unknown>;
    claim.status = ClaimStatus.APPROVED;
    claim.rejectionReason = null;
    claim.approvedAt = now;
    claim.decidedAt = now;
    this.audit.record(tx, actor, {
      entityType: 'Coverage',
      entityId: coverage.id,
      action: 'CLAIM_APPROVED',
      changes: { claimNumber: claim.claimNumber, ...changes },
    });
    return w;
  }

  private appendTrace(claim: Claim, action: TraceAction, steps: readonly RuleStep[], now: Date): void {
    const trace = claim.ruleTrace as unknown as TraceEntry[];
    claim.ruleTrace = [...trace, ...stampSteps(trace, action, steps, now)] as unknown as Record<
      string,
      unknown
    >[];
  }

  /** Sums of the original's amounts and its adjustments: what the episode counts now. */
  private async effectiveAmounts(
    tx: EntityManager,
    originalId: number,
  ): Promise<ClaimAmounts & { eligibleOop: string }> {
    const [row] = await tx.getConnection().execute<Record<string, string>[]>(
      `select sum(total_cost)::text as "totalCost", sum(basic_insurance_paid)::text as "basicInsurancePaid",
              sum(critical_illness_paid)::text as "criticalIllnessPaid", sum(medical_assistance_paid)::text as "medicalAssistancePaid",
              sum(excluded_cost)::text as "excludedCost", sum(eligible_oop)::text as "eligibleOop"
         from claim where (id = ? or adjustment_of_id = ?) and status in ('APPROVED', 'PAID')`,
      [originalId, originalId],
      'all',
      tx.getTransactionContext(),
    );
    return Object.fromEntries(
      Object.entries(row!).map(([k, v]) => [k, formatMoney(v ?? '0')]),
    ) as ClaimAmounts & { eligibleOop: string };
  }

  /** The claim's audit event (with its rule trace) and, on a change of status, its outbox event. */
  private record(
    tx: EntityManager,
    actor: Actor,
    claim: Claim,
    insured: Insured,
    action: string,
    from: ClaimStatus,
    changes: Record<string, unknown>,
  ): void {
    this.audit.record(tx, actor, {
      entityType: 'Claim',
      entityId: claim.id,
      action,
      fromState: from,
      toState: claim.status,
      changes,
    });
    if (from === claim.status && action !== 'SUBMIT') return;
    this.events.emit(tx, {
      type: 'CLAIM_STATUS_CHANGED',
      countyCode: claim.countyCode,
      payload: {
        claimId: claim.id,
        claimNumber: claim.claimNumber,
        insuredId: insured.id,
        maskedId: insured.idMasked,
        coverageId: claim.coverage?.id ?? null,
        adjustmentOfId: claim.adjustmentOf?.id ?? null,
        from,
        to: claim.status,
        rejectionReason: claim.rejectionReason ?? null,
        missingDocuments: claim.missingDocuments,
      },
    });
  }
}

/** The same document twice in one call counts once. */
function dedupeDocuments(docs: readonly ClaimDocumentData[]): ClaimDocumentData[] {
  const seen = new Set<string>();
  return docs.filter((d) => {
    const k = `${d.kind}:${d.sha256}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function amountsOf(c: Claim): ClaimAmounts {
  return {
    totalCost: c.totalCost,
    basicInsurancePaid: c.basicInsurancePaid,
    criticalIllnessPaid: c.criticalIllnessPaid,
    medicalAssistancePaid: c.medicalAssistancePaid,
    excludedCost: c.excludedCost,
  };
}

function lastRun(trace: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const entries = trace as unknown as TraceEntry[];
  const run = entries.reduce((m, e) => Math.max(m, e.run), 0);
  return entries.filter((e) => e.run === run) as unknown as Record<string, unknown>[];
}

/** What the explanation of benefits reads from a claim. */
export function eobSourceOf(c: ClaimRecord, adjustmentOfNumber: string | null): EobSource {
  return {
    claimNumber: c.claimNumber,
    status: c.status,
    rejectionReason: c.rejectionReason ?? null,
    reviewNote: c.reviewNote ?? null,
    ruleTrace: c.ruleTrace as unknown as TraceEntry[],
    admissionDate: c.admissionDate,
    dischargeDate: c.dischargeDate,
    hospitalName: c.hospitalName,
    hospitalLevel: c.hospitalLevel,
    diagnosisCode: c.diagnosisCode,
    totalCost: c.totalCost,
    basicInsurancePaid: c.basicInsurancePaid,
    criticalIllnessPaid: c.criticalIllnessPaid,
    medicalAssistancePaid: c.medicalAssistancePaid,
    excludedCost: c.excludedCost,
    eligibleOop: c.eligibleOop,
    payable: c.payable ?? null,
    working: (c.working as unknown as PayableWorking | null) ?? null,
    adjustmentOfNumber,
    paidAt: c.paidAt ?? null,
    paymentReference: c.paymentReference ?? null,
  };
}
