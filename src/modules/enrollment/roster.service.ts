import type { EntityManager } from '@mikro-orm/postgresql';
import { paginate } from '../../db/paginate';
import type { Connection, PageInput } from '../../graphql/connection';
import { notFound } from '../../shared/errors';
import { logger } from '../../shared/logger';
import { isScoped, scopeWhere, type Actor } from '../auth/actor';
import type { ContractService } from '../contracts/contract.service';
import type { CountyContract } from '../contracts/county-contract.entity';
import { JobService, type JobSnapshot } from '../jobs/job.service';
import { RosterImport, RosterImportMode, RosterImportStatus, RosterReject } from './roster-import.entity';
import { ROSTER_REJECT_REASONS, RosterRejectReason } from './roster-errors';
import type {
  NewRosterImport,
  RosterImporter,
  RosterImportResult,
  RunImportOptions,
} from './roster-importer';

const ENTITY = 'RosterImport';
const log = logger.child({ component: 'rosters' });

/** Deterministic BullMQ id of an import's job: one job per import. */
export function rosterJobId(importId: number): string {
  return `roster-import-${importId}`;
}

/** An import as the API shows it: the row, its contract's county, reject counts, live progress. */
export interface RosterImportView {
  rosterImport: RosterImport;
  contractId: number;
  countyCode: string;
  programmeYear: number;
  /** Status as the API reports it: RUNNING/UPLOADED with a job that gave up reads FAILED. */
  status: RosterImportStatus;
  failureReason: string | null;
  rejectedByReason: { reason: RosterRejectReason; count: number }[];
  jobId: string;
  progress: { percent: number; message: string | null } | null;
}

export interface RejectFilter {
  reason?: RosterRejectReason | null;
}

/**
 * Roster imports (spec: "Rosters"): the upload side (checks and registration; the HTTP layer
 * streams the bytes, src/server/uploads.ts), the reads behind `rosterImport(s)` and
 * `rosterRejects` and the rejects download, and the entry the job calls (`runImport`, the
 * pipeline itself is RosterImporter). Scope (county tokens) is applied here, through the
 * import's contract; roles are checked by the resolver and the HTTP routes.
 */
export class RosterService {
  constructor(
    readonly importer: RosterImporter,
    private readonly contracts: ContractService,
    private readonly jobs: JobService,
    /** Nudges webhook dispatch after an import committed events (optional; a tick picks them up anyway). */
    private readonly afterEvents?: () => Promise<unknown>,
  ) {}

  // ---------------------------------------------------------------- upload

  /**
   * Before any byte is read: the contract exists in the actor's scope (NOT_FOUND otherwise) and
   * can take a roster in this mode (CONFLICT otherwise).
   */
  async checkUploadTarget(
    em: EntityManager,
    actor: Actor,
    contractId: number,
    mode: RosterImportMode,
  ): Promise<CountyContract> {
    const contract = await this.contracts.get(em, actor, contractId);
    this.importer.assertImportable(contract, mode === RosterImportMode.REPLACE);
    return contract;
  }

  /**
   * Records a stored upload (UPLOADED, audited) and enqueues its import job. The job's payload
   * is the import id and the county (for job scope) — never the file or personal data.
   */
  async registerUpload(
    em: EntityManager,
    actor: Actor,
    input: NewRosterImport,
  ): Promise<{ rosterImport: RosterImport; countyCode: string; job: JobSnapshot }> {
    const { ri, countyCode } = await em.transactional(async (tx) => {
      const contract = await this.checkUploadTarget(tx, actor, input.contractId, input.mode);
      const ri = this.importer.create(tx, actor, input);
      await tx.flush();
      this.importer.recordUpload(tx, actor, ri);
      return { ri, countyCode: contract.county.code };
    });
    let job: JobSnapshot;
    try {
      job = await this.jobs.enqueue(
        'enrollment',
        'roster-import',
        { importId: ri.id, countyCode },
        { jobId: rosterJobId(ri.id) },
      );
    } catch (err) {
      log.error({ err, importId: ri.id }, 'roster import could not be queued');
      await this.importer.markFailed(
        em,
        ri.id,
        'INTERNAL: the import could not be queued; upload the file again',
      );
      throw err;
    }
    return { rosterImport: ri, countyCode, job };
  }

  // ---------------------------------------------------------------- reads

  /** One import in the actor's scope (NOT_FOUND otherwise). */
  async get(em: EntityManager, actor: Actor, id: number): Promise<RosterImportView> {
    const ri = await em.findOne(
      RosterImport,
      { $and: [{ id }, this.scope(actor)] },
      { populate: ['contract'] },
    );
    if (!ri) throw notFound(ENTITY, id);
    const [view] = await this.views(em, actor, [ri]);
    return view!;
  }

