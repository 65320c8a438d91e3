/**
 * The role matrix of api-security.md, as one table: every query and mutation of the schema
 * must appear here (a new operation without an entry fails the first test), and each entry
 * is checked against real tokens: the roles listed get past authorization, every other role
 * gets FORBIDDEN, and no token gets UNAUTHENTICATED. Operations run with placeholder
 * arguments built from the schema, so an allowed call may still fail for its input
 * (NOT_FOUND, BAD_USER_INPUT): that is past the role check, which is what is tested here.
 * Scope (county, province) is tested in each module's own tests.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { buildPillarSchema } from '../../src/graphql/schema';
import { Role, startHarness, type Harness } from '../helpers/harness';
import { expectRoles } from '../helpers/roles';
import { seedReferenceData } from '../factories/reference';

const { ADMIN, ACTUARY, CLAIMS_REVIEWER: REVIEWER, FOUNDATION, COORDINATOR, INTEGRATION } = Role;
const ALL_BUT_INTEGRATION = [ADMIN, ACTUARY, REVIEWER, FOUNDATION, COORDINATOR];

/** Operation → roles allowed (api-security.md; the module READMEs say where it was silent). */
export const MATRIX: Record<string, Role[]> = {
  // tokens, counties, calendars, programmes, plans
  apiTokens: [ADMIN],
  createApiToken: [ADMIN],
  revokeApiToken: [ADMIN],
  counties: ALL_BUT_INTEGRATION,
  county: ALL_BUT_INTEGRATION,
  upsertCounty: [ADMIN],
  calendarDays: ALL_BUT_INTEGRATION,
  addWorkingDays: ALL_BUT_INTEGRATION,
  setCalendarDay: [ADMIN],
  removeCalendarDay: [ADMIN],
  programmes: ALL_BUT_INTEGRATION,
  programme: ALL_BUT_INTEGRATION,
  createProgramme: [ADMIN, FOUNDATION],
  updateProgramme: [ADMIN, FOUNDATION],
  updateProgrammeBudget: [ADMIN, FOUNDATION],
  benefitPlans: ALL_BUT_INTEGRATION,
  benefitPlan: ALL_BUT_INTEGRATION,
  createBenefitPlan: [ADMIN, ACTUARY],
  // rate tables, quotes, studies: ADMIN and ACTUARY write; FOUNDATION reads quotes
  rateTables: [ADMIN, ACTUARY],
  rateTable: [ADMIN, ACTUARY],
  createRateTable: [ADMIN, ACTUARY],
  publishRateTable: [ADMIN, ACTUARY],
  retireRateTable: [ADMIN, ACTUARY],
  previewQuote: [ADMIN, ACTUARY],
  quoteContract: [ADMIN, ACTUARY],
  quoteProgramme: [ADMIN, ACTUARY],
  quote: [ADMIN, ACTUARY, FOUNDATION],
  contractQuotes: [ADMIN, ACTUARY, FOUNDATION],
  simulatePlans: [ADMIN, ACTUARY, FOUNDATION],
  // contracts: ADMIN and FOUNDATION write, ACTUARY quotes (reads), COORDINATOR reads own county
  contracts: [ADMIN, ACTUARY, FOUNDATION, COORDINATOR],
  contract: [ADMIN, ACTUARY, FOUNDATION, COORDINATOR],
  createContract: [ADMIN, FOUNDATION],
  updateContract: [ADMIN, FOUNDATION],
  cancelContract: [ADMIN, FOUNDATION],
  approveContract: [ADMIN, FOUNDATION],
  runContractLifecycleSweep: [ADMIN],
  auditEvents: [ADMIN, ACTUARY, REVIEWER, FOUNDATION],
  job: ALL_BUT_INTEGRATION,
  // rosters: ADMIN and FOUNDATION write, ACTUARY reads aggregates, REVIEWER reads, COORDINATOR own county
  rosterImport: ALL_BUT_INTEGRATION,
  rosterImports: ALL_BUT_INTEGRATION,
  rosterRejects: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  insured: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  addCoverage: [ADMIN, FOUNDATION, COORDINATOR],
  endCoverage: [ADMIN, FOUNDATION, COORDINATOR],
  endorsements: [ADMIN, ACTUARY, FOUNDATION, COORDINATOR],
  // coverage look-up: everyone; COORDINATOR own county, INTEGRATION scoped
  coverage: [ADMIN, ACTUARY, REVIEWER, FOUNDATION, COORDINATOR, INTEGRATION],
  coverages: [ADMIN, ACTUARY, REVIEWER, FOUNDATION, COORDINATOR, INTEGRATION],
  // personal data
  revealNationalId: [ADMIN, REVIEWER],
  rotatePiiKey: [ADMIN],
  // claims: submit/supplement by ADMIN, REVIEWER, COORDINATOR (own county); review by ADMIN, REVIEWER;
  // FOUNDATION and COORDINATOR (own county) read
  submitClaim: [ADMIN, REVIEWER, COORDINATOR],
  supplementClaim: [ADMIN, REVIEWER, COORDINATOR],
  approveClaim: [ADMIN, REVIEWER],
  rejectClaim: [ADMIN, REVIEWER],
  requestClaimInfo: [ADMIN, REVIEWER],
  adjustClaim: [ADMIN, REVIEWER],
  updatePayeeAccount: [ADMIN, REVIEWER],
  claim: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  claimByNumber: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  claims: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  overdueClaims: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  claimsDueSoon: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  claimSlaReport: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  // studies: ADMIN and ACTUARY
  chainLadder: [ADMIN, ACTUARY],
  runLossStudy: [ADMIN, ACTUARY],
  runExperienceStudy: [ADMIN, ACTUARY],
  proposeRateTable: [ADMIN, ACTUARY],
  actuarialStudy: [ADMIN, ACTUARY],
  actuarialStudies: [ADMIN, ACTUARY],
  // renewals: the foundation renews; actuaries read the runs
  startRenewalRun: [ADMIN, FOUNDATION],
  renewalRun: [ADMIN, ACTUARY, FOUNDATION],
  renewalRuns: [ADMIN, ACTUARY, FOUNDATION],
  renewalPipeline: [ADMIN, FOUNDATION],
  // webhooks: ADMIN and integrations (their own)
  webhookSubscriptions: [ADMIN, INTEGRATION],
  webhookDeliveries: [ADMIN, INTEGRATION],
  createWebhookSubscription: [ADMIN, INTEGRATION],
  deleteWebhookSubscription: [ADMIN, INTEGRATION],
  // payouts (claims: review, payouts): ADMIN and REVIEWER write, FOUNDATION reads, COORDINATOR reads own county
  runSettlement: [ADMIN, REVIEWER],
  confirmPayoutBatch: [ADMIN, REVIEWER],
  payoutBatches: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  payoutBatch: [ADMIN, REVIEWER, FOUNDATION, COORDINATOR],
  payoutReconciliation: [ADMIN, REVIEWER, FOUNDATION],
};

