/**
 * simulatePlans on real claims: the 2019 year's claims are filed and adjudicated through the
 * API (submitClaim, approveClaim), the year then expires, and the 2020 contract's what-if
 * replays them. The expected figures are computed here, independently, with the engine's
 * benefitExact per person's year total.
 */
import { Role, startHarness, type Harness } from '../helpers/harness';
import { seedReferenceData } from '../factories/reference';
import { createPricedProgramme } from '../factories/pricing';
import {
  APPROVE,
  claimInput,
  claimMutation,
  createClaimsWorld,
  person,
  submitClaim,
  XIDE,
  type ClaimData,
  type ClaimsWorld,
  type ContractFixture,
} from '../factories/claims';
import { benefitExact } from '../../src/modules/pricing/engine/benefit';
import type { BenefitPlanTerms } from '../../src/modules/pricing/engine/types';
import { planTerms } from '../../src/modules/pricing/plan.service';
import { DEFAULT_PLAN } from '../../src/seed/defaults';
import { money, sumMoney, toFen } from '../../src/shared/money';

let h: Harness;
let world: ClaimsWorld;
let y2019: ContractFixture;
let contract2020Id: number;
let coordinator: string;
let reviewer: string;
let actuary: string;

const STD: BenefitPlanTerms = planTerms({
  deductible: DEFAULT_PLAN.deductible,
  annualCap: DEFAULT_PLAN.annualCap,
  tiers: [...DEFAULT_PLAN.tiers],
});
const RICHER: BenefitPlanTerms = {
  deductible: 500,
  tiers: [
    { upTo: 10000, ratio: 0.5 },
    { upTo: null, ratio: 0.7 },
  ],
  annualCap: 50000,
};

/** x = total − basic insurance (nothing else paid, nothing excluded): amounts that make x exact. */
const amountsFor = (x: number) => ({
  totalCost: (x * 2).toFixed(2),
  basicInsurancePaid: x.toFixed(2),
  criticalIllnessPaid: '0.00',
  medicalAssistancePaid: '0.00',
  excludedCost: '0.00',
});

/** A 2019 stay (non-overlapping per person: one per month). */
const stay = (month: number) => {
  const mm = String(month).padStart(2, '0');
  return { admissionDate: `2019-${mm}-03`, dischargeDate: `2019-${mm}-08` };
};

const SIM = `query($id: ID!, $plans: [PlanProposalInput!]!) { simulatePlans(contractId: $id, plans: $plans) {
  label quote { perCapitaPremium } replay { programmeYear people claims benefit lossRatio peopleAtCap note } } }`;

/** Eligible out-of-pocket per person of the claims that were approved, as filed through the API. */
const counted = new Map<string, number[]>();
const approvedClaims: ClaimData[] = [];
const allClaims: ClaimData[] = [];

beforeAll(async () => {
  // Filing happens in early 2020 (inside the 365-day filing window of the 2019 stays),
  // while the 2019 contract is still ACTIVE; it then expires.
  h = await startHarness({ now: '2020-01-15T02:00:00Z' });
  await seedReferenceData(h);
  world = await createClaimsWorld(h, 2019, [XIDE]);
  y2019 = world.contracts.get(`${XIDE}:2019`)!;
  const { contracts } = await createPricedProgramme(
    h,
    2020,
    [{ code: XIDE, headCount: 10000 }],
    world.defaults,
  );
  contract2020Id = contracts[0]!.id;
  coordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
  reviewer = await h.token(Role.CLAIMS_REVIEWER);
  actuary = await h.token(Role.ACTUARY);
}, 120_000);
afterAll(async () => h?.close());

async function file(
  token: string,
  p: { nationalId: string },
  x: number,
  month: number,
  over: Record<string, unknown> = {},
): Promise<ClaimData> {
  const c = await submitClaim(
    h,
    token,
    claimInput(p.nationalId, { ...amountsFor(x), ...stay(month), ...over }),
  );
  allClaims.push(c);
  return c;
}

function count(p: { nationalId: string }, c: ClaimData): void {
  expect({ status: c.status, reason: c.rejectionReason, flags: c.flags }).toEqual({
    status: 'APPROVED',
    reason: null,
    flags: [],
  });
  approvedClaims.push(c);
  const list = counted.get(p.nationalId) ?? [];
  list.push(Number(c.eligibleOutOfPocket));
  counted.set(p.nationalId, list);
}

