import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
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
   * Every request runs this, so it is one prepared statement on the shared pool rather than
   * an ORM look-up; nothing is cached, so a revocation holds from the next request on.
   */
  async authenticate(token: string): Promise<Actor | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const { rows } = await this.pg.query<TokenRow>({ ...AUTH_STATEMENT, values: [hashToken(token)] });
    const row = rows[0];
    if (!row || row.revoked_at) return null;
    if (row.expires_at && row.expires_at.getTime() <= this.clock.now().getTime()) return null;
    return {
      tokenId: row.id,
      role: row.role,
      countyCodes: row.county_codes,
      provinceCodes: row.province_codes,
    };
  }

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
    return em.transactional(async (tx) => {
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
  }

  async list(em: EntityManager): Promise<ApiToken[]> {
    return em.find(ApiToken, {}, { orderBy: { id: 'asc' } });
  }
}
