import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';
import {
  ADJUST,
  APPROVE,
  claimInput,
  claimMutation,
  coverageTotals,
  createClaimsWorld,
  doc,
  GET,
  person,
  REJECT,
  REQUEST_INFO,
  SUBMIT,
  submitClaim,
  SUPPLEMENT,
  XIDE,
  type ContractFixture,
} from '../factories/claims';
import { benefitExact } from '../../src/modules/pricing/engine/benefit';
import { planTerms } from '../../src/modules/pricing/plan.service';
import { DEFAULT_PLAN } from '../../src/seed/defaults';
import { sumMoney, toFen } from '../../src/shared/money';

let h: Harness;
let xide: ContractFixture;
let reviewer: string;
let coordinator: string;
let foundation: string;

const TERMS = planTerms({
  deductible: DEFAULT_PLAN.deductible,
  annualCap: DEFAULT_PLAN.annualCap,
  tiers: [...DEFAULT_PLAN.tiers],
});
const P = (y: string) => toFen(benefitExact(TERMS, y)).toFixed(2);

/** x = total − 30 % paid by basic insurance (no other source): amounts that make x exact. */
const amountsFor = (x: number) => ({
  totalCost: (x * 2).toFixed(2),
  basicInsurancePaid: x.toFixed(2),
  criticalIllnessPaid: '0.00',
  medicalAssistancePaid: '0.00',
  excludedCost: '0.00',
});

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  const world = await createClaimsWorld(h, 2020, [XIDE]);
  xide = world.contracts.get(`${XIDE}:2020`)!;
  reviewer = await h.token(Role.CLAIMS_REVIEWER);
  coordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
  foundation = await h.token(Role.FOUNDATION);
});
afterAll(async () => h?.close());

/** A claim sent to review by its size (payable above the auto-approve limit). */
async function underReview(nationalId: string, x = 30000, over: Record<string, unknown> = {}) {
  const c = await submitClaim(h, coordinator, claimInput(nationalId, { ...amountsFor(x), ...over }));
  expect(c.status).toBe('UNDER_REVIEW');
  return c;
}

describe('approveClaim', () => {
  it('approves at the year’s C at approval time (claims count in the order approved), locking the coverage totals', async () => {
    const p = await person(h, xide);
    const big = await underReview(p.nationalId, 30000); // would pay 13,600 with nothing earlier
    const small = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, {
        ...amountsFor(5000),
        admissionDate: '2020-01-02',
        dischargeDate: '2020-01-05',
      }),
    );
    expect(small).toMatchObject({ status: 'APPROVED', payable: '1600.00' });
    const approved = await claimMutation(h, reviewer, APPROVE, {
      claimId: big.id,
      version: big.version,
      reason: 'checked with the hospital',
    });
    // C = 5,000: round(P(35,000)) − round(P(5,000)) = 16,600 − 1,600.
    expect(approved).toMatchObject({
      status: 'APPROVED',
      priorEligible: '5000.00',
      payable: '15000.00',
      reviewNote: 'checked with the hospital',
    });
    expect(approved.working).toMatchObject({
      priorEligible: '5000.00',
      cumulativeEligible: '35000.00',
      deductibleTaken: '0.00',
      benefitAfter: '16600.00',
    });
    expect(approved.ruleTrace.at(-1)).toMatchObject({
      action: 'APPROVE',
      step: 'DECISION',
      result: 'DECIDED',
    });
    expect(await coverageTotals(h, p.coverageId)).toEqual({
      eligible: '35000.00',
      benefit: '16600.00',
      paid: '0.00',
    });
    const audit = await h.sql(
      `select action, from_state, to_state, changes from audit_event where entity_type = 'Claim' and entity_id = $1 order by id`,
      [big.id],
    );
    expect(audit.map((a) => [a.action, a.from_state, a.to_state])).toEqual([
      ['SUBMIT', 'SUBMITTED', 'UNDER_REVIEW'],
      ['APPROVE', 'UNDER_REVIEW', 'APPROVED'],
    ]);
    expect(audit[1]!.changes.ruleTrace.length).toBeGreaterThan(10);
  });

  it('with a corrected excluded cost (reason required): x is recomputed', async () => {
    const p = await person(h, xide);
    const c = await underReview(p.nationalId, 30000);
    const noReason = await h.gql(
      APPROVE,
      { input: { claimId: c.id, version: c.version, excludedCost: '1000.00' } },
      reviewer,
    );
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const tooMuch = await h.gql(
      APPROVE,
      { input: { claimId: c.id, version: c.version, excludedCost: '30000.01', reason: 'x' } },
      reviewer,
    );
    expect(tooMuch.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'excludedCost' });
    const ok = await claimMutation(h, reviewer, APPROVE, {
      claimId: c.id,
      version: c.version,
      excludedCost: '10000.00',
      reason: 'imported drugs are self-pay',
    });
    expect(ok).toMatchObject({
      status: 'APPROVED',
      excludedCost: '10000.00',
      eligibleOutOfPocket: '20000.00',
      payable: P('20000'),
    });
    expect(await coverageTotals(h, p.coverageId)).toMatchObject({
      eligible: '20000.00',
      benefit: P('20000'),
    });
  });

  it('refuses a stale version and a claim not under review (CONFLICT), changing nothing', async () => {
    const p = await person(h, xide);
    const c = await underReview(p.nationalId);
    const stale = await h.gql(APPROVE, { input: { claimId: c.id, version: c.version + 1 } }, reviewer);
    expect(stale.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'STALE_VERSION',
      currentVersion: c.version,
    });
    const approved = await claimMutation(h, reviewer, APPROVE, { claimId: c.id, version: c.version });
    const twice = await h.gql(APPROVE, { input: { claimId: c.id, version: approved.version } }, reviewer);
    expect(twice.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'ILLEGAL_TRANSITION',
      currentState: 'APPROVED',
    });
    expect(await coverageTotals(h, p.coverageId)).toMatchObject({
      eligible: '30000.00',
      benefit: '13600.00',
    });
  });
});

