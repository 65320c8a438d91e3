import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { decryptId, encryptId, keyIdOf, lookupHash } from '../../src/modules/enrollment/pii-crypto';
import { RowCrypto } from '../../src/modules/enrollment/roster-crypto';
import { RowStager } from '../../src/modules/enrollment/roster-stage-pool';
import { makeNationalId } from '../../src/modules/enrollment/national-id';
import {
  RosterFileError,
  RosterImportProblem,
  RosterRejectReason,
} from '../../src/modules/enrollment/roster-errors';
import {
  columnOf,
  completeUtf8Length,
  isUtf8File,
  openRoster,
  readRoster,
  type RosterRow,
} from '../../src/modules/enrollment/roster-parse';
import {
  checkRow,
  copyText,
  decodeRows,
  encodeRows,
  looseMask,
  normaliseIdCell,
  parseRegisteredPoor,
  stageLine,
} from '../../src/modules/enrollment/roster-rows';
import {
  FIXTURE_DIR,
  FIXTURES,
  fixtureFile,
  gbkCsv,
  utf8BomCsv,
  writeFixtures,
  xlsxRoster,
  type FixtureFile,
} from '../fixtures/make-fixtures';

const TODAY = '2020-03-02';
const KEYS = { hmacKey: Buffer.alloc(32, 7), encKey: { id: 'test', key: Buffer.alloc(32, 9) } };
const CRYPTO = new RowCrypto(KEYS.hmacKey, KEYS.encKey);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roster-parse-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer, ext = 'csv'): string {
  const path = join(dir, `f${++n}.${ext}`);
  writeFileSync(path, content);
  return path;
}

async function rows(path: string): Promise<RosterRow[]> {
  const out: RosterRow[] = [];
  for await (const r of readRoster(path)) out.push(r);
  return out;
}

async function failure(path: string): Promise<RosterFileError> {
  try {
    await rows(path);
  } catch (err) {
    if (err instanceof RosterFileError) return err;
    throw err;
  }
  throw new Error('expected the file to be refused');
}

async function xlsx(build: (ws: ExcelJS.Worksheet) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet('Sheet1'));
  return file(Buffer.from(await wb.xlsx.writeBuffer()), 'xlsx');
}

const HEADER = 'national_id,name,household_id,registered_poor';
const ID = makeNationalId('513432', '1980-05-12', 11, 'M');

