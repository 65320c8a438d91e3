/**
 * The bench reference-data generator's pure planning: deterministic for a seed, the default
 * age/gender mix, valid and unique national IDs, and the seeds' 86 counties in 12 provinces
 * at full scale. No database: the loaders only write what these functions plan.
 */
import { maskNationalId } from '../../src/modules/enrollment/masking';
import { ageOn, parseNationalId } from '../../src/modules/enrollment/national-id';
import { decryptId, lookupHash } from '../../src/modules/enrollment/pii-crypto';
import { ageBand } from '../../src/modules/pricing/engine/population';
import { AGE_BANDS, GENDERS } from '../../src/modules/pricing/engine/types';
import { FULL_COUNTY_COUNT, FULL_PROVINCE_COUNT, PROVINCES } from '../../bench/generator/counties';
import { readDemoCounties } from '../../bench/generator/demo-counties';
import { countyPeople, IN_2019, IN_2020, type PersonSpec } from '../../bench/generator/people';
import { emptyCells, expectedCells, planDataSet, splitByWeights } from '../../bench/generator/plan';
import { COVERAGE_COPY_COLUMNS, countyRowChunks, INSURED_COPY_COLUMNS } from '../../bench/generator/rows';
import { ArgsError, parseArgs, recoverNpmFlags } from '../../bench/lib/args';
import { benchKeys } from '../../bench/lib/keys';
import { Prng } from '../../bench/lib/prng';

const demo = readDemoCounties();
const ALLOWED_PROVINCES = [
  '51',
  '52',
  '53',
  '42',
  '45',
  '43',
  '36',
  '62',
  '63',
  '64',
  '65',
  '15',
  '14',
  '22',
];

function firstPeople(seed: number, n: number): PersonSpec[] {
  const plan = planDataSet('demo', seed, demo);
  const out: PersonSpec[] = [];
  for (const p of countyPeople(seed, plan.countyPlans[0]!)) {
    out.push(p);
    if (out.length === n) break;
  }
  return out;
}

