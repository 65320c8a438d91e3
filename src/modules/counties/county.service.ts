import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paginate } from '../../db/paginate';
import { type Connection, type PageInput } from '../../graphql/connection';
import { badInputs, notFound, type FieldProblem } from '../../shared/errors';
import { AuditService } from '../audit/audit.service';
import { withScope, type Actor } from '../auth/actor';
import { County } from './county.entity';

export interface CountyFilter {
  provinceCode?: string;
  search?: string;
}

export interface CountyData {
  code: string;
  nameZh: string;
  nameEn: string;
  prefectureCode: string;
  prefectureZh: string;
  provinceZh: string;
  provinceEn: string;
}

export function validateCounty(input: CountyData): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!/^\d{6}$/.test(input.code))
    problems.push({ field: 'code', message: 'must be a 6-digit GB/T 2260 code' });
  if (!/^\d{6}$/.test(input.prefectureCode)) {
    problems.push({ field: 'prefectureCode', message: 'must be a 6-digit code' });
  } else if (input.prefectureCode.slice(0, 2) !== input.code.slice(0, 2)) {
    problems.push({ field: 'prefectureCode', message: 'must be in the same province as the county' });
  }
  for (const f of ['nameZh', 'nameEn', 'prefectureZh', 'provinceZh', 'provinceEn'] as const) {
    if (!input[f]?.trim()) problems.push({ field: f, message: 'must not be empty' });
  }
  return problems;
}

/** Counties: reference data. Everyone but integrations reads; ADMIN writes. */
export class CountyService {
  constructor(private readonly audit: AuditService) {}

  async list(
    em: EntityManager,
    actor: Actor,
    filter: CountyFilter,
    page?: PageInput,
  ): Promise<Connection<County>> {
    const conditions: Record<string, unknown>[] = [];
    if (filter.provinceCode) conditions.push({ provinceCode: filter.provinceCode });
    if (filter.search) {
      const like = `%${filter.search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      conditions.push({
        $or: [{ nameZh: { $like: like } }, { nameEn: { $ilike: like } }, { code: { $like: like } }],
      });
    }
    const where = withScope({ $and: conditions }, actor, 'code');
    return paginate<County>(em, County, where as FilterQuery<County>, page, {
      key: 'code',
      keyType: 'string',
    });
  }

  async get(em: EntityManager, actor: Actor, code: string): Promise<County> {
    const county = await em.findOne(County, withScope({ code }, actor, 'code'));
    if (!county) throw notFound('County', code);
    return county;
  }

  async upsert(em: EntityManager, actor: Actor, input: CountyData): Promise<County> {
    const problems = validateCounty(input);
    if (problems.length) throw badInputs(problems);
    return em.transactional(async (tx) => {
      const existing = await tx.findOne(County, { code: input.code });
      const data = { ...input, provinceCode: input.code.slice(0, 2) };
      if (existing) {
        const changes: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(data)) {
          const before = (existing as unknown as Record<string, unknown>)[k];
          if (before !== v) changes[k] = { from: before, to: v };
        }
        tx.assign(existing, data);
        if (Object.keys(changes).length) {
          this.audit.record(tx, actor, {
            entityType: 'County',
            entityId: input.code,
            action: 'UPDATE',
            changes,
          });
        }
        return existing;
      }
      const county = tx.create(County, data);
      this.audit.record(tx, actor, {
        entityType: 'County',
        entityId: input.code,
        action: 'CREATE',
        changes: data,
      });
      return county;
    });
  }
}
