import { ActuarialStudy } from '../modules/actuarial/actuarial-study.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';
import { ApiToken } from '../modules/auth/api-token.entity';
import { CalendarDay } from '../modules/calendar/calendar-day.entity';
import { Claim, ClaimDocument, ClaimSequence } from '../modules/claims/claim.entity';
import { CountyContract } from '../modules/contracts/county-contract.entity';
import { Quote } from '../modules/contracts/quote.entity';
import { County } from '../modules/counties/county.entity';
import { CoverageAccessLog } from '../modules/coverage/access-log.entity';
import { Coverage, Endorsement } from '../modules/coverage/coverage.entity';
import { Insured } from '../modules/enrollment/insured.entity';
import { RosterImport, RosterReject } from '../modules/enrollment/roster-import.entity';
import { OutboxEvent, WebhookDelivery, WebhookSubscription } from '../modules/events/event.entity';
import { PayoutBatch, PayoutLine } from '../modules/payouts/payout.entity';
import { BenefitPlan } from '../modules/pricing/benefit-plan.entity';
import { RateTable } from '../modules/pricing/rate-table.entity';
import { Programme, ProgrammeFunding } from '../modules/programmes/programme.entity';
import { RenewalCounty, RenewalRun } from '../modules/renewals/renewal-run.entity';

/** Every entity, listed once: discovery by class, no folder globbing at run time. */
export const ENTITIES = [
  ActuarialStudy,
  ApiToken,
  AuditEvent,
  BenefitPlan,
  CalendarDay,
  Claim,
  ClaimDocument,
  ClaimSequence,
  County,
  CountyContract,
  Coverage,
  CoverageAccessLog,
  Endorsement,
  Insured,
  OutboxEvent,
  PayoutBatch,
  PayoutLine,
  Programme,
  ProgrammeFunding,
  Quote,
  RateTable,
  RenewalCounty,
  RenewalRun,
  RosterImport,
  RosterReject,
  WebhookDelivery,
  WebhookSubscription,
];
