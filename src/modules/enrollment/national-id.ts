/**
 * Resident identity card numbers, GB 11643-1999 (18 characters). Pure: no clock, no I/O —
 * "today" is always passed in, so the same input gives the same answer in tests and jobs.
 *
 * Layout: 6-digit address code (where the ID was first issued) · 8-digit birth date
 * YYYYMMDD · 3-digit sequence code (odd last digit = male, even = female) · check character.
 *
 * Messages never echo the ID itself: they end up in roster error reports and logs.
 */

export const NationalIdProblem = {
  EMPTY: 'EMPTY',
  LEGACY_15_DIGIT: 'LEGACY_15_DIGIT',
  WRONG_LENGTH: 'WRONG_LENGTH',
  BAD_CHARACTER: 'BAD_CHARACTER',
  BAD_CHECK_CHARACTER: 'BAD_CHECK_CHARACTER',
  BAD_BIRTH_DATE: 'BAD_BIRTH_DATE',
  FUTURE_BIRTH_DATE: 'FUTURE_BIRTH_DATE',
} as const;
export type NationalIdProblem = (typeof NationalIdProblem)[keyof typeof NationalIdProblem];

export type Gender = 'F' | 'M';

export interface ParsedNationalId {
  ok: true;
  /** Normalised: trimmed, check character `X` upper-case. The only form to hash, encrypt or mask. */
  id: string;
  birthDate: string;
  gender: Gender;
  /** First six digits: where the ID was first issued (may differ from the county of residence). */
  issuingRegion: string;
}

export interface NationalIdRejection {
  ok: false;
  reason: NationalIdProblem;
  message: string;
}

export type NationalIdParseResult = ParsedNationalId | NationalIdRejection;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Indexed by S mod 11. */
const CHECK_CHARACTERS = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'] as const;
const EARLIEST_BIRTH_DATE = '1900-01-01';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SEVENTEEN_DIGITS = /^\d{17}$/;
const ID_SHAPE = /^\d{17}[\dX]$/;

/** Check character for the first 17 digits (ISO 7064 MOD 11-2 as GB 11643 specifies it). */
export function computeCheckCharacter(first17: string): string {
  if (!SEVENTEEN_DIGITS.test(first17)) {
    throw new RangeError('computeCheckCharacter needs exactly 17 ASCII digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARACTERS[sum % 11]!;
}

export function parseNationalId(raw: string, today: string): NationalIdParseResult {
  assertIsoDate(today, 'today');
  const value = raw.trim();
  if (value === '') return reject('EMPTY', 'The national ID is empty.');

  // Only the check character may be a letter. Upper-casing just that one (rather than the
  // whole string) keeps lengths honest: 'ß'.toUpperCase() is two characters.
  const id = value.endsWith('x') ? `${value.slice(0, -1)}X` : value;

  if (/^\d{15}$/.test(id)) {
    return reject(
      'LEGACY_15_DIGIT',
      'This is an old 15-digit ID number. Please convert it to the 18-digit form ' +
        '(the number on the current resident identity card) and submit that instead.',
    );
  }
  const length = Array.from(id).length;
  if (length !== 18) {
    return reject('WRONG_LENGTH', `A national ID has 18 characters; this one has ${length}.`);
  }
  if (!ID_SHAPE.test(id)) {
    const position = firstBadPosition(id);
    return reject(
      'BAD_CHARACTER',
      `Character ${position} is not allowed: a national ID is 17 digits followed by a digit or X.`,
    );
  }
  // The check character is verified before the date on purpose: every single-digit typo
  // changes the check sum (all weights are non-zero mod 11), so with a wrong check character
  // "typo" is the likelier story than "a date that does not exist".
  if (computeCheckCharacter(id.slice(0, 17)) !== id[17]) {
    return reject(
      'BAD_CHECK_CHARACTER',
      'The check character (the last one) does not match the other 17: the number has a typo.',
    );
  }

  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isRealDate(birthDate) || birthDate < EARLIEST_BIRTH_DATE) {
    return reject('BAD_BIRTH_DATE', 'Characters 7 to 14 are not a valid birth date (YYYYMMDD).');
  }
  if (birthDate > today) {
    return reject('FUTURE_BIRTH_DATE', 'The birth date in the national ID is in the future.');
  }

  return {
    ok: true,
    id,
    birthDate,
    gender: genderOfSequenceDigit(id.charCodeAt(16) - 48),
    issuingRegion: id.slice(0, 6),
  };
}

export function isValidNationalId(raw: string, today: string): boolean {
  return parseNationalId(raw, today).ok;
}

/**
 * Age in whole years on `on`. The age goes up on the anniversary of the birth date. Someone
 * born on 29 February reaches the anniversary on 1 March in common years (still the younger
 * age on 28 February): in a common year the day after 28 February is the first day on which
 * 29 February has certainly passed. This is the civil reckoning used for programme rules such
 * as age bands; note that Chinese criminal law counts a 周岁 only from the day *after* the
 * birthday — not our concern here.
 *
 * Throws if either date is not a real YYYY-MM-DD date or if `on` is before the birth date.
 */
export function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = assertIsoDate(birthDate, 'birthDate');
  const [oy, om, od] = assertIsoDate(on, 'on');
  if (on < birthDate) throw new RangeError('ageOn: the date is before the birth date');
  let age = oy - by;
  // Plain (month, day) comparison gives the Feb 29 rule for free: in a common year
  // (2, 28) < (2, 29) so the birthday is not yet reached, and (3, 1) > (2, 29) so it is.
  if (om < bm || (om === bm && od < bd)) age -= 1;
  return age;
}

/**
 * Builds a valid ID for tests, factories and the reference-data generator.
 * `seq3` (0–999) is the sequence code; its last digit's parity is adjusted to match `gender`
 * by flipping the lowest bit, which stays within 0–999. The birth date must be a real date
 * but is not checked against 1900 or today, so tests can build out-of-range IDs on purpose.
 */
export function makeNationalId(region6: string, birthDate: string, seq3: number, gender: Gender): string {
  if (!/^\d{6}$/.test(region6)) throw new RangeError('makeNationalId: region6 must be 6 digits');
  assertIsoDate(birthDate, 'birthDate');
  if (!Number.isInteger(seq3) || seq3 < 0 || seq3 > 999) {
    throw new RangeError('makeNationalId: seq3 must be an integer from 0 to 999');
  }
  const wantOdd = gender === 'M';
  const sequence = (seq3 % 2 === 1) === wantOdd ? seq3 : seq3 ^ 1;
  const first17 = region6 + birthDate.replace(/-/g, '') + String(sequence).padStart(3, '0');
  return first17 + computeCheckCharacter(first17);
}

function genderOfSequenceDigit(digit: number): Gender {
  return digit % 2 === 1 ? 'M' : 'F';
}

function reject(reason: NationalIdProblem, message: string): NationalIdRejection {
  return { ok: false, reason, message };
}

/** 1-based position (in characters) of the first character that breaks the 17-digits-then-digit-or-X shape. */
function firstBadPosition(id: string): number {
  const chars = Array.from(id);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const ok = i < 17 ? /^\d$/.test(c) : /^[\dX]$/.test(c);
    if (!ok) return i + 1;
  }
  return chars.length;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function splitDate(value: string): [number, number, number] | undefined {
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return [y, mo, d];
}

function isRealDate(value: string): boolean {
  return splitDate(value) !== undefined;
}

function assertIsoDate(value: string, name: string): [number, number, number] {
  const parts = splitDate(value);
  if (!parts) throw new RangeError(`${name} must be a real calendar date in YYYY-MM-DD form`);
  return parts;
}
