import { Migration } from '@mikro-orm/migrations';

export class Migration0010ReviewRejections extends Migration {
  override async up(): Promise<void> {
    // A value an operator rejected for one key field of one location: later pushes carrying it
    // again are held at the published value instead of reopening a review.
    this.addSql(`
      create table location_rejections (
        id uuid primary key,
        seq bigserial not null,
        location_id uuid not null references locations(id) on delete cascade deferrable initially deferred,
        partner_id uuid not null references partners(id) deferrable initially deferred,
        review_id uuid not null references location_reviews(id) on delete cascade deferrable initially deferred,
        field text not null,
        value jsonb,
        reason text not null,
        decided_by varchar(60) not null,
        decided_at timestamptz not null
      )`);
    this.addSql(`create index location_rejections_location on location_rejections (location_id)`);
    this.addSql(`create index location_rejections_partner on location_rejections (partner_id)`);
    // Rejections decided before this table existed, unless a later approval superseded them.
    this.addSql(`
      insert into location_rejections (id, location_id, partner_id, review_id, field, value, reason, decided_by, decided_at)
      select gen_random_uuid(), r.location_id, r.partner_id, r.id, d->>'field', d->'after', coalesce(r.reason, ''), coalesce(r.decided_by, 'system'), coalesce(r.decided_at, r.submitted_at)
        from location_reviews r cross join lateral jsonb_array_elements(r.diff) d
       where r.state = 'REJECTED'
         and not exists (select 1 from location_reviews a where a.location_id = r.location_id and a.state = 'APPROVED' and a.seq > r.seq)
       order by r.seq`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table location_rejections');
  }
}
