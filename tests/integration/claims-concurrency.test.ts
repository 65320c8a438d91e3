import { Role, startHarness, type Harness } from '../helpers/harness';
import { seedReferenceData } from '../factories/reference';
import {
  ADJUST,
  APPROVE,
  addContractWithPlan,
  claimInput,
  coverageTotals,
  createClaimsWorld,
  createPlanVariant,
  LIPING,
  person,
  SUBMIT,
  XIDE,
  type ClaimData,
  type ContractFixture,
} from '../factories/claims';
import { benefitExact } from '../../src/modules/pricing/engine/benefit';
import { planTerms } from '../../src/modules/pricing/plan.service';
import { DEFAULT_PLAN } from '../../src/seed/defaults';
import { addDays } from '../../src/shared/dates';
import { formatMoney, money, sumMoney, toFen } from '../../src/shared/money';

let h: Harness;
let xide: ContractFixture;
let liping: ContractFixture; // plan REVIEW-ALL: every claim is flagged HIGH_AMOUNT
let reviewer: string;
let coordinator: string;
let admin: string;

const TERMS = planTerms({
  deductible: DEFAULT_PLAN.deductible,
  annualCap: DEFAULT_PLAN.annualCap,
  tiers: [...DEFAULT_PLAN.tiers],
});
const roundP = (y: string) => toFen(benefitExact(TERMS, y)).toFixed(2);

/** Amounts with exactly this x (basic insurance paid the rest). */
const amounts = (x: string) => ({
  totalCost: formatMoney(money(x).plus(1000)),
  basicInsurancePaid: '1000.00',
  criticalIllnessPaid: '0.00',
  medicalAssistancePaid: '0.00',
  excludedCost: '0.00',
});

/** Day cases on distinct days from 1 Jan 2020, so no two stays overlap. */
const dayCase = (i: number) => ({
  admissionDate: addDays('2020-01-01', i),
  dischargeDate: addDays('2020-01-01', i),
});

beforeAll(async () => {
  h = await startHarness({ now: '2020-06-30T02:00:00Z' });
  await seedReferenceData(h);
  const world = await createClaimsWorld(h, 2020, [XIDE]);
  xide = world.contracts.get(`${XIDE}:2020`)!;
  const reviewAll = await createPlanVariant(h, 'REVIEW-ALL', { reviewThreshold: '0.00' });
  liping = await addContractWithPlan(h, world, LIPING, 2020, reviewAll);
  reviewer = await h.token(Role.CLAIMS_REVIEWER);
  coordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
  admin = await h.token(Role.ADMIN);
}, 60_000);
afterAll(async () => h?.close());

async function submitAll(token: string, inputs: Record<string, unknown>[]): Promise<ClaimData[]> {
  const results = await Promise.all(inputs.map((input) => h.gql(SUBMIT, { input }, token)));
  const errors = results.flatMap((r) => r.errors ?? []);
  expect(errors).toEqual([]);
  return results.map((r) => r.data!.submitClaim.claim);
}

/**
 * The approved claims of a coverage in the order they were approved — the order of their coverage
 * audit events, written under the coverage row lock — with the invariants of claims.md checked.
 */
async function checkYear(coverageId: number, expectCap: boolean) {
  const rows = await h.sql<{
    id: number;
    x: string;
    c: string;
    payable: string;
    working: { deductibleTaken: string; priorEligible: string };
  }>(
    `select c.id, c.eligible_oop::text as x, c.prior_eligible::text as c, c.payable::text as payable, c.working
       from claim c
       join audit_event a on a.entity_type = 'Coverage' and a.entity_id = c.coverage_id::text and a.action = 'CLAIM_APPROVED'
                         and a.changes->>'claimNumber' = c.claim_number
      where c.coverage_id = $1 and c.status = 'APPROVED'
      order by a.id`,
    [coverageId],
  );
  // Each claim's C is the sum of the x approved before it: they serialised on the coverage row.
  let running = money(0);
  for (const r of rows) {
    expect(r.c).toBe(formatMoney(running));
    running = running.plus(r.x);
  }
  const sumX = formatMoney(sumMoney(rows.map((r) => r.x)));
  const sumPaid = formatMoney(sumMoney(rows.map((r) => r.payable)));
  expect(sumPaid).toBe(roundP(sumX)); // telescopes to round(P(Σx)), to the fen
  expect(formatMoney(sumMoney(rows.map((r) => r.working.deductibleTaken)))).toBe('1000.00'); // the deductible once
  expect(money(sumPaid).lte(TERMS.annualCap)).toBe(true);
  if (expectCap) expect(sumPaid).toBe('30000.00');
  expect(await coverageTotals(h, coverageId)).toEqual({ eligible: sumX, benefit: sumPaid, paid: '0.00' });
  const [audits] = await h.sql<{ n: number }>(
    `select count(*)::int as n from audit_event where entity_type = 'Coverage' and entity_id = $1 and action = 'CLAIM_APPROVED'`,
    [String(coverageId)],
  );
  expect(audits!.n).toBe(rows.length);
  return { rows, sumX, sumPaid };
}

