/**
 * Claim intake checks and adjudication rules (claims.md), as pure functions: no database, no
 * clock — "today", the person's coverage, the plan and the other claims found are passed in,
 * and everything decided comes back with its reasons. The claim service gathers the facts
 * (under the locks that make them stable) and stores what this returns.
 */
import type Decimal from 'decimal.js';
import { dayNumber, isIsoDate, type IsoDate } from '../../shared/dates';
import type { FieldProblem } from '../../shared/errors';
import { formatMoney, money, toFen } from '../../shared/money';
import { parseNationalId, type ParsedNationalId } from '../enrollment/national-id';
import {
  DOCUMENT_KINDS,
  HOSPITAL_LEVELS,
  type DocumentKind,
  type HospitalLevel,
} from '../pricing/benefit-plan.entity';
import { benefitWorking } from '../pricing/engine/benefit';
import type { BenefitPlanTerms } from '../pricing/engine/types';
import { ClaimRejection, ClaimStatus, type ClaimFlag } from './claim.entity';

// ------------------------------------------------------------------------------------ intake

/**
 * ICD-10 diagnosis codes: a letter, a digit, a digit (A/B in the ICD-10-CM extensions such as
 * C4A), then optionally a dot and up to four more characters that are never U. This is the
 * pattern of John D. Cook, "Regular expression for ICD-10 diagnosis codes" (2019-05-05,
 * johndcook.com/blog/2019/05/05/regex_icd_codes), `[A-TV-Z][0-9][0-9AB]\.?[0-9A-TV-Z]{0,4}`,
 * with one change: the first letter may be U, because WHO assigned U07.1/U07.2 (COVID-19) in
 * 2020 — a programme year of this system. A missing dot is inserted (`A879` → `A87.9`).
 *
 * Chinese hospitals also write the national clinical extension (国家临床版), e.g. `J18.900x001`:
 * up to three characters after the dot, `x` and three digits; accepted and kept with a lower-case x.
 */
export const ICD10_RE = /^([A-Z][0-9][0-9AB])(?:\.?([0-9A-TV-Z]{1,4}))?$/;
const ICD10_CN_EXTENSION_RE = /^([A-Z][0-9][0-9AB])\.?([0-9A-TV-Z]{1,3})X([0-9]{3})$/;

/** The normalised diagnosis code, or null when it is not an ICD-10 code. */
export function normaliseDiagnosisCode(raw: string): string | null {
  const s = String(raw ?? '')
    .trim()
    .toUpperCase();
  const ext = ICD10_CN_EXTENSION_RE.exec(s);
  if (ext) return `${ext[1]}.${ext[2]}x${ext[3]}`;
  const m = ICD10_RE.exec(s);
  if (!m) return null;
  return m[2] ? `${m[1]}.${m[2]}` : m[1]!;
}

const MONEY_TEXT = /^-?\d{1,12}(\.\d{1,2})?$/;
const INVOICE_RE = /^[0-9A-Za-z][0-9A-Za-z_/.-]{0,63}$/;
const SHA256_RE = /^[0-9a-fA-F]{64}$/;
const IDEMPOTENCY_RE = /^[\x21-\x7e]{1,128}$/;

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export const MAX_INVOICES = 50;
export const MAX_DOCUMENTS = 50;
export const MAX_NOTE = 2000;

export const AMOUNT_FIELDS = [
  'totalCost',
  'basicInsurancePaid',
  'criticalIllnessPaid',
  'medicalAssistancePaid',
  'excludedCost',
] as const;
export type AmountField = (typeof AMOUNT_FIELDS)[number];
export type ClaimAmounts = Record<AmountField, string>;

export interface ClaimDocumentData {
  kind: DocumentKind;
  sha256: string;
  storageKey: string;
}

