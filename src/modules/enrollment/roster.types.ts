import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { RosterImportMode, RosterImportStatus, type RosterReject } from './roster-import.entity';
import { RosterRejectReason } from './roster-errors';
import type { RosterImportView } from './roster.service';

registerEnumType(RosterImportMode, {
  name: 'RosterImportMode',
  description: 'How a roster changes a contract.',
  valuesConfig: {
    MERGE: { description: 'Add new people and update the details of people already covered (default).' },
    REPLACE: {
      description:
        "Also end this contract's coverages of people absent from the file (REMOVED_FROM_ROSTER); only before the contract is ACTIVE.",
    },
  },
});

registerEnumType(RosterImportStatus, {
  name: 'RosterImportStatus',
  description: 'Where a roster import is.',
  valuesConfig: {
    UPLOADED: { description: 'Stored and queued; not started yet.' },
    RUNNING: { description: 'Being read, checked and merged (see `progress`).' },
    COMPLETED: { description: 'Merged in one transaction; the counts are final.' },
    FAILED: {
      description: 'Nothing was applied; `failureReason` says why. Upload the corrected file again.',
    },
  },
});

registerEnumType(RosterRejectReason, {
  name: 'RosterRejectReason',
  description:
    'Why a roster row was not taken. When a row has several problems, the first in this list wins.',
  valuesConfig: {
    INVALID_ID: {
      description:
        'Not a valid 18-character national ID (check character, birth date, 15-digit legacy form, or digits lost to Excel number format).',
    },
    DUPLICATE_IN_FILE: {
      description: 'The same national ID on an earlier line; the first line is the one considered.',
    },
    MISSING_FIELD: { description: 'Name, household or registered-poor flag empty or unusable.' },
    NOT_REGISTERED_POOR: { description: 'The registered-poor flag (是否建档立卡) is N / 否.' },
    AGE_OUT_OF_RANGE: {
      description: "Age on the contract's first day of coverage outside the plan's age range.",
    },
    COVERED_ELSEWHERE: {
      description: 'Already has a coverage this programme year in another contract (county).',
    },
  },
});

@ObjectType('RosterRejectCount', { description: 'How many rows of an import were rejected for one reason.' })
export class RosterRejectCountType {
  @Field(() => RosterRejectReason, { description: 'The reason.' })
  reason!: RosterRejectReason;

  @Field(() => Int, { description: 'Rows rejected for it.' })
  count!: number;
}

@ObjectType('RosterImportProgress', { description: "An import's progress as its job reports it." })
export class RosterImportProgressType {
  @Field(() => Int, { description: '0–100.' })
  percent!: number;

  @Field(() => String, {
    nullable: true,
    description: 'What it is doing, e.g. "read and checked 40000 rows".',
  })
  message!: string | null;
}

@ObjectType('RosterImport', {
  description:
    'One roster file imported into a contract. Every row is accounted for: ' +
    '`totalRows = acceptedRows + updatedRows + unchangedRows + rejectedRows`.',
})
export class RosterImportType {
  @Field(() => ID, { description: 'Import id.' })
  id!: string;

  @Field(() => ID, { description: 'The contract the roster is for.' })
  contractId!: string;

  @Field({ description: 'County of the contract (6 digits).' })
  countyCode!: string;

  @Field(() => Int, { description: 'Programme year of the contract.' })
  programmeYear!: number;

  @Field(() => RosterImportMode, { description: 'MERGE or REPLACE.' })
  mode!: RosterImportMode;

  @Field(() => RosterImportStatus, { description: 'Where the import is.' })
  status!: RosterImportStatus;

  @Field({ description: 'File name as uploaded.' })
  fileName!: string;

  @Field({
    description: 'SHA-256 of the uploaded bytes (hex): the same file uploaded twice has the same hash.',
  })
  fileSha256!: string;

  @Field(() => Int, { description: 'Data rows in the file (blank rows not counted).' })
  totalRows!: number;

  @Field(() => Int, {
    description:
      'Rows that gave a person a new coverage in this contract (including people an earlier REPLACE had removed).',
  })
  acceptedRows!: number;

  @Field(() => Int, {
    description:
      'Rows of people already covered by this contract whose details (name, household, payee, phone…) changed.',
  })
  updatedRows!: number;

  @Field(() => Int, { description: 'Rows of people already covered by this contract with nothing changed.' })
  unchangedRows!: number;

  @Field(() => Int, { description: 'Rows rejected (see `rejectedByReason` and `rosterRejects`).' })
  rejectedRows!: number;

  @Field(() => Int, {
    description:
      "REPLACE: this contract's coverages ended because their person is not on the roster (not rows of the file).",
  })
  endedCoverages!: number;

  @Field(() => [RosterRejectCountType], {
    description: 'Rejected rows by reason (every reason, zeros included).',
  })
  rejectedByReason!: RosterRejectCountType[];

  @Field(() => RosterImportProgressType, {
    nullable: true,
    description: 'Progress while it runs (100 once completed); null when unknown.',
  })
  progress!: RosterImportProgressType | null;

  @Field(() => ID, { description: 'The background job running it; `job(id)` shows it.' })
  jobId!: string;

  @Field(() => String, { nullable: true, description: 'Why it failed (FAILED only); nothing was applied.' })
  failureReason!: string | null;

  @Field(() => Date, { description: 'When the file was uploaded.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it completed or failed.' })
  completedAt!: Date | null;
}

export const RosterImportConnection = ConnectionType(RosterImportType, 'RosterImport');

export function toRosterImportType(v: RosterImportView): RosterImportType {
  const ri = v.rosterImport;
  return {
    id: String(ri.id),
    contractId: String(v.contractId),
    countyCode: v.countyCode,
    programmeYear: v.programmeYear,
    mode: ri.mode,
    status: v.status,
    fileName: ri.fileName,
    fileSha256: ri.fileSha256,
    totalRows: ri.totalRows,
    acceptedRows: ri.acceptedRows,
    updatedRows: ri.updatedRows,
    unchangedRows: ri.unchangedRows,
    rejectedRows: ri.rejectedRows,
    endedCoverages: ri.endedCoverages,
    rejectedByReason: v.rejectedByReason,
    progress: v.progress,
    jobId: v.jobId,
    failureReason: v.failureReason,
    createdAt: ri.createdAt,
    completedAt: ri.completedAt ?? null,
  };
}

@ObjectType('RosterReject', { description: 'A rejected roster row.' })
export class RosterRejectType {
  @Field(() => Int, { description: 'Line (CSV) or row (xlsx) number in the file, as Excel shows it.' })
  lineNumber!: number;

  @Field(() => String, {
    nullable: true,
    description: 'The national ID masked (`513432********1234`); null when the cell was too broken to mask.',
  })
  maskedId!: string | null;

  @Field(() => RosterRejectReason, { description: 'Why it was rejected.' })
  reason!: RosterRejectReason;

  @Field(() => String, { nullable: true, description: 'The details in words (never the ID itself).' })
  detail!: string | null;
}

export const RosterRejectConnection = ConnectionType(RosterRejectType, 'RosterReject');

export function toRosterRejectType(r: RosterReject): RosterRejectType {
  return {
    lineNumber: r.lineNumber,
    maskedId: r.maskedId ?? null,
    reason: r.reason as RosterRejectReason,
    detail: r.detail ?? null,
  };
}

@InputType({ description: 'Filters for rosterRejects.' })
export class RosterRejectFilterInput {
  @Field(() => RosterRejectReason, { nullable: true, description: 'Only rows rejected for this reason.' })
  reason?: RosterRejectReason | null;
}
