import { Migration } from '@mikro-orm/migrations';

export class Migration0003Tariffs extends Migration {
  override async up(): Promise<void> {
    // Every version of every tariff a CPO pushed, with the interval in which the hub held it as
    // current: [valid_from, valid_to), valid_to null while current (ocpi-modules/tariffs/history.ts).
    this.addSql(`
      create table tariff_versions (
        id uuid primary key,
        partner_id uuid not null references partners(id),
        country_code varchar(2) not null,
        party_id varchar(3) not null,
        tariff_id varchar(36) not null,
        tariff_key varchar(45) not null,
        body jsonb not null,
        last_updated timestamptz not null,
        valid_from timestamptz not null,
        valid_to timestamptz,
        created_at timestamptz not null,
        constraint tariff_versions_interval check (valid_to is null or valid_to >= valid_from)
      )`);
    // tariff_key = upper-cased country_code/party_id/id (CiStrings). At most one current version
    // per tariff; this index also serves "the current version" lookups.
    this.addSql(`create unique index tariff_versions_current on tariff_versions (tariff_key) where valid_to is null`);
    // "In force at": the latest valid_from <= at of a key, then valid_to > at.
    this.addSql(`create index tariff_versions_in_force on tariff_versions (tariff_key, valid_from)`);
    this.addSql(`create index tariff_versions_partner on tariff_versions (partner_id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table tariff_versions');
  }
}