/** What a coordinator files (claims.md "Intake"). Money as decimal strings, dates YYYY-MM-DD. */
export interface SubmitClaimData extends ClaimAmounts {
  nationalId: string;
  admissionDate: IsoDate;
  dischargeDate: IsoDate;
  hospitalName: string;
  hospitalLevel: HospitalLevel;
  diagnosisCode: string;
  invoiceNumbers: string[];
  documents?: ClaimDocumentData[] | null;
  settlementNumber?: string | null;
  payeeAccount?: string | null;
  idempotencyKey: string;
}

/** A submission after validation: trimmed, normalised, amounts with two decimals and x computed. */
export interface ValidSubmission extends ClaimAmounts {
  id: ParsedNationalId;
  admissionDate: IsoDate;
  dischargeDate: IsoDate;
  hospitalName: string;
  hospitalLevel: HospitalLevel;
  diagnosisCode: string;
  invoiceNumbers: string[];
  documents: ClaimDocumentData[];
  settlementNumber: string | null;
  payeeAccount: string | null;
  idempotencyKey: string;
  /** x = total − basic − critical illness − assistance − excluded, two decimals. */
  eligibleOop: string;
}

/** x = total − basic − critical illness − assistance − excluded (exact). */
export function eligibleOutOfPocket(a: ClaimAmounts): Decimal {
  return money(a.totalCost)
    .minus(a.basicInsurancePaid)
    .minus(a.criticalIllnessPaid)
    .minus(a.medicalAssistancePaid)
    .minus(a.excludedCost);
}

function text(value: string | null | undefined): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** An amount ≥ 0 with at most two decimals; pushes a problem naming `field` otherwise. */
export function checkAmount(
  problems: FieldProblem[],
  field: string,
  value: unknown,
  allowNegative = false,
): boolean {
  const s = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (!MONEY_TEXT.test(s)) {
    problems.push({ field, message: 'must be an amount with at most two decimals, e.g. "41696.00"' });
    return false;
  }
  if (!allowNegative && money(s).isNegative()) {
    problems.push({ field, message: 'must not be negative' });
    return false;
  }
  return true;
}

/**
 * The five amounts of a claim: each ≥ 0, total > 0, and x ≥ 0 — the last reported on
 * `totalCost` (x is not an input: the total is what cannot be less than what others paid).
 */
export function checkAmounts(
  problems: FieldProblem[],
  a: Partial<ClaimAmounts>,
  prefix = '',
): ClaimAmounts | null {
  let ok = true;
  for (const f of AMOUNT_FIELDS) ok = checkAmount(problems, `${prefix}${f}`, a[f]) && ok;
  if (!ok) return null;
  const amounts = Object.fromEntries(
    AMOUNT_FIELDS.map((f) => [f, formatMoney(String(a[f]).trim())]),
  ) as ClaimAmounts;
  if (money(amounts.totalCost).isZero()) {
    problems.push({
      field: `${prefix}totalCost`,
      message: 'must be more than 0: a claim is for a hospital bill',
    });
    return null;
  }
  const x = eligibleOutOfPocket(amounts);
  if (x.isNegative()) {
    const others = money(amounts.totalCost).minus(x);
    problems.push({
      field: `${prefix}totalCost`,
      message:
        `the total cost ${amounts.totalCost} is less than what government schemes paid plus the excluded cost ` +
        `(${formatMoney(others)}): the eligible out-of-pocket would be ${formatMoney(x)}`,
    });
    return null;
  }
  return amounts;
}

