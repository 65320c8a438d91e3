/**
 * The counties of the reference data set. `demo` is the ten counties the seeds name
 * (../shared/data/demo-counties.csv, real GB/T 2260 codes); `medium` and `full` add 76
 * generated counties so the programme has the seeds' mid-2019 shape: 86 counties in 12
 * provinces. Generated counties get plausible codes — a real province and prefecture code
 * and a county suffix in the 21–3x range that rural counties use — and made-up names, so
 * nobody mistakes them for real places.
 *
 * The county list depends only on the scale, never on `--seed`: results from different
 * seeds stay comparable county by county.
 */
import { parse } from 'csv-parse/sync';
import { Prng } from '../lib/prng';

export interface CountyRow {
  code: string;
  nameZh: string;
  nameEn: string;
  prefectureCode: string;
  prefectureZh: string;
  provinceCode: string;
  provinceZh: string;
  provinceEn: string;
  /** True for the ten real counties of demo-counties.csv (loaded through the product's seed). */
  demo: boolean;
}

interface ProvinceSpec {
  zh: string;
  en: string;
  /** Counties of this province at full scale, demo counties included. */
  counties: number;
  /** Real prefecture-level divisions (4-digit code, name) that generated counties sit in. */
  prefectures: ReadonlyArray<readonly [string, string]>;
}

/** The 12 provinces of the full data set: the demo's four plus eight more programme provinces. */
export const PROVINCES: Readonly<Record<string, ProvinceSpec>> = {
  '51': {
    zh: '四川省',
    en: 'Sichuan',
    counties: 14,
    prefectures: [
      ['5134', '凉山彝族自治州'],
      ['5133', '甘孜藏族自治州'],
      ['5132', '阿坝藏族羌族自治州'],
      ['5119', '巴中市'],
    ],
  },
  '52': {
    zh: '贵州省',
    en: 'Guizhou',
    counties: 12,
    prefectures: [
      ['5205', '毕节市'],
      ['5226', '黔东南苗族侗族自治州'],
      ['5227', '黔南布依族苗族自治州'],
      ['5206', '铜仁市'],
    ],
  },
  '53': {
    zh: '云南省',
    en: 'Yunnan',
    counties: 12,
    prefectures: [
      ['5326', '文山壮族苗族自治州'],
      ['5333', '怒江傈僳族自治州'],
      ['5306', '昭通市'],
      ['5308', '普洱市'],
    ],
  },
  '42': {
    zh: '湖北省',
    en: 'Hubei',
    counties: 10,
    prefectures: [
      ['4211', '黄冈市'],
      ['4205', '宜昌市'],
      ['4203', '十堰市'],
      ['4228', '恩施土家族苗族自治州'],
    ],
  },
  '45': {
    zh: '广西壮族自治区',
    en: 'Guangxi',
    counties: 8,
    prefectures: [
      ['4512', '河池市'],
      ['4510', '百色市'],
      ['4514', '崇左市'],
    ],
  },
  '43': {
    zh: '湖南省',
    en: 'Hunan',
    counties: 7,
    prefectures: [
      ['4331', '湘西土家族苗族自治州'],
      ['4312', '怀化市'],
      ['4305', '邵阳市'],
    ],
  },
  '36': {
    zh: '江西省',
    en: 'Jiangxi',
    counties: 5,
    prefectures: [
      ['3607', '赣州市'],
      ['3608', '吉安市'],
    ],
  },
  '62': {
    zh: '甘肃省',
    en: 'Gansu',
    counties: 7,
    prefectures: [
      ['6211', '定西市'],
      ['6212', '陇南市'],
      ['6229', '临夏回族自治州'],
    ],
  },
  '63': {
    zh: '青海省',
    en: 'Qinghai',
    counties: 3,
    prefectures: [
      ['6323', '黄南藏族自治州'],
      ['6302', '海东市'],
    ],
  },
  '64': { zh: '宁夏回族自治区', en: 'Ningxia', counties: 2, prefectures: [['6404', '固原市']] },
  '65': {
    zh: '新疆维吾尔自治区',
    en: 'Xinjiang',
    counties: 3,
    prefectures: [
      ['6531', '喀什地区'],
      ['6532', '和田地区'],
    ],
  },
  '14': {
    zh: '山西省',
    en: 'Shanxi',
    counties: 3,
    prefectures: [
      ['1409', '忻州市'],
      ['1411', '吕梁市'],
    ],
  },
};

