import type { EntityManager } from '@mikro-orm/postgresql';
import { paginate } from '../../db/paginate';
import { type Connection, type PageInput } from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { badInputs, notFound, type FieldProblem } from '../../shared/errors';
import { formatMoney, money } from '../../shared/money';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import {
  BenefitPlan,
  DOCUMENT_KINDS,
  HOSPITAL_LEVELS,
  type DocumentKind,
  type HospitalLevel,
  type PlanTier,
} from './benefit-plan.entity';
import { validatePlan, type BenefitPlanTerms } from './engine';
import { CODE_RE } from './rate-table.service';

export const PLAN_DEFAULTS = {
  minAge: 18,
  maxAge: 60,
  filingWindowDays: 365,
  autoApproveLimit: '10000.00',
  reviewThreshold: '100000.00',
  requiredDocuments: ['INVOICE', 'DISCHARGE_SUMMARY'] as DocumentKind[],
};

const RATIO_RE = /^\d{1,3}(\.\d{1,6})?$/;

export interface BenefitTierData {
  upTo?: string | null;
  ratio: string;
}

export interface BenefitPlanData {
  code: string;
  name: string;
  deductible: string;
  tiers: BenefitTierData[];
  annualCap: string;
  hospitalLevels: HospitalLevel[];
  minAge?: number | null;
  maxAge?: number | null;
  filingWindowDays?: number | null;
  autoApproveLimit?: string | null;
  reviewThreshold?: string | null;
  requiredDocuments?: DocumentKind[] | null;
}

export interface BenefitPlanFilter {
  code?: string | null;
}

/** The engine's view of a stored plan (numbers only): what quotes pass to `priceContract`. */
export function planTerms(p: Pick<BenefitPlan, 'deductible' | 'tiers' | 'annualCap'>): BenefitPlanTerms {
  return {
    deductible: money(p.deductible).toNumber(),
    annualCap: money(p.annualCap).toNumber(),
    tiers: p.tiers.map((t) => ({
      upTo: t.upTo === null ? null : money(t.upTo).toNumber(),
      ratio: Number(t.ratio),
    })),
  };
}

function readMoney(value: string | null | undefined): number {
  try {
    return money(value as string).toNumber();
  } catch {
    return Number.NaN;
  }
}

function checkEnumList<T extends string>(
  problems: FieldProblem[],
  field: string,
  values: readonly T[] | null | undefined,
  allowed: readonly string[],
  mustHaveOne: boolean,
): void {
  const list = values ?? [];
  if (mustHaveOne && list.length === 0) problems.push({ field, message: 'must list at least one' });
  const seen = new Set<string>();
  list.forEach((v, i) => {
    if (!allowed.includes(v))
      problems.push({ field: `${field}[${i}]`, message: `must be one of ${allowed.join(', ')}` });
    else if (seen.has(v)) problems.push({ field: `${field}[${i}]`, message: `${v} is listed twice` });
    seen.add(v);
  });
}

/**
 * Every problem with a new plan: the benefit rules of the engine's `validatePlan` (ratios in
 * [0, 1], tiers ascending above the deductible, the last unbounded …), whose field paths are
 * the input's own, plus ages, hospital levels, documents and the claim thresholds.
 */
export function validateBenefitPlanInput(input: BenefitPlanData): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!CODE_RE.test(input.code ?? '')) {
    problems.push({
      field: 'code',
      message: 'must be 1–64 upper-case letters, digits, "-" or "_", e.g. BACKBONE-STD',
    });
  }
  if (!input.name?.trim()) problems.push({ field: 'name', message: 'must not be empty' });

  const ratioProblems: FieldProblem[] = [];
  const tiers = (input.tiers ?? []).map((t, i) => {
    const ratioOk = RATIO_RE.test(t.ratio ?? '');
    if (!ratioOk)
      ratioProblems.push({ field: `tiers[${i}].ratio`, message: 'must be a decimal string such as "0.40"' });
    return {
      upTo: t.upTo === null || t.upTo === undefined ? null : readMoney(t.upTo),
      ratio: ratioOk ? Number(t.ratio) : 0,
    };
  });
  const engine = validatePlan({
    deductible: readMoney(input.deductible),
    annualCap: readMoney(input.annualCap),
    tiers,
  });
  problems.push(...ratioProblems, ...engine);

  checkEnumList(problems, 'hospitalLevels', input.hospitalLevels, HOSPITAL_LEVELS, true);
  checkEnumList(problems, 'requiredDocuments', input.requiredDocuments, DOCUMENT_KINDS, false);

  const minAge = input.minAge ?? PLAN_DEFAULTS.minAge;
  const maxAge = input.maxAge ?? PLAN_DEFAULTS.maxAge;
  if (!Number.isInteger(minAge) || minAge < 0 || minAge > 120) {
    problems.push({ field: 'minAge', message: 'must be a whole number from 0 to 120' });
  } else if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 120) {
    problems.push({ field: 'maxAge', message: 'must be a whole number from 0 to 120' });
  } else if (maxAge < minAge) {
    problems.push({ field: 'maxAge', message: `must not be below minAge (${minAge})` });
  }
  const filing = input.filingWindowDays ?? PLAN_DEFAULTS.filingWindowDays;
  if (!Number.isInteger(filing) || filing < 1 || filing > 3650) {
    problems.push({ field: 'filingWindowDays', message: 'must be a whole number of days from 1 to 3650' });
  }
  for (const f of ['autoApproveLimit', 'reviewThreshold'] as const) {
    const v = input[f];
    if (v !== null && v !== undefined && !(readMoney(v) >= 0))
      problems.push({ field: f, message: 'must be an amount ≥ 0' });
  }
  return problems;
}

