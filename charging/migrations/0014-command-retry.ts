import { Migration } from '@mikro-orm/migrations';

export class Migration0014CommandRetry extends Migration {
  override async up(): Promise<void> {
    // A command the CPO throttled (HTTP 429/503) waits for its one retry as a follow-up of its own.
    this.addSql(`alter table charging_orders drop constraint charging_orders_follow_up_kind_check`);
    this.addSql(`alter table charging_orders add constraint charging_orders_follow_up_kind_check check (follow_up_kind in ('RESULT_DEADLINE', 'SESSION_QUERY', 'COMMAND_RETRY'))`);
  }

  override async down(): Promise<void> {
    this.addSql(`update charging_orders set follow_up_kind = 'SESSION_QUERY', unconfirmed_since = coalesce(unconfirmed_since, follow_up_at) where follow_up_kind = 'COMMAND_RETRY'`);
    this.addSql(`alter table charging_orders drop constraint charging_orders_follow_up_kind_check`);
    this.addSql(`alter table charging_orders add constraint charging_orders_follow_up_kind_check check (follow_up_kind in ('RESULT_DEADLINE', 'SESSION_QUERY'))`);
  }
}
