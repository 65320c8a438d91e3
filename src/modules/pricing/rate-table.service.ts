import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paginate } from '../../db/paginate';
import { type Connection, type PageInput } from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { isIsoDate } from '../../shared/dates';
import { badInputs, conflict, notFound, type FieldProblem } from '../../shared/errors';
import { formatMoney, money } from '../../shared/money';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { validateRateTable, type RateTableBasis } from './engine';
import {
  AGE_BANDS,
  GENDERS,
  RateTable,
  RateTableStatus,
  type AgeBand,
  type Gender,
} from './rate-table.entity';

/** Codes of plans and rate tables: upper-case letters, digits, `-` and `_` (e.g. CN-RURAL-2019). */
export const CODE_RE = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;

export interface FrequencyCellData {
  band: AgeBand;
  gender: Gender;
  frequency: number;
}

export interface SeverityBandData {
  band: AgeBand;
  mu: number;
  sigma: number;
}

export interface AreaFactorData {
  provinceCode: string;
  factor: number;
}

/** A new rate table as the API takes it: cells as lists, money as a decimal string. */
export interface RateTableData {
  code: string;
  baseDate: string;
  frequency: FrequencyCellData[];
  severity: SeverityBandData[];
  areaFactors?: AreaFactorData[] | null;
  annualTrend: number;
  expenseLoading: number;
  riskMargin: number;
  minPremium: string;
  fullCredibilityClaims: number;
  maxRateChange: number;
}

export interface RateTableFilter {
  code?: string | null;
  status?: RateTableStatus | null;
}

/** The engine's view of a stored table (numbers only): what quotes pass to `priceContract`. */
export function rateTableBasis(t: RateTable): RateTableBasis {
  return {
    baseDate: t.baseDate,
    frequency: t.frequency,
    severity: t.severity,
    areaFactors: t.areaFactors ?? {},
    annualTrend: t.annualTrend,
    expenseLoading: t.expenseLoading,
    riskMargin: t.riskMargin,
    minPremium: money(t.minPremium).toNumber(),
    fullCredibilityClaims: t.fullCredibilityClaims,
    maxRateChange: t.maxRateChange,
  };
}

function readMoney(value: string): number {
  try {
    return money(value).toNumber();
  } catch {
    return Number.NaN;
  }
}

/**
 * Checks the shape (every cell exactly once, known bands and genders, province codes) and
 * then the actuarial rules of the engine's `validateRateTable`, with its field paths mapped
 * onto the input's lists (`frequency.30-39.M` → `frequency[3].frequency`).
 */
export function validateRateTableInput(input: RateTableData): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!CODE_RE.test(input.code ?? '')) {
    problems.push({
      field: 'code',
      message: 'must be 1–64 upper-case letters, digits, "-" or "_", e.g. CN-RURAL-2019',
    });
  }
  if (!isIsoDate(input.baseDate ?? ''))
    problems.push({ field: 'baseDate', message: 'must be a calendar date YYYY-MM-DD' });

  const frequencyAt = new Map<string, number>(); // "band|gender" → index in the input
  (input.frequency ?? []).forEach((cell, i) => {
    if (!AGE_BANDS.includes(cell.band)) {
      problems.push({ field: `frequency[${i}].band`, message: `must be one of ${AGE_BANDS.join(', ')}` });
      return;
    }
    if (!GENDERS.includes(cell.gender)) {
      problems.push({ field: `frequency[${i}].gender`, message: 'must be F or M' });
      return;
    }
    const key = `${cell.band}|${cell.gender}`;
    const first = frequencyAt.get(key);
    if (first !== undefined) {
      problems.push({
        field: `frequency[${i}].gender`,
        message: `the cell ${cell.band} ${cell.gender} is already given at frequency[${first}]`,
      });
      return;
    }
    frequencyAt.set(key, i);
  });
  const missingCells = AGE_BANDS.flatMap((b) => GENDERS.map((g) => `${b} ${g}`)).filter(
    (k) => !frequencyAt.has(k.replace(' ', '|')),
  );
  if (missingCells.length) {
    problems.push({
      field: 'frequency',
      message: `needs all 8 band × gender cells; missing ${missingCells.join(', ')}`,
    });
  }

  const severityAt = new Map<string, number>();
  (input.severity ?? []).forEach((band, i) => {
    if (!AGE_BANDS.includes(band.band)) {
      problems.push({ field: `severity[${i}].band`, message: `must be one of ${AGE_BANDS.join(', ')}` });
      return;
    }
    const first = severityAt.get(band.band);
    if (first !== undefined) {
      problems.push({
        field: `severity[${i}].band`,
        message: `the band ${band.band} is already given at severity[${first}]`,
      });
      return;
    }
    severityAt.set(band.band, i);
  });
  const missingBands = AGE_BANDS.filter((b) => !severityAt.has(b));
  if (missingBands.length) {
    problems.push({ field: 'severity', message: `needs all 4 bands; missing ${missingBands.join(', ')}` });
  }

  const areaAt = new Map<string, number>();
  (input.areaFactors ?? []).forEach((a, i) => {
    if (!/^\d{2}$/.test(a.provinceCode ?? '')) {
      problems.push({
        field: `areaFactors[${i}].provinceCode`,
        message: 'must be a two-digit province code',
      });
      return;
    }
    const first = areaAt.get(a.provinceCode);
    if (first !== undefined) {
      problems.push({
        field: `areaFactors[${i}].provinceCode`,
        message: `province ${a.provinceCode} is already given at areaFactors[${first}]`,
      });
      return;
    }
    areaAt.set(a.provinceCode, i);
  });

  // The engine's rules, over the cells that were given (missing ones are reported above).
  const basis = toBasis(input);
  for (const p of validateRateTable(basis)) {
    const field = mapEngineField(p.field, frequencyAt, severityAt, areaAt);
    if (field !== null && !(p.field === 'baseDate' && problems.some((q) => q.field === 'baseDate'))) {
      problems.push({ field, message: p.message });
    }
  }
  return problems;
}

