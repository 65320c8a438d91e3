import {
  ageOn,
  computeCheckCharacter,
  isValidNationalId,
  makeNationalId,
  NationalIdProblem,
  parseNationalId,
  type NationalIdParseResult,
} from '../../../src/modules/enrollment/national-id';

const TODAY = '2025-06-15';

/** Completes 17 digits with the right check character, so a test isolates the other rule it is about. */
const withCheck = (first17: string): string => first17 + computeCheckCharacter(first17);

function expectRejected(result: NationalIdParseResult, reason: NationalIdProblem): string {
  if (result.ok) throw new Error(`expected ${reason}, got a valid ID`);
  expect(result.reason).toBe(reason);
  expect(result.message.length).toBeGreaterThan(0);
  return result.message;
}

describe('computeCheckCharacter', () => {
  // One vector per possible check character (S mod 11 = 0..10), computed independently.
  it.each([
    ['51343219900101000', '5'],
    ['51343219900101001', '3'],
    ['51343219900101002', '1'],
    ['51343219900101003', 'X'],
    ['51343219900101004', '8'],
    ['51343219900101005', '6'],
    ['51343219900101006', '4'],
    ['51343219900101007', '2'],
    ['51343219900101008', '0'],
    ['51343219900101009', '9'],
    ['51343219900101018', '7'],
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
  ])('%s → %s', (first17, check) => {
    expect(computeCheckCharacter(first17)).toBe(check);
  });

  it.each(['', '1101051949123100', '110105194912310021', '1101051949123100A', ' 1101051949123100'])(
    'refuses %j (not 17 digits)',
    (bad) => {
      expect(() => computeCheckCharacter(bad)).toThrow(RangeError);
    },
  );
});

describe('parseNationalId: valid IDs', () => {
  it('parses the standard example 11010519491231002X (female, X check character)', () => {
    expect(parseNationalId('11010519491231002X', TODAY)).toEqual({
      ok: true,
      id: '11010519491231002X',
      birthDate: '1949-12-31',
      gender: 'F',
      issuingRegion: '110105',
    });
  });

  it('parses a male ID (odd 17th character)', () => {
    expect(parseNationalId('513432199001010013', TODAY)).toEqual({
      ok: true,
      id: '513432199001010013',
      birthDate: '1990-01-01',
      gender: 'M',
      issuingRegion: '513432',
    });
  });

  it('parses a female ID with a digit check character', () => {
    expect(parseNationalId('513432199001010021', TODAY)).toMatchObject({ ok: true, gender: 'F' });
  });

  it.each([
    ['513432199001010005', 'F'],
    ['513432199001010013', 'M'],
    ['513432199001010021', 'F'],
    ['51343219900101003X', 'M'],
    ['513432199001010048', 'F'],
    ['513432199001010056', 'M'],
    ['513432199001010064', 'F'],
    ['513432199001010072', 'M'],
    ['513432199001010080', 'F'],
    ['513432199001010099', 'M'],
    ['513432199001010187', 'F'],
  ])('accepts %s (every check character) with gender %s', (id, gender) => {
    expect(parseNationalId(id, TODAY)).toMatchObject({ ok: true, id, gender });
  });

  it('normalises a lowercase x check character to X', () => {
    expect(parseNationalId('11010519491231002x', TODAY)).toMatchObject({
      ok: true,
      id: '11010519491231002X',
    });
  });

  it('trims surrounding whitespace, including tabs, newlines and the ideographic space', () => {
    expect(parseNationalId('  11010519491231002X\t\n', TODAY)).toMatchObject({
      ok: true,
      id: '11010519491231002X',
    });
    expect(parseNationalId('\u300011010519491231002x\u3000', TODAY)).toMatchObject({
      ok: true,
      id: '11010519491231002X',
    });
  });

  it.each([
    ['2020-02-29', '11010120200229001'],
    ['2000-02-29', '11010120000229001'],
    ['1900-01-01', '11010119000101001'],
  ])('accepts the real date %s', (birthDate, first17) => {
    expect(parseNationalId(withCheck(first17), TODAY)).toMatchObject({ ok: true, birthDate });
  });

  it('accepts a birth date equal to today (a newborn)', () => {
    expect(parseNationalId(withCheck('11010120250615001'), TODAY)).toMatchObject({
      ok: true,
      birthDate: TODAY,
    });
  });
});

