import { createHash, randomUUID, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Express, Request, Response } from 'express';
import { parseId } from '../graphql/ids';
import type { Actor } from '../modules/auth/actor';
import { RosterImportMode } from '../modules/enrollment/roster-import.entity';
import { ROSTER_REJECT_VIEWERS, ROSTER_WRITERS } from '../modules/enrollment/roster.resolver';
import { badInput, DomainError, forbidden, unauthenticated, type ErrorCode } from '../shared/errors';
import { logger } from '../shared/logger';
import { authenticateRequest, type AppOptions } from './app';

export const ROSTER_UPLOAD_PATH = '/uploads/rosters';
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const RAW_TYPES = new Set(['application/octet-stream', 'text/csv', XLSX_MIME]);

const log = logger.child({ component: 'uploads' });

const STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  BUDGET_EXCEEDED: 409,
  INTERNAL: 500,
};

/** A client error of the HTTP layer itself (size, media type), with its status. */
class HttpProblem extends DomainError {
  constructor(
    readonly status: number,
    message: string,
    details: { reason: string; field?: string },
  ) {
    super('BAD_USER_INPUT', message, details);
  }
}

/**
 * Roster uploads over HTTP (spec: "Rosters": "Upload goes over HTTP as a stream (multipart or
 * raw body) with the same authentication as the API"):
 *
 * `POST /uploads/rosters?contractId=…&mode=MERGE|REPLACE&fileName=…`
 *   - raw body: `application/octet-stream`, `text/csv` or the .xlsx type; `fileName` required
 *     for octet-stream (it must end in .csv or .xlsx), defaulted for the other two;
 *   - or `multipart/form-data` with exactly one file part (its file name is used unless the
 *     query gives one); the parameters stay in the query string, so who may upload what is
 *     decided before a byte of the file is read.
 *   The body is streamed to `<uploadDir>/rosters/<uuid>.<ext>` (never buffered whole) with its
 *   SHA-256 computed on the way and UPLOAD_LIMIT_BYTES enforced (413); then the import is
 *   recorded and its job queued: `202 {importId, status, job: {id, state}}`. Follow it with the
 *   `rosterImport(id)` query or `job(id)`.
 * `GET /uploads/rosters/:id/rejects.csv`: the rejected rows (line number, masked ID, reason,
 *   detail) as UTF-8 CSV with a byte-order mark (Excel opens it with the Chinese intact).
 *
 * Same bearer tokens as the API; errors are JSON `{errors: [{message, extensions: {code, reason,
 * field}}]}` like GraphQL's. Roles: upload ADMIN, FOUNDATION, COORDINATOR (own county: another
 * county's contract is NOT_FOUND, as everywhere scope applies); rejects ADMIN, CLAIMS_REVIEWER,
 * FOUNDATION, COORDINATOR (own county).
 */
