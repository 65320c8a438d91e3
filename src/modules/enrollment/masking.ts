/**
 * Display masks for personal data (spec: "Personal data"). Pure string functions; they work
 * on Unicode code points (Array.from), never UTF-16 units, so rare characters outside the
 * BMP (e.g. 𠮷) count as one character and are never split into half a surrogate pair.
 */

const ID_SHAPE = /^\d{17}[\dX]$/;

/**
 * `513432********1234`: the issuing region (first 6) and the last 4 stay visible; the birth
 * date and the first sequence digits are hidden. Expects the normalised 18-character form
 * (a trailing lower-case `x` is accepted and upper-cased). Anything else throws rather than
 * returning a half-masked value: only validated IDs are ever stored, so a different shape
 * here is a bug, and a mask must never leak by guessing.
 */
export function maskNationalId(id: string): string {
  const value = id.trim();
  const normalised = value.endsWith('x') ? `${value.slice(0, -1)}X` : value;
  if (!ID_SHAPE.test(normalised)) {
    throw new RangeError('maskNationalId expects an 18-character national ID');
  }
  return `${normalised.slice(0, 6)}********${normalised.slice(14)}`;
}

/**
 * Two-character (复姓) surnames kept visible as a whole: `欧阳娜娜` → `欧阳**`.
 *
 * Deliberately left out: 宗政 and 乐正. 宗 and 乐 are common one-character surnames and 政 / 正
 * are common first characters of given names, so `宗政华` is far more often 宗 + 政华 than
 * 宗政 + 华; treating it as compound would reveal part of the given name. When in doubt we
 * hide one character too many, never one too few.
 */
// prettier-ignore
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙',
  '宇文', '司徒', '夏侯', '轩辕', '令狐', '端木', '独孤', '南宫', '西门', '呼延',
  '澹台', '公冶', '太史', '申屠', '闻人', '万俟', '钟离', '濮阳', '淳于', '单于',
  '赫连', '拓跋', '第五', '东郭', '百里', '司空', '司寇', '左丘', '公羊', '谷梁',
  '仲孙', '叔孙', '亓官', '鲜于', '闾丘', '子车', '巫马', '公西', '漆雕', '壤驷',
  '梁丘', '段干', '羊舌', '微生', '夹谷', '宰父', '拓拔', '呼衍', '完颜', '耶律',
]);

/**
 * Separators kept in place so the shape of a transliterated name stays readable:
 * spaces and the middle dots used in ethnic-minority names (`阿依古丽·买买提`). Data entry
 * produces several look-alike dots, so all common ones count.
 */
// prettier-ignore
const SEPARATORS: ReadonlySet<string> = new Set([
  ' ', '\u3000', '·', '•', '・', '‧', '∙', '.', '．', '-',
]);

/**
 * Masks a person's name for roles that may not see it in full.
 *
 * - Han names: keep the surname's first character, one `*` per remaining character
 *   (`张三` → `张*`, `王小明` → `王**`).
 * - Compound surnames from COMPOUND_SURNAMES keep both characters, but only when a given
 *   name follows (`欧阳娜娜` → `欧阳**`; a bare `欧阳` → `欧*`, so at least one character is
 *   always hidden).
 * - Names with separators (ethnic-minority transliterations, Latin names): keep the very
 *   first character, mask every other non-separator character, keep the separators:
 *   `阿依古丽·买买提` → `阿***·***`, `Li Ming` → `L* ****`. No compound-surname rule here:
 *   such names do not follow the Han surname + given name order.
 * - A one-character name becomes `*` (showing it would show all of it); an empty name stays
 *   empty. Surrounding whitespace is trimmed first.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';

  if (chars.some((c) => SEPARATORS.has(c))) {
    return chars.map((c, i) => (i === 0 || SEPARATORS.has(c) ? c : '*')).join('');
  }

  const keep = chars.length > 2 && COMPOUND_SURNAMES.has(chars[0]! + chars[1]!) ? 2 : 1;
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
}
