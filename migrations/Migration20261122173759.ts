import { Migration } from '@mikro-orm/migrations';

export class Migration20261122173759 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "actuarial_study" ("id" serial primary key, "kind" text check ("kind" in ('LOSS_DEVELOPMENT', 'EXPERIENCE')) not null, "version" int not null, "parameters" jsonb not null, "result" jsonb not null, "created_by_token_id" int null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "actuarial_study" add constraint "actuarial_study_kind_version_unique" unique ("kind", "version");`,
    );

    this.addSql(
      `create table "api_token" ("id" serial primary key, "name" text not null, "token_hash" bytea not null, "prefix" text not null, "role" text check ("role" in ('ADMIN', 'ACTUARY', 'CLAIMS_REVIEWER', 'FOUNDATION', 'COORDINATOR', 'INTEGRATION')) not null, "county_codes" text[] not null, "province_codes" text[] not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "created_by_token_id" int null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "api_token" add constraint "api_token_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `create table "audit_event" ("id" bigserial primary key, "at" timestamptz not null default now(), "actor_token_id" int null, "actor_role" text not null, "entity_type" text not null, "entity_id" text not null, "action" text not null, "from_state" text null, "to_state" text null, "changes" jsonb null, "request_id" text null);`,
    );
    this.addSql(
      `create index "audit_event_entity_type_entity_id_at_index" on "audit_event" ("entity_type", "entity_id", "at");`,
    );

    this.addSql(
      `create table "benefit_plan" ("id" serial primary key, "code" text not null, "version" int not null, "name" text not null, "deductible" numeric(14,2) not null, "tiers" jsonb not null, "annual_cap" numeric(14,2) not null, "hospital_levels" text[] not null, "min_age" int not null default 18, "max_age" int not null default 60, "filing_window_days" int not null default 365, "auto_approve_limit" numeric(14,2) not null default 10000, "review_threshold" numeric(14,2) not null default 100000, "required_documents" text[] not null, "locked_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "benefit_plan" add constraint "benefit_plan_code_version_unique" unique ("code", "version");`,
    );

    this.addSql(
      `create table "calendar_day" ("date" date not null, "kind" text check ("kind" in ('HOLIDAY', 'WORKDAY')) not null, "name" text not null, constraint "calendar_day_pkey" primary key ("date"));`,
    );

    this.addSql(
      `create table "claim_sequence" ("county_code" varchar(6) not null, "year" int not null, "last_value" int not null, constraint "claim_sequence_pkey" primary key ("county_code", "year"));`,
    );

    this.addSql(
      `create table "county" ("code" varchar(6) not null, "name_zh" text not null, "name_en" text not null, "prefecture_code" varchar(6) not null, "prefecture_zh" text not null, "province_code" varchar(2) not null, "province_zh" text not null, "province_en" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "county_pkey" primary key ("code"));`,
    );
    this.addSql(`create index "county_province_code_index" on "county" ("province_code");`);

    this.addSql(
      `create table "coverage_access_log" ("id" bigserial primary key, "token_id" int not null, "at" timestamptz not null default now(), "people_count" int not null, "id_hashes" text[] not null, "channel" text not null);`,
    );
    this.addSql(`create index "coverage_access_log_token_id_index" on "coverage_access_log" ("token_id");`);

    this.addSql(
      `create table "insured" ("id" serial primary key, "id_hash" bytea not null, "id_ciphertext" text not null, "id_key_id" text not null, "id_masked" text not null, "name" text not null, "gender" text check ("gender" in ('F', 'M')) not null, "birth_date" date not null, "household_id" text not null, "county_code" varchar(6) not null, "id_region" varchar(6) not null, "payee_account" text null, "phone" text null, "registered_poor" boolean not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "insured" add constraint "insured_id_hash_unique" unique ("id_hash");`);
    this.addSql(`create index "insured_county_code_index" on "insured" ("county_code");`);

    this.addSql(
      `create table "outbox_event" ("id" bigserial primary key, "type" text check ("type" in ('COVERAGE_STARTED', 'COVERAGE_ENDED', 'CLAIM_STATUS_CHANGED')) not null, "county_code" varchar(6) not null, "payload" jsonb not null, "occurred_at" timestamptz not null default now(), "dispatched_at" timestamptz null);`,
    );
    this.addSql(
      `create index "outbox_event_dispatched_at_id_index" on "outbox_event" ("dispatched_at", "id");`,
    );

    this.addSql(
      `create table "payout_batch" ("id" serial primary key, "batch_number" text not null, "county_code" varchar(6) not null, "run_key" text not null, "status" text check ("status" in ('CREATED', 'CONFIRMED')) not null default 'CREATED', "total_amount" numeric(14,2) not null, "line_count" int not null, "created_at" timestamptz not null default now(), "confirmed_at" timestamptz null);`,
    );
    this.addSql(
      `alter table "payout_batch" add constraint "payout_batch_batch_number_unique" unique ("batch_number");`,
    );
    this.addSql(`create index "payout_batch_county_code_index" on "payout_batch" ("county_code");`);

    this.addSql(
      `create table "rate_table" ("id" serial primary key, "code" text not null, "version" int not null, "status" text check ("status" in ('DRAFT', 'PUBLISHED', 'RETIRED')) not null default 'DRAFT', "base_date" date not null, "frequency" jsonb not null, "severity" jsonb not null, "area_factors" jsonb not null, "annual_trend" double precision not null, "expense_loading" double precision not null, "risk_margin" double precision not null, "min_premium" numeric(14,2) not null, "full_credibility_claims" int not null, "max_rate_change" double precision not null, "source_study_id" int null, "evidence" jsonb null, "published_at" timestamptz null, "retired_at" timestamptz null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "rate_table" add constraint "rate_table_code_version_unique" unique ("code", "version");`,
    );

    this.addSql(
      `create table "programme" ("id" serial primary key, "year" int not null, "name" text not null, "budget" numeric(14,2) not null default 0, "default_plan_id" int null, "default_rate_table_id" int null, "carry_over_share" numeric(5,4) not null default 0, "renewal_window_days" int not null default 90, "version" int not null default 1, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "programme" add constraint "programme_year_unique" unique ("year");`);

    this.addSql(
      `create table "programme_funding" ("id" serial primary key, "programme_id" int not null, "source" text not null, "amount" numeric(14,2) not null);`,
    );
    this.addSql(
      `alter table "programme_funding" add constraint "programme_funding_programme_id_source_unique" unique ("programme_id", "source");`,
    );

    this.addSql(
      `create table "county_contract" ("id" serial primary key, "county_code" varchar(6) not null, "programme_id" int not null, "programme_year" int not null, "plan_id" int not null, "rate_table_id" int null, "period_start" date not null, "period_end" date not null, "declared_head_count" int null, "insured_count" int null, "per_capita_premium" numeric(14,2) null, "total_premium" numeric(14,2) null, "endorsement_premium" numeric(14,2) not null default 0, "carry_over_credit" numeric(14,2) not null default 0, "accepted_quote_id" int null, "predecessor_id" int null, "status" text check ("status" in ('DRAFT', 'QUOTED', 'APPROVED', 'ACTIVE', 'EXPIRED', 'CANCELLED')) not null default 'DRAFT', "budget_override" boolean not null default false, "cancel_reason" text null, "approved_at" timestamptz null, "activated_at" timestamptz null, "expired_at" timestamptz null, "version" int not null default 1, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "county_contract_programme_year_index" on "county_contract" ("programme_year");`,
    );
    this.addSql(
      `alter table "county_contract" add constraint "county_contract_accepted_quote_id_unique" unique ("accepted_quote_id");`,
    );
    this.addSql(
      `alter table "county_contract" add constraint "county_contract_predecessor_id_unique" unique ("predecessor_id");`,
    );
    this.addSql(
      `alter table "county_contract" add constraint "county_contract_county_code_programme_id_unique" unique ("county_code", "programme_id");`,
    );

    this.addSql(
      `create table "quote" ("id" serial primary key, "contract_id" int not null, "rate_table_id" int not null, "plan_id" int not null, "input_hash" varchar(64) not null, "inputs" jsonb not null, "breakdown" jsonb not null, "insured_count" int not null, "per_capita_premium" numeric(14,2) not null, "total_premium" numeric(14,2) not null, "carry_over_credit" numeric(14,2) not null default 0, "credibility" double precision not null, "expected_claim_count" double precision not null, "expected_claims_cost" numeric(14,2) not null, "created_by_token_id" int null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "quote_contract_id_created_at_index" on "quote" ("contract_id", "created_at");`,
    );

    this.addSql(
      `create table "coverage" ("id" serial primary key, "insured_id" int not null, "contract_id" int not null, "programme_year" int not null, "county_code" varchar(6) not null, "period_start" date not null, "period_end" date not null, "status" text check ("status" in ('ENROLLED', 'TERMINATED')) not null default 'ENROLLED', "end_reason" text check ("end_reason" in ('DECEASED', 'MOVED', 'NO_LONGER_ELIGIBLE', 'REMOVED_FROM_ROSTER')) null, "ended_on" date null, "eligible_approved" numeric(14,2) not null default 0, "benefit_approved" numeric(14,2) not null default 0, "benefit_paid" numeric(14,2) not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "coverage_county_code_index" on "coverage" ("county_code");`);
    this.addSql(`create index "coverage_contract_id_status_index" on "coverage" ("contract_id", "status");`);
    this.addSql(
      `alter table "coverage" add constraint "coverage_insured_id_programme_year_unique" unique ("insured_id", "programme_year");`,
    );

    this.addSql(
      `create table "endorsement" ("id" serial primary key, "contract_id" int not null, "coverage_id" int not null, "kind" text check ("kind" in ('ADD', 'TERMINATE')) not null, "effective_date" date not null, "reason" text check ("reason" in ('DECEASED', 'MOVED', 'NO_LONGER_ELIGIBLE', 'REMOVED_FROM_ROSTER')) null, "days" int not null, "premium_delta" numeric(14,2) not null, "created_by_token_id" int null, "created_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "endorsement_contract_id_index" on "endorsement" ("contract_id");`);

    this.addSql(
      `create table "claim" ("id" serial primary key, "claim_number" text not null, "insured_id" int not null, "coverage_id" int null, "contract_id" int null, "county_code" varchar(6) not null, "programme_year" int not null, "status" text check ("status" in ('SUBMITTED', 'NEEDS_INFO', 'UNDER_REVIEW', 'APPROVED', 'REJECTED', 'PAID')) not null default 'SUBMITTED', "rejection_reason" text check ("rejection_reason" in ('NOT_COVERED', 'PROVIDER_NOT_COVERED', 'LATE_SUBMISSION', 'DUPLICATE_INVOICE', 'OTHER')) null, "flags" text[] not null, "missing_documents" text[] not null, "admission_date" date not null, "discharge_date" date not null, "hospital_name" text not null, "hospital_level" text check ("hospital_level" in ('TOWNSHIP', 'COUNTY', 'CITY', 'PROVINCIAL', 'PRIVATE')) not null, "diagnosis_code" text not null, "invoice_numbers" text[] not null, "settlement_number" text null, "total_cost" numeric(14,2) not null, "basic_insurance_paid" numeric(14,2) not null, "critical_illness_paid" numeric(14,2) not null, "medical_assistance_paid" numeric(14,2) not null, "excluded_cost" numeric(14,2) not null, "eligible_oop" numeric(14,2) not null, "prior_eligible" numeric(14,2) null, "payable" numeric(14,2) null, "working" jsonb null, "rule_trace" jsonb not null, "payee_account" text null, "idempotency_key" text not null, "submitted_by_token_id" int not null, "submitted_at" timestamptz not null, "due_date" date null, "sla_days_used" int not null default 0, "sla_clock_started_on" date null, "decided_at" timestamptz null, "approved_at" timestamptz null, "paid_at" timestamptz null, "payment_reference" text null, "review_note" text null, "adjustment_of_id" int null, "version" int not null default 1, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(`alter table "claim" add constraint "claim_claim_number_unique" unique ("claim_number");`);
    this.addSql(`create index "claim_coverage_id_index" on "claim" ("coverage_id");`);
    this.addSql(
      `create index "claim_insured_id_admission_date_index" on "claim" ("insured_id", "admission_date");`,
    );
    this.addSql(`create index "claim_county_code_status_index" on "claim" ("county_code", "status");`);
    this.addSql(
      `alter table "claim" add constraint "claim_submitted_by_token_id_idempotency_key_unique" unique ("submitted_by_token_id", "idempotency_key");`,
    );

    this.addSql(
      `create table "payout_line" ("id" serial primary key, "batch_id" int not null, "claim_id" int not null, "amount" numeric(14,2) not null, "status" text check ("status" in ('PENDING', 'PAID', 'FAILED')) not null default 'PENDING', "channel_reference" text null, "failure_reason" text null, "confirmed_at" timestamptz null);`,
    );
    this.addSql(`create index "payout_line_claim_id_index" on "payout_line" ("claim_id");`);
    this.addSql(`create index "payout_line_batch_id_index" on "payout_line" ("batch_id");`);
    this.addSql(
      `create unique index "payout_line_live_claim_unique" on "payout_line" ("claim_id") where "status" in ('PENDING', 'PAID');`,
    );

    this.addSql(
      `create table "claim_document" ("id" serial primary key, "claim_id" int not null, "kind" text check ("kind" in ('INVOICE', 'DISCHARGE_SUMMARY', 'ID_CARD', 'BANK_ACCOUNT', 'OTHER')) not null, "sha256" varchar(64) not null, "storage_key" text not null, "added_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "claim_document_claim_id_index" on "claim_document" ("claim_id");`);

    this.addSql(
      `create table "roster_import" ("id" serial primary key, "contract_id" int not null, "mode" text check ("mode" in ('MERGE', 'REPLACE')) not null default 'MERGE', "status" text check ("status" in ('UPLOADED', 'RUNNING', 'COMPLETED', 'FAILED')) not null default 'UPLOADED', "file_name" text not null, "storage_key" text not null, "file_sha256" varchar(64) not null, "total_rows" int not null default 0, "accepted_rows" int not null default 0, "updated_rows" int not null default 0, "unchanged_rows" int not null default 0, "rejected_rows" int not null default 0, "ended_coverages" int not null default 0, "failure_reason" text null, "created_by_token_id" int null, "created_at" timestamptz not null default now(), "completed_at" timestamptz null);`,
    );
    this.addSql(`create index "roster_import_contract_id_index" on "roster_import" ("contract_id");`);

    this.addSql(
      `create table "roster_reject" ("id" bigserial primary key, "roster_import_id" int not null, "line_number" int not null, "masked_id" text null, "reason" text not null, "detail" text null);`,
    );
    this.addSql(
      `create index "roster_reject_roster_import_id_index" on "roster_reject" ("roster_import_id");`,
    );

    this.addSql(
      `create table "webhook_subscription" ("id" serial primary key, "owner_token_id" int not null, "url" text not null, "event_types" text[] not null, "secret_ciphertext" text not null, "active" boolean not null default true, "created_at" timestamptz not null default now());`,
    );
    this.addSql(
      `create index "webhook_subscription_owner_token_id_index" on "webhook_subscription" ("owner_token_id");`,
    );

    this.addSql(
      `create table "webhook_delivery" ("id" bigserial primary key, "subscription_id" int not null, "event_id" bigint not null, "status" text check ("status" in ('PENDING', 'DELIVERED', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "attempt_log" jsonb not null, "created_at" timestamptz not null default now(), "delivered_at" timestamptz null);`,
    );
    this.addSql(
      `create index "webhook_delivery_subscription_id_created_at_index" on "webhook_delivery" ("subscription_id", "created_at");`,
    );

    this.addSql(
      `alter table "insured" add constraint "insured_county_code_foreign" foreign key ("county_code") references "county" ("code") on update cascade;`,
    );

    this.addSql(
      `alter table "rate_table" add constraint "rate_table_source_study_id_foreign" foreign key ("source_study_id") references "actuarial_study" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "programme" add constraint "programme_default_plan_id_foreign" foreign key ("default_plan_id") references "benefit_plan" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "programme" add constraint "programme_default_rate_table_id_foreign" foreign key ("default_rate_table_id") references "rate_table" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "programme_funding" add constraint "programme_funding_programme_id_foreign" foreign key ("programme_id") references "programme" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "county_contract" add constraint "county_contract_county_code_foreign" foreign key ("county_code") references "county" ("code") on update cascade;`,
    );
    this.addSql(
      `alter table "county_contract" add constraint "county_contract_programme_id_foreign" foreign key ("programme_id") references "programme" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "county_contract" add constraint "county_contract_plan_id_foreign" foreign key ("plan_id") references "benefit_plan" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "county_contract" add constraint "county_contract_rate_table_id_foreign" foreign key ("rate_table_id") references "rate_table" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "county_contract" add constraint "county_contract_accepted_quote_id_foreign" foreign key ("accepted_quote_id") references "quote" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "county_contract" add constraint "county_contract_predecessor_id_foreign" foreign key ("predecessor_id") references "county_contract" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "quote" add constraint "quote_contract_id_foreign" foreign key ("contract_id") references "county_contract" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "quote" add constraint "quote_rate_table_id_foreign" foreign key ("rate_table_id") references "rate_table" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "quote" add constraint "quote_plan_id_foreign" foreign key ("plan_id") references "benefit_plan" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "coverage" add constraint "coverage_insured_id_foreign" foreign key ("insured_id") references "insured" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "coverage" add constraint "coverage_contract_id_foreign" foreign key ("contract_id") references "county_contract" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "endorsement" add constraint "endorsement_contract_id_foreign" foreign key ("contract_id") references "county_contract" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "endorsement" add constraint "endorsement_coverage_id_foreign" foreign key ("coverage_id") references "coverage" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "claim" add constraint "claim_insured_id_foreign" foreign key ("insured_id") references "insured" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "claim" add constraint "claim_coverage_id_foreign" foreign key ("coverage_id") references "coverage" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "claim" add constraint "claim_contract_id_foreign" foreign key ("contract_id") references "county_contract" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "claim" add constraint "claim_adjustment_of_id_foreign" foreign key ("adjustment_of_id") references "claim" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "payout_line" add constraint "payout_line_batch_id_foreign" foreign key ("batch_id") references "payout_batch" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "payout_line" add constraint "payout_line_claim_id_foreign" foreign key ("claim_id") references "claim" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "claim_document" add constraint "claim_document_claim_id_foreign" foreign key ("claim_id") references "claim" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "roster_import" add constraint "roster_import_contract_id_foreign" foreign key ("contract_id") references "county_contract" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "roster_reject" add constraint "roster_reject_roster_import_id_foreign" foreign key ("roster_import_id") references "roster_import" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_subscription_id_foreign" foreign key ("subscription_id") references "webhook_subscription" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_event_id_foreign" foreign key ("event_id") references "outbox_event" ("id") on update cascade;`,
    );
  }
}
