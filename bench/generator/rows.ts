/**
 * COPY text rows for `insured` and `coverage`, computed the way the product stores them:
 * look-up hash, ciphertext and mask come from the product's own pii-crypto and masking
 * functions (with the bench keys), so the rows are exactly what an import would write.
 *
 * Every value is from a fixed alphabet (digits, base64url, CJK names, ISO dates), none
 * contains a tab, newline or backslash, so COPY's text format needs no escaping except the
 * `\\x` prefix of bytea hex input.
 *
 * Determinism: everything is a function of the seed except the ciphertext, whose IV is random
 * by design of encryptId (AES-GCM must never reuse an IV under one key). It decrypts to the same
 * ID; re-generating gives the same people, IDs, hashes and masks.
 */
import { encryptId, lookupHash } from '../../src/modules/enrollment/pii-crypto';
import { maskNationalId } from '../../src/modules/enrollment/masking';
import type { BenchKeys } from '../lib/keys';
import { countyPeople, IN_2019, IN_2020 } from './people';
import { periodOf, type CountyPlan } from './plan';

export const INSURED_COPY_COLUMNS = [
  'id',
  'id_hash',
  'id_ciphertext',
  'id_key_id',
  'id_masked',
  'name',
  'gender',
  'birth_date',
  'household_id',
  'county_code',
  'id_region',
  'payee_account',
  'phone',
  'registered_poor',
] as const;

export const COVERAGE_COPY_COLUMNS = [
  'id',
  'insured_id',
  'contract_id',
  'programme_year',
  'county_code',
  'period_start',
  'period_end',
] as const;

export interface RowOptions {
  seed: number;
  /** Contract id of each programme year, for this county. */
  contracts: { 2019: number; 2020: number };
  insured: boolean;
  coverage: boolean;
  /** People per chunk. */
  chunkPeople: number;
}

export interface RowChunk {
  insured: string;
  coverage: string;
  people: number;
  coverages: number;
}

const P2019 = periodOf(2019);
const P2020 = periodOf(2020);

/** The county's rows, in chunks of about `chunkPeople` people. */
export function* countyRowChunks(county: CountyPlan, keys: BenchKeys, opts: RowOptions): Generator<RowChunk> {
  const tail2019 = `\t${opts.contracts[2019]}\t2019\t${county.code}\t${P2019.start}\t${P2019.end}\n`;
  const tail2020 = `\t${opts.contracts[2020]}\t2020\t${county.code}\t${P2020.start}\t${P2020.end}\n`;
  const keyId = keys.encKey.id;
  let coverageId = county.coverageIdBase;
  let insured = '';
  let coverage = '';
  let people = 0;
  let coverages = 0;
  for (const p of countyPeople(opts.seed, county)) {
    if (opts.insured) {
      const hash = lookupHash(p.nationalId, keys.hmacKey).toString('hex');
      const cipher = encryptId(p.nationalId, keys.encKey);
      insured +=
        `${p.insuredId}\t\\\\x${hash}\t${cipher}\t${keyId}\t${maskNationalId(p.nationalId)}\t${p.name}\t${p.gender}\t` +
        `${p.birthDate}\t${p.householdId}\t${p.countyCode}\t${p.nationalId.slice(0, 6)}\t${p.payeeAccount}\t` +
        `${p.phone ?? '\\N'}\tt\n`;
    }
    if (p.years & IN_2019) {
      if (opts.coverage) coverage += `${coverageId}\t${p.insuredId}${tail2019}`;
      coverageId++;
      coverages++;
    }
    if (p.years & IN_2020) {
      if (opts.coverage) coverage += `${coverageId}\t${p.insuredId}${tail2020}`;
      coverageId++;
      coverages++;
    }
    if (++people === opts.chunkPeople) {
      yield { insured, coverage, people, coverages };
      insured = '';
      coverage = '';
      people = 0;
      coverages = 0;
    }
  }
  if (people > 0) yield { insured, coverage, people, coverages };
  if (coverageId !== county.coverageIdBase + 2 * county.headCount) {
    throw new Error(
      `county ${county.code}: wrote ${coverageId - county.coverageIdBase} coverages, planned ${2 * county.headCount}`,
    );
  }
}
