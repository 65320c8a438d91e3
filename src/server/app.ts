import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { getComplexity, simpleEstimator, fieldExtensionsEstimator } from 'graphql-query-complexity';
import {
  BREAK,
  GraphQLError,
  getVariableValues,
  separateOperations,
  visit,
  type DocumentNode,
} from 'graphql';
import type { Services } from '../app/services';
import type { Config } from '../config/config';
import type { Orm } from '../db/orm';
import { pendingMigrations } from '../db/migrate';
import type { Actor } from '../modules/auth/actor';
import { makeContext, type GqlContext } from '../graphql/context';
import { makeFormatError } from '../graphql/format-error';
import { depthLimit } from '../graphql/limits';
import { variableField } from '../graphql/variable-field';
import { buildPillarSchema } from '../graphql/schema';
import { logger } from '../shared/logger';
import { claimsByStatus, graphqlDuration, httpRequests, jobCounts, registry } from './metrics';
import { mountExplorer } from './explorer';
import { mountQueueDashboard } from './queue-dashboard';
import { mountUploads } from './uploads';
import { mountFhirRoutes } from './fhir-routes';
import { mountEobRoutes } from './eob-routes';
import { mountPayoutRoutes } from './payout-routes';

export interface AppOptions {
  config: Config;
  orm: Orm;
  services: Services;
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    actor?: Actor | null;
  }
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : '';
}

/** Resolves the bearer token (if any) once per request; null when absent or not valid. */
export async function authenticateRequest(req: Request, services: Services): Promise<Actor | null> {
  if (req.actor !== undefined) return req.actor;
  const token = bearer(req);
  const actor = token ? await services.tokens.authenticate(token) : null;
  // The request id travels on the actor (to the audit trail) rather than in async-local
  // storage, whose promise hooks cost every request about a sixth of its CPU on Node 20.
  req.actor = actor ? { ...actor, requestId: req.requestId } : null;
  return req.actor;
}

/** Whether a document uses `@skip`/`@include` (its cost then depends on the variables). */
function hasConditionalDirectives(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'skip' || node.name.value === 'include') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function costLimit(
  max: number,
  schemaPromise: ReturnType<typeof buildPillarSchema>,
): ApolloServerPlugin<GqlContext> {
  // No field declares a cost that reads its arguments, so an operation's cost depends on the
  // variables only through @skip/@include: otherwise it is computed once per parsed document
  // (Apollo's document cache hands back the same DocumentNode for the same query text).
  const costs = new WeakMap<DocumentNode, Map<string, number> | 'by-variables'>();
  const bad = (message: string) =>
    new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: variableField(message) } });
  return {
    async requestDidStart() {
      const schema = await schemaPromise;
      return {
        async didResolveOperation({ request, document, operation }) {
          // Variables that do not fit their types: the caller's mistake, reported with the field.
          const coerced = getVariableValues(
            schema,
            operation?.variableDefinitions ?? [],
            request.variables ?? {},
          );
          if (coerced.errors?.length) throw bad(coerced.errors[coerced.errors.length - 1]!.message);
          let known = costs.get(document);
          if (known === undefined) {
            known = hasConditionalDirectives(document) ? 'by-variables' : new Map<string, number>();
            costs.set(document, known);
          }
          const key = request.operationName ?? '';
          let cost = known === 'by-variables' ? undefined : known.get(key);
          if (cost === undefined) {
            try {
              cost = getComplexity({
                schema,
                operationName: request.operationName,
                query:
                  request.operationName && document.definitions.length > 1
                    ? (separateOperations(document)[request.operationName] ?? document)
                    : document,
                variables: request.variables,
                estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
              });
            } catch (err) {
              throw bad((err as Error).message);
            }
            if (known !== 'by-variables') known.set(key, cost);
          }
          if (cost > max) {
            throw new GraphQLError(`query cost ${cost} exceeds the limit of ${max}`, {
              extensions: { code: 'BAD_USER_INPUT', field: 'query', reason: 'COST_LIMIT' },
            });
          }
        },
      };
    },
  };
}

