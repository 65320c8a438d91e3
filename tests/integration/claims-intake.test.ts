import { Role, startHarness, type Harness } from '../helpers/harness';
import { seedReferenceData } from '../factories/reference';
import {
  addContractWithPlan,
  addProgramme,
  claimInput,
  claimMutation,
  coverageTotals,
  createClaimsWorld,
  createPlanVariant,
  DAFANG,
  doc,
  LIPING,
  person,
  SUBMIT,
  submitClaim,
  SUPPLEMENT,
  XIDE,
  type ClaimsWorld,
  type ContractFixture,
} from '../factories/claims';
import { makeNationalId } from '../../src/modules/enrollment/national-id';

let h: Harness;
let world: ClaimsWorld;
let xide: ContractFixture;
let reviewer: string;
let coordinator: string; // Xide
let admin: string;

beforeAll(async () => {
  h = await startHarness(); // today: Monday 2020-03-02, China time
  await seedReferenceData(h);
  world = await createClaimsWorld(h, 2020, [XIDE, DAFANG]);
  xide = world.contracts.get(`${XIDE}:2020`)!;
  reviewer = await h.token(Role.CLAIMS_REVIEWER);
  coordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
  admin = await h.token(Role.ADMIN);
});
afterAll(async () => h?.close());

async function counts() {
  const [row] = await h.sql<{ claims: number; docs: number; seq: number; audit: number; events: number }>(
    `select (select count(*)::int from claim) as claims, (select count(*)::int from claim_document) as docs,
            (select coalesce(sum(last_value), 0)::int from claim_sequence) as seq,
            (select count(*)::int from audit_event where entity_type in ('Claim', 'Coverage')) as audit,
            (select count(*)::int from outbox_event where type = 'CLAIM_STATUS_CHANGED') as events`,
  );
  return row!;
}

