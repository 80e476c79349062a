import { Migration } from '@mikro-orm/migrations';

export class Migration0005Sessions extends Migration {
  override async up(): Promise<void> {
    // CPOs' sessions as they push them; linked to our charging orders by authorization_reference.
    this.addSql(`
      create table sessions (
        id uuid primary key,
        partner_id uuid not null references partners(id),
        country_code varchar(2) not null,
        party_id varchar(3) not null,
        session_id varchar(36) not null,
        session_key varchar(45) not null unique,
        body jsonb not null,
        status varchar(20) not null,
        authorization_reference varchar(36),
        last_updated timestamptz not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`create index sessions_authorization_reference on sessions (upper(authorization_reference))`);
    this.addSql(`create index sessions_partner_updated on sessions (partner_id, last_updated)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table sessions');
  }
}
