import { Role, type Harness } from './harness';

export const ALL_ROLES: Role[] = [
  Role.ADMIN,
  Role.ACTUARY,
  Role.CLAIMS_REVIEWER,
  Role.FOUNDATION,
  Role.COORDINATOR,
  Role.INTEGRATION,
];

/**
 * Checks one operation against the role matrix: each allowed role gets past authorization
 * (no UNAUTHENTICATED/FORBIDDEN), each other role gets FORBIDDEN, and no token gets
 * UNAUTHENTICATED. `scope` gives the county a COORDINATOR (or INTEGRATION) token is for.
 * Operations may fail for other reasons (NOT_FOUND, BAD_USER_INPUT): that is still "allowed".
 */
export async function expectRoles(
  h: Harness,
  query: string,
  variables: Record<string, unknown>,
  allowed: Role[],
  scope: { countyCodes?: string[] } = {},
): Promise<void> {
  const anonymous = await h.gql(query, variables);
  // On failure, show the whole error (an input that does not parse fails before authorization).
  const first = anonymous.errors?.[0];
  expect(first?.extensions?.code === 'UNAUTHENTICATED' ? 'UNAUTHENTICATED' : first).toBe('UNAUTHENTICATED');
  for (const role of ALL_ROLES) {
    const needsCounty = role === Role.COORDINATOR;
    const token = await h.token(role, needsCounty ? { countyCodes: scope.countyCodes ?? ['513432'] } : {});
    const res = await h.gql(query, variables, token);
    const codes = (res.errors ?? []).map((e) => e.extensions?.code);
    if (allowed.includes(role)) {
      expect({ role, codes }).toEqual({
        role,
        codes: codes.filter((c) => c !== 'FORBIDDEN' && c !== 'UNAUTHENTICATED'),
      });
    } else {
      expect({ role, code: codes[0] }).toEqual({ role, code: 'FORBIDDEN' });
    }
  }
}
