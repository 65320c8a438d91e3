import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { TokenResolver } from '../modules/auth/token.resolver';
import { CountyResolver } from '../modules/counties/county.resolver';
import { CalendarResolver } from '../modules/calendar/calendar.resolver';
import { PlanResolver } from '../modules/pricing/plan.resolver';
import { RateTableResolver } from '../modules/pricing/rate-table.resolver';
import { ProgrammeResolver } from '../modules/programmes/programme.resolver';
import { ContractResolver } from '../modules/contracts/contract.resolver';
import { AuditResolver } from '../modules/audit/audit.resolver';
import { JobResolver } from '../modules/jobs/job.resolver';
import { QuoteResolver } from '../modules/pricing/quote.resolver';
import { WebhookResolver } from '../modules/events/webhook.resolver';
import { CoverageRecordResolver, CoverageResolver } from '../modules/coverage/coverage.resolver';
import { EndorsementResolver } from '../modules/coverage/endorsement.resolver';
import { InsuredResolver } from '../modules/enrollment/insured.resolver';
import { RosterResolver } from '../modules/enrollment/roster.resolver';
import { ActuarialStudyResolver } from '../modules/actuarial/study.resolver';
import { RenewalResolver } from '../modules/renewals/renewal.resolver';
import { PayoutResolver } from '../modules/payouts/payout.resolver';
import { ClaimResolver } from '../modules/claims/claim.resolver';
import { AuthChecker } from './auth-checker';

// Every resolver of the API, listed once.
export const RESOLVERS: NonEmptyArray<Function> = [
  CountyResolver,
  ProgrammeResolver,
  PlanResolver,
  RateTableResolver,
  ContractResolver,
  QuoteResolver,
  AuditResolver,
  CalendarResolver,
  TokenResolver,
  JobResolver,
  WebhookResolver,
  CoverageResolver,
  CoverageRecordResolver,
  EndorsementResolver,
  InsuredResolver,
  RosterResolver,
  ActuarialStudyResolver,
  RenewalResolver,
  PayoutResolver,
  ClaimResolver,
];

let cached: GraphQLSchema | undefined;

/** The executable schema (built once per process; type-graphql metadata is global). */
export async function buildPillarSchema(): Promise<GraphQLSchema> {
  if (!cached) {
    const schema = await buildSchema({
      resolvers: RESOLVERS,
      authChecker: AuthChecker,
      authMode: 'error',
      validate: false,
    });
    // type-graphql has no decorator for the root types' own descriptions.
    schema.getQueryType()!.description =
      'Reads. Every field needs a bearer token; roles and county scope apply.';
    schema.getMutationType()!.description =
      'Changes. Each takes one `input` and returns a payload with the changed object; errors carry a code and a field.';
    cached = schema;
  }
  return cached;
}

/** The SDL as committed in schema/schema.graphql (sorted, so diffs are stable). */
export async function printPillarSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildPillarSchema()))}\n`;
}
