import { Migration } from '@mikro-orm/migrations';

export class Migration0015Sandbox extends Migration {
  override async up(): Promise<void> {
    // A sandbox partner tests against the hub: approved on creation, its data kept away from
    // the app, finance, reconciliation, operations' queues and monitoring.
    this.addSql(`alter table partners add column sandbox boolean not null default false`);
    // Its OCPI exchanges, both directions, as it may read them back (the last 200 are kept).
    // Never a token: Authorization is not stored, token-like values in messages are masked.
    this.addSql(`
      create table sandbox_requests (
        id bigserial primary key,
        partner_id uuid not null references partners(id) on delete cascade,
        at timestamptz not null,
        direction varchar(8) not null check (direction in ('INBOUND', 'OUTBOUND')),
        method varchar(8) not null,
        path text not null,
        http_status integer,
        status_code integer,
        status_message text,
        correlation_id varchar(100)
      )`);
    this.addSql(`create index sandbox_requests_partner on sandbox_requests (partner_id, id desc)`);
    // The app token a sandbox partner's start-session charges with: never offered to other CPOs.
    this.addSql(`alter table tokens add column sandbox_partner_id uuid references partners(id) on delete cascade`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table tokens drop column sandbox_partner_id`);
    this.addSql(`drop table sandbox_requests`);
    this.addSql(`alter table partners drop column sandbox`);
  }
}
