/**
 * Reads a roster file as a stream of rows (spec: "Rosters"). Never holds the file in memory:
 *
 * - `.xlsx` through exceljs's streaming `WorkbookReader` (first worksheet only);
 * - CSV in UTF-8 (with or without BOM) or GB18030/GBK: a first pass checks, chunk by chunk,
 *   whether the whole file is valid UTF-8 (`buffer.isUtf8`; it stops at the first invalid
 *   byte, so a GBK file is decided within its header); valid → UTF-8, otherwise GB18030
 *   (a superset of GBK and GB2312) decoded with iconv-lite's streaming decoder; then
 *   csv-parse's streaming parser.
 *
 * The format is decided by content, not by file name: `PK\x03\x04` is an .xlsx (zip), an OLE
 * header is an old binary .xls (refused with a clear message), a UTF-16 byte-order mark is
 * Excel's "Unicode text" (refused), anything else is CSV.
 *
 * Headers may be English or Chinese (ROSTER_HEADERS); the header row is the first row, within
 * the first HEADER_SEARCH_ROWS non-blank rows, that names the national-ID column (county
 * exports often carry a title row above the header). Unknown columns are ignored; a missing
 * required column or a column named twice fails the whole file (RosterFileError).
 *
 * Cells are returned as trimmed strings (spaces, tabs, full-width spaces, NBSP and zero-width
 * characters around a value are removed); `lineNumber` is the row as the county sees it in
 * Excel (1 = the first line of the file). Rows whose cells are all blank are skipped (Excel
 * leaves trailing rows of empty cells). Other normalisation — NFKC for full-width digits and
 * `Ｘ`, Excel's scientific notation — is validation's job (roster-rows.ts), not the reader's.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { CsvError, Parser, type Options as CsvOptions } from 'csv-parse';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import {
  columnLabel,
  REQUIRED_COLUMNS,
  ROSTER_COLUMNS,
  ROSTER_HEADERS,
  type RosterColumn,
  type RosterFields,
  type RosterRow,
} from './roster-columns';
import { RosterFileError, RosterImportProblem } from './roster-errors';

export {
  columnLabel,
  OPTIONAL_COLUMNS,
  REQUIRED_COLUMNS,
  ROSTER_COLUMNS,
  ROSTER_HEADERS,
  type RosterColumn,
} from './roster-columns';

/** Header rows are looked for among the first this-many non-blank rows. */
export const HEADER_SEARCH_ROWS = 10;

export type { RosterFields, RosterRow } from './roster-columns';

export type RosterFormat = 'csv' | 'xlsx';
export type RosterEncoding = 'utf-8' | 'gb18030';

export interface RosterFileInfo {
  format: RosterFormat;
  /** CSV only. */
  encoding: RosterEncoding | null;
  /** Columns found in the header (required ones always; optional ones when present). */
  columns: RosterColumn[];
  /** Line number of the header row. */
  headerLine: number;
}

export interface RosterReader extends RosterFileInfo {
  /** The data rows, in file order, in batches of up to `batchSize` rows. */
  batches(): AsyncGenerator<RosterRow[]>;
  /** Bytes of the file read so far (for progress). */
  bytesRead(): number;
  /** Stops reading and releases the file (safe to call more than once). */
  close(): void;
}

export interface OpenRosterOptions {
  /** Rows per batch (default 2,000). */
  batchSize?: number;
}

/** Rows of the file one at a time (the header already checked). Convenience over `openRoster`. */
export async function* readRoster(path: string, opts: OpenRosterOptions = {}): AsyncGenerator<RosterRow> {
  const reader = await openRoster(path, opts);
  try {
    for await (const batch of reader.batches()) yield* batch;
  } finally {
    reader.close();
  }
}

/**
 * Opens a roster: detects format and encoding, reads up to the header row and maps its
 * columns. Throws RosterFileError for a file that cannot be a roster.
 */
export async function openRoster(path: string, opts: OpenRosterOptions = {}): Promise<RosterReader> {
  const batchSize = opts.batchSize ?? 2_000;
  const format = await sniffFormat(path);
  const source = format === 'xlsx' ? await xlsxRecords(path) : await csvRecords(path);
  try {
    const header = await findHeader(source.records);
    const info: RosterFileInfo = {
      format,
      encoding: source.encoding,
      columns: ROSTER_COLUMNS.filter((c) => header.indexes[c] !== undefined),
      headerLine: header.line,
    };
    const reader: RosterReader = {
      ...info,
      bytesRead: () => source.bytesRead(),
      close: () => source.close(),
      batches: () => rowBatches(source.records, header.indexes, batchSize),
    };
    return reader;
  } catch (err) {
    source.close();
    throw err;
  }
}

