import type { Job } from 'bullmq';
import { Client } from 'pg';
import {
  approveClaim,
  addPeople,
  approvedClaims,
  createPayoutProgramme,
  type PayoutContract,
} from '../factories/payouts';
import { seedReferenceData } from '../factories/reference';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { waitForJob } from '../helpers/jobs';
import { expectRoles } from '../helpers/roles';
import { execSettle, type SettleJob } from '../../jobs/processors/payouts';
import { SCHEDULES } from '../../jobs/scheduler';
import { startWorkers, type WorkerHandle } from '../../jobs/worker';
import type { SettlementResult } from '../../src/modules/payouts/payout.service';
import { SYSTEM_ACTOR } from '../../src/modules/auth/actor';
import { formatMoney, sumMoney } from '../../src/shared/money';

const XIDE = '513432';
const DAFANG = '520521';
const LIPING = '522631';

let h: Harness;
let admin: string;
let reviewer: string;
let foundation: string;
let coordinatorXide: string;
let contracts: Map<string, PayoutContract>;

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  for (const q of ['payouts', 'events'] as const) await h.rt.queues.queue(q).obliterate({ force: true });
  admin = await h.token(Role.ADMIN);
  reviewer = await h.token(Role.CLAIMS_REVIEWER);
  foundation = await h.token(Role.FOUNDATION);
  coordinatorXide = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
  ({ contracts } = await createPayoutProgramme(h, 2020, [XIDE, DAFANG, LIPING]));
});

afterAll(async () => {
  if (h) for (const q of h.rt.queues.allQueues()) await q.obliterate({ force: true });
  await h?.close();
});

/** Every test starts from no claims, no batches and zero running totals. */
async function clean(): Promise<void> {
  await h.sql(`delete from payout_line; delete from payout_batch; delete from claim;
               update coverage set eligible_approved = 0, benefit_approved = 0, benefit_paid = 0;
               delete from outbox_event; delete from audit_event`);
}

const contract = (county: string) => contracts.get(county)!;
const settle = (runDate: string) => h.rt.services.payouts.settle(h.em(), SYSTEM_ACTOR, runDate);

async function batches() {
  return h.sql<{
    id: number;
    batch_number: string;
    county_code: string;
    run_key: string;
    status: string;
    total_amount: string;
    line_count: number;
  }>(
    `select id, batch_number, county_code, run_key, status, total_amount::text, line_count from payout_batch order by id`,
  );
}

async function lines() {
  return h.sql<{
    id: number;
    batch_number: string;
    claim_number: string;
    amount: string;
    payee_account: string;
    status: string;
  }>(
    `select l.id, b.batch_number, c.claim_number, l.amount::text, l.payee_account, l.status
       from payout_line l join payout_batch b on b.id = l.batch_id join claim c on c.id = l.claim_id
      order by l.id`,
  );
}

const BATCH_FIELDS = `id batchNumber countyCode runDate status totalAmount lineCount createdAt confirmedAt
  summary { pendingCount paidCount failedCount pendingAmount paidAmount failedAmount }`;
const LINE_FIELDS = 'id claimNumber maskedId amount status channelReference failureReason confirmedAt';
const CONFIRM = `mutation Confirm($input: ConfirmPayoutBatchInput!) {
  confirmPayoutBatch(input: $input) { paid failed unchanged batch { ${BATCH_FIELDS} lines { ${LINE_FIELDS} } } } }`;
const BATCH = `query Batch($id: ID!) { payoutBatch(id: $id) { ${BATCH_FIELDS} lines { ${LINE_FIELDS} } } }`;
const BATCHES = `query Batches($filter: PayoutBatchFilterInput, $page: PageInput) {
  payoutBatches(filter: $filter, page: $page) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${BATCH_FIELDS} } } } }`;
const RUN = `mutation Run($input: RunSettlementInput) { runSettlement(input: $input) {
  job { id queue name state result failureReason progress { percent message } } } }`;
const RECONCILE = `query Rec($year: Int!, $county: String) { payoutReconciliation(programmeYear: $year, countyCode: $county) {
  programmeYear countyCode ok batchesChecked coveragesChecked totalsConsistent
  batchMismatches { batchId batchNumber countyCode totalAmount linesAmount lineCount linesCounted }
  coverageMismatches { coverageId countyCode maskedId benefitPaid paidClaimsAmount }
  claimMismatches { claimId claimNumber countyCode status payable paidLines paidLinesAmount }
  counties { countyCode paidClaimsCount paidClaimsAmount benefitPaid paidLinesAmount consistent }
  totals { paidClaimsCount paidClaimsAmount benefitPaid paidLinesAmount }
  sumOfCounties { paidClaimsCount paidClaimsAmount benefitPaid paidLinesAmount } } }`;

async function confirm(batchId: number, lns: Record<string, unknown>[], token = reviewer) {
  return h.gql(CONFIRM, { input: { batchId: String(batchId), lines: lns } }, token);
}