describe('parseNationalId: refusals', () => {
  it.each(['', '   ', '\t\n', '\u3000'])('EMPTY for %j', (raw) => {
    expectRejected(parseNationalId(raw, TODAY), 'EMPTY');
  });

  it('LEGACY_15_DIGIT for an old 15-digit number, with a message to convert it', () => {
    const message = expectRejected(parseNationalId('110105491231002', TODAY), 'LEGACY_15_DIGIT');
    expect(message).toMatch(/convert/i);
    expect(message).toMatch(/18-digit/);
  });

  it('LEGACY_15_DIGIT also after trimming', () => {
    expectRejected(parseNationalId(' 110105491231002 ', TODAY), 'LEGACY_15_DIGIT');
  });

  it.each([
    ['17 characters', '11010519491231002', 17],
    ['19 characters', '11010519491231002X1', 19],
    ['16 characters', '1101051949123100', 16],
    ['15 characters with a letter (not a legacy number)', '11010549123100X', 15],
    ['an internal space', '110105 19491231002X', 19],
    ['one character', '1', 1],
  ])('WRONG_LENGTH for %s', (_label, raw, length) => {
    const message = expectRejected(parseNationalId(raw, TODAY), 'WRONG_LENGTH');
    expect(message).toContain(String(length));
  });

  it.each([
    ['a letter in the body', '1101051949123A002X', 14],
    ['X in the body', '110105194912310X2X', 16],
    ['a letter other than X as check character', '11010519491231002Y', 18],
    ['a hyphen', '110105-9491231002X', 7],
    ['a full-width digit', '１10105194912310021', 1],
    ['a lowercase x in the body', 'x10105194912310021', 1],
  ])('BAD_CHARACTER for %s (reports position %d)', (_label, raw, position) => {
    const message = expectRejected(parseNationalId(raw, TODAY), 'BAD_CHARACTER');
    expect(message).toContain(`Character ${position} `);
  });

  it('BAD_CHECK_CHARACTER for a wrong check character', () => {
    expectRejected(parseNationalId('110105194912310021', TODAY), 'BAD_CHECK_CHARACTER');
    expectRejected(parseNationalId('513432199001010012', TODAY), 'BAD_CHECK_CHARACTER');
  });

  it('BAD_CHECK_CHARACTER for a single-digit typo and for swapped neighbours', () => {
    expectRejected(parseNationalId('11010519491231003X', TODAY), 'BAD_CHECK_CHARACTER');
    expectRejected(parseNationalId('11010591491231002X', TODAY), 'BAD_CHECK_CHARACTER');
  });

  it('BAD_CHECK_CHARACTER wins over a bad date (a typo is the likelier cause)', () => {
    const good = withCheck('11010119990230001');
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    expectRejected(parseNationalId(wrongCheck, TODAY), 'BAD_CHECK_CHARACTER');
  });

  it.each([
    ['30 February (19990230)', '11010119990230001'],
    ['29 February 2019 (a common year)', '11010120190229001'],
    ['29 February 1900 (divisible by 100, not by 400)', '11010119000229001'],
    ['month 00', '11010119900001001'],
    ['month 13', '11010119901301001'],
    ['day 00', '11010119900100001'],
    ['31 April', '11010119900431001'],
    ['32 January', '11010119900132001'],
    ['before 1900 (1899-12-31)', '11010118991231001'],
    ['year 0000', '11010100000101001'],
  ])('BAD_BIRTH_DATE for %s', (_label, first17) => {
    expectRejected(parseNationalId(withCheck(first17), TODAY), 'BAD_BIRTH_DATE');
  });

  it('FUTURE_BIRTH_DATE relative to the injected today', () => {
    const id = withCheck('11010120250616001');
    expectRejected(parseNationalId(id, TODAY), 'FUTURE_BIRTH_DATE');
    expect(parseNationalId(id, '2025-06-16')).toMatchObject({ ok: true, birthDate: '2025-06-16' });
  });

  it('FUTURE_BIRTH_DATE for a far-future real date', () => {
    expectRejected(parseNationalId(withCheck('11010120990101001'), TODAY), 'FUTURE_BIRTH_DATE');
  });

  it('never echoes the ID in a message', () => {
    const inputs = [
      '110105194912310021',
      withCheck('11010119990230001'),
      withCheck('11010120990101001'),
      '1101051949123A002X',
      '11010519491231002X1',
      '110105491231002',
    ];
    for (const raw of inputs) {
      const result = parseNationalId(raw, TODAY);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.message).not.toContain(raw);
        expect(result.message).not.toContain(raw.slice(6, 14));
      }
    }
  });

  it.each(['2025-6-15', '2025-02-30', '', 'today'])('throws for an invalid injected today %j', (today) => {
    expect(() => parseNationalId('11010519491231002X', today)).toThrow(RangeError);
  });

  it('exposes every reason code', () => {
    expect(Object.values(NationalIdProblem).sort()).toEqual(
      [
        'BAD_BIRTH_DATE',
        'BAD_CHARACTER',
        'BAD_CHECK_CHARACTER',
        'EMPTY',
        'FUTURE_BIRTH_DATE',
        'LEGACY_15_DIGIT',
        'WRONG_LENGTH',
      ].sort(),
    );
  });
});

describe('isValidNationalId', () => {
  it('is true exactly when parseNationalId succeeds', () => {
    expect(isValidNationalId('11010519491231002X', TODAY)).toBe(true);
    expect(isValidNationalId(' 11010519491231002x ', TODAY)).toBe(true);
    expect(isValidNationalId('110105194912310021', TODAY)).toBe(false);
    expect(isValidNationalId('110105491231002', TODAY)).toBe(false);
    expect(isValidNationalId('', TODAY)).toBe(false);
  });
});

