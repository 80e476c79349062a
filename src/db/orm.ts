import { MikroORM, type EntitySchema } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';

export type Orm = MikroORM;
export type MigrationEntry = MigrationObject;

/** The core's migrations and every module's, in the order of their names (one numbering across owners). */
export function allMigrations(lists: MigrationEntry[][]): MigrationEntry[] {
  const all = lists.flat().sort((a, b) => a.name.localeCompare(b.name));
  const twice = all.find((m, i) => i > 0 && all[i - 1]!.name === m.name);
  if (twice) throw new Error(`migration ${twice.name} is listed twice`);
  return all;
}

/**
 * Opens the database at `url`, creating it when missing, and brings its schema up to date
 * with `migrations` (allMigrations).
 * Migrations run in one transaction each; several hubs starting at once serialise on
 * an advisory lock so only one applies them.
 */
export async function openDatabase(url: string, entities: EntitySchema<any>[], migrations: MigrationEntry[]): Promise<Orm> {
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