/**
 * Benefit plans: versioned and immutable (there is no update — a change is a new version of
 * the code). ADMIN and ACTUARY create; programme readers read (contracts show their plan).
 */
export class PlanService {
  constructor(
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async list(
    em: EntityManager,
    filter: BenefitPlanFilter,
    page?: PageInput,
  ): Promise<Connection<BenefitPlan>> {
    const where: Record<string, unknown> = {};
    if (filter.code) where.code = filter.code;
    return paginate(em, BenefitPlan, where, page);
  }

  async get(em: EntityManager, id: number): Promise<BenefitPlan> {
    const plan = await em.findOne(BenefitPlan, { id });
    if (!plan) throw notFound('BenefitPlan', id);
    return plan;
  }

  /** Creates version = highest version of the code + 1. */
  async create(em: EntityManager, actor: Actor, input: BenefitPlanData): Promise<BenefitPlan> {
    const problems = validateBenefitPlanInput(input);
    if (problems.length) throw badInputs(problems);
    return em.transactional(async (tx) => {
      const ctx = tx.getTransactionContext();
      // Serialise version numbering per code (the unique (code, version) key backs it up).
      await tx
        .getConnection()
        .execute('select pg_advisory_xact_lock(hashtext(?))', [`benefit_plan:${input.code}`], 'all', ctx);
      const [row] = await tx
        .getConnection()
        .execute<{ max: number | null }[]>(
          'select max(version) as max from benefit_plan where code = ?',
          [input.code],
          'all',
          ctx,
        );
      const version = (row?.max ?? 0) + 1;
      const tiers: PlanTier[] = input.tiers.map((t) => ({
        upTo: t.upTo === null || t.upTo === undefined ? null : formatMoney(t.upTo),
        ratio: money(t.ratio).toString(),
      }));
      const plan = tx.create(BenefitPlan, {
        code: input.code,
        version,
        name: input.name.trim(),
        deductible: formatMoney(input.deductible),
        tiers,
        annualCap: formatMoney(input.annualCap),
        hospitalLevels: [...input.hospitalLevels],
        minAge: input.minAge ?? PLAN_DEFAULTS.minAge,
        maxAge: input.maxAge ?? PLAN_DEFAULTS.maxAge,
        filingWindowDays: input.filingWindowDays ?? PLAN_DEFAULTS.filingWindowDays,
        autoApproveLimit: formatMoney(input.autoApproveLimit ?? PLAN_DEFAULTS.autoApproveLimit),
        reviewThreshold: formatMoney(input.reviewThreshold ?? PLAN_DEFAULTS.reviewThreshold),
        requiredDocuments: [...(input.requiredDocuments ?? PLAN_DEFAULTS.requiredDocuments)],
      });
      await tx.flush();
      this.audit.record(tx, actor, {
        entityType: 'BenefitPlan',
        entityId: plan.id,
        action: 'CREATE',
        changes: { code: input.code, version },
      });
      return plan;
    });
  }

  /**
   * Marks a plan as used (sets `lockedAt` once), inside the caller's transaction: the
   * contracts module calls it when a contract first takes the plan. Not audited separately —
   * the contract's own event records the use.
   */
  async markUsed(tx: EntityManager, planId: number): Promise<BenefitPlan> {
    const plan = await tx.findOne(BenefitPlan, { id: planId });
    if (!plan) throw notFound('BenefitPlan', planId);
    plan.lockedAt ??= this.clock.now();
    return plan;
  }
}