describe('settlement', () => {
  beforeEach(clean);

  it('makes one batch per county, set-based, totals = sum of lines, and a re-run of the date adds nothing', async () => {
    const xide = await approvedClaims(h, contract(XIDE), ['1234.56', '0.01', '99999.99']);
    const dafang = await approvedClaims(h, contract(DAFANG), ['500.00', '10.10']);
    // Dafang: no account on the claim, one on the person → the person's account is used.
    const [fallback] = await addPeople(h, contract(DAFANG), 1);
    await h.sql(`update insured set payee_account = '6228480000000000001' where id = $1`, [
      fallback!.insuredId,
    ]);
    const viaPerson = await approveClaim(h, fallback!, { payable: '7.77', payeeAccount: null });
    // Liping: nothing payable — no account anywhere, a zero payable, a claim still under review.
    const [noAccount] = await approvedClaims(h, contract(LIPING), ['300.00'], { payeeAccount: '  ' });
    await approvedClaims(h, contract(LIPING), ['0.00']);
    await approvedClaims(h, contract(LIPING), ['450.00'], { status: 'UNDER_REVIEW' });

    const first = await settle('2020-03-02');
    expect(first).toMatchObject({
      runDate: '2020-03-02',
      batchesCreated: 2,
      linesCreated: 6,
      amountCreated: '101752.43',
      skippedNoPayeeAccount: 1,
    });
    expect(
      first.counties.map((c) => [
        c.countyCode,
        c.batchNumber,
        c.lineCount,
        c.totalAmount,
        c.skippedNoPayeeAccount,
      ]),
    ).toEqual([
      [XIDE, `PAY-${XIDE}-2020-03-02-1`, 3, '101234.56', 0],
      [DAFANG, `PAY-${DAFANG}-2020-03-02-1`, 3, '517.87', 0],
      [LIPING, null, 0, '0.00', 1],
    ]);
    const made = await batches();
    expect(
      made.map((b) => [b.batch_number, b.county_code, b.run_key, b.status, b.total_amount, b.line_count]),
    ).toEqual([
      [`PAY-${XIDE}-2020-03-02-1`, XIDE, '2020-03-02', 'CREATED', '101234.56', 3],
      [`PAY-${DAFANG}-2020-03-02-1`, DAFANG, '2020-03-02', 'CREATED', '517.87', 3],
    ]);
    const made1 = await lines();
    expect(made1.map((l) => [l.batch_number, l.claim_number, l.amount, l.status])).toEqual([
      ...xide.map((c) => [`PAY-${XIDE}-2020-03-02-1`, c.claimNumber, c.payable, 'PENDING']),
      ...[...dafang, viaPerson].map((c) => [
        `PAY-${DAFANG}-2020-03-02-1`,
        c.claimNumber,
        c.payable,
        'PENDING',
      ]),
    ]);
    expect(made1.find((l) => l.claim_number === viaPerson.claimNumber)!.payee_account).toBe(
      '6228480000000000001',
    );
    for (const b of made) {
      const sum = formatMoney(
        sumMoney(made1.filter((l) => l.batch_number === b.batch_number).map((l) => l.amount)),
      );
      expect(sum).toBe(b.total_amount);
    }
    // Batching changes no claim: they stay APPROVED until the channel's result.
    const statuses = await h.sql(
      `select status, count(*)::int as n from claim group by status order by status`,
    );
    expect(statuses).toEqual([
      { status: 'APPROVED', n: 8 },
      { status: 'UNDER_REVIEW', n: 1 },
    ]);
    const audit = await h.sql(
      `select entity_id, action, to_state, actor_role, changes->'claimIds' as claim_ids from audit_event
        where entity_type = 'PayoutBatch' order by id`,
    );
    expect(audit).toEqual([
      {
        entity_id: String(made[0]!.id),
        action: 'CREATE',
        to_state: 'CREATED',
        actor_role: 'SYSTEM',
        claim_ids: xide.map((c) => c.id),
      },
      {
        entity_id: String(made[1]!.id),
        action: 'CREATE',
        to_state: 'CREATED',
        actor_role: 'SYSTEM',
        claim_ids: [...dafang, viaPerson].map((c) => c.id),
      },
    ]);

    // The same date again: the batches it already made are found, nothing is added.
    const again = await settle('2020-03-02');
    expect(again).toMatchObject({
      batchesCreated: 0,
      linesCreated: 0,
      amountCreated: '0.00',
      skippedNoPayeeAccount: 1,
    });
    expect(again.counties.map((c) => c.countyCode)).toEqual([LIPING]);
    expect(again.batchesOfRunDate).toEqual([
      { batchNumber: `PAY-${XIDE}-2020-03-02-1`, countyCode: XIDE, lineCount: 3, totalAmount: '101234.56' },
      { batchNumber: `PAY-${DAFANG}-2020-03-02-1`, countyCode: DAFANG, lineCount: 3, totalAmount: '517.87' },
    ]);
    expect(await batches()).toEqual(made);
    expect(await lines()).toEqual(made1);
    expect(noAccount).toBeDefined();
  });

  it('numbers a later batch of the same date n+1 (new approvals) and starts again at 1 on another date', async () => {
    await approvedClaims(h, contract(XIDE), ['10.00']);
    await settle('2020-03-02');
    await approvedClaims(h, contract(XIDE), ['20.00', '30.00']);
    const later = await settle('2020-03-02');
    expect(later.counties).toEqual([
      expect.objectContaining({
        countyCode: XIDE,
        batchNumber: `PAY-${XIDE}-2020-03-02-2`,
        lineCount: 2,
        totalAmount: '50.00',
      }),
    ]);
    await approvedClaims(h, contract(XIDE), ['40.00']);
    const next = await settle('2020-03-03');
    expect(next.counties[0]!.batchNumber).toBe(`PAY-${XIDE}-2020-03-03-1`);
    expect((await batches()).map((b) => [b.batch_number, b.total_amount])).toEqual([
      [`PAY-${XIDE}-2020-03-02-1`, '10.00'],
      [`PAY-${XIDE}-2020-03-02-2`, '50.00'],
      [`PAY-${XIDE}-2020-03-03-1`, '40.00'],
    ]);
  });

  it('two settlement runs at the same time never put a claim in two lines', async () => {
    const all = [
      ...(await approvedClaims(
        h,
        contract(XIDE),
        Array.from({ length: 40 }, (_, i) => `${100 + i}.${String(i).padStart(2, '0')}`),
      )),
      ...(await approvedClaims(
        h,
        contract(DAFANG),
        Array.from({ length: 40 }, (_, i) => `${200 + i}.05`),
      )),
      ...(await approvedClaims(
        h,
        contract(LIPING),
        Array.from({ length: 40 }, (_, i) => `${300 + i}.99`),
      )),
    ];
    // Two runs of the same date (the schedule and a click) and two of another date, all at once.
    const results = await Promise.all([
      settle('2020-03-02'),
      settle('2020-03-02'),
      settle('2020-03-01'),
      settle('2020-03-02'),
    ]);
    const [dup] = await h.sql<{ n: number }>(
      `select count(*)::int as n from (select claim_id from payout_line group by claim_id having count(*) > 1) d`,
    );
    expect(dup!.n).toBe(0);
    const got = await lines();
    expect(got).toHaveLength(all.length);
    expect(new Set(got.map((l) => l.claim_number))).toEqual(new Set(all.map((c) => c.claimNumber)));
    // Each county batched exactly once, whichever run got there first; totals = sums of lines.
    const made = await batches();
    expect(made.map((b) => b.county_code).sort()).toEqual([XIDE, DAFANG, LIPING].sort());
    for (const b of made) {
      const mine = got.filter((l) => l.batch_number === b.batch_number);
      expect(formatMoney(sumMoney(mine.map((l) => l.amount)))).toBe(b.total_amount);
      expect(mine).toHaveLength(b.line_count);
    }
    expect(results.reduce((n, r) => n + r.linesCreated, 0)).toBe(all.length);
    expect(results.reduce((n, r) => n + r.batchesCreated, 0)).toBe(3);
  });

  it('treats a claim batched under its feet as "already batched": the live-line index refuses it, the county is redone without it', async () => {
    const [x, y] = await approvedClaims(h, contract(XIDE), ['11.11', '22.22']);
    // Another writer puts X in a live line and holds its transaction open.
    const other = new Client({ connectionString: h.rt.config.DATABASE_URL });
    await other.connect();
    try {
      await other.query('begin');
      const [b] = (
        await other.query<{ id: number }>(
          `insert into payout_batch (batch_number, county_code, run_key, total_amount, line_count)
           values ('PAY-MANUAL-1', $1, 'manual', 11.11, 1) returning id`,
          [XIDE],
        )
      ).rows;
      await other.query(
        `insert into payout_line (batch_id, claim_id, amount, payee_account) values ($1, $2, 11.11, 'x')`,
        [b!.id, x!.id],
      );
      // The settlement reads X as free (its snapshot cannot see the open transaction), then waits on X's row.
      const running = settle('2020-03-02');
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [w] = await h.sql<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%with eligible as%'`,
        );
        if (w!.n > 0) break;
        if (Date.now() > deadline) throw new Error('the settlement never waited on the claim lock');
        await new Promise((r) => setTimeout(r, 20));
      }
      await other.query('commit');
      const result = await running;
      expect(result.counties).toEqual([
        expect.objectContaining({
          countyCode: XIDE,
          batchNumber: `PAY-${XIDE}-2020-03-02-1`,
          lineCount: 1,
          totalAmount: '22.22',
          alreadyBatchedRetries: 1,
        }),
      ]);
    } finally {
      await other.end();
    }
    const got = await lines();
    expect(got.map((l) => [l.batch_number, l.claim_number])).toEqual([
      ['PAY-MANUAL-1', x!.claimNumber],
      [`PAY-${XIDE}-2020-03-02-1`, y!.claimNumber],
    ]);
    // And the index itself: a second live line for a claim is refused outright.
    await expect(
      h.sql(
        `insert into payout_line (batch_id, claim_id, amount, payee_account, status)
             select batch_id, claim_id, amount, payee_account, 'PAID' from payout_line where claim_id = $1`,
        [y!.id],
      ),
    ).rejects.toThrow(/payout_line_live_claim_unique/);
  });
});

