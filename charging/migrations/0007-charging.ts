import { Migration } from '@mikro-orm/migrations';

export class Migration0007Charging extends Migration {
  override async up(): Promise<void> {
    // Our record of a user's charge. Its id is the authorization_reference the CPO echoes in the session.
    // follow_up_* is the durable schedule: what to check next and when (on the hub's clock), claimed by one instance at a time.
    this.addSql(`
      create table charging_orders (
        id uuid primary key,
        seq bigserial not null,
        partner_id uuid not null references partners(id) deferrable initially deferred,
        origin varchar(10) not null check (origin in ('APP', 'CHARGER')),
        state varchar(20) not null check (state in ('REQUESTED', 'PENDING', 'ACTIVE', 'STOPPING', 'AWAITING_CDR', 'COMPLETED', 'FAILED')),
        cause varchar(60) not null,
        message text not null,
        location_ref uuid references locations(id) deferrable initially deferred,
        location_id varchar(36) not null,
        evse_ref uuid references evses(id) deferrable initially deferred,
        evse_uid varchar(36),
        connector_id varchar(36),
        token_uid varchar(36) not null,
        token_type varchar(20) not null,
        session_key varchar(45),
        session_id varchar(36),
        idempotency_key varchar(255) unique,
        request_fingerprint varchar(64),
        follow_up_kind varchar(20) check (follow_up_kind in ('RESULT_DEADLINE', 'SESSION_QUERY')),
        follow_up_at timestamptz,
        follow_up_count integer not null default 0,
        unconfirmed_since timestamptz,
        claimed_until timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    this.addSql(`create unique index charging_orders_session on charging_orders (session_key) where session_key is not null`);
    this.addSql(`create index charging_orders_follow_up on charging_orders (follow_up_at) where follow_up_at is not null`);
    this.addSql(`create index charging_orders_token on charging_orders (token_uid, seq)`);
    // One start being confirmed per EVSE at a time: a second could become a second session.
    this.addSql(`create unique index charging_orders_start_in_progress on charging_orders (evse_ref) where state in ('REQUESTED', 'PENDING') and origin = 'APP'`);
    // Every transition with its cause, and every message that changed nothing (duplicates, late results): the evidence.
    this.addSql(`
      create table charging_order_events (
        id bigserial primary key,
        order_id uuid not null references charging_orders(id) deferrable initially deferred,
        at timestamptz not null,
        cause varchar(60) not null,
        from_state varchar(20),
        to_state varchar(20),
        detail jsonb
      )`);
    this.addSql(`create index charging_order_events_order on charging_order_events (order_id, id)`);
    // Commands sent to CPOs; the id is the last segment of the response_url, bound to one partner.
    this.addSql(`
      create table commands (
        id uuid primary key,
        order_id uuid references charging_orders(id) deferrable initially deferred,
        partner_id uuid not null references partners(id) deferrable initially deferred,
        type varchar(20) not null,
        request jsonb not null,
        response jsonb,
        response_at timestamptz,
        send_failure text,
        result jsonb,
        result_at timestamptz,
        created_at timestamptz not null,
        created_by varchar(60)
      )`);
    this.addSql(`create index commands_order on commands (order_id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table commands');
    this.addSql('drop table charging_order_events');
    this.addSql('drop table charging_orders');
  }
}