describe('rejectClaim', () => {
  it('rejects as REJECTED / OTHER with the note, audited with the trace; the EOB gives the note', async () => {
    const p = await person(h, xide);
    const c = await underReview(p.nationalId);
    const empty = await h.gql(REJECT, { input: { claimId: c.id, version: c.version, note: ' ' } }, reviewer);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    const r = await claimMutation(h, reviewer, REJECT, {
      claimId: c.id,
      version: c.version,
      note: 'cosmetic surgery is not covered',
    });
    expect(r).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'OTHER',
      reviewNote: 'cosmetic surgery is not covered',
      payable: null,
    });
    const got = await h.gql(GET, { id: c.id }, coordinator);
    expect(got.data!.claim.explanation.en).toContain("Reviewer's note: cosmetic surgery is not covered");
    expect(got.data!.claim.explanation.zh).toContain('审核意见：cosmetic surgery is not covered');
    const [a] = await h.sql(
      `select from_state, to_state, changes from audit_event where entity_id = $1 and action = 'REJECT'`,
      [c.id],
    );
    expect(a).toMatchObject({
      from_state: 'UNDER_REVIEW',
      to_state: 'REJECTED',
      changes: { note: 'cosmetic surgery is not covered', ruleTrace: expect.any(Array) },
    });
    // A rejected claim is not live: its invoice may be filed again.
    const again = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { invoiceNumbers: c.invoiceNumbers }),
    );
    expect(again.rejectionReason).not.toBe('DUPLICATE_INVOICE');
    const twice = await h.gql(
      REJECT,
      { input: { claimId: c.id, version: r.version, note: 'again' } },
      reviewer,
    );
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION' });
  });
});

