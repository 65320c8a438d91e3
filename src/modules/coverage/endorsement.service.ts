import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type Decimal from 'decimal.js';
import { decodeCursor, pageSize, toConnection, type Connection, type PageInput } from '../../graphql/connection';
import type { Clock } from '../../shared/clock';
import { addDays, daysInclusive, isIsoDate, type IsoDate } from '../../shared/dates';
import { badInputs, conflict, notFound, type FieldProblem } from '../../shared/errors';
import { formatMoney, money, toFen } from '../../shared/money';
import type { AuditService } from '../audit/audit.service';
import { withScope, type Actor } from '../auth/actor';
import type { ContractService } from '../contracts/contract.service';
import { ContractStatus, type CountyContract } from '../contracts/county-contract.entity';
import { County } from '../counties/county.entity';
import { Insured } from '../enrollment/insured.entity';
import { ageOn, parseNationalId } from '../enrollment/national-id';
import type { PiiService } from '../enrollment/pii.service';
import type { EventService } from '../events/event.service';
import { BenefitPlan } from '../pricing/benefit-plan.entity';
import { Coverage, CoverageEndReason, CoverageStatus, Endorsement, EndorsementKind } from './coverage.entity';

/** The reasons a coverage may be ended mid-year (REMOVED_FROM_ROSTER belongs to roster imports). */
export const MID_YEAR_END_REASONS = [
  CoverageEndReason.DECEASED,
  CoverageEndReason.MOVED,
  CoverageEndReason.NO_LONGER_ELIGIBLE,
] as const;
export type MidYearEndReason = (typeof MID_YEAR_END_REASONS)[number];

/** The endorsements module's reason codes for CONFLICT errors. */
export const EndorsementReason = {
  /** Mid-year changes are for ACTIVE contracts only. */
  CONTRACT_NOT_ACTIVE: 'CONTRACT_NOT_ACTIVE',
  /** The person already has a coverage in this contract this programme year. */
  ALREADY_COVERED: 'ALREADY_COVERED',
  /** The person already has a coverage this programme year in another county (one per year). */
  COVERED_ELSEWHERE: 'COVERED_ELSEWHERE',
  /** The coverage has been ended already. */
  ALREADY_ENDED: 'ALREADY_ENDED',
  /** A live claim of the coverage has an admission on or after the effective date. */
  CLAIMS_AFTER_END: 'CLAIMS_AFTER_END',
} as const;

export interface AddCoverageData {
  contractId: number;
  nationalId: string;
  name: string;
  householdId: string;
  /** First covered day: today or later, within the contract period. */
  effectiveDate: IsoDate;
  payeeAccount?: string | null;
  phone?: string | null;
}

export interface EndCoverageData {
  coverageId: number;
  /** First day without cover (the coverage's last day is the day before). */
  effectiveDate: IsoDate;
  reason: MidYearEndReason;
}

export interface EndorsementResult {
  coverage: Coverage;
  endorsement: Endorsement;
  /** Not errors: e.g. the ID was issued in another county (people move). */
  warnings: string[];
}

/**
 * The pro-rata premium of `days` days of cover: per-capita premium × days / days in the
 * contract period, rounded half-up to the fen (on the amount, so a refund rounds like a charge).
 */
export function proRataPremium(perCapita: string, days: number, periodDays: number): Decimal {
  if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a whole number ≥ 0');
  if (!Number.isInteger(periodDays) || periodDays <= 0) throw new RangeError('periodDays must be a whole number > 0');
  return toFen(money(perCapita).times(days).div(periodDays));
}

const NAME_MAX = 100;
const FIELD_MAX = 64;

function text(value: string | null | undefined): string {
  return (value ?? '').trim();
}

/**
 * Mid-year changes to ACTIVE contracts (spec: "Rosters", last point): a person added, or a
 * coverage ended for DECEASED, MOVED or NO_LONGER_ELIGIBLE, each taking effect on a date and
 * adjusting the contract premium pro rata by days, recorded as an Endorsement. The contract row
 * is locked first (then the coverage), so concurrent endorsements of one contract serialise and
 * `endorsement_premium` is always the sum of its endorsements.
 *
 * Dates: an addition starts today or later (no back-dated cover: it would let a person join
 * after falling ill); an ending may be back-dated to the coverage's first day (deaths are
 * reported late), but not past a live claim of the person admitted on or after that date.
 */
export class EndorsementService {
  constructor(
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly pii: PiiService,
    private readonly contracts: ContractService,
    private readonly events: EventService,
  ) {}

