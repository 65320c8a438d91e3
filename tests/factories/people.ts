import { randomBytes } from 'node:crypto';
import type { Harness } from '../helpers/harness';
import { makeNationalId } from '../../src/modules/enrollment/national-id';
import { maskNationalId } from '../../src/modules/enrollment/masking';
import { encryptId, lookupHash } from '../../src/modules/enrollment/pii-crypto';

/** Test keys (the product reads real ones from its configuration). */
export const TEST_HMAC_KEY = Buffer.alloc(32, 7);
export const TEST_ENC_KEY = { id: 'test', key: Buffer.alloc(32, 9) };

let seq = 100;

export interface PersonSpec {
  countyCode: string;
  birthDate: string;
  gender: 'F' | 'M';
  name?: string;
}

/**
 * Inserts people and their coverages in a contract directly with SQL — a stand-in for the
 * roster import where a test only needs a population (pricing, claims).
 */
export async function enrollPeople(
  h: Harness,
  contract: { id: number; programmeYear: number; countyCode: string; periodStart: string; periodEnd: string },
  people: PersonSpec[],
): Promise<{ insuredId: number; coverageId: number; nationalId: string }[]> {
  const out: { insuredId: number; coverageId: number; nationalId: string }[] = [];
  for (const p of people) {
    const nationalId = makeNationalId(p.countyCode, p.birthDate, (seq += 1) % 1000, p.gender);
    const [ins] = await h.sql<{ id: number }>(
      `insert into insured (id_hash, id_ciphertext, id_key_id, id_masked, name, gender, birth_date, household_id,
                            county_code, id_region, registered_poor)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true) returning id`,
      [
        lookupHash(nationalId, TEST_HMAC_KEY),
        encryptId(nationalId, TEST_ENC_KEY),
        TEST_ENC_KEY.id,
        maskNationalId(nationalId),
        p.name ?? '测试人',
        p.gender,
        p.birthDate,
        `HH-${randomBytes(4).toString('hex')}`,
        contract.countyCode,
        p.countyCode,
      ],
    );
    const [cov] = await h.sql<{ id: number }>(
      `insert into coverage (insured_id, contract_id, programme_year, county_code, period_start, period_end)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      [
        ins!.id,
        contract.id,
        contract.programmeYear,
        contract.countyCode,
        contract.periodStart,
        contract.periodEnd,
      ],
    );
    out.push({ insuredId: ins!.id, coverageId: cov!.id, nationalId });
  }
  return out;
}
