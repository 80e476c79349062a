import { Migration } from '@mikro-orm/migrations';

export class Migration0003Tariffs extends Migration {
  override async up(): Promise<void> {
    // Every version a CPO ever pushed, with when the hub held it as current: [valid_from, valid_to).
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
        deleted boolean not null default false,
        created_at timestamptz not null
      )`);
    this.addSql(`create unique index tariff_versions_current on tariff_versions (tariff_key) where valid_to is null`);
    this.addSql(`create index tariff_versions_in_force on tariff_versions (tariff_key, valid_from)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table tariff_versions');
  }
}
