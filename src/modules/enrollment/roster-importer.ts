import { once } from 'node:events';
import { stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { dateInZone } from '../../shared/dates';
import { DomainError, notFound } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { AuditService } from '../audit/audit.service';
import { SYSTEM_ACTOR, type Actor } from '../auth/actor';
import { ContractStatus, CountyContract } from '../contracts/county-contract.entity';
import type { PiiKeys } from './pii.service';
import { RosterImport, RosterImportMode, RosterImportStatus } from './roster-import.entity';
import { RosterFileError, RosterImportProblem, rosterError } from './roster-errors';
import {
  analyzeStage,
  copyIntoStage,
  createStageTable,
  dropStageTable,
  mergeStagedRoster,
  type Exec,
  type MergeCounts,
} from './roster-merge';
import { openRoster, type RosterReader } from './roster-parse';
import { RowStager, type StageKeys } from './roster-stage-pool';

const ENTITY = 'RosterImport';
const log = logger.child({ component: 'roster-import' });

/** Advisory-lock namespaces: merges (second key: the programme year), runs (second key: the import). */
const MERGE_LOCK_NAMESPACE = 0x526f7374; // 'Rost'
const RUN_LOCK_NAMESPACE = 0x526f7375;

/** Contract states a roster may be imported into. */
export const IMPORTABLE_STATUSES: readonly ContractStatus[] = [
  ContractStatus.DRAFT,
  ContractStatus.QUOTED,
  ContractStatus.APPROVED,
  ContractStatus.ACTIVE,
];

/** The import is being run by another worker right now (retryable, never a failure of the import). */
export class ImportBusyError extends Error {
  constructor(importId: number) {
    super(`roster import ${importId} is running in another worker`);
    this.name = 'ImportBusyError';
  }
}

export interface RosterProgress {
  /** 0–100. */
  percent: number;
  message: string;
}

export interface RunImportOptions {
  /** Progress as the import goes (job.updateProgress). */
  onProgress?: (p: RosterProgress) => unknown;
  /**
   * Whether this is the last attempt: an unexpected error then marks the import FAILED
   * (earlier attempts leave it RUNNING for the retry). Domain errors always fail it.
   */
  finalAttempt?: boolean;
}

/** What an import did; the job's result and the audit's changes. No personal data. */
export interface RosterImportResult {
  importId: number;
  contractId: number;
  countyCode: string;
  mode: RosterImportMode;
  status: RosterImportStatus;
  total: number;
  accepted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  endedCoverages: number;
  rejectedByReason?: MergeCounts['rejectedByReason'];
  failureReason: string | null;
}

export interface NewRosterImport {
  contractId: number;
  mode: RosterImportMode;
  fileName: string;
  /** Path of the stored file relative to the upload directory. */
  storageKey: string;
  fileSha256: string;
}

export interface RosterImporterOptions {
  uploadDir: string;
  /** Business time zone: "today" of an import is its upload date there. */
  timeZone: string;
  /** Crypto worker threads (default one per core, at most 2; 0 = on the calling thread). */
  threads?: number;
}

interface ContractTerms {
  id: number;
  status: ContractStatus;
  countyCode: string;
  programmeYear: number;
  periodStart: string;
  periodEnd: string;
  minAge: number;
  maxAge: number;
}

/**
 * The import pipeline, shared by the `enrollment/roster-import` job and the demo seed:
 * stream the stored file → validate, hash and encrypt on worker threads → COPY into an
 * unlogged staging table → ANALYZE → validate and merge with set-based SQL in one transaction
 * (roster-merge.ts) → record counts and audit. A killed or failed attempt leaves nothing
 * applied (the merge is one transaction; the staging table is scratch, re-created by the
 * next attempt); a finished import is never applied twice (its status is checked first, and
 * the merge of an unchanged file changes nothing anyway).
 */
export class RosterImporter {
  constructor(
    private readonly audit: AuditService,
    private readonly keys: PiiKeys,
    private readonly opts: RosterImporterOptions,
  ) {}

  /** Absolute path of a stored upload; refuses keys that would leave the upload directory. */
  filePath(storageKey: string): string {
    const key = normalize(storageKey);
    if (isAbsolute(key) || key.startsWith(`..${sep}`) || key === '..') {
      throw new Error(`storage key "${storageKey}" is outside the upload directory`);
    }
    return join(this.opts.uploadDir, key);
  }

  /** Records a stored upload as an UPLOADED import (audited), inside the caller's transaction. */
  create(tx: EntityManager, actor: Actor, input: NewRosterImport): RosterImport {
    const ri = tx.create(RosterImport, {
      contract: tx.getReference(CountyContract, input.contractId),
      mode: input.mode,
      status: RosterImportStatus.UPLOADED,
      fileName: input.fileName,
      storageKey: input.storageKey,
      fileSha256: input.fileSha256,
      createdByTokenId: actor.tokenId,
    });
    return ri;
  }

  /** The audit event of an upload (after the row has its id). */
  recordUpload(tx: EntityManager, actor: Actor, ri: RosterImport): void {
    this.audit.record(tx, actor, {
      entityType: ENTITY,
      entityId: ri.id,
      action: 'UPLOAD',
      toState: RosterImportStatus.UPLOADED,
      changes: {
        contractId: ri.contract.id,
        mode: ri.mode,
        fileName: ri.fileName,
        fileSha256: ri.fileSha256,
      },
    });
  }

  /**
   * Runs an import to the end. COMPLETED → returns the stored result without doing anything;
   * FAILED → throws its reason. Any DomainError (bad file, contract closed…) marks it FAILED.
   */
  async run(em: EntityManager, importId: number, opts: RunImportOptions = {}): Promise<RosterImportResult> {
    const ri = await em.fork().findOne(RosterImport, { id: importId });
    if (!ri) throw notFound(ENTITY, importId);
    if (ri.status === RosterImportStatus.COMPLETED) return this.resultOf(em, ri);
    if (ri.status === RosterImportStatus.FAILED) {
      throw rosterError(
        RosterImportProblem.ALREADY_FINISHED,
        `roster import ${importId} failed: ${ri.failureReason ?? ''}`,
      );
    }
    await em
      .fork()
      .getConnection()
      .execute(
        `update roster_import set status = 'RUNNING' where id = ? and status in ('UPLOADED', 'RUNNING')`,
        [importId],
      );
    const started = Date.now();
    try {
      const result = await this.stageAndMerge(em, ri, opts);
      log.info(
        { importId, rows: result.total, seconds: (Date.now() - started) / 1000 },
        'roster import completed',
      );
      await this.discardFile(ri.storageKey);
      return result;
    } catch (err) {
      const domain =
        err instanceof RosterFileError ? err.toDomainError() : err instanceof DomainError ? err : null;
      // Another worker running this very import: leave it alone (the job retries later and then
      // finds it COMPLETED).
      if (domain || (opts.finalAttempt && !(err instanceof ImportBusyError))) {
        const reason = domain
          ? `${String(domain.details.reason ?? domain.code)}: ${domain.message}`
          : 'INTERNAL: the import failed unexpectedly (details in the worker log)';
        await this.markFailed(em, importId, reason);
      }
      throw domain ?? err;
    }
  }

  /**
   * FAILED with a reason (not over a COMPLETED import), audited; drops the staging table and
   * the stored file: a failed import is re-run by uploading the (corrected) file again.
   */
  async markFailed(em: EntityManager, importId: number, reason: string): Promise<void> {
    const storageKey = await em.fork().transactional(async (tx) => {
      const ri = await tx.findOne(RosterImport, { id: importId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!ri || ri.status === RosterImportStatus.COMPLETED || ri.status === RosterImportStatus.FAILED)
        return null;
      const from = ri.status;
      ri.status = RosterImportStatus.FAILED;
      ri.failureReason = reason.slice(0, 2000);
      ri.completedAt = new Date();
      this.audit.record(tx, SYSTEM_ACTOR, {
        entityType: ENTITY,
        entityId: importId,
        action: 'FAIL',
        fromState: from,
        toState: RosterImportStatus.FAILED,
        changes: { reason: ri.failureReason },
      });
      return ri.storageKey;
    });
    await dropStageTable((sql) => em.fork().getConnection().execute(sql), importId).catch(() => undefined);
    if (storageKey) await this.discardFile(storageKey);
  }

  // ---------------------------------------------------------------- pipeline

  private async stageAndMerge(
    em: EntityManager,
    ri: RosterImport,
    opts: RunImportOptions,
  ): Promise<RosterImportResult> {
    const progress = throttle(opts.onProgress);
    const importId = ri.id;
    const today = dateInZone(ri.createdAt, this.opts.timeZone);
    const replace = ri.mode === RosterImportMode.REPLACE;

    // Fail fast on the contract's state; checked again under its lock in the merge.
    this.assertImportable(await this.contractTerms(em, ri.contract.id), replace);

    const path = this.filePath(ri.storageKey);
    const size = (await stat(path).catch(() => null))?.size ?? 0;
    await progress({ percent: 1, message: 'reading the file' }, true);
    const reader = await openRoster(path);
    // A connection of the import's own, for COPY — and for a session lock that says "this
    // import is running here" until the end: a second worker given the same job (a stall
    // false alarm) waits for a retry instead of re-creating the staging table under us. A
    // killed worker's connection closes, and the lock with it.
    const client = new Client({ connectionString: em.config.get('clientUrl') });
    try {
      await client.connect();
      const locked = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
        RUN_LOCK_NAMESPACE,
        importId,
      ]);
      if (!locked.rows[0]!.ok) throw new ImportBusyError(importId);
      await createStageTable(client, importId);
      await this.copyRows(client, importId, reader, today, (bytes, rows) =>
        progress({
          percent: 1 + Math.floor((64 * bytes) / Math.max(1, size)),
          message: `read and checked ${rows} rows`,
        }),
      );
      const staged = await analyzeStage(client, importId);
      if (staged === 0) {
        throw rosterError(RosterImportProblem.EMPTY_FILE, 'the file has a header but no rows');
      }
      await progress({ percent: 70, message: `validating and merging ${staged} rows` }, true);
      return await this.merge(em, ri, reader, today, progress);
    } finally {
      reader.close();
      await client.end().catch(() => undefined);
    }
  }

  /** Validates and merges the staged rows in one transaction; records counts and the audit. */
  private async merge(
    em: EntityManager,
    ri: RosterImport,
    reader: RosterReader,
    today: string,
    progress: (p: RosterProgress, force?: boolean) => Promise<void>,
  ): Promise<RosterImportResult> {
    const importId = ri.id;
    const replace = ri.mode === RosterImportMode.REPLACE;
    const result = await em.fork().transactional(async (tx) => {
      const exec: Exec = <T>(sql: string, params: unknown[] = []) =>
        tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());
      const year = (await this.contractTerms(tx, ri.contract.id)).programmeYear;
      // One merge per programme year at a time (the unique key (person, year) would otherwise
      // fail one of two concurrent imports listing the same person); then the contract row,
      // so activation or cancellation cannot interleave with the merge.
      await exec('select pg_advisory_xact_lock(?, ?)', [MERGE_LOCK_NAMESPACE, year]);
      const [terms] = await exec<ContractTerms>(
        `select c.id, c.status, c.county_code as "countyCode", c.programme_year as "programmeYear",
                c.period_start::text as "periodStart", c.period_end::text as "periodEnd",
                p.min_age as "minAge", p.max_age as "maxAge"
           from county_contract c join benefit_plan p on p.id = c.plan_id
          where c.id = ? for update of c`,
        [ri.contract.id],
      );
      if (!terms) throw notFound('CountyContract', ri.contract.id);
      this.assertImportable(terms, replace);
      const current = await tx.findOneOrFail(
        RosterImport,
        { id: importId },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (current.status !== RosterImportStatus.RUNNING) {
        throw rosterError(
          RosterImportProblem.ALREADY_FINISHED,
          `roster import ${importId} is ${current.status}`,
        );
      }
      const counts = await mergeStagedRoster(exec, {
        importId,
        contractId: terms.id,
        countyCode: terms.countyCode,
        programmeYear: terms.programmeYear,
        periodStart: terms.periodStart,
        periodEnd: terms.periodEnd,
        minAge: terms.minAge,
        maxAge: terms.maxAge,
        replace,
        keyId: this.keys.activeKeyId,
        hasPayeeAccount: reader.columns.includes('payee_account'),
        hasPhone: reader.columns.includes('phone'),
      });
      await dropStageTable((sql) => exec(sql), importId);
      current.status = RosterImportStatus.COMPLETED;
      current.totalRows = counts.total;
      current.acceptedRows = counts.accepted;
      current.updatedRows = counts.updated;
      current.unchangedRows = counts.unchanged;
      current.rejectedRows = counts.rejected;
      current.endedCoverages = counts.ended;
      current.failureReason = null;
      current.completedAt = new Date();
      const result: RosterImportResult = {
        importId,
        contractId: terms.id,
        countyCode: terms.countyCode,
        mode: ri.mode,
        status: RosterImportStatus.COMPLETED,
        total: counts.total,
        accepted: counts.accepted,
        updated: counts.updated,
        unchanged: counts.unchanged,
        rejected: counts.rejected,
        endedCoverages: counts.ended,
        rejectedByReason: counts.rejectedByReason,
        failureReason: null,
      };
      this.audit.record(tx, SYSTEM_ACTOR, {
        entityType: ENTITY,
        entityId: importId,
        action: 'IMPORT',
        fromState: RosterImportStatus.RUNNING,
        toState: RosterImportStatus.COMPLETED,
        changes: {
          contractId: terms.id,
          countyCode: terms.countyCode,
          mode: ri.mode,
          fileSha256: ri.fileSha256,
          uploadedByTokenId: ri.createdByTokenId ?? null,
          format: reader.format,
          encoding: reader.encoding,
          today,
          total: counts.total,
          accepted: counts.accepted,
          reinstated: counts.reinstated,
          updated: counts.updated,
          unchanged: counts.unchanged,
          rejected: counts.rejected,
          endedCoverages: counts.ended,
          rejectedByReason: counts.rejectedByReason,
        },
      });
      return result;
    });
    await progress(
      { percent: 100, message: `imported ${result.total} rows: ${result.accepted} accepted` },
      true,
    );
    return result;
  }

  /**
   * Parser → worker threads → COPY, with bounded work in flight: at most two batches per
   * thread wait for crypto, and a full COPY buffer pauses reading (`drain`).
   */
  private async copyRows(
    client: Client,
    importId: number,
    reader: RosterReader,
    today: string,
    onProgress: (bytes: number, rows: number) => unknown,
  ): Promise<number> {
    const keys: StageKeys = {
      hmacKey: this.keys.hmacKey,
      encKey: { id: this.keys.activeKeyId, key: this.keys.keyring.get(this.keys.activeKeyId)! },
    };
    const stager = RowStager.start({ today, keys, threads: this.opts.threads });
    const copy = copyIntoStage(client, importId);
    let copyError: Error | undefined;
    copy.on('error', (err: Error) => (copyError ??= err));
    const limit = Math.max(2, stager.threads * 3);
    const inFlight = new Set<Promise<void>>();
    let rows = 0;
    let firstError: unknown;
    const write = async (text: string): Promise<void> => {
      if (copyError) throw copyError;
      if (!copy.write(text)) await Promise.race([once(copy, 'drain'), once(copy, 'error')]);
    };
    try {
      for await (const batch of reader.batches()) {
        if (firstError) break;
        rows += batch.length;
        const task: Promise<void> = stager
          .stage(batch)
          .then(write)
          .catch((err: unknown) => {
            firstError ??= err;
          })
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= limit) await Promise.race(inFlight);
        await onProgress(reader.bytesRead(), rows);
      }
      await Promise.all(inFlight);
      if (firstError) throw firstError;
      if (copyError) throw copyError;
      copy.end();
      await once(copy, 'finish');
      return rows;
    } catch (err) {
      copy.destroy(err as Error);
      throw err;
    } finally {
      await stager.close();
    }
  }

  private async contractTerms(em: EntityManager, contractId: number): Promise<ContractTerms> {
    const [row] = await em.getConnection().execute<ContractTerms[]>(
      `select c.id, c.status, c.county_code as "countyCode", c.programme_year as "programmeYear",
                c.period_start::text as "periodStart", c.period_end::text as "periodEnd",
                p.min_age as "minAge", p.max_age as "maxAge"
           from county_contract c join benefit_plan p on p.id = c.plan_id where c.id = ?`,
      [contractId],
      'all',
      em.getTransactionContext(),
    );
    if (!row) throw notFound('CountyContract', contractId);
    return row;
  }

  /** CANCELLED/EXPIRED take no roster; REPLACE only before the contract is ACTIVE. */
  assertImportable(c: Pick<ContractTerms, 'id' | 'status'>, replace: boolean): void {
    if (!IMPORTABLE_STATUSES.includes(c.status)) {
      throw rosterError(
        RosterImportProblem.CONTRACT_CLOSED,
        `contract ${c.id} is ${c.status}: a roster can be imported into a DRAFT, QUOTED, APPROVED or ACTIVE contract`,
        { currentState: c.status },
      );
    }
    if (replace && c.status === ContractStatus.ACTIVE) {
      throw rosterError(
        RosterImportProblem.REPLACE_NOT_ALLOWED,
        `contract ${c.id} is ACTIVE: REPLACE is only allowed before the contract starts; ` +
          'import in MERGE mode and end coverages with endorsements',
        { currentState: c.status },
      );
    }
  }

  private async resultOf(em: EntityManager, ri: RosterImport): Promise<RosterImportResult> {
    const [c] = await em
      .fork()
      .getConnection()
      .execute<{ county_code: string }[]>('select county_code from county_contract where id = ?', [
        ri.contract.id,
      ]);
    return {
      importId: ri.id,
      contractId: ri.contract.id,
      countyCode: c?.county_code ?? '',
      mode: ri.mode,
      status: ri.status,
      total: ri.totalRows,
      accepted: ri.acceptedRows,
      updated: ri.updatedRows,
      unchanged: ri.unchangedRows,
      rejected: ri.rejectedRows,
      endedCoverages: ri.endedCoverages,
      failureReason: ri.failureReason ?? null,
    };
  }

  /**
   * The upload holds plain national IDs: once the import is final (COMPLETED or FAILED) the
   * file is deleted — its hash, counts and rejects stay in the database.
   */
  private async discardFile(storageKey: string): Promise<void> {
    try {
      await unlink(this.filePath(storageKey));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        log.warn({ err }, 'could not delete an imported roster file');
    }
  }
}

/** Progress at most every 500 ms (each report is a queue round trip), always when forced. */
function throttle(fn: RunImportOptions['onProgress']): (p: RosterProgress, force?: boolean) => Promise<void> {
  let last = 0;
  return async (p, force = false) => {
    if (!fn) return;
    const now = Date.now();
    if (!force && now - last < 500) return;
    last = now;
    await fn({ percent: Math.min(100, Math.max(0, p.percent)), message: p.message });
  };
}
