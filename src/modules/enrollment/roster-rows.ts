/**
 * Per-row validation of a roster and the staging row it becomes. Pure functions (no I/O, no
 * clock: "today" is passed in), run inside the crypto worker threads (roster-stage-worker.ts)
 * or inline. Only the checks that need the row alone live here — INVALID_ID and
 * MISSING_FIELD; everything that needs other rows or the database (duplicates in the file,
 * registered-poor flag, age at coverage start, coverage elsewhere) is decided in SQL by the
 * merge (roster-merge.ts), so the order of precedence is in one place.
 *
 * Normalisation before validation (what county exports really contain):
 * - every field: surrounding white space already trimmed by the reader; NFKC (Unicode
 *   compatibility normalisation) for the ID, household, phone and payee columns, which turns
 *   full-width digits and letters (`５１３４…Ｘ`, typed with a Chinese IME) into ASCII; names get
 *   NFC only (NFKC could change a rare character of a name);
 * - the national ID: white space inside removed, a leading `'` (Excel's "store as text"
 *   prefix) and the `="…"` wrapper some exports use dropped, lower-case `x` upper-cased (by
 *   parseNationalId). An ID in scientific notation (`5.13432E+17`) or stored as a number in an
 *   .xlsx cell has lost digits: INVALID_ID, never "repaired";
 * - the registered-poor flag: Y/N, 是/否 (also yes/no, true/false, 1/0, and Excel booleans).
 */
import { maskNationalId } from './masking';
import { parseNationalId, type ParsedNationalId } from './national-id';
import type { RowCrypto } from './roster-crypto';
import { RosterRejectReason } from './roster-errors';
import { ROSTER_COLUMNS, type RosterColumn, type RosterRow } from './roster-columns';

export interface CheckedRow {
  lineNumber: number;
  /** Set when the row is refused by the row-local checks. */
  reason: RosterRejectReason.INVALID_ID | RosterRejectReason.MISSING_FIELD | null;
  /** Why, in words, never echoing the ID. */
  detail: string | null;
  /** The parsed ID (null only with INVALID_ID). */
  id: ParsedNationalId | null;
  /** Masked ID for reports: the stored form when valid; a best-effort mask of the cell otherwise. */
  maskedId: string | null;
  name: string;
  householdId: string;
  /** null when blank or not a recognised yes/no. */
  registeredPoor: boolean | null;
  payeeAccount: string | null;
  phone: string | null;
}

const NON_ASCII = /[^\x00-\x7f]/;
const PLAIN_ID = /^\d{17}[\dXx]$/;
const SCIENTIFIC = /^[+-]?\d+(\.\d+)?e[+-]?\d+$/i;
const INNER_SPACE = /\s+/g;

function nfkc(value: string): string {
  return NON_ASCII.test(value) ? value.normalize('NFKC') : value;
}

/**
 * The ID cell as validation sees it, or a problem that makes it INVALID_ID before
 * parseNationalId is asked.
 */
export function normaliseIdCell(raw: string): { value: string; problem?: string } {
  if (PLAIN_ID.test(raw)) return { value: raw };
  let v = nfkc(raw).replace(INNER_SPACE, '');
  if (v.startsWith('="') && v.endsWith('"')) v = v.slice(2, -1);
  if (v.startsWith("'")) v = v.slice(1);
  if (SCIENTIFIC.test(v)) {
    return {
      value: v,
      problem:
        'the ID is in scientific notation (Excel stored it as a number and lost its last digits): ' +
        'format the column as Text in Excel and type the IDs again',
    };
  }
  return { value: v };
}

const YES = new Set(['y', 'yes', '是', 'true', '1', '√']);
const NO = new Set(['n', 'no', '否', 'false', '0', '×']);

/** Y/N, 是/否 and the usual spellings → boolean; null for blank or anything else. */
export function parseRegisteredPoor(raw: string): boolean | null {
  if (raw === 'Y' || raw === '是') return true;
  if (raw === 'N' || raw === '否') return false;
  const v = nfkc(raw).trim().toLowerCase();
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  return null;
}

/**
 * For a broken ID cell: the same shape as a valid ID's mask (first 6 and last 4 shown) when it
 * is at least 11 letters or digits — enough to find the row, no more than a valid mask shows —
 * else null.
 */
export function looseMask(value: string): string | null {
  if (value.length < 11 || !/^[0-9A-Za-z]+$/.test(value)) return null;
  return value.slice(0, 6) + '*'.repeat(value.length - 10) + value.slice(-4);
}

const NEEDS_CLEANING = /[\s\u0080-\uffff]/;

function optional(value: string): string | null {
  if (value === '') return null;
  if (!NEEDS_CLEANING.test(value)) return value;
  const v = nfkc(value).replace(INNER_SPACE, '');
  return v === '' ? null : v;
}

