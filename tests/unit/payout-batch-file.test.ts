import {
  BATCH_FILE_HEADER,
  batchCsvText,
  csvField,
  toBatchCsv,
  UTF8_BOM,
} from '../../src/modules/payouts/batch-file';

const row = (over: Partial<Parameters<typeof batchCsvText>[0][number]> = {}) => ({
  claimNumber: 'CLM-513432-2020-000001',
  payeeAccount: '6222020000000000123',
  maskedId: '513432********1234',
  name: '阿依古丽·买买提',
  amount: '12345.67',
  ...over,
});

describe('payout batch file', () => {
  it('is UTF-8 with a BOM, a header, CRLF after every row, amounts exactly as stored', () => {
    const text = batchCsvText([
      row(),
      row({ claimNumber: 'CLM-513432-2020-000002', name: '欧阳娜娜', amount: '0.05' }),
    ]);
    expect(text).toBe(
      '\uFEFFclaim_number,payee_account,masked_id,name,amount\r\n' +
        'CLM-513432-2020-000001,6222020000000000123,513432********1234,阿依古丽·买买提,12345.67\r\n' +
        'CLM-513432-2020-000002,6222020000000000123,513432********1234,欧阳娜娜,0.05\r\n',
    );
    const bytes = toBatchCsv([row()]);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').startsWith(BATCH_FILE_HEADER.join(','))).toBe(true);
  });

  it('has just the header for an empty batch', () => {
    expect(batchCsvText([])).toBe(`${UTF8_BOM}claim_number,payee_account,masked_id,name,amount\r\n`);
  });

  it('quotes a field with a comma, a quote, a line break or surrounding spaces (RFC 4180)', () => {
    expect(csvField('吉克, 阿呷')).toBe('"吉克, 阿呷"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('')).toBe('');
  });

  it('never lets a spreadsheet evaluate a field as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    // Real values are left as they are.
    expect(csvField('513432********1234')).toBe('513432********1234');
    expect(csvField('6222020000000000123')).toBe('6222020000000000123');
  });

  it('refuses an amount that is not a positive amount with two decimals (no rounding here)', () => {
    for (const amount of ['1.5', '1.005', '-3.00', '1e3', '', '12345678901234.00']) {
      expect(() => batchCsvText([row({ amount })])).toThrow(RangeError);
    }
    expect(batchCsvText([row({ amount: '999999999999.99' })])).toContain(',999999999999.99\r\n');
  });

  it('keeps characters outside the BMP whole', () => {
    const bytes = toBatchCsv([row({ name: '𠮷野家' })]);
    expect(bytes.toString('utf8')).toContain(',𠮷野家,');
  });
});