// ------------------------------------------------------------------------------- detection

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

async function sniffFormat(path: string): Promise<RosterFormat> {
  const head = Buffer.alloc(8);
  let n = 0;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    throw new RosterFileError(
      RosterImportProblem.FILE_MISSING,
      'the uploaded file is no longer stored; upload it again',
    );
  }
  try {
    n = (await handle.read(head, 0, head.length, 0)).bytesRead;
  } finally {
    await handle.close();
  }
  const start = head.subarray(0, n);
  if (start.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (start.subarray(0, 4).equals(OLE_MAGIC)) {
    throw new RosterFileError(
      RosterImportProblem.UNSUPPORTED_FORMAT,
      'this is an old Excel 97–2003 (.xls) file: open it in Excel and save it as .xlsx (Excel Workbook) or CSV',
    );
  }
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
    throw new RosterFileError(
      RosterImportProblem.UNSUPPORTED_ENCODING,
      'this file is UTF-16 ("Unicode text"): save it from Excel as "CSV UTF-8" or plain CSV, or as .xlsx',
    );
  }
  if (start.includes(0)) {
    throw new RosterFileError(
      RosterImportProblem.UNSUPPORTED_FORMAT,
      'this is not a CSV or .xlsx file (it contains binary data)',
    );
  }
  return 'csv';
}

/**
 * True when the whole file is valid UTF-8. Reads chunk by chunk, carrying an incomplete
 * multi-byte sequence over to the next chunk; stops at the first invalid chunk.
 */
export async function isUtf8File(path: string): Promise<boolean> {
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const cut = completeUtf8Length(buf);
      if (!isUtf8(buf.subarray(0, cut))) return false;
      carry = Buffer.from(buf.subarray(cut));
    }
    return carry.length === 0 || isUtf8(carry);
  } finally {
    stream.destroy();
  }
}

/** Length of `buf` without a trailing, incomplete UTF-8 sequence (at most 3 bytes dropped). */
export function completeUtf8Length(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    if (b < 0x80) return n; // ASCII: nothing pending
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return back < need ? n - back : n;
  }
  return n;
}

// ------------------------------------------------------------------------------- sources

/** A record: cells as raw strings (not yet trimmed), its line number and xlsx number flags. */
interface RawRecord {
  line: number;
  cells: string[];
  /** Column indexes whose xlsx cell was a number (with whether it was a safe integer). */
  numbers?: Map<number, boolean>;
}

interface RecordSource {
  encoding: RosterEncoding | null;
  records: AsyncGenerator<RawRecord[]>;
  bytesRead(): number;
  close(): void;
}

/**
 * csv-parse's Parser, pushing batches of records with their line numbers: `info.lines` is read
 * as each record is pushed (cheap, unlike the `info` option, which copies an object per
 * record). For a record with quoted line breaks the number given is the line it starts on.
 */
class LineNumberingParser extends Parser {
  private pending: RawRecord[] = [];
  /** csv-parse's line count at the previous record, and that record's last physical line. */
  private lastCounted = 0;
  private lastLine = 0;

  constructor(
    opts: CsvOptions,
    private readonly batchSize: number,
  ) {
    super(opts);
  }

  override push(record: unknown): boolean {
    if (record === null) {
      if (this.pending.length) super.push(this.pending);
      this.pending = [];
      return super.push(null);
    }
    const cells = record as string[];
    // csv-parse counts a CRLF inside a quoted field as two lines; count physical lines here.
    let breaks = 0;
    let crlf = 0;
    for (const c of cells) {
      for (let i = c.indexOf('\n'); i >= 0; i = c.indexOf('\n', i + 1)) {
        breaks += 1;
        if (i > 0 && c.charCodeAt(i - 1) === 13) crlf += 1;
      }
    }
    const counted = this.info.lines;
    const last = this.lastLine + (counted - this.lastCounted) - crlf;
    this.lastCounted = counted;
    this.lastLine = last;
    this.pending.push({ line: last - breaks, cells });
    if (this.pending.length >= this.batchSize) {
      const batch = this.pending;
      this.pending = [];
      return super.push(batch);
    }
    return true;
  }
}