export function checkDocuments(
  problems: FieldProblem[],
  docs: readonly ClaimDocumentData[] | null | undefined,
  field = 'documents',
): ClaimDocumentData[] {
  const list = docs ?? [];
  if (list.length > MAX_DOCUMENTS) {
    problems.push({ field, message: `at most ${MAX_DOCUMENTS} documents per call` });
    return [];
  }
  return list.map((d, i) => {
    if (!(DOCUMENT_KINDS as readonly string[]).includes(d?.kind)) {
      problems.push({ field: `${field}[${i}].kind`, message: `must be one of ${DOCUMENT_KINDS.join(', ')}` });
    }
    const sha = text(d?.sha256);
    if (!SHA256_RE.test(sha))
      problems.push({ field: `${field}[${i}].sha256`, message: 'must be a SHA-256 in hex (64 characters)' });
    const key = text(d?.storageKey);
    if (!key || key.length > 512 || CONTROL_CHARS.test(key)) {
      problems.push({ field: `${field}[${i}].storageKey`, message: 'must be 1–512 printable characters' });
    }
    return { kind: d?.kind, sha256: sha.toLowerCase(), storageKey: key };
  });
}

function checkShortText(
  problems: FieldProblem[],
  field: string,
  value: string | null | undefined,
  max: number,
): string | null {
  const v = text(value);
  if (!v) return null;
  if (Array.from(v).length > max || CONTROL_CHARS.test(v)) {
    problems.push({ field, message: `must be at most ${max} printable characters` });
  }
  return v;
}

/**
 * Every problem with a submission, each naming its field, or the normalised submission. Nothing
 * is looked up: the person's coverage and the plan are adjudication, not input errors.
 */
export function validateSubmission(
  input: SubmitClaimData,
  today: IsoDate,
): { problems: FieldProblem[]; value: ValidSubmission | null } {
  const problems: FieldProblem[] = [];
  const parsed = parseNationalId(String(input.nationalId ?? ''), today);
  if (!parsed.ok) problems.push({ field: 'nationalId', message: parsed.message });

  const { admissionDate, dischargeDate } = input;
  const admissionOk = typeof admissionDate === 'string' && isIsoDate(admissionDate);
  const dischargeOk = typeof dischargeDate === 'string' && isIsoDate(dischargeDate);
  if (!admissionOk) problems.push({ field: 'admissionDate', message: 'must be a calendar date YYYY-MM-DD' });
  else if (admissionDate > today)
    problems.push({ field: 'admissionDate', message: `must not be in the future (today is ${today})` });
  if (!dischargeOk) problems.push({ field: 'dischargeDate', message: 'must be a calendar date YYYY-MM-DD' });
  else if (admissionOk && dischargeDate < admissionDate) {
    problems.push({
      field: 'dischargeDate',
      message: `must not be before the admission date ${admissionDate}`,
    });
  } else if (dischargeDate > today) {
    problems.push({
      field: 'dischargeDate',
      message: `must not be in the future (today is ${today}): file after discharge`,
    });
  }

  const hospitalName = text(input.hospitalName);
  if (!hospitalName) problems.push({ field: 'hospitalName', message: 'must not be empty' });
  else checkShortText(problems, 'hospitalName', hospitalName, 200);
  if (!(HOSPITAL_LEVELS as readonly string[]).includes(input.hospitalLevel)) {
    problems.push({ field: 'hospitalLevel', message: `must be one of ${HOSPITAL_LEVELS.join(', ')}` });
  }
  const diagnosisCode = normaliseDiagnosisCode(input.diagnosisCode);
  if (!diagnosisCode) {
    problems.push({
      field: 'diagnosisCode',
      message: 'must be an ICD-10 code such as A87.9 (or J18.900x001)',
    });
  }

  const invoiceNumbers = (input.invoiceNumbers ?? []).map((n) => text(n));
  if (invoiceNumbers.length === 0)
    problems.push({ field: 'invoiceNumbers', message: 'must list at least one invoice number' });
  else if (invoiceNumbers.length > MAX_INVOICES)
    problems.push({ field: 'invoiceNumbers', message: `at most ${MAX_INVOICES}` });
  const seen = new Set<string>();
  invoiceNumbers.forEach((n, i) => {
    if (!INVOICE_RE.test(n)) {
      problems.push({
        field: `invoiceNumbers[${i}]`,
        message: 'must be 1–64 letters, digits, "-", "_", "/" or "."',
      });
    } else if (seen.has(n)) problems.push({ field: `invoiceNumbers[${i}]`, message: `${n} is listed twice` });
    seen.add(n);
  });

  const amounts = checkAmounts(problems, input);
  const documents = checkDocuments(problems, input.documents);
  const settlementNumber = checkShortText(problems, 'settlementNumber', input.settlementNumber, 64);
  const payeeAccount = checkShortText(problems, 'payeeAccount', input.payeeAccount, 100);
  const idempotencyKey = text(input.idempotencyKey);
  if (!IDEMPOTENCY_RE.test(idempotencyKey)) {
    problems.push({
      field: 'idempotencyKey',
      message: 'must be 1–128 printable ASCII characters without spaces',
    });
  }
  if (problems.length || !parsed.ok || !amounts || !diagnosisCode) return { problems, value: null };
  return {
    problems,
    value: {
      id: parsed,
      admissionDate,
      dischargeDate,
      hospitalName,
      hospitalLevel: input.hospitalLevel,
      diagnosisCode,
      invoiceNumbers,
      documents,
      settlementNumber,
      payeeAccount,
      idempotencyKey,
      ...amounts,
      eligibleOop: formatMoney(eligibleOutOfPocket(amounts)),
    },
  };
}