export function mountUploads(app: Express, { config, orm, services }: AppOptions): void {
  const authorised = async (req: Request, roles: readonly string[]): Promise<Actor> => {
    const actor = await authenticateRequest(req, services);
    if (!actor) throw unauthenticated();
    if (!roles.includes(actor.role)) throw forbidden();
    return actor;
  };

  app.post(ROSTER_UPLOAD_PATH, async (req: Request, res: Response) => {
    const cleanup: string[] = [];
    try {
      const actor = await authorised(req, ROSTER_WRITERS);
      const q = req.query as Record<string, unknown>;
      const contractId = parseId(stringParam(q, 'contractId') ?? '', 'contractId');
      const mode = parseMode(stringParam(q, 'mode'));
      const queryFileName = stringParam(q, 'fileName');
      const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const multipart = mediaType === 'multipart/form-data';
      if (!multipart && !RAW_TYPES.has(mediaType)) {
        throw new HttpProblem(
          415,
          `send the file as application/octet-stream, text/csv, ${XLSX_MIME} or multipart/form-data (got "${mediaType || 'none'}")`,
          { reason: 'UNSUPPORTED_MEDIA_TYPE', field: 'body' },
        );
      }
      const rawFileName = multipart ? undefined : checkFileName(queryFileName ?? defaultFileName(mediaType));
      if (queryFileName !== undefined) checkFileName(queryFileName);
      await services.rosters.checkUploadTarget(orm.em.fork(), actor, contractId, mode);

      const limit = config.UPLOAD_LIMIT_BYTES;
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit && !multipart) throw tooLarge(limit);

      const dir = join(config.uploadDir, 'rosters');
      await mkdir(dir, { recursive: true });
      const id = randomUUID();
      const part = join(dir, `${id}.part`);
      cleanup.push(part);
      const received = multipart
        ? await receiveMultipart(req, part, limit, queryFileName)
        : { ...(await receiveRaw(req, part, limit)), fileName: rawFileName! };
      if (received.bytes === 0) throw badInput('body', 'the file is empty', 'EMPTY_FILE');
      const storedName = `${id}${extname(received.fileName).toLowerCase()}`;
      await rename(part, join(dir, storedName));
      cleanup[0] = join(dir, storedName);

      const { rosterImport, job } = await services.rosters.registerUpload(orm.em.fork(), actor, {
        contractId,
        mode,
        fileName: received.fileName,
        storageKey: `rosters/${storedName}`,
        fileSha256: received.sha256,
      });
      cleanup.length = 0; // the import owns the file now (deleted once it is final)
      log.info(
        { requestId: req.requestId, importId: rosterImport.id, contractId, mode, bytes: received.bytes },
        'roster uploaded',
      );
      res.status(202).json({
        importId: String(rosterImport.id),
        status: rosterImport.status,
        fileSha256: received.sha256,
        bytes: received.bytes,
        job: { id: job.id, state: job.state },
      });
    } catch (err) {
      await Promise.all(cleanup.map((f) => unlink(f).catch(() => undefined)));
      sendError(req, res, err);
    }
  });

  app.get(`${ROSTER_UPLOAD_PATH}/:id/rejects.csv`, async (req: Request, res: Response) => {
    try {
      const actor = await authorised(req, ROSTER_REJECT_VIEWERS);
      const importId = parseId(String(req.params.id), 'id');
      const pages = services.rosters.rejectPages(orm.em.fork(), actor, importId);
      // The first page checks scope and existence before any header goes out.
      let next = await pages.next();
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="roster-import-${importId}-rejects.csv"`);
      res.setHeader('cache-control', 'no-store');
      res.write('\ufeffline_number,masked_id,reason,detail\r\n');
      while (!next.done) {
        let chunk = '';
        for (const r of next.value) {
          chunk += `${r.lineNumber},${csvField(r.maskedId ?? '')},${r.reason},${csvField(r.detail ?? '')}\r\n`;
        }
        if (!res.write(chunk)) await once(res, 'drain');
        next = await pages.next();
      }
      res.end();
    } catch (err) {
      if (res.headersSent) {
        log.error({ err, requestId: req.requestId }, 'rejects download failed mid-way');
        res.destroy(err as Error);
        return;
      }
      sendError(req, res, err);
    }
  });
}

function stringParam(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badInput(name, 'give it once, as a plain value');
  return v;
}

function parseMode(raw: string | undefined): RosterImportMode {
  if (raw === undefined || raw === '') return RosterImportMode.MERGE;
  const mode = raw.toUpperCase();
  if (mode !== RosterImportMode.MERGE && mode !== RosterImportMode.REPLACE) {
    throw badInput('mode', 'must be MERGE or REPLACE');
  }
  return mode as RosterImportMode;
}

function defaultFileName(mediaType: string): string | undefined {
  if (mediaType === 'text/csv') return 'roster.csv';
  if (mediaType === XLSX_MIME) return 'roster.xlsx';
  return undefined;
}

/** A plain file name ending in .csv or .xlsx (the old .xls is refused with what to do). */
function checkFileName(name: string | undefined): string {
  if (name === undefined || name.trim() === '') {
    throw badInput(
      'fileName',
      'give the file name (ending in .csv or .xlsx) for an application/octet-stream body',
    );
  }
  const base = name.trim().split(/[\\/]/).pop()!;
  if (base.length > 255) throw badInput('fileName', 'must be at most 255 characters');
  const ext = extname(base).toLowerCase();
  if (ext === '.xls')
    throw badInput(
      'fileName',
      'old .xls workbooks are not read: save it as .xlsx or CSV',
      'UNSUPPORTED_FORMAT',
    );
  if (ext !== '.csv' && ext !== '.xlsx') {
    throw badInput('fileName', 'a roster is a .csv or .xlsx file', 'UNSUPPORTED_FORMAT');
  }
  return base;
}

function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(413, `the file exceeds the upload limit of ${limit} bytes`, {
    reason: 'TOO_LARGE',
    field: 'body',
  });
}

/** Counts bytes and hashes them on the way to disk; fails once past the limit. */
class Meter extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      done(tooLarge(this.limit));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

async function receiveRaw(
  req: Request,
  dest: string,
  limit: number,
): Promise<{ sha256: string; bytes: number }> {
  const meter = new Meter(limit);
  await pipeline(req, meter, createWriteStream(dest));
  return { sha256: meter.digest(), bytes: meter.bytes };
}

function receiveMultipart(
  req: Request,
  dest: string,
  limit: number,
  queryFileName: string | undefined,
): Promise<{ sha256: string; bytes: number; fileName: string }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: 1, fileSize: limit + 1, fields: 20, fieldSize: 4096, parts: 21 },
      });
    } catch (err) {
      reject(badInput('body', `not a valid multipart body: ${(err as Error).message}`));
      return;
    }
    let writing: Promise<{ sha256: string; bytes: number; fileName: string }> | undefined;
    let problem: Error | undefined;
    bb.on('file', (_field, stream, info) => {
      if (writing || problem) {
        stream.resume();
        return;
      }
      let fileName: string;
      try {
        fileName = checkFileName(queryFileName ?? info.filename);
      } catch (err) {
        problem = err as Error;
        stream.resume();
        return;
      }
      const meter = new Meter(limit);
      writing = pipeline(stream, meter, createWriteStream(dest)).then(() => ({
        sha256: meter.digest(),
        bytes: meter.bytes,
        fileName,
      }));
      // Keep the rejection handled until 'close' looks at it.
      writing.catch(() => undefined);
    });
    bb.on('filesLimit', () => {
      problem ??= badInput('body', 'send exactly one file part', 'TOO_MANY_FILES');
    });
    bb.on('error', (err: Error) =>
      reject(badInput('body', `the multipart body cannot be read: ${err.message}`)),
    );
    bb.on('close', () => {
      if (problem) reject(problem);
      else if (!writing) reject(badInput('body', 'the multipart body has no file part', 'NO_FILE'));
      else writing.then(resolve, reject);
    });
    req.on('error', reject);
    req.pipe(bb);
  });
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function interrupted(req: Request, err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return (
    req.destroyed || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ECONNABORTED'
  );
}

/** The API's JSON error shape; a body still arriving is discarded and the connection closed. */
function sendError(req: Request, res: Response, err: unknown): void {
  let status: number;
  let body: { message: string; extensions: Record<string, unknown> };
  if (err instanceof DomainError) {
    status = err instanceof HttpProblem ? err.status : STATUS[err.code];
    const { problems, ...rest } = err.details;
    body = {
      message: err.message,
      extensions: { code: err.code, ...rest, ...(problems ? { problems } : {}) },
    };
  } else if (interrupted(req, err)) {
    // The client went away mid-upload: nothing to keep, nobody to tell (but answer anyway).
    status = 400;
    log.info({ requestId: req.requestId }, 'upload interrupted by the client');
    body = {
      message: 'the upload was interrupted',
      extensions: { code: 'BAD_USER_INPUT', reason: 'INTERRUPTED', field: 'body' },
    };
  } else {
    status = 500;
    log.error({ err, requestId: req.requestId }, 'upload failed');
    body = { message: 'Internal error', extensions: { code: 'INTERNAL' } };
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!req.complete) {
    // The client may still be sending (a refused or too large upload): answer, then close.
    res.setHeader('connection', 'close');
    req.unpipe();
    req.resume();
    res.on('finish', () => setTimeout(() => req.destroy(), 2_000).unref());
  }
  res.status(status).json({ errors: [body] });
}