describe('fixtures', () => {
  it('the committed files are what make-fixtures.ts produces', async () => {
    if (process.env.UPDATE_FIXTURES) await writeFixtures();
    expect(readFileSync(join(FIXTURE_DIR, FIXTURES.gbk.file)).equals(gbkCsv())).toBe(true);
    expect(readFileSync(join(FIXTURE_DIR, FIXTURES.utf8.file)).equals(utf8BomCsv())).toBe(true);
    // xlsx bytes carry zip timestamps: compare what a reader sees.
    const fresh = file(await xlsxRoster(), 'xlsx');
    expect(await rows(join(FIXTURE_DIR, FIXTURES.xlsx.file))).toEqual(await rows(fresh));
  });

  it('the GBK file really is GBK with CRLF line ends, not UTF-8', () => {
    const bytes = readFileSync(join(FIXTURE_DIR, FIXTURES.gbk.file));
    expect(bytes.subarray(0, 8).equals(iconv.encode('身份证号', 'gbk'))).toBe(true);
    expect(bytes.includes(Buffer.from('\r\n'))).toBe(true);
    expect(bytes.toString('utf8')).toContain('\ufffd');
  });

  /** Every fixture row through the reader and the row-local checks gives its expected verdict. */
  async function expectFixture(f: FixtureFile, encoding: string | null, format: string) {
    const reader = await openRoster(join(FIXTURE_DIR, f.file));
    expect({ format: reader.format, encoding: reader.encoding }).toEqual({ format, encoding });
    reader.close();
    const got = await rows(join(FIXTURE_DIR, f.file));
    expect(got.map((r) => r.lineNumber)).toEqual(f.people.map((_, i) => f.firstLine + i));
    got.forEach((row, i) => {
      const person = f.people[i]!;
      const checked = checkRow(row, TODAY);
      const local =
        person.expect === 'INVALID_ID' || person.expect === 'MISSING_FIELD' ? person.expect : null;
      expect({ about: person.about, reason: checked.reason }).toEqual({ about: person.about, reason: local });
      if (checked.id) expect(checked.id.id).toBe(person.id);
      if (person.name.trim()) expect(checked.name).toBe(person.name.trim());
      expect(checked.registeredPoor).toBe(person.poor);
    });
    return got;
  }

  it('GBK, Chinese headers, CRLF: decoded, every column mapped, empty trailing lines skipped', async () => {
    const f = fixtureFile('gbk');
    const reader = await openRoster(join(FIXTURE_DIR, f.file));
    expect(reader.columns).toEqual([
      'national_id',
      'name',
      'household_id',
      'registered_poor',
      'payee_account',
      'phone',
    ]);
    reader.close();
    const got = await expectFixture(f, 'gb18030', 'csv');
    expect(got[0]!.fields).toEqual({
      national_id: f.people[0]!.id,
      name: '王小明',
      household_id: 'HH-1-01',
      registered_poor: '是',
      payee_account: '6228480012345678901',
      phone: '13800138000',
    });
    expect(got).toHaveLength(20);
  });

  it('UTF-8 with BOM, English headers in another order, unknown column ignored', async () => {
    const f = fixtureFile('utf8');
    const reader = await openRoster(join(FIXTURE_DIR, f.file));
    expect(reader.columns).toEqual(['national_id', 'name', 'household_id', 'registered_poor', 'phone']);
    reader.close();
    const got = await expectFixture(f, 'utf-8', 'csv');
    expect(got[0]!.fields.payee_account).toBe('');
    expect(Object.keys(got[0]!.fields)).not.toContain('village');
  });

  it('xlsx: title row skipped, header with a note, number-stored ID flagged, rich text and booleans read', async () => {
    const f = fixtureFile('xlsx');
    const reader = await openRoster(join(FIXTURE_DIR, f.file));
    expect(reader.headerLine).toBe(2);
    reader.close();
    const got = await expectFixture(f, null, 'xlsx');
    const numeric = got.find((r) => r.lostDigits);
    expect(numeric?.lostDigits).toEqual(['national_id']);
    expect(checkRow(numeric!, TODAY).detail).toMatch(/stored as a number/);
    expect(got.find((r) => r.fields.name === '欧阳娜娜')).toBeDefined();
    expect(got.map((r) => r.fields.registered_poor)).toContain('TRUE');
  });
});

describe('encoding detection', () => {
  it('UTF-8 without a BOM is UTF-8', async () => {
    const path = file(`${HEADER}\n${ID},张三,H1,是\n`);
    expect(await isUtf8File(path)).toBe(true);
    expect((await rows(path))[0]!.fields.name).toBe('张三');
  });

  it('GB18030 with a four-byte character (𠮷) and GBK-only bytes', async () => {
    const path = file(iconv.encode(`身份证号,姓名,户编号,是否建档立卡\r\n${ID},𠮷祥,H1,是\r\n`, 'gb18030'));
    expect(await isUtf8File(path)).toBe(false);
    const reader = await openRoster(path);
    expect(reader.encoding).toBe('gb18030');
    reader.close();
    expect((await rows(path))[0]!.fields.name).toBe('𠮷祥');
  });

  it('a file that is ASCII for 1 MB and GBK after it is still GB18030', async () => {
    const filler = `${ID},Zhang San,H1,Y\n`.repeat(Math.ceil(1_100_000 / 40));
    const path = file(
      Buffer.concat([Buffer.from(`${HEADER}\n${filler}`), iconv.encode(`${ID},李四,H2,是\n`, 'gbk')]),
    );
    expect(await isUtf8File(path)).toBe(false);
    const got = await rows(path);
    expect(got[got.length - 1]!.fields.name).toBe('李四');
  });

  it('a multi-byte character split across read chunks is not mistaken for invalid UTF-8', () => {
    const zhang = Buffer.from('张', 'utf8'); // 3 bytes
    expect(completeUtf8Length(Buffer.concat([Buffer.from('ab'), zhang.subarray(0, 2)]))).toBe(2);
    expect(completeUtf8Length(Buffer.concat([Buffer.from('ab'), zhang]))).toBe(5);
    expect(completeUtf8Length(Buffer.concat([Buffer.from('ab'), Buffer.from('𠮷').subarray(0, 3)]))).toBe(2);
    expect(completeUtf8Length(Buffer.from('abc'))).toBe(3);
  });
});