  /** The imports of a contract, newest first. */
  async list(
    em: EntityManager,
    actor: Actor,
    contractId: number,
    page?: PageInput,
  ): Promise<Connection<RosterImportView>> {
    await this.contracts.get(em, actor, contractId); // NOT_FOUND outside the scope
    const conn = await paginate(em, RosterImport, { contract: contractId }, page, { order: 'desc' });
    const views = await this.views(
      em,
      actor,
      conn.edges.map((e) => e.node),
    );
    return { ...conn, edges: conn.edges.map((e, i) => ({ cursor: e.cursor, node: views[i]! })) };
  }

  /** Rejected rows of an import by line number (one reject per line: the key is unique). */
  async rejects(
    em: EntityManager,
    actor: Actor,
    importId: number,
    page?: PageInput,
    filter: RejectFilter = {},
  ): Promise<Connection<RosterReject>> {
    await this.get(em, actor, importId);
    const where = filter.reason
      ? { rosterImport: importId, reason: filter.reason }
      : { rosterImport: importId };
    return paginate(em, RosterReject, where, page, { key: 'lineNumber' });
  }

  /**
   * Every reject of an import in line order, a page at a time (the CSV download streams
   * these): checks scope once, then keyset pages so memory stays flat for any size.
   */
  async *rejectPages(
    em: EntityManager,
    actor: Actor,
    importId: number,
    pageRows = 5_000,
  ): AsyncGenerator<RosterReject[]> {
    await this.get(em, actor, importId);
    let after = 0;
    for (;;) {
      const fork = em.fork();
      const rows = await fork.find(
        RosterReject,
        { rosterImport: importId, lineNumber: { $gt: after } },
        { orderBy: { lineNumber: 'asc' }, limit: pageRows },
      );
      if (!rows.length) return;
      yield rows;
      after = rows[rows.length - 1]!.lineNumber;
      if (rows.length < pageRows) return;
    }
  }

  // ---------------------------------------------------------------- the job

  /** What the `enrollment/roster-import` job runs; the demo seed calls the importer directly. */
  async runImport(
    em: EntityManager,
    importId: number,
    opts: RunImportOptions = {},
  ): Promise<RosterImportResult> {
    const result = await this.importer.run(em, importId, opts);
    if (this.afterEvents && result.accepted + result.endedCoverages > 0) {
      await this.afterEvents().catch(() => undefined);
    }
    return result;
  }

  // ---------------------------------------------------------------- helpers

  private scope(actor: Actor): Record<string, unknown> {
    return isScoped(actor) ? { contract: scopeWhere(actor, 'county') } : {};
  }

  private async views(em: EntityManager, actor: Actor, rows: RosterImport[]): Promise<RosterImportView[]> {
    if (!rows.length) return [];
    await em.populate(rows, ['contract']);
    const ids = rows.map((r) => r.id);
    const counts = await em
      .getConnection()
      .execute<{ roster_import_id: number; reason: RosterRejectReason; n: number }[]>(
        `select roster_import_id, reason, count(*)::int as n from roster_reject
          where roster_import_id in (${ids.map(() => '?').join(', ')}) group by 1, 2`,
        ids,
      );
    return Promise.all(
      rows.map(async (ri) => {
        const mine = counts.filter((c) => c.roster_import_id === ri.id);
        const jobId = JobService.publicId('enrollment', rosterJobId(ri.id));
        let status = ri.status;
        let failureReason = ri.failureReason ?? null;
        let progress: RosterImportView['progress'] = null;
        if (status === RosterImportStatus.COMPLETED) progress = { percent: 100, message: null };
        if (status === RosterImportStatus.UPLOADED || status === RosterImportStatus.RUNNING) {
          const job = await this.jobs.get(actor, jobId).catch(() => null);
          if (job) {
            progress = { percent: job.percent, message: job.message };
            // A worker killed on the last attempt never got to record the failure.
            if (job.state === 'FAILED') {
              status = RosterImportStatus.FAILED;
              failureReason = job.failureReason;
            }
          }
        }
        return {
          rosterImport: ri,
          contractId: ri.contract.id,
          countyCode: ri.contract.county.code,
          programmeYear: ri.contract.programmeYear,
          status,
          failureReason,
          rejectedByReason: ROSTER_REJECT_REASONS.map((reason) => ({
            reason,
            count: mine.find((c) => c.reason === reason)?.n ?? 0,
          })),
          jobId,
          progress,
        };
      }),
    );
  }
}
