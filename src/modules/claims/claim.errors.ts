import { DomainError, type ErrorCode } from '../../shared/errors';
import type { ClaimStatus } from './claim.entity';

/**
 * The claims module's reason codes, each mapped to one API error code. Input problems are
 * BAD_USER_INPUT with the offending field (`badInput`/`badInputs`), not listed here.
 */
export enum ClaimReason {
  /** The requested action is not allowed in the claim's current status. */
  ILLEGAL_TRANSITION = 'ILLEGAL_TRANSITION',
  /** The caller's `version` is not the stored one. */
  STALE_VERSION = 'STALE_VERSION',
  /** A scoped token (COORDINATOR) filing for a person with no coverage in its counties. */
  OUT_OF_SCOPE = 'OUT_OF_SCOPE',
  /** The claim is in a live payout line: its payee account is in a file already sent. */
  IN_PAYOUT = 'IN_PAYOUT',
  /** An adjustment was asked of a claim that is not an approved or paid original claim. */
  NOT_ADJUSTABLE = 'NOT_ADJUSTABLE',
  /** The claim has no explanation of benefits yet: it is not decided. */
  NOT_DECIDED = 'NOT_DECIDED',
}

export const CLAIM_REASON_CODES: Record<ClaimReason, ErrorCode> = {
  [ClaimReason.ILLEGAL_TRANSITION]: 'CONFLICT',
  [ClaimReason.STALE_VERSION]: 'CONFLICT',
  [ClaimReason.OUT_OF_SCOPE]: 'FORBIDDEN',
  [ClaimReason.IN_PAYOUT]: 'CONFLICT',
  [ClaimReason.NOT_ADJUSTABLE]: 'CONFLICT',
  [ClaimReason.NOT_DECIDED]: 'CONFLICT',
};

export function claimError(
  reason: ClaimReason,
  message: string,
  extra: Record<string, unknown> = {},
): DomainError {
  return new DomainError(CLAIM_REASON_CODES[reason], message, { reason, ...extra });
}

export function illegalClaimTransition(
  claimNumber: string,
  status: ClaimStatus,
  action: string,
): DomainError {
  return claimError(
    ClaimReason.ILLEGAL_TRANSITION,
    `claim ${claimNumber} is ${status}: cannot ${action} a claim in status ${status}`,
    { currentState: status },
  );
}

export function staleClaimVersion(
  claimNumber: string,
  status: ClaimStatus,
  current: number,
  given: number,
): DomainError {
  return claimError(
    ClaimReason.STALE_VERSION,
    `claim ${claimNumber} is at version ${current} (${status}), not ${given}: it was changed by someone else; reload and retry`,
    { currentVersion: current, currentState: status },
  );
}

export function outOfScope(): DomainError {
  // Same message whether the person is unknown or covered elsewhere: a scoped token learns nothing outside.
  return claimError(
    ClaimReason.OUT_OF_SCOPE,
    'the person has no coverage in your counties: file the claim where they are covered',
  );
}