describe('submitClaim', () => {
  it('files, adjudicates and approves a good claim: number, payable, coverage totals, due date, documents, trace', async () => {
    const p = await person(h, xide);
    const input = claimInput(p.nationalId, { payeeAccount: '6222 0202 0011 2233' });
    const claim = await submitClaim(h, coordinator, input);
    expect(claim).toMatchObject({
      replayed: false,
      status: 'APPROVED',
      rejectionReason: null,
      flags: [],
      missingDocuments: [],
      countyCode: XIDE,
      programmeYear: 2020,
      coverageId: String(p.coverageId),
      eligibleOutOfPocket: '5000.00',
      priorEligible: '0.00',
      payable: '1600.00',
      dueDate: '2020-03-09', // 5 working days after Monday 2 March
      slaDaysUsed: 0,
      overdue: false,
      payeeAccount: '6222 0202 0011 2233',
      working: {
        planCode: 'BACKBONE-STD',
        deductibleTaken: '1000.00',
        benefitAfter: '1600.00',
        payable: '1600.00',
      },
    });
    expect(claim.claimNumber).toMatch(/^CLM-513432-2020-\d{6}$/);
    expect(claim.ruleTrace.map((s: { step: string; result: string }) => `${s.step}:${s.result}`)).toEqual([
      'COVERAGE_IN_FORCE:PASSED',
      'PROVIDER_COVERED:PASSED',
      'FILED_IN_TIME:PASSED',
      'NO_DUPLICATE_INVOICE:PASSED',
      'DOCUMENTS_COMPLETE:PASSED',
      'OVERLAPPING_STAY:NOT_RAISED',
      'HIGH_AMOUNT:NOT_RAISED',
      'ID_REGION_MISMATCH:NOT_RAISED',
      'AUTO_APPROVE:PASSED',
      'DECISION:DECIDED',
    ]);
    expect(await coverageTotals(h, p.coverageId)).toEqual({
      eligible: '5000.00',
      benefit: '1600.00',
      paid: '0.00',
    });
    const docs = await h.sql('select kind from claim_document where claim_id = $1 order by id', [claim.id]);
    expect(docs.map((d) => d.kind)).toEqual(['INVOICE', 'DISCHARGE_SUMMARY']);
    const audit = await h.sql(
      `select action, from_state, to_state, changes, request_id from audit_event where entity_type = 'Claim' and entity_id = $1`,
      [claim.id],
    );
    // The HTTP request's id (the harness's client sends none: the server made one up).
    expect(audit[0]!.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'SUBMIT',
        from_state: 'SUBMITTED',
        to_state: 'APPROVED',
        changes: expect.objectContaining({ payable: '1600.00', ruleTrace: expect.any(Array) }),
      }),
    ]);
    const covAudit = await h.sql(
      `select changes from audit_event where entity_type = 'Coverage' and entity_id = $1 and action = 'CLAIM_APPROVED'`,
      [String(p.coverageId)],
    );
    expect(covAudit[0]!.changes).toMatchObject({
      eligibleApproved: { from: '0.00', to: '5000.00' },
      benefitApproved: { from: '0.00', to: '1600.00' },
    });
    const events = await h.sql(
      `select county_code, payload from outbox_event where type = 'CLAIM_STATUS_CHANGED' and payload->>'claimId' = $1`,
      [claim.id],
    );
    expect(events).toEqual([
      {
        county_code: XIDE,
        payload: expect.objectContaining({
          claimNumber: claim.claimNumber,
          from: 'SUBMITTED',
          to: 'APPROVED',
          maskedId: expect.stringMatching(/^513432\*{8}/),
        }),
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(p.nationalId);
  });

  describe('input errors: BAD_USER_INPUT naming the field, nothing written', () => {
    it.each([
      ['totalCost', { totalCost: '-1.00' }],
      ['basicInsurancePaid', { basicInsurancePaid: '-1.00' }],
      ['criticalIllnessPaid', { criticalIllnessPaid: '-0.01' }],
      ['medicalAssistancePaid', { medicalAssistancePaid: '-3' }],
      ['excludedCost', { excludedCost: '-3' }],
      ['totalCost', { excludedCost: '5200.01' }], // x = −0.01
      ['dischargeDate', { dischargeDate: '2020-02-09' }],
      ['admissionDate', { admissionDate: '2020-03-03', dischargeDate: '2020-03-02' }],
      ['diagnosisCode', { diagnosisCode: 'XYZ' }],
      ['invoiceNumbers', { invoiceNumbers: [] }],
      ['documents[0].sha256', { documents: [{ kind: 'INVOICE', sha256: 'nope', storageKey: 'k' }] }],
      ['idempotencyKey', { idempotencyKey: ' ' }],
    ])('%s (%j)', async (field, over) => {
      const p = await person(h, xide);
      const before = await counts();
      const res = await h.gql(SUBMIT, { input: claimInput(p.nationalId, over) }, coordinator);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await counts()).toEqual(before);
    });

    it('an amount with three decimals is refused by the Money scalar, naming the field', async () => {
      const p = await person(h, xide);
      const res = await h.gql(
        SUBMIT,
        { input: claimInput(p.nationalId, { totalCost: '1.001' }) },
        coordinator,
      );
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: expect.stringContaining('totalCost'),
      });
    });

    it('an unknown person: BAD_USER_INPUT on nationalId for a reviewer, FORBIDDEN for a coordinator', async () => {
      const stranger = makeNationalId(XIDE, '1979-01-01', 998, 'M');
      const before = await counts();
      const r = await h.gql(SUBMIT, { input: claimInput(stranger) }, reviewer);
      expect(r.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'nationalId',
        reason: 'NOT_ENROLLED',
      });
      const c = await h.gql(SUBMIT, { input: claimInput(stranger) }, coordinator);
      expect(c.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
      expect(await counts()).toEqual(before);
    });

    it('a coordinator cannot file for a person covered in another county (FORBIDDEN), nothing written', async () => {
      const p = await person(h, world.contracts.get(`${DAFANG}:2020`)!);
      const before = await counts();
      const res = await h.gql(SUBMIT, { input: claimInput(p.nationalId) }, coordinator);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUT_OF_SCOPE' });
      expect(await counts()).toEqual(before);
    });
  });

  describe('idempotency', () => {
    it('the same key from the same token returns the first claim, never a second', async () => {
      const p = await person(h, xide);
      const input = claimInput(p.nationalId);
      const first = await submitClaim(h, coordinator, input);
      const before = await counts();
      const again = await submitClaim(h, coordinator, { ...input, totalCost: '99999.00' });
      expect(again).toMatchObject({
        id: first.id,
        claimNumber: first.claimNumber,
        replayed: true,
        eligibleOutOfPocket: '5000.00',
      });
      expect(await counts()).toEqual(before);
    });

    it('the same key sent 12 times at once gives one claim', async () => {
      const p = await person(h, xide);
      const input = claimInput(p.nationalId);
      const results = await Promise.all(Array.from({ length: 12 }, () => submitClaim(h, coordinator, input)));
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      const [row] = await h.sql<{ n: number }>(
        'select count(*)::int as n from claim where idempotency_key = $1',
        [input.idempotencyKey],
      );
      expect(row!.n).toBe(1);
    });

    it('the same key for two different people at once still gives one claim (the unique key decides)', async () => {
      const a = await person(h, xide);
      const b = await person(h, xide);
      const key = `shared-${Date.now()}`;
      const [ra, rb] = await Promise.all([
        submitClaim(h, coordinator, claimInput(a.nationalId, { idempotencyKey: key })),
        submitClaim(h, coordinator, claimInput(b.nationalId, { idempotencyKey: key })),
      ]);
      expect(ra.id).toBe(rb.id);
      expect([ra.replayed, rb.replayed].sort()).toEqual([false, true]);
    });

    it('the same key from another token is another request', async () => {
      const p = await person(h, xide);
      const input = claimInput(p.nationalId);
      const first = await submitClaim(h, coordinator, input);
      const other = await submitClaim(h, reviewer, input);
      expect(other.id).not.toBe(first.id);
      expect(other).toMatchObject({
        replayed: false,
        status: 'REJECTED',
        rejectionReason: 'DUPLICATE_INVOICE',
      });
    });
  });

  it('numbers claims CLM-<county>-<year>-<seq> without gaps, also under concurrency and after failed submissions', async () => {
    const people = await Promise.all(Array.from({ length: 20 }, () => person(h, xide)));
    const [{ last } = { last: 0 }] = await h.sql<{ last: number }>(
      `select last_value as last from claim_sequence where county_code = $1 and year = 2020`,
      [XIDE],
    );
    const results = await Promise.all(
      people.map((p, i) =>
        h.gql(
          SUBMIT,
          { input: claimInput(p.nationalId, i % 5 === 0 ? { totalCost: '-1' } : {}) },
          coordinator,
        ),
      ),
    );
    const ok = results.filter((r) => !r.errors).map((r) => r.data!.submitClaim.claim.claimNumber as string);
    expect(ok).toHaveLength(16);
    const seqs = ok.map((n) => Number(n.slice(-6))).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 16 }, (_, i) => last + 1 + i));
    const all = await h.sql<{ n: string }>(
      `select claim_number as n from claim where county_code = $1 order by claim_number`,
      [XIDE],
    );
    expect(all.map((r) => Number(r.n.slice(-6)))).toEqual(
      Array.from({ length: all.length }, (_, i) => i + 1),
    );
  });
});

