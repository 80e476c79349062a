import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { blockedAt, isRoot, lookupAccount, type Account } from './postgres-account.ts';

/**
 * Where the embedded PostgreSQL keeps its data. Normally all of it is in the data directory
 * (`./data`): `pg/` (the cluster) and `pg-password`, next to the hub's `secrets.json`.
 *
 * As root the server runs as the `postgres` user, who cannot walk into a clone under a private
 * folder (a mode-700 home, a `mktemp -d`). Rather than loosen the user's folders, the cluster
 * then lives in `/var/lib/ocpi-hub/<key>/pg`, the key being a hash of the data directory, and
 * `PG_DATA_LOCATION` in the data directory records it: once chosen the place sticks, so a later
 * chmod of the clone does not make the hub start on a new, empty cluster.
 */
export const SYSTEM_DIR = '/var/lib/ocpi-hub';

export interface Layout {
  dataDir: string;
  /** The PostgreSQL cluster (its PGDATA). */
  clusterDir: string;
  passwordFile: string;
  locationFile: string;
  /** The process id of the hub that started the running server (to tell a shared server from an orphan). */
  ownerFile: string;
  /** `/var/lib/ocpi-hub/<key>` when the cluster lives outside the data directory. */
  outsideDir?: string;
  /** Why it lives outside: the directory the postgres user cannot pass. */
  blockedBy?: string;
}

export interface LayoutOptions {
  /** Where clusters and binaries go that the postgres user must reach (tests use a folder of their own). */
  systemDir?: string;
  /** The account PostgreSQL runs as; by default the postgres user when we are root, else none. */
  account?: Account;
}

export function dataLayout(dataDir: string, options: LayoutOptions = {}): Layout {
  const resolved = path.resolve(dataDir);
  const base = { dataDir: resolved, passwordFile: path.join(resolved, 'pg-password'), locationFile: path.join(resolved, 'PG_DATA_LOCATION'), ownerFile: path.join(resolved, 'pg-owner.pid') };
  const account = options.account ?? (isRoot() ? (lookupAccount() ?? NOBODY) : undefined);
  const blockedBy = account ? blockedAt(resolved, account) : undefined;
  const recorded = readLocation(base.locationFile);
  if (recorded) {
    if (isInside(recorded, resolved)) return { ...base, clusterDir: recorded };
    return { ...base, clusterDir: recorded, outsideDir: path.dirname(recorded), ...(blockedBy ? { blockedBy } : {}) };
  }
  if (!blockedBy) return { ...base, clusterDir: path.join(resolved, 'pg') };
  const outsideDir = path.join(options.systemDir ?? SYSTEM_DIR, clusterKey(resolved));
  return { ...base, clusterDir: path.join(outsideDir, 'pg'), outsideDir, blockedBy };
}

/** Before the postgres user exists, judge reachability as any other user would. */
const NOBODY: Account = { name: 'postgres', uid: -1, gid: -1 };

function clusterKey(dataDir: string): string {
  return createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
}

function readLocation(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