describe('headers', () => {
  it.each([
    ['身份证号', 'national_id'],
    ['公民身份号码', 'national_id'],
    ['*身份证号码(必填)', 'national_id'],
    ['National ID', 'national_id'],
    ['NATIONAL_ID', 'national_id'],
    ['姓名（必填）', 'name'],
    ['户编号', 'household_id'],
    ['是否建档立卡', 'registered_poor'],
    ['收款账户', 'payee_account'],
    ['联系电话', 'phone'],
    ['\ufeffphone', 'phone'],
    ['village', undefined],
  ])('%j → %s', (header, column) => {
    expect(columnOf(header)).toBe(column);
  });

  it('a missing required column fails the file and names the column in both languages', async () => {
    const err = await failure(file(`national_id,name,registered_poor\n${ID},张三,Y\n`));
    expect(err.problem).toBe(RosterImportProblem.MISSING_COLUMN);
    expect(err.message).toContain('household_id (户编号)');
  });

  it('a header without the ID column is a missing column', async () => {
    const err = await failure(file(`姓名,户编号,是否建档立卡\n张三,H1,是\n`));
    expect(err.problem).toBe(RosterImportProblem.MISSING_COLUMN);
    expect(err.message).toContain('national_id (身份证号)');
  });

  it('a column named twice fails the file', async () => {
    const err = await failure(
      file(`身份证号,姓名,户编号,是否建档立卡,公民身份号码\n${ID},张三,H1,是,${ID}\n`),
    );
    expect(err.problem).toBe(RosterImportProblem.DUPLICATE_COLUMN);
    expect(err.message).toContain('columns A and E');
  });

  it('no header at all', async () => {
    const err = await failure(file(`${ID},张三,H1,是\n`));
    expect(err.problem).toBe(RosterImportProblem.NO_HEADER);
  });

  it('an empty file', async () => {
    expect((await failure(file(''))).problem).toBe(RosterImportProblem.EMPTY_FILE);
    expect((await failure(file('\r\n,,,\r\n'))).problem).toBe(RosterImportProblem.EMPTY_FILE);
  });

  it('a header and no rows reads as no rows (the import refuses it)', async () => {
    expect(await rows(file(`${HEADER}\r\n,,,\r\n`))).toEqual([]);
  });
});

describe('formats refused with a clear reason', () => {
  it('UTF-16 ("Unicode text")', async () => {
    const err = await failure(
      file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER, 'utf16le')])),
    );
    expect(err.problem).toBe(RosterImportProblem.UNSUPPORTED_ENCODING);
  });

  it('an old binary .xls', async () => {
    const err = await failure(file(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), 'xls'));
    expect(err.problem).toBe(RosterImportProblem.UNSUPPORTED_FORMAT);
    expect(err.message).toContain('.xlsx');
  });

  it('a corrupt .xlsx', async () => {
    const err = await failure(
      file(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 1)]), 'xlsx'),
    );
    expect(err.problem).toBe(RosterImportProblem.MALFORMED_FILE);
  });

  it('an unclosed quote', async () => {
    const err = await failure(file(`${HEADER}\n${ID},"张三,H1,Y\n`));
    expect(err.problem).toBe(RosterImportProblem.MALFORMED_FILE);
  });
});

