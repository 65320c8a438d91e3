import { Migration } from '@mikro-orm/migrations';

export class Migration20261122184056 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "claim" add column "requested_documents" text[] not null default '{}';`);
    this.addSql(`create index "claim_adjustment_of_id_index" on "claim" ("adjustment_of_id");`);
    this.addSql(
      `create index "claim_open_due_date_index" on "claim" ("due_date", "id") where "status" in ('SUBMITTED', 'UNDER_REVIEW', 'APPROVED');`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "claim_adjustment_of_id_index";`);
    this.addSql(`drop index "claim_open_due_date_index";`);
    this.addSql(`alter table "claim" drop column "requested_documents";`);
  }
}
