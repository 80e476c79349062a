import { Migration } from '@mikro-orm/migrations';

export class Migration0012Freshness extends Migration {
  override async up(): Promise<void> {
    // When a successful pull of the CPO's Locations sender (or, without one, a heartbeat) last vouched
    // for the EVSE's status without the status being reported again. A status is confirmed at
    // greatest(status_reported_at, status_confirmed_at); pushes keep setting only status_reported_at.
    this.addSql(`alter table evses add column status_confirmed_at timestamptz`);
    // The heartbeat: GET of the partner's versions endpoint.
    this.addSql(`alter table partners add column heartbeat_at timestamptz`);
    this.addSql(`alter table partners add column heartbeat_ok_at timestamptz`);
    this.addSql(`alter table partners add column heartbeat_latency_ms integer`);
    this.addSql(`alter table partners add column heartbeat_error text`);
    // The last pull per partner and module, what it got, what it refused and why.
    this.addSql(`
      create table partner_syncs (
        partner_id uuid not null references partners(id) on delete cascade,
        module varchar(32) not null,
        trigger varchar(16) not null,
        mode varchar(8) not null check (mode in ('FULL', 'DELTA')),
        date_from timestamptz,
        date_to timestamptz not null,
        started_at timestamptz not null,
        finished_at timestamptz,
        received integer not null default 0,
        applied integer not null default 0,
        refused integer not null default 0,
        refusals jsonb not null default '[]',
        error text,
        last_success_to timestamptz,
        last_full_success_at timestamptz,
        primary key (partner_id, module)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table partner_syncs`);
    this.addSql(`alter table partners drop column heartbeat_error, drop column heartbeat_latency_ms, drop column heartbeat_ok_at, drop column heartbeat_at`);
    this.addSql(`alter table evses drop column status_confirmed_at`);
  }
}