async function expectGapFree(countyCode: string) {
  const all = await h.sql<{ n: string }>(
    `select claim_number as n from claim where county_code = $1 order by claim_number`,
    [countyCode],
  );
  expect(all.map((r) => Number(r.n.slice(-6)))).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
}

describe('concurrency: one person, many claims at once', () => {
  it('100 concurrent approveClaim calls for the same person: deductible once, cap exact, Σ payable = round(P(Σx)), totals = sums', async () => {
    const p = await person(h, liping);
    // 100 claims with odd amounts (to the fen), all flagged HIGH_AMOUNT by the plan → UNDER_REVIEW; filed concurrently too.
    const xs = Array.from({ length: 100 }, (_, i) =>
      formatMoney(
        money(500)
          .plus(money(123.45).times(i))
          .plus(money(i % 7).div(100)),
      ),
    );
    const filed = await submitAll(
      admin,
      xs.map((x, i) => claimInput(p.nationalId, { ...amounts(x), ...dayCase(i) })),
    );
    expect(filed.every((c) => c.status === 'UNDER_REVIEW' && c.flags.includes('HIGH_AMOUNT'))).toBe(true);
    await expectGapFree(LIPING);

    const started = Date.now();
    const approvals = await Promise.all(
      filed.map((c) => h.gql(APPROVE, { input: { claimId: c.id, version: c.version } }, reviewer)),
    );
    const elapsed = Date.now() - started;
    expect(approvals.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(approvals.every((r) => r.data!.approveClaim.claim.status === 'APPROVED')).toBe(true);

    const { rows, sumX, sumPaid } = await checkYear(p.coverageId, true);
    expect(rows).toHaveLength(100);
    expect(sumX).toBe(formatMoney(sumMoney(xs)));
    expect(sumPaid).toBe('30000.00');
    // Once the cap is reached, every later claim pays 0.
    const firstCapped = rows.findIndex((r) => money(r.c).plus(r.x).gte('57333.34'));
    expect(rows.slice(firstCapped + 1).every((r) => r.payable === '0.00')).toBe(true);

    console.log(
      `100 concurrent approvals for one person: ${elapsed} ms, Σx = ${sumX}, Σ payable = ${sumPaid}`,
    );
  }, 120_000);

  it('100 concurrent auto-approving submissions for the same person: all approved in some order, telescoping exactly', async () => {
    const p = await person(h, xide);
    const xs = Array.from({ length: 100 }, (_, i) =>
      formatMoney(
        money(100)
          .plus(money(3.37).times(i))
          .plus(money(i % 3).div(100)),
      ),
    );
    const started = Date.now();
    const filed = await submitAll(
      coordinator,
      xs.map((x, i) => claimInput(p.nationalId, { ...amounts(x), ...dayCase(i) })),
    );
    const elapsed = Date.now() - started;
    expect(filed.map((c) => c.status)).toEqual(Array(100).fill('APPROVED'));
    const { sumX, sumPaid } = await checkYear(p.coverageId, false);
    expect(sumX).toBe(formatMoney(sumMoney(xs)));
    expect(sumPaid).toBe(roundP(sumX));
    await expectGapFree(XIDE);

    console.log(
      `100 concurrent auto-approving submissions for one person: ${elapsed} ms, Σx = ${sumX}, Σ payable = ${sumPaid}`,
    );
  }, 120_000);

  it('approvals, auto-approving submissions and adjustments racing for one person: no deadlock, the year still telescopes', async () => {
    const p = await person(h, xide);
    const first = await submitAll(coordinator, [
      claimInput(p.nationalId, { ...amounts('800.00'), ...dayCase(150) }),
    ]);
    expect(first[0]!.status).toBe('APPROVED');
    // 30 claims whose payable is above the auto-approve limit at C = 800 → UNDER_REVIEW.
    const big = await submitAll(
      coordinator,
      Array.from({ length: 30 }, (_, i) =>
        claimInput(p.nationalId, { ...amounts(formatMoney(25000 + i)), ...dayCase(i) }),
      ),
    );
    expect(big.every((c) => c.status === 'UNDER_REVIEW')).toBe(true);
    const results = await Promise.all([
      ...big.map((c) => h.gql(APPROVE, { input: { claimId: c.id, version: c.version } }, reviewer)),
      ...Array.from({ length: 30 }, (_, i) =>
        h.gql(
          SUBMIT,
          { input: claimInput(p.nationalId, { ...amounts('300.15'), ...dayCase(40 + i) }) },
          coordinator,
        ),
      ),
      ...Array.from({ length: 5 }, (_, i) =>
        h.gql(
          ADJUST,
          {
            input: {
              claimId: first[0]!.id,
              eligibleDelta: i % 2 ? '-50.05' : '120.10',
              reason: `correction ${i}`,
            },
          },
          reviewer,
        ),
      ),
    ]);
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const { rows, sumPaid } = await checkYear(p.coverageId, true);
    expect(rows).toHaveLength(1 + 30 + 30 + 5);
    expect(sumPaid).toBe('30000.00');
    await expectGapFree(XIDE);
  }, 120_000);
});
