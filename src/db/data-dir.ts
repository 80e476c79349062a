import fs from 'node:fs';
import path from 'node:path';
import { copyDir, installedNative } from './binaries.ts';
import { dataLayout, SYSTEM_DIR } from './layout.ts';
import { isRoot } from './postgres-account.ts';
import { runningPostmaster } from './postmaster.ts';

/**
 * `ocpi-hub data-dir [--remove]`: where this clone's data lives, and a way to delete it, since
 * as root part of it sits in /var/lib/ocpi-hub where deleting the clone does not reach.
 */
export interface DataDirOptions {
  systemDir?: string;
  /** The hub uses DATABASE_URL's server: the embedded cluster, if any, is a leftover. */
  databaseUrl?: string;
}

/** What the hub writes into the data directory; `--remove` deletes these and nothing else a user may have put there. */
const HUB_FILES = ['secrets.json', 'pg-password', 'PG_DATA_LOCATION', 'pg-owner.pid'];

export function describeDataDir(dataDir: string, options: DataDirOptions = {}): string[] {
  const layout = dataLayout(dataDir, { systemDir: options.systemDir });
  const present = HUB_FILES.filter((f) => fs.existsSync(path.join(layout.dataDir, f)));
  const lines = [`data directory: ${layout.dataDir} (${fs.existsSync(layout.dataDir) ? (present.length ? present.join(', ') : 'no hub files') : 'not created yet'})`];
  const running = runningPostmaster(layout.clusterDir);
  const state = running ? `running, pid ${running.pid}, port ${running.port}` : fs.existsSync(path.join(layout.clusterDir, 'PG_VERSION')) ? 'stopped' : 'not created yet';
  const where = layout.outsideDir ? `; outside the data directory${layout.blockedBy ? ` because the postgres user cannot enter ${layout.blockedBy}` : ' (see PG_DATA_LOCATION)'}` : '';
  lines.push(`embedded PostgreSQL cluster: ${layout.clusterDir} (${state}${where})`);
  if (options.databaseUrl) lines.push('note: DATABASE_URL is set, so the hub keeps its database on that server, not in this cluster');
  const copy = binariesCopy(options.systemDir);
  if (copy) lines.push(`PostgreSQL programs copied for the postgres user: ${copy} (shared by every clone on this machine; removed with the last cluster there)`);
  lines.push(`to delete it all: npx ocpi-hub data-dir --remove (with the hub stopped)`);
  return lines;
}

export class DataDirInUse extends Error {
  constructor(clusterDir: string, running: { pid: number; port: number }) {
    super(`the embedded PostgreSQL of this data directory is running (pid ${running.pid}, port ${running.port}, ${clusterDir}): stop the hub first, then run data-dir --remove again`);
    this.name = 'DataDirInUse';
  }
}

/**
 * Deletes the cluster (wherever it lives), the hub's files in the data directory, the data
 * directory itself once empty, and, when no cluster is left in the system folder, the copy of
 * the PostgreSQL programs. Refuses while the cluster runs. Returns what it deleted.
 */
export function removeDataDir(dataDir: string, options: DataDirOptions = {}): string[] {
  const layout = dataLayout(dataDir, { systemDir: options.systemDir });
  const running = runningPostmaster(layout.clusterDir);
  if (running) throw new DataDirInUse(layout.clusterDir, running);
  const removed: string[] = [];
  const remove = (target: string) => {
    if (!fs.existsSync(target)) return;
    fs.rmSync(target, { recursive: true, force: true });
    removed.push(target);
  };
  remove(layout.outsideDir ?? layout.clusterDir);
  for (const file of HUB_FILES) remove(path.join(layout.dataDir, file));
  removeIfEmpty(layout.dataDir, removed);
  if (isRoot() || layout.outsideDir) removeUnusedSystemDir(options.systemDir ?? (layout.outsideDir ? path.dirname(layout.outsideDir) : SYSTEM_DIR), removed);
  return removed;
}

function removeUnusedSystemDir(systemDir: string, removed: string[]): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(systemDir);
  } catch {
    return;
  }
  // Anything but a copy of the programs is another clone's cluster, which still needs them.
  const programs = entries.filter((e) => e.startsWith('postgres-'));
  if (programs.length < entries.length) return;
  // A copy being made right now by a starting hub: leave it, and the folder, to that hub.
  if (programs.some((e) => e.includes('.partial-'))) return;
  // A cluster elsewhere (a data directory the postgres user can reach) may run from a copy too;
  // its backends load libraries from it later (plpgsql.so at first use), so it must stay.
  const running = runningPrograms();
  if (!running) return;
  for (const entry of programs) {
    if (running.some((exe) => exe.startsWith(`${path.join(systemDir, entry)}/`))) continue;
    fs.rmSync(path.join(systemDir, entry), { recursive: true, force: true });
    removed.push(path.join(systemDir, entry));
  }
  removeIfEmpty(systemDir, removed);
}

/** The programs every process runs, from /proc; undefined where there is no /proc to tell (then keep everything). */
function runningPrograms(): string[] | undefined {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  return pids.flatMap((pid) => {
    try {
      return [fs.readlinkSync(`/proc/${pid}/exe`)];
    } catch {
      return [];
    }
  });
}

function removeIfEmpty(dir: string, removed: string[]): void {
  try {
    fs.rmdirSync(dir);
    removed.push(dir);
  } catch {
    // Not empty (the user's own files stay) or already gone.
  }
}

function binariesCopy(systemDir = SYSTEM_DIR): string | undefined {
  try {
    const copy = copyDir(systemDir, installedNative().version);
    return fs.existsSync(copy) ? copy : undefined;
  } catch {
    return undefined;
  }
}