describe('settlement job', () => {
  let workers: WorkerHandle | undefined;
  beforeEach(clean);
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  it('runSettlement enqueues settle-<runDate>, a worker runs it, and the job reports the batches', async () => {
    await approvedClaims(h, contract(XIDE), ['12.34', '56.78']);
    await approvedClaims(h, contract(LIPING), ['1000.00']);
    const res = await h.gql(RUN, {}, reviewer);
    expect(res.errors).toBeUndefined();
    expect(res.data!.runSettlement.job).toMatchObject({
      id: 'payouts.settle-2020-03-02',
      queue: 'payouts',
      name: 'settle',
    });
    const again = await h.gql(RUN, { input: { runDate: '2020-03-02' } }, admin);
    expect(again.data!.runSettlement.job.id).toBe('payouts.settle-2020-03-02');
    workers = await startWorkers(h.rt, { queues: ['payouts'] });
    const done = await waitForJob(h, admin, 'payouts.settle-2020-03-02');
    expect(done).toMatchObject({
      state: 'COMPLETED',
      progress: { percent: 100, message: '2 batch(es), 3 claim(s), 1069.12 for 2020-03-02' },
      result: {
        runDate: '2020-03-02',
        batchesCreated: 2,
        linesCreated: 3,
        amountCreated: '1069.12',
        batchesOfRunDate: [
          { batchNumber: `PAY-${XIDE}-2020-03-02-1`, countyCode: XIDE, lineCount: 2, totalAmount: '69.12' },
          {
            batchNumber: `PAY-${LIPING}-2020-03-02-1`,
            countyCode: LIPING,
            lineCount: 1,
            totalAmount: '1000.00',
          },
        ],
      },
    });
    const audit = await h.sql(
      `select action, actor_role, changes->>'runDate' as run_date from audit_event where entity_type = 'Job' order by id`,
    );
    expect(audit).toEqual([
      { action: 'ENQUEUE', actor_role: 'CLAIMS_REVIEWER', run_date: '2020-03-02' },
      { action: 'ENQUEUE', actor_role: 'ADMIN', run_date: '2020-03-02' },
    ]);
    // Asking again once it has finished runs it again: the same end state, nothing added.
    const before = await lines();
    await h.gql(RUN, {}, admin);
    const rerun = await waitForJob(h, admin, 'payouts.settle-2020-03-02');
    expect(rerun.result).toMatchObject({ batchesCreated: 0, linesCreated: 0 });
    expect(await lines()).toEqual(before);
  });

  it('refuses a run date after today or not a date', async () => {
    const future = await h.gql(RUN, { input: { runDate: '2020-03-03' } }, admin);
    expect(future.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.runDate',
      reason: 'RUN_DATE_IN_FUTURE',
    });
    const bad = await h.gql(RUN, { input: { runDate: '2020-02-30' } }, admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('runs daily at 02:00 China time; without a runDate it settles the day the job was created', async () => {
    expect(SCHEDULES.find((s) => s.queue === 'payouts')).toEqual({
      id: 'daily-payout-settlement',
      queue: 'payouts',
      job: 'settle',
      data: {},
      cron: '0 2 * * *',
    });
    await approvedClaims(h, contract(DAFANG), ['5.00']);
    const progress: unknown[] = [];
    // Created 2020-03-02 18:30 UTC = 2020-03-03 02:30 in China.
    const job = {
      data: {},
      timestamp: Date.parse('2020-03-02T18:30:00Z'),
      updateProgress: async (p: unknown) => void progress.push(p),
    } as unknown as Job<SettleJob, SettlementResult>;
    const result = await execSettle(job, h.rt);
    expect(result.runDate).toBe('2020-03-03');
    expect(result.counties[0]!.batchNumber).toBe(`PAY-${DAFANG}-2020-03-03-1`);
    expect(progress).toEqual([
      { percent: 0, message: 'settling approved claims for 2020-03-03' },
      { percent: 99, message: `1 of 1 counties: PAY-${DAFANG}-2020-03-03-1` },
      { percent: 100, message: '1 batch(es), 1 claim(s), 5.00 for 2020-03-03' },
    ]);
  });
});

describe('confirmPayoutBatch', () => {
  beforeEach(clean);

  async function oneBatch(payables: string[], county = XIDE) {
    const claims = await approvedClaims(h, contract(county), payables);
    const result = await settle('2020-03-02');
    const batchId = result.counties.find((c) => c.countyCode === county)!.batchId!;
    return { claims, batchId };
  }

  it('PAID pays the claim once: line and claim PAID with the reference, benefit paid added under lock, audited, events', async () => {
    const { claims, batchId } = await oneBatch(['1234.56', '0.10']);
    const [a, b] = claims;
    h.clock.set('2020-03-04T03:00:00Z');
    const res = await confirm(batchId, [
      { claimNumber: a!.claimNumber, result: 'PAID', channelReference: 'CH-0001' },
      { claimNumber: b!.claimNumber, result: 'PAID', channelReference: 'CH-0002' },
    ]);
    expect(res.errors).toBeUndefined();
    const out = res.data!.confirmPayoutBatch;
    expect(out).toMatchObject({
      paid: 2,
      failed: 0,
      unchanged: 0,
      batch: {
        status: 'CONFIRMED',
        confirmedAt: '2020-03-04T03:00:00.000Z',
        totalAmount: '1234.66',
        summary: {
          pendingCount: 0,
          paidCount: 2,
          failedCount: 0,
          paidAmount: '1234.66',
          pendingAmount: '0.00',
        },
      },
    });
    expect(
      out.batch.lines.map((l: any) => [l.claimNumber, l.status, l.channelReference, l.amount, l.confirmedAt]),
    ).toEqual([
      [a!.claimNumber, 'PAID', 'CH-0001', '1234.56', '2020-03-04T03:00:00.000Z'],
      [b!.claimNumber, 'PAID', 'CH-0002', '0.10', '2020-03-04T03:00:00.000Z'],
    ]);
    const claimRows = await h.sql(
      `select claim_number, status, paid_at, payment_reference, version from claim order by id`,
    );
    expect(claimRows).toEqual([
      {
        claim_number: a!.claimNumber,
        status: 'PAID',
        paid_at: new Date('2020-03-04T03:00:00Z'),
        payment_reference: 'CH-0001',
        version: 2,
      },
      {
        claim_number: b!.claimNumber,
        status: 'PAID',
        paid_at: new Date('2020-03-04T03:00:00Z'),
        payment_reference: 'CH-0002',
        version: 2,
      },
    ]);
    const cov = await h.sql(
      `select id, benefit_paid::text, benefit_approved::text from coverage where id = any($1) order by id`,
      [[a!.coverageId, b!.coverageId]],
    );
    expect(cov).toEqual([
      { id: a!.coverageId, benefit_paid: '1234.56', benefit_approved: '1234.56' },
      { id: b!.coverageId, benefit_paid: '0.10', benefit_approved: '0.10' },
    ]);
    const events = await h.sql(`select type, county_code, payload from outbox_event order by id`);
    expect(events).toEqual([
      {
        type: 'CLAIM_STATUS_CHANGED',
        county_code: XIDE,
        payload: {
          claimId: a!.id,
          claimNumber: a!.claimNumber,
          insuredId: a!.insuredId,
          maskedId: expect.stringMatching(/^513432\*{8}\d{3}[\dX]$/),
          coverageId: a!.coverageId,
          adjustmentOfId: null,
          from: 'APPROVED',
          to: 'PAID',
          rejectionReason: null,
          missingDocuments: [],
          amount: '1234.56',
          payoutBatchId: batchId,
          payoutBatchNumber: `PAY-${XIDE}-2020-03-02-1`,
          paidAt: '2020-03-04T03:00:00.000Z',
        },
      },
      expect.objectContaining({
        type: 'CLAIM_STATUS_CHANGED',
        payload: expect.objectContaining({ claimId: b!.id, to: 'PAID' }),
      }),
    ]);
    const audit = await h.sql(
      `select entity_type, entity_id, action, from_state, to_state, actor_role from audit_event
        where entity_type in ('PayoutLine', 'Claim', 'Coverage', 'PayoutBatch') and action <> 'CREATE' order by id`,
    );
    expect(
      audit.map(
        (e) => `${e.entity_type}:${e.action}:${e.from_state ?? ''}>${e.to_state ?? ''}:${e.actor_role}`,
      ),
    ).toEqual([
      'PayoutLine:CONFIRM:PENDING>PAID:CLAIMS_REVIEWER',
      'Claim:PAY:APPROVED>PAID:CLAIMS_REVIEWER',
      'PayoutLine:CONFIRM:PENDING>PAID:CLAIMS_REVIEWER',
      'Claim:PAY:APPROVED>PAID:CLAIMS_REVIEWER',
      'Coverage:BENEFIT_PAID:>:CLAIMS_REVIEWER',
      'Coverage:BENEFIT_PAID:>:CLAIMS_REVIEWER',
      'PayoutBatch:CONFIRM:CREATED>CONFIRMED:CLAIMS_REVIEWER',
    ]);
    const [covAudit] = await h.sql(
      `select changes from audit_event where entity_type = 'Coverage' and entity_id = $1`,
      [String(a!.coverageId)],
    );
    expect(covAudit!.changes).toMatchObject({
      benefitPaid: { from: '0.00', to: '1234.56' },
      added: '1234.56',
      claimIds: [a!.id],
    });
    h.clock.set('2020-03-02T02:00:00Z');
  });

  it('adds each payable to the right coverage when one person has two claims in the batch', async () => {
    const [person] = await addPeople(h, contract(XIDE), 1);
    const c1 = await approveClaim(h, person!, { payable: '100.01' });
    const c2 = await approveClaim(h, person!, { payable: '200.02' });
    const { batchId } = (await settle('2020-03-02')).counties[0]!;
    const res = await confirm(batchId!, [
      { claimNumber: c1.claimNumber, result: 'PAID', channelReference: 'R1' },
      { claimNumber: c2.claimNumber, result: 'PAID', channelReference: 'R2' },
    ]);
    expect(res.errors).toBeUndefined();
    const [cov] = await h.sql(`select benefit_paid::text from coverage where id = $1`, [person!.coverageId]);
    expect(cov!.benefit_paid).toBe('300.03');
  });

  it('confirming the same batch twice — one after the other or at the same time — pays once', async () => {
    const { claims, batchId } = await oneBatch(['10.00', '20.00', '30.00']);
    const input = claims.map((c, i) => ({
      claimNumber: c.claimNumber,
      result: 'PAID',
      channelReference: `REF-${i}`,
    }));
    const [r1, r2] = await Promise.all([confirm(batchId, input), confirm(batchId, input, admin)]);
    expect(r1.errors).toBeUndefined();
    expect(r2.errors).toBeUndefined();
    const counts = [r1, r2]
      .map((r) => [r.data!.confirmPayoutBatch.paid, r.data!.confirmPayoutBatch.unchanged])
      .sort();
    expect(counts).toEqual([
      [0, 3],
      [3, 0],
    ]);
    const r3 = await confirm(batchId, input.slice(1, 2));
    expect(r3.data!.confirmPayoutBatch).toMatchObject({
      paid: 0,
      failed: 0,
      unchanged: 1,
      batch: { status: 'CONFIRMED' },
    });
    const cov = await h.sql<{ benefit_paid: string }>(
      `select benefit_paid::text from coverage where id = any($1) order by id`,
      [claims.map((c) => c.coverageId)],
    );
    expect(cov.map((c) => c.benefit_paid)).toEqual(['10.00', '20.00', '30.00']);
    const [ev] = await h.sql(`select count(*)::int as n from outbox_event`);
    expect(ev!.n).toBe(3);
    const [au] = await h.sql(
      `select count(*)::int as n from audit_event where entity_type = 'Claim' and action = 'PAY'`,
    );
    expect(au!.n).toBe(3);
  });

  it('a result contradicting an earlier one is a CONFLICT and changes nothing', async () => {
    const { claims, batchId } = await oneBatch(['10.00', '20.00', '30.00']);
    const [a, b, c] = claims;
    await confirm(batchId, [
      { claimNumber: a!.claimNumber, result: 'PAID', channelReference: 'R-A' },
      { claimNumber: b!.claimNumber, result: 'FAILED', failureReason: '账户已销户 account closed' },
    ]);
    const snapshot = async () => ({
      lines: await lines(),
      claims: await h.sql(`select id, status, payment_reference, version from claim order by id`),
      cov: await h.sql(`select id, benefit_paid::text from coverage order by id`),
      events: await h.sql(`select count(*)::int as n from outbox_event`),
    });
    const before = await snapshot();
    const cases: [Record<string, unknown>[], string][] = [
      [
        [{ claimNumber: a!.claimNumber, result: 'FAILED', failureReason: 'late bounce' }],
        'PAYOUT_RESULT_CONFLICT',
      ],
      [
        [{ claimNumber: a!.claimNumber, result: 'PAID', channelReference: 'R-OTHER' }],
        'PAYOUT_REFERENCE_CONFLICT',
      ],
      [[{ claimNumber: b!.claimNumber, result: 'PAID', channelReference: 'R-B' }], 'PAYOUT_RESULT_CONFLICT'],
      // A good line next to a contradicting one: all or nothing.
      [
        [
          { claimNumber: c!.claimNumber, result: 'PAID', channelReference: 'R-C' },
          { claimNumber: a!.claimNumber, result: 'FAILED', failureReason: 'x' },
        ],
        'PAYOUT_RESULT_CONFLICT',
      ],
    ];
    for (const [input, reason] of cases) {
      const res = await confirm(batchId, input);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason });
    }
    expect(await snapshot()).toEqual(before);
    // FAILED again with the same result is fine (the first reason is kept).
    const same = await confirm(batchId, [
      { claimNumber: b!.claimNumber, result: 'FAILED', failureReason: 'other words' },
    ]);
    expect(same.data!.confirmPayoutBatch).toMatchObject({ unchanged: 1, failed: 0 });
    const [line] = await h.sql(
      `select failure_reason from payout_line l join claim c on c.id = l.claim_id where c.id = $1`,
      [b!.id],
    );
    expect(line!.failure_reason).toBe('账户已销户 account closed');
  });

  it('lines not listed stay PENDING; the batch is CONFIRMED when none is', async () => {
    const { claims, batchId } = await oneBatch(['1.00', '2.00', '3.00']);
    const r1 = await confirm(batchId, [
      { claimNumber: claims[0]!.claimNumber, result: 'PAID', channelReference: 'P1' },
    ]);
    expect(r1.data!.confirmPayoutBatch.batch).toMatchObject({
      status: 'CREATED',
      confirmedAt: null,
      summary: { pendingCount: 2, paidCount: 1, failedCount: 0, pendingAmount: '5.00', paidAmount: '1.00' },
    });
    const r2 = await confirm(batchId, [
      { claimNumber: claims[1]!.claimNumber, result: 'FAILED', failureReason: 'name mismatch' },
    ]);
    expect(r2.data!.confirmPayoutBatch.batch.status).toBe('CREATED');
    const r3 = await confirm(batchId, [
      { claimNumber: claims[2]!.claimNumber, result: 'PAID', channelReference: 'P3' },
    ]);
    expect(r3.data!.confirmPayoutBatch.batch).toMatchObject({
      status: 'CONFIRMED',
      summary: { pendingCount: 0, paidCount: 2, failedCount: 1, paidAmount: '4.00', failedAmount: '2.00' },
    });
  });

  it('FAILED leaves the claim APPROVED with the reason; the next settlement retries it with the corrected account', async () => {
    const { claims, batchId } = await oneBatch(['88.88', '11.11']);
    const [failing, paid] = claims;
    const res = await confirm(batchId, [
      {
        claimNumber: failing!.claimNumber,
        result: 'FAILED',
        failureReason: '户名不符 name does not match',
        channelReference: 'CH-F1',
      },
      { claimNumber: paid!.claimNumber, result: 'PAID', channelReference: 'CH-P1' },
    ]);
    expect(res.data!.confirmPayoutBatch).toMatchObject({
      paid: 1,
      failed: 1,
      batch: { status: 'CONFIRMED' },
    });
    const [claim] = await h.sql(`select status, paid_at, payment_reference from claim where id = $1`, [
      failing!.id,
    ]);
    expect(claim).toEqual({ status: 'APPROVED', paid_at: null, payment_reference: null });
    const [cov] = await h.sql(`select benefit_paid::text from coverage where id = $1`, [failing!.coverageId]);
    expect(cov!.benefit_paid).toBe('0.00');
    const [audit] = await h.sql(
      `select from_state, to_state, changes->>'failureReason' as reason from audit_event where entity_type = 'Claim' and action = 'PAYMENT_FAILED'`,
    );
    expect(audit).toEqual({
      from_state: 'APPROVED',
      to_state: 'APPROVED',
      reason: '户名不符 name does not match',
    });
    // No status change, so no CLAIM_STATUS_CHANGED for the failed one.
    const events = await h.sql<{ claim_id: number }>(
      `select (payload->>'claimId')::int as claim_id from outbox_event`,
    );
    expect(events.map((e) => e.claim_id)).toEqual([paid!.id]);

    // The claims module corrects the account (stand-in: SQL), and the next run pays it again.
    await h.sql(`update claim set payee_account = '6217000000000000099' where id = $1`, [failing!.id]);
    const next = await settle('2020-03-03');
    expect(next.counties).toEqual([
      expect.objectContaining({
        countyCode: XIDE,
        batchNumber: `PAY-${XIDE}-2020-03-03-1`,
        lineCount: 1,
        totalAmount: '88.88',
      }),
    ]);
    const got = await lines();
    expect(
      got
        .filter((l) => l.claim_number === failing!.claimNumber)
        .map((l) => [l.batch_number, l.status, l.payee_account]),
    ).toEqual([
      [`PAY-${XIDE}-2020-03-02-1`, 'FAILED', expect.stringMatching(/^6222000/)],
      [`PAY-${XIDE}-2020-03-03-1`, 'PENDING', '6217000000000000099'],
    ]);
    const retry = await confirm(next.counties[0]!.batchId!, [
      { claimNumber: failing!.claimNumber, result: 'PAID', channelReference: 'CH-P2' },
    ]);
    expect(retry.errors).toBeUndefined();
    const [after] = await h.sql(`select benefit_paid::text from coverage where id = $1`, [
      failing!.coverageId,
    ]);
    expect(after!.benefit_paid).toBe('88.88');
  });

  it('refuses to pay a claim that is no longer APPROVED (changed outside payment): CONFLICT, nothing written', async () => {
    const { claims, batchId } = await oneBatch(['7.00', '8.00']);
    await h.sql(`update claim set status = 'REJECTED' where id = $1`, [claims[1]!.id]);
    const res = await confirm(batchId, [
      { claimNumber: claims[0]!.claimNumber, result: 'PAID', channelReference: 'R0' },
      { claimNumber: claims[1]!.claimNumber, result: 'PAID', channelReference: 'R1' },
    ]);
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'PAYOUT_CLAIM_NOT_PAYABLE',
      claimNumber: claims[1]!.claimNumber,
    });
    expect((await lines()).map((l) => l.status)).toEqual(['PENDING', 'PENDING']);
    const [paid] = await h.sql(`select count(*)::int as n from claim where status = 'PAID'`);
    expect(paid!.n).toBe(0);
  });

  it('validates the input before anything is read or written', async () => {
    const { claims, batchId } = await oneBatch(['5.00']);
    const n = claims[0]!.claimNumber;
    const cases: [Record<string, unknown>[], string][] = [
      [[], 'input.lines'],
      [
        [{ claimNumber: 'CLM-000000-2020-999999', result: 'PAID', channelReference: 'R' }],
        'input.lines[0].claimNumber',
      ],
      [
        [
          { claimNumber: n, result: 'PAID', channelReference: 'R' },
          { claimNumber: n, result: 'PAID', channelReference: 'R' },
        ],
        'input.lines[1].claimNumber',
      ],
      [[{ claimNumber: n, result: 'PAID' }], 'input.lines[0].channelReference'],
      [[{ claimNumber: n, result: 'FAILED', failureReason: '  ' }], 'input.lines[0].failureReason'],
      [
        [{ claimNumber: n, result: 'PAID', channelReference: 'R', failureReason: 'why' }],
        'input.lines[0].failureReason',
      ],
    ];
    for (const [input, field] of cases) {
      const res = await confirm(batchId, input);
      expect({ field, ext: res.errors?.[0]?.extensions }).toMatchObject({
        field,
        ext: { code: 'BAD_USER_INPUT', field },
      });
    }
    const missing = await confirm(999_999, [{ claimNumber: n, result: 'PAID', channelReference: 'R' }]);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const badId = await h.gql(
      CONFIRM,
      { input: { batchId: 'abc', lines: [{ claimNumber: n, result: 'PAID', channelReference: 'R' }] } },
      admin,
    );
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.batchId' });
    const [line] = await h.sql(`select status from payout_line`);
    expect(line!.status).toBe('PENDING');
  });
});