describe('PRNG', () => {
  it('gives the same stream for the same seed and path, another for another', () => {
    const draw = (r: Prng): number[] => Array.from({ length: 5 }, () => r.uint32());
    expect(draw(Prng.of(7, 'county', '513432'))).toEqual(draw(Prng.of(7, 'county', '513432')));
    expect(draw(Prng.of(7, 'county', '513432'))).not.toEqual(draw(Prng.of(8, 'county', '513432')));
    expect(draw(Prng.of(7, 'county', '513432'))).not.toEqual(draw(Prng.of(7, 'county', '520521')));
  });

  it('stays in range', () => {
    const r = Prng.of(1);
    const bad: number[] = [];
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      const k = r.int(3, 9);
      seen.add(k);
      if (!(x >= 0 && x < 1) || !(k >= 3 && k <= 9 && Number.isInteger(k))) bad.push(i);
    }
    expect(bad).toEqual([]);
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('determinism', () => {
  it('plans the same data set for the same seed', () => {
    expect(planDataSet('full', 42, demo)).toEqual(planDataSet('full', 42, demo));
  });

  it('generates the same first people (IDs, names, households) for the same seed', () => {
    const a = firstPeople(2019, 500);
    const b = firstPeople(2019, 500);
    expect(a).toHaveLength(500);
    expect(b).toEqual(a);
    expect(a.slice(0, 3).map((p) => p.nationalId)).toEqual(b.slice(0, 3).map((p) => p.nationalId));
  });

  it('generates different people for another seed', () => {
    const a = firstPeople(2019, 50).map((p) => p.nationalId);
    const b = firstPeople(2020, 50).map((p) => p.nationalId);
    expect(b).not.toEqual(a);
  });

  it('keeps the county list independent of the seed', () => {
    expect(planDataSet('full', 1, demo).counties).toEqual(planDataSet('full', 2, demo).counties);
  });
});

describe('people', () => {
  const seed = 2019;
  const plan = planDataSet('demo', seed, demo);
  // The smallest and largest demo counties, in full.
  const bySize = [...plan.countyPlans].sort((a, b) => a.headCount - b.headCount);
  const counties = [bySize[0]!, bySize[bySize.length - 1]!];

  it.each(counties.map((c) => [c.code, c] as const))(
    'county %s: valid, unique IDs matching gender and birth date',
    (_, county) => {
      const seen = new Set<string>();
      const problems: string[] = [];
      let id = county.insuredIdBase;
      for (const p of countyPeople(seed, county)) {
        const parsed = parseNationalId(p.nationalId, '2020-01-01');
        if (!parsed.ok) problems.push(`insured ${p.insuredId}: ${parsed.reason}`);
        else if (
          parsed.gender !== p.gender ||
          parsed.birthDate !== p.birthDate ||
          parsed.issuingRegion !== county.code
        ) {
          problems.push(
            `insured ${p.insuredId}: ID says ${parsed.gender} ${parsed.birthDate} ${parsed.issuingRegion}`,
          );
        }
        if (seen.has(p.nationalId)) problems.push(`insured ${p.insuredId}: duplicate ID`);
        if (p.insuredId !== id++) problems.push(`insured ${p.insuredId}: id out of sequence`);
        seen.add(p.nationalId);
      }
      expect(problems).toEqual([]);
      expect(seen.size).toBe(county.headCount + county.entrants);
    },
  );

  it.each(counties.map((c) => [c.code, c] as const))(
    'county %s: rosters match the default mix and the planned cells',
    (_, county) => {
      for (const year of [2019, 2020] as const) {
        const start = `${year}-01-01`;
        const cells = emptyCells();
        let n = 0;
        let female = 0;
        for (const p of countyPeople(seed, county)) {
          if (!(p.years & (year === 2019 ? IN_2019 : IN_2020))) continue;
          const band = ageBand(ageOn(p.birthDate, start));
          if (band === null)
            throw new Error(`insured ${p.insuredId} is ${ageOn(p.birthDate, start)} on ${start}`);
          cells[band][p.gender] += 1;
          n += 1;
          if (p.gender === 'F') female += 1;
        }
        expect(n).toBe(county.headCount);
        expect(cells).toEqual(expectedCells(county, year));
        // 2019 is the default mix exactly (up to rounding); 2020 is it aged by a year.
        const tolerance = year === 2019 ? 0.001 : 0.015;
        const mix = { '18-29': 0.22, '30-39': 0.2, '40-49': 0.27, '50-60': 0.31 } as const;
        for (const band of AGE_BANDS) {
          const share = (cells[band].F + cells[band].M) / n;
          expect(Math.abs(share - mix[band])).toBeLessThanOrEqual(tolerance);
        }
        expect(Math.abs(female / n - 0.48)).toBeLessThanOrEqual(0.005);
      }
    },
  );

  it('puts people in households of 1–4 adults', () => {
    const sizes = new Map<string, number>();
    for (const p of countyPeople(seed, counties[0]!))
      if (p.years & IN_2019) sizes.set(p.householdId, (sizes.get(p.householdId) ?? 0) + 1);
    expect([...sizes.values()].filter((size) => size < 1 || size > 4)).toEqual([]);
    expect(sizes.size).toBeGreaterThan(counties[0]!.headCount / 4);
  });
});

describe('scales', () => {
  it('full: 86 counties in 12 provinces, 4.71 M insured a year', () => {
    const plan = planDataSet('full', 2019, demo);
    const provinces = new Set(plan.counties.map((c) => c.provinceCode));
    expect(plan.counties).toHaveLength(FULL_COUNTY_COUNT);
    expect(FULL_COUNTY_COUNT).toBe(86);
    expect(provinces.size).toBe(FULL_PROVINCE_COUNT);
    expect(FULL_PROVINCE_COUNT).toBe(12);
    for (const p of provinces) expect(ALLOWED_PROVINCES).toContain(p);
    expect(new Set(plan.counties.map((c) => c.code)).size).toBe(86);
    for (const c of plan.counties) {
      expect(c.code).toMatch(/^\d{6}$/);
      expect(c.code.slice(0, 2)).toBe(c.provinceCode);
      expect(c.prefectureCode).toBe(`${c.code.slice(0, 4)}00`);
      expect(PROVINCES[c.provinceCode]).toBeDefined();
    }
    // The ten real demo counties are part of it, unchanged.
    for (const d of demo) expect(plan.counties).toContainEqual(d);
    expect(plan.countyPlans.reduce((s, c) => s + c.headCount, 0)).toBe(4_710_000);
    expect(plan.totals.coverages).toBe(2 * 4_710_000);
    // County sizes vary, within the clip.
    const sizes = plan.countyPlans.map((c) => c.headCount);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(2);
  });

  it('medium: the same 86 counties, 1 M insured a year', () => {
    const plan = planDataSet('medium', 2019, demo);
    expect(plan.counties).toEqual(planDataSet('full', 2019, demo).counties);
    expect(plan.countyPlans.reduce((s, c) => s + c.headCount, 0)).toBe(1_000_000);
  });

  it('demo: the ten demo counties, 50 k insured a year, budget 31.21 per insured', () => {
    const plan = planDataSet('demo', 2019, demo);
    expect(plan.counties.map((c) => c.code).sort()).toEqual(demo.map((c) => c.code).sort());
    expect(plan.countyPlans.reduce((s, c) => s + c.headCount, 0)).toBe(50_000);
    expect(plan.programmes.map((p) => [p.year, p.budget])).toEqual([
      [2019, '1560500.00'],
      [2020, '1560500.00'],
    ]);
    for (const p of plan.programmes) {
      const sum = p.funding.reduce((s, f) => s + Math.round(Number(f.amount) * 100), 0);
      expect(sum).toBe(156_050_000);
    }
  });

  it('gives every county contiguous, non-overlapping id blocks', () => {
    const plan = planDataSet('medium', 7, demo);
    let insured = 1;
    let coverage = 1;
    for (const c of plan.countyPlans) {
      expect(c.insuredIdBase).toBe(insured);
      expect(c.coverageIdBase).toBe(coverage);
      insured += c.headCount + c.entrants;
      coverage += 2 * c.headCount;
    }
    expect(plan.totals.insured).toBe(insured - 1);
    expect(plan.totals.coverages).toBe(coverage - 1);
  });

  it('plans cells that add up to each contract’s head count', () => {
    for (const c of planDataSet('full', 2019, demo).countyPlans) {
      for (const year of [2019, 2020] as const) {
        const cells = expectedCells(c, year);
        let n = 0;
        for (const band of AGE_BANDS) for (const g of GENDERS) n += cells[band][g];
        expect(n).toBe(c.headCount);
      }
    }
  });

  it('splits a total by weights exactly', () => {
    expect(splitByWeights(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitByWeights(100, [0.5, 1.5]).reduce((a, b) => a + b)).toBe(100);
  });
});

describe('COPY rows', () => {
  it('writes what the product would store: hash, decryptable ciphertext, mask, coverages per year', () => {
    const plan = planDataSet('demo', 2019, demo);
    const county = [...plan.countyPlans].sort((a, b) => a.headCount - b.headCount)[0]!;
    const keys = benchKeys();
    const people = [...countyPeople(2019, county)];
    const chunks = [
      ...countyRowChunks(county, keys, {
        seed: 2019,
        contracts: { 2019: 11, 2020: 12 },
        insured: true,
        coverage: true,
        chunkPeople: 1000,
      }),
    ];
    const insured = chunks.flatMap((c) => c.insured.split('\n').filter(Boolean));
    const coverage = chunks.flatMap((c) => c.coverage.split('\n').filter(Boolean));
    expect(insured).toHaveLength(people.length);
    expect(coverage).toHaveLength(2 * county.headCount);
    const problems: string[] = [];
    insured.forEach((line, i) => {
      const f = line.split('\t');
      const p = people[i]!;
      if (f.length !== INSURED_COPY_COLUMNS.length) problems.push(`line ${i}: ${f.length} fields`);
      if (f[1] !== `\\\\x${lookupHash(p.nationalId, keys.hmacKey).toString('hex')}`)
        problems.push(`line ${i}: hash`);
      if (decryptId(f[2]!, { [keys.encKey.id]: keys.encKey.key }) !== p.nationalId)
        problems.push(`line ${i}: ciphertext`);
      if (f[4] !== maskNationalId(p.nationalId)) problems.push(`line ${i}: mask`);
    });
    expect(problems).toEqual([]);
    const fields = coverage.map((l) => l.split('\t'));
    expect(fields.every((f) => f.length === COVERAGE_COPY_COLUMNS.length)).toBe(true);
    expect(fields.filter((f) => f[2] === '11' && f[3] === '2019' && f[5] === '2019-01-01')).toHaveLength(
      county.headCount,
    );
    expect(fields.filter((f) => f[2] === '12' && f[3] === '2020' && f[6] === '2020-12-31')).toHaveLength(
      county.headCount,
    );
    expect(fields.map((f) => Number(f[0]))).toEqual(
      Array.from({ length: 2 * county.headCount }, (_, i) => county.coverageIdBase + i),
    );
  });
});

describe('runner arguments', () => {
  const isName = (s: string): boolean => ['baseline-sanity', 'import'].includes(s);

  it('parses names and options', () => {
    expect(parseArgs(['baseline-sanity', '--scale', 'medium', '--seed=7', '--reps', '2'])).toMatchObject({
      names: ['baseline-sanity'],
      scale: 'medium',
      seed: 7,
      reps: 2,
    });
    expect(() => parseArgs(['--scale', 'huge'])).toThrow(ArgsError);
    expect(() => parseArgs(['--seed', '-1'])).toThrow(ArgsError);
    expect(() => parseArgs(['--frobnicate'])).toThrow(ArgsError);
  });

  it('puts back flags that `npm run bench` (without --) kept for itself', () => {
    const env = { npm_lifecycle_event: 'bench', npm_config_scale: 'true', npm_config_seed: 'true' };
    // npm run bench baseline-sanity --scale medium --seed 5  →  argv: baseline-sanity medium 5
    expect(parseArgs(recoverNpmFlags(['baseline-sanity', 'medium', '5'], env, isName))).toMatchObject({
      names: ['baseline-sanity'],
      scale: 'medium',
      seed: 5,
    });
    expect(
      parseArgs(recoverNpmFlags([], { npm_lifecycle_event: 'bench', npm_config_scale: 'full' }, isName))
        .scale,
    ).toBe('full');
    expect(
      parseArgs(recoverNpmFlags([], { npm_lifecycle_event: 'bench', npm_config_list: 'true' }, isName)).list,
    ).toBe(true);
    expect(() =>
      recoverNpmFlags(
        ['3', '5'],
        { npm_lifecycle_event: 'bench', npm_config_seed: 'true', npm_config_reps: 'true' },
        isName,
      ),
    ).toThrow(ArgsError);
    // Outside npm nothing changes.
    expect(recoverNpmFlags(['medium'], { npm_config_scale: 'true' }, isName)).toEqual(['medium']);
  });
});
