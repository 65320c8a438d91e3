import { Role, startHarness, type Harness } from '../helpers/harness';
import { seedReferenceData } from '../factories/reference';
import {
  APPROVE,
  claimInput,
  claimMutation,
  createClaimsWorld,
  DAFANG,
  doc,
  GET,
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
let foundation: string;
let actuary: string;
let xideCoordinator: string;
let dafangCoordinator: string;
let story: ClaimData;
let pending: ClaimData;
let dafangClaim: ClaimData;

const LIST = `query($filter: ClaimFilterInput, $page: PageInput) { claims(filter: $filter, page: $page) {
  totalCount edges { cursor node { id claimNumber status countyCode dueDate missingDocuments payeeAccount nextStep { zh en }
  insured { id name nationalIdMasked } } } pageInfo { hasNextPage endCursor } } }`;
const BY_NUMBER = `query($n: String!) { claimByNumber(claimNumber: $n) { id claimNumber } }`;

async function eob(claimNumber: string, format: 'html' | 'txt', token?: string) {
  const res = await fetch(`${h.url}/claims/${encodeURIComponent(claimNumber)}/eob.${format}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    cache: res.headers.get('cache-control'),
    body: await res.text(),
  };
}

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  const world = await createClaimsWorld(h, 2020, [XIDE, DAFANG]);
  xide = world.contracts.get(`${XIDE}:2020`)!;
  dafang = world.contracts.get(`${DAFANG}:2020`)!;
  reviewer = await h.token(Role.CLAIMS_REVIEWER);
  foundation = await h.token(Role.FOUNDATION);
  actuary = await h.token(Role.ACTUARY);
  xideCoordinator = await h.token(Role.COORDINATOR, { countyCodes: [XIDE] });
  dafangCoordinator = await h.token(Role.COORDINATOR, { countyCodes: [DAFANG] });

  // The 2019 story, filed in 2020: 189,003 billed, 41,696 still owed after government reimbursement.
  const family = await person(h, xide, { name: '高伍格斯', gender: 'F', birthDate: '1988-03-03' });
  const filed = await submitClaim(
    h,
    xideCoordinator,
    claimInput(family.nationalId, {
      admissionDate: '2020-01-06',
      dischargeDate: '2020-02-20',
      hospitalName: '凉山州第一人民医院',
      hospitalLevel: 'CITY',
      totalCost: '189003.00',
      basicInsurancePaid: '120000.00',
      criticalIllnessPaid: '20000.00',
      medicalAssistancePaid: '7307.00',
      excludedCost: '0.00',
      payeeAccount: '6228480000001234567',
    }),
  );
  expect(filed).toMatchObject({ status: 'UNDER_REVIEW', eligibleOutOfPocket: '41696.00', flags: [] }); // pays more than 10,000
  story = await claimMutation(h, reviewer, APPROVE, { claimId: filed.id, version: filed.version });

  const other = await person(h, xide);
  pending = await submitClaim(
    h,
    xideCoordinator,
    claimInput(other.nationalId, { documents: [doc('INVOICE')] }),
  );
  const elsewhere = await person(h, dafang);
  dafangClaim = await submitClaim(h, dafangCoordinator, claimInput(elsewhere.nationalId));
}, 60_000);
afterAll(async () => h?.close());

describe('the 2019 story through the API', () => {
  it('owed 41,696 with nothing earlier → pays 20,617.60, and the explanation says so in both languages', async () => {
    expect(story).toMatchObject({ status: 'APPROVED', payable: '20617.60', priorEligible: '0.00' });
    expect(story.working.tiers).toEqual([
      { index: 0, amount: '9000.00', share: '3600' },
      { index: 1, amount: '20000.00', share: '10000' },
      { index: 2, amount: '11696.00', share: '7017.6' },
    ]);
    const res = await h.gql(GET, { id: story.id }, xideCoordinator);
    const e = res.data!.claim.explanation;
    expect(e.lines.map((l: { code: string; amount: string }) => `${l.code}=${l.amount}`)).toEqual([
      'BILLED=189003.00',
      'BASIC_INSURANCE=120000.00',
      'CRITICAL_ILLNESS=20000.00',
      'MEDICAL_ASSISTANCE=7307.00',
      'EXCLUDED=0.00',
      'COUNTED=41696.00',
      'COUNTED_EARLIER=0.00',
      'DEDUCTIBLE=1000.00',
      'TIER_1=3600.00',
      'TIER_2=10000.00',
      'TIER_3=7017.60',
      'PAID=20617.60',
    ]);
    expect(e.en).toContain('Amount paid: 20,617.60 yuan');
    expect(e.zh).toContain('本次赔付：20,617.60 元');
    expect(e.zh).toContain('高伍格斯'); // the county's coordinator sees the name in full
    const masked = await h.gql(GET, { id: story.id }, foundation);
    expect(masked.data!.claim.explanation.zh).toContain('高***');
    expect(masked.data!.claim.explanation.zh).not.toContain('高伍格斯');
  });

  it('prints the explanation at GET /claims/:claimNumber/eob.html and .txt', async () => {
    const html = await eob(story.claimNumber, 'html', xideCoordinator);
    expect(html).toMatchObject({ status: 200, cache: 'no-store' });
    expect(html.type).toMatch(/^text\/html; charset=utf-8/);
    expect(html.body).toContain('<!doctype html>');
    expect(html.body).toContain('20,617.60');
    expect(html.body).toContain(story.claimNumber);
    const txt = await eob(story.claimNumber, 'txt', reviewer);
    expect(txt.status).toBe(200);
    expect(txt.type).toMatch(/^text\/plain; charset=utf-8/);
    expect(txt.body).toContain('本次赔付：20,617.60 元');
    expect(txt.body).toContain('Amount paid: 20,617.60 yuan');
  });
});

describe('the EOB route: bearer auth and scope', () => {
  it('401 without a token, 403 for a role that does not read claims', async () => {
    expect((await eob(story.claimNumber, 'txt')).status).toBe(401);
    expect((await eob(story.claimNumber, 'txt', 'not-a-token')).status).toBe(401);
    expect((await eob(story.claimNumber, 'txt', actuary)).status).toBe(403);
  });

  it('404 outside the coordinator’s county (and for unknown numbers), 409 before a decision', async () => {
    expect((await eob(story.claimNumber, 'html', dafangCoordinator)).status).toBe(404);
    expect((await eob('CLM-000000-2020-000001', 'html', reviewer)).status).toBe(404);
    expect((await eob(pending.claimNumber, 'txt', xideCoordinator)).status).toBe(409);
    expect((await eob(dafangClaim.claimNumber, 'txt', dafangCoordinator)).status).toBe(200);
    expect((await eob(dafangClaim.claimNumber, 'txt', foundation)).status).toBe(200);
  });
});

describe('the coordinator’s view: their county only', () => {
  it('lists their county’s claims with status, due date and what is missing', async () => {
    const res = await h.gql(LIST, {}, xideCoordinator);
    const nodes = res.data!.claims.edges.map((e: { node: ClaimData }) => e.node);
    expect(nodes.every((n: ClaimData) => n.countyCode === XIDE)).toBe(true);
    expect(res.data!.claims.totalCount).toBe(2);
    const p = nodes.find((n: ClaimData) => n.id === pending.id);
    expect(p).toMatchObject({ status: 'NEEDS_INFO', dueDate: null, missingDocuments: ['DISCHARGE_SUMMARY'] });
    expect(p.nextStep.zh).toBe('请补交：出院小结（补齐后继续计时）');
    const s = nodes.find((n: ClaimData) => n.id === story.id);
    expect(s).toMatchObject({
      status: 'APPROVED',
      dueDate: '2020-03-09',
      payeeAccount: '6228480000001234567',
      insured: { name: '高伍格斯' },
    });
    expect(s.nextStep.en).toBe('Approved; payment due by 2020-03-09');
  });

  it('cannot read another county’s claim by id or number (NOT_FOUND), nor list it by filter', async () => {
    const byId = await h.gql(GET, { id: dafangClaim.id }, xideCoordinator);
    expect(byId.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const byNumber = await h.gql(BY_NUMBER, { n: dafangClaim.claimNumber }, xideCoordinator);
    expect(byNumber.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const filtered = await h.gql(LIST, { filter: { countyCode: DAFANG } }, xideCoordinator);
    expect(filtered.data!.claims.totalCount).toBe(0);
    const own = await h.gql(BY_NUMBER, { n: dafangClaim.claimNumber }, dafangCoordinator);
    expect(own.data!.claimByNumber.id).toBe(dafangClaim.id);
  });

  it('FOUNDATION reads every county, with names and accounts masked', async () => {
    const res = await h.gql(LIST, {}, foundation);
    expect(res.data!.claims.totalCount).toBe(3);
    const s = res.data!.claims.edges.find((e: { node: ClaimData }) => e.node.id === story.id).node;
    expect(s.payeeAccount).toBe('***************4567');
    expect(s.insured.name).toBe('高***');
  });

  it('pages with cursors and filters by status and submission date', async () => {
    const first = await h.gql(LIST, { page: { first: 2 } }, reviewer);
    expect(first.data!.claims).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const next = await h.gql(
      LIST,
      { page: { first: 2, after: first.data!.claims.pageInfo.endCursor } },
      reviewer,
    );
    expect(next.data!.claims.edges.map((e: { node: ClaimData }) => e.node.id)).toEqual([dafangClaim.id]);
    const needsInfo = await h.gql(LIST, { filter: { statuses: ['NEEDS_INFO'] } }, reviewer);
    expect(needsInfo.data!.claims.edges.map((e: { node: ClaimData }) => e.node.id)).toEqual([pending.id]);
    const today = await h.gql(
      LIST,
      { filter: { submittedFrom: '2020-03-02', submittedTo: '2020-03-02' } },
      reviewer,
    );
    expect(today.data!.claims.totalCount).toBe(3);
    const none = await h.gql(LIST, { filter: { submittedTo: '2020-03-01' } }, reviewer);
    expect(none.data!.claims.totalCount).toBe(0);
    const bad = await h.gql(LIST, { filter: { countyCode: 'abc' } }, reviewer);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.countyCode' });
    const badCursor = await h.gql(LIST, { page: { after: 'zzz' } }, reviewer);
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'page.after' });
  });
});

describe('nested reads batch through DataLoaders (no N+1)', () => {
  const NESTED = `query { claims(page: { first: 100 }) { totalCount edges { node { id insured { name nationalIdMasked } documents { kind }
    adjustments { id } explanation { en } nextStep { en } overdue payeeAccount } } } }`;

  async function count(): Promise<{ n: number; claims: number }> {
    const statements: string[] = [];
    const knex = h.rt.orm.em.getConnection().getKnex();
    const listener = (q: { sql: string }) => statements.push(q.sql);
    knex.on('query', listener);
    try {
      const res = await h.gql(NESTED, {}, reviewer);
      expect(res.errors).toBeUndefined();
      return { n: statements.length, claims: res.data!.claims.totalCount };
    } finally {
      knex.removeListener('query', listener);
    }
  }

  it('the same number of statements for 3 claims and for 13', async () => {
    const before = await count();
    for (let i = 0; i < 10; i++) {
      const p = await person(h, xide);
      await submitClaim(h, xideCoordinator, claimInput(p.nationalId));
    }
    const after = await count();
    expect(after.claims).toBe(before.claims + 10);
    expect(after.n).toBe(before.n);
  });
});
