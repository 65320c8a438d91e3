import { randomUUID } from 'node:crypto';
import type {
  CodeableConcept,
  CoverageEligibilityResponse,
  CoverageEligibilityResponseInsurance,
  CoverageEligibilityResponseInsuranceItemBenefit,
  Identifier,
  OperationOutcome,
  OperationOutcomeIssue,
  Reference,
} from 'fhir/r4';
import { z } from 'zod';
import { isIsoDate, type IsoDate } from '../../shared/dates';
import { formatMoney, money } from '../../shared/money';
import { CoverageCheckReason, type CoverageAnswer } from './coverage.service';

/**
 * FHIR R4 coverage eligibility for hospitals (spec: "Coverage look-up for integrations"):
 * a CoverageEligibilityRequest in, a CoverageEligibilityResponse (or an OperationOutcome) out.
 * Pure mapping: the route (src/server/fhir-routes.ts) authenticates and calls the coverage
 * service; this file only validates the request's shape and builds the resources.
 *
 * The national ID is read from `patient.identifier.value`, or else from the request's first
 * `identifier` (the spec's "identifier = national ID"); any identifier system is accepted.
 * Responses never echo it: the patient is given by the masked ID.
 */

export const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';
/** Pillar's own FHIR names (a placeholder base until the deployment has a canonical URL). */
export const PILLAR_FHIR_BASE = 'https://pillar.example.org/fhir';
export const REASON_EXTENSION = `${PILLAR_FHIR_BASE}/StructureDefinition/coverage-not-covered-reason`;
export const COVERAGE_ID_SYSTEM = `${PILLAR_FHIR_BASE}/sid/coverage-id`;
const BENEFIT_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/benefit-type';
const BENEFIT_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/ex-benefitcategory';
const UNIT_SYSTEM = 'http://terminology.hl7.org/CodeSystem/benefit-unit';
const TERM_SYSTEM = 'http://terminology.hl7.org/CodeSystem/benefit-term';

const SUPPORTED_PURPOSES = ['validation', 'benefits'] as const;

const identifierSchema = z.looseObject({
  system: z.string().min(1).optional(),
  value: z.string().min(1).optional(),
});
const referenceSchema = z.looseObject({
  reference: z.string().min(1).optional(),
  identifier: identifierSchema.optional(),
  display: z.string().optional(),
});
/** FHIR `dateTime`: a year, year-month, date, or date with a time and zone. */
const FHIR_DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

export const eligibilityRequestSchema = z.looseObject({
  resourceType: z.literal('CoverageEligibilityRequest'),
  id: z.string().optional(),
  identifier: z.array(identifierSchema).optional(),
  status: z.enum(['active', 'cancelled', 'draft', 'entered-in-error']),
  purpose: z.array(z.enum(['auth-requirements', 'benefits', 'discovery', 'validation'])).min(1),
  patient: referenceSchema,
  servicedDate: z.string().optional(),
  servicedPeriod: z.looseObject({ start: z.string().optional(), end: z.string().optional() }).optional(),
  created: z.string().regex(FHIR_DATE_TIME, 'must be a FHIR dateTime'),
  insurer: referenceSchema,
});
export type EligibilityRequest = z.infer<typeof eligibilityRequestSchema>;

/** What the coverage service needs from a valid request. */
export interface EligibilityQuestion {
  nationalId: string;
  /** The date asked about; null = today. */
  on: IsoDate | null;
  purpose: EligibilityRequest['purpose'];
  request: EligibilityRequest;
}

export type ParseResult = { ok: true; question: EligibilityQuestion } | { ok: false; issues: OperationOutcomeIssue[] };