describe('requestClaimInfo and the paused clock', () => {
  it('pauses with the working days used and restarts with the days left after the supplement', async () => {
    const p = await person(h, xide);
    const c = await underReview(p.nationalId); // Monday 2 March: due Monday 9 March
    expect(c.dueDate).toBe('2020-03-09');
    try {
      h.clock.set('2020-03-04T03:00:00Z'); // Wednesday: 2 working days used
      const asked = await claimMutation(h, reviewer, REQUEST_INFO, {
        claimId: c.id,
        version: c.version,
        documents: ['BANK_ACCOUNT'],
        note: 'the account holder’s name',
      });
      expect(asked).toMatchObject({
        status: 'NEEDS_INFO',
        missingDocuments: ['BANK_ACCOUNT'],
        dueDate: null,
        slaDaysUsed: 2,
        overdue: false,
      });
      h.clock.set('2020-03-13T03:00:00Z'); // Friday next week: 3 days left → Wednesday 18th
      const back = await claimMutation(h, coordinator, SUPPLEMENT, {
        claimId: c.id,
        documents: [doc('BANK_ACCOUNT')],
      });
      expect(back).toMatchObject({
        status: 'UNDER_REVIEW',
        missingDocuments: [],
        dueDate: '2020-03-18',
        slaDaysUsed: 2,
      });
      const already = await h.gql(
        REQUEST_INFO,
        { input: { claimId: c.id, version: back.version, documents: ['INVOICE'] } },
        reviewer,
      );
      expect(already.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'documents' });
    } finally {
      h.clock.set('2020-03-02T02:00:00Z');
    }
  });
});

describe('adjustClaim: corrections are new, audited adjustment claims', () => {
  it('positive and negative adjustments telescope: the year pays round(P(Σx)), coverage totals = sums of claims', async () => {
    const p = await person(h, xide);
    const a = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, {
        ...amountsFor(5000),
        admissionDate: '2020-01-02',
        dischargeDate: '2020-01-04',
      }),
    );
    const b = await submitClaim(h, coordinator, claimInput(p.nationalId, amountsFor(20000)));
    expect([a.payable, b.payable]).toEqual(['1600.00', '9500.00']); // P(25,000) = 11,100, within the auto-approve limit

    const down = await claimMutation(h, reviewer, ADJUST, {
      claimId: a.id,
      eligibleDelta: '-3000.00',
      reason: 'a duplicate line on the invoice',
    });
    // C = 25,000 → 22,000: round(P(22,000)) − round(P(25,000)) = 9,600 − 11,100.
    expect(down).toMatchObject({
      status: 'APPROVED',
      adjustmentOfId: a.id,
      eligibleOutOfPocket: '-3000.00',
      excludedCost: '3000.00',
      totalCost: '0.00',
      priorEligible: '25000.00',
      payable: '-1500.00',
      reviewNote: 'a duplicate line on the invoice',
    });
    expect(down.claimNumber).toMatch(/^CLM-513432-2020-\d{6}$/);
    expect(down.explanation.en).toContain(
      `This corrects claim ${a.claimNumber}, because: a duplicate line on the invoice.`,
    );
    expect(down.explanation.en).toContain('1,500.00 yuan is to be recovered');

    const up = await claimMutation(h, reviewer, ADJUST, {
      claimId: b.id,
      amounts: { ...amountsFor(20000), basicInsurancePaid: '19000.00' },
      reason: 'basic insurance paid less than first stated',
    });
    expect(up).toMatchObject({
      eligibleOutOfPocket: '1000.00',
      totalCost: '0.00',
      priorEligible: '22000.00',
      payable: '500.00',
    });

    const claims = await h.sql<{ x: string; payable: string }>(
      `select eligible_oop::text as x, payable::text as payable from claim where coverage_id = $1 and status = 'APPROVED'`,
      [p.coverageId],
    );
    const sumX = sumMoney(claims.map((c) => c.x)).toFixed(2);
    const sumPay = sumMoney(claims.map((c) => c.payable)).toFixed(2);
    expect(sumX).toBe('23000.00');
    expect(sumPay).toBe(P('23000')); // 10,100
    expect(await coverageTotals(h, p.coverageId)).toEqual({ eligible: sumX, benefit: sumPay, paid: '0.00' });

    const orig = await h.sql(
      `select action, changes from audit_event where entity_type = 'Claim' and entity_id = $1 and action = 'ADJUSTED'`,
      [a.id],
    );
    expect(orig[0]!.changes).toMatchObject({
      adjustmentId: Number(down.id),
      payable: '-1500.00',
      reason: 'a duplicate line on the invoice',
    });
    const got = await h.gql(
      `query($id: ID!) { claim(id: $id) { adjustments { claimNumber payable } } }`,
      { id: a.id },
      reviewer,
    );
    expect(got.data!.claim.adjustments).toEqual([{ claimNumber: down.claimNumber, payable: '-1500.00' }]);
    // Adjustments are not duplicates of their original's invoice.
    expect(down.status).toBe('APPROVED');
  });

  it('refuses what cannot be adjusted', async () => {
    const p = await person(h, xide);
    const a = await submitClaim(h, coordinator, claimInput(p.nationalId));
    const pending = await underReview(p.nationalId, 30000, {
      admissionDate: '2020-01-02',
      dischargeDate: '2020-01-03',
    });
    const notApproved = await h.gql(
      ADJUST,
      { input: { claimId: pending.id, eligibleDelta: '10.00', reason: 'x' } },
      reviewer,
    );
    expect(notApproved.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'NOT_ADJUSTABLE' });
    const below = await h.gql(
      ADJUST,
      { input: { claimId: a.id, eligibleDelta: '-5000.01', reason: 'x' } },
      reviewer,
    );
    expect(below.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eligibleDelta' });
    const both = await h.gql(
      ADJUST,
      { input: { claimId: a.id, eligibleDelta: '1.00', amounts: amountsFor(1), reason: 'x' } },
      reviewer,
    );
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const noReason = await h.gql(
      ADJUST,
      { input: { claimId: a.id, eligibleDelta: '1.00', reason: '' } },
      reviewer,
    );
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const adj = await claimMutation(h, reviewer, ADJUST, {
      claimId: a.id,
      eligibleDelta: '100.00',
      reason: 'x',
      idempotencyKey: 'adj-once',
    });
    const again = await claimMutation(h, reviewer, ADJUST, {
      claimId: a.id,
      eligibleDelta: '100.00',
      reason: 'x',
      idempotencyKey: 'adj-once',
    });
    expect(again.id).toBe(adj.id);
    const ofAdjustment = await h.gql(
      ADJUST,
      { input: { claimId: adj.id, eligibleDelta: '1.00', reason: 'x' } },
      reviewer,
    );
    expect(ofAdjustment.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'NOT_ADJUSTABLE',
    });
    expect(await coverageTotals(h, p.coverageId)).toMatchObject({ eligible: '5100.00', benefit: '1640.00' });
  });
});

