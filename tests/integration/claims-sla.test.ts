import { Role, startHarness, type Harness } from '../helpers/harness';
import { seedReferenceData } from '../factories/reference';
import {
  claimInput,
  createClaimsWorld,
  DAFANG,
  doc,
  person,
  submitClaim,
  XIDE,
  type ClaimData,
  type ContractFixture,
} from '../factories/claims';

let h: Harness;
let xide: ContractFixture;
let dafang: ContractFixture;
let reviewer: string;
let xideCoordinator: string;
let dafangCoordinator: string;
let unpaidDafang: ClaimData; // approved on 2 March, never paid: overdue from 10 March

const MONDAY = '2020-03-02T02:00:00Z';
const NODES = `totalCount edges { cursor node { id claimNumber status dueDate overdue } } pageInfo { hasNextPage endCursor }`;
const LIST = `query($filter: ClaimFilterInput, $orderBy: ClaimOrder, $page: PageInput) { claims(filter: $filter, orderBy: $orderBy, page: $page) { ${NODES} } }`;
const OVERDUE = `query($county: String) { overdueClaims(countyCode: $county) { ${NODES} } }`;
const DUE_SOON = `query($n: Int) { claimsDueSoon(withinWorkingDays: $n) { ${NODES} } }`;
const REPORT = `query($year: Int!, $county: String) { claimSlaReport(year: $year, countyCode: $county) { year countyCode
  rows { countyCode month paidClaims paidOnTime workingDays { p50 p90 p95 } calendarDays { p50 p90 p95 } } } }`;

const ids = (res: { data?: any }, field = 'claims') =>
  res.data![field].edges.map((e: { node: ClaimData }) => e.node.id);

beforeAll(async () => {
  h = await startHarness({ now: MONDAY });
  await seedReferenceData(h);
  const world = await createClaimsWorld(h, 2020, [XIDE, DAFANG]);
  xide = world.contracts.get(`${XIDE}:2020`)!;
  dafang = world.contracts.get(`${DAFANG}:2020`)!;
  reviewer = await h.token(Role.CLAIMS_REVIEWER);
  xideCoordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
  dafangCoordinator = await h.token(Role.COORDINATOR, { countyCodes: [DAFANG] });
});
afterAll(async () => h?.close());

const paid = (id: string, at: string) =>
  h.sql(`update claim set status = 'PAID', paid_at = $2, payment_reference = 'REF-' || id where id = $1`, [
    id,
    at,
  ]);