  async addCoverage(em: EntityManager, actor: Actor, input: AddCoverageData): Promise<EndorsementResult> {
    const today = this.clock.today();
    const problems: FieldProblem[] = [];
    const parsed = parseNationalId(String(input.nationalId ?? ''), today);
    if (!parsed.ok) problems.push({ field: 'nationalId', message: parsed.message });
    const name = text(input.name);
    if (!name) problems.push({ field: 'name', message: 'must not be empty' });
    else if (Array.from(name).length > NAME_MAX) problems.push({ field: 'name', message: `must be at most ${NAME_MAX} characters` });
    const householdId = text(input.householdId);
    if (!householdId) problems.push({ field: 'householdId', message: 'must not be empty' });
    else if (householdId.length > FIELD_MAX) problems.push({ field: 'householdId', message: `must be at most ${FIELD_MAX} characters` });
    const payeeAccount = text(input.payeeAccount) || null;
    if (payeeAccount && payeeAccount.length > FIELD_MAX) problems.push({ field: 'payeeAccount', message: `must be at most ${FIELD_MAX} characters` });
    const phone = text(input.phone) || null;
    if (phone && !/^\+?[0-9 -]{5,20}$/.test(phone)) problems.push({ field: 'phone', message: 'must be a phone number (digits, spaces, -, optional +)' });
    if (!isIsoDate(input.effectiveDate)) problems.push({ field: 'effectiveDate', message: 'must be a calendar date YYYY-MM-DD' });
    else if (input.effectiveDate < today) {
      problems.push({ field: 'effectiveDate', message: `must not be before today (${today}): cover is never added back-dated` });
    }
    if (problems.length || !parsed.ok) throw badInputs(problems);
    const id = parsed;
    const effectiveDate = input.effectiveDate;

    const result = await em.transactional(async (tx) => {
      const contract = await this.contracts.lockContract(tx, actor, input.contractId);
      const plan = await tx.findOneOrFail(BenefitPlan, { id: contract.plan.id });
      const dateProblems: FieldProblem[] = [];
      if (effectiveDate < contract.periodStart || effectiveDate > contract.periodEnd) {
        dateProblems.push({
          field: 'effectiveDate',
          message: `must fall in the contract period ${contract.periodStart} – ${contract.periodEnd}`,
        });
      } else {
        const age = ageOn(id.birthDate, effectiveDate);
        if (age < plan.minAge || age > plan.maxAge) {
          dateProblems.push({
            field: 'nationalId',
            message: `the person is ${age} on ${effectiveDate}; the plan covers ages ${plan.minAge}–${plan.maxAge}`,
          });
        }
      }
      if (dateProblems.length) throw badInputs(dateProblems, dateProblems[0]!.field === 'nationalId' ? 'AGE_OUT_OF_RANGE' : 'INVALID');
      this.assertActive(contract, 'add a person to');
      const perCapita = this.perCapitaOf(contract);

      const warnings: string[] = [];
      const countyCode = contract.county.code;
      if (id.issuingRegion !== countyCode) {
        warnings.push(`ID_REGION_MISMATCH: the ID was issued in ${id.issuingRegion}, not in county ${countyCode}`);
      }
      const idHash = this.pii.hash(id.id);
      let insured = await tx.findOne(Insured, { idHash });
      let insuredAction: 'CREATE' | 'UPDATE' | null;
      const changed: string[] = [];
      if (insured) {
        const existing = await tx.findOne(Coverage, { insured, programmeYear: contract.programmeYear });
        if (existing) {
          const here = existing.contract.id === contract.id;
          throw conflict(
            here
              ? `the person already has coverage ${existing.id} in this contract (${existing.status})`
              : `the person is already covered in programme year ${contract.programmeYear} in another county`,
            here ? EndorsementReason.ALREADY_COVERED : EndorsementReason.COVERED_ELSEWHERE,
            here ? { coverageId: String(existing.id) } : {},
          );
        }
        const next = { name, householdId, registeredPoor: true, ...(payeeAccount ? { payeeAccount } : {}), ...(phone ? { phone } : {}) };
        for (const [k, v] of Object.entries(next)) {
          if ((insured as unknown as Record<string, unknown>)[k] !== v) changed.push(k);
        }
        if (insured.county.code !== countyCode) changed.push('countyCode');
        tx.assign(insured, { ...next, county: tx.getReference(County, countyCode as never) });
        insuredAction = changed.length ? 'UPDATE' : null;
      } else {
        const { ciphertext, keyId } = this.pii.encrypt(id.id);
        insured = tx.create(Insured, {
          idHash,
          idCiphertext: ciphertext,
          idKeyId: keyId,
          idMasked: this.pii.maskId(id.id),
          name,
          gender: id.gender,
          birthDate: id.birthDate,
          householdId,
          county: tx.getReference(County, countyCode as never),
          idRegion: id.issuingRegion,
          payeeAccount,
          phone,
          registeredPoor: true,
        });
        insuredAction = 'CREATE';
      }
      const coverage = tx.create(Coverage, {
        insured,
        contract,
        programmeYear: contract.programmeYear,
        countyCode,
        periodStart: effectiveDate,
        periodEnd: contract.periodEnd,
      });
      const days = daysInclusive(effectiveDate, contract.periodEnd);
      const periodDays = daysInclusive(contract.periodStart, contract.periodEnd);
      const delta = proRataPremium(perCapita, days, periodDays);
      const endorsement = tx.create(Endorsement, {
        contract,
        coverage,
        kind: EndorsementKind.ADD,
        effectiveDate,
        reason: null,
        days,
        premiumDelta: formatMoney(delta),
        createdByTokenId: actor.tokenId,
      });
      const before = contract.endorsementPremium;
      contract.endorsementPremium = formatMoney(money(before).plus(delta));
      await tx.flush();

      if (insuredAction) {
        this.audit.record(tx, actor, {
          entityType: 'Insured',
          entityId: insured.id,
          action: insuredAction,
          // Which fields, never their values: names and accounts stay out of the audit trail.
          changes: insuredAction === 'CREATE' ? { nationalIdMasked: insured.idMasked, countyCode } : { fields: changed },
        });
      }
      this.recordEndorsement(tx, actor, contract, coverage, endorsement, before, {
        action: 'ADD',
        fromState: null,
        toState: CoverageStatus.ENROLLED,
      });
      this.events.emit(tx, {
        type: 'COVERAGE_STARTED',
        countyCode,
        payload: {
          coverageId: coverage.id,
          insuredId: insured.id,
          contractId: contract.id,
          endorsementId: endorsement.id,
          programmeYear: contract.programmeYear,
          maskedId: insured.idMasked,
          periodStart: coverage.periodStart,
          periodEnd: coverage.periodEnd,
        },
      });
      return { coverage, endorsement, warnings };
    });
    await this.events.dispatchSoon();
    return result;
  }

