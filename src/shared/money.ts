import Decimal from 'decimal.js';

/**
 * Money is RMB with two decimal places (fen). One decimal library for the whole project:
 * decimal.js, configured here once. Never parseFloat money, never sum floats.
 */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

export type MoneyInput = Decimal.Value;

/** Parses a money amount (string, number or decimal) exactly; throws on NaN/Infinity. */
export function money(value: MoneyInput): Decimal {
  const d = new Money(value);
  if (!d.isFinite()) throw new RangeError(`not a finite amount: ${String(value)}`);
  return d;
}

/** Rounds half-up to the fen (two places). */
export function toFen(value: MoneyInput): Decimal {
  return money(value).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/**
 * Rounds a floating-point result of the pricing engine half-up to the fen.
 * A binary double such as 1.005 is really 1.00499999999999989…; the engine's outputs
 * carry far fewer than 15 significant digits of meaning, so the value is first taken
 * at 15 significant digits (the precision a double represents faithfully) and only
 * then rounded, which makes "exactly .005" round up as a person expects.
 */
export function roundFloatToFen(value: number): Decimal {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  return new Money(value.toPrecision(15)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Formats as a string with exactly two decimals, the form used in the API and the database. */
export function formatMoney(value: MoneyInput): string {
  return toFen(value).toFixed(2);
}

export function sumMoney(values: Iterable<MoneyInput>): Decimal {
  let total = new Money(0);
  for (const v of values) total = total.plus(money(v));
  return total;
}
