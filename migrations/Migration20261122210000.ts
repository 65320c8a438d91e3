import { Migration } from '@mikro-orm/migrations';

/**
 * API processes cache token look-ups; any change to a token row (a revocation through the API,
 * the CLI or plain SQL, a deletion) notifies them on `api_token_changed` so they forget it.
 */
export class Migration20261122210000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function api_token_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('api_token_changed', old.id::text);
  return null;
end $$;`);
    this.addSql(
      `create trigger api_token_changed after update or delete on "api_token" for each row execute function api_token_changed();`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger api_token_changed on "api_token";`);
    this.addSql(`drop function api_token_changed();`);
  }
}
