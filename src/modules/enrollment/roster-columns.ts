/**
 * The roster's columns and the row shape shared by the reader (roster-parse.ts), the row
 * checks and the staging threads — kept in a module of its own so the worker threads load
 * neither exceljs nor csv-parse.
 */
export const ROSTER_COLUMNS = [
  'national_id',
  'name',
  'household_id',
  'registered_poor',
  'payee_account',
  'phone',
] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];

export const REQUIRED_COLUMNS: readonly RosterColumn[] = [
  'national_id',
  'name',
  'household_id',
  'registered_poor',
];
export const OPTIONAL_COLUMNS: readonly RosterColumn[] = ['payee_account', 'phone'];

/**
 * Accepted header spellings per column: the spec's English and Chinese names first, then the
 * variants county exports commonly use. Compared after `headerKey` (NFKC, lower case,
 * spaces/underscores/punctuation and bracketed notes such as `(必填)` removed).
 */
export const ROSTER_HEADERS: Readonly<Record<RosterColumn, readonly string[]>> = {
  national_id: [
    'national_id',
    '身份证号',
    '公民身份号码',
    '身份证号码',
    '身份证',
    'national id number',
    'id number',
    'id no',
  ],
  name: ['name', '姓名'],
  household_id: ['household_id', '户编号', '户号', 'household'],
  registered_poor: [
    'registered_poor',
    '是否建档立卡',
    '建档立卡',
    '是否建档立卡户',
    '是否建档立卡贫困户',
    '是否贫困户',
  ],
  payee_account: ['payee_account', '收款账户', '收款账号', '银行账号', '银行卡号'],
  phone: ['phone', '联系电话', '电话', '手机号', '手机号码', 'phone number', 'mobile', 'telephone'],
};

/** The column's spec names, for messages: `national_id (身份证号)`. */
export function columnLabel(column: RosterColumn): string {
  return `${column} (${ROSTER_HEADERS[column][1]})`;
}

export type RosterFields = Record<RosterColumn, string>;

export interface RosterRow {
  /** Line (CSV) or row (xlsx) number as Excel shows it; the header is usually 1. */
  lineNumber: number;
  /** Trimmed cell text; '' for blank cells and for optional columns the file does not have. */
  fields: RosterFields;
  /**
   * Columns whose xlsx cell was stored as a number that cannot hold all its digits (any
   * number in the ID column: 18 digits exceed a double's 15–16; elsewhere numbers beyond
   * 2^53). Validation refuses these values rather than guess the lost digits.
   */
  lostDigits?: RosterColumn[];
}
