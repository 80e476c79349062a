import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { EmbeddedDatabaseError } from './embedded-error.ts';

/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as the `postgres`
 * account (the name Debian's own packages use, and the owner of clusters made by earlier
 * versions of the hub).
 */
export interface Account {
  name: string;
  uid: number;
  gid: number;
}

const POSTGRES_ACCOUNT = 'postgres';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The account PostgreSQL runs as: undefined when this process is not root (it runs as us). */
export function lookupAccount(name = POSTGRES_ACCOUNT): Account | undefined {
  const line = getent('passwd', name);
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** Looks the account up, creating a system account without a login when it is missing. */
export function ensureAccount(name = POSTGRES_ACCOUNT): Account {
  const existing = lookupAccount(name);
  if (existing) return existing;
  // useradd's --user-group refuses when a group of that name exists already: join it then.
  const group = getent('group', name) ? ['--gid', name] : ['--user-group'];
  try {
    execFileSync('useradd', ['--system', ...group, '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const detail = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
    throw new EmbeddedDatabaseError(
      `as root, PostgreSQL must run as the '${name}' user, which does not exist and could not be created (${detail})`,
      `create it (useradd --system ${name}) or run the hub as a non-root user`,
    );
  }
  const created = lookupAccount(name);
  if (!created) throw new EmbeddedDatabaseError(`the '${name}' user was created but cannot be looked up`, 'check /etc/passwd and nsswitch');
  return created;
}

function getent(database: 'passwd' | 'group', name: string): string | undefined {
  try {
    return execFileSync('getent', [database, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `account` can walk down to `target` (search permission on every directory above
 * it) and, with `execute`, run it. Judged from the mode bits: Node's spawn drops every
 * supplementary group when it switches user, so only the primary group counts. A path that
 * does not exist yet is judged by its nearest existing ancestor, as what we create there
 * inherits nothing stricter. The first directory that stops the account is returned.
 */
export function blockedAt(target: string, account: Pick<Account, 'uid' | 'gid'>, options: { execute?: boolean } = {}): string | undefined {
  const resolved = path.resolve(target);
  const chain: string[] = [];
  for (let current = resolved; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (current === path.dirname(current)) break;
  }
  for (const dir of chain) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(dir);
    } catch {
      return undefined;
    }
    const isTarget = dir === resolved;
    const need = isTarget ? (options.execute ? 0o1 : stat.isDirectory() ? 0o1 : 0) : 0o1;
    if (need && !allows(stat, account, need)) return dir;
  }
  return undefined;
}

function allows(stat: fs.Stats, account: Pick<Account, 'uid' | 'gid'>, bit: number): boolean {
  if (account.uid === 0) return !stat.isFile() || (stat.mode & 0o111) !== 0;
  if (stat.uid === account.uid) return (stat.mode & (bit << 6)) !== 0;
  if (stat.gid === account.gid) return (stat.mode & (bit << 3)) !== 0;
  return (stat.mode & bit) !== 0;
}
