import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isIsoDate } from '../shared/dates';
import { money } from '../shared/money';

const MONEY_RE = /^-?\d{1,12}(\.\d{1,2})?$/;

function parseMoney(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !MONEY_RE.test(text)) {
    throw new GraphQLError('Money must be a decimal string with at most two decimals, e.g. "41696.00"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return money(text).toFixed(2);
}

/** RMB amount, exact, serialised as a string with two decimals ("20617.60"). */
export const MoneyScalar = new GraphQLScalarType<string, string>({
  name: 'Money',
  description: 'An exact RMB amount, as a decimal string with two places, e.g. "20617.60".',
  serialize: (value) => money(value as string).toFixed(2),
  parseValue: parseMoney,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.FLOAT || ast.kind === Kind.INT)
      return parseMoney(ast.value);
    throw new GraphQLError('Money must be a string such as "100.00"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
});

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new GraphQLError('Date must be a calendar date YYYY-MM-DD', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

/** A calendar date in China time, YYYY-MM-DD. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date (YYYY-MM-DD) in China time (Asia/Shanghai).',
  serialize: (value) => value as string,
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING) return parseDate(ast.value);
    throw new GraphQLError('Date must be a string YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
