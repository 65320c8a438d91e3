import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Actor } from '../modules/auth/actor';
import { logger } from '../shared/logger';
import { authenticateRequest, type AppOptions } from './app';

export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'pillar_queues_token';
const COOKIE_MAX_AGE_S = 8 * 3600;

const log = logger.child({ component: 'queue-dashboard' });

/**
 * The operators' queue dashboard (bull-board) at /admin/queues, for ADMIN tokens only.
 *
 * API clients send `Authorization: Bearer <token>`. A browser signs in once — with the login
 * form or `?token=` — and gets the token back in an HttpOnly, SameSite=Strict cookie scoped
 * to /admin/queues, which its page and asset requests then carry; the token is checked on
 * every request (a revoked or expired token stops working at once). No token → 401 (a login
 * page for browsers), a token of another role → 403.
 *
 * Works with both queue backends: bull-board 9.10 reads BullMQ 6's PostgreSQL backend
 * through the same Queue API (its "Redis" panel shows PostgreSQL statistics there).
 * The UI is served from node_modules/@bull-board/ui; its one external reference (a Google
 * Fonts stylesheet, unreachable offline and from mainland China) is dropped from the page.
 */
export function mountQueueDashboard(app: Express, { config, services }: AppOptions): void {
  const router = express.Router();
  let board: Router | undefined;
  // Built on first authorised use: a process whose queue backend is down still starts.
  const boardRouter = (): Router => {
    if (!board) {
      const serverAdapter = new ExpressAdapter();
      serverAdapter.setBasePath(DASHBOARD_PATH);
      createBullBoard({
        queues: services.deps.queues.allQueues().map((q) => new BullMQAdapter(q)),
        // @bull-board/express 9.10.1 declares its own copy of @bull-board/api 9.10.1's types.
        serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
        options: { uiConfig: { boardTitle: 'Pillar queues' } },
      });
      board = serverAdapter.getRouter() as Router;
    }
    return board;
  };

  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    // A `?token=` URL must never travel on as a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const setCookie = (req: Request, res: Response, token: string): void => {
    res.cookie(DASHBOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure || config.isProduction,
      path: DASHBOARD_PATH,
      maxAge: COOKIE_MAX_AGE_S * 1000,
    });
  };
  const clearCookie = (req: Request, res: Response): void => {
    res.clearCookie(DASHBOARD_COOKIE, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure || config.isProduction,
      path: DASHBOARD_PATH,
    });
  };

  const tokenActor = async (token: string): Promise<Actor | null> =>
    await services.tokens.authenticate(token);

  router.get('/login', (_req, res) => {
    res.status(200).type('html').send(loginPage());
  });

  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res, next) => {
    try {
      if (!sameOrigin(req)) return deny(req, res, 403, 'cross-site request refused');
      const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
      const actor = token ? await tokenActor(token) : null;
      if (!actor) return deny(req, res, 401, 'that token is not valid');
      if (actor.role !== 'ADMIN') return deny(req, res, 403, 'the queue dashboard is for ADMIN tokens only');
      setCookie(req, res, token);
      log.info({ requestId: req.requestId, tokenId: actor.tokenId }, 'queue dashboard sign-in');
      res.redirect(303, `${DASHBOARD_PATH}/`);
    } catch (err) {
      next(err);
    }
  });

  router.post('/logout', (req, res) => {
    if (!sameOrigin(req)) return deny(req, res, 403, 'cross-site request refused');
    clearCookie(req, res);
    res.redirect(303, `${DASHBOARD_PATH}/login`);
  });

  // Everything else: ADMIN only.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      let actor: Actor | null;
      let via: 'header' | 'query' | 'cookie' | 'none' = 'none';
      let token: string | undefined;
      if (req.headers.authorization !== undefined) {
        via = 'header';
        actor = await authenticateRequest(req, services);
      } else {
        const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
        const fromCookie = readCookie(req, DASHBOARD_COOKIE);
        token = fromQuery ?? fromCookie;
        via = fromQuery ? 'query' : fromCookie ? 'cookie' : 'none';
        actor = token ? await tokenActor(token) : null;
      }
      if (!actor) {
        if (via === 'cookie') clearCookie(req, res);
        return deny(
          req,
          res,
          401,
          via === 'none' ? 'sign in with an ADMIN token' : 'that token is not valid',
        );
      }
      if (actor.role !== 'ADMIN') return deny(req, res, 403, 'the queue dashboard is for ADMIN tokens only');
      if (via === 'query') {
        // Keep the token out of the address bar and history: cookie, then the same page without it.
        setCookie(req, res, token!);
        const url = new URL(req.originalUrl, 'http://local');
        url.searchParams.delete('token');
        return res.redirect(303, `${url.pathname}${url.search}`);
      }
      if (via === 'cookie' && req.method !== 'GET' && req.method !== 'HEAD' && !sameOrigin(req)) {
        return deny(req, res, 403, 'cross-site request refused');
      }
      next();
    } catch (err) {
      next(err);
    }
  });

  router.use(dropExternalFonts);
  router.use((req, res, next) => boardRouter()(req, res, next));

  app.use(DASHBOARD_PATH, router);
}

/** The page's Google Fonts stylesheet would block rendering where Google is unreachable. */
const EXTERNAL_FONTS = /<link[^>]+href="https?:\/\/fonts\.(googleapis|gstatic)\.com[^"]*"[^>]*>\s*/g;

function dropExternalFonts(_req: Request, res: Response, next: NextFunction): void {
  const send = res.send.bind(res);
  res.send = ((body?: unknown) =>
    send(
      typeof body === 'string' && body.startsWith('<!DOCTYPE') ? body.replace(EXTERNAL_FONTS, '') : body,
    )) as Response['send'];
  next();
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** A browser's state-changing request must come from our own pages (Origin matches Host). */
function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function deny(req: Request, res: Response, status: 401 | 403, message: string): void {
  const code = status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN';
  if (req.accepts(['json', 'html']) === 'html') {
    res.status(status).type('html').send(loginPage(message));
    return;
  }
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function loginPage(message?: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pillar queues — sign in</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
input{width:100%;padding:.5rem;margin:.5rem 0 1rem;box-sizing:border-box;font-family:monospace}
button{padding:.5rem 1.25rem}.msg{color:#b42318}</style></head>
<body><h1>Pillar queues</h1>
<p>The queue dashboard is for ADMIN tokens. Paste yours; it is kept in a cookie for this page only
(HttpOnly, SameSite=Strict, 8 hours) and checked on every request.</p>
${message ? `<p class="msg">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${DASHBOARD_PATH}/login">
<label for="token">ADMIN token</label>
<input id="token" name="token" type="password" autocomplete="off" required autofocus>
<button type="submit">Sign in</button></form></body></html>`;
}
