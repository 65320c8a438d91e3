import { Migration } from '@mikro-orm/migrations';

/**
 * Only adjustment claims carry `adjustment_of_id`. A full index on it let the planner (with
 * stale statistics) answer `adjustment_of_id is null` by scanning every original claim —
 * milliseconds per submission in the duplicate check. The partial index serves the one
 * look-up it exists for: the adjustments of a claim.
 */
export class Migration20261122203000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index "claim_adjustment_of_id_index";`);
    this.addSql(
      `create index "claim_adjustment_of_id_index" on "claim" ("adjustment_of_id") where "adjustment_of_id" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "claim_adjustment_of_id_index";`);
    this.addSql(`create index "claim_adjustment_of_id_index" on "claim" ("adjustment_of_id");`);
  }
}
