import { Migration } from '@mikro-orm/migrations';

export class Migration0008Settlement extends Migration {
  override async up(): Promise<void> {
    // Orders: EXCEPTION (past the maximum duration), when the state last changed (the watchdog's clock),
    // the tariff snapshot taken at start, and the billed amount once a CDR settles.
    this.addSql(`alter table charging_orders drop constraint charging_orders_state_check`);
    this.addSql(`alter table charging_orders add constraint charging_orders_state_check
      check (state in ('REQUESTED', 'PENDING', 'ACTIVE', 'STOPPING', 'AWAITING_CDR', 'COMPLETED', 'FAILED', 'EXCEPTION'))`);
    this.addSql(`alter table charging_orders
      add column state_changed_at timestamptz,
      add column tariff_snapshot jsonb,
      add column tariff_version_id uuid,
      add column tariff_time_zone varchar(64),
      add column billed_currency varchar(3),
      add column billed_excl_vat numeric(18, 4),
      add column billed_incl_vat numeric(18, 4),
      add column cdr_ref uuid`);
    this.addSql(`update charging_orders set state_changed_at = updated_at`);
    this.addSql(`alter table charging_orders alter column state_changed_at set not null`);
    this.addSql(`create index charging_orders_state_since on charging_orders (state, state_changed_at)`);

    // CDRs exactly as received (immutable), with our price, theirs, and where settlement stands.
    // Amounts are numeric in the currency's major unit; never floats.
    this.addSql(`
      create table cdrs (
        id uuid primary key,
        seq bigserial not null,
        partner_id uuid not null references partners(id) deferrable initially deferred,
        country_code varchar(2) not null,
        party_id varchar(3) not null,
        cdr_id varchar(39) not null,
        cdr_key varchar(48) not null unique,
        body jsonb not null,
        content_hash varchar(64) not null,
        state varchar(20) not null check (state in ('RECEIVED', 'VALIDATED', 'SETTLED', 'DISPUTED', 'EXCEPTION')),
        cause varchar(60) not null,
        via varchar(10) not null check (via in ('PUSH', 'PULL')),
        order_id uuid references charging_orders(id) deferrable initially deferred,
        session_key varchar(45),
        credit boolean not null default false,
        credit_of uuid references cdrs(id) deferrable initially deferred,
        credited_by uuid,
        currency varchar(3) not null,
        start_date_time timestamptz not null,
        end_date_time timestamptz not null,
        total_energy numeric(18, 4) not null,
        their_excl_vat numeric(18, 4) not null,
        their_incl_vat numeric(18, 4),
        our_excl_vat numeric(18, 4),
        our_incl_vat numeric(18, 4),
        difference numeric(18, 4),
        tariff_source varchar(30),
        tariff_version_id uuid,
        tariff_used jsonb,
        pricing jsonb,
        problems jsonb not null default '[]',
        flags jsonb not null default '[]',
        last_updated timestamptz not null,
        received_at timestamptz not null,
        resolution varchar(20),
        resolution_note text,
        resolved_by varchar(60),
        resolved_at timestamptz
      )`);
    this.addSql(`create index cdrs_partner_end on cdrs (partner_id, end_date_time)`);
    this.addSql(`create index cdrs_end on cdrs (end_date_time, seq)`);
    this.addSql(`create index cdrs_partner_last_updated on cdrs (partner_id, last_updated)`);
    this.addSql(`create index cdrs_order on cdrs (order_id)`);
    this.addSql(`create index cdrs_state on cdrs (state)`);
    this.addSql(`
      create table cdr_events (
        id bigserial primary key,
        cdr_ref uuid not null references cdrs(id) deferrable initially deferred,
        at timestamptz not null,
        cause varchar(60) not null,
        from_state varchar(20),
        to_state varchar(20),
        actor varchar(60),
        detail jsonb
      )`);
    this.addSql(`create index cdr_events_cdr on cdr_events (cdr_ref, id)`);

    // Reconciliation: a run compares a CPO's CDRs sender with ours over a period; its lines are the mismatches.
    this.addSql(`
      create table reconciliation_runs (
        id uuid primary key,
        seq bigserial not null,
        partner_id uuid not null references partners(id) deferrable initially deferred,
        period_from timestamptz not null,
        period_to timestamptz not null,
        status varchar(10) not null check (status in ('RUNNING', 'DONE', 'FAILED')),
        summary jsonb,
        error text,
        started_at timestamptz not null,
        finished_at timestamptz,
        started_by varchar(60) not null
      )`);
    this.addSql(`
      create table reconciliation_lines (
        id bigserial primary key,
        run_id uuid not null references reconciliation_runs(id) deferrable initially deferred,
        kind varchar(30) not null,
        cdr_key varchar(48) not null,
        cdr_ref uuid,
        detail jsonb
      )`);
    this.addSql(`create index reconciliation_lines_run on reconciliation_lines (run_id, id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table reconciliation_lines');
    this.addSql('drop table reconciliation_runs');
    this.addSql('drop table cdr_events');
    this.addSql('drop table cdrs');
    this.addSql('drop index charging_orders_state_since');
    this.addSql(`alter table charging_orders
      drop column state_changed_at, drop column tariff_snapshot, drop column tariff_version_id, drop column tariff_time_zone,
      drop column billed_currency, drop column billed_excl_vat, drop column billed_incl_vat, drop column cdr_ref`);
    this.addSql(`alter table charging_orders drop constraint charging_orders_state_check`);
    this.addSql(`alter table charging_orders add constraint charging_orders_state_check
      check (state in ('REQUESTED', 'PENDING', 'ACTIVE', 'STOPPING', 'AWAITING_CDR', 'COMPLETED', 'FAILED'))`);
  }
}