describe('claimSlaReport: time-to-pay percentiles in SQL, by county and month', () => {
  it('p50/p90/p95 in working and calendar days; months in China time; on-time counts; scoped', async () => {
    const p = await person(h, xide);
    const q = await person(h, dafang);
    // Five Xide claims and one Dafang claim, all submitted on Monday 2 March (due Monday 9 March).
    const x = [];
    for (let i = 0; i < 5; i++)
      x.push(
        await submitClaim(
          h,
          reviewer,
          claimInput(p.nationalId, {
            admissionDate: `2020-02-0${i + 1}`,
            dischargeDate: `2020-02-0${i + 1}`,
          }),
        ),
      );
    const d = await submitClaim(h, reviewer, claimInput(q.nationalId));
    await paid(x[0]!.id, '2020-03-04T10:00:00+08:00'); // 2 working days, 2 calendar days
    await paid(x[1]!.id, '2020-03-05T10:00:00+08:00'); // 3, 3
    await paid(x[2]!.id, '2020-03-09T23:30:00+08:00'); // 5, 7 (on the due date)
    await paid(x[3]!.id, '2020-03-13T10:00:00+08:00'); // 9, 11 (late)
    await paid(x[4]!.id, '2020-04-06T16:30:00Z'); // 7 April in China: 21 in March + 1–3 April + 7 April (6 April Qingming) = 25; 36
    await paid(d.id, '2020-03-02T23:00:00+08:00'); // same day: 0, 0
    // An approved, unpaid claim is not in the report.
    unpaidDafang = await submitClaim(
      h,
      reviewer,
      claimInput(q.nationalId, { admissionDate: '2020-01-10', dischargeDate: '2020-01-11' }),
    );

    const res = await h.gql(REPORT, { year: 2020 }, reviewer);
    expect(res.errors).toBeUndefined();
    expect(res.data!.claimSlaReport.rows).toEqual([
      // Xide, March: working days [2, 3, 5, 9], calendar days [2, 3, 7, 11].
      {
        countyCode: XIDE,
        month: 3,
        paidClaims: 4,
        paidOnTime: 3,
        workingDays: { p50: 4, p90: 7.8, p95: 8.4 },
        calendarDays: { p50: 5, p90: 9.8, p95: 10.4 },
      },
      {
        countyCode: XIDE,
        month: 4,
        paidClaims: 1,
        paidOnTime: 0,
        workingDays: { p50: 25, p90: 25, p95: 25 },
        calendarDays: { p50: 36, p90: 36, p95: 36 },
      },
      // Xide's year: [2, 3, 5, 9, 25] and [2, 3, 7, 11, 36].
      {
        countyCode: XIDE,
        month: null,
        paidClaims: 5,
        paidOnTime: 3,
        workingDays: { p50: 5, p90: 18.6, p95: 21.8 },
        calendarDays: { p50: 7, p90: 26, p95: 31 },
      },
      {
        countyCode: DAFANG,
        month: 3,
        paidClaims: 1,
        paidOnTime: 1,
        workingDays: { p50: 0, p90: 0, p95: 0 },
        calendarDays: { p50: 0, p90: 0, p95: 0 },
      },
      {
        countyCode: DAFANG,
        month: null,
        paidClaims: 1,
        paidOnTime: 1,
        workingDays: { p50: 0, p90: 0, p95: 0 },
        calendarDays: { p50: 0, p90: 0, p95: 0 },
      },
      // All: [0, 2, 3, 5, 9, 25] and [0, 2, 3, 7, 11, 36].
      {
        countyCode: null,
        month: null,
        paidClaims: 6,
        paidOnTime: 4,
        workingDays: { p50: 4, p90: 17, p95: 21 },
        calendarDays: { p50: 5, p90: 23.5, p95: 29.75 },
      },
    ]);

    const scoped = await h.gql(REPORT, { year: 2020 }, dafangCoordinator);
    expect(
      scoped.data!.claimSlaReport.rows.map((r: { countyCode: string | null; paidClaims: number }) => [
        r.countyCode,
        r.paidClaims,
      ]),
    ).toEqual([
      [DAFANG, 1],
      [DAFANG, 1],
      [null, 1],
    ]);
    const one = await h.gql(REPORT, { year: 2020, county: DAFANG }, reviewer);
    expect(one.data!.claimSlaReport.rows).toHaveLength(3);
    const empty = await h.gql(REPORT, { year: 2019 }, reviewer);
    expect(empty.data!.claimSlaReport.rows).toEqual([
      { countyCode: null, month: null, paidClaims: 0, paidOnTime: 0, workingDays: null, calendarDays: null },
    ]);
    const bad = await h.gql(REPORT, { year: 1999 }, reviewer);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'year' });
  });
});

