/**
 * The set-based half of a roster import: the staging table and the merge SQL.
 *
 * Staging: an UNLOGGED table `roster_stage_<importId>` (no WAL for scratch rows; visible from
 * any connection, so COPY runs on its own connection before the merge transaction starts),
 * dropped and re-created by every attempt and dropped by the merge's own transaction. It
 * needs no migration and never holds a plain national ID: only the look-up hash, the
 * ciphertext and the masked form, like `insured`.
 *
 * Merge (`mergeStagedRoster`), inside the caller's transaction, in this order:
 *   1. classify every staged row once into a temp table (`roster_rc_<id>`, dropped on commit):
 *      the reject reason by precedence — INVALID_ID and MISSING_FIELD (decided per row in JS),
 *      DUPLICATE_IN_FILE (a window over the look-up hash: second and later lines),
 *      NOT_REGISTERED_POOR, AGE_OUT_OF_RANGE (whole years on the contract's first day, as
 *      `ageOn`), COVERED_ELSEWHERE (a coverage of this programme year in another contract,
 *      whatever its status: the unique key (insured, programme year) allows one) — plus the
 *      person's insured row, their coverage in this year and whether their details changed;
 *   2. REPLACE only: end this contract's ENROLLED coverages whose person is not among the
 *      file's accepted rows (TERMINATED, REMOVED_FROM_ROSTER, ended the day before the
 *      period starts: the coverage never took effect) with a COVERAGE_ENDED event each;
 *   3. update `insured` for known people whose details changed (name, household, home county,
 *      registered flag, and payee/phone when the file has those columns);
 *   4. reinstate coverages this contract's earlier REPLACE had removed, when the person is
 *      back on the roster (COVERAGE_STARTED);
 *   5. insert the new people, then a coverage for everyone new to this contract, period = the
 *      contract's (COVERAGE_STARTED each) — one statement, chained through RETURNING;
 *   6. write the rejects (line number, masked ID, reason, detail);
 *   7. count.
 * Every statement is set-based; events go to `outbox_event` in the same statements as the
 * change they describe, so they exist if and only if it committed.
 *
 * Counting (every staged row lands in exactly one bucket):
 *   accepted  = a new coverage in this contract (inserted, or reinstated after REPLACE removed it)
 *   updated   = already covered by this contract; name/household/county/flag/payee/phone changed
 *   unchanged = already covered by this contract; nothing changed
 *   rejected  = a reject reason
 *   total = accepted + updated + unchanged + rejected
 */
import type { Writable } from 'node:stream';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { RosterRejectReason } from './roster-errors';
import { STAGE_COLUMNS } from './roster-rows';

export type Exec = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/** Memory for the merge's sorts and hash joins (set locally in its transaction). */
export const MERGE_WORK_MEM = '256MB';

export function stageTable(importId: number): string {
  if (!Number.isSafeInteger(importId) || importId <= 0)
    throw new RangeError('import id must be a positive integer');
  return `roster_stage_${importId}`;
}

function classTable(importId: number): string {
  return `roster_rc_${importId}`;
}

/** (Re)creates the staging table; a previous attempt's leftovers are dropped first. */
export async function createStageTable(client: ClientBase, importId: number): Promise<void> {
  const t = stageTable(importId);
  await client.query(`drop table if exists ${t}`);
  await client.query(
    `create unlogged table ${t} (
       line_number int not null,
       id_hash bytea,
       id_ciphertext text,
       id_masked text,
       birth_date date,
       gender text,
       id_region text,
       name text,
       household_id text,
       registered_poor boolean,
       payee_account text,
       phone text,
       reason text,
       detail text
     )`,
  );
}

/** A COPY stream into the staging table (text format, the columns of STAGE_COLUMNS). */
export function copyIntoStage(client: ClientBase, importId: number): Writable {
  return client.query(copyFrom(`copy ${stageTable(importId)} (${STAGE_COLUMNS.join(', ')}) from stdin`));
}

