import { DomainError, type ErrorCode } from '../../shared/errors';
import type { ContractStatus } from './county-contract.entity';

/** The contracts module's reason codes, each mapped to one API error code. */
export enum ContractReason {
  /** The requested transition is not allowed from the contract's current state. */
  ILLEGAL_TRANSITION = 'ILLEGAL_TRANSITION',
  /** The caller's `version` is not the stored one. */
  STALE_VERSION = 'STALE_VERSION',
  /** The county already has a contract for the programme year. */
  DUPLICATE = 'DUPLICATE',
  /** Terms (plan, rate table, period, head count) are frozen from APPROVED on. */
  TERMS_FROZEN = 'TERMS_FROZEN',
  /** A QUOTED contract without a quote (should not happen; the quote flow writes both). */
  NO_QUOTE = 'NO_QUOTE',
  /** The newest quote was priced with another plan or rate table than the contract now has. */
  QUOTE_OUTDATED = 'QUOTE_OUTDATED',
  /** Approving would take the programme's committed premium over its budget. */
  BUDGET_EXCEEDED = 'BUDGET_EXCEEDED',
}

export const CONTRACT_REASON_CODES: Record<ContractReason, ErrorCode> = {
  [ContractReason.ILLEGAL_TRANSITION]: 'CONFLICT',
  [ContractReason.STALE_VERSION]: 'CONFLICT',
  [ContractReason.DUPLICATE]: 'CONFLICT',
  [ContractReason.TERMS_FROZEN]: 'CONFLICT',
  [ContractReason.NO_QUOTE]: 'CONFLICT',
  [ContractReason.QUOTE_OUTDATED]: 'CONFLICT',
  [ContractReason.BUDGET_EXCEEDED]: 'BUDGET_EXCEEDED',
};

export function contractError(
  reason: ContractReason,
  message: string,
  extra: Record<string, unknown> = {},
): DomainError {
  return new DomainError(CONTRACT_REASON_CODES[reason], message, { reason, ...extra });
}

export function illegalTransition(id: number, status: ContractStatus, action: string): DomainError {
  return contractError(
    ContractReason.ILLEGAL_TRANSITION,
    `contract ${id} is ${status}: cannot ${action} a contract in state ${status}`,
    { currentState: status },
  );
}

export function staleVersion(
  id: number,
  status: ContractStatus,
  current: number,
  given: number,
): DomainError {
  return contractError(
    ContractReason.STALE_VERSION,
    `contract ${id} is at version ${current} (${status}), not ${given}: it was changed by someone else; reload and retry`,
    { currentVersion: current, currentState: status },
  );
}
