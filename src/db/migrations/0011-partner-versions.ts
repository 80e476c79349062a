import { Migration } from '@mikro-orm/migrations';

export class Migration0011PartnerVersions extends Migration {
  override async up(): Promise<void> {
    // Tolerances an operator switched on for a partner (names from src/ocpi/tolerances.ts).
    this.addSql(`alter table partners add column tolerances jsonb not null default '[]'`);
    // What a partner sends beyond the specification: unknown fields kept, tolerated deviations; counted.
    this.addSql(`
      create table partner_deviations (
        partner_id uuid not null references partners(id) on delete cascade,
        kind varchar(16) not null check (kind in ('UNKNOWN_FIELD', 'TOLERATED')),
        object varchar(64) not null,
        name varchar(255) not null,
        count bigint not null,
        first_seen_at timestamptz not null,
        last_seen_at timestamptz not null,
        primary key (partner_id, kind, object, name)
      )`);
    // Why an order's session could not be linked (more than one order matched, say): shown in the order view.
    this.addSql(`alter table charging_orders add column notice text`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table charging_orders drop column notice`);
    this.addSql(`drop table partner_deviations`);
    this.addSql(`alter table partners drop column tolerances`);
  }
}
