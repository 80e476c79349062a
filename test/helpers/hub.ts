import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { startHub, withDatabase, type RunningHub } from '../../src/hub.ts';
import { freePort } from '../../src/db/embedded.ts';
import { createLogger, type Logger } from '../../src/observability/log.ts';
import { TestClock } from './clock.ts';
import type { OcpiModule } from '../../src/ocpi/module.ts';
import type { OcpiClient } from '../../src/client/ocpi-client.ts';
import { b64, http, type HttpAnswer } from './http.ts';

export const ADMIN_KEY = 'admin-key-for-tests-000000000000';
export const APP_KEY = 'app-key-for-tests-00000000000000';
export const FINANCE_KEY = 'finance-key-for-tests-0000000000';

export interface TestHub {
  hub: RunningHub;
  clock: TestClock;
  url: string;
  databaseName: string;
  env: Record<string, string>;
  ocpi<T = any>(method: string, path: string, options?: { token?: string; raw?: boolean; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<HttpAnswer<T>>;
  admin<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
  stop(): Promise<void>;
}

let counter = 0;
/** Databases copied for hubs, with how many hubs run on each (a restart test starts a second one). */
const copied = new Map<string, number>();

/** Whether the test server copies with strategy file_copy: asked once per process. */
let fileCopy: boolean | undefined;

/** A fresh database for one hub: a copy of the template the test setup migrated. */
async function copyTemplate(base: string): Promise<string> {
  const name = `hub_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const template = process.env.OCPI_TEST_PG_TEMPLATE;
  if (!template) return name;
  await onServer(base, async (client) => {
    // FILE_COPY (PostgreSQL 15+) copies the template's files: on a cluster without fsync, faster than WAL-logging every block.
    fileCopy ??= Number((await client.query('show server_version_num')).rows[0].server_version_num) >= 150000;
    await client.query(`create database "${name}" template "${template}"${fileCopy ? ' strategy file_copy' : ''}`);
  });
  copied.set(name, 0);
  return name;
}

/**
 * Drops the copied databases no hub runs on any more: after each test (test/setup/database.ts),
 * so that a test may stop a hub and start another on the same database, and a suite of
 * hundreds of hubs does not keep hundreds of databases.
 */
export async function dropStoppedDatabases(): Promise<void> {
  const base = process.env.OCPI_TEST_PG_URL;
  const idle = [...copied].filter(([, hubs]) => hubs === 0).map(([name]) => name);
  if (!base || idle.length === 0) return;
  await onServer(base, async (client) => {
    for (const name of idle) {
      // FORCE: a child process of the test (a CLI) may still be closing its connection.
      await client.query(`drop database if exists "${name}" with (force)`);
      copied.delete(name);
    }
  });
}

/** One connection to the test server for the whole process (a connection costs a password exchange), opened on first use. */
let server: Promise<pg.Client> | undefined;

async function onServer(url: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  server ??= (async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect().catch((err: unknown) => {
      // A failed connect is not kept: the next hub tries again.
      server = undefined;
      throw err;
    });
    // A hub test that restarts the test server would end it: the next call opens another.
    client.on('error', () => {
      server = undefined;
    });
    client.on('end', () => {
      server = undefined;
    });
    return client;
  })();
  await fn(await server);
}

/**
 * Starts a real hub on its own fresh database of the test PostgreSQL (a copy of the template), on a free port of
 * loopback, with a test clock. Pass `databaseName` (and the same `env`) to start a second
 * hub on an existing database, e.g. to test a restart.
 */
export async function startTestHub(options: { env?: Record<string, string>; clock?: TestClock; databaseName?: string; modules?: OcpiModule[]; log?: Logger; client?: OcpiClient } = {}): Promise<TestHub> {
  const base = process.env.OCPI_TEST_PG_URL;
  if (!base) throw new Error('the test PostgreSQL is not running (test/setup/database.ts)');
  const port = await freePort();
  const databaseName = options.databaseName ?? (await copyTemplate(base));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi-hub-data-'));
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    ADMIN_API_KEY: ADMIN_KEY,
    APP_API_KEY: APP_KEY,
    FINANCE_API_KEY: FINANCE_KEY,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    // Tests run jobs themselves (runJob), with the test clock.
    JOBS_ENABLED: 'false',
    // Test partners are local HTTP servers on 127.0.0.1; a test of the URL policy sets 'false'.
    ALLOW_PRIVATE_PARTNER_URLS: 'true',
    ...(options.env ?? {}),
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    OCPI_HUB_DATA_DIR: dataDir,
  };
  const clock = options.clock ?? new TestClock();
  const config = loadConfig(env);
  const hub = await startHub({
    config,
    clock,
    log: options.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    databaseUrl: withDatabase(base, databaseName),
    modules: options.modules,
    client: options.client,
  });
  const url = hub.url;
  const onCopy = copied.has(databaseName);
  if (onCopy) copied.set(databaseName, copied.get(databaseName)! + 1);
  let stopped = false;
  return {
    hub,
    clock,
    url,
    databaseName,
    env,
    ocpi(method, p, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token !== undefined) headers.authorization = `Token ${o.raw ? o.token : b64(o.token)}`;
      return http(method, `${url}${p}`, { headers, body: o.body, raw: o.rawBody });
    },
    admin(method, p, body, headers = {}) {
      return http(method, `${url}/api/v1/admin${p}`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, ...headers }, body });
    },
    async stop() {
      await hub.stop();
      if (onCopy && !stopped) copied.set(databaseName, copied.get(databaseName)! - 1);
      stopped = true;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