describe('rows', () => {
  it('line numbers are the lines Excel shows; blank lines in between are skipped', async () => {
    const got = await rows(
      file(`${HEADER}\r\n${ID},张三,H1,Y\r\n\r\n,, ,\r\n${ID},"李\r\n四",H2,Y\r\n${ID},王五,H3,Y`),
    );
    expect(got.map((r) => r.lineNumber)).toEqual([2, 5, 7]);
    expect(got[1]!.fields.name).toBe('李\r\n四');
  });

  it('cells are trimmed of spaces, tabs, full-width spaces and zero-width characters', async () => {
    const got = await rows(file(`${HEADER}\n \t${ID}\u3000,\u200b张三 ,  H1 ,\u00a0Y\n`));
    expect(got[0]!.fields).toMatchObject({
      national_id: ID,
      name: '张三',
      household_id: 'H1',
      registered_poor: 'Y',
    });
  });

  it('short rows leave the missing cells empty', async () => {
    const got = await rows(file(`${HEADER},phone\n${ID},张三\n`));
    expect(got[0]!.fields).toMatchObject({ household_id: '', registered_poor: '', phone: '' });
  });

  it('reads a large file in batches without holding it', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => `${ID},P${i},H${i},Y`).join('\n');
    const reader = await openRoster(file(`${HEADER}\n${body}\n`), { batchSize: 1000 });
    const sizes: number[] = [];
    for await (const b of reader.batches()) sizes.push(b.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1500);
    expect(reader.bytesRead()).toBeGreaterThan(0);
  });

  it('xlsx: numbers in other columns keep their digits when they fit, and are flagged when not', async () => {
    const path = await xlsx((ws) => {
      ws.addRow(['身份证号', '姓名', '户编号', '是否建档立卡', '联系电话', '收款账户']);
      ws.addRow([ID, '张三', 12345, '是', 13800138000, 6228480012345678000]);
      ws.addRow([' ', null, '', '']);
    });
    const got = await rows(path);
    expect(got).toHaveLength(1);
    expect(got[0]!.fields).toMatchObject({ household_id: '12345', phone: '13800138000' });
    expect(got[0]!.lostDigits).toEqual(['payee_account']);
    const checked = checkRow(got[0]!, TODAY);
    expect(checked.reason).toBeNull();
    expect(checked.payeeAccount).toBeNull();
  });

  it('xlsx: only the first worksheet is read; formulas give their result', async () => {
    const wb = new ExcelJS.Workbook();
    const a = wb.addWorksheet('roster');
    a.addRow(['身份证号', '姓名', '户编号', '是否建档立卡']);
    a.addRow([ID, { formula: 'CONCAT("张","三")', result: '张三' }, 'H1', 'Y']);
    wb.addWorksheet('notes').addRow(['身份证号', '姓名', '户编号', '是否建档立卡']);
    const got = await rows(file(Buffer.from(await wb.xlsx.writeBuffer()), 'xlsx'));
    expect(got).toHaveLength(1);
    expect(got[0]!.fields.name).toBe('张三');
  });
});

