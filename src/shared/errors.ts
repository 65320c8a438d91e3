/**
 * The API's closed set of error codes (api-security.md). Every domain error names one;
 * anything else becomes INTERNAL, logged but never shown.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'BUDGET_EXCEEDED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldProblem {
  field: string;
  message: string;
}

/** A failure the caller can act on. `reason` is a SCREAMING_SNAKE code of the module. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: {
      reason?: string;
      field?: string;
      problems?: FieldProblem[];
      [k: string]: unknown;
    } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (field: string, message: string, reason = 'INVALID'): DomainError =>
  new DomainError('BAD_USER_INPUT', `${field}: ${message}`, { field, reason });

/** Several input problems at once; `field` is the first, `problems` lists all. */
export function badInputs(problems: FieldProblem[], reason = 'INVALID'): DomainError {
  const first = problems[0] ?? { field: 'input', message: 'invalid' };
  return new DomainError('BAD_USER_INPUT', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
    field: first.field,
    reason,
    problems,
  });
}

export const notFound = (entity: string, id: string | number): DomainError =>
  new DomainError('NOT_FOUND', `${entity} ${id} not found`, { reason: 'NOT_FOUND', entity });

export const conflict = (message: string, reason: string, extra: Record<string, unknown> = {}): DomainError =>
  new DomainError('CONFLICT', message, { reason, ...extra });

export const forbidden = (message = 'not allowed for this token'): DomainError =>
  new DomainError('FORBIDDEN', message, { reason: 'FORBIDDEN' });

export const unauthenticated = (message = 'a valid bearer token is required'): DomainError =>
  new DomainError('UNAUTHENTICATED', message, { reason: 'UNAUTHENTICATED' });
