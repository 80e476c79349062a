import { Migration } from '@mikro-orm/migrations';

export class Migration0004Tokens extends Migration {
  override async up(): Promise<void> {
    // Our users' tokens (the eMSP owns them): app tokens and RFID cards, keyed by (uid, type).
    this.addSql(`
      create table tokens (
        id uuid primary key,
        uid varchar(36) not null,
        type varchar(20) not null,
        token_key varchar(60) not null unique,
        body jsonb not null,
        valid boolean not null,
        last_updated timestamptz not null,
        created_at timestamptz not null
      )`);
    this.addSql(`create index tokens_last_updated on tokens (last_updated, id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table tokens');
  }
}