async function csvRecords(path: string): Promise<RecordSource> {
  const encoding: RosterEncoding = (await isUtf8File(path)) ? 'utf-8' : 'gb18030';
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  let bytes = 0;
  file.on('data', (chunk) => (bytes += (chunk as Buffer).length));
  const parser = new LineNumberingParser(
    {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    },
    500,
  );
  const upstream: NodeJS.ReadableStream & { on(event: 'error', fn: (err: Error) => void): unknown } =
    encoding === 'gb18030' ? file.pipe(iconv.decodeStream('gb18030')) : file;
  upstream.on('error', (err) => parser.destroy(err));
  upstream.pipe(parser);
  const close = (): void => {
    file.destroy();
    parser.destroy();
  };
  async function* records(): AsyncGenerator<RawRecord[]> {
    try {
      for await (const batch of parser as AsyncIterable<RawRecord[]>) yield batch;
    } catch (err) {
      if (err instanceof CsvError) {
        throw new RosterFileError(
          RosterImportProblem.MALFORMED_FILE,
          `the CSV cannot be read near line ${parser.info.lines}: ${csvProblem(err)}`,
        );
      }
      throw err;
    } finally {
      close();
    }
  }
  return { encoding, records: records(), bytesRead: () => bytes, close };
}

function csvProblem(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed (an unmatched ")';
    default:
      return err.code;
  }
}

const XLSX_OPTIONS = {
  worksheets: 'emit',
  sharedStrings: 'cache',
  hyperlinks: 'ignore',
  styles: 'ignore',
  entries: 'ignore',
} as const;

async function xlsxRecords(path: string): Promise<RecordSource> {
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  let bytes = 0;
  file.on('data', (chunk) => (bytes += (chunk as Buffer).length));
  // Loaded on first use: exceljs costs ~30 MB of the worker's memory, and most rosters are CSV.
  const excel = (await import('exceljs')) as unknown as { default?: typeof ExcelJS } & typeof ExcelJS;
  const workbook = new (excel.default ?? excel).stream.xlsx.WorkbookReader(file, XLSX_OPTIONS);
  const close = (): void => {
    file.destroy();
  };
  async function* records(): AsyncGenerator<RawRecord[]> {
    let batch: RawRecord[] = [];
    try {
      for await (const worksheet of workbook) {
        for await (const row of worksheet) {
          const values = row.values as unknown[];
          const cells: string[] = [];
          let numbers: Map<number, boolean> | undefined;
          for (let col = 1; col < values.length; col++) {
            const v = values[col];
            if (typeof v === 'number') (numbers ??= new Map()).set(col - 1, Number.isSafeInteger(v));
            cells.push(cellText(v));
          }
          batch.push(numbers ? { line: row.number, cells, numbers } : { line: row.number, cells });
          if (batch.length >= 500) {
            yield batch;
            batch = [];
          }
        }
        break; // the first worksheet is the roster
      }
      if (batch.length) yield batch;
    } catch (err) {
      if (err instanceof RosterFileError) throw err;
      throw new RosterFileError(
        RosterImportProblem.MALFORMED_FILE,
        `the .xlsx workbook cannot be read (${(err as Error).message}); open it in Excel and save it again`,
      );
    } finally {
      close();
    }
  }
  return { encoding: null, records: records(), bytesRead: () => bytes, close };
}

/** The text Excel would show for a cell value as exceljs reads it. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return cellText(o.result);
    if (typeof o.text === 'string') return o.text;
    if (o.error !== undefined) return ''; // #N/A, #REF!: no value
  }
  return '';
}

// ------------------------------------------------------------------------------- header

const TRIM = /^[\s\u200b\u200c\u200d\u2060]+|[\s\u200b\u200c\u200d\u2060]+$/g;

/** Trims ASCII and Unicode white space (full-width space, NBSP, BOM) and zero-width characters. */
export function trimCell(value: string): string {
  return value.replace(TRIM, '');
}

