/**
 * Demo step "rosters": a roster per demo county's 2020 contract, imported through the
 * product's own import (RosterImporter.run — the function the `enrollment/roster-import` job
 * runs), synchronously. Deterministic: a seeded PRNG per county, so every `npm start` on an
 * empty database gets the same people (only ciphertexts differ: AES-GCM takes a random IV).
 *
 * Each roster has ROSTER_SIZE people aged 18–60 on 1 January 2020 with valid IDs issued in
 * the county, Chinese names, households of 1–4 adults, payee accounts and (mostly) phones —
 * and three rows a county's data entry typically gets wrong (a mistyped ID, a 61-year-old, a
 * person listed twice), so the rejects report has something to show. Half the counties send
 * GBK CSV with Chinese headers as Excel writes it, the other half UTF-8 with English headers.
 *
 * Idempotent: a contract that already has a COMPLETED import is skipped; a failed run leaves a
 * FAILED import behind and is simply run again.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import iconv from 'iconv-lite';
import { loadConfig } from '../config/config';
import { SYSTEM_ACTOR } from '../modules/auth/actor';
import { ContractStatus, CountyContract } from '../modules/contracts/county-contract.entity';
import { computeCheckCharacter, makeNationalId } from '../modules/enrollment/national-id';
import { piiKeysFromConfig } from '../modules/enrollment/pii.service';
import {
  RosterImport,
  RosterImportMode,
  RosterImportStatus,
} from '../modules/enrollment/roster-import.entity';
import { RosterImporter } from '../modules/enrollment/roster-importer';
import { addDays } from '../shared/dates';
import {
  DEMO_DECLARED_HEAD_COUNTS,
  DEMO_PROGRAMME_2020,
  type DemoSeedContext,
  type DemoSeedStep,
} from './demo';

/** People per demo roster (plus three rows that are rejected). */
export const ROSTER_SIZE = 300;

/**
 * What the step may be given: the process's importer (its PII keys and upload directory).
 * Without one it builds its own from the environment — the keys `npm start` passes to every
 * process — so the step also runs from the plain `seed-demo` command.
 */
export interface DemoRosterContext extends DemoSeedContext {
  rosterImporter?: RosterImporter;
}

/** sfc32-like small PRNG (mulberry32): deterministic, seeded per county. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// prettier-ignore
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '罗', '阿', '吉', '沙', '俄', '欧阳'];
// prettier-ignore
const GIVEN = ['伟', '芳', '娜', '秀', '英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '兰', '霞', '平', '刚', '桂', '呷', '莫', '日', '惹', '果'];

export interface DemoRosterPerson {
  nationalId: string;
  name: string;
  household: string;
  payee: string;
  phone: string;
}

/** The roster of one county: ROSTER_SIZE valid people, then the three rows meant to be rejected. */
export function demoRoster(countyCode: string): { people: DemoRosterPerson[]; rows: string[][] } {
  const rand = prng(Number(countyCode));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const people: DemoRosterPerson[] = [];
  let household = 0;
  let left = 0;
  for (let i = 0; i < ROSTER_SIZE; i++) {
    if (left === 0) {
      household += 1;
      left = 1 + Math.floor(rand() * 4);
    }
    left -= 1;
    // Ages 18–60 on 2020-01-01: born 1960-01-01 … 2001-12-31.
    const birth = addDays('1960-01-01', Math.floor(rand() * 15_340));
    const male = rand() < 0.52;
    // Sequence code 2i or 2i+1: its parity is the gender, and no two people share one.
    const nationalId = makeNationalId(countyCode, birth, 2 * i + (male ? 1 : 0), male ? 'M' : 'F');
    const given = pick(GIVEN) + (rand() < 0.7 ? pick(GIVEN) : '');
    people.push({
      nationalId,
      name: pick(SURNAMES) + given,
      household: `${countyCode}-${String(household).padStart(4, '0')}`,
      payee: rand() < 0.9 ? `6228${countyCode}${String(i).padStart(9, '0')}` : '',
      phone:
        rand() < 0.75
          ? `1${3 + Math.floor(rand() * 6)}${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`
          : '',
    });
  }
  const rows = people.map((p) => [p.nationalId, p.name, p.household, 'Y', p.payee, p.phone]);
  // A mistyped ID (check character), a 61-year-old, and the first person listed again.
  const typo = makeNationalId(countyCode, '1985-06-01', 998, 'F');
  const wrong = typo.slice(0, 17) + (computeCheckCharacter(typo.slice(0, 17)) === '1' ? '2' : '1');
  rows.push([wrong, '错号', `${countyCode}-9001`, 'Y', '', '']);
  rows.push([makeNationalId(countyCode, '1958-06-01', 997, 'M'), '超龄', `${countyCode}-9002`, 'Y', '', '']);
  rows.push([people[0]!.nationalId, people[0]!.name, people[0]!.household, 'Y', '', '']);
  return { people, rows };
}