  async endCoverage(em: EntityManager, actor: Actor, input: EndCoverageData): Promise<EndorsementResult> {
    const problems: FieldProblem[] = [];
    if (!(MID_YEAR_END_REASONS as readonly string[]).includes(input.reason)) {
      problems.push({ field: 'reason', message: `must be one of ${MID_YEAR_END_REASONS.join(', ')}` });
    }
    if (!isIsoDate(input.effectiveDate)) problems.push({ field: 'effectiveDate', message: 'must be a calendar date YYYY-MM-DD' });
    if (problems.length) throw badInputs(problems);
    const effectiveDate = input.effectiveDate;

    const result = await em.transactional(async (tx) => {
      const found = await tx.findOne(Coverage, withScope({ id: input.coverageId }, actor));
      if (!found) throw notFound('Coverage', input.coverageId);
      // Contract first, then the coverage: the same order as addCoverage, so no deadlock.
      const contract = await this.contracts.lockContract(tx, actor, found.contract.id);
      const coverage = await tx.findOneOrFail(
        Coverage,
        { id: input.coverageId },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      );
      if (effectiveDate < coverage.periodStart || effectiveDate > coverage.periodEnd) {
        throw badInputs([
          {
            field: 'effectiveDate',
            message: `must fall in the coverage period ${coverage.periodStart} – ${coverage.periodEnd} (the first day without cover)`,
          },
        ]);
      }
      this.assertActive(contract, 'end a coverage of');
      if (coverage.status === CoverageStatus.TERMINATED) {
        throw conflict(
          `coverage ${coverage.id} was already ended (${coverage.endReason ?? 'no reason'}, last covered day ${coverage.endedOn ?? '–'})`,
          EndorsementReason.ALREADY_ENDED,
          { currentState: coverage.status },
        );
      }
      const perCapita = this.perCapitaOf(contract);
      // Claims have no service to ask yet: read their table for the one fact that matters here.
      const [claims] = await tx
        .getConnection()
        .execute<{ n: number }[]>(
          `select count(*)::int as n from claim where coverage_id = ? and status <> 'REJECTED' and admission_date >= ?`,
          [coverage.id, effectiveDate],
          'all',
          tx.getTransactionContext(),
        );
      if (claims && claims.n > 0) {
        throw conflict(
          `coverage ${coverage.id} has ${claims.n} live claim(s) admitted on or after ${effectiveDate}: settle or reject them first, or end it later`,
          EndorsementReason.CLAIMS_AFTER_END,
        );
      }
      const unusedDays = daysInclusive(effectiveDate, coverage.periodEnd);
      const periodDays = daysInclusive(contract.periodStart, contract.periodEnd);
      const refund = proRataPremium(perCapita, unusedDays, periodDays);
      coverage.status = CoverageStatus.TERMINATED;
      coverage.endReason = input.reason;
      coverage.endedOn = addDays(effectiveDate, -1);
      const endorsement = tx.create(Endorsement, {
        contract,
        coverage,
        kind: EndorsementKind.TERMINATE,
        effectiveDate,
        reason: input.reason,
        days: -unusedDays,
        premiumDelta: formatMoney(refund.negated()),
        createdByTokenId: actor.tokenId,
      });
      const before = contract.endorsementPremium;
      contract.endorsementPremium = formatMoney(money(before).minus(refund));
      await tx.flush();
      const insured = await tx.findOneOrFail(Insured, { id: coverage.insured.id });
      this.recordEndorsement(tx, actor, contract, coverage, endorsement, before, {
        action: 'END',
        fromState: CoverageStatus.ENROLLED,
        toState: CoverageStatus.TERMINATED,
        extra: { reason: input.reason, endedOn: coverage.endedOn },
      });
      this.events.emit(tx, {
        type: 'COVERAGE_ENDED',
        countyCode: coverage.countyCode,
        // No reason in the payload: "DECEASED" is not for every subscriber; the API has it.
        payload: {
          coverageId: coverage.id,
          insuredId: insured.id,
          contractId: contract.id,
          endorsementId: endorsement.id,
          programmeYear: coverage.programmeYear,
          maskedId: insured.idMasked,
          effectiveDate,
          endedOn: coverage.endedOn,
        },
      });
      return { coverage, endorsement, warnings: [] };
    });
    await this.events.dispatchSoon();
    return result;
  }