describe('batch file', () => {
  beforeEach(clean);

  const download = (id: number | string, token?: string | null) =>
    fetch(`${h.url}/payouts/batches/${id}/file.csv`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('is CSV for the channel: UTF-8 with BOM, CRLF, claim number, account, masked ID, name and the exact amount; audited', async () => {
    const people = await addPeople(h, contract(XIDE), 3, ['阿依古丽·买买提', '欧阳娜娜', '吉克, 阿呷']);
    const c1 = await approveClaim(h, people[0]!, {
      payable: '12345.67',
      payeeAccount: '6222020000000000123',
    });
    const c2 = await approveClaim(h, people[1]!, { payable: '0.05', payeeAccount: '6217000000000000456' });
    const c3 = await approveClaim(h, people[2]!, { payable: '100.00', payeeAccount: '6228480000000000789' });
    const { batchId } = (await settle('2020-03-02')).counties[0]!;
    const res = await download(batchId!, reviewer);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="PAY-${XIDE}-2020-03-02-1.csv"`,
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const masked = await h.sql<{ id_masked: string }>(
      `select id_masked from insured where id = any($1) order by id`,
      [people.map((p) => p.insuredId)],
    );
    expect(bytes.subarray(3).toString('utf8')).toBe(
      [
        'claim_number,payee_account,masked_id,name,amount',
        `${c1.claimNumber},6222020000000000123,${masked[0]!.id_masked},阿依古丽·买买提,12345.67`,
        `${c2.claimNumber},6217000000000000456,${masked[1]!.id_masked},欧阳娜娜,0.05`,
        `${c3.claimNumber},6228480000000000789,${masked[2]!.id_masked},"吉克, 阿呷",100.00`,
        '',
      ].join('\r\n'),
    );
    expect(masked[0]!.id_masked).toMatch(/^513432\*{8}\d{3}[\dX]$/);
    const [audit] = await h.sql(
      `select action, actor_role, changes from audit_event where entity_type = 'PayoutBatch' and action = 'EXPORT_FILE'`,
    );
    expect(audit).toEqual({
      action: 'EXPORT_FILE',
      actor_role: 'CLAIMS_REVIEWER',
      changes: { batchNumber: `PAY-${XIDE}-2020-03-02-1`, lineCount: 3 },
    });

    // The file is the batch as made: a later account correction on the claim does not rewrite it.
    await h.sql(`update claim set payee_account = '9999' where id = $1`, [c1.id]);
    const again = Buffer.from(await (await download(batchId!, admin)).arrayBuffer());
    expect(again.equals(bytes)).toBe(true);
  });

  it('needs ADMIN or CLAIMS_REVIEWER: 401 without a token, 403 for other roles, 404 for an unknown batch', async () => {
    await approvedClaims(h, contract(XIDE), ['1.00']);
    const { batchId } = (await settle('2020-03-02')).counties[0]!;
    const anonymous = await download(batchId!);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await anonymous.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await download(batchId!, 'not-a-token')).status).toBe(401);
    for (const role of [Role.ACTUARY, Role.FOUNDATION, Role.INTEGRATION]) {
      const res = await download(batchId!, await h.token(role));
      expect({ role, status: res.status }).toEqual({ role, status: 403 });
    }
    expect((await download(batchId!, coordinatorXide)).status).toBe(403);
    expect((await download(batchId!, admin)).status).toBe(200);
    expect((await download(999_999, admin)).status).toBe(404);
    expect((await download('abc', admin)).status).toBe(404);
  });
});

describe('payout batches (queries)', () => {
  let ids: Record<string, number>;
  beforeAll(async () => {
    await clean();
    await approvedClaims(h, contract(XIDE), ['10.00', '20.00']);
    await approvedClaims(h, contract(DAFANG), ['30.00']);
    const first = await settle('2020-03-01');
    await approvedClaims(h, contract(XIDE), ['40.00']);
    const second = await settle('2020-03-02');
    ids = {
      xide1: first.counties.find((c) => c.countyCode === XIDE)!.batchId!,
      dafang1: first.counties.find((c) => c.countyCode === DAFANG)!.batchId!,
      xide2: second.counties[0]!.batchId!,
    };
    const [line] = await h.sql<{ claim_number: string }>(
      `select c.claim_number from payout_line l join claim c on c.id = l.claim_id where l.batch_id = $1 order by l.id limit 1`,
      [ids.xide1],
    );
    await confirm(ids.xide1!, [
      { claimNumber: line!.claim_number, result: 'FAILED', failureReason: 'account frozen' },
    ]);
  });

  it('lists newest first with filters and pages; FOUNDATION reads all', async () => {
    const all = await h.gql(BATCHES, {}, foundation);
    expect(all.errors).toBeUndefined();
    expect(all.data!.payoutBatches.totalCount).toBe(3);
    expect(all.data!.payoutBatches.edges.map((e: any) => e.node.batchNumber)).toEqual([
      `PAY-${XIDE}-2020-03-02-1`,
      `PAY-${DAFANG}-2020-03-01-1`,
      `PAY-${XIDE}-2020-03-01-1`,
    ]);
    const filtered = await h.gql(BATCHES, { filter: { countyCode: XIDE, runDate: '2020-03-01' } }, admin);
    expect(filtered.data!.payoutBatches.edges.map((e: any) => e.node)).toEqual([
      expect.objectContaining({
        id: String(ids.xide1),
        status: 'CREATED',
        totalAmount: '30.00',
        lineCount: 2,
        runDate: '2020-03-01',
      }),
    ]);
    const created = await h.gql(BATCHES, { filter: { status: 'CREATED' } }, admin);
    expect(created.data!.payoutBatches.totalCount).toBe(3);
    const page1 = await h.gql(BATCHES, { page: { first: 2 } }, admin);
    expect(page1.data!.payoutBatches.pageInfo.hasNextPage).toBe(true);
    const page2 = await h.gql(
      BATCHES,
      { page: { first: 2, after: page1.data!.payoutBatches.pageInfo.endCursor } },
      admin,
    );
    expect(page2.data!.payoutBatches.edges.map((e: any) => e.node.id)).toEqual([String(ids.xide1)]);
    const bad = await h.gql(BATCHES, { filter: { countyCode: 'XX' } }, admin);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.countyCode' });
  });

  it('a COORDINATOR sees its own county only (scope in the query)', async () => {
    const own = await h.gql(BATCHES, {}, coordinatorXide);
    expect(own.data!.payoutBatches.edges.map((e: any) => e.node.countyCode)).toEqual([XIDE, XIDE]);
    const asked = await h.gql(BATCHES, { filter: { countyCode: DAFANG } }, coordinatorXide);
    expect(asked.data!.payoutBatches.totalCount).toBe(0);
    const other = await h.gql(BATCH, { id: String(ids.dafang1) }, coordinatorXide);
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const mine = await h.gql(BATCH, { id: String(ids.xide1) }, coordinatorXide);
    expect(mine.errors).toBeUndefined();
  });

  it('payoutBatch(id) shows lines: claim number, masked ID, amount, status, reference, failure reason — no name, no account', async () => {
    const res = await h.gql(BATCH, { id: String(ids.xide1) }, reviewer);
    expect(res.errors).toBeUndefined();
    const b = res.data!.payoutBatch;
    expect(b).toMatchObject({
      batchNumber: `PAY-${XIDE}-2020-03-01-1`,
      countyCode: XIDE,
      runDate: '2020-03-01',
      totalAmount: '30.00',
      lineCount: 2,
      summary: { pendingCount: 1, failedCount: 1, failedAmount: '10.00', pendingAmount: '20.00' },
    });
    expect(b.lines).toEqual([
      expect.objectContaining({
        amount: '10.00',
        status: 'FAILED',
        failureReason: 'account frozen',
        channelReference: null,
      }),
      expect.objectContaining({ amount: '20.00', status: 'PENDING', failureReason: null, confirmedAt: null }),
    ]);
    for (const l of b.lines) {
      expect(l.claimNumber).toMatch(/^CLM-513432-2020-\d{6}$/);
      expect(l.maskedId).toMatch(/^513432\*{8}\d{3}[\dX]$/);
    }
    const missing = await h.gql(BATCH, { id: '999999' }, admin);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('loads the lines of a page of batches in one query (no N+1)', async () => {
    const statements: string[] = [];
    const spy = jest.spyOn(h.rt.orm.em.getConnection(), 'execute');
    try {
      const res = await h.gql(
        `{ payoutBatches { edges { node { id lines { claimNumber } summary { paidCount } } } } }`,
        {},
        admin,
      );
      expect(res.errors).toBeUndefined();
      for (const call of spy.mock.calls) statements.push(String(call[0]));
    } finally {
      spy.mockRestore();
    }
    // The request's em is a fork sharing the same connection object: one statement each for lines and summaries.
    expect(statements.filter((s) => s.includes('from payout_line l join claim')).length).toBe(1);
    expect(statements.filter((s) => s.includes('group by batch_id, status')).length).toBe(1);
  });
});

describe('reconciliation', () => {
  let paid: Awaited<ReturnType<typeof approvedClaims>>;
  beforeAll(async () => {
    await clean();
    paid = [
      ...(await approvedClaims(h, contract(XIDE), ['100.00', '200.50', '0.01'])),
      ...(await approvedClaims(h, contract(DAFANG), ['999.99'])),
    ];
    await approvedClaims(h, contract(LIPING), ['50.00']); // approved, never settled
    const run = await settle('2020-03-02');
    for (const county of run.counties) {
      const mine = paid.filter((c) => c.countyCode === county.countyCode);
      if (!mine.length) continue;
      await confirm(
        county.batchId!,
        mine.map((c, i) => ({
          claimNumber: c.claimNumber,
          result: i === 1 ? 'FAILED' : 'PAID',
          channelReference: `R${i}`,
          failureReason: i === 1 ? 'bounced' : null,
        })),
      );
    }
  });

  it('holds when all is well: no mismatches, claims paid = benefit paid = lines paid, programme = sum of counties', async () => {
    const res = await h.gql(RECONCILE, { year: 2020 }, foundation);
    expect(res.errors).toBeUndefined();
    const r = res.data!.payoutReconciliation;
    expect(r).toMatchObject({
      programmeYear: 2020,
      countyCode: null,
      ok: true,
      totalsConsistent: true,
      batchesChecked: 3,
      batchMismatches: [],
      coverageMismatches: [],
      claimMismatches: [],
      totals: {
        paidClaimsCount: 3,
        paidClaimsAmount: '1100.00',
        benefitPaid: '1100.00',
        paidLinesAmount: '1100.00',
      },
      sumOfCounties: {
        paidClaimsCount: 3,
        paidClaimsAmount: '1100.00',
        benefitPaid: '1100.00',
        paidLinesAmount: '1100.00',
      },
    });
    expect(r.counties).toEqual([
      {
        countyCode: XIDE,
        paidClaimsCount: 2,
        paidClaimsAmount: '100.01',
        benefitPaid: '100.01',
        paidLinesAmount: '100.01',
        consistent: true,
      },
      {
        countyCode: DAFANG,
        paidClaimsCount: 1,
        paidClaimsAmount: '999.99',
        benefitPaid: '999.99',
        paidLinesAmount: '999.99',
        consistent: true,
      },
      // Liping has coverages and a batch still PENDING: nothing paid, nothing out.
      {
        countyCode: LIPING,
        paidClaimsCount: 0,
        paidClaimsAmount: '0.00',
        benefitPaid: '0.00',
        paidLinesAmount: '0.00',
        consistent: true,
      },
    ]);
    expect(r.coveragesChecked).toBeGreaterThanOrEqual(5);
    const one = await h.gql(RECONCILE, { year: 2020, county: DAFANG }, admin);
    expect(one.data!.payoutReconciliation).toMatchObject({
      ok: true,
      countyCode: DAFANG,
      batchesChecked: 1,
      totals: { paidClaimsAmount: '999.99' },
      counties: [expect.objectContaining({ countyCode: DAFANG })],
    });
    const other = await h.gql(RECONCILE, { year: 2019 }, admin);
    expect(other.data!.payoutReconciliation).toMatchObject({
      ok: true,
      batchesChecked: 0,
      totals: { paidClaimsAmount: '0.00' },
    });
  });

  it('detects deliberately corrupted rows: a batch total, a coverage benefit paid, a claim PAID without payment', async () => {
    const [batch] = await h.sql<{ id: number; batch_number: string }>(
      `select id, batch_number from payout_batch where county_code = $1`,
      [XIDE],
    );
    const victim = paid[0]!;
    const unpaid = paid[1]!; // its line FAILED
    await h.sql(`update payout_batch set total_amount = total_amount + 0.01 where id = $1`, [batch!.id]);
    await h.sql(`update coverage set benefit_paid = benefit_paid - 1 where id = $1`, [victim.coverageId]);
    await h.sql(`update claim set status = 'PAID' where id = $1`, [unpaid.id]);
    try {
      const res = await h.gql(RECONCILE, { year: 2020 }, reviewer);
      expect(res.errors).toBeUndefined();
      const r = res.data!.payoutReconciliation;
      expect(r.ok).toBe(false);
      expect(r.batchMismatches).toEqual([
        {
          batchId: String(batch!.id),
          batchNumber: batch!.batch_number,
          countyCode: XIDE,
          totalAmount: '300.52',
          linesAmount: '300.51',
          lineCount: 3,
          linesCounted: 3,
        },
      ]);
      expect(r.coverageMismatches).toEqual([
        expect.objectContaining({
          coverageId: String(victim.coverageId),
          countyCode: XIDE,
          benefitPaid: '99.00',
          paidClaimsAmount: '100.00',
        }),
        // The claim wrongly marked PAID counts for its coverage too, which has no benefit paid.
        expect.objectContaining({
          coverageId: String(unpaid.coverageId),
          benefitPaid: '0.00',
          paidClaimsAmount: '200.50',
        }),
      ]);
      expect(r.claimMismatches).toEqual([
        {
          claimId: String(unpaid.id),
          claimNumber: unpaid.claimNumber,
          countyCode: XIDE,
          status: 'PAID',
          payable: '200.50',
          paidLines: 0,
          paidLinesAmount: '0.00',
        },
      ]);
      expect(r.counties.find((c: any) => c.countyCode === XIDE)).toEqual({
        countyCode: XIDE,
        paidClaimsCount: 3,
        paidClaimsAmount: '300.51',
        benefitPaid: '99.01',
        paidLinesAmount: '100.01',
        consistent: false,
      });
      expect(r.totalsConsistent).toBe(false);
    } finally {
      await h.sql(`update payout_batch set total_amount = total_amount - 0.01 where id = $1`, [batch!.id]);
      await h.sql(`update coverage set benefit_paid = benefit_paid + 1 where id = $1`, [victim.coverageId]);
      await h.sql(`update claim set status = 'APPROVED' where id = $1`, [unpaid.id]);
    }
    expect((await h.gql(RECONCILE, { year: 2020 }, admin)).data!.payoutReconciliation.ok).toBe(true);
  });

  it('detects a line deleted from a batch and a PAID line whose claim is not PAID', async () => {
    const [line] = await h.sql<{ id: number; claim_id: number; batch_id: number }>(
      `select id, claim_id, batch_id from payout_line where status = 'PAID' order by id limit 1`,
    );
    await h.sql(`update claim set status = 'APPROVED' where id = $1`, [line!.claim_id]);
    try {
      const r = (await h.gql(RECONCILE, { year: 2020 }, admin)).data!.payoutReconciliation;
      expect(r.claimMismatches).toEqual([
        expect.objectContaining({ claimId: String(line!.claim_id), status: 'APPROVED', paidLines: 1 }),
      ]);
    } finally {
      await h.sql(`update claim set status = 'PAID' where id = $1`, [line!.claim_id]);
    }
    const [pending] = await h.sql<{ id: number; batch_id: number }>(
      `select id, batch_id from payout_line where status = 'PENDING' limit 1`,
    );
    const saved = await h.sql(`select * from payout_line where id = $1`, [pending!.id]);
    await h.sql(`delete from payout_line where id = $1`, [pending!.id]);
    try {
      const r = (await h.gql(RECONCILE, { year: 2020 }, admin)).data!.payoutReconciliation;
      expect(r.batchMismatches).toEqual([
        expect.objectContaining({
          batchId: String(pending!.batch_id),
          lineCount: 1,
          linesCounted: 0,
          totalAmount: '50.00',
          linesAmount: '0.00',
        }),
      ]);
    } finally {
      const s = saved[0]!;
      await h.sql(
        `insert into payout_line (id, batch_id, claim_id, amount, payee_account, status) values ($1, $2, $3, $4, $5, $6)`,
        [s.id, s.batch_id, s.claim_id, s.amount, s.payee_account, s.status],
      );
    }
  });
});

describe('roles', () => {
  it('runSettlement and confirmPayoutBatch: ADMIN and CLAIMS_REVIEWER', async () => {
    await expectRoles(h, RUN, { input: { runDate: '2020-02-01' } }, [Role.ADMIN, Role.CLAIMS_REVIEWER]);
    await expectRoles(
      h,
      CONFIRM,
      {
        input: {
          batchId: '999999',
          lines: [{ claimNumber: 'CLM-1', result: 'PAID', channelReference: 'R' }],
        },
      },
      [Role.ADMIN, Role.CLAIMS_REVIEWER],
    );
    await h.rt.queues.queue('payouts').obliterate({ force: true });
  });

  it('payoutBatches and payoutBatch: ADMIN, CLAIMS_REVIEWER, FOUNDATION, COORDINATOR (own county)', async () => {
    const readers = [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION, Role.COORDINATOR];
    await expectRoles(h, BATCHES, {}, readers, { countyCodes: [XIDE] });
    await expectRoles(h, BATCH, { id: '999999' }, readers, { countyCodes: [XIDE] });
  });

  it('payoutReconciliation: ADMIN, CLAIMS_REVIEWER, FOUNDATION', async () => {
    await expectRoles(h, RECONCILE, { year: 2020 }, [Role.ADMIN, Role.CLAIMS_REVIEWER, Role.FOUNDATION]);
  });
});