/** The CSV bytes: GBK with Chinese headers and CRLF (as Excel writes it), or UTF-8 with BOM. */
export function demoRosterFile(countyCode: string, gbk: boolean): Buffer {
  const { rows } = demoRoster(countyCode);
  if (gbk) {
    const text = [
      '身份证号,姓名,户编号,是否建档立卡,收款账户,联系电话',
      ...rows.map((r) => r.map((v, i) => (i === 3 ? '是' : v)).join(',')),
    ];
    return iconv.encode(`${text.join('\r\n')}\r\n`, 'gbk');
  }
  const text = [
    'national_id,name,household_id,registered_poor,payee_account,phone',
    ...rows.map((r) => r.join(',')),
  ];
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${text.join('\n')}\n`, 'utf8')]);
}

function standaloneImporter(ctx: DemoSeedContext): RosterImporter {
  const config = loadConfig();
  return new RosterImporter(ctx.audit, piiKeysFromConfig(config), {
    uploadDir: config.uploadDir,
    timeZone: config.BUSINESS_TZ,
  });
}

/** Step "rosters": a roster per demo county's 2020 contract, through the import pipeline. */
export const demoRosters: DemoSeedStep = {
  name: 'rosters',
  async run(em: EntityManager, ctx: DemoRosterContext) {
    const importer = ctx.rosterImporter ?? standaloneImporter(ctx);
    const codes = Object.keys(DEMO_DECLARED_HEAD_COUNTS).sort();
    const contracts = await em.fork().find(
      CountyContract,
      {
        county: { code: { $in: codes } },
        programmeYear: DEMO_PROGRAMME_2020.year,
        status: { $ne: ContractStatus.CANCELLED },
      },
      { orderBy: { county: 'asc' } },
    );
    let rosterImports = 0;
    let accepted = 0;
    let rejected = 0;
    for (const [i, contract] of contracts.entries()) {
      const done = await em.fork().count(RosterImport, { contract, status: RosterImportStatus.COMPLETED });
      if (done) continue;
      const countyCode = contract.county.code;
      const bytes = demoRosterFile(countyCode, i % 2 === 0);
      const storageKey = `rosters/demo-${countyCode}-${DEMO_PROGRAMME_2020.year}-${Date.now()}.csv`;
      await mkdir(join(importer.filePath('rosters')), { recursive: true });
      await writeFile(importer.filePath(storageKey), bytes);
      const ri = await em.fork().transactional(async (tx) => {
        const created = importer.create(tx, SYSTEM_ACTOR, {
          contractId: contract.id,
          mode: RosterImportMode.MERGE,
          fileName: `${countyCode}-${DEMO_PROGRAMME_2020.year}-roster.csv`,
          storageKey,
          fileSha256: createHash('sha256').update(bytes).digest('hex'),
        });
        await tx.flush();
        importer.recordUpload(tx, SYSTEM_ACTOR, created);
        return created;
      });
      const result = await importer.run(em, ri.id, { finalAttempt: true });
      rosterImports += 1;
      accepted += result.accepted;
      rejected += result.rejected;
    }
    return { rosterImports, insured: accepted, rejectedRows: rejected };
  },
};