describe('simulatePlans replays the last complete year of claims filed through the API', () => {
  it('files and adjudicates the 2019 claims', async () => {
    // A: two small claims, auto-approved. Year total 7,000.
    const a = await person(h, y2019);
    count(a, await file(coordinator, a, 3000, 2));
    count(a, await file(coordinator, a, 4000, 4));

    // B: 20,000 auto-approved (payable 8,600), then 30,000 pays 17,000 > the 10,000 auto-approve
    // limit: UNDER_REVIEW, approved by a reviewer. Year total 50,000.
    const b = await person(h, y2019);
    count(b, await file(coordinator, b, 20000, 3));
    const big = await file(coordinator, b, 30000, 6);
    expect(big.status).toBe('UNDER_REVIEW');
    expect(big.payable).toBeNull();
    const approved = await claimMutation(h, reviewer, APPROVE, { claimId: big.id, version: big.version });
    expect(approved).toMatchObject({ status: 'APPROVED', priorEligible: '20000.00', payable: '17000.00' });
    count(b, approved);

    // C: reaches the 30,000 cap through four auto-approved claims (a reviewer files one of them).
    const c = await person(h, y2019);
    count(c, await file(coordinator, c, 20000, 2)); // 8,600
    count(c, await file(reviewer, c, 15000, 3)); // 16,600 − 8,600 = 8,000
    count(c, await file(coordinator, c, 12000, 5)); // 23,800 − 16,600 = 7,200
    const last = await file(coordinator, c, 15000, 9); // P(62,000) capped at 30,000: 6,200
    expect(last).toMatchObject({ payable: '6200.00' });
    expect(last.working.capReached).toBe(true);
    count(c, last);

    // D: one approved claim, and one rejected (it reuses that claim's invoice number).
    const d = await person(h, y2019);
    const first = await file(coordinator, d, 2000, 7);
    count(d, first);
    const dup = await file(coordinator, d, 9000, 10, { invoiceNumbers: first.invoiceNumbers });
    expect(dup).toMatchObject({ status: 'REJECTED', rejectionReason: 'DUPLICATE_INVOICE', payable: null });

    // E: enrolled, no claims.
    await person(h, y2019);

    expect(allClaims.filter((x) => x.replayed)).toHaveLength(0);
    expect(approvedClaims).toHaveLength(9);
  });

  it('gives each plan the sum over people of round(P(year total)), people at cap and loss ratio', async () => {
    // The 2019 year ends; the what-if runs in March 2020.
    await h.sql(`update county_contract set status = 'EXPIRED' where id = $1`, [y2019.id]);
    h.clock.set('2020-03-02T02:00:00Z');
    const [{ insured_count: insured }] = (await h.sql<{ insured_count: number }>(
      'select insured_count from county_contract where id = $1',
      [y2019.id],
    )) as [{ insured_count: number }];

    const res = await h.gql(
      SIM,
      {
        id: String(contract2020Id),
        plans: [
          { label: 'standard', planId: String(world.plan.id) },
          {
            label: 'richer',
            terms: {
              deductible: '500.00',
              tiers: [
                { upTo: '10000.00', ratio: 0.5 },
                { upTo: null, ratio: 0.7 },
              ],
              annualCap: '50000.00',
            },
          },
        ],
      },
      actuary,
    );
    expect(res.errors).toBeUndefined();
    const [std, rich] = res.data!.simulatePlans;

    const expected = (terms: BenefitPlanTerms) => {
      const perPerson = [...counted.values()].map((xs) => benefitExact(terms, sumMoney(xs)));
      return {
        benefit: sumMoney(perPerson.map((b) => toFen(b))).toFixed(2),
        atCap: perPerson.filter((b) => b.gte(terms.annualCap)).length,
      };
    };
    const e1 = expected(STD);
    const e2 = expected(RICHER);
    // Hand-checked: A 2,400; B 25,600; C 30,000 (cap); D 400.
    expect(e1).toEqual({ benefit: '58400.00', atCap: 1 });
    // Richer: A 0.5 × 6,500 = 3,250; B 4,750 + 28,000; C 4,750 + 36,400; D 750.
    expect(e2).toEqual({ benefit: '77900.00', atCap: 0 });

    expect(std.label).toBe('standard');
    expect(std.replay).toMatchObject({
      programmeYear: 2019,
      people: 4,
      claims: 9,
      benefit: e1.benefit,
      peopleAtCap: e1.atCap,
      note: null,
    });
    expect(rich.replay).toMatchObject({
      programmeYear: 2019,
      people: 4,
      claims: 9,
      benefit: e2.benefit,
      peopleAtCap: e2.atCap,
      note: null,
    });
    for (const s of [std, rich]) {
      const premium = money(s.quote.perCapitaPremium).times(insured);
      expect(s.replay.lossRatio).toBeCloseTo(money(s.replay.benefit).div(premium).toNumber(), 6);
    }
    expect(Number(rich.quote.perCapitaPremium)).toBeGreaterThan(Number(std.quote.perCapitaPremium));

    // Telescoping: under the plan the claims were adjudicated with, the replayed benefit is
    // what the claims actually pay, claim by claim and per coverage.
    expect(sumMoney(approvedClaims.map((c) => c.payable as string)).toFixed(2)).toBe(std.replay.benefit);
    const [stored] = await h.sql<{ payable: string; benefit: string }>(
      `select (select sum(payable) from claim where contract_id = $1 and status in ('APPROVED', 'PAID'))::text as payable,
              (select sum(benefit_approved) from coverage where contract_id = $1)::text as benefit`,
      [y2019.id],
    );
    expect(money(stored!.payable).toFixed(2)).toBe(std.replay.benefit);
    expect(money(stored!.benefit).toFixed(2)).toBe(std.replay.benefit);

    // Nothing saved.
    expect(await h.sql('select id from quote where contract_id = $1', [contract2020Id])).toHaveLength(0);
  });
});