// ------------------------------------------------------------------------------ the payable

export interface TierWorking {
  index: number;
  /** The tier's band of the year's cumulative eligible out-of-pocket: (from, to]; to null = no bound. */
  from: string;
  to: string | null;
  ratio: string;
  /** This claim's part of the band: amountInBand(C + x) − amountInBand(C). */
  amount: string;
  /** ratio · amount, exact (may have more than two decimals). */
  share: string;
}

/**
 * The payable of one claim and how it came about, as stored on the claim (`working`) and read by
 * the explanation of benefits. Amounts are exact decimal strings.
 */
export interface PayableWorking {
  /** C: eligible out-of-pocket of the coverage year's claims approved before this one. */
  priorEligible: string;
  /** x. */
  eligible: string;
  /** C + x. */
  cumulativeEligible: string;
  deductible: string;
  /** Deductible absorbed by claims before this one: min(C, d). */
  deductibleTakenBefore: string;
  /** Deductible this claim absorbs: min(C + x, d) − min(C, d). */
  deductibleTaken: string;
  tiers: TierWorking[];
  annualCap: string;
  /** How much the cap cut from this claim: cut(C + x) − cut(C), cut(y) = uncapped(y) − P(y). */
  capReduction: string;
  /** The year's total has reached the cap. */
  capReached: boolean;
  /** round(P(C)). */
  benefitBefore: string;
  /** round(P(C + x)). */
  benefitAfter: string;
  /** round(P(C + x)) − round(P(C)); negative for a negative adjustment. */
  payable: string;
}

/**
 * payable = round(P(C + x)) − round(P(C)), half-up to the fen (claims.md), with P the plan's
 * benefit function from the pricing engine — the one implementation. Summed over a year's claims
 * in the order approved, each C being the sum of the x before it, the payables telescope to
 * round(P(Σx)): the deductible is taken once, the tiers follow the year's total and the cap holds.
 * A negative x (a downward adjustment) is the same formula run backwards: C + x < C, so the
 * payable is ≤ 0 and the year's total stays round(P(Σx)).
 */
