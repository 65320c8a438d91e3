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

  it('looks a token up once while listening for changes, and forgets it when its row changes anywhere', async () => {
    const token = await h.token(Role.ACTUARY);
    const spy = jest.spyOn(h.rt.pg, 'query');
    const lookups = () =>
      spy.mock.calls.filter(
        (c) => (c[0] as unknown as { name?: string }).name === 'api-token-authenticate-v1',
      ).length;
    try {
      expect((await h.gql(COUNTIES, {}, token)).errors).toBeUndefined();
      expect((await h.gql(COUNTIES, {}, token)).errors).toBeUndefined();
      expect(lookups()).toBe(1);
      // Revoked behind the API's back (another process, the CLI, plain SQL): the trigger's
      // notice reaches this process and the next request reads the row again.
      const [{ id }] = await h.sql(`select id from api_token where prefix = $1`, [token.slice(0, 10)]);
      await h.sql(`update api_token set revoked_at = now() where id = $1`, [id]);
      const until = Date.now() + 2_000;
      let code: unknown;
      do {
        await new Promise((r) => setTimeout(r, 20));
        code = (await h.gql(COUNTIES, {}, token)).errors?.[0]?.extensions?.code;
      } while (code !== 'UNAUTHENTICATED' && Date.now() < until);
      expect(code).toBe('UNAUTHENTICATED');
      expect(lookups()).toBeGreaterThan(1);
    } finally {
      spy.mockRestore();
    }
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
