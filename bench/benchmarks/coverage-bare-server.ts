/**
 * The bare baseline of the `coverage` benchmark, run as its own process: `node:http` and a
 * `pg` pool of the same size as the product's, doing what the product's look-up does
 * underneath — read the JSON body, HMAC the national ID, run the product's own prepared
 * statement (the access-logged variant an INTEGRATION token gets), send the rows as JSON.
 * No framework, no GraphQL, no authentication: the physical limit of the stack.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { LOGGED_LOOKUP_STATEMENT } from '../../src/modules/coverage/coverage.service';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 10),
});
const hmacKey = Buffer.from(process.env.PII_HMAC_KEY ?? '', 'base64');
const tokenId = Number(process.env.BENCH_TOKEN_ID);

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET' && req.url === '/healthz') return reply(res, 200, '{"status":"ok"}');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const { nationalId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { nationalId: string };
  const hash = createHmac('sha256', hmacKey).update(nationalId, 'utf8').digest();
  const { rows } = await pool.query({
    name: LOGGED_LOOKUP_STATEMENT.name,
    text: LOGGED_LOOKUP_STATEMENT.text,
    values: [[hash], null, null, tokenId, 'GRAPHQL'],
  });
  reply(res, 200, JSON.stringify({ rows }));
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: Error) => reply(res, 500, JSON.stringify({ error: err.message })));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
