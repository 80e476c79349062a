import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';

/**
 * One throwaway PostgreSQL for the whole test run: the embedded one in a temporary folder
 * (reachable by the postgres user when running as root), or TEST_DATABASE_URL's server.
 * Each hub a test starts gets a database of its own on it.
 */
let embedded: EmbeddedDatabase | undefined;
let dir: string | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.OCPI_TEST_PG_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi-hub-test-'));
  fs.chmodSync(dir, 0o755);
  embedded = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
  process.env.OCPI_TEST_PG_URL = embedded.url;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await embedded?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
