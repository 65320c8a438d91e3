import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Services } from '../app/services';
import type { Orm } from '../db/orm';
import type { Actor } from '../modules/auth/actor';
import { CLAIM_READERS } from '../modules/claims/claim.resolver';
import { renderEobHtml, renderEobText } from '../modules/claims/eob';
import { DomainError } from '../shared/errors';
import { logger } from '../shared/logger';

export interface EobRouteOptions {
  orm: Orm;
  services: Services;
  /** The bearer token's actor (null when missing or not valid), as the GraphQL endpoint resolves it. */
  authenticate(req: Request): Promise<Actor | null>;
}

const STATUS: Record<string, number> = { NOT_FOUND: 404, CONFLICT: 409, FORBIDDEN: 403, BAD_USER_INPUT: 400 };

/**
 * Printable explanations of benefits: `GET /claims/:claimNumber/eob.html` and `…/eob.txt`, with
 * a bearer token of a claim reader (ADMIN, CLAIMS_REVIEWER, FOUNDATION, COORDINATOR) and the
 * same scope as the GraphQL `claim` query: a claim outside it is 404, an undecided one 409.
 * Personal data: never cached.
 */
export function mountEobRoutes(app: Express, opts: EobRouteOptions): void {
  const router = express.Router();

  const handle =
    (format: 'html' | 'txt') =>
    async (req: Request, res: Response): Promise<void> => {
      res.setHeader('Cache-Control', 'no-store');
      const actor = await opts.authenticate(req);
      if (!actor) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        res.status(401).type('text/plain').send('a valid bearer token is required\n');
        return;
      }
      if (!(CLAIM_READERS as string[]).includes(actor.role)) {
        res.status(403).type('text/plain').send('not allowed for this token\n');
        return;
      }
      try {
        const { claim, explanation } = await opts.services.claims.explanation(
          opts.orm.em.fork(),
          actor,
          String(req.params.claimNumber),
        );
        if (format === 'html')
          res
            .status(200)
            .type('text/html; charset=utf-8')
            .send(renderEobHtml(claim.claimNumber, explanation));
        else res.status(200).type('text/plain; charset=utf-8').send(renderEobText(explanation));
      } catch (err) {
        if (err instanceof DomainError && STATUS[err.code]) {
          res.status(STATUS[err.code]!).type('text/plain').send(`${err.message}\n`);
          return;
        }
        throw err;
      }
    };

  const wrap = (format: 'html' | 'txt') => (req: Request, res: Response, next: NextFunction) => {
    handle(format)(req, res).catch(next);
  };
  router.get('/:claimNumber/eob.html', wrap('html'));
  router.get('/:claimNumber/eob.txt', wrap('txt'));
  router.use((err: Error, req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err, requestId: req.requestId }, 'unexpected error in an EOB request');
    res.status(500).type('text/plain').send('internal error\n');
  });
  app.use('/claims', router);
}