describe('row checks (INVALID_ID, MISSING_FIELD) and normalisation', () => {
  const row = (fields: Partial<RosterRow['fields']>, lostDigits?: RosterRow['lostDigits']): RosterRow => ({
    lineNumber: 2,
    fields: {
      national_id: ID,
      name: '张三',
      household_id: 'H1',
      registered_poor: 'Y',
      payee_account: '',
      phone: '',
      ...fields,
    },
    ...(lostDigits ? { lostDigits } : {}),
  });

  it.each([
    ['full-width digits', ID.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))],
    ['spaces inside', `${ID.slice(0, 6)} ${ID.slice(6, 14)} ${ID.slice(14)}`],
    ["Excel's text prefix", `'${ID}`],
    ['an ="…" wrapper', `="${ID}"`],
  ])('%s: normalised and valid', (_about, cell) => {
    expect(normaliseIdCell(cell).value).toBe(ID);
    const c = checkRow(row({ national_id: cell }), TODAY);
    expect(c.reason).toBeNull();
    expect(c.id?.id).toBe(ID);
    expect(c.maskedId).toBe(`${ID.slice(0, 6)}********${ID.slice(14)}`);
  });

  it('full-width X and lower-case x check characters', () => {
    const x = '11010519491231002X';
    expect(checkRow(row({ national_id: '11010519491231002ｘ' }), TODAY).id?.id).toBe(x);
    expect(checkRow(row({ national_id: '11010519491231002Ｘ' }), TODAY).id?.id).toBe(x);
    expect(checkRow(row({ national_id: '11010519491231002x' }), TODAY).id?.id).toBe(x);
  });

  it('scientific notation is INVALID_ID, never repaired', () => {
    const c = checkRow(row({ national_id: '5.13432E+17' }), TODAY);
    expect(c.reason).toBe(RosterRejectReason.INVALID_ID);
    expect(c.detail).toMatch(/scientific notation/);
    expect(c.maskedId).toBeNull();
  });

  it('an ID cell stored as an Excel number is INVALID_ID even when its digits happen to check', () => {
    const c = checkRow(row({ national_id: ID }, ['national_id']), TODAY);
    expect(c.reason).toBe(RosterRejectReason.INVALID_ID);
  });

  it('invalid IDs: the detail never echoes the ID; the mask shows no more than a valid one would', () => {
    const bad = `${ID.slice(0, 17)}${ID[17] === '1' ? '2' : '1'}`;
    const c = checkRow(row({ national_id: bad }), TODAY);
    expect(c.reason).toBe(RosterRejectReason.INVALID_ID);
    expect(c.detail).not.toContain(bad.slice(6, 14));
    expect(c.maskedId).toBe(`${bad.slice(0, 6)}********${bad.slice(14)}`);
    expect(checkRow(row({ national_id: '513432800512123' }), TODAY).detail).toMatch(/15-digit/);
    expect(checkRow(row({ national_id: '' }), TODAY).detail).toBe('the national ID is empty');
    expect(looseMask('12345')).toBeNull();
  });

  it('a birth date after the import day is INVALID_ID', () => {
    const c = checkRow(row({ national_id: makeNationalId('513432', '2020-03-03', 1, 'F') }), TODAY);
    expect(c.reason).toBe(RosterRejectReason.INVALID_ID);
  });

  it('MISSING_FIELD lists every empty required field', () => {
    const c = checkRow(row({ name: '', household_id: '', registered_poor: '' }), TODAY);
    expect(c.reason).toBe(RosterRejectReason.MISSING_FIELD);
    expect(c.detail).toBe('name is empty; household_id is empty; registered_poor is empty');
    expect(checkRow(row({ registered_poor: 'maybe' }), TODAY).detail).toMatch(/Y\/N or 是\/否/);
    expect(checkRow(row({ household_id: '5134321010010001' }, ['household_id']), TODAY).reason).toBe(
      RosterRejectReason.MISSING_FIELD,
    );
  });

  it.each([
    ['Y', true],
    ['y', true],
    ['是', true],
    ['TRUE', true],
    ['１', true],
    ['N', false],
    ['否', false],
    ['no', false],
    ['FALSE', false],
    ['', null],
    ['?', null],
  ])('registered_poor %j → %s', (raw, value) => {
    expect(parseRegisteredPoor(raw)).toBe(value);
  });

  it('optional fields: full-width digits and inner spaces removed', () => {
    const c = checkRow(
      row({ phone: '１３８ ００１３ ８０００', payee_account: '6228 4800 1234 5678' }),
      TODAY,
    );
    expect(c.phone).toBe('13800138000');
    expect(c.payeeAccount).toBe('6228480012345678');
  });
});

describe("the import's crypto (RowCrypto) is pii-crypto's, faster", () => {
  const ids = [ID, '11010519491231002X', makeNationalId('520521', '2002-01-01', 999, 'F')];

  it('the hash is lookupHash', () => {
    for (const id of ids) expect(CRYPTO.hashHex(id)).toBe(lookupHash(id, KEYS.hmacKey).toString('hex'));
  });

  it("the ciphertext has encryptId's format and decrypts with decryptId", () => {
    for (const id of ids) {
      const c = CRYPTO.encrypt(id);
      expect(decryptId(c, { test: KEYS.encKey.key })).toBe(id);
      expect(keyIdOf(c)).toBe('test');
      const reference = encryptId(id, KEYS.encKey).split('.');
      expect(c.split('.').map((p) => p.length)).toEqual(reference.map((p) => p.length));
      expect(c.split('.').slice(0, 2)).toEqual(reference.slice(0, 2));
    }
  });

  it('never reuses an IV, across pool refills', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 5000; i++) ivs.add(CRYPTO.encrypt(ID).split('.')[2]!);
    expect(ivs.size).toBe(5000);
  });

  it('a wrong key fails authentication', () => {
    expect(() => decryptId(CRYPTO.encrypt(ID), { test: Buffer.alloc(32, 1) })).toThrow(/authentication/);
  });
});