export const FULL_COUNTY_COUNT = 86;
export const FULL_PROVINCE_COUNT = 12;

/** Syllables for made-up county names, with their pinyin. */
// prettier-ignore
const SYLLABLES: ReadonlyArray<readonly [string, string]> = [
  ['安', 'an'], ['平', 'ping'], ['宁', 'ning'], ['石', 'shi'], ['河', 'he'], ['山', 'shan'], ['阳', 'yang'],
  ['清', 'qing'], ['永', 'yong'], ['丰', 'feng'], ['兴', 'xing'], ['和', 'he'], ['泰', 'tai'], ['江', 'jiang'],
  ['云', 'yun'], ['乐', 'le'], ['德', 'de'], ['昌', 'chang'], ['新', 'xin'], ['龙', 'long'], ['崇', 'chong'],
  ['桂', 'gui'], ['松', 'song'], ['林', 'lin'], ['源', 'yuan'], ['川', 'chuan'], ['溪', 'xi'], ['峰', 'feng'],
  ['南', 'nan'], ['北', 'bei'], ['东', 'dong'], ['西', 'xi'], ['宝', 'bao'], ['华', 'hua'], ['远', 'yuan'],
  ['明', 'ming'], ['康', 'kang'], ['靖', 'jing'], ['嘉', 'jia'], ['福', 'fu'],
];

export function parseDemoCounties(csv: string | Buffer): CountyRow[] {
  const rows: Record<string, string>[] = parse(csv, {
    columns: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
  });
  return rows.map((r) => {
    const code = r.code ?? '';
    if (!/^\d{6}$/.test(code)) throw new Error(`demo-counties.csv: bad code "${code}"`);
    return {
      code,
      nameZh: r.name_zh!,
      nameEn: r.name_en!,
      prefectureCode: r.prefecture_code!,
      prefectureZh: r.prefecture_zh!,
      provinceCode: code.slice(0, 2),
      provinceZh: r.province_zh!,
      provinceEn: r.province_en!,
      demo: true,
    };
  });
}

/**
 * The county list of a scale: the demo counties alone (`demo`), or the demo counties plus
 * generated ones up to each province's count in PROVINCES (`all`: 86 in 12 provinces).
 * Pure: the same demo list gives the same result.
 */
export function planCounties(kind: 'demo' | 'all', demo: readonly CountyRow[]): CountyRow[] {
  if (kind === 'demo') return demo.map((c) => ({ ...c }));
  const taken = new Set(demo.map((c) => c.code));
  const names = new Set(demo.map((c) => c.nameZh));
  const rng = Prng.of(0, 'county-names');
  const out: CountyRow[] = demo.map((c) => ({ ...c }));
  for (const [provinceCode, spec] of Object.entries(PROVINCES)) {
    const have = demo.filter((c) => c.provinceCode === provinceCode).length;
    const suffix = spec.prefectures.map(() => 21);
    for (let k = 0; k < spec.counties - have; k++) {
      const p = k % spec.prefectures.length;
      const [prefecture4, prefectureZh] = spec.prefectures[p]!;
      let code: string;
      do {
        code = prefecture4 + String(suffix[p]!++).padStart(2, '0');
      } while (taken.has(code));
      if (suffix[p]! > 99) throw new Error(`ran out of county codes in prefecture ${prefecture4}`);
      taken.add(code);
      let nameZh: string;
      let nameEn: string;
      do {
        const [z1, e1] = rng.pick(SYLLABLES);
        const [z2, e2] = rng.pick(SYLLABLES);
        nameZh = `${z1}${z2}县`;
        nameEn = e1.charAt(0).toUpperCase() + e1.slice(1) + e2;
      } while (names.has(nameZh) || nameZh[0] === nameZh[1]);
      names.add(nameZh);
      out.push({
        code,
        nameZh,
        nameEn,
        prefectureCode: `${prefecture4}00`,
        prefectureZh,
        provinceCode,
        provinceZh: spec.zh,
        provinceEn: spec.en,
        demo: false,
      });
    }
  }
  for (const c of out) {
    if (!PROVINCES[c.provinceCode])
      throw new Error(`county ${c.code}: province ${c.provinceCode} is not a data-set province`);
  }
  return out.sort((a, b) => a.code.localeCompare(b.code));
}
