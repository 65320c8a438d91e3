import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { OperationOutcome } from 'fhir/r4';
import type { Services } from '../app/services';
import type { Config } from '../config/config';
import type { Actor } from '../modules/auth/actor';
import {
  FHIR_CONTENT_TYPE,
  operationOutcome,
  operationOutcomeOf,
  parseEligibilityRequest,
  toEligibilityResponse,
} from '../modules/coverage/fhir';
import { DomainError } from '../shared/errors';
import { logger } from '../shared/logger';

export interface FhirRouteOptions {
  config: Config;
  services: Services;
  /** The bearer token's actor (null when missing or not valid), as the GraphQL endpoint resolves it. */
  authenticate(req: Request): Promise<Actor | null>;
}

const ACCEPTED_TYPES = ['application/fhir+json', 'application/json'];

function send(res: Response, status: number, resource: OperationOutcome | object): void {
  res.status(status).type(FHIR_CONTENT_TYPE).send(JSON.stringify(resource));
}

/**
 * FHIR R4 coverage eligibility: `POST /fhir/CoverageEligibilityRequest` (and the
 * `/fhir/CoverageEligibilityRequest/$check` alias) with a bearer token and an
 * `application/fhir+json` CoverageEligibilityRequest; answers a CoverageEligibilityResponse,
 * or an OperationOutcome with 400 (invalid request), 401, 403, 413, 415 or 500. Same roles,
 * scope and access log (channel FHIR) as the GraphQL `coverage` query.
 */
export function mountFhirRoutes(app: Express, opts: FhirRouteOptions): void {
  const router = express.Router();
  const json = express.json({ type: ACCEPTED_TYPES, limit: opts.config.BODY_LIMIT });

  // Authentication first, so an anonymous caller learns nothing, not even about its body.
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    opts.authenticate(req).then((actor) => {
      if (!actor) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        send(res, 401, operationOutcomeOf('login', 'a valid bearer token is required'));
        return;
      }
      if (!req.is(ACCEPTED_TYPES)) {
        send(res, 415, operationOutcomeOf('not-supported', 'send the request as application/fhir+json'));
        return;
      }
      res.locals.actor = actor;
      next();
    }, next);
  };

  const check = async (req: Request, res: Response): Promise<void> => {
    const actor = res.locals.actor as Actor;
    const parsed = parseEligibilityRequest(req.body);
    if (!parsed.ok) {
      send(res, 400, operationOutcome(parsed.issues));
      return;
    }
    const q = parsed.question;
    try {
      const answer = await opts.services.coverage.check(actor, q.nationalId, q.on, 'FHIR');
      send(res, 200, toEligibilityResponse(q, answer, opts.services.deps.clock.now()));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'BAD_USER_INPUT') {
        const expression =
          err.details.field === 'nationalId'
            ? 'CoverageEligibilityRequest.patient.identifier.value'
            : undefined;
        send(res, 400, operationOutcomeOf('value', err.message, expression));
        return;
      }
      throw err;
    }
  };

  const handle = (req: Request, res: Response, next: NextFunction) => {
    check(req, res).catch(next);
  };
  router.post('/CoverageEligibilityRequest', authenticate, json, handle);
  router.post('/CoverageEligibilityRequest/$check', authenticate, json, handle);

  // Malformed JSON, a body too large, anything unexpected: an OperationOutcome, never a stack.
  router.use(
    (err: Error & { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
      if (err.type === 'entity.too.large') {
        send(res, 413, operationOutcomeOf('too-long', `the request body exceeds ${opts.config.BODY_LIMIT}`));
        return;
      }
      if (err.status && err.status >= 400 && err.status < 500) {
        send(res, 400, operationOutcomeOf('structure', 'the body is not valid JSON'));
        return;
      }
      logger.error({ err, requestId: req.requestId }, 'unexpected error in a FHIR request');
      send(res, 500, operationOutcomeOf('exception', 'internal error'));
    },
  );

  app.use('/fhir', router);
}
