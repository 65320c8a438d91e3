/**
 * The insured people of one county, as a pure function of (seed, county plan): the same
 * input always yields the same people in the same order, whichever thread or process asks.
 * No crypto here (see rows.ts) so tests and planners can run it cheaply.
 */
import { fromDayNumber } from '../../src/shared/dates';
import { makeNationalId, type Gender } from '../../src/modules/enrollment/national-id';
import { Prng } from '../lib/prng';
import { ageCounts, birthDayRange, entrantGenders, MAX_AGE, MIN_AGE, type CountyPlan } from './plan';

/** Programme years a person is covered in, as a bit set. */
export const IN_2019 = 1;
export const IN_2020 = 2;

export interface PersonSpec {
  insuredId: number;
  nationalId: string;
  name: string;
  gender: Gender;
  birthDate: string;
  householdId: string;
  countyCode: string;
  payeeAccount: string;
  phone: string | null;
  /** IN_2019 | IN_2020 */
  years: number;
}

// Common surnames with rough frequencies (per mille), plus a few compound ones.
// prettier-ignore
const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['王', 71], ['李', 70], ['张', 66], ['刘', 53], ['陈', 45], ['杨', 31], ['黄', 22], ['赵', 20], ['吴', 19],
  ['周', 19], ['徐', 13], ['孙', 12], ['马', 12], ['朱', 11], ['胡', 11], ['郭', 10], ['何', 10], ['高', 9],
  ['林', 9], ['罗', 9], ['郑', 8], ['梁', 8], ['谢', 7], ['宋', 6], ['唐', 6], ['许', 6], ['韩', 6], ['冯', 5],
  ['邓', 5], ['曹', 5], ['彭', 5], ['曾', 5], ['肖', 5], ['田', 5], ['董', 5], ['袁', 4], ['潘', 4], ['于', 4],
  ['蒋', 4], ['蔡', 4], ['余', 4], ['杜', 4], ['叶', 4], ['程', 4], ['苏', 4], ['魏', 4], ['吕', 4], ['丁', 4],
  ['任', 4], ['沈', 3], ['姚', 3], ['卢', 3], ['姜', 3], ['崔', 3], ['钟', 3], ['谭', 3], ['陆', 3], ['汪', 3],
  ['范', 3], ['金', 3], ['石', 3], ['廖', 3], ['贾', 3], ['夏', 3], ['韦', 3], ['付', 3], ['方', 3], ['白', 3],
  ['欧阳', 1], ['司马', 1], ['上官', 1], ['诸葛', 1],
];
const SURNAME_CHOICES = SURNAMES.map(([s]) => s);
const SURNAME_WEIGHTS = SURNAMES.map(([, w]) => w);

// prettier-ignore
const GIVEN: Readonly<Record<Gender, readonly string[]>> = {
  F: ['芳', '秀', '英', '华', '兰', '玉', '梅', '丽', '敏', '静', '燕', '艳', '娟', '霞', '红', '琴', '云', '莲', '桂', '凤',
      '珍', '萍', '婷', '雪', '春', '娜', '慧', '琳', '青', '翠'],
  M: ['伟', '强', '军', '勇', '杰', '涛', '明', '斌', '超', '刚', '平', '辉', '林', '建', '国', '文', '志', '海', '成', '东',
      '福', '德', '荣', '生', '贵', '富', '全', '清', '宝', '忠'],
};

/** Adults per household on the roster: 1–4 (only adults 18–60 are listed). */
const HOUSEHOLD_SIZE_WEIGHTS = [20, 35, 30, 15];
const PHONE_SHARE = 0.75;
const PHONE_SECOND_DIGITS = ['3', '5', '7', '8', '9'];

const START_2019 = '2019-01-01';
const START_2020 = '2020-01-01';

