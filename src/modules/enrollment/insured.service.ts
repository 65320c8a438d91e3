import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import { badInput, notFound } from '../../shared/errors';
import type { AuditService } from '../audit/audit.service';
import { Role } from '../auth/api-token.entity';
import { inScope, isScoped, withScope, type Actor } from '../auth/actor';
import { Coverage } from '../coverage/coverage.entity';
import type { JobService, JobSnapshot } from '../jobs/job.service';
import { Insured } from './insured.entity';
import { maskName } from './masking';
import type { PiiService } from './pii.service';

/**
 * Who sees a person's name, phone and payee account in full (spec: "Personal data"):
 * ADMIN and CLAIMS_REVIEWER (they pay claims to the person), and COORDINATORs of the person's
 * home county (they file the claims with the family). Masked for INTEGRATION, FOUNDATION,
 * coordinators of other counties, and ACTUARY: actuaries read rosters as aggregates
 * (api-security.md), so they never need a name. The national ID is masked for everyone; only
 * `revealNationalId` shows it.
 */
export function seesFullPersonalData(actor: Actor, homeCountyCode: string): boolean {
  switch (actor.role) {
    case Role.ADMIN:
    case Role.CLAIMS_REVIEWER:
      return true;
    case Role.COORDINATOR:
      return inScope(actor, homeCountyCode);
    case Role.ACTUARY:
    case Role.FOUNDATION:
    case Role.INTEGRATION:
    case 'SYSTEM':
      return false;
  }
}

/** A name as this actor may see it. */
export function nameFor(actor: Actor, name: string, homeCountyCode: string): string {
  return seesFullPersonalData(actor, homeCountyCode) ? name : maskName(name);
}

/** Phone numbers and accounts, masked: all but the last four characters hidden. */
export function maskTail(value: string): string {
  const chars = Array.from(value.trim());
  if (chars.length <= 4) return '*'.repeat(chars.length);
  return '*'.repeat(chars.length - 4) + chars.slice(-4).join('');
}

export const DEFAULT_ROTATION_BATCH = 1000;

export interface RotationProgress {
  /** Ciphertexts re-encrypted so far in this run. */
  reEncrypted: number;
  /** Ciphertexts not under the target key when the run started. */
  total: number;
  batches: number;
}

export interface RotationResult extends RotationProgress {
  targetKeyId: string;
  /** Still not under the target key when the run ended (written meanwhile by an older process). */
  remaining: number;
  /** Webhook signing secrets (encrypted with the same keys) re-encrypted in this run. */
  webhookSecrets: number;
  /** Webhook secrets still under another key when the run ended. */
  webhookSecretsRemaining: number;
}

const REVEAL_REASON_MAX = 500;

/**
 * Insured people: reading one (scoped), revealing a national ID (audited), and re-encrypting
 * national IDs after a key rotation. Roster import and mid-year changes write people; this
 * service never returns a national ID except through `revealNationalId`.
 */
export class InsuredService {
  constructor(
    private readonly pg: Pool,
    private readonly pii: PiiService,
    private readonly audit: AuditService,
    private readonly jobs: JobService,
  ) {}

  /**
   * One person; NOT_FOUND when absent or outside the actor's scope. A scoped actor sees people
   * whose home county is in scope or who have a coverage in scope.
   */
  async get(em: EntityManager, actor: Actor, id: number): Promise<Insured> {
    const insured = await em.findOne(Insured, { id });
    if (!insured) throw notFound('Insured', id);
    if (isScoped(actor) && !inScope(actor, insured.county.code)) {
      const inScopeCoverages = await em.count(Coverage, withScope({ insured: id }, actor));
      if (!inScopeCoverages) throw notFound('Insured', id);
    }
    return insured;
  }

  /** Coverages of people, in the actor's scope, by insured id (for DataLoaders). */
  async coveragesOf(em: EntityManager, actor: Actor, insuredIds: readonly number[]): Promise<Coverage[][]> {
    const rows = await em.find(Coverage, withScope({ insured: { $in: [...insuredIds] } }, actor), {
      orderBy: { programmeYear: 'asc', id: 'asc' },
    });
    const byInsured = new Map<number, Coverage[]>();
    for (const c of rows) {
      const list = byInsured.get(c.insured.id) ?? [];
      list.push(c);
      byInsured.set(c.insured.id, list);
    }
    return insuredIds.map((id) => byInsured.get(id) ?? []);
  }

