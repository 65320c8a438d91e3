/**
 * The roster of the `import` benchmark, as a pure function of (seed, plan, size): a renewal
 * roster as a county sends it for a new programme year — everyone of the county's previous
 * year listed again (known people: their details unchanged, a new coverage) and the rest new
 * people, with the mistakes real files carry (a mistyped ID, a line listed twice, someone
 * who is not registered poor, a blank name); the previous year's 59- and 60-year-olds are over
 * the plan's age limit by the new year's first day. The expected outcome of every row is
 * counted here, independently of the product's merge, so the benchmark can check its answer.
 */
import { computeCheckCharacter, makeNationalId, type Gender } from '../../src/modules/enrollment/national-id';
import { dayNumber, fromDayNumber } from '../../src/shared/dates';
import { Prng } from '../lib/prng';
import { countyPeople, IN_2020 } from './people';
import type { CountyPlan } from './plan';

/** Region code of the new people's IDs: issued elsewhere, living in the roster's county. */
export const NEW_PEOPLE_REGION = '532931';

export const ROSTER_HEADER = [
  'national_id',
  'name',
  'household_id',
  'registered_poor',
  'payee_account',
  'phone',
];

export interface ImportRosterExpectation {
  rows: number;
  accepted: number;
  rejected: number;
  byReason: Record<
    'INVALID_ID' | 'MISSING_FIELD' | 'DUPLICATE_IN_FILE' | 'NOT_REGISTERED_POOR' | 'AGE_OUT_OF_RANGE',
    number
  >;
  /** Of the accepted: people already in `insured` (a coverage only, no new person). */
  known: number;
}

// prettier-ignore
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '罗', '韦', '欧阳'];
// prettier-ignore
const GIVEN = ['伟', '芳', '秀', '英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '兰', '霞'];

/** Whole years on `on` (YYYY-01-01 here, so only the birth year and day matter). */
function ageOnFirstOfYear(birthDate: string, year: number): number {
  const y = Number(birthDate.slice(0, 4));
  return year - y - (birthDate.slice(5) > '01-01' ? 1 : 0);
}

/**
 * Yields the roster's rows (CSV cells) and fills `expect` as it goes: the county's people of
 * `previousYear`'s roster first (in the generator's order), then new people up to `size` rows.
 * Ages are checked against 18–60 on 1 January of `year`.
 */
export function* importRosterRows(
  seed: number,
  county: CountyPlan,
  year: number,
  size: number,
  expect: ImportRosterExpectation,
): Generator<string[]> {
  const count = (reason: keyof ImportRosterExpectation['byReason'] | null, known = false): void => {
    expect.rows += 1;
    if (reason) {
      expect.rejected += 1;
      expect.byReason[reason] += 1;
    } else {
      expect.accepted += 1;
      if (known) expect.known += 1;
    }
  };
  let written = 0;
  for (const p of countyPeople(seed, county)) {
    if (written >= size) return;
    if (!(p.years & IN_2020)) continue;
    const age = ageOnFirstOfYear(p.birthDate, year);
    count(age < 18 || age > 60 ? 'AGE_OUT_OF_RANGE' : null, true);
    written += 1;
    yield [p.nationalId, p.name, p.householdId, 'Y', p.payeeAccount, p.phone ?? ''];
  }

  const rng = Prng.of(seed, 'import-roster', county.code);
  // Birth dates for ages 18–60 on 1 January of `year`; (date, k) is unique, so IDs are.
  const first = dayNumber(`${year - 61}-01-02`);
  const span = dayNumber(`${year - 18}-01-01`) - first + 1;
  let household = 0;
  let left = 0;
  let recent: string[] | null = null;
  for (let i = 0; written < size; i++, written++) {
    if (i % 331 === 330 && recent) {
      // The same person typed in twice (the second line is the one refused).
      count('DUPLICATE_IN_FILE');
      yield recent;
      continue;
    }
    const day = first + (i % span);
    const k = Math.floor(i / span);
    if (k > 499) throw new Error('import roster: too many people for one region');
    const gender: Gender = rng.chance(0.48) ? 'F' : 'M';
    let nationalId = makeNationalId(NEW_PEOPLE_REGION, fromDayNumber(day), 2 * k, gender);
    if (left === 0) {
      household += 1;
      left = 1 + rng.int(0, 3);
    }
    left -= 1;
    const name = rng.pick(SURNAMES) + rng.pick(GIVEN) + (rng.chance(0.7) ? rng.pick(GIVEN) : '');
    const row = [
      nationalId,
      name,
      `${county.code}-N${String(household).padStart(7, '0')}`,
      'Y',
      `6217${rng.digits(15)}`,
      rng.chance(0.75) ? `13${rng.digits(9)}` : '',
    ];
    if (i % 257 === 256) {
      // A typo in the ID: the check character no longer matches.
      const check = computeCheckCharacter(nationalId.slice(0, 17));
      nationalId = nationalId.slice(0, 17) + (check === '1' ? '2' : '1');
      row[0] = nationalId;
      count('INVALID_ID');
    } else if (i % 997 === 996) {
      row[1] = '';
      count('MISSING_FIELD');
    } else if (i % 499 === 498) {
      row[3] = 'N';
      count('NOT_REGISTERED_POOR');
    } else {
      const age = ageOnFirstOfYear(fromDayNumber(day), year);
      count(age < 18 || age > 60 ? 'AGE_OUT_OF_RANGE' : null);
      if (!(age < 18 || age > 60)) recent = row;
    }
    yield row;
  }
}

export function emptyExpectation(): ImportRosterExpectation {
  return {
    rows: 0,
    accepted: 0,
    rejected: 0,
    known: 0,
    byReason: {
      INVALID_ID: 0,
      MISSING_FIELD: 0,
      DUPLICATE_IN_FILE: 0,
      NOT_REGISTERED_POOR: 0,
      AGE_OUT_OF_RANGE: 0,
    },
  };
}
