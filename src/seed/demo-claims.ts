/**
 * Demo step "claims": a few hundred claims on the demo rosters' people, filed and decided
 * through the product's own ClaimService (validation, placement, the adjudication rules, the
 * coverage lock, audit) and paid through PayoutService (settlement run + confirmation), so every
 * status shows up: APPROVED, UNDER_REVIEW, NEEDS_INFO, REJECTED (NOT_COVERED,
 * DUPLICATE_INVOICE, OTHER by a reviewer) and PAID.
 *
 * Deterministic (a seeded PRNG; the process clock is replaced by a fixed 2020 clock moved
 * along the filing dates), idempotent (skipped when any claim exists), and skipped when the
 * rosters are not there (no 2020 coverage yet). The 2020 demo contracts are made ACTIVE first
 * when they are not (as the activation job would, audited).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import { loadConfig } from '../config/config';
import { QueueKit } from '../../jobs/queues';
import { SYSTEM_ACTOR, type Actor } from '../modules/auth/actor';
import { Role } from '../modules/auth/api-token.entity';
import { CalendarService } from '../modules/calendar/calendar.service';
import { ClaimService } from '../modules/claims/claim.service';
import type { SubmitClaimData } from '../modules/claims/adjudication';
import { PiiService, piiKeysFromConfig } from '../modules/enrollment/pii.service';
import { EventService } from '../modules/events/event.service';
import { JobService } from '../modules/jobs/job.service';
import { PayoutService } from '../modules/payouts/payout.service';
import { FixedClock } from '../shared/clock';
import { addDays, type IsoDate } from '../shared/dates';
import { createHash } from 'node:crypto';
import { DEMO_PROGRAMME_2020, type DemoSeedContext, type DemoSeedStep, type StepCounts } from './demo';

/** Claims the step files (about; a few are refused at intake and not counted). */
export const DEMO_CLAIMS = 300;

/** What the step may be given (tests): the PII keys of the rosters, a pool, a queue kit. */
export interface DemoClaimsContext extends DemoSeedContext {
  pii?: PiiService;
  pg?: Pool;
  queues?: QueueKit;
}