/** Fresh statistics, or the planner guesses a tiny table and picks a slow plan for the merge. */
export async function analyzeStage(client: ClientBase, importId: number): Promise<number> {
  const t = stageTable(importId);
  await client.query(`analyze ${t}`);
  const res = await client.query<{ n: number }>(`select count(*)::int as n from ${t}`);
  return res.rows[0]!.n;
}

export async function dropStageTable(
  exec: (sql: string) => Promise<unknown>,
  importId: number,
): Promise<void> {
  await exec(`drop table if exists ${stageTable(importId)}`);
}

export interface MergeTarget {
  importId: number;
  contractId: number;
  countyCode: string;
  programmeYear: number;
  periodStart: string;
  periodEnd: string;
  minAge: number;
  maxAge: number;
  replace: boolean;
  /** Key id of the ciphertexts in the staging table (the active key). */
  keyId: string;
  /** Whether the file has these optional columns: absent columns leave stored values alone. */
  hasPayeeAccount: boolean;
  hasPhone: boolean;
}

export interface MergeCounts {
  total: number;
  accepted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** REPLACE: coverages of this contract ended because their person is not on the roster. */
  ended: number;
  /** Of `accepted`: coverages reinstated (removed by an earlier REPLACE, back on the roster). */
  reinstated: number;
  rejectedByReason: Record<RosterRejectReason, number>;
}

/**
 * Validates and merges the staged rows of `t.importId` (see the file comment). Run inside the
 * caller's transaction, after the contract row is locked; nothing here commits.
 */
