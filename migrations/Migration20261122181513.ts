import { Migration } from '@mikro-orm/migrations';

export class Migration20261122181513 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "webhook_delivery_pending_index" on "webhook_delivery" ("id") where "status" = 'PENDING';`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_subscription_id_event_id_unique" unique ("subscription_id", "event_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "webhook_delivery_pending_index";`);
    this.addSql(
      `alter table "webhook_delivery" drop constraint "webhook_delivery_subscription_id_event_id_unique";`,
    );
  }
}
