import { Role, startHarness, type Harness } from '../helpers/harness';

let small: Harness;
let token: string;
beforeAll(async () => {
  small = await startHarness({ env: { MAX_QUERY_COST: '10' } });
  token = await small.token(Role.ADMIN);
});
afterAll(async () => small?.close());

describe('query cost limit', () => {
  // Every field costs 1: an alias of `counties { totalCount }` costs 2.
  const aliases = (n: number, directive = '') =>
    Array.from({ length: n }, (_, i) => `a${i}: counties ${directive} { totalCount }`).join(' ');

  it('refuses an operation over the limit, every time the same document comes', async () => {
    const query = `{ ${aliases(6)} }`;
    for (let i = 0; i < 2; i++) {
      const res = await small.gql(query, {}, token);
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'query',
        reason: 'COST_LIMIT',
      });
    }
    expect((await small.gql(`{ ${aliases(5)} }`, {}, token)).errors).toBeUndefined();
  });

  it('counts @include/@skip by the variables of each request', async () => {
    const query = `query($big: Boolean!) { ${aliases(3)} ${aliases(3, '@include(if: $big)').replace(/a(\d)/g, 'b$1')} }`;
    expect((await small.gql(query, { big: false }, token)).errors).toBeUndefined();
    const big = await small.gql(query, { big: true }, token);
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'COST_LIMIT' });
    expect((await small.gql(query, { big: false }, token)).errors).toBeUndefined();
  });

  it('reports variables that do not fit their types as BAD_USER_INPUT', async () => {
    const res = await small.gql(
      `query($big: Boolean!) { counties @include(if: $big) { totalCount } }`,
      { big: 'yes' },
      token,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