export async function mergeStagedRoster(exec: Exec, t: MergeTarget): Promise<MergeCounts> {
  const stage = stageTable(t.importId);
  const rc = classTable(t.importId);

  // Sorting and hashing a million staged rows against `insured` in the default 4 MB spills
  // to disk several times over; imports of a year run one at a time (advisory lock), so one
  // transaction's worth of memory is bounded.
  await exec(`set local work_mem = '${MERGE_WORK_MEM}'`);
  await exec(`drop table if exists ${rc}`);
  await exec(
    `create temp table ${rc} on commit drop as
     with s as (
       select st.*,
              row_number() over w as occurrence,
              first_value(st.line_number) over w as first_line,
              date_part('year', age(?::date, st.birth_date))::int as age
         from ${stage} st
       window w as (partition by st.id_hash order by st.line_number)
     ), k as (
       select s.*,
              i.id as insured_id,
              c.id as coverage_id,
              c.contract_id as coverage_contract_id,
              c.county_code as coverage_county,
              c.status as coverage_status,
              c.end_reason as coverage_end_reason,
              case
                when s.reason = 'INVALID_ID' then s.reason
                when s.occurrence > 1 then 'DUPLICATE_IN_FILE'
                when s.reason is not null then s.reason
                when not s.registered_poor then 'NOT_REGISTERED_POOR'
                when s.age not between ? and ? then 'AGE_OUT_OF_RANGE'
                when c.contract_id <> ? then 'COVERED_ELSEWHERE'
              end as verdict,
              (i.id is not null
                and (i.name, i.household_id, i.county_code::text, i.registered_poor, i.payee_account, i.phone)
                    is distinct from
                    (s.name, s.household_id, ?::text, s.registered_poor,
                     case when ? then s.payee_account else i.payee_account end,
                     case when ? then s.phone else i.phone end)) as details_changed
         from s
         left join insured i on i.id_hash = s.id_hash
         left join coverage c on c.insured_id = i.id and c.programme_year = ?
     )
     select k.line_number, k.id_hash, k.id_ciphertext, k.id_masked, k.birth_date, k.gender, k.id_region,
            k.name, k.household_id, k.registered_poor, k.payee_account, k.phone,
            k.insured_id, k.coverage_id, k.coverage_status, k.coverage_end_reason, k.details_changed,
            k.verdict as reason,
            case k.verdict
              when 'INVALID_ID' then k.detail
              when 'MISSING_FIELD' then k.detail
              when 'DUPLICATE_IN_FILE' then format('the same national ID is already on line %s', k.first_line)
              when 'NOT_REGISTERED_POOR' then 'registered_poor is N (否): the programme covers registered-poor (建档立卡) people only'
              when 'AGE_OUT_OF_RANGE' then format('age %s on %s, the first day of coverage: the plan covers ages %s to %s', k.age, ?::date, ?::int, ?::int)
              when 'COVERED_ELSEWHERE' then format('already covered in programme year %s by contract %s (county %s)', ?::int, k.coverage_contract_id, k.coverage_county)
            end as detail,
            case
              when k.verdict is not null then 'REJECTED'
              when k.coverage_id is null then 'NEW'
              when k.coverage_status = 'TERMINATED' and k.coverage_end_reason = 'REMOVED_FROM_ROSTER' then 'REINSTATED'
              when k.details_changed then 'UPDATED'
              else 'UNCHANGED'
            end as outcome
       from k`,
    [
      t.periodStart,
      t.minAge,
      t.maxAge,
      t.contractId,
      t.countyCode,
      t.hasPayeeAccount,
      t.hasPhone,
      t.programmeYear,
      t.periodStart,
      t.minAge,
      t.maxAge,
      t.programmeYear,
    ],
  );
  await exec(`analyze ${rc}`);

  let ended = 0;
  if (t.replace) {
    const [row] = await exec<{ n: number }>(
      `with ended as (
         update coverage c
            set status = 'TERMINATED', end_reason = 'REMOVED_FROM_ROSTER',
                ended_on = c.period_start - 1, updated_at = now()
          where c.contract_id = ? and c.status = 'ENROLLED'
            and not exists (select 1 from ${rc} r where r.coverage_id = c.id and r.reason is null)
         returning c.id, c.insured_id, c.period_start, c.period_end, c.ended_on
       ), events as (
         insert into outbox_event (type, county_code, payload)
         select 'COVERAGE_ENDED', ?,
                jsonb_build_object('coverageId', e.id, 'contractId', ?::int, 'insuredId', e.insured_id,
                                   'maskedId', i.id_masked, 'periodStart', e.period_start, 'periodEnd', e.period_end,
                                   'status', 'TERMINATED', 'endReason', 'REMOVED_FROM_ROSTER', 'endedOn', e.ended_on,
                                   'rosterImportId', ?::int)
           from ended e join insured i on i.id = e.insured_id
         returning 1
       )
       select count(*)::int as n from ended`,
      [t.contractId, t.countyCode, t.contractId, t.importId],
    );
    ended = row?.n ?? 0;
  }

  // People already known whose details changed (accepted, updated or unchanged-coverage rows).
  await exec(
    `update insured i
        set name = r.name,
            household_id = r.household_id,
            county_code = ?,
            registered_poor = r.registered_poor,
            payee_account = case when ? then r.payee_account else i.payee_account end,
            phone = case when ? then r.phone else i.phone end,
            updated_at = now()
       from ${rc} r
      where r.reason is null and r.details_changed and i.id = r.insured_id`,
    [t.countyCode, t.hasPayeeAccount, t.hasPhone],
  );

  const started = (source: string): string =>
    `insert into outbox_event (type, county_code, payload)
     select 'COVERAGE_STARTED', ?,
            jsonb_build_object('coverageId', x.id, 'contractId', ?::int, 'insuredId', x.insured_id,
                               'maskedId', p.id_masked, 'periodStart', x.period_start, 'periodEnd', x.period_end,
                               'status', 'ENROLLED', 'rosterImportId', ?::int)
       from ${source} x join people p on p.insured_id = x.insured_id
     returning 1`;

  const [reinstated] = await exec<{ n: number }>(
    `with people as (
       select r.insured_id, r.id_masked, r.coverage_id from ${rc} r where r.outcome = 'REINSTATED'
     ), back as (
       update coverage c
          set status = 'ENROLLED', end_reason = null, ended_on = null, updated_at = now()
         from people p
        where c.id = p.coverage_id and c.status = 'TERMINATED' and c.end_reason = 'REMOVED_FROM_ROSTER'
       returning c.id, c.insured_id, c.period_start, c.period_end
     ), events as (${started('back')})
     select count(*)::int as n from back`,
    [t.countyCode, t.contractId, t.importId],
  );

  // New people (a plain INSERT, ordered by hash for the index: imports of one programme year
  // are serialised, so only a concurrent writer of another year could take the same person
  // first — the unique key then fails this attempt and the retry finds them), and a coverage
  // for everyone new to this contract, with the ids the inserts return — no look-up back into
  // a table of millions.
  const [inserted] = await exec<{ n: number }>(
    `with created as (
       insert into insured (id_hash, id_ciphertext, id_key_id, id_masked, name, gender, birth_date, household_id,
                            county_code, id_region, payee_account, phone, registered_poor)
       select r.id_hash, r.id_ciphertext, ?, r.id_masked, r.name, r.gender, r.birth_date, r.household_id,
              ?, r.id_region, r.payee_account, r.phone, r.registered_poor
         from ${rc} r
        where r.outcome = 'NEW' and r.insured_id is null
        order by r.id_hash
       returning id as insured_id, id_masked
     ), people as (
       select insured_id, id_masked from created
       union all
       select r.insured_id, r.id_masked from ${rc} r where r.outcome = 'NEW' and r.insured_id is not null
     ), added as (
       insert into coverage (insured_id, contract_id, programme_year, county_code, period_start, period_end)
       select p.insured_id, ?, ?, ?, ?::date, ?::date from people p
       returning id, insured_id, period_start, period_end
     ), events as (${started('added')})
     select count(*)::int as n from added`,
    [
      t.keyId,
      t.countyCode,
      t.contractId,
      t.programmeYear,
      t.countyCode,
      t.periodStart,
      t.periodEnd,
      t.countyCode,
      t.contractId,
      t.importId,
    ],
  );

  await exec(
    `insert into roster_reject (roster_import_id, line_number, masked_id, reason, detail)
     select ?, r.line_number, r.id_masked, r.reason, r.detail
       from ${rc} r
      where r.reason is not null
      order by r.line_number`,
    [t.importId],
  );

  const rows = await exec<{ outcome: string; reason: string | null; n: number }>(
    `select outcome, reason, count(*)::int as n from ${rc} group by outcome, reason`,
  );
  const counts: MergeCounts = {
    total: 0,
    accepted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    ended,
    reinstated: 0,
    rejectedByReason: Object.fromEntries(Object.values(RosterRejectReason).map((r) => [r, 0])) as Record<
      RosterRejectReason,
      number
    >,
  };
  for (const r of rows) {
    counts.total += r.n;
    switch (r.outcome) {
      case 'NEW':
        counts.accepted += r.n;
        break;
      case 'REINSTATED':
        counts.accepted += r.n;
        counts.reinstated += r.n;
        break;
      case 'UPDATED':
        counts.updated += r.n;
        break;
      case 'UNCHANGED':
        counts.unchanged += r.n;
        break;
      default:
        counts.rejected += r.n;
        counts.rejectedByReason[r.reason as RosterRejectReason] += r.n;
    }
  }
  // The buckets are exhaustive by construction; the inserts must agree with them.
  const newRows = counts.accepted - counts.reinstated;
  if ((inserted?.n ?? 0) !== newRows || counts.reinstated !== (reinstated?.n ?? 0)) {
    throw new Error(
      `roster merge: ${inserted?.n ?? 0} coverages inserted for ${newRows} new rows ` +
        `(${reinstated?.n ?? 0} reinstated): refusing to commit an inconsistent import`,
    );
  }
  return counts;
}
