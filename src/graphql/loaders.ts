import DataLoader from 'dataloader';
import type { EntityClass, EntityManager } from '@mikro-orm/postgresql';

/**
 * Per-request DataLoaders: each related object is fetched with one `IN (…)` query per
 * type and tick, so a nested list never becomes N+1 queries.
 */
export class Loaders {
  private readonly byClass = new Map<unknown, DataLoader<string | number, unknown>>();
  private readonly custom = new Map<string, DataLoader<unknown, unknown>>();

  constructor(private readonly em: EntityManager) {}

  /** Loads entities of a class by primary key (null when absent). */
  byId<T extends object>(cls: EntityClass<T>, pk = 'id'): DataLoader<string | number, T | null> {
    let loader = this.byClass.get(cls);
    if (!loader) {
      loader = new DataLoader<string | number, unknown>(async (keys) => {
        const rows = await this.em.find(cls, { [pk]: { $in: [...keys] } } as never);
        const map = new Map(rows.map((r) => [String((r as Record<string, unknown>)[pk]), r]));
        return keys.map((k) => map.get(String(k)) ?? null);
      });
      this.byClass.set(cls, loader);
    }
    return loader as DataLoader<string | number, T | null>;
  }

  /** A named loader with its own batch function, created once per request. */
  named<K, V>(name: string, batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
    let loader = this.custom.get(name);
    if (!loader) {
      loader = new DataLoader<unknown, unknown>(batch as never);
      this.custom.set(name, loader);
    }
    return loader as DataLoader<K, V>;
  }
}