function issue(code: OperationOutcomeIssue['code'], diagnostics: string, expression?: string): OperationOutcomeIssue {
  return { severity: 'error', code, diagnostics, ...(expression ? { expression: [expression] } : {}) };
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = body;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function expressionOf(path: readonly PropertyKey[]): string {
  return ['CoverageEligibilityRequest', ...path.map((k) => (typeof k === 'number' ? `[${k}]` : String(k)))]
    .join('.')
    .replace(/\.\[/g, '[');
}

/**
 * Validates a request body: the resource type, the fields R4 requires (status, purpose,
 * patient, created, insurer), a national ID, and a full serviced date. Every problem is one
 * OperationOutcome issue with its FHIRPath expression.
 */
export function parseEligibilityRequest(body: unknown): ParseResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, issues: [issue('structure', 'the body must be a JSON CoverageEligibilityRequest resource')] };
  }
  const resourceType = (body as { resourceType?: unknown }).resourceType;
  if (resourceType !== 'CoverageEligibilityRequest') {
    return {
      ok: false,
      issues: [
        issue(
          'structure',
          `resourceType must be CoverageEligibilityRequest${typeof resourceType === 'string' ? `, not ${resourceType}` : ''}`,
          'resourceType',
        ),
      ],
    };
  }
  const parsed = eligibilityRequestSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) =>
        valueAt(body, i.path) === undefined
          ? issue('required', `${expressionOf(i.path)} is required`, expressionOf(i.path))
          : issue('value', `${expressionOf(i.path)}: ${i.message}`, expressionOf(i.path)),
      ),
    };
  }
  const req = parsed.data;
  const issues: OperationOutcomeIssue[] = [];
  if (req.status !== 'active') {
    issues.push(issue('business-rule', `only active requests are processed (status is ${req.status})`, 'CoverageEligibilityRequest.status'));
  }
  const unsupported = req.purpose.filter((p) => !(SUPPORTED_PURPOSES as readonly string[]).includes(p));
  if (unsupported.length) {
    issues.push(
      issue(
        'not-supported',
        `purpose ${unsupported.join(', ')} is not supported; use ${SUPPORTED_PURPOSES.join(' and/or ')}`,
        'CoverageEligibilityRequest.purpose',
      ),
    );
  }
  const fromPatient = req.patient.identifier?.value;
  const fromRequest = req.identifier?.find((i) => i.value)?.value;
  const nationalId = (fromPatient ?? fromRequest)?.trim();
  if (!nationalId) {
    issues.push(
      issue(
        'required',
        "the patient's national ID is required in patient.identifier.value (or the request's identifier)",
        'CoverageEligibilityRequest.patient.identifier.value',
      ),
    );
  } else if (fromPatient && fromRequest && normalise(fromPatient) !== normalise(fromRequest)) {
    issues.push(
      issue('invariant', 'patient.identifier and identifier name different people', 'CoverageEligibilityRequest.identifier'),
    );
  }
  let on: IsoDate | null = null;
  if (req.servicedDate !== undefined) {
    if (!isIsoDate(req.servicedDate)) {
      issues.push(issue('value', 'servicedDate must be a full date YYYY-MM-DD', 'CoverageEligibilityRequest.servicedDate'));
    } else on = req.servicedDate;
  } else if (req.servicedPeriod?.start !== undefined) {
    const start = req.servicedPeriod.start.slice(0, 10);
    if (!isIsoDate(start)) {
      issues.push(issue('value', 'servicedPeriod.start must begin with a full date YYYY-MM-DD', 'CoverageEligibilityRequest.servicedPeriod.start'));
    } else on = start;
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, question: { nationalId: nationalId!, on, purpose: req.purpose, request: req } };
}

function normalise(id: string): string {
  return id.trim().toUpperCase();
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', id: randomUUID(), issue: issues };
}

export function operationOutcomeOf(
  code: OperationOutcomeIssue['code'],
  diagnostics: string,
  expression?: string,
): OperationOutcome {
  return operationOutcome([issue(code, diagnostics, expression)]);
}