function timing(): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      const end = graphqlDuration.startTimer();
      let operation = 'unknown';
      return {
        async didResolveOperation({ operationName }) {
          operation = operationName ?? 'anonymous';
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          end({ operation, outcome: errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}

/** Builds the HTTP application: GraphQL, health, readiness, metrics, explorer, dashboard. */
export async function createApp({ config, orm, services }: AppOptions) {
  // Token look-ups are cached while this process hears of token changes (TokenService).
  if (config.DATABASE_URL) {
    await services.tokens.watchChanges(config.DATABASE_URL).catch((err: Error) => {
      logger.warn(
        { err: { message: err.message } },
        'not listening for token changes yet: token look-ups uncached',
      );
    });
  }
  const schemaPromise = buildPillarSchema();
  const schema = await schemaPromise;
  const apollo = new ApolloServer<GqlContext>({
    schema,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: false,
    formatError: makeFormatError(config.NODE_ENV === 'development'),
    validationRules: [depthLimit(config.MAX_QUERY_DEPTH)],
    allowBatchedHttpRequests: true,
    csrfPrevention: true,
    // The process stops Apollo itself on SIGTERM (src/main.ts); Apollo's own handler calling
    // stop() as well makes the second call wait forever (Apollo Server 5.5).
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      costLimit(config.MAX_QUERY_COST, schemaPromise),
      timing(),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    req.requestId = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', req.requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path ?? req.path.split('/').slice(0, 2).join('/');
      httpRequests.inc({ route, status: String(res.statusCode) });
      logger.info(
        {
          requestId: req.requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    let ok = true;
    try {
      await orm.em.getConnection().execute('select 1');
      checks.postgres = 'ok';
      const pending = await pendingMigrations(orm);
      checks.migrations = pending.length ? `pending: ${pending.join(', ')}` : 'current';
      if (pending.length) ok = false;
    } catch (err) {
      ok = false;
      checks.postgres = `unreachable: ${(err as Error).message}`;
    }
    try {
      await services.deps.queues.ping();
      checks.queues = `ok (${services.deps.queues.kind})`;
    } catch (err) {
      ok = false;
      checks.queues = `unreachable: ${(err as Error).message}`;
    }
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (_req, res) => {
    try {
      // Both backends; bounded, so a dead queue backend cannot hang the scrape or hide the rest.
      for (const [queue, counts] of Object.entries(await services.deps.queues.jobCounts())) {
        for (const [state, n] of Object.entries(counts)) jobCounts.set({ queue, state }, n);
      }
    } catch (err) {
      logger.warn({ err }, 'metrics sampling failed (queues)');
    }
    try {
      const rows = await orm.em
        .getConnection()
        .execute<{ status: string; n: string }[]>(
          'select status, count(*)::text as n from claim group by status',
        );
      claimsByStatus.reset();
      for (const r of rows) claimsByStatus.set({ status: r.status }, Number(r.n));
    } catch (err) {
      logger.warn({ err }, 'metrics sampling failed');
    }
    res.setHeader('content-type', registry.contentType);
    res.send(await registry.metrics());
  });

  mountExplorer(app, config);
  mountQueueDashboard(app, { config, orm, services });
  mountUploads(app, { config, orm, services });
  mountFhirRoutes(app, { config, services, authenticate: (req) => authenticateRequest(req, services) });
  mountEobRoutes(app, { orm, services, authenticate: (req) => authenticateRequest(req, services) });
  mountPayoutRoutes(app, { services, authenticate: (req) => authenticateRequest(req, services) });

  const maxBatch = config.MAX_BATCH_OPERATIONS;
  app.use(
    '/graphql',
    express.json({ limit: config.BODY_LIMIT }),
    (req: Request, res: Response, next: NextFunction) => {
      if (Array.isArray(req.body) && req.body.length > maxBatch) {
        res.status(400).json({
          errors: [
            {
              message: `a batch may hold at most ${maxBatch} operations`,
              extensions: { code: 'BAD_USER_INPUT', field: 'batch' },
            },
          ],
        });
        return;
      }
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const actor = await authenticateRequest(req, services);
        return makeContext({ em: orm.em.fork(), actor, requestId: req.requestId, services });
      },
    }),
  );

  // Body too large, malformed JSON and the like: a clear client error, never a stack.
  app.use(
    (err: Error & { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) logger.error({ err, requestId: req.requestId }, 'unhandled HTTP error');
      res.status(status).json({
        errors: [
          {
            message:
              status === 413
                ? `request body exceeds ${config.BODY_LIMIT}`
                : status === 500
                  ? 'Internal error'
                  : err.message,
            extensions: { code: status === 500 ? 'INTERNAL' : 'BAD_USER_INPUT', field: 'body' },
          },
        ],
      });
    },
  );

  return { app, apollo };
}
