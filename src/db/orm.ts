import { MikroORM, type EntitySchema } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { migrations } from './migrations/index.ts';

export type Orm = MikroORM;

/**
 * Opens the database at `url`, creating it when missing, and brings its schema up to date.
 * Migrations run in one transaction each; several hubs starting at once serialise on
 * an advisory lock so only one applies them.
 */
export async function openDatabase(url: string, entities: EntitySchema<any>[]): Promise<Orm> {
  const orm = await MikroORM.init({
    clientUrl: url,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: 10 },
    debug: false,
    discovery: { warnWhenNoEntities: false },
  });
  await orm.schema.ensureDatabase();
  const knex = orm.em.getKnex();
  // Any fixed key shared by every hub process will do.
  const conn = await knex.client.acquireConnection();
  try {
    await conn.query('select pg_advisory_lock(3217)');
    await orm.getMigrator().up();
  } finally {
    await conn.query('select pg_advisory_unlock(3217)');
    await knex.client.releaseConnection(conn);
  }
  return orm;
}