describe('updatePayeeAccount', () => {
  const UPDATE = `mutation($input: UpdatePayeeAccountInput!) { updatePayeeAccount(input: $input) { claim { id payeeAccount version } } }`;

  it('corrects the account (audited, masked) unless the claim is in a pending payout line or paid', async () => {
    const p = await person(h, xide);
    const c = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { payeeAccount: '6222000011112222' }),
    );
    const res = await h.gql(
      UPDATE,
      {
        input: {
          claimId: c.id,
          payeeAccount: '6222000033334444',
          reason: 'bank returned the payment: account closed',
        },
      },
      reviewer,
    );
    expect(res.data!.updatePayeeAccount.claim.payeeAccount).toBe('6222000033334444');
    const masked = await h.gql(
      `query($id: ID!) { claim(id: $id) { payeeAccount } }`,
      { id: c.id },
      foundation,
    );
    expect(masked.data!.claim.payeeAccount).toBe('************4444');
    const [a] = await h.sql(
      `select changes from audit_event where entity_id = $1 and action = 'UPDATE_PAYEE_ACCOUNT'`,
      [c.id],
    );
    expect(a!.changes).toEqual({
      payeeAccount: { from: '************2222', to: '************4444' },
      reason: 'bank returned the payment: account closed',
    });
    expect(JSON.stringify(a)).not.toContain('6222000033334444');

    const [batch] = await h.sql<{ id: number }>(
      `insert into payout_batch (batch_number, county_code, run_key, total_amount, line_count) values ('B-T-1', $1, 'run', $2, 1) returning id`,
      [XIDE, c.payable],
    );
    await h.sql(
      `insert into payout_line (batch_id, claim_id, amount, payee_account) values ($1, $2, $3, $4)`,
      [batch!.id, c.id, c.payable, '6222000033334444'],
    );
    const inPayout = await h.gql(
      UPDATE,
      { input: { claimId: c.id, payeeAccount: '1', reason: 'x' } },
      reviewer,
    );
    expect(inPayout.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'IN_PAYOUT' });
    await h.sql(`update payout_line set status = 'PAID' where claim_id = $1`, [c.id]);
    await h.sql(`update claim set status = 'PAID', paid_at = now() where id = $1`, [c.id]);
    const paid = await h.gql(UPDATE, { input: { claimId: c.id, payeeAccount: '1', reason: 'x' } }, reviewer);
    expect(paid.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ILLEGAL_TRANSITION' });
  });
});

