/**
 * The payout batch file for the payment channel: CSV, one row per line of the batch.
 *
 * Format (pure functions, no I/O):
 * - UTF-8 with a byte-order mark (EF BB BF), so Excel on Chinese Windows opens it as UTF-8 and
 *   shows names such as 阿依古丽·买买提 correctly (without the BOM it guesses GBK and garbles them);
 *   CSV readers that honour the BOM (the channel's importer, Python's `utf-8-sig`, csv-parse with
 *   `bom: true`) read it transparently.
 * - RFC 4180: comma-separated, CRLF line ends, a header row, a field quoted when it holds a
 *   comma, a quote, a line break or surrounding spaces (quotes doubled inside).
 * - Columns: `claim_number, payee_account, masked_id, name, amount`. The amount is the exact
 *   stored value with two decimals (`1234.50`), never a float; the account is the one copied to
 *   the line when the batch was made.
 * - A text field starting with `=`, `+`, `-`, `@`, a tab or a CR gets a leading `'`, so a
 *   spreadsheet never evaluates it as a formula (CSV injection). Valid claim numbers, accounts,
 *   masked IDs and names never start with one of those, so real data is never altered.
 *
 * Excel caveat: opened by double-click, Excel shows long account numbers (16–19 digits) in
 * scientific notation and would drop digits if the sheet were saved back. The file itself is
 * exact; to look at it in Excel, import it (Data → From Text/CSV) with the account column as Text.
 */

export interface BatchFileRow {
  claimNumber: string;
  payeeAccount: string;
  maskedId: string;
  name: string;
  /** Exact amount, two decimals. */
  amount: string;
}

export const BATCH_FILE_HEADER = ['claim_number', 'payee_account', 'masked_id', 'name', 'amount'] as const;
export const UTF8_BOM = '\uFEFF';
const AMOUNT_RE = /^\d{1,12}\.\d{2}$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: neutralised against formulas, quoted when needed. */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The file's text (BOM, header, rows, CRLF after every row). */
export function batchCsvText(rows: readonly BatchFileRow[]): string {
  const lines = [BATCH_FILE_HEADER.join(',')];
  for (const r of rows) {
    // An amount is written as stored; anything else is a bug upstream, not something to round.
    if (!AMOUNT_RE.test(r.amount))
      throw new RangeError(`batch file: amount "${r.amount}" is not a positive amount with two decimals`);
    lines.push(
      [
        csvField(r.claimNumber),
        csvField(r.payeeAccount),
        csvField(r.maskedId),
        csvField(r.name),
        r.amount,
      ].join(','),
    );
  }
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}

/** The file's bytes: UTF-8 with BOM. */
export function toBatchCsv(rows: readonly BatchFileRow[]): Buffer {
  return Buffer.from(batchCsvText(rows), 'utf8');
}
