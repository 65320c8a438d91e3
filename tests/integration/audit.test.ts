import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';
import { contractVersion, createDraftContract, createProgramme, quoteContract } from '../factories/contracts';

let h: Harness;
let admin: string;
let foundation: string;
let actuary: string;

const XIDE = '513432';
const DAFANG = '520521';

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  admin = await h.token(Role.ADMIN);
  foundation = await h.token(Role.FOUNDATION);
  actuary = await h.token(Role.ACTUARY);
});
afterAll(async () => h?.close());

const AUDIT = `query($type: String!, $id: ID!) {
  auditEvents(entityType: $type, entityId: $id) {
    id at actorTokenId actorRole entityType entityId action fromState toState changes requestId
  } }`;
const CREATE = `mutation($input: CreateContractInput!) { createContract(input: $input) { contract { id version } } }`;
const APPROVE = `mutation($input: ApproveContractInput!) { approveContract(input: $input) { contract { id version } } }`;
const CANCEL = `mutation($input: CancelContractInput!) { cancelContract(input: $input) { contract { id version } } }`;

/** A GraphQL call with our own request id, to see it in the trail. */
async function gqlWithRequestId(
  query: string,
  variables: Record<string, unknown>,
  token: string,
  requestId: string,
) {
  const res = await fetch(`${h.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-request-id': requestId,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

async function tokenId(secret: string): Promise<string> {
  const [row] = await h.sql<{ id: number }>('select id from api_token where prefix = $1', [
    secret.slice(0, 10),
  ]);
  return String(row!.id);
}

describe('auditEvents', () => {
  it('shows every transition of a contract, oldest first, with actor, states, changes and request id', async () => {
    const p = await createProgramme(h, { year: 2020, budget: '500000.00' });
    const created = await gqlWithRequestId(
      CREATE,
      {
        input: {
          countyCode: XIDE,
          programmeYear: 2020,
          periodStart: '2020-03-01',
          periodEnd: '2021-02-28',
          declaredHeadCount: 800,
        },
      },
      admin,
      'req-audit-create',
    );
    expect(created.errors).toBeUndefined();
    const id = created.data.createContract.contract.id as string;
    await quoteContract(h, Number(id), { perCapita: '150.00', insuredCount: 800 });
    const approved = await gqlWithRequestId(
      APPROVE,
      { input: { id, version: await contractVersion(h, id) } },
      foundation,
      'req-audit-approve',
    );
    expect(approved.errors).toBeUndefined();
    await h.rt.services.contracts.runLifecycleSweep(h.em(), '2020-03-01');
    await h.rt.services.contracts.runLifecycleSweep(h.em(), '2021-03-01');

    const res = await h.gql(AUDIT, { type: 'CountyContract', id }, actuary);
    expect(res.errors).toBeUndefined();
    const events = res.data!.auditEvents;
    expect(events.map((e: any) => [e.action, e.fromState, e.toState, e.actorRole])).toEqual([
      ['CREATE', null, 'DRAFT', 'ADMIN'],
      ['QUOTE', 'DRAFT', 'QUOTED', 'SYSTEM'],
      ['APPROVE', 'QUOTED', 'APPROVED', 'FOUNDATION'],
      ['ACTIVATE', 'APPROVED', 'ACTIVE', 'SYSTEM'],
      ['EXPIRE', 'ACTIVE', 'EXPIRED', 'SYSTEM'],
    ]);
    const [create, , approve, activate] = events;
    expect(create).toMatchObject({
      entityType: 'CountyContract',
      entityId: id,
      actorTokenId: await tokenId(admin),
      requestId: 'req-audit-create',
    });
    expect(create.changes).toMatchObject({
      countyCode: XIDE,
      programmeYear: 2020,
      planId: p.planId,
      declaredHeadCount: 800,
    });
    expect(approve).toMatchObject({
      actorTokenId: await tokenId(foundation),
      requestId: 'req-audit-approve',
    });
    expect(approve.changes).toMatchObject({
      totalPremium: '120000.00',
      budget: { budget: '500000.00', committed: '0.00', requested: '120000.00', withinBudget: true },
    });
    expect(activate).toMatchObject({ actorTokenId: null, requestId: null, changes: { asOf: '2020-03-01' } });
    expect(new Date(events[0].at).getTime()).toBeLessThanOrEqual(new Date(events[4].at).getTime());
    const ids = events.map((e: any) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('records a cancellation with its reason', async () => {
    const p = await createProgramme(h, { year: 2021 });
    const c = await createDraftContract(h, p, { countyCode: XIDE });
    expect(
      (
        await h.gql(
          CANCEL,
          { input: { id: String(c.id), version: 1, reason: 'merged into prefecture pilot' } },
          foundation,
        )
      ).errors,
    ).toBeUndefined();
    const res = await h.gql(AUDIT, { type: 'CountyContract', id: String(c.id) }, admin);
    expect(res.data!.auditEvents).toMatchObject([
      {
        action: 'CANCEL',
        fromState: 'DRAFT',
        toState: 'CANCELLED',
        changes: { reason: 'merged into prefecture pilot' },
      },
    ]);
  });

  it('returns an empty trail for a record without events', async () => {
    const res = await h.gql(AUDIT, { type: 'CountyContract', id: '999999' }, admin);
    expect(res.data!.auditEvents).toEqual([]);
  });

  it('refuses a malformed entity type', async () => {
    const res = await h.gql(AUDIT, { type: 'County Contract; drop', id: '1' }, admin);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entityType' });
  });

  it('limits county-scoped tokens to the trails of their counties and contracts', async () => {
    const p = await createProgramme(h, { year: 2022 });
    const xide = await createDraftContract(h, p, { countyCode: XIDE });
    const dafang = await createDraftContract(h, p, { countyCode: DAFANG });
    await h.gql(CANCEL, { input: { id: String(xide.id), version: 1, reason: 'x' } }, admin);
    await h.gql(CANCEL, { input: { id: String(dafang.id), version: 1, reason: 'y' } }, admin);
    const scoped = await h.token(Role.FOUNDATION, { countyCodes: [DAFANG] });

    const own = await h.gql(AUDIT, { type: 'CountyContract', id: String(dafang.id) }, scoped);
    expect(own.data!.auditEvents.map((e: any) => e.action)).toEqual(['CANCEL']);
    const foreign = await h.gql(AUDIT, { type: 'CountyContract', id: String(xide.id) }, scoped);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await h.gql(AUDIT, { type: 'County', id: DAFANG }, scoped)).errors).toBeUndefined();
    expect((await h.gql(AUDIT, { type: 'County', id: XIDE }, scoped)).errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await h.gql(AUDIT, { type: 'ApiToken', id: '1' }, scoped)).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('is open to ADMIN, FOUNDATION, ACTUARY and CLAIMS_REVIEWER only', async () => {
    await expectRoles(h, AUDIT, { type: 'CountyContract', id: '1' }, [
      Role.ADMIN,
      Role.FOUNDATION,
      Role.ACTUARY,
      Role.CLAIMS_REVIEWER,
    ]);
  });
});
