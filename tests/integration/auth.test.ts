import { Role, startHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const COUNTIES = '{ counties { totalCount } }';

describe('authentication', () => {
  it('refuses a request without a token', async () => {
    const res = await h.gql(COUNTIES);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an unknown token', async () => {
    const res = await h.gql(COUNTIES, {}, 'plr_not-a-real-token');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a malformed authorization header value', async () => {
    const res = await h.gql(COUNTIES, {}, 'garbage');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('accepts a valid token and refuses it once revoked', async () => {
    const admin = await h.token(Role.ADMIN);
    const actuary = await h.token(Role.ACTUARY);
    expect((await h.gql(COUNTIES, {}, actuary)).errors).toBeUndefined();
    const list = await h.gql('{ apiTokens { id prefix role } }', {}, admin);
    const id = list.data!.apiTokens.find((t: any) => actuary.startsWith(t.prefix) && t.role === 'ACTUARY').id;
    const revoked = await h.gql(
      'mutation($input: RevokeTokenInput!) { revokeApiToken(input: $input) { token { revokedAt } } }',
      { input: { id } },
      admin,
    );
    expect(revoked.data!.revokeApiToken.token.revokedAt).toBeTruthy();
    expect((await h.gql(COUNTIES, {}, actuary)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const audit = await h.sql(
      `select action from audit_event where entity_type = 'ApiToken' and entity_id = $1`,
      [id],
    );
    expect(audit.map((a) => a.action)).toEqual(['CREATE', 'REVOKE']);
  });

  it('refuses an expired token', async () => {
    const token = await h.token(Role.ACTUARY, { expiresAt: new Date(h.clock.now().getTime() + 60_000) });
    expect((await h.gql(COUNTIES, {}, token)).errors).toBeUndefined();
    h.clock.set(new Date(h.clock.now().getTime() + 120_000));
    expect((await h.gql(COUNTIES, {}, token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('stores only the hash of a token', async () => {
    const token = await h.token(Role.ADMIN);
    const rows = await h.sql(`select * from api_token`);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('forbids a role outside the matrix', async () => {
    const integration = await h.token(Role.INTEGRATION);
    expect((await h.gql(COUNTIES, {}, integration)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
