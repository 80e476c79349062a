import { Migration } from '@mikro-orm/migrations';

export class Migration0002Locations extends Migration {
  override async up(): Promise<void> {
    // Partner settings and health the locations module needs.
    this.addSql(`
      alter table partners
        add column trusted boolean not null default false,
        add column relax_country_check boolean not null default false,
        add column map_hidden boolean not null default false,
        add column map_hidden_changed_at timestamptz,
        add column stale_ratio double precision,
        add column last_sync_success_at timestamptz,
        add column last_sync_error text,
        add column last_sync_error_at timestamptz,
        add column missed_heartbeats integer not null default 0`);
    this.addSql(`
      create table locations (
        id uuid primary key,
        partner_id uuid not null references partners(id) deferrable initially deferred,
        country_code varchar(2) not null,
        party_id varchar(3) not null,
        location_id varchar(36) not null,
        location_key varchar(45) not null unique,
        current jsonb not null,
        last_updated timestamptz not null,
        published jsonb,
        published_at timestamptz,
        publish_flag boolean not null default true,
        lat double precision,
        lon double precision,
        geo point generated always as (case when lat is not null and lon is not null then point(lon, lat) end) stored,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`);
    // GiST on a core point type: bounding-box and radius queries without PostGIS.
    this.addSql(`create index locations_geo on locations using gist (geo) where published is not null`);
    this.addSql(`create index locations_partner on locations (partner_id)`);
    this.addSql(`create index locations_last_updated on locations (last_updated, id)`);
    this.addSql(`
      create table evses (
        id uuid primary key,
        location_id uuid not null references locations(id) on delete cascade deferrable initially deferred,
        partner_id uuid not null references partners(id) deferrable initially deferred,
        evse_uid varchar(36) not null,
        evse_key varchar(45) not null unique,
        status varchar(20) not null,
        status_reported_at timestamptz not null,
        last_updated timestamptz not null,
        published boolean not null default false
      )`);
    this.addSql(`create index evses_location on evses (location_id)`);
    this.addSql(`create index evses_partner_fresh on evses (partner_id, status_reported_at) where status <> 'REMOVED'`);
    this.addSql(`
      create table location_reviews (
        id uuid primary key,
        seq bigserial not null,
        location_id uuid not null references locations(id) on delete cascade deferrable initially deferred,
        partner_id uuid not null references partners(id) deferrable initially deferred,
        kind varchar(10) not null,
        state varchar(12) not null,
        diff jsonb not null,
        flags jsonb not null default '[]',
        snapshot jsonb not null,
        submitted_at timestamptz not null,
        decided_at timestamptz,
        decided_by varchar(60),
        reason text
      )`);
    this.addSql(`create index location_reviews_state on location_reviews (state, submitted_at)`);
    this.addSql(`create unique index location_reviews_one_pending on location_reviews (location_id) where state = 'PENDING'`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table location_reviews');
    this.addSql('drop table evses');
    this.addSql('drop table locations');
  }
}