/** Events are written to the outbox in the claim's transaction; the schedule dispatches them. */
class QuietEvents extends EventService {
  override async dispatchSoon(): Promise<void> {}
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const HOSPITALS: [string, SubmitClaimData['hospitalLevel']][] = [
  ['乡镇卫生院', 'TOWNSHIP'],
  ['县人民医院', 'COUNTY'],
  ['县中医医院', 'COUNTY'],
  ['市第一人民医院', 'CITY'],
  ['省人民医院', 'PROVINCIAL'],
];
const DIAGNOSES = ['A15.0', 'I63.9', 'J18.9', 'K35.8', 'N18.5', 'C34.9', 'E11.9', 'S72.0'];

const REVIEWER: Actor = { ...SYSTEM_ACTOR, role: Role.CLAIMS_REVIEWER } as Actor;

export const demoClaims: DemoSeedStep = {
  name: 'claims',
  async run(em: EntityManager, ctx: DemoClaimsContext): Promise<StepCounts> {
    const conn = em.getConnection();
    const [{ n: existing }] = (await conn.execute<{ n: number }[]>(
      'select count(*)::int as n from claim',
    )) as [{ n: number }];
    if (existing > 0) return { claims: 0, skipped: 1 };
    const people = await conn.execute<
      { id_ciphertext: string; county_code: string; contract_id: number; status: string }[]
    >(
      `select i.id_ciphertext, c.county_code, c.contract_id, k.status
         from coverage c join insured i on i.id = c.insured_id join county_contract k on k.id = c.contract_id
        where c.programme_year = ? and c.status = 'ENROLLED'
        order by c.county_code, c.id`,
      [DEMO_PROGRAMME_2020.year],
    );
    if (!people.length) return { claims: 0, skipped: 1 };

    const config = loadConfig();
    const ownPg = !ctx.pg;
    const pg = ctx.pg ?? new Pool({ connectionString: config.DATABASE_URL, max: 2 });
    const ownQueues = !ctx.queues;
    const queues =
      ctx.queues ??
      new QueueKit({
        redisUrl: config.REDIS_URL,
        databaseUrl: config.DATABASE_URL ?? '',
        prefix: config.QUEUE_PREFIX,
      });
    const pii = ctx.pii ?? new PiiService(piiKeysFromConfig(config));
    const clock = new FixedClock(new Date(`${DEMO_PROGRAMME_2020.year}-03-02T02:00:00Z`));
    const events = new QuietEvents(queues, clock);
    const claims = new ClaimService(pg, clock, ctx.audit, pii, new CalendarService(ctx.audit), events);
    const payouts = new PayoutService(pg, clock, ctx.audit, events, new JobService(queues, clock, ctx.audit));
    const counts: Record<string, number> = {};
    try {
      // The 2020 contracts in force (as the activation job would make them), audited.
      const inactive = [...new Set(people.filter((p) => p.status !== 'ACTIVE').map((p) => p.contract_id))];
      if (inactive.length)
        await em.transactional(async (tx) => {
          for (const id of inactive) {
            await tx.getConnection().execute(
              `update county_contract set status = 'ACTIVE', activated_at = coalesce(activated_at, ?),
                      insured_count = coalesce(insured_count, (select count(*) from coverage where contract_id = ?))
                where id = ?`,
              [ctx.now(), id, id],
              'all',
              tx.getTransactionContext(),
            );
            ctx.audit.record(tx, SYSTEM_ACTOR, {
              entityType: 'CountyContract',
              entityId: id,
              action: 'ACTIVATE',
              toState: 'ACTIVE',
              changes: { source: 'seed' },
            });
          }
          await tx
            .getConnection()
            .execute(
              `update benefit_plan set locked_at = coalesce(locked_at, ?) where id in (select plan_id from county_contract where id in (${inactive.map(() => '?').join(',')}))`,
              [ctx.now(), ...inactive],
              'all',
              tx.getTransactionContext(),
            );
        });

      const rnd = prng(2020);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
      let seq = 0;
      const submit = async (
        nationalId: string,
        over: Partial<SubmitClaimData> & { day: number; x: number },
      ) => {
        seq += 1;
        const admission = addDays(`${DEMO_PROGRAMME_2020.year}-01-01`, over.day) as IsoDate;
        const discharge = addDays(admission, 2 + Math.floor(rnd() * 12));
        // Filed 3–20 days after discharge; the clock moves forward only.
        const filed = addDays(discharge, 3 + Math.floor(rnd() * 18));
        const at = new Date(`${filed}T02:00:00Z`);
        if (at > clock.now()) clock.set(at);
        const [hospitalName, hospitalLevel] = pick(HOSPITALS);
        const x = over.x;
        const basic = Math.round(x * (0.8 + rnd() * 0.6));
        const input: SubmitClaimData = {
          nationalId,
          admissionDate: admission,
          dischargeDate: discharge,
          hospitalName,
          hospitalLevel,
          diagnosisCode: pick(DIAGNOSES),
          invoiceNumbers: [`FP${DEMO_PROGRAMME_2020.year}${String(seq).padStart(6, '0')}`],
          totalCost: (x + basic + 300).toFixed(2),
          basicInsurancePaid: basic.toFixed(2),
          criticalIllnessPaid: '0.00',
          medicalAssistancePaid: '200.00',
          excludedCost: '100.00',
          documents: [
            { kind: 'INVOICE', sha256: sha(`demo-inv-${seq}`), storageKey: `claims/demo/${seq}/invoice.pdf` },
            {
              kind: 'DISCHARGE_SUMMARY',
              sha256: sha(`demo-ds-${seq}`),
              storageKey: `claims/demo/${seq}/discharge.pdf`,
            },
          ],
          settlementNumber: null,
          payeeAccount: `6217${String(1_000_000_000_000 + seq * 7919).padStart(15, '0')}`,
          idempotencyKey: `demo-claim-${seq}`,
          ...over,
        };
        const { claim } = await claims.submit(em.fork(), SYSTEM_ACTOR, input);
        return claim;
      };

      // People spread over the counties: every 7th enrolled person, up to DEMO_CLAIMS / 2.
      const chosen = people.filter((_, i) => i % 7 === 0).slice(0, DEMO_CLAIMS / 2);
      for (const [i, p] of chosen.entries()) {
        const nationalId = pii.decrypt(p.id_ciphertext);
        const kind = i % 10;
        const day = 10 + Math.floor(rnd() * 150);
        if (kind === 0) {
          // Big stay: UNDER_REVIEW; every other one approved by a reviewer, the next rejected.
          const c = await submit(nationalId, { day, x: 30000 + Math.floor(rnd() * 40000) });
          if (i % 20 === 0 && c.status === 'UNDER_REVIEW')
            await claims.approve(em.fork(), REVIEWER, { claimId: c.id, version: c.version, reason: null });
          else if (i % 30 === 10 && c.status === 'UNDER_REVIEW')
            await claims.reject(em.fork(), REVIEWER, {
              claimId: c.id,
              version: c.version,
              note: '住院费用与诊断不符 / the costs do not match the diagnosis',
            });
        } else if (kind === 1) {
          // Missing discharge summary: NEEDS_INFO (some supplemented later would re-run; left open).
          await submit(nationalId, {
            day,
            x: 2000 + Math.floor(rnd() * 6000),
            documents: [
              {
                kind: 'INVOICE',
                sha256: sha(`demo-only-${i}`),
                storageKey: `claims/demo/only-${i}/invoice.pdf`,
              },
            ],
          });
        } else if (kind === 2) {
          // A stay that began before the coverage did: REJECTED / NOT_COVERED.
          await submit(nationalId, { day: -12, x: 3000 });
        } else if (kind === 3) {
          // Two claims with one invoice: the second is REJECTED / DUPLICATE_INVOICE.
          const first = await submit(nationalId, { day, x: 3000 + Math.floor(rnd() * 5000) });
          await submit(nationalId, { day: day + 40, x: 2500, invoiceNumbers: first.invoiceNumbers });
        } else {
          // Ordinary stays, several a year: APPROVED automatically.
          await submit(nationalId, { day, x: 1500 + Math.floor(rnd() * 9000) });
          if (kind >= 7)
            await submit(nationalId, {
              day: day + 60 + Math.floor(rnd() * 30),
              x: 2000 + Math.floor(rnd() * 12000),
            });
        }
      }

      // Pay what was approved before September: settlement run, then the channel's confirmation.
      clock.set(new Date(`${DEMO_PROGRAMME_2020.year}-12-01T02:00:00Z`));
      const settled = await payouts.settle(em.fork(), SYSTEM_ACTOR, clock.today());
      const lines = await conn.execute<{ batch_id: number; claim_number: string; approved_at: Date }[]>(
        `select l.batch_id, c.claim_number, c.approved_at from payout_line l join claim c on c.id = l.claim_id
          where l.status = 'PENDING' order by l.batch_id, c.claim_number`,
      );
      const byBatch = new Map<number, { claimNumber: string; result: 'PAID'; channelReference: string }[]>();
      for (const l of lines) {
        if (new Date(l.approved_at) >= new Date(`${DEMO_PROGRAMME_2020.year}-09-01T00:00:00Z`)) continue;
        const list = byBatch.get(l.batch_id) ?? [];
        list.push({ claimNumber: l.claim_number, result: 'PAID', channelReference: `CH-${l.claim_number}` });
        byBatch.set(l.batch_id, list);
      }
      for (const [batchId, batchLines] of byBatch)
        await payouts.confirmBatch(em.fork(), SYSTEM_ACTOR, { batchId, lines: batchLines });
      counts.payoutBatches = settled.batchesCreated;

      const st = await conn.execute<{ status: string; n: number }[]>(
        'select status, count(*)::int as n from claim group by status order by status',
      );
      for (const r of st) counts[r.status] = r.n;
      return { claims: st.reduce((a, r) => a + r.n, 0), ...counts };
    } finally {
      if (ownPg) await pg.end();
      if (ownQueues) await queues.close();
    }
  },
};