/** Canonical form of a header cell for matching. */
export function headerKey(raw: string): string {
  return trimCell(raw.normalize('NFKC'))
    .toLowerCase()
    .replace(/[(（[【][^)）\]】]*[)）\]】]/g, '')
    .replace(/[\s_\-.*:：#]/g, '');
}

const HEADER_INDEX: ReadonlyMap<string, RosterColumn> = new Map(
  ROSTER_COLUMNS.flatMap((c) => ROSTER_HEADERS[c].map((h) => [headerKey(h), c] as const)),
);

/** The column a header cell names, if any. */
export function columnOf(header: string): RosterColumn | undefined {
  return HEADER_INDEX.get(headerKey(header));
}

type ColumnIndexes = Partial<Record<RosterColumn, number>>;

interface Header {
  line: number;
  indexes: ColumnIndexes;
}

function isBlank(cells: readonly string[]): boolean {
  for (const c of cells) if (trimCell(c) !== '') return false;
  return true;
}

function columnName(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/**
 * Consumes records up to and including the header row and maps its columns. Records after
 * the header stay in the generator for `rowBatches`; records before it (a title row) are dropped.
 */
async function findHeader(records: AsyncGenerator<RawRecord[]>): Promise<Header> {
  let seen = 0;
  let first: RawRecord | undefined;
  for (;;) {
    // Peek batch by batch; put back what follows the header.
    const next = await records.next();
    if (next.done) break;
    const batch = next.value;
    for (let i = 0; i < batch.length; i++) {
      const rec = batch[i]!;
      if (isBlank(rec.cells)) continue;
      first ??= rec;
      seen += 1;
      const mapped = mapHeader(rec);
      if (mapped) {
        pushBack(records, batch.slice(i + 1));
        return mapped;
      }
      if (seen >= HEADER_SEARCH_ROWS) break;
    }
    if (seen >= HEADER_SEARCH_ROWS) break;
  }
  if (!first) throw new RosterFileError(RosterImportProblem.EMPTY_FILE, 'the file is empty');
  const found = first.cells.map((c) => columnOf(c)).filter((c): c is RosterColumn => c !== undefined);
  const missing = REQUIRED_COLUMNS.filter((c) => !found.includes(c));
  throw new RosterFileError(
    found.length ? RosterImportProblem.MISSING_COLUMN : RosterImportProblem.NO_HEADER,
    found.length
      ? `required column${missing.length > 1 ? 's' : ''} missing: ${missing.map(columnLabel).join(', ')}`
      : `no header row found in the first ${HEADER_SEARCH_ROWS} rows: the first row should name the columns, ` +
          `e.g. ${REQUIRED_COLUMNS.map(columnLabel).join(', ')}`,
  );
}

/** The header mapping of a record, or undefined when it does not name the national-ID column. */
function mapHeader(rec: RawRecord): Header | undefined {
  const indexes: ColumnIndexes = {};
  const dupes: string[] = [];
  rec.cells.forEach((cell, i) => {
    const col = columnOf(cell);
    if (!col) return;
    const before = indexes[col];
    if (before !== undefined)
      dupes.push(`${columnLabel(col)} in columns ${columnName(before)} and ${columnName(i)}`);
    else indexes[col] = i;
  });
  if (indexes.national_id === undefined) return undefined;
  if (dupes.length) {
    throw new RosterFileError(
      RosterImportProblem.DUPLICATE_COLUMN,
      `line ${rec.line}: a column appears twice: ${dupes.join('; ')}`,
    );
  }
  const missing = REQUIRED_COLUMNS.filter((c) => indexes[c] === undefined);
  if (missing.length) {
    throw new RosterFileError(
      RosterImportProblem.MISSING_COLUMN,
      `required column${missing.length > 1 ? 's' : ''} missing: ${missing.map(columnLabel).join(', ')} ` +
        `(header on line ${rec.line})`,
    );
  }
  return { line: rec.line, indexes };
}

/** Generators cannot un-read: keep leftovers in a side buffer that `rowBatches` drains first. */
const leftovers = new WeakMap<AsyncGenerator<RawRecord[]>, RawRecord[]>();

function pushBack(records: AsyncGenerator<RawRecord[]>, rest: RawRecord[]): void {
  if (rest.length) leftovers.set(records, rest);
}

async function* rowBatches(
  records: AsyncGenerator<RawRecord[]>,
  indexes: ColumnIndexes,
  batchSize: number,
): AsyncGenerator<RosterRow[]> {
  const cols = ROSTER_COLUMNS.map((c) => [c, indexes[c]] as const);
  let out: RosterRow[] = [];
  const take = (rec: RawRecord): void => {
    if (isBlank(rec.cells)) return;
    const fields = {} as RosterFields;
    let lost: RosterColumn[] | undefined;
    for (const [col, idx] of cols) {
      const raw = idx === undefined ? undefined : rec.cells[idx];
      fields[col] = raw === undefined ? '' : trimCell(raw);
      if (idx !== undefined && rec.numbers?.has(idx)) {
        const safe = rec.numbers.get(idx)!;
        if (col === 'national_id' || !safe) (lost ??= []).push(col);
      }
    }
    out.push(lost ? { lineNumber: rec.line, fields, lostDigits: lost } : { lineNumber: rec.line, fields });
  };
  const first = leftovers.get(records);
  leftovers.delete(records);
  if (first) for (const rec of first) take(rec);
  for await (const batch of records) {
    for (const rec of batch) take(rec);
    if (out.length >= batchSize) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}
