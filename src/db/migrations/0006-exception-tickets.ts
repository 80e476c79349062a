import { Migration } from '@mikro-orm/migrations';

export class Migration0006ExceptionTickets extends Migration {
  override async up(): Promise<void> {
    // What operations must look at by hand: unconfirmed starts, late sessions, implausible CDRs…
    this.addSql(`
      create table exception_tickets (
        id uuid primary key,
        seq bigserial not null,
        kind varchar(60) not null,
        state varchar(10) not null check (state in ('OPEN', 'RESOLVED')),
        partner_id uuid references partners(id) deferrable initially deferred,
        order_id uuid,
        summary text not null,
        evidence jsonb not null default '[]',
        created_at timestamptz not null,
        resolved_at timestamptz,
        resolved_by varchar(60),
        resolution varchar(60),
        note text
      )`);
    this.addSql(`create index exception_tickets_state on exception_tickets (state, seq)`);
    this.addSql(`create index exception_tickets_order on exception_tickets (order_id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table exception_tickets');
  }
}
