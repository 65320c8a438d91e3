import { dirname, join } from 'node:path';
import type { Express, Request, Response } from 'express';
import type { Config } from '../config/config';
import { repoRoot } from '../shared/paths';

/**
 * An offline GraphQL explorer at GET /explorer: GraphiQL with React from the npm packages,
 * served by this process (Apollo's landing page loads from a CDN, and these machines, like
 * many hospital networks, reach none). Off in production unless EXPLORER_ENABLED=true.
 */

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** The HTML page (source tree: tsc does not copy static files into dist/). */
export const EXPLORER_PAGE = join(repoRoot(), 'src', 'server', 'static', 'explorer.html');

/** Every file the page may load, by the name it has under /explorer/assets/. Nothing else is served. */
export function explorerAssets(): Record<string, string> {
  const staticDir = dirname(EXPLORER_PAGE);
  return {
    'react.production.min.js': join(packageDir('react'), 'umd', 'react.production.min.js'),
    'react-dom.production.min.js': join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'),
    'graphiql.min.js': join(packageDir('graphiql'), 'graphiql.min.js'),
    'graphiql.min.css': join(packageDir('graphiql'), 'graphiql.min.css'),
    'explorer.js': join(staticDir, 'explorer.js'),
    'explorer.css': join(staticDir, 'explorer.css'),
  };
}

/**
 * Only this origin: no CDN, no fonts or images from elsewhere (GraphiQL inlines its fonts
 * as data: URLs and sets inline styles on its panes).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

export function explorerEnabled(config: Config): boolean {
  return config.EXPLORER_ENABLED ?? !config.isProduction;
}

export function mountExplorer(app: Express, config: Config): void {
  if (!explorerEnabled(config)) return;
  const assets = new Map(Object.entries(explorerAssets()));

  const page = (_req: Request, res: Response) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-cache');
    res.type('html').sendFile(EXPLORER_PAGE);
  };
  app.get('/explorer', page);
  app.get('/explorer/', page);

  app.get('/explorer/assets/:file', (req: Request, res: Response) => {
    const file = assets.get(String(req.params.file));
    if (!file) {
      res.status(404).type('text').send('not found');
      return;
    }
    res.setHeader('x-content-type-options', 'nosniff');
    // The vendor files change only with a dependency upgrade; ours with a deploy.
    res.sendFile(file, { maxAge: config.isProduction ? '1h' : 0 });
  });
}