/** The row-local checks. `today` (YYYY-MM-DD) bounds birth dates. */
export function checkRow(row: RosterRow, today: string): CheckedRow {
  const f = row.fields;
  const lost = row.lostDigits;
  // One object of one shape per row (the hot loop of an import).
  const out: CheckedRow = {
    lineNumber: row.lineNumber,
    reason: null,
    detail: null,
    id: null,
    maskedId: null,
    name: f.name.normalize('NFC'),
    householdId: nfkc(f.household_id),
    registeredPoor: parseRegisteredPoor(f.registered_poor),
    payeeAccount: lost !== undefined && lost.includes('payee_account') ? null : optional(f.payee_account),
    phone: optional(f.phone),
  };

  const idCell = normaliseIdCell(f.national_id);
  let idProblem = idCell.problem;
  if (lost !== undefined && lost.includes('national_id')) {
    idProblem =
      'the ID cell is stored as a number in Excel, which keeps only 15 digits: ' +
      'format the column as Text and type the IDs again';
  } else if (idProblem === undefined) {
    const parsed = parseNationalId(idCell.value, today);
    if (parsed.ok) out.id = parsed;
    else idProblem = parsed.message;
  }
  if (out.id === null) {
    out.reason = RosterRejectReason.INVALID_ID;
    out.detail = idCell.value === '' ? 'the national ID is empty' : (idProblem ?? 'not a national ID');
    out.maskedId = looseMask(idCell.value);
    return out;
  }

  out.maskedId = maskNationalId(out.id.id);
  let problems: string | null = null;
  const add = (p: string): void => {
    problems = problems === null ? p : `${problems}; ${p}`;
  };
  if (out.name === '') add('name is empty');
  if (out.householdId === '') add('household_id is empty');
  else if (lost !== undefined && lost.includes('household_id')) {
    add('household_id is stored as a number in Excel and lost digits (format the column as Text)');
  }
  if (f.registered_poor === '') add('registered_poor is empty');
  else if (out.registeredPoor === null) add('registered_poor must be Y/N or 是/否');
  if (problems !== null) {
    out.reason = RosterRejectReason.MISSING_FIELD;
    out.detail = problems;
  }
  return out;
}

// ------------------------------------------------------------------------------- staging rows

/** Columns of the staging table, in COPY order (roster-merge.ts creates it). */
export const STAGE_COLUMNS = [
  'line_number',
  'id_hash',
  'id_ciphertext',
  'id_masked',
  'birth_date',
  'gender',
  'id_region',
  'name',
  'household_id',
  'registered_poor',
  'payee_account',
  'phone',
  'reason',
  'detail',
] as const;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value for COPY's text format: `\N` for null, backslash-escaped otherwise. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/**
 * One COPY line for a checked row. The look-up hash is computed for every valid ID (the
 * merge needs it to find duplicates and the person); the ID is encrypted only for rows that
 * can still be accepted (valid, complete, registered poor): encryption is the costliest step
 * and a refused row never reaches `insured`.
 */
export function stageLine(row: CheckedRow, crypto: RowCrypto): string {
  const id = row.id;
  let hash = '\\N';
  let cipher: string | null = null;
  if (id) {
    hash = `\\\\x${crypto.hashHex(id.id)}`;
    if (row.reason === null && row.registeredPoor === true) cipher = crypto.encrypt(id.id);
  }
  return (
    `${row.lineNumber}\t${hash}\t${copyText(cipher)}\t${copyText(row.maskedId)}\t` +
    `${id ? id.birthDate : '\\N'}\t${id ? id.gender : '\\N'}\t${id ? id.issuingRegion : '\\N'}\t` +
    `${copyText(row.name)}\t${copyText(row.householdId)}\t` +
    `${row.registeredPoor === null ? '\\N' : row.registeredPoor ? 't' : 'f'}\t` +
    `${copyText(row.payeeAccount)}\t${copyText(row.phone)}\t${copyText(row.reason)}\t${copyText(row.detail)}\n`
  );
}

/** A batch of rows → COPY text (what a worker thread returns). */
export function stageBatch(rows: readonly RosterRow[], today: string, crypto: RowCrypto): string {
  let out = '';
  for (const row of rows) out += stageLine(checkRow(row, today), crypto);
  return out;
}

// ------------------------------------------------------------------------------- thread transfer

const FIELD = '\x1f';
const RECORD = '\x1e';
const SEPARATORS = /[\x1e\x1f]/g;

/**
 * A batch of rows as one string: per row the line number, the six fields (ROSTER_COLUMNS
 * order) and the lost-digit columns, separated by ASCII unit/record separators (removed from
 * cell text should a cell contain them: they are invisible control characters).
 */
export function encodeRows(rows: readonly RosterRow[]): string {
  const parts: string[] = [];
  for (const r of rows) {
    let line = String(r.lineNumber);
    for (const c of ROSTER_COLUMNS) {
      const v = r.fields[c];
      line += FIELD + (SEPARATORS.test(v) ? v.replace(SEPARATORS, '') : v);
      SEPARATORS.lastIndex = 0;
    }
    parts.push(line + FIELD + (r.lostDigits ? r.lostDigits.join(',') : ''));
  }
  return parts.join(RECORD);
}

export function decodeRows(text: string): RosterRow[] {
  if (text === '') return [];
  return text.split(RECORD).map((line) => {
    const p = line.split(FIELD);
    const fields = {} as RosterRow['fields'];
    ROSTER_COLUMNS.forEach((c, i) => (fields[c] = p[i + 1]!));
    const lost = p[ROSTER_COLUMNS.length + 1];
    return lost
      ? { lineNumber: Number(p[0]), fields, lostDigits: lost.split(',') as RosterColumn[] }
      : { lineNumber: Number(p[0]), fields };
  });
}
