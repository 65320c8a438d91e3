import type { Harness } from '../helpers/harness';
import { addDays } from '../../src/shared/dates';
import { formatMoney, money } from '../../src/shared/money';
import { createDraftContract, createProgramme, type ProgrammeFixture } from './contracts';
import { enrollPeople } from './people';

/**
 * APPROVED claims without the claims module (written in parallel): claim rows inserted with SQL
 * on top of `enrollPeople` coverages, with the coverage's running totals moved as approval
 * moves them (`eligible_approved` += x, `benefit_approved` += payable, `prior_eligible` = C).
 */

export interface PayoutContract {
  id: number;
  programmeYear: number;
  countyCode: string;
  periodStart: string;
  periodEnd: string;
}

export interface PayoutPerson {
  insuredId: number;
  coverageId: number;
  nationalId: string;
  countyCode: string;
  contract: PayoutContract;
}

export interface ClaimFixture {
  id: number;
  claimNumber: string;
  countyCode: string;
  coverageId: number;
  insuredId: number;
  payable: string;
}

export interface ApprovedClaimSpec {
  payable: string;
  /** Eligible out-of-pocket x (default: twice the payable). */
  eligible?: string;
  /** Default `62220000<claim id-ish>`; null for a claim without an account. */
  payeeAccount?: string | null;
  /** Default APPROVED (other statuses for claims settlement must leave alone). */
  status?: 'APPROVED' | 'UNDER_REVIEW' | 'REJECTED';
  admissionDate?: string;
}

let claimSeq = 0;
let personSeq = 0;
let accountSeq = 0;

/** A programme year and an ACTIVE contract per county (period: the calendar year). */
export async function createPayoutProgramme(
  h: Harness,
  year: number,
  countyCodes: string[],
): Promise<{ programme: ProgrammeFixture; contracts: Map<string, PayoutContract> }> {
  const programme = await createProgramme(h, { year });
  const contracts = new Map<string, PayoutContract>();
  for (const countyCode of countyCodes) {
    const draft = await createDraftContract(h, programme, {
      countyCode,
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
    });
    await h.sql(`update county_contract set status = 'ACTIVE' where id = $1`, [draft.id]);
    contracts.set(countyCode, {
      id: draft.id,
      programmeYear: year,
      countyCode,
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
    });
  }
  return { programme, contracts };
}

/** `n` covered people of a contract (names 测试甲1, 测试甲2, … unless given). */
export async function addPeople(
  h: Harness,
  contract: PayoutContract,
  n: number,
  names: string[] = [],
): Promise<PayoutPerson[]> {
  // A birth date of its own per person: enrollPeople's 3-digit sequence repeats, the date never does.
  const specs = Array.from({ length: n }, (_, i) => ({
    countyCode: contract.countyCode,
    birthDate: addDays('1960-01-01', ++personSeq),
    gender: (i % 2 ? 'M' : 'F') as 'F' | 'M',
    name: names[i] ?? `测试甲${i + 1}`,
  }));
  const people = await enrollPeople(h, contract, specs);
  return people.map((p) => ({ ...p, countyCode: contract.countyCode, contract }));
}

/** One claim of a person, APPROVED (unless told), with the coverage totals moved accordingly. */
export async function approveClaim(
  h: Harness,
  person: PayoutPerson,
  spec: ApprovedClaimSpec,
): Promise<ClaimFixture> {
  const c = person.contract;
  const seq = ++claimSeq;
  const claimNumber = `CLM-${c.countyCode}-${c.programmeYear}-${String(seq).padStart(6, '0')}`;
  const payable = formatMoney(spec.payable);
  const eligible = formatMoney(spec.eligible ?? money(payable).times(2));
  const status = spec.status ?? 'APPROVED';
  const approved = status === 'APPROVED';
  const account =
    spec.payeeAccount === undefined ? `6222000${String(++accountSeq).padStart(12, '0')}` : spec.payeeAccount;
  const admission = spec.admissionDate ?? `${c.programmeYear}-02-0${1 + (seq % 8)}`;
  const [row] = await h.sql<{ id: number }>(
    `with cov as (
       update coverage
          set eligible_approved = eligible_approved + (case when $13 then $1::numeric else 0 end),
              benefit_approved = benefit_approved + (case when $13 then $2::numeric else 0 end)
        where id = $3
    returning eligible_approved - (case when $13 then $1::numeric else 0 end) as prior
     )
     insert into claim (claim_number, insured_id, coverage_id, contract_id, county_code, programme_year, status,
                        flags, missing_documents, admission_date, discharge_date, hospital_name, hospital_level,
                        diagnosis_code, invoice_numbers, total_cost, basic_insurance_paid, critical_illness_paid,
                        medical_assistance_paid, excluded_cost, eligible_oop, prior_eligible, payable, rule_trace,
                        payee_account, idempotency_key, submitted_by_token_id, submitted_at, decided_at, approved_at)
     select $4, $5, $3, $6, $7, $8, $9, '{}', '{}', $10::date, $10::date + 3, '县人民医院', 'COUNTY', 'A09.9',
            array[$4 || '-INV'], $1::numeric * 3, $1::numeric, 0, 0, 0, $1::numeric,
            cov.prior, case when $9 = 'REJECTED' then null else $2::numeric end, '[]'::jsonb,
            $11, $4, 0, $12, $12, case when $13 then $12::timestamptz else null end
       from cov
     returning id`,
    [
      eligible,
      payable,
      person.coverageId,
      claimNumber,
      person.insuredId,
      c.id,
      c.countyCode,
      c.programmeYear,
      status,
      admission,
      account,
      new Date(`${c.programmeYear}-02-20T02:00:00Z`),
      approved,
    ],
  );
  return {
    id: row!.id,
    claimNumber,
    countyCode: c.countyCode,
    coverageId: person.coverageId,
    insuredId: person.insuredId,
    payable,
  };
}

/** One APPROVED claim per amount, each for a new person of the contract. */
export async function approvedClaims(
  h: Harness,
  contract: PayoutContract,
  payables: string[],
  spec: Omit<ApprovedClaimSpec, 'payable'> = {},
): Promise<ClaimFixture[]> {
  const people = await addPeople(h, contract, payables.length);
  const out: ClaimFixture[] = [];
  for (const [i, payable] of payables.entries())
    out.push(await approveClaim(h, people[i]!, { ...spec, payable }));
  return out;
}
