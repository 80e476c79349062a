import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { EmbeddedDatabaseError } from '../../src/db/embedded-error.ts';
import { removeDataDir } from '../../src/db/data-dir.ts';

/**
 * One throwaway PostgreSQL for the whole test run: the embedded one in a temporary folder,
 * or TEST_DATABASE_URL's server. Each hub a test starts gets a database of its own on it.
 * As root with a private temporary folder (or clone), the cluster lands in /var/lib/ocpi-hub
 * like any hub's; the teardown removes it from there too.
 */
let embedded: EmbeddedDatabase | undefined;
let dir: string | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.OCPI_TEST_PG_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi-hub-test-'));
  // mkdtemp makes it 700; opened up, the cluster stays in it whenever the folders above allow.
  fs.chmodSync(dir, 0o755);
  try {
    embedded = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
  } catch (err) {
    if (!(err instanceof EmbeddedDatabaseError)) throw err;
    // One line saying what to do beats mocha's stack trace of a failed global setup.
    process.stderr.write(`${err.line('TEST_DATABASE_URL')}\n`);
    removeTestData();
    process.exit(1);
  }
  process.env.OCPI_TEST_PG_URL = embedded.url;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await embedded?.stop();
  removeTestData();
}

function removeTestData(): void {
  if (!dir) return;
  removeDataDir(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}
