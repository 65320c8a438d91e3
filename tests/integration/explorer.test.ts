import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '../../src/server/app';
import { explorerAssets } from '../../src/server/explorer';
import { startHarness, type Harness } from '../helpers/harness';

const run = promisify(execFile);

/** `src` and `href` attribute values of the page. */
function references(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
}

/** Any absolute http(s) URL; the page must not name another host (nor its own: paths only). */
const ABSOLUTE_URL = /\bhttps?:\/\//i;

describe('GraphQL explorer', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ http: true });
  });

  afterAll(async () => {
    await h.close();
  });

  test('GET /explorer serves the page with a same-origin-only content security policy', async () => {
    const res = await fetch(`${h.url}/explorer`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain('id="graphiql"');
    expect(html).toContain('id="token"');
    expect(html).not.toMatch(ABSOLUTE_URL);
    expect(html).not.toMatch(/src="\/\/|href="\/\//); // protocol-relative URLs
  });

  test('every asset the page references is served with 200, and names no other host', async () => {
    const html = await (await fetch(`${h.url}/explorer`)).text();
    const refs = references(html).filter((r) => !r.startsWith('data:'));
    expect(refs.sort()).toEqual(
      Object.keys(explorerAssets())
        .map((f) => `/explorer/assets/${f}`)
        .sort(),
    );
    for (const ref of refs) {
      const res = await fetch(`${h.url}${ref}`);
      expect({ ref, status: res.status }).toEqual({ ref, status: 200 });
      const body = await res.text();
      expect(body.length).toBeGreaterThan(100);
      const type = res.headers.get('content-type') ?? '';
      expect({ ref, type: ref.endsWith('.css') ? /^text\/css/.test(type) : /javascript/.test(type) }).toEqual(
        {
          ref,
          type: true,
        },
      );
    }
    // Our own bootstrap code talks only to this API.
    const own = await (await fetch(`${h.url}/explorer/assets/explorer.js`)).text();
    expect(own).not.toMatch(ABSOLUTE_URL);
  });

  test('only the listed assets are served', async () => {
    for (const name of [
      'constructor',
      '__proto__',
      'package.json',
      '..%2Fpackage.json',
      'graphiql.min.js.map',
    ]) {
      const res = await fetch(`${h.url}/explorer/assets/${name}`);
      expect({ name, status: res.status }).toEqual({ name, status: 404 });
    }
  });

  test('the vendor bundles are the ones the page expects (React 18 UMD globals, GraphiQL UMD)', () => {
    const assets = explorerAssets();
    expect(readFileSync(assets['react.production.min.js']!, 'utf8')).toMatch(/React/);
    expect(readFileSync(assets['react-dom.production.min.js']!, 'utf8')).toMatch(/ReactDOM/);
    expect(readFileSync(assets['graphiql.min.js']!, 'utf8')).toMatch(/GraphiQL/);
  });

  test('is off in production unless EXPLORER_ENABLED=true', async () => {
    const serve = async (explorer: boolean | undefined) => {
      const config = {
        ...h.rt.config,
        NODE_ENV: 'production' as const,
        isProduction: true,
        EXPLORER_ENABLED: explorer,
      };
      const { app, apollo } = await createApp({ config, orm: h.rt.orm, services: h.rt.services });
      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      try {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return [
          (await fetch(`${base}/explorer`)).status,
          (await fetch(`${base}/explorer/assets/graphiql.min.js`)).status,
        ];
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await apollo.stop();
      }
    };
    expect(await serve(undefined)).toEqual([404, 404]);
    expect(await serve(false)).toEqual([404, 404]);
    expect(await serve(true)).toEqual([200, 200]);
  });

  // A real browser, when the machine has one (apt-get install chromium); skipped otherwise.
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const browserTest = existsSync(chromium) ? test : test.skip;

  browserTest(
    'renders GraphiQL in headless Chromium with nothing but this server',
    async () => {
      const profile = mkdtempSync(join(tmpdir(), 'pillar-explorer-'));
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--window-size=1280,800',
        '--virtual-time-budget=15000',
      ];
      try {
        const { stdout: dom } = await run(chromium, [...flags, '--dump-dom', `${h.url}/explorer`], {
          maxBuffer: 64 * 1024 * 1024,
          timeout: 60_000,
        });
        expect(dom).toContain('graphiql-container');
        expect(dom).toContain('graphiql-editor');
        expect(dom).toContain('counties');
        const shot = join(profile, 'explorer.png');
        await run(chromium, [...flags, `--screenshot=${shot}`, `${h.url}/explorer`], { timeout: 60_000 });
        expect(statSync(shot).size).toBeGreaterThan(20_000); // a blank page is a few kB
        if (process.env.EXPLORER_SCREENSHOT) {
          copyFileSync(shot, process.env.EXPLORER_SCREENSHOT);
        }
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
