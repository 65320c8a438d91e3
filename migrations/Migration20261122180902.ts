import { Migration } from '@mikro-orm/migrations';

export class Migration20261122180902 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "county_contract" drop constraint "county_contract_county_code_programme_id_unique";`,
    );

    this.addSql(
      `create unique index "county_contract_county_programme_live_unique" on "county_contract" ("county_code", "programme_id") where "status" <> 'CANCELLED';`,
    );

    this.addSql(`create index "claim_programme_year_status_index" on "claim" ("programme_year", "status");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "claim_programme_year_status_index";`);

    this.addSql(`drop index "county_contract_county_programme_live_unique";`);

    this.addSql(
      `alter table "county_contract" add constraint "county_contract_county_code_programme_id_unique" unique ("county_code", "programme_id");`,
    );
  }
}
