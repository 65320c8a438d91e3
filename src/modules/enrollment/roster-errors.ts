import { DomainError, type ErrorCode } from '../../shared/errors';

/**
 * Why one roster row was not taken (spec: "Rosters"). A closed set, stored in
 * `roster_reject.reason` and shown in the rejects CSV. When a row has several problems the
 * first in this order wins: INVALID_ID (no person to speak of), DUPLICATE_IN_FILE (a later
 * listing of a person already on an earlier line), MISSING_FIELD, NOT_REGISTERED_POOR,
 * AGE_OUT_OF_RANGE, COVERED_ELSEWHERE.
 */
export enum RosterRejectReason {
  /** Not a valid 18-character national ID (check character, birth date, 15-digit legacy form, Excel number). */
  INVALID_ID = 'INVALID_ID',
  /** The second and later rows with the same national ID; the first row is the one considered. */
  DUPLICATE_IN_FILE = 'DUPLICATE_IN_FILE',
  /** A required field (name, household, registered-poor flag) is empty or unusable. */
  MISSING_FIELD = 'MISSING_FIELD',
  /** The registered-poor flag says N / 否. */
  NOT_REGISTERED_POOR = 'NOT_REGISTERED_POOR',
  /** Age at the contract's coverage start outside the plan's minAge–maxAge. */
  AGE_OUT_OF_RANGE = 'AGE_OUT_OF_RANGE',
  /** Already has a coverage this programme year in another contract (another county). */
  COVERED_ELSEWHERE = 'COVERED_ELSEWHERE',
}

export const ROSTER_REJECT_REASONS: readonly RosterRejectReason[] = Object.values(RosterRejectReason);

/**
 * Why a whole import failed (file-level or contract-level problems; the import then writes
 * nothing). Stored as `<REASON>: <message>` in `roster_import.failure_reason`.
 */
export enum RosterImportProblem {
  /** Neither .xlsx nor CSV (e.g. an old binary .xls, a PDF). */
  UNSUPPORTED_FORMAT = 'UNSUPPORTED_FORMAT',
  /** A CSV in an encoding other than UTF-8 or GB18030 (e.g. UTF-16 "Unicode text"). */
  UNSUPPORTED_ENCODING = 'UNSUPPORTED_ENCODING',
  /** No row in the first rows looks like a header. */
  NO_HEADER = 'NO_HEADER',
  /** A required column is missing. */
  MISSING_COLUMN = 'MISSING_COLUMN',
  /** Two columns map to the same field. */
  DUPLICATE_COLUMN = 'DUPLICATE_COLUMN',
  /** A header but no data rows (refused: a REPLACE with an empty file would end everyone). */
  EMPTY_FILE = 'EMPTY_FILE',
  /** The CSV cannot be parsed (e.g. an unclosed quote) or the workbook is corrupt. */
  MALFORMED_FILE = 'MALFORMED_FILE',
  /** The stored upload is gone (deleted by hand). */
  FILE_MISSING = 'FILE_MISSING',
  /** The contract is CANCELLED or EXPIRED. */
  CONTRACT_CLOSED = 'CONTRACT_CLOSED',
  /** REPLACE on an ACTIVE contract: coverages that have started are ended by endorsements only. */
  REPLACE_NOT_ALLOWED = 'REPLACE_NOT_ALLOWED',
  /** The import already finished (COMPLETED or FAILED); upload the file again to re-run it. */
  ALREADY_FINISHED = 'ALREADY_FINISHED',
}

export const ROSTER_PROBLEM_CODES: Record<RosterImportProblem, ErrorCode> = {
  [RosterImportProblem.UNSUPPORTED_FORMAT]: 'BAD_USER_INPUT',
  [RosterImportProblem.UNSUPPORTED_ENCODING]: 'BAD_USER_INPUT',
  [RosterImportProblem.NO_HEADER]: 'BAD_USER_INPUT',
  [RosterImportProblem.MISSING_COLUMN]: 'BAD_USER_INPUT',
  [RosterImportProblem.DUPLICATE_COLUMN]: 'BAD_USER_INPUT',
  [RosterImportProblem.EMPTY_FILE]: 'BAD_USER_INPUT',
  [RosterImportProblem.MALFORMED_FILE]: 'BAD_USER_INPUT',
  [RosterImportProblem.FILE_MISSING]: 'BAD_USER_INPUT',
  [RosterImportProblem.CONTRACT_CLOSED]: 'CONFLICT',
  [RosterImportProblem.REPLACE_NOT_ALLOWED]: 'CONFLICT',
  [RosterImportProblem.ALREADY_FINISHED]: 'CONFLICT',
};

/** A problem with the roster as a whole: the import fails and writes nothing. */
export function rosterError(
  problem: RosterImportProblem,
  message: string,
  extra: Record<string, unknown> = {},
): DomainError {
  return new DomainError(ROSTER_PROBLEM_CODES[problem], message, {
    reason: problem,
    field: 'file',
    ...extra,
  });
}

/** Thrown by the parser; carries the problem code so the import can record it. */
export class RosterFileError extends Error {
  constructor(
    readonly problem: RosterImportProblem,
    message: string,
  ) {
    super(message);
    this.name = 'RosterFileError';
  }

  toDomainError(): DomainError {
    return rosterError(this.problem, this.message);
  }
}
