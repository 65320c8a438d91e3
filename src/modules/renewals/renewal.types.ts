import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { MoneyScalar } from '../../graphql/scalars';
import { JobType } from '../jobs/job.types';
import {
  RenewalOutcome,
  RenewalRunStatus,
  RenewalTrigger,
  type RenewalCounty,
  type RenewalRun,
} from './renewal-run.entity';
import {
  DROP_REASONS,
  type CountyRenewalReport,
  type RenewalPipeline,
  type RenewalRunSummary,
} from './renewal.service';

registerEnumType(RenewalRunStatus, {
  name: 'RenewalRunStatus',
  description: 'Where a renewal run is.',
  valuesConfig: {
    QUEUED: { description: 'Waiting for a worker.' },
    RUNNING: { description: 'Renewing counties (see the job for progress).' },
    COMPLETED: { description: 'Every county handled; `summary` holds the totals.' },
    FAILED: { description: 'Stopped; `failureReason` says why.' },
  },
});

registerEnumType(RenewalTrigger, {
  name: 'RenewalTrigger',
  description: 'What started a renewal run.',
  valuesConfig: {
    MANUAL: { description: 'startRenewalRun.' },
    SCHEDULED: { description: "The daily job (contracts ending within their programme's renewal window)." },
  },
});

registerEnumType(RenewalOutcome, {
  name: 'RenewalOutcome',
  description: 'What a run did for one expiring contract.',
  valuesConfig: {
    RENEWED: { description: 'Successor created, roster carried, quoted with experience.' },
    SKIPPED: {
      description: 'Already renewed, not renewable, or the county already has a contract that year.',
    },
    FAILED: {
      description: 'Could not be renewed (e.g. nothing to price); nothing was written; a new run retries.',
    },
  },
});

@ObjectType('RenewalDropped', { description: 'People of the expiring roster not carried, by reason.' })
export class RenewalDroppedType {
  @Field(() => Int, { description: 'Coverage terminated before the end of the expiring period.' })
  TERMINATED!: number;

  @Field(() => Int, { description: 'No longer registered poor.' })
  NOT_REGISTERED_POOR!: number;

  @Field(() => Int, { description: "Age outside the successor plan's range at the new start." })
  AGED_OUT!: number;

  @Field(() => Int, { description: 'Already covered in the new year by another contract.' })
  COVERED_ELSEWHERE!: number;
}

@ObjectType('RenewalCounty', { description: "One county's renewal in a run." })
export class RenewalCountyType {
  @Field({ description: 'County code.' })
  countyCode!: string;

  @Field(() => RenewalOutcome, { description: 'What happened.' })
  outcome!: RenewalOutcome;

  @Field(() => String, { nullable: true, description: 'Why it was skipped or failed (reason code first).' })
  reason!: string | null;

  @Field(() => ID, { description: 'The expiring contract.' })
  predecessorContractId!: string;

  @Field(() => ID, { nullable: true, description: 'The successor contract.' })
  successorContractId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The experience-rated quote of the successor.' })
  quoteId!: string | null;

  @Field(() => Int, { nullable: true, description: 'Insured carried from the expiring roster.' })
  carried!: number | null;

  @Field(() => Int, { nullable: true, description: 'Insured added from a newer roster import.' })
  added!: number | null;

  @Field(() => RenewalDroppedType, { nullable: true, description: 'Insured dropped, by reason.' })
  dropped!: RenewalDroppedType | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Per-capita premium of the expiring contract.' })
  oldPerCapitaPremium!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Per-capita premium of the successor quote.' })
  newPerCapitaPremium!: string | null;

  @Field(() => Float, { nullable: true, description: 'new ÷ old − 1.' })
  rateChange!: number | null;

  @Field(() => Float, { nullable: true, description: 'Credibility Z of the experience.' })
  credibility!: number | null;