/** Engine-shaped table from the input (cells keyed by band and gender; money as a number). */
function toBasis(input: RateTableData): RateTableBasis {
  const frequency = {} as Record<AgeBand, Record<Gender, number>>;
  for (const c of input.frequency ?? []) {
    if (!AGE_BANDS.includes(c.band) || !GENDERS.includes(c.gender)) continue;
    frequency[c.band] ??= {} as Record<Gender, number>;
    frequency[c.band][c.gender] ??= c.frequency;
  }
  const severity = {} as Record<AgeBand, { mu: number; sigma: number }>;
  for (const s of input.severity ?? []) {
    if (AGE_BANDS.includes(s.band)) severity[s.band] ??= { mu: s.mu, sigma: s.sigma };
  }
  const areaFactors: Record<string, number> = {};
  for (const a of input.areaFactors ?? []) {
    if (/^\d{2}$/.test(a.provinceCode ?? '') && !(a.provinceCode in areaFactors))
      areaFactors[a.provinceCode] = a.factor;
  }
  return {
    baseDate: input.baseDate,
    frequency,
    severity,
    areaFactors,
    annualTrend: input.annualTrend,
    expenseLoading: input.expenseLoading,
    riskMargin: input.riskMargin,
    minPremium: readMoney(input.minPremium),
    fullCredibilityClaims: input.fullCredibilityClaims,
    maxRateChange: input.maxRateChange,
  };
}

/** Engine path → input path; null for cells that are missing from the input (already reported). */
function mapEngineField(
  field: string,
  frequencyAt: Map<string, number>,
  severityAt: Map<string, number>,
  areaAt: Map<string, number>,
): string | null {
  let m = /^frequency\.([^.]+)(?:\.([FM]))?$/.exec(field);
  if (m) {
    const i = m[2] ? frequencyAt.get(`${m[1]}|${m[2]}`) : undefined;
    return i === undefined ? null : `frequency[${i}].frequency`;
  }
  m = /^severity\.([^.]+)(?:\.(mu|sigma))?$/.exec(field);
  if (m) {
    const i = m[2] ? severityAt.get(m[1]!) : undefined;
    return i === undefined ? null : `severity[${i}].${m[2]}`;
  }
  m = /^areaFactors\.(.+)$/.exec(field);
  if (m) {
    const i = areaAt.get(m[1]!);
    return i === undefined ? 'areaFactors' : `areaFactors[${i}].factor`;
  }
  return field;
}

const NEXT_STATE: Record<
  'publish' | 'retire',
  { from: RateTableStatus; to: RateTableStatus; action: string }
> = {
  publish: { from: RateTableStatus.DRAFT, to: RateTableStatus.PUBLISHED, action: 'PUBLISH' },
  retire: { from: RateTableStatus.PUBLISHED, to: RateTableStatus.RETIRED, action: 'RETIRE' },
};

/**
 * Rate tables: versioned actuarial bases, DRAFT → PUBLISHED → RETIRED. ADMIN and ACTUARY
 * read and write. A table's numbers never change after creation: a change is a new version.
 */
