import { Migration } from '@mikro-orm/migrations';

export class Migration0013AuthAttempts extends Migration {
  override async up(): Promise<void> {
    // Unrecognised authentication attempts per surface (ocpi, admin, app, finance) and client
    // address, counted atomically before the answer depends on the credential (src/partners/lockout.ts).
    this.addSql(`
      create table auth_attempts (
        surface varchar(16) not null,
        ip varchar(64) not null,
        attempts integer not null,
        last_at timestamptz not null,
        locked_until timestamptz,
        primary key (surface, ip)
      )`);
    // Addresses a partner has authenticated from: its valid token still opens the hub there
    // while the address is locked out for somebody else's guessing.
    this.addSql(`
      create table auth_known_addresses (
        partner_id uuid not null references partners(id) on delete cascade,
        ip varchar(64) not null,
        first_at timestamptz not null,
        primary key (partner_id, ip)
      )`);
    this.addSql(`create index auth_known_addresses_ip on auth_known_addresses (ip)`);
    // Replaced: one count per address shared by every surface, cleared by any success.
    this.addSql(`drop table auth_failures`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      create table auth_failures (
        ip varchar(64) primary key,
        consecutive integer not null,
        last_failure_at timestamptz not null,
        locked_until timestamptz
      )`);
    this.addSql(`drop table auth_known_addresses`);
    this.addSql(`drop table auth_attempts`);
  }
}