describe('staging rows (COPY text)', () => {
  it('escapes what COPY text format needs and writes \\N for nulls', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyText('张三')).toBe('张三');
  });

  it('a valid row: hash, ciphertext that decrypts to the ID, mask, birth date, gender, region', () => {
    const line = stageLine(
      checkRow(
        {
          lineNumber: 7,
          fields: {
            national_id: ID,
            name: '张\t三',
            household_id: 'H1',
            registered_poor: '是',
            payee_account: '',
            phone: '',
          },
        },
        TODAY,
      ),
      CRYPTO,
    );
    const cols = line.replace(/\n$/, '').split('\t');
    expect(cols).toHaveLength(14);
    expect(cols[0]).toBe('7');
    expect(cols[1]).toBe(`\\\\x${lookupHash(ID, KEYS.hmacKey).toString('hex')}`);
    expect(decryptId(cols[2]!, { test: KEYS.encKey.key })).toBe(ID);
    expect(cols.slice(3, 14)).toEqual([
      `${ID.slice(0, 6)}********${ID.slice(14)}`,
      '1980-05-12',
      'M',
      '513432',
      '张\\t三',
      'H1',
      't',
      '\\N',
      '\\N',
      '\\N',
      '\\N',
    ]);
  });

  it('a row that cannot be accepted is hashed (for duplicates) but never encrypted', () => {
    const notPoor = stageLine(
      checkRow(
        {
          lineNumber: 3,
          fields: {
            national_id: ID,
            name: '张三',
            household_id: 'H1',
            registered_poor: 'N',
            payee_account: '',
            phone: '',
          },
        },
        TODAY,
      ),
      CRYPTO,
    ).split('\t');
    expect(notPoor[1]).toMatch(/^\\\\x[0-9a-f]{64}$/);
    expect(notPoor[2]).toBe('\\N');
    const invalid = stageLine(
      checkRow(
        {
          lineNumber: 4,
          fields: {
            national_id: 'abc',
            name: '张三',
            household_id: 'H1',
            registered_poor: 'Y',
            payee_account: '',
            phone: '',
          },
        },
        TODAY,
      ),
      CRYPTO,
    ).split('\t');
    expect(invalid.slice(0, 3)).toEqual(['4', '\\N', '\\N']);
    expect(invalid[12]).toBe('INVALID_ID');
  });
});

describe('rows cross to the staging threads as one string', () => {
  it('round-trips fields, line numbers and lost-digit flags; separators inside cells are dropped', () => {
    const rows: RosterRow[] = [
      {
        lineNumber: 2,
        fields: {
          national_id: ID,
          name: '张\x1f三',
          household_id: 'H,1',
          registered_poor: '是',
          payee_account: '',
          phone: '138',
        },
      },
      {
        lineNumber: 9,
        fields: {
          national_id: '5.1E+17',
          name: '',
          household_id: '',
          registered_poor: '',
          payee_account: '1',
          phone: '',
        },
        lostDigits: ['national_id', 'payee_account'],
      },
    ];
    const back = decodeRows(encodeRows(rows));
    expect(back).toEqual([{ ...rows[0], fields: { ...rows[0]!.fields, name: '张三' } }, rows[1]]);
    expect(decodeRows(encodeRows([]))).toEqual([]);
  });
});

describe('the staging threads', () => {
  it('two worker threads give what the calling thread gives (hash, mask, verdicts; ciphertexts decrypt alike)', async () => {
    const rows: RosterRow[] = Array.from({ length: 3000 }, (_, i) => ({
      lineNumber: i + 2,
      fields: {
        national_id:
          i % 50 === 0 ? 'bad' : makeNationalId('513432', '1980-05-12', i % 1000, i % 2 ? 'M' : 'F'),
        name: `人${i}`,
        household_id: `H${i}`,
        registered_poor: i % 7 === 0 ? '否' : '是',
        payee_account: '',
        phone: '',
      },
    }));
    const threaded = RowStager.start({ today: TODAY, keys: KEYS, threads: 2 });
    const inline = RowStager.start({ today: TODAY, keys: KEYS, threads: 0 });
    try {
      expect(threaded.threads).toBe(2);
      expect(inline.threads).toBe(0);
      const batches = [rows.slice(0, 1000), rows.slice(1000, 2000), rows.slice(2000)];
      const a = (await Promise.all(batches.map((b) => threaded.stage(b)))).join('');
      const b = (await Promise.all(batches.map((x) => inline.stage(x)))).join('');
      const strip = (text: string) =>
        text
          .trimEnd()
          .split('\n')
          .map((l) => {
            const cols = l.split('\t');
            cols[2] = cols[2] === '\\N' ? 'null' : decryptId(cols[2]!, { test: KEYS.encKey.key });
            return cols.join('\t');
          });
      expect(strip(a)).toEqual(strip(b));
      expect(strip(a)).toHaveLength(3000);
    } finally {
      await threaded.close();
      await inline.close();
    }
  });
});
