import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Services } from '../app/services';
import { Role } from '../modules/auth/api-token.entity';
import type { Actor } from '../modules/auth/actor';
import { DomainError } from '../shared/errors';
import { logger } from '../shared/logger';

export interface PayoutRouteOptions {
  services: Services;
  /** The bearer token's actor (null when missing or not valid), as the GraphQL endpoint resolves it. */
  authenticate(req: Request): Promise<Actor | null>;
}

/** Who may download a batch file: it holds names and payee accounts (api-security.md: payouts). */
const FILE_ROLES: readonly string[] = [Role.ADMIN, Role.CLAIMS_REVIEWER];

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  CONFLICT: 409,
};

function fail(res: Response, status: number, code: string, message: string): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * `GET /payouts/batches/:id/file.csv` (bearer token; ADMIN, CLAIMS_REVIEWER): the batch file for
 * the payment channel, generated from the batch's lines (format: src/modules/payouts/batch-file.ts),
 * as an attachment named after the batch number. Errors are JSON in the GraphQL error shape.
 */
export function mountPayoutRoutes(app: Express, opts: PayoutRouteOptions): void {
  const router = express.Router();

  router.get('/batches/:id/file.csv', (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const actor = await opts.authenticate(req);
      if (!actor) return fail(res, 401, 'UNAUTHENTICATED', 'a valid bearer token is required');
      if (!FILE_ROLES.includes(actor.role)) return fail(res, 403, 'FORBIDDEN', 'not allowed for this token');
      const raw = String(req.params.id);
      if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2147483647)
        return fail(res, 404, 'NOT_FOUND', `PayoutBatch ${raw} not found`);
      const em = opts.services.deps.orm.em.fork();
      const file = await opts.services.payouts.batchFile(em, actor, Number(raw));
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('X-Line-Count', String(file.lineCount));
      res.end(file.content);
    })().catch((err: unknown) => {
      if (err instanceof DomainError) return fail(res, STATUS[err.code] ?? 400, err.code, err.message);
      next(err);
    });
  });

  router.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err, requestId: req.requestId }, 'unexpected error in a payout file request');
    fail(res, 500, 'INTERNAL', 'Internal error');
  });

  app.use('/payouts', router);
}