describe('adjudication rules, each with its own test', () => {
  it('NOT_COVERED: no coverage in force on the admission date (before the period)', async () => {
    const p = await person(h, xide);
    await h.sql(`update coverage set period_start = '2020-02-20' where id = $1`, [p.coverageId]);
    const claim = await submitClaim(h, coordinator, claimInput(p.nationalId));
    expect(claim).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'NOT_COVERED',
      coverageId: null,
      payable: null,
      countyCode: XIDE,
    });
    expect(claim.ruleTrace[0]).toMatchObject({
      step: 'COVERAGE_IN_FORCE',
      result: 'FAILED',
      detail: expect.stringContaining('NOT_STARTED'),
    });
    expect(claim.ruleTrace.slice(1, -1).every((s: { result: string }) => s.result === 'SKIPPED')).toBe(true);
    expect(await coverageTotals(h, p.coverageId)).toMatchObject({ eligible: '0.00', benefit: '0.00' });
  });

  it('NOT_COVERED: the coverage was ended before the admission', async () => {
    const p = await person(h, xide);
    await h.sql(
      `update coverage set status = 'TERMINATED', end_reason = 'MOVED', ended_on = '2020-02-01' where id = $1`,
      [p.coverageId],
    );
    const claim = await submitClaim(h, reviewer, claimInput(p.nationalId));
    expect(claim).toMatchObject({ status: 'REJECTED', rejectionReason: 'NOT_COVERED' });
    expect(claim.ruleTrace[0].detail).toContain('TERMINATED');
  });

  it('PROVIDER_NOT_COVERED: the hospital level is not in the plan', async () => {
    const plan = await createPlanVariant(h, 'NO-PRIVATE', {
      hospitalLevels: ['TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL'],
    });
    const liping = await addContractWithPlan(h, world, LIPING, 2020, plan);
    const p = await person(h, liping);
    const claim = await submitClaim(h, reviewer, claimInput(p.nationalId, { hospitalLevel: 'PRIVATE' }));
    expect(claim).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'PROVIDER_NOT_COVERED',
      coverageId: String(p.coverageId),
    });
    expect(claim.ruleTrace[1]).toMatchObject({ step: 'PROVIDER_COVERED', result: 'FAILED' });
    const ok = await submitClaim(
      h,
      reviewer,
      claimInput(p.nationalId, {
        hospitalLevel: 'TOWNSHIP',
        admissionDate: '2020-01-05',
        dischargeDate: '2020-01-08',
      }),
    );
    expect(ok.status).toBe('APPROVED');
  });

  it('LATE_SUBMISSION: filed more than 365 days after discharge (a 2019 coverage)', async () => {
    await addProgramme(h, world, 2019, [XIDE], 'EXPIRED');
    const p = await person(h, world.contracts.get(`${XIDE}:2019`)!);
    const late = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { admissionDate: '2019-02-20', dischargeDate: '2019-03-01' }),
    );
    expect(late).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'LATE_SUBMISSION',
      programmeYear: 2019,
    });
    expect(late.ruleTrace[2]).toMatchObject({
      step: 'FILED_IN_TIME',
      result: 'FAILED',
      detail: expect.stringContaining('367 day(s)'),
    });
    // Discharged 2019-03-03: 365 days before 2020-03-02 (a leap year): still in time.
    const onTime = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { admissionDate: '2019-03-02', dischargeDate: '2019-03-03' }),
    );
    expect(onTime).toMatchObject({ status: 'APPROVED', programmeYear: 2019 });
  });

  it('DUPLICATE_INVOICE: another live claim of the person with one of the invoice numbers, or the settlement number', async () => {
    const p = await person(h, xide);
    const first = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { invoiceNumbers: ['D-1', 'D-2'], settlementNumber: 'JS-1' }),
    );
    expect(first.status).toBe('APPROVED');
    const dup = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, {
        invoiceNumbers: ['D-9', 'D-2'],
        admissionDate: '2020-01-02',
        dischargeDate: '2020-01-03',
      }),
    );
    expect(dup).toMatchObject({ status: 'REJECTED', rejectionReason: 'DUPLICATE_INVOICE' });
    expect(dup.ruleTrace[3].detail).toContain(`invoice number(s) D-2 already on claim ${first.claimNumber}`);
    const bySettlement = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, {
        invoiceNumbers: ['D-10'],
        settlementNumber: 'JS-1',
        admissionDate: '2020-01-05',
        dischargeDate: '2020-01-06',
      }),
    );
    expect(bySettlement).toMatchObject({ status: 'REJECTED', rejectionReason: 'DUPLICATE_INVOICE' });
    // A rejected claim is not live: its invoice D-9 can be claimed again.
    const again = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, {
        invoiceNumbers: ['D-9'],
        admissionDate: '2020-01-02',
        dischargeDate: '2020-01-03',
      }),
    );
    expect(again.status).toBe('APPROVED');
    // The same invoice number for another person is not a duplicate of this person's.
    const other = await person(h, xide);
    expect(
      (await submitClaim(h, coordinator, claimInput(other.nationalId, { invoiceNumbers: ['D-1'] }))).status,
    ).toBe('APPROVED');
  });

  it('NEEDS_INFO lists what is missing and pauses the clock; supplementClaim adds it and re-runs the rules', async () => {
    const p = await person(h, xide);
    const claim = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { documents: [doc('INVOICE')] }),
    );
    expect(claim).toMatchObject({
      status: 'NEEDS_INFO',
      missingDocuments: ['DISCHARGE_SUMMARY'],
      dueDate: null,
      payable: null,
    });
    expect(claim.nextStep.en).toBe('Please add: discharge summary (the clock restarts once added)');
    expect(await coverageTotals(h, p.coverageId)).toMatchObject({ eligible: '0.00' });

    h.clock.set('2020-03-05T02:00:00Z'); // Thursday
    try {
      const notYet = await claimMutation(h, coordinator, SUPPLEMENT, {
        claimId: claim.id,
        documents: [doc('ID_CARD')],
      });
      expect(notYet).toMatchObject({
        status: 'NEEDS_INFO',
        missingDocuments: ['DISCHARGE_SUMMARY'],
        dueDate: null,
      });
      const done = await claimMutation(h, coordinator, SUPPLEMENT, {
        claimId: claim.id,
        version: notYet.version,
        documents: [doc('DISCHARGE_SUMMARY')],
        settlementNumber: 'JS-77',
      });
      expect(done).toMatchObject({
        status: 'APPROVED',
        missingDocuments: [],
        payable: '1600.00',
        settlementNumber: 'JS-77',
        dueDate: '2020-03-12',
        slaDaysUsed: 0,
      });
      expect(
        done.ruleTrace
          .filter((s: { action: string }) => s.action === 'SUPPLEMENT')
          .map((s: { run: number }) => s.run),
      ).toContain(3);
      expect(done.documents.map((d: { kind: string }) => d.kind)).toEqual([
        'INVOICE',
        'ID_CARD',
        'DISCHARGE_SUMMARY',
      ]);
      // Only NEEDS_INFO claims are supplemented.
      const again = await h.gql(
        SUPPLEMENT,
        { input: { claimId: done.id, documents: [doc('OTHER')] } },
        coordinator,
      );
      expect(again.errors?.[0]?.extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'ILLEGAL_TRANSITION',
        currentState: 'APPROVED',
      });
      const stale = await h.gql(
        SUPPLEMENT,
        { input: { claimId: done.id, version: 1, documents: [doc('OTHER')] } },
        coordinator,
      );
      expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'STALE_VERSION' });
      const empty = await h.gql(SUPPLEMENT, { input: { claimId: done.id } }, coordinator);
      expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'documents' });
    } finally {
      h.clock.set('2020-03-02T02:00:00Z');
    }
  });

  it('auto-approve limit: a payable above 10,000 goes to UNDER_REVIEW without a flag', async () => {
    const p = await person(h, xide);
    const claim = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, {
        totalCost: '60000.00',
        basicInsurancePaid: '30000.00',
        criticalIllnessPaid: '0',
        medicalAssistancePaid: '0',
        excludedCost: '0',
      }),
    );
    expect(claim).toMatchObject({ status: 'UNDER_REVIEW', flags: [], payable: null, dueDate: '2020-03-09' });
    expect(claim.ruleTrace.find((s: { step: string }) => s.step === 'AUTO_APPROVE')).toMatchObject({
      result: 'FAILED',
      detail: expect.stringContaining('payable 13600.00'),
    });
    expect(await coverageTotals(h, p.coverageId)).toMatchObject({ eligible: '0.00', benefit: '0.00' });
  });

  it('flag OVERLAPPING_STAY: another live claim of the person shares a night in hospital', async () => {
    const p = await person(h, xide);
    await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { admissionDate: '2020-02-10', dischargeDate: '2020-02-15' }),
    );
    const transfer = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { admissionDate: '2020-02-15', dischargeDate: '2020-02-18' }),
    );
    expect(transfer).toMatchObject({ status: 'APPROVED', flags: [] }); // same-day transfer: no overlap
    const overlap = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { admissionDate: '2020-02-14', dischargeDate: '2020-02-16' }),
    );
    expect(overlap).toMatchObject({ status: 'UNDER_REVIEW', flags: ['OVERLAPPING_STAY'] });
    expect(overlap.ruleTrace.find((s: { step: string }) => s.step === 'OVERLAPPING_STAY').detail).toContain(
      'overlaps this stay',
    );
  });

  it('flag HIGH_AMOUNT: eligible out-of-pocket above the plan’s review threshold (100,000)', async () => {
    const p = await person(h, xide);
    const claim = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, {
        totalCost: '300000.00',
        basicInsurancePaid: '199999.99',
        criticalIllnessPaid: '0',
        medicalAssistancePaid: '0',
        excludedCost: '0',
      }),
    );
    expect(claim).toMatchObject({
      status: 'UNDER_REVIEW',
      flags: ['HIGH_AMOUNT'],
      eligibleOutOfPocket: '100000.01',
    });
  });

  it('flag ID_REGION_MISMATCH: the ID was issued outside the coverage’s county', async () => {
    const p = await person(h, xide, { countyCode: DAFANG });
    const claim = await submitClaim(h, coordinator, claimInput(p.nationalId));
    expect(claim).toMatchObject({ status: 'UNDER_REVIEW', flags: ['ID_REGION_MISMATCH'], countyCode: XIDE });
  });

  it('rules run again after a supplement: a settlement number already used elsewhere rejects', async () => {
    const p = await person(h, xide);
    await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, {
        settlementNumber: 'JS-SAME',
        admissionDate: '2020-01-10',
        dischargeDate: '2020-01-12',
      }),
    );
    const pending = await submitClaim(
      h,
      coordinator,
      claimInput(p.nationalId, { documents: [doc('INVOICE')] }),
    );
    const after = await claimMutation(h, admin, SUPPLEMENT, {
      claimId: pending.id,
      documents: [doc('DISCHARGE_SUMMARY')],
      settlementNumber: 'JS-SAME',
    });
    expect(after).toMatchObject({ status: 'REJECTED', rejectionReason: 'DUPLICATE_INVOICE' });
  });
});