const REASON_TEXT: Record<CoverageCheckReason, string> = {
  NOT_ENROLLED: 'no coverage of this person in Pillar',
  NOT_STARTED: 'the coverage has not started yet',
  EXPIRED: 'the coverage has expired',
  TERMINATED: 'the coverage was ended early',
  CONTRACT_NOT_ACTIVE: "the county's contract is not in force on this date",
  OUT_OF_SCOPE: 'no coverage of this person in the counties this client may see',
};

function cny(value: string): { value: number; currency: string } {
  // FHIR decimals are JSON numbers; amounts below 10^12 with two decimals are exact enough to print.
  return { value: Number(value), currency: 'CNY' };
}

function benefitType(code: 'deductible' | 'benefit', display: string): CodeableConcept {
  return { coding: [{ system: BENEFIT_TYPE_SYSTEM, code, display }] };
}

/** The response to a valid request, from the coverage service's answer. */
export function toEligibilityResponse(q: EligibilityQuestion, a: CoverageAnswer, now: Date): CoverageEligibilityResponse {
  const c = a.coverage;
  const patientIdentifier: Identifier = {
    ...(q.request.patient.identifier?.system ? { system: q.request.patient.identifier.system } : {}),
    value: a.nationalIdMasked,
  };
  const request: Reference = q.request.id
    ? { reference: `CoverageEligibilityRequest/${q.request.id}` }
    : { display: 'CoverageEligibilityRequest (no id given)' };
  const disposition = a.covered
    ? `Covered on ${a.on}: programme year ${c!.programmeYear}, ${c!.county.nameZh} (${c!.county.code}), plan ${c!.planCode}.`
    : `Not covered on ${a.on}: ${REASON_TEXT[a.reason!]} (${a.reason})${
        c ? `; programme year ${c.programmeYear}, ${c.county.nameZh} (${c.county.code}), ${c.periodStart} – ${c.endedOn ?? c.periodEnd}` : ''
      }.`;
  const insurance: CoverageEligibilityResponseInsurance = c
    ? {
        coverage: {
          identifier: { system: COVERAGE_ID_SYSTEM, value: String(c.coverageId) },
          display: `Pillar ${c.programmeYear} · ${c.county.nameZh} · ${c.planCode}`,
        },
        inforce: a.covered,
        benefitPeriod: { start: c.periodStart, end: c.endedOn ?? c.periodEnd },
      }
    : { coverage: { display: 'No Pillar coverage found' }, inforce: false };
  if (!a.covered) insurance.extension = [{ url: REASON_EXTENSION, valueCode: a.reason! }];
  if (c && q.purpose.includes('benefits')) {
    const deductibleUsed = formatMoney(money(c.deductible).minus(c.deductibleLeft));
    const benefits: CoverageEligibilityResponseInsuranceItemBenefit[] = [
      { type: benefitType('deductible', 'Deductible'), allowedMoney: cny(c.deductible), usedMoney: cny(deductibleUsed) },
      { type: benefitType('benefit', 'Benefit'), allowedMoney: cny(c.annualCap), usedMoney: cny(c.benefitUsed) },
    ];
    insurance.item = [
      {
        category: { coding: [{ system: BENEFIT_CATEGORY_SYSTEM, code: '1', display: 'Medical Care' }] },
        name: 'Hospital costs left to pay after government reimbursement',
        unit: { coding: [{ system: UNIT_SYSTEM, code: 'individual', display: 'Individual' }] },
        term: { coding: [{ system: TERM_SYSTEM, code: 'annual', display: 'Annual' }] },
        benefit: benefits,
      },
    ];
  }
  return {
    resourceType: 'CoverageEligibilityResponse',
    id: randomUUID(),
    status: 'active',
    purpose: q.purpose,
    patient: { identifier: patientIdentifier, ...(a.nameMasked ? { display: a.nameMasked } : {}) },
    servicedDate: a.on,
    created: now.toISOString(),
    request,
    outcome: 'complete',
    disposition,
    insurer: { display: 'Pillar public-welfare health insurance' },
    insurance: [insurance],
  };
}