  /** Endorsements of a contract (in the actor's scope), oldest first. */
  async list(em: EntityManager, actor: Actor, contractId: number, page?: PageInput): Promise<Connection<Endorsement>> {
    await this.contracts.get(em, actor, contractId);
    const limit = pageSize(page);
    let after: number | undefined;
    if (page?.after) {
      const key = decodeCursor(page.after);
      if (!/^\d{1,10}$/.test(key)) throw badInputs([{ field: 'page.after', message: 'not a cursor of this list' }]);
      after = Number(key);
    }
    const where = { contract: contractId };
    const totalCount = await em.count(Endorsement, where);
    const rows = await em.find(Endorsement, after !== undefined ? { ...where, id: { $gt: after } } : where, {
      orderBy: { id: 'asc' },
      limit: limit + 1,
    });
    return toConnection(rows, limit, totalCount, (e) => e.id, (e) => e, after !== undefined);
  }

  private assertActive(contract: CountyContract, what: string): void {
    if (contract.status !== ContractStatus.ACTIVE) {
      throw conflict(
        `contract ${contract.id} is ${contract.status}: mid-year changes are for ACTIVE contracts; cannot ${what} it`,
        EndorsementReason.CONTRACT_NOT_ACTIVE,
        { currentState: contract.status },
      );
    }
  }

  private perCapitaOf(contract: CountyContract): string {
    if (!contract.perCapitaPremium) {
      throw conflict(`contract ${contract.id} has no per-capita premium to prorate`, EndorsementReason.CONTRACT_NOT_ACTIVE);
    }
    return contract.perCapitaPremium;
  }

  /** The coverage's transition and the contract's premium change, in the same transaction. */
  private recordEndorsement(
    tx: EntityManager,
    actor: Actor,
    contract: CountyContract,
    coverage: Coverage,
    endorsement: Endorsement,
    premiumBefore: string,
    t: { action: string; fromState: string | null; toState: string; extra?: Record<string, unknown> },
  ): void {
    const common = {
      endorsementId: endorsement.id,
      kind: endorsement.kind,
      effectiveDate: endorsement.effectiveDate,
      days: endorsement.days,
      premiumDelta: endorsement.premiumDelta,
    };
    this.audit.record(tx, actor, {
      entityType: 'Coverage',
      entityId: coverage.id,
      action: t.action,
      fromState: t.fromState,
      toState: t.toState,
      changes: { ...common, contractId: contract.id, insuredId: coverage.insured.id, ...t.extra },
    });
    this.audit.record(tx, actor, {
      entityType: 'CountyContract',
      entityId: contract.id,
      action: 'ENDORSE',
      changes: {
        ...common,
        coverageId: coverage.id,
        endorsementPremium: { from: formatMoney(premiumBefore), to: contract.endorsementPremium },
      },
    });
  }
}