export function payableFor(
  terms: BenefitPlanTerms,
  priorEligible: string | Decimal,
  eligible: string | Decimal,
): PayableWorking {
  const c = money(priorEligible);
  const x = money(eligible);
  const before = benefitWorking(terms, c);
  const after = benefitWorking(terms, c.plus(x));
  const benefitBefore = toFen(before.benefit);
  const benefitAfter = toFen(after.benefit);
  const cut = (w: typeof before) => w.uncapped.minus(w.benefit);
  return {
    priorEligible: formatMoney(c),
    eligible: formatMoney(x),
    cumulativeEligible: formatMoney(c.plus(x)),
    deductible: formatMoney(after.deductible),
    deductibleTakenBefore: formatMoney(before.deductibleTaken),
    deductibleTaken: formatMoney(after.deductibleTaken.minus(before.deductibleTaken)),
    tiers: after.tiers.map((t, k) => {
      const b = before.tiers[k]!;
      return {
        index: t.index,
        from: formatMoney(t.from),
        to: t.to === null ? null : formatMoney(t.to),
        ratio: t.ratio.toFixed(),
        amount: t.amountInBand.minus(b.amountInBand).toFixed(),
        share: t.share.minus(b.share).toFixed(),
      };
    }),
    annualCap: formatMoney(after.annualCap),
    capReduction: cut(after).minus(cut(before)).toFixed(),
    capReached: after.capReached,
    benefitBefore: benefitBefore.toFixed(2),
    benefitAfter: benefitAfter.toFixed(2),
    payable: benefitAfter.minus(benefitBefore).toFixed(2),
  };
}

// ------------------------------------------------------------------------------ adjudication

/** The rules of claims.md, in their order. */
export const RULES = [
  'COVERAGE_IN_FORCE',
  'PROVIDER_COVERED',
  'FILED_IN_TIME',
  'NO_DUPLICATE_INVOICE',
  'DOCUMENTS_COMPLETE',
  'AUTO_APPROVE',
] as const;
export type RuleName = (typeof RULES)[number];

export const FLAGS: readonly ClaimFlag[] = ['OVERLAPPING_STAY', 'HIGH_AMOUNT', 'ID_REGION_MISMATCH'];

export type StepResult = 'PASSED' | 'FAILED' | 'SKIPPED' | 'RAISED' | 'NOT_RAISED' | 'DECIDED';

/** One line of a claim's rule trace. */
export interface RuleStep {
  step: RuleName | ClaimFlag | 'DECISION';
  result: StepResult;
  detail: string;
  data?: Record<string, unknown>;
}

/** The claim-related terms of the coverage's plan. */
export interface PlanRules {
  code: string;
  version: number;
  hospitalLevels: readonly HospitalLevel[];
  filingWindowDays: number;
  requiredDocuments: readonly DocumentKind[];
  autoApproveLimit: string;
  reviewThreshold: string;
  terms: BenefitPlanTerms;
}

export interface CoverageFinding {
  /** The coverage in force on the admission date; null when there is none. */
  inForce: { coverageId: number; countyCode: string; programmeYear: number } | null;
  /** Why none is in force (NOT_ENROLLED, NOT_STARTED, EXPIRED, TERMINATED, CONTRACT_NOT_ACTIVE). */
  reason: string | null;
}

/** Another live claim of the person sharing an invoice number or the settlement number. */
export interface DuplicateMatch {
  claimNumber: string;
  invoiceNumbers: string[];
  settlementNumber: string | null;
}

/** Another live claim of the person whose stay overlaps this one. */
export interface StayMatch {
  claimNumber: string;
  admissionDate: IsoDate;
  dischargeDate: IsoDate;
}

export interface AdjudicationFacts {
  /** The submission date in China time (the filing window is measured to it, also on re-runs). */
  submittedOn: IsoDate;
  admissionDate: IsoDate;
  dischargeDate: IsoDate;
  hospitalLevel: HospitalLevel;
  /** x. */
  eligibleOop: string;
  /** Kinds of the documents attached so far. */
  documentKinds: readonly DocumentKind[];
  /** Kinds a reviewer asked for on top of the plan's (requestClaimInfo). */
  requestedDocuments: readonly DocumentKind[];
  coverage: CoverageFinding;
  /** The plan of the coverage in force; null with no coverage. */
  plan: PlanRules | null;
  /** First six digits of the national ID. */
  idRegion: string;
  duplicates: readonly DuplicateMatch[];
  overlappingStays: readonly StayMatch[];
  /** C, read under the coverage row lock; null with no coverage. */
  priorEligible: string | null;
}