  /**
   * The national ID in plain text, for ADMIN and CLAIMS_REVIEWER (the resolver checks the role),
   * with the reason written to the audit trail in the same transaction. The audit event holds
   * the reason and the masked ID, never the ID.
   */
  async revealNationalId(
    em: EntityManager,
    actor: Actor,
    input: { insuredId: number; reason: string },
  ): Promise<{ insured: Insured; nationalId: string }> {
    const reason = input.reason?.trim() ?? '';
    if (!reason) throw badInput('reason', 'say why the national ID is needed');
    if (reason.length > REVEAL_REASON_MAX)
      throw badInput('reason', `must be at most ${REVEAL_REASON_MAX} characters`);
    return em.transactional(async (tx) => {
      const insured = await this.get(tx, actor, input.insuredId);
      const nationalId = this.pii.decrypt(insured.idCiphertext);
      this.audit.record(tx, actor, {
        entityType: 'Insured',
        entityId: insured.id,
        action: 'REVEAL_NATIONAL_ID',
        changes: { reason, nationalIdMasked: insured.idMasked },
      });
      return { insured, nationalId };
    });
  }

  /**
   * Starts re-encrypting every national ID not under the active key (ADMIN), as a job on the
   * maintenance queue: one run per target key at a time (asking again while it runs returns the
   * same job; once finished, asking again runs it again, which finishes anything left).
   */
  async startKeyRotation(
    em: EntityManager,
    actor: Actor,
    input: { batchSize?: number | null },
  ): Promise<JobSnapshot> {
    const batchSize = input.batchSize ?? DEFAULT_ROTATION_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 100 || batchSize > 10_000) {
      throw badInput('input.batchSize', 'must be a whole number from 100 to 10,000');
    }
    const targetKeyId = this.pii.activeKeyId;
    const { rows } = await this.pg.query<{ n: number }>(
      'select count(*)::int as n from insured where id_key_id <> $1',
      [targetKeyId],
    );
    const pending = rows[0]?.n ?? 0;
    const job = await this.jobs.enqueue(
      'maintenance',
      'rotate-pii-key',
      { targetKeyId, batchSize, actorTokenId: actor.tokenId, actorRole: actor.role },
      { jobId: `rotate-pii-key-${targetKeyId}`, rerunFinished: true },
    );
    await em.transactional(async (tx) => {
      this.audit.record(tx, actor, {
        entityType: 'Job',
        entityId: job.id,
        action: 'ENQUEUE',
        toState: job.state,
        changes: { queue: job.queue, job: job.name, targetKeyId, batchSize, pending },
      });
    });
    return job;
  }

  /**
   * Re-encrypts, under the active key, every national-ID ciphertext written under another key.
   * Keyset pagination by id; each batch is one read and one `UPDATE … FROM unnest(…)` (the same
   * set-based statement as `FROM (VALUES …)`, with three array parameters whatever the batch
   * size, so it is prepared once). Each row is compared-and-swapped on its old ciphertext, so a
   * concurrent writer (an import) is never overwritten. Idempotent and resumable: rows already
   * under the active key are not read again, so a run killed half-way is finished by the next,
   * and a second run finds nothing to do. `onBatch` reports progress after every batch.
   */
  async reEncryptAll(opts: {
    targetKeyId: string;
    batchSize?: number;
    onBatch?: (p: RotationProgress) => Promise<void> | void;
  }): Promise<RotationResult> {
    const target = this.pii.activeKeyId;
    if (opts.targetKeyId !== target) {
      throw badInput(
        'targetKeyId',
        `this process encrypts under key "${target}", not "${opts.targetKeyId}": run it with the same PII_ENC_ACTIVE_KEY as the API`,
        'KEY_MISMATCH',
      );
    }
    const batchSize = opts.batchSize ?? DEFAULT_ROTATION_BATCH;
    const count = async () =>
      (
        await this.pg.query<{ n: number }>('select count(*)::int as n from insured where id_key_id <> $1', [
          target,
        ])
      ).rows[0]!.n;
    const total = await count();
    let after = 0;
    let reEncrypted = 0;
    let batches = 0;
    for (;;) {
      const { rows } = await this.pg.query<{ id: number; id_ciphertext: string }>({
        name: 'pii-rotate-read-v1',
        text: `select id, id_ciphertext from insured where id > $1 and id_key_id <> $2 order by id limit $3`,
        values: [after, target, batchSize],
      });
      if (!rows.length) break;
      const ids: number[] = [];
      const fresh: string[] = [];
      const old: string[] = [];
      for (const r of rows) {
        const plain = this.pii.decrypt(r.id_ciphertext);
        ids.push(r.id);
        fresh.push(this.pii.encrypt(plain).ciphertext);
        old.push(r.id_ciphertext);
      }
      const updated = await this.pg.query({
        name: 'pii-rotate-write-v1',
        text: `update insured i
                  set id_ciphertext = v.ciphertext, id_key_id = $4, updated_at = now()
                 from unnest($1::int[], $2::text[], $3::text[]) as v(id, ciphertext, old_ciphertext)
                where i.id = v.id and i.id_ciphertext = v.old_ciphertext`,
        values: [ids, fresh, old, target],
      });
      reEncrypted += updated.rowCount ?? 0;
      batches += 1;
      after = ids[ids.length - 1]!;
      await opts.onBatch?.({ reEncrypted, total, batches });
    }
    const webhookSecrets = await this.reEncryptWebhookSecrets(target);
    return {
      targetKeyId: target,
      reEncrypted,
      total,
      batches,
      remaining: await count(),
      webhookSecrets,
      webhookSecretsRemaining: (await this.webhookSecretsUnder(target)).length,
    };
  }

  /** Webhook subscriptions whose signing secret is encrypted under another key than `target`. */
  private async webhookSecretsUnder(target: string): Promise<{ id: number; secret_ciphertext: string }[]> {
    // The key id is the second part of `s1.<keyId>.<iv>.<tag>.<data>` (PiiService.encryptSecret).
    const { rows } = await this.pg.query<{ id: number; secret_ciphertext: string }>(
      `select id, secret_ciphertext from webhook_subscription where split_part(secret_ciphertext, '.', 2) <> $1 order by id`,
      [target],
    );
    return rows;
  }

  /**
   * The webhook signing secrets, which the same keyring encrypts: a handful of rows, each
   * compared-and-swapped on its old ciphertext like the national IDs (a subscription created
   * meanwhile is already under the new key).
   */
  private async reEncryptWebhookSecrets(target: string): Promise<number> {
    const rows = await this.webhookSecretsUnder(target);
    if (!rows.length) return 0;
    const fresh = rows.map((r) => this.pii.encryptSecret(this.pii.decryptSecret(r.secret_ciphertext)));
    const updated = await this.pg.query(
      `update webhook_subscription w set secret_ciphertext = v.fresh
         from unnest($1::int[], $2::text[], $3::text[]) as v(id, fresh, old)
        where w.id = v.id and w.secret_ciphertext = v.old`,
      [rows.map((r) => r.id), fresh, rows.map((r) => r.secret_ciphertext)],
    );
    return updated.rowCount ?? 0;
  }

  /** Records the end of a rotation run in the audit trail (the job calls it). */
  async recordRotation(em: EntityManager, actor: Actor, result: RotationResult): Promise<void> {
    await em.transactional(async (tx) => {
      this.audit.record(tx, actor, {
        entityType: 'PiiKey',
        entityId: result.targetKeyId,
        action: 'RE_ENCRYPT',
        changes: {
          reEncrypted: result.reEncrypted,
          total: result.total,
          batches: result.batches,
          remaining: result.remaining,
          webhookSecrets: result.webhookSecrets,
          webhookSecretsRemaining: result.webhookSecretsRemaining,
        },
      });
    });
  }
}
