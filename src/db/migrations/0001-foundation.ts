import { Migration } from '@mikro-orm/migrations';

export class Migration0001Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table partners (
        id uuid primary key,
        name varchar(100) not null,
        country_code varchar(2) not null,
        party_id varchar(3) not null,
        role varchar(10) not null,
        website varchar(255),
        contact_email varchar(255),
        status varchar(20) not null,
        reject_reason text,
        versions_url varchar(255),
        version varchar(10),
        endpoints jsonb,
        roles jsonb,
        outbound_token_sealed text,
        token_encoding varchar(10) not null default 'BASE64',
        ip_allowlist jsonb not null default '[]',
        module_scopes jsonb,
        registered_at timestamptz,
        last_seen_at timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    // OCPI party ids are case-insensitive (CiString): uniqueness on the upper-cased form.
    this.addSql(`create unique index partners_party_role on partners (upper(country_code), upper(party_id), role)`);
    this.addSql(`
      create table partner_tokens (
        id uuid primary key,
        partner_id uuid not null references partners(id) on delete cascade,
        kind varchar(1) not null check (kind in ('A', 'C')),
        token_hash char(64) not null unique,
        created_at timestamptz not null,
        expires_at timestamptz,
        used_at timestamptz,
        revoked_at timestamptz
      )`);
    this.addSql(`create index partner_tokens_partner on partner_tokens (partner_id)`);
    this.addSql(`
      create table partner_events (
        id bigserial primary key,
        partner_id uuid references partners(id) on delete cascade deferrable initially deferred,
        kind varchar(60) not null,
        actor varchar(60) not null,
        detail jsonb not null default '{}',
        at timestamptz not null
      )`);
    this.addSql(`create index partner_events_partner_at on partner_events (partner_id, at)`);
    this.addSql(`create index partner_events_kind_at on partner_events (kind, at)`);
    this.addSql(`
      create table auth_failures (
        ip varchar(64) primary key,
        consecutive integer not null,
        last_failure_at timestamptz not null,
        locked_until timestamptz
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table auth_failures');
    this.addSql('drop table partner_events');
    this.addSql('drop table partner_tokens');
    this.addSql('drop table partners');
  }
}