  @Field(() => Int, { nullable: true, description: 'N: claims of the expiring contract.' })
  claimCount!: number | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'I: paid + approved unpaid + IBNR share.' })
  incurred!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'IBNR share in I.' })
  ibnr!: string | null;

  @Field(() => Float, { nullable: true, description: 'E: exposure in insured-years (covered days / 365).' })
  exposure!: number | null;

  @Field(() => String, { nullable: true, description: 'Where I came from, e.g. "no loss study: IBNR 0".' })
  experienceNote!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Earned premium of the expiring contract.' })
  earnedPremium!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'earned × (1 − expense loading) − I.' })
  surplus!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Carry-over credit on the successor quote.' })
  carryOverCredit!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The whole report as stored.' })
  report!: unknown;
}

@ObjectType('RenewalRunSummary', { description: 'Programme totals of a renewal run.' })
export class RenewalRunSummaryType {
  @Field(() => Int, { description: 'Expiring contracts looked at.' })
  contracts!: number;

  @Field(() => Int, { description: 'Counties renewed.' })
  renewed!: number;

  @Field(() => Int, { description: 'Counties skipped.' })
  skipped!: number;

  @Field(() => Int, { description: 'Counties that failed.' })
  failed!: number;

  @Field(() => Int, { description: 'Insured carried.' })
  carried!: number;

  @Field(() => Int, { description: 'Insured added.' })
  added!: number;

  @Field(() => RenewalDroppedType, { description: 'Insured dropped, by reason.' })
  dropped!: RenewalDroppedType;

  @Field(() => MoneyScalar, { description: 'Earned premium of the renewed counties’ expiring contracts.' })
  oldTotalPremium!: string;

  @Field(() => MoneyScalar, { description: 'Total premium of the successor quotes.' })
  newTotalPremium!: string;

  @Field(() => MoneyScalar, { description: 'Carry-over credits granted.' })
  carryOverCredit!: string;
}

@ObjectType('RenewalRun', {
  description: 'A renewal run: successors, rosters, experience quotes, per county.',
})
export class RenewalRunType {
  @Field(() => ID, { description: 'Id of the run.' })
  id!: string;

  @Field(() => Int, { description: 'Year renewed from.' })
  fromYear!: number;

  @Field(() => Int, { description: 'Year of the successor contracts.' })
  toYear!: number;

  @Field(() => RenewalTrigger, { description: 'What started it.' })
  trigger!: RenewalTrigger;

  @Field(() => RenewalRunStatus, { description: 'Where it is.' })
  status!: RenewalRunStatus;

  @Field(() => String, { nullable: true, description: 'Its job, for `job(id)`.' })
  jobId!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it failed.' })
  failureReason!: string | null;

  @Field(() => RenewalRunSummaryType, { nullable: true, description: 'Totals, once completed.' })
  summary!: RenewalRunSummaryType | null;

  @Field(() => Date, { description: 'When it was started.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it finished.' })
  completedAt!: Date | null;
}

export const RenewalRunConnection = ConnectionType(RenewalRunType, 'RenewalRun');

@InputType({ description: 'Starts the renewal of a programme year.' })
export class StartRenewalRunInput {
  @Field(() => Int, { description: 'Year whose ACTIVE or EXPIRED contracts are renewed into the next year.' })
  fromYear!: number;
}

@ObjectType({ description: 'The renewal run started (or the one of that year already queued or running).' })
export class RenewalRunPayload {
  @Field(() => RenewalRunType, { description: 'The run.' })
  run!: RenewalRunType;

  @Field(() => JobType, { description: 'Its job; poll `job(id)` for progress.' })
  job!: JobType;
}

@ObjectType('RenewalPipelineNow', { description: 'Counties by their current stage (each counted once).' })
export class RenewalPipelineNowType {
  @Field(() => Int, { description: 'DRAFT without roster or declared head count.' })
  IN_TALKS!: number;

  @Field(() => Int, { description: 'DRAFT with a roster (coverages).' })
  ROSTER_RECEIVED!: number;

  @Field(() => Int, { description: 'DRAFT with a declared head count and no roster yet.' })
  SENT_FOR_PRICING!: number;

