import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Client, type Pool } from 'pg';
import { badInput, notFound } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import { AuditService } from '../audit/audit.service';
import { County } from '../counties/county.entity';
import type { Actor } from './actor';
import { ApiToken, Role } from './api-token.entity';

const TOKEN_PREFIX = 'plr_';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export interface CreateTokenInput {
  name: string;
  role: Role;
  countyCodes?: string[];
  provinceCodes?: string[];
  expiresAt?: Date | null;
}

interface TokenRow {
  id: number;
  role: Role;
  county_codes: string[];
  province_codes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** The channel the `api_token` trigger notifies on every update or delete. */
const TOKEN_CHANNEL = 'api_token_changed';
/** A safety net: a cached token is read again after this long even without a notice. */
const TOKEN_CACHE_TTL_MS = 60_000;
const TOKEN_CACHE_MAX = 10_000;

const AUTH_STATEMENT = {
  name: 'api-token-authenticate-v1',
  text: 'select id, role, county_codes, province_codes, expires_at, revoked_at from api_token where token_hash = $1',
} as const;

/** Bearer tokens: created once (the secret shown once), stored as a hash, revocable. */
export class TokenService {
  constructor(
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly pg: Pool,
  ) {}

  /**
   * Resolves a bearer token to an actor, or null when missing, unknown, revoked or expired.
   * Every request runs this: one prepared statement on the shared pool, its answer kept in a
   * small cache while the process listens for token changes (`watchChanges`): a trigger on
   * `api_token` notifies every API process of any update or delete, so a revocation — through
   * the API, the CLI or plain SQL — evicts the token everywhere within milliseconds (and at once
   * in the process that revoked it). Without the listener nothing is cached.
   */
  async authenticate(token: string): Promise<Actor | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const hash = hashToken(token);
    const key = hash.toString('hex');
    const now = Date.now();
    let row = this.cache.get(key);
    if (!row || now - row.cachedAt > TOKEN_CACHE_TTL_MS) {
      const generation = this.generation;
      const { rows } = await this.pg.query<TokenRow>({ ...AUTH_STATEMENT, values: [hash] });
      row = rows[0] ? { ...rows[0], cachedAt: now } : undefined;
      // Only what no change notice can have overtaken is kept.
      if (row && this.listener && generation === this.generation) {
        if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear();
        this.cache.set(key, row);
      }
    }
    if (!row || row.revoked_at) return null;
    if (row.expires_at && row.expires_at.getTime() <= this.clock.now().getTime()) return null;
    return {
      tokenId: row.id,
      role: row.role,
      countyCodes: row.county_codes,
      provinceCodes: row.province_codes,
    };
  }

  /**
   * Listens for token changes on a connection of its own (API processes call this once) and
   * reconnects after a failure; until it is listening again nothing is cached.
   */
  async watchChanges(connectionString: string): Promise<void> {
    this.watching = true;
    const client = new Client({ connectionString });
    client.on('notification', () => this.forgetAll());
    const lost = (): void => {
      if (this.listener !== client) return;
      this.listener = null;
      this.forgetAll();
      client.end().catch(() => undefined);
      if (this.watching)
        setTimeout(() => void this.watchChanges(connectionString).catch(() => undefined), 1_000);
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`listen ${TOKEN_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      if (this.watching)
        setTimeout(() => void this.watchChanges(connectionString).catch(() => undefined), 1_000);
      throw err;
    }
    if (!this.watching) {
      // stopWatching() was called while this connection was being made.
      await client.end().catch(() => undefined);
      return;
    }
    this.forgetAll();
    this.listener = client;
  }

  async stopWatching(): Promise<void> {
    this.watching = false;
    const client = this.listener;
    this.listener = null;
    this.forgetAll();
    await client?.end().catch(() => undefined);
  }

  private forgetAll(): void {
    this.generation++;
    this.cache.clear();
  }

  private readonly cache = new Map<string, TokenRow & { cachedAt: number }>();
  private generation = 0;
  private listener: Client | null = null;
  private watching = false;

  async create(
    em: EntityManager,
    actor: Actor,
    input: CreateTokenInput,
  ): Promise<{ token: ApiToken; secret: string }> {
    return em.transactional(async (tx) => {
      const countyCodes = [...new Set(input.countyCodes ?? [])];
      const provinceCodes = [...new Set(input.provinceCodes ?? [])];
      if (!input.name.trim()) throw badInput('name', 'must not be empty');
      if (input.role === Role.COORDINATOR && (countyCodes.length !== 1 || provinceCodes.length)) {
        throw badInput('countyCodes', 'a COORDINATOR token is scoped to exactly one county');
      }
      if (
        (input.role === Role.ADMIN || input.role === Role.ACTUARY) &&
        (countyCodes.length || provinceCodes.length)
      ) {
        throw badInput('countyCodes', `a ${input.role} token is not scoped`);
      }
      for (const p of provinceCodes) {
        if (!/^\d{2}$/.test(p)) throw badInput('provinceCodes', `"${p}" is not a two-digit province code`);
      }
      if (countyCodes.length) {
        const found = await tx.count(County, { code: { $in: countyCodes } });
        if (found !== countyCodes.length) throw badInput('countyCodes', 'unknown county code');
      }
      if (input.expiresAt && input.expiresAt.getTime() <= this.clock.now().getTime()) {
        throw badInput('expiresAt', 'must be in the future');
      }
      const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const token = tx.create(ApiToken, {
        name: input.name.trim(),
        role: input.role,
        tokenHash: hashToken(secret),
        prefix: secret.slice(0, 10),
        countyCodes,
        provinceCodes,
        expiresAt: input.expiresAt ?? null,
        createdByTokenId: actor.tokenId,
      });
      await tx.flush();
      this.audit.record(tx, actor, {
        entityType: 'ApiToken',
        entityId: token.id,
        action: 'CREATE',
        toState: 'ACTIVE',
        changes: { role: input.role, countyCodes, provinceCodes },
      });
      return { token, secret };
    });
  }

  async revoke(em: EntityManager, actor: Actor, id: number): Promise<ApiToken> {
    const revoked = await em.transactional(async (tx) => {
      const token = await tx.findOne(ApiToken, { id });
      if (!token) throw notFound('ApiToken', id);
      if (!token.revokedAt) {
        token.revokedAt = this.clock.now();
        this.audit.record(tx, actor, {
          entityType: 'ApiToken',
          entityId: token.id,
          action: 'REVOKE',
          fromState: 'ACTIVE',
          toState: 'REVOKED',
        });
      }
      return token;
    });
    // This process forgets it at once; the others on the trigger's notice.
    this.forgetAll();
    return revoked;
  }

  async list(em: EntityManager): Promise<ApiToken[]> {
    return em.find(ApiToken, {}, { orderBy: { id: 'asc' } });
  }
}