describe('due dates, overdue and due-soon lists', () => {
  it('due 5 working days after submission, across the National Day holidays; overdue and due-soon by the calendar', async () => {
    h.clock.set('2020-09-28T02:00:00Z'); // Monday 28 September
    try {
      const p = await person(h, xide);
      const review = await submitClaim(
        h,
        xideCoordinator,
        claimInput(p.nationalId, {
          totalCost: '60000.00',
          basicInsurancePaid: '30000.00',
          criticalIllnessPaid: '0',
          medicalAssistancePaid: '0',
          excludedCost: '0',
          admissionDate: '2020-09-01',
          dischargeDate: '2020-09-10',
        }),
      );
      const approved = await submitClaim(
        h,
        xideCoordinator,
        claimInput(p.nationalId, { admissionDate: '2020-09-14', dischargeDate: '2020-09-15' }),
      );
      const waiting = await submitClaim(
        h,
        xideCoordinator,
        claimInput(p.nationalId, {
          admissionDate: '2020-09-20',
          dischargeDate: '2020-09-21',
          documents: [doc('INVOICE')],
        }),
      );
      expect([review.status, approved.status, waiting.status]).toEqual([
        'UNDER_REVIEW',
        'APPROVED',
        'NEEDS_INFO',
      ]);
      // Tue 29 (1), Wed 30 (2), 1–8 Oct holidays, Fri 9 (3), Sat 10 make-up day (4), Mon 12 (5).
      expect([review.dueDate, approved.dueDate, waiting.dueDate]).toEqual(['2020-10-12', '2020-10-12', null]);
      const mine = { filter: { insuredId: String(p.insuredId) } };

      h.clock.set('2020-10-09T02:00:00Z'); // Friday 9 October: two working days ahead is Monday 12
      expect(ids(await h.gql(DUE_SOON, { n: 2 }, xideCoordinator), 'claimsDueSoon')).toEqual([
        review.id,
        approved.id,
      ]);
      expect(ids(await h.gql(DUE_SOON, { n: 0 }, xideCoordinator), 'claimsDueSoon')).toEqual([]);
      expect((await h.gql(OVERDUE, {}, xideCoordinator)).data!.overdueClaims.totalCount).toBe(0);

      h.clock.set('2020-10-13T02:00:00Z'); // Tuesday 13 October
      const overdue = await h.gql(OVERDUE, {}, xideCoordinator);
      expect(ids(overdue, 'overdueClaims')).toEqual([review.id, approved.id]);
      expect(overdue.data!.overdueClaims.edges.every((e: { node: ClaimData }) => e.node.overdue)).toBe(true);
      expect(ids(await h.gql(OVERDUE, { county: DAFANG }, reviewer), 'overdueClaims')).toEqual([
        unpaidDafang.id,
      ]);
      expect(ids(await h.gql(OVERDUE, {}, dafangCoordinator), 'overdueClaims')).toEqual([unpaidDafang.id]);
      expect(ids(await h.gql(OVERDUE, {}, reviewer), 'overdueClaims')).toEqual([
        unpaidDafang.id,
        review.id,
        approved.id,
      ]);
      expect(ids(await h.gql(LIST, { filter: { ...mine.filter, overdue: false } }, reviewer))).toEqual([
        waiting.id,
      ]);
      expect(
        ids(await h.gql(LIST, { filter: { ...mine.filter, dueBefore: '2020-10-13' } }, reviewer)),
      ).toEqual([review.id, approved.id]);

      // Paid claims are no longer overdue.
      await paid(approved.id, '2020-10-13T09:00:00+08:00');
      expect(ids(await h.gql(OVERDUE, {}, xideCoordinator), 'overdueClaims')).toEqual([review.id]);

      // Ordered by due date (paused claims last), paged with cursors.
      const later = await submitClaim(
        h,
        xideCoordinator,
        claimInput(p.nationalId, { admissionDate: '2020-10-01', dischargeDate: '2020-10-02' }),
      );
      expect(later.dueDate).toBe('2020-10-20');
      const page1 = await h.gql(LIST, { ...mine, orderBy: 'DUE_DATE', page: { first: 2 } }, reviewer);
      expect(ids(page1)).toEqual([review.id, approved.id]);
      const page2 = await h.gql(
        LIST,
        { ...mine, orderBy: 'DUE_DATE', page: { first: 2, after: page1.data!.claims.pageInfo.endCursor } },
        reviewer,
      );
      expect(ids(page2)).toEqual([later.id, waiting.id]);
      const page3 = await h.gql(
        LIST,
        { ...mine, orderBy: 'DUE_DATE', page: { first: 2, after: page2.data!.claims.pageInfo.endCursor } },
        reviewer,
      );
      expect(ids(page3)).toEqual([]);

      // Other filters: by national ID, by flag.
      expect(ids(await h.gql(LIST, { filter: { nationalId: p.nationalId } }, reviewer))).toHaveLength(4);
      const flagged = await person(h, xide, { countyCode: DAFANG });
      const f = await submitClaim(
        h,
        xideCoordinator,
        claimInput(flagged.nationalId, { admissionDate: '2020-10-01', dischargeDate: '2020-10-02' }),
      );
      expect(ids(await h.gql(LIST, { filter: { flag: 'ID_REGION_MISMATCH' } }, reviewer))).toEqual([f.id]);
    } finally {
      h.clock.set(MONDAY);
    }
  });
});