export interface AdjudicationOutcome {
  status: ClaimStatus.APPROVED | ClaimStatus.UNDER_REVIEW | ClaimStatus.REJECTED | ClaimStatus.NEEDS_INFO;
  rejectionReason: ClaimRejection | null;
  missingDocuments: DocumentKind[];
  flags: ClaimFlag[];
  /** Every rule and flag, in order; those after the deciding rule are SKIPPED. */
  steps: RuleStep[];
  /** The payable at the current C, when the last rule ran (applied only if APPROVED). */
  payable: PayableWorking | null;
}

const SKIPPED = 'not checked: an earlier rule decided';

/** The documents the plan (and a reviewer) require that are not attached, in the plan's order. */
export function missingDocuments(
  required: readonly DocumentKind[],
  requested: readonly DocumentKind[],
  attached: readonly DocumentKind[],
): DocumentKind[] {
  const have = new Set(attached);
  const out: DocumentKind[] = [];
  for (const k of [...required, ...requested]) if (!have.has(k) && !out.includes(k)) out.push(k);
  return out;
}

/** Days from discharge to submission (calendar days, China time). */
export function daysAfterDischarge(dischargeDate: IsoDate, submittedOn: IsoDate): number {
  return dayNumber(submittedOn) - dayNumber(dischargeDate);
}

/**
 * A stay as a half-open range of hospital days [admission, max(discharge, admission + 1)):
 * two stays overlap when they share a night (or a day case's one day). A same-day transfer —
 * discharged from one hospital and admitted to the next on the same day — is not an overlap.
 * The SQL of the claim service uses the same ranges (`daterange(…, '[)') &&`).
 */
export function staysOverlap(
  a: { admissionDate: IsoDate; dischargeDate: IsoDate },
  b: { admissionDate: IsoDate; dischargeDate: IsoDate },
): boolean {
  const range = (s: { admissionDate: IsoDate; dischargeDate: IsoDate }): [number, number] => {
    const start = dayNumber(s.admissionDate);
    return [start, Math.max(dayNumber(s.dischargeDate), start + 1)];
  };
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 < b1 && b0 < a1;
}

/**
 * The rules of claims.md in order, the first that fails deciding; the flags only send a claim
 * to review. Every rule and flag is in `steps` (SKIPPED after the deciding one).
 */
