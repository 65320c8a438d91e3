import { COMPOUND_SURNAMES, maskName, maskNationalId } from '../../../src/modules/enrollment/masking';

describe('maskNationalId', () => {
  it('keeps the first 6 and last 4 characters, 8 asterisks between (the spec example)', () => {
    expect(maskNationalId('513432199001011234')).toBe('513432********1234');
  });

  it('masks an ID with an X check character', () => {
    expect(maskNationalId('11010519491231002X')).toBe('110105********002X');
  });

  it('normalises a trailing lowercase x and surrounding whitespace', () => {
    expect(maskNationalId(' 11010519491231002x ')).toBe('110105********002X');
  });

  it('hides the whole birth date', () => {
    const masked = maskNationalId('11010519491231002X');
    expect(masked).toHaveLength(18);
    expect(masked).not.toContain('19491231');
    expect(masked).not.toContain('1949');
  });

  it.each(['', '110105491231002', '11010519491231002', '11010519491231002X1', '1101051949123A002X'])(
    'throws rather than half-masking %j',
    (bad) => {
      expect(() => maskNationalId(bad)).toThrow(RangeError);
    },
  );
});

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['王小明', '王**'],
    ['欧阳娜娜', '欧阳**'],
    ['欧阳娜', '欧阳*'],
    ['司马相如', '司马**'],
    ['诸葛亮', '诸葛*'],
    ['上官婉儿', '上官**'],
  ])('%s → %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('a bare compound surname still hides at least one character', () => {
    expect(maskName('欧阳')).toBe('欧*');
  });

  it('treats ambiguous pairs (宗政, 乐正) as one-character surnames, hiding more rather than less', () => {
    expect(maskName('宗政华')).toBe('宗**');
    expect(maskName('乐正明')).toBe('乐**');
    expect(COMPOUND_SURNAMES.has('宗政')).toBe(false);
  });

  it('does not mistake a single surname followed by a common character for a compound one', () => {
    expect(maskName('张欧阳')).toBe('张**');
    expect(maskName('欧小阳')).toBe('欧**');
  });

  it('masks a one-character name completely', () => {
    expect(maskName('张')).toBe('*');
  });

  it('returns an empty string for an empty or blank name', () => {
    expect(maskName('')).toBe('');
    expect(maskName('   ')).toBe('');
  });

  it('trims surrounding whitespace first', () => {
    expect(maskName('  张三 ')).toBe('张*');
  });

  it.each([
    ['阿依古丽·买买提', '阿***·***'],
    ['买买提·艾力·吐尔逊', '买**·**·***'],
    ['阿依古丽•买买提', '阿***•***'],
    ['阿依古丽・买买提', '阿***・***'],
    ['阿依古丽.买买提', '阿***.***'],
    ['Li Ming', 'L* ****'],
    ['Anne-Marie Dupont', 'A***-***** ******'],
  ])('names with separators keep the first character and the separators: %s → %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('counts Unicode code points, so a supplementary-plane character is one character', () => {
    // 𠮷 (U+20BB7) is two UTF-16 code units; it must come out as one asterisk, or as itself.
    expect(maskName('𠮷野家')).toBe('𠮷**');
    expect(maskName('张𠮷')).toBe('张*');
    expect(maskName('𠮷')).toBe('*');
  });

  it('never shows more than the surname of a Han name', () => {
    for (const name of ['李四', '赵钱孙', '欧阳修', '慕容复', '令狐冲']) {
      const masked = maskName(name);
      expect(Array.from(masked)).toHaveLength(Array.from(name).length);
      expect(masked.endsWith('*')).toBe(true);
      expect(masked).not.toContain(name.slice(-1));
    }
  });
});