  @Field(() => Int, { description: 'QUOTED.' })
  QUOTED!: number;

  @Field(() => Int, { description: 'APPROVED.' })
  APPROVED!: number;

  @Field(() => Int, { description: 'ACTIVE.' })
  ACTIVE!: number;

  @Field(() => Int, { description: 'EXPIRED.' })
  EXPIRED!: number;
}

@ObjectType('RenewalPipeline', {
  description:
    'Counties of a programme year by how far their contract has come; each stage counts the counties that reached at least it (56 → 56 → 53).',
})
export class RenewalPipelineType {
  @Field(() => Int, { description: 'Programme year.' })
  year!: number;

  @Field(() => Int, { description: 'Counties with a live (not cancelled) contract for the year.' })
  inTalks!: number;

  @Field(() => Int, { description: 'Of those, with the roster in (coverages), or past DRAFT.' })
  rosterReceived!: number;

  @Field(() => Int, {
    description: 'With what pricing needs: a roster or a declared head count, or past DRAFT.',
  })
  sentForPricing!: number;

  @Field(() => Int, { description: 'Quoted (QUOTED, APPROVED, ACTIVE or EXPIRED).' })
  quoted!: number;

  @Field(() => Int, { description: 'Approved (APPROVED, ACTIVE or EXPIRED).' })
  approved!: number;

  @Field(() => Int, { description: 'Active (ACTIVE or EXPIRED).' })
  active!: number;

  @Field(() => RenewalPipelineNowType, { description: 'Where each county is now.' })
  now!: RenewalPipelineNowType;

  @Field(() => Int, { description: 'Cancelled contracts of the year (not in the stages).' })
  cancelled!: number;
}

const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export function toRenewalCountyType(c: RenewalCounty): RenewalCountyType {
  const r = (c.report ?? null) as CountyRenewalReport | null;
  return {
    countyCode: c.countyCode,
    outcome: c.outcome,
    reason: c.reason ?? null,
    predecessorContractId: String(c.predecessorContractId),
    successorContractId: c.successorContractId ? String(c.successorContractId) : null,
    quoteId: c.quoteId ? String(c.quoteId) : null,
    carried: n(r?.carried),
    added: n(r?.added),
    dropped: r ? { ...r.dropped } : null,
    oldPerCapitaPremium: n(r?.oldPerCapitaPremium),
    newPerCapitaPremium: n(r?.newPerCapitaPremium),
    rateChange: n(r?.rateChange),
    credibility: n(r?.credibility),
    claimCount: n(r?.experience.claimCount),
    incurred: n(r?.experience.incurred),
    ibnr: n(r?.experience.ibnr),
    exposure: n(r?.experience.exposure),
    experienceNote: n(r?.experience.note),
    earnedPremium: n(r?.earnedPremium),
    surplus: n(r?.surplus),
    carryOverCredit: n(r?.carryOverCredit),
    report: r,
  };
}

export function toRenewalRunType(run: RenewalRun): RenewalRunType {
  const s = (run.summary ?? null) as RenewalRunSummary | null;
  return {
    id: String(run.id),
    fromYear: run.fromYear,
    toYear: run.toYear,
    trigger: run.trigger,
    status: run.status,
    jobId: run.jobId ?? null,
    failureReason: run.failureReason ?? null,
    summary: s
      ? {
          contracts: s.contracts,
          renewed: s.renewed,
          skipped: s.skipped,
          failed: s.failed,
          carried: s.carried,
          added: s.added,
          dropped: Object.fromEntries(
            DROP_REASONS.map((k) => [k, s.dropped[k]]),
          ) as unknown as RenewalDroppedType,
          oldTotalPremium: s.oldTotalPremium,
          newTotalPremium: s.newTotalPremium,
          carryOverCredit: s.carryOverCredit,
        }
      : null,
    createdAt: run.createdAt,
    completedAt: run.completedAt ?? null,
  };
}

export function toRenewalPipelineType(p: RenewalPipeline): RenewalPipelineType {
  return { ...p, now: { ...p.now } };
}