export class RateTableService {
  constructor(
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async list(em: EntityManager, filter: RateTableFilter, page?: PageInput): Promise<Connection<RateTable>> {
    const where: Record<string, unknown> = {};
    if (filter.code) where.code = filter.code;
    if (filter.status) where.status = filter.status;
    return paginate(em, RateTable, where, page);
  }

  async get(em: EntityManager, id: number): Promise<RateTable> {
    const table = await em.findOne(RateTable, { id });
    if (!table) throw notFound('RateTable', id);
    return table;
  }

  /**
   * Creates a DRAFT with version = highest version of the code + 1. `origin` is for tables
   * proposed by an actuarial study (the study and the evidence per cell); with `jobId` (also
   * stored in the evidence) a second call from the same job returns the first call's table.
   */
  async create(
    em: EntityManager,
    actor: Actor,
    input: RateTableData,
    origin: { sourceStudyId?: number | null; evidence?: unknown; jobId?: string | null } = {},
  ): Promise<RateTable> {
    const problems = validateRateTableInput(input);
    if (problems.length) throw badInputs(problems);
    const basis = toBasis(input);
    return em.transactional(async (tx) => {
      // Serialise version numbering per code (the unique (code, version) key backs it up).
      await tx
        .getConnection()
        .execute(
          'select pg_advisory_xact_lock(hashtext(?))',
          [`rate_table:${input.code}`],
          'all',
          tx.getTransactionContext(),
        );
      if (origin.jobId) {
        // A proposal job's retried attempt: the table its first attempt stored, not a second one.
        const [done] = await tx
          .getConnection()
          .execute<{ id: number }[]>(
            `select id from rate_table where code = ? and evidence ->> 'jobId' = ?`,
            [input.code, origin.jobId],
            'all',
            tx.getTransactionContext(),
          );
        if (done) return tx.findOneOrFail(RateTable, { id: done.id });
      }
      const [row] = await tx
        .getConnection()
        .execute<{ max: number | null }[]>(
          'select max(version) as max from rate_table where code = ?',
          [input.code],
          'all',
          tx.getTransactionContext(),
        );
      const version = (row?.max ?? 0) + 1;
      const table = tx.create(RateTable, {
        code: input.code,
        version,
        status: RateTableStatus.DRAFT,
        baseDate: input.baseDate,
        frequency: basis.frequency,
        severity: basis.severity,
        areaFactors: basis.areaFactors,
        annualTrend: input.annualTrend,
        expenseLoading: input.expenseLoading,
        riskMargin: input.riskMargin,
        minPremium: formatMoney(input.minPremium),
        fullCredibilityClaims: input.fullCredibilityClaims,
        maxRateChange: input.maxRateChange,
        sourceStudy: origin.sourceStudyId ?? null,
        evidence: origin.evidence ?? null,
      });
      await tx.flush();
      this.audit.record(tx, actor, {
        entityType: 'RateTable',
        entityId: table.id,
        action: 'CREATE',
        toState: RateTableStatus.DRAFT,
        changes: { code: input.code, version, sourceStudyId: origin.sourceStudyId ?? null },
      });
      return table;
    });
  }

  /** DRAFT → PUBLISHED: the table may now price contracts. */
  async publish(em: EntityManager, actor: Actor, id: number): Promise<RateTable> {
    return this.transition(em, actor, id, 'publish');
  }

  /** PUBLISHED → RETIRED: no new quotes with it (contracts already priced keep it). */
  async retire(em: EntityManager, actor: Actor, id: number): Promise<RateTable> {
    return this.transition(em, actor, id, 'retire');
  }

  private async transition(
    em: EntityManager,
    actor: Actor,
    id: number,
    step: 'publish' | 'retire',
  ): Promise<RateTable> {
    const { from, to, action } = NEXT_STATE[step];
    return em.transactional(async (tx) => {
      const table = await tx.findOne(
        RateTable,
        { id },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (!table) throw notFound('RateTable', id);
      if (table.status !== from) {
        throw conflict(
          `rate table ${table.code} v${table.version} is ${table.status}; only a ${from} table can be ${step === 'publish' ? 'published' : 'retired'}`,
          'ILLEGAL_TRANSITION',
          { currentState: table.status },
        );
      }
      table.status = to;
      if (to === RateTableStatus.PUBLISHED) table.publishedAt = this.clock.now();
      else table.retiredAt = this.clock.now();
      this.audit.record(tx, actor, {
        entityType: 'RateTable',
        entityId: table.id,
        action,
        fromState: from,
        toState: to,
      });
      return table;
    });
  }
}