export function adjudicate(f: AdjudicationFacts): AdjudicationOutcome {
  const steps: RuleStep[] = [];
  const done = (
    status: AdjudicationOutcome['status'],
    rest: Partial<Omit<AdjudicationOutcome, 'status' | 'steps'>> = {},
  ): AdjudicationOutcome => {
    const seen = new Set(steps.map((s) => s.step));
    for (const r of [...RULES.slice(0, 5), ...FLAGS, 'AUTO_APPROVE'] as RuleStep['step'][]) {
      if (!seen.has(r)) steps.push({ step: r, result: 'SKIPPED', detail: SKIPPED });
    }
    const outcome: AdjudicationOutcome = {
      status,
      rejectionReason: rest.rejectionReason ?? null,
      missingDocuments: rest.missingDocuments ?? [],
      flags: rest.flags ?? [],
      payable: rest.payable ?? null,
      steps,
    };
    steps.push({
      step: 'DECISION',
      result: 'DECIDED',
      detail: outcome.rejectionReason ? `${status} / ${outcome.rejectionReason}` : status,
      data: { status, rejectionReason: outcome.rejectionReason },
    });
    return outcome;
  };
  const reject = (reason: ClaimRejection) => done(ClaimStatus.REJECTED, { rejectionReason: reason });

  // 1. a coverage of the person is in force on the admission date
  const cov = f.coverage.inForce;
  if (!cov || !f.plan) {
    steps.push({
      step: 'COVERAGE_IN_FORCE',
      result: 'FAILED',
      detail: `no coverage of the person is in force on ${f.admissionDate} (${f.coverage.reason ?? 'NOT_ENROLLED'})`,
      data: { admissionDate: f.admissionDate, reason: f.coverage.reason ?? 'NOT_ENROLLED' },
    });
    return reject(ClaimRejection.NOT_COVERED);
  }
  const plan = f.plan;
  steps.push({
    step: 'COVERAGE_IN_FORCE',
    result: 'PASSED',
    detail: `coverage ${cov.coverageId} (county ${cov.countyCode}, programme year ${cov.programmeYear}, plan ${plan.code} v${plan.version}) is in force on ${f.admissionDate}`,
    data: {
      coverageId: cov.coverageId,
      countyCode: cov.countyCode,
      programmeYear: cov.programmeYear,
      plan: plan.code,
      planVersion: plan.version,
    },
  });

  // 2. the hospital level is covered by the plan
  const levelOk = plan.hospitalLevels.includes(f.hospitalLevel);
  steps.push({
    step: 'PROVIDER_COVERED',
    result: levelOk ? 'PASSED' : 'FAILED',
    detail: levelOk
      ? `${f.hospitalLevel} hospitals are covered by plan ${plan.code}`
      : `plan ${plan.code} covers ${plan.hospitalLevels.join(', ')} hospitals, not ${f.hospitalLevel}`,
    data: { hospitalLevel: f.hospitalLevel, covered: [...plan.hospitalLevels] },
  });
  if (!levelOk) return reject(ClaimRejection.PROVIDER_NOT_COVERED);

  // 3. submitted within the plan's filing window after discharge
  const days = daysAfterDischarge(f.dischargeDate, f.submittedOn);
  const inTime = days <= plan.filingWindowDays;
  steps.push({
    step: 'FILED_IN_TIME',
    result: inTime ? 'PASSED' : 'FAILED',
    detail: `filed ${days} day(s) after discharge on ${f.dischargeDate}; the plan allows ${plan.filingWindowDays}`,
    data: { daysAfterDischarge: days, filingWindowDays: plan.filingWindowDays, submittedOn: f.submittedOn },
  });
  if (!inTime) return reject(ClaimRejection.LATE_SUBMISSION);

  // 4. no other live claim of the person carries one of these invoice numbers or the settlement number
  const dupOk = f.duplicates.length === 0;
  steps.push({
    step: 'NO_DUPLICATE_INVOICE',
    result: dupOk ? 'PASSED' : 'FAILED',
    detail: dupOk
      ? 'no other live claim of the person carries these invoice numbers or this settlement number'
      : f.duplicates
          .map(
            (d) =>
              [
                d.invoiceNumbers.length ? `invoice number(s) ${d.invoiceNumbers.join(', ')}` : null,
                d.settlementNumber ? `settlement number ${d.settlementNumber}` : null,
              ]
                .filter(Boolean)
                .join(' and ') + ` already on claim ${d.claimNumber}`,
          )
          .join('; '),
    data: dupOk ? undefined : { duplicates: f.duplicates.map((d) => ({ ...d })) },
  });
  if (!dupOk) return reject(ClaimRejection.DUPLICATE_INVOICE);

  // 5. the plan's required documents are attached
  const missing = missingDocuments(plan.requiredDocuments, f.requestedDocuments, f.documentKinds);
  steps.push({
    step: 'DOCUMENTS_COMPLETE',
    result: missing.length ? 'FAILED' : 'PASSED',
    detail: missing.length
      ? `missing: ${missing.join(', ')}`
      : `attached: ${[...new Set([...plan.requiredDocuments, ...f.requestedDocuments])].join(', ') || 'none required'}`,
    data: { required: [...plan.requiredDocuments], requested: [...f.requestedDocuments], missing },
  });
  if (missing.length) return done(ClaimStatus.NEEDS_INFO, { missingDocuments: missing });

  // Flags: review without rejecting.
  const flags: ClaimFlag[] = [];
  const overlap = f.overlappingStays.length > 0;
  if (overlap) flags.push('OVERLAPPING_STAY');
  steps.push({
    step: 'OVERLAPPING_STAY',
    result: overlap ? 'RAISED' : 'NOT_RAISED',
    detail: overlap
      ? f.overlappingStays
          .map((s) => `claim ${s.claimNumber} (${s.admissionDate} – ${s.dischargeDate}) overlaps this stay`)
          .join('; ')
      : 'no other live claim of the person overlaps these hospital dates',
    data: overlap ? { claims: f.overlappingStays.map((s) => ({ ...s })) } : undefined,
  });
  const high = money(f.eligibleOop).gt(plan.reviewThreshold);
  if (high) flags.push('HIGH_AMOUNT');
  steps.push({
    step: 'HIGH_AMOUNT',
    result: high ? 'RAISED' : 'NOT_RAISED',
    detail: `eligible out-of-pocket ${formatMoney(f.eligibleOop)} ${high ? 'is above' : 'is within'} the review threshold ${formatMoney(plan.reviewThreshold)}`,
  });
  const regionMismatch = f.idRegion !== cov.countyCode;
  if (regionMismatch) flags.push('ID_REGION_MISMATCH');
  steps.push({
    step: 'ID_REGION_MISMATCH',
    result: regionMismatch ? 'RAISED' : 'NOT_RAISED',
    detail: regionMismatch
      ? `the national ID was issued in ${f.idRegion}, the coverage is in county ${cov.countyCode}`
      : `the national ID was issued in the coverage's county ${cov.countyCode}`,
  });

  // 6. payable ≤ the plan's auto-approve limit, and no flag raised
  const payable = payableFor(plan.terms, f.priorEligible ?? '0', f.eligibleOop);
  const withinLimit = money(payable.payable).lte(plan.autoApproveLimit);
  const auto = withinLimit && flags.length === 0;
  steps.push({
    step: 'AUTO_APPROVE',
    result: auto ? 'PASSED' : 'FAILED',
    detail:
      `payable ${payable.payable} (C = ${payable.priorEligible}, x = ${payable.eligible}) ` +
      `${withinLimit ? 'is within' : 'is above'} the auto-approve limit ${formatMoney(plan.autoApproveLimit)}` +
      (flags.length ? `; flagged ${flags.join(', ')}` : '') +
      (auto ? ': approved' : ': sent to review'),
    data: {
      payable: payable.payable,
      priorEligible: payable.priorEligible,
      autoApproveLimit: formatMoney(plan.autoApproveLimit),
      flags,
    },
  });
  return done(auto ? ClaimStatus.APPROVED : ClaimStatus.UNDER_REVIEW, { flags, payable });
}

/** What started an adjudication run or a decision recorded in the trace. */
export type TraceAction = 'SUBMIT' | 'SUPPLEMENT' | 'REQUEST_INFO' | 'APPROVE' | 'REJECT' | 'ADJUST';

/** One stored line of a claim's rule trace: a step of run `run` (1 = submission). */
export interface TraceEntry extends RuleStep {
  run: number;
  action: TraceAction;
  /** ISO timestamp. */
  at: string;
}

/** The steps of one run, stamped for storage after the trace so far. */
export function stampSteps(
  trace: readonly TraceEntry[],
  action: TraceAction,
  steps: readonly RuleStep[],
  at: Date,
): TraceEntry[] {
  const run = trace.reduce((m, e) => Math.max(m, e.run), 0) + 1;
  return steps.map((s) => ({ run, action, ...s, at: at.toISOString() }));
}

/** The last FAILED step of a rule in a trace (what a rejection's explanation quotes). */
export function lastFailure(trace: readonly TraceEntry[], step: RuleStep['step']): TraceEntry | null {
  for (let i = trace.length - 1; i >= 0; i--)
    if (trace[i]!.step === step && trace[i]!.result === 'FAILED') return trace[i]!;
  return null;
}
