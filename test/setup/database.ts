import fs from 'node:fs';
import pg from 'pg';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { EmbeddedDatabaseError } from '../../src/db/embedded-error.ts';
import { removeDataDir } from '../../src/db/data-dir.ts';
import { openDatabase } from '../../src/db/orm.ts';
import { hubMigrations, withDatabase } from '../../src/hub.ts';
import { dropStoppedDatabases } from '../helpers/hub.ts';

/**
 * One throwaway PostgreSQL for the whole test run: the embedded one in a temporary folder,
 * or TEST_DATABASE_URL's server. Each hub a test starts gets a database of its own on it,
 * copied from one template migrated here once (a copy takes milliseconds, the migrations
 * a third of a second). The embedded test cluster runs without fsync: nothing here survives
 * a crash of the machine, and every commit would otherwise wait for the disk.
 * As root with a private temporary folder (or clone), the cluster lands in /var/lib/ocpi-hub
 * like any hub's; the teardown removes it from there too.
 */
let embedded: EmbeddedDatabase | undefined;
let dir: string | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.OCPI_TEST_PG_URL = process.env.TEST_DATABASE_URL;
    await migrateTemplate(process.env.TEST_DATABASE_URL);
    return;
  }
  dir = fs.mkdtempSync(path.join(memoryBackedTmp(), 'ocpi-hub-test-'));
  // mkdtemp makes it 700; opened up, the cluster stays in it whenever the folders above allow.
  fs.chmodSync(dir, 0o755);
  try {
    embedded = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), settings: { fsync: 'off', full_page_writes: 'off' } });
  } catch (err) {
    if (!(err instanceof EmbeddedDatabaseError)) throw err;
    // One line saying what to do beats mocha's stack trace of a failed global setup.
    process.stderr.write(`${err.line('TEST_DATABASE_URL')}\n`);
    removeTestData();
    process.exit(1);
  }
  process.env.OCPI_TEST_PG_URL = embedded.url;
  await migrateTemplate(embedded.url);
}

/** The database every test hub's is copied from (test/helpers/hub.ts), at the newest schema. */
async function migrateTemplate(url: string): Promise<void> {
  const name = `hub_template_${process.pid}`;
  const orm = await openDatabase(withDatabase(url, name), [], hubMigrations());
  await orm.close(true);
  process.env.OCPI_TEST_PG_TEMPLATE = name;
}

export const mochaHooks = {
  async afterEach(): Promise<void> {
    await dropStoppedDatabases();
  },
  // A hub a file stops in its own after hook has no test after it (per file in parallel mode, at the end in serial mode).
  async afterAll(): Promise<void> {
    await dropStoppedDatabases();
  },
};

export async function mochaGlobalTeardown(): Promise<void> {
  // On a server of the user's, the template goes too (the embedded cluster goes whole).
  if (process.env.TEST_DATABASE_URL && process.env.OCPI_TEST_PG_TEMPLATE) {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    await client.query(`drop database if exists "${process.env.OCPI_TEST_PG_TEMPLATE}" with (force)`).finally(() => client.end());
  }
  await embedded?.stop();
  removeTestData();
}

/**
 * /dev/shm where Linux has it with room to spare (a container's is often 64 MB): a database
 * copy per hub is then a memory copy, not disk writes.
 */
function memoryBackedTmp(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    const { bavail, bsize } = fs.statfsSync('/dev/shm');
    if (bavail * bsize >= 1024 ** 3) return '/dev/shm';
  } catch {
    // No /dev/shm: the disk will do.
  }
  return os.tmpdir();
}

function removeTestData(): void {
  if (!dir) return;
  removeDataDir(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}