/** A value of an input type that parses (so the call reaches its resolver). */
function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [placeholder(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields()))
      if (isNonNullType(f.type)) out[f.name] = placeholder(f.type);
    return out;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return 1;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return false;
      case 'ID':
        return '1';
      case 'Date':
        return '2020-03-02';
      case 'Money':
        return '1.00';
      case 'DateTimeISO':
        return '2030-01-01T00:00:00.000Z';
      case 'JSON':
        return {};
      default:
        return 'x';
    }
  }
  throw new Error(`no placeholder for ${String(type)}`);
}

function operation(
  kind: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
): { text: string; variables: Record<string, unknown> } {
  const required = field.args.filter((a) => isNonNullType(a.type));
  const decl = required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection =
    getNamedType(field.type) && 'getFields' in getNamedType(field.type) ? ' { __typename }' : '';
  return {
    text: `${kind}${decl ? `(${decl})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
    variables: Object.fromEntries(required.map((a) => [a.name, placeholder(a.type)])),
  };
}

let h: Harness;
let query: GraphQLObjectType;
let mutation: GraphQLObjectType;

beforeAll(async () => {
  h = await startHarness();
  await seedReferenceData(h);
  const schema = await buildPillarSchema();
  query = schema.getQueryType()!;
  mutation = schema.getMutationType()!;
});
afterAll(async () => h?.close());

describe('role matrix', () => {
  it('has an entry for every operation of the schema, and none for an operation that does not exist', () => {
    const ops = [...Object.keys(query.getFields()), ...Object.keys(mutation.getFields())].sort();
    expect(Object.keys(MATRIX).sort()).toEqual(ops);
  });

  it.each(Object.keys(MATRIX))('%s', async (name) => {
    const field = query.getFields()[name] ?? mutation.getFields()[name];
    if (!field) throw new Error(`${name} is not in the schema`);
    const { text, variables } = operation(query.getFields()[name] ? 'query' : 'mutation', field);
    await expectRoles(h, text, variables, MATRIX[name]!);
  });
});