/**
 * Yields the county's people: first its 2019 roster (`headCount` people; those aged 60 are
 * covered in 2019 only), then the 2020 entrants (aged 18 on 1 January 2020, covered in 2020
 * only, in existing households). `insuredId` runs from the county's `insuredIdBase`.
 */
export function* countyPeople(seed: number, county: CountyPlan): Generator<PersonSpec> {
  const rng = Prng.of(seed, 'people', county.code);
  const ages = ageCounts(county.headCount);
  // (age, gender) of every roster person, encoded age·2 + (M ? 1 : 0), then shuffled so
  // ages and genders are mixed along the insured ids as they are in a real roster.
  const slots = new Int32Array(county.headCount);
  let k = 0;
  for (let a = MIN_AGE; a <= MAX_AGE; a++) {
    for (let n = ages.F[a]!; n > 0; n--) slots[k++] = a * 2;
    for (let n = ages.M[a]!; n > 0; n--) slots[k++] = a * 2 + 1;
  }
  if (k !== county.headCount) throw new Error(`county ${county.code}: age counts do not add up`);
  shuffleInt32(rng, slots);

  // Birth date and sequence code together must be unique within the county (the region code
  // is the county's own, so IDs are unique across counties too).
  const used = new Set<number>();
  let household = 0;
  let householdLeft = 0;
  let insuredId = county.insuredIdBase;

  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const age = slot >> 1;
    const gender: Gender = slot & 1 ? 'M' : 'F';
    if (householdLeft === 0) {
      household += 1;
      householdLeft = 1 + rng.weighted(HOUSEHOLD_SIZE_WEIGHTS);
    }
    householdLeft -= 1;
    yield person(
      rng,
      county,
      used,
      insuredId++,
      age,
      START_2019,
      gender,
      household,
      age === MAX_AGE ? IN_2019 : IN_2019 | IN_2020,
    );
  }

  const e = entrantGenders(county.entrants);
  const genders: Gender[] = [...new Array<Gender>(e.F).fill('F'), ...new Array<Gender>(e.M).fill('M')];
  rng.shuffle(genders);
  for (const gender of genders) {
    // A child of a listed household who turned 18.
    const home = household > 0 ? rng.int(1, household) : 1;
    yield person(rng, county, used, insuredId++, MIN_AGE, START_2020, gender, home, IN_2020);
  }
}

function person(
  rng: Prng,
  county: CountyPlan,
  used: Set<number>,
  insuredId: number,
  age: number,
  on: string,
  gender: Gender,
  household: number,
  years: number,
): PersonSpec {
  const [first, last] = birthDayRange(age, on);
  const day = rng.int(first, last);
  const birthDate = fromDayNumber(day);
  // Sequence codes 002–999 with the gender's parity; on a clash take the next free one.
  const parity = gender === 'M' ? 1 : 0;
  let half = rng.int(1, 499);
  for (let tries = 0; used.has(day * 1000 + half * 2 + parity); tries++) {
    if (tries >= 499) throw new Error(`county ${county.code}: no free sequence code on ${birthDate}`);
    half = (half % 499) + 1;
  }
  const seq = half * 2 + parity;
  used.add(day * 1000 + seq);
  const nationalId = makeNationalId(county.code, birthDate, seq, gender);

  const surname = SURNAME_CHOICES[rng.weighted(SURNAME_WEIGHTS)]!;
  const given = rng.pick(GIVEN[gender]) + (rng.chance(0.7) ? rng.pick(GIVEN[gender]) : '');
  const phone = rng.chance(PHONE_SHARE) ? `1${rng.pick(PHONE_SECOND_DIGITS)}${rng.digits(9)}` : null;
  return {
    insuredId,
    nationalId,
    name: surname + given,
    gender,
    birthDate,
    householdId: `${county.code}-${String(household).padStart(6, '0')}`,
    countyCode: county.code,
    payeeAccount: `6217${rng.digits(15)}`,
    phone,
    years,
  };
}

function shuffleInt32(rng: Prng, a: Int32Array): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
