import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { DomainError, ERROR_CODES, type ErrorCode } from '../shared/errors';
import { logger } from '../shared/logger';
import { variableField } from './variable-field';

const KNOWN = new Set<string>(ERROR_CODES);

/** Maps a PostgreSQL error that is really the caller's fault to a domain error. */
function fromDatabase(err: unknown): DomainError | null {
  const e = err as { code?: string; constraint?: string; name?: string };
  if (e?.name === 'OptimisticLockError') {
    return new DomainError('CONFLICT', 'the record was changed by someone else; reload and retry', {
      reason: 'STALE_VERSION',
    });
  }
  if (e?.code === '23505') {
    return new DomainError('CONFLICT', 'a record with the same unique key already exists', {
      reason: 'DUPLICATE',
      constraint: e.constraint,
    });
  }
  if (e?.code === '40001' || e?.code === '40P01') {
    return new DomainError('CONFLICT', 'concurrent update; retry', { reason: 'SERIALIZATION' });
  }
  return null;
}

/**
 * One place turns any error into the API's closed set of codes. Domain errors keep their
 * code, reason and field; GraphQL validation and parse errors are BAD_USER_INPUT; anything
 * else is INTERNAL, logged with its stack and shown without it (outside development).
 */
export function makeFormatError(exposeInternals: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const domain = original instanceof DomainError ? original : fromDatabase(original);
    if (domain) {
      const { problems, ...rest } = domain.details;
      return {
        message: domain.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: domain.code, ...rest, ...(problems ? { problems } : {}) },
      };
    }
    if (original instanceof ArgumentValidationError) {
      return { ...formatted, extensions: { code: 'BAD_USER_INPUT', field: 'input' } };
    }
    const code = formatted.extensions?.code as string | undefined;
    if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_REQUEST') {
      return {
        message: formatted.message,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT' },
      };
    }
    if (code === 'BAD_USER_INPUT') {
      const ext = formatted.extensions ?? {};
      return {
        message: formatted.message,
        locations: formatted.locations,
        extensions: {
          code,
          field: ext.field ?? variableField(formatted.message),
          ...(ext.reason ? { reason: ext.reason } : {}),
        },
      };
    }
    if (code && KNOWN.has(code) && code !== 'INTERNAL') {
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code },
      };
    }
    logger.error({ err: original }, 'unexpected error in a GraphQL operation');
    return {
      message: exposeInternals ? String((original as Error)?.message ?? formatted.message) : 'Internal error',
      path: formatted.path,
      extensions: { code: 'INTERNAL' satisfies ErrorCode },
    };
  };
}
