import { Migration } from '@mikro-orm/migrations';

export class Migration20261122182801 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "renewal_run" ("id" serial primary key, "from_year" int not null, "to_year" int not null, "trigger" text check ("trigger" in ('MANUAL', 'SCHEDULED')) not null, "trigger_key" text null, "status" text check ("status" in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED')) not null default 'QUEUED', "job_id" text null, "summary" jsonb null, "failure_reason" text null, "created_by_token_id" int null, "created_by_role" text not null, "created_at" timestamptz not null default now(), "started_at" timestamptz null, "completed_at" timestamptz null);`,
    );
    this.addSql(`create index "renewal_run_from_year_index" on "renewal_run" ("from_year");`);
    this.addSql(
      `alter table "renewal_run" add constraint "renewal_run_trigger_key_unique" unique ("trigger_key");`,
    );

    this.addSql(
      `create table "renewal_county" ("id" serial primary key, "run_id" int not null, "county_code" varchar(6) not null, "predecessor_contract_id" int not null, "successor_contract_id" int null, "quote_id" int null, "outcome" text check ("outcome" in ('RENEWED', 'SKIPPED', 'FAILED')) not null, "reason" text null, "report" jsonb null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "renewal_county_successor_contract_id_index" on "renewal_county" ("successor_contract_id");`,
    );
    this.addSql(
      `alter table "renewal_county" add constraint "renewal_county_run_id_predecessor_contract_id_unique" unique ("run_id", "predecessor_contract_id");`,
    );

    this.addSql(
      `alter table "renewal_county" add constraint "renewal_county_run_id_foreign" foreign key ("run_id") references "renewal_run" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "renewal_county" drop constraint "renewal_county_run_id_foreign";`);

    this.addSql(`drop table if exists "renewal_run" cascade;`);

    this.addSql(`drop table if exists "renewal_county" cascade;`);
  }
}
