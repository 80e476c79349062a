import { Migration } from '@mikro-orm/migrations';

export class Migration0003Tariffs extends Migration {
  override async up(): Promise<void> {}
}