describe('ageOn', () => {
  it.each([
    ['1990-06-15', '2025-06-14', 34],
    ['1990-06-15', '2025-06-15', 35],
    ['1990-06-15', '2025-06-16', 35],
    ['1990-06-15', '1990-06-15', 0],
    ['1990-06-15', '1991-06-14', 0],
    ['1990-06-15', '1991-06-15', 1],
    ['1990-12-31', '2025-01-01', 34],
    ['1990-01-01', '2024-12-31', 34],
    ['1990-01-01', '2025-01-01', 35],
    ['1949-12-31', '2025-06-15', 75],
  ])('born %s, on %s → %d', (birthDate, on, age) => {
    expect(ageOn(birthDate, on)).toBe(age);
  });

  describe('born on 29 February (anniversary on 1 March in common years)', () => {
    it.each([
      ['2000-02-29', '2001-02-28', 0],
      ['2000-02-29', '2001-03-01', 1],
      ['2000-02-29', '2003-02-28', 2],
      ['2000-02-29', '2003-03-01', 3],
      ['2000-02-29', '2004-02-28', 3],
      ['2000-02-29', '2004-02-29', 4],
      ['2000-02-29', '2004-03-01', 4],
      ['2000-02-29', '2018-02-28', 17],
      ['2000-02-29', '2018-03-01', 18],
      ['2000-02-29', '2100-02-28', 99],
      ['2000-02-29', '2100-03-01', 100],
    ])('born %s, on %s → %d', (birthDate, on, age) => {
      expect(ageOn(birthDate, on)).toBe(age);
    });
  });

  it('someone born on 28 February or 1 March is unaffected by leap years', () => {
    expect(ageOn('2000-02-28', '2001-02-28')).toBe(1);
    expect(ageOn('2000-03-01', '2004-02-29')).toBe(3);
    expect(ageOn('2000-03-01', '2004-03-01')).toBe(4);
  });

  it('throws when the date is before the birth date, or a date is not real', () => {
    expect(() => ageOn('2000-01-02', '2000-01-01')).toThrow(RangeError);
    expect(() => ageOn('2019-02-29', '2025-01-01')).toThrow(RangeError);
    expect(() => ageOn('2000-01-01', '2025-13-01')).toThrow(RangeError);
  });
});

describe('makeNationalId', () => {
  it('builds the standard example from its parts', () => {
    expect(makeNationalId('110105', '1949-12-31', 2, 'F')).toBe('11010519491231002X');
  });

  it.each([
    [0, 'F', '000'],
    [0, 'M', '001'],
    [1, 'M', '001'],
    [1, 'F', '000'],
    [998, 'M', '999'],
    [999, 'M', '999'],
    [999, 'F', '998'],
    [123, 'F', '122'],
    [123, 'M', '123'],
  ] as const)('seq %d, gender %s → sequence code %s', (seq, gender, code) => {
    const id = makeNationalId('513432', '1990-01-01', seq, gender);
    expect(id.slice(14, 17)).toBe(code);
    expect(parseNationalId(id, TODAY)).toMatchObject({ ok: true, gender });
  });

  it('round-trips through parseNationalId for many dates, both genders', () => {
    const dates = ['1900-01-01', '1949-10-01', '2000-02-29', '2020-02-29', '2024-12-31', TODAY];
    for (const birthDate of dates) {
      for (const gender of ['F', 'M'] as const) {
        for (const seq of [0, 17, 500, 999]) {
          const id = makeNationalId('513432', birthDate, seq, gender);
          expect(parseNationalId(id, TODAY)).toEqual({
            ok: true,
            id,
            birthDate,
            gender,
            issuingRegion: '513432',
          });
        }
      }
    }
  });

  it('can build out-of-range but real dates, for tests of the refusals', () => {
    expectRejected(parseNationalId(makeNationalId('110101', '1899-12-31', 1, 'M'), TODAY), 'BAD_BIRTH_DATE');
    expectRejected(
      parseNationalId(makeNationalId('110101', '2030-01-01', 1, 'M'), TODAY),
      'FUTURE_BIRTH_DATE',
    );
  });

  it.each([
    ['a short region', () => makeNationalId('11010', '1990-01-01', 1, 'M')],
    ['a non-digit region', () => makeNationalId('11010A', '1990-01-01', 1, 'M')],
    ['an impossible date', () => makeNationalId('110101', '2019-02-29', 1, 'M')],
    ['a malformed date', () => makeNationalId('110101', '19900101', 1, 'M')],
    ['a negative sequence', () => makeNationalId('110101', '1990-01-01', -1, 'M')],
    ['a sequence over 999', () => makeNationalId('110101', '1990-01-01', 1000, 'M')],
    ['a fractional sequence', () => makeNationalId('110101', '1990-01-01', 1.5, 'M')],
  ])('throws for %s', (_label, build) => {
    expect(build).toThrow(RangeError);
  });
});