describe('outbox events', () => {
  it('every status change emits CLAIM_STATUS_CHANGED in its transaction, with ids and masked data only', async () => {
    const p = await person(h, xide);
    const c = await submitClaim(h, coordinator, claimInput(p.nationalId, { documents: [doc('INVOICE')] }));
    const s = await claimMutation(h, coordinator, SUPPLEMENT, {
      claimId: c.id,
      documents: [doc('DISCHARGE_SUMMARY')],
    });
    expect(s.status).toBe('APPROVED');
    const events = await h.sql<{ payload: Record<string, unknown> }>(
      `select payload from outbox_event where type = 'CLAIM_STATUS_CHANGED' and payload->>'claimId' = $1 order by id`,
      [c.id],
    );
    expect(events.map((e) => [e.payload.from, e.payload.to])).toEqual([
      ['SUBMITTED', 'NEEDS_INFO'],
      ['NEEDS_INFO', 'APPROVED'],
    ]);
    expect(events[0]!.payload).toMatchObject({
      missingDocuments: ['DISCHARGE_SUMMARY'],
      insuredId: p.insuredId,
      coverageId: p.coverageId,
    });
    expect(JSON.stringify(events)).not.toContain(p.nationalId);
    // A rejected input writes no event.
    const before = await h.sql(`select count(*)::int as n from outbox_event`);
    await h.gql(SUBMIT, { input: claimInput(p.nationalId, { totalCost: '-1' }) }, coordinator);
    expect(await h.sql(`select count(*)::int as n from outbox_event`)).toEqual(before);
  });
});

describe('roles (api-security.md)', () => {
  it('submit: ADMIN, CLAIMS_REVIEWER, COORDINATOR', async () => {
    const p = await person(h, xide);
    await expectRoles(h, SUBMIT, { input: claimInput(p.nationalId, { totalCost: '-1' }) }, [
      Role.ADMIN,
      Role.CLAIMS_REVIEWER,
      Role.COORDINATOR,
    ]);
  });
  it('supplement: ADMIN, CLAIMS_REVIEWER, COORDINATOR', async () => {
    await expectRoles(h, SUPPLEMENT, { input: { claimId: '999999', documents: [doc('OTHER')] } }, [
      Role.ADMIN,
      Role.CLAIMS_REVIEWER,
      Role.COORDINATOR,
    ]);
  });
  it('review (approve, reject, request info, adjust, payee account): ADMIN, CLAIMS_REVIEWER', async () => {
    const reviewers = [Role.ADMIN, Role.CLAIMS_REVIEWER];
    await expectRoles(h, APPROVE, { input: { claimId: '999999', version: 1 } }, reviewers);
    await expectRoles(h, REJECT, { input: { claimId: '999999', version: 1, note: 'n' } }, reviewers);
    await expectRoles(
      h,
      REQUEST_INFO,
      { input: { claimId: '999999', version: 1, documents: ['OTHER'] } },
      reviewers,
    );
    await expectRoles(
      h,
      ADJUST,
      { input: { claimId: '999999', eligibleDelta: '1.00', reason: 'r' } },
      reviewers,
    );
    await expectRoles(
      h,
      `mutation($input: UpdatePayeeAccountInput!) { updatePayeeAccount(input: $input) { claim { id } } }`,
      { input: { claimId: '999999', payeeAccount: 'a', reason: 'r' } },
      reviewers,
    );
  });
  it('read: ADMIN, CLAIMS_REVIEWER, FOUNDATION, COORDINATOR', async () => {
    const readers = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];
    await expectRoles(h, `query { claims { totalCount } }`, {}, readers);
    await expectRoles(h, `query { overdueClaims { totalCount } }`, {}, readers);
    await expectRoles(h, `query { claimSlaReport(year: 2020) { rows { paidClaims } } }`, {}, readers);
  });
});
