import { Migration } from '@mikro-orm/migrations';

export class Migration20261122182853 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "payout_batch_run_key_county_code_index" on "payout_batch" ("run_key", "county_code");`,
    );

    this.addSql(`alter table "payout_line" add column "payee_account" text not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "payout_batch_run_key_county_code_index";`);

    this.addSql(`alter table "payout_line" drop column "payee_account";`);
  }
}
