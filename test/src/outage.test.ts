import { expect } from 'chai';
import { capturingLogger } from '../helpers/log.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import { startHub, withDatabase, type RunningHub } from '../../src/hub.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase, type EmbeddedEvent } from '../../src/db/embedded.ts';
import { removeDataDir } from '../../src/db/data-dir.ts';
import { TestClock } from '../helpers/clock.ts';
import { http } from '../helpers/http.ts';
import { ADMIN_KEY, APP_KEY, FINANCE_KEY } from '../helpers/hub.ts';

/**
 * A database outage (issue 10 §4): readiness follows the database, the embedded server is
 * restarted when it dies, an orphan of a killed hub is taken over, and an outage writes two
 * log lines without SQL or request data, not one per failed request.
 */

/** Running, not gone nor a zombie nobody reaped (a container's pid 1 may not reap). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi-hub-outage-'));
  // Reachable by the postgres user when the tests run as root.
  fs.chmodSync(dir, 0o755);
  return dir;
}

async function hubConfig(dataDir: string, extra: Record<string, string> = {}) {
  return loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    ADMIN_API_KEY: ADMIN_KEY,
    APP_API_KEY: APP_KEY,
    FINANCE_API_KEY: FINANCE_KEY,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'info',
    OCPI_HUB_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    ...extra,
  });
}

/** Real time, bounded: a server restarting is not something a clock can be injected into. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const until = performance.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('database outage', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('/readyz is not ready while the database does not answer, and ready again when it is back; errors logged once per burst with a count, without SQL or request data', async () => {
    const dir = folder();
    cleanups.push(() => {
      removeDataDir(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const port = await freePort();
    let db: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
    cleanups.push(() => db.stop());
    const { lines, log } = capturingLogger();
    const hub: RunningHub = await startHub({ config: await hubConfig(path.join(dir, 'hub')), clock: new TestClock(), log, databaseUrl: withDatabase(db.url, 'outage') });
    cleanups.push(() => hub.stop());

    expect((await http('GET', `${hub.url}/readyz`)).status).to.equal(200);
    // The token PUT is the kind of request whose SQL carries a driver's uid and contract id.
    const put = (n: number) => http('PUT', `${hub.url}/api/v1/tokens/SECRET-DRIVER-${n}`, { headers: { authorization: `Bearer ${APP_KEY}` }, body: { type: 'APP_USER', contract_id: `NL-HUB-SECRET${n}`, issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' } });
    expect((await put(0)).status).to.equal(201);

    // A statement that fails on the server: its message quotes the SQL with the parameter.
    const failed = await hub.services.orm.em.fork().getConnection().execute('select * from no_such_table where uid = ?', ['SECRET-DRIVER-99']).then(() => undefined, (err: unknown) => err);
    expect(String((failed as Error).message)).to.include('SECRET-DRIVER-99');
    const logged = lines.length;
    hub.services.log.error({ err: failed }, 'a job failed');
    expect(hub.services.dbErrors.absorb(failed)).to.equal(true);
    hub.services.dbErrors.flush();
    const sqlLines = JSON.stringify(lines.slice(logged));
    expect(sqlLines).to.not.include('SECRET-DRIVER-99');
    expect(sqlLines).to.include('relation \\"no_such_table\\" does not exist');

    await db.stop();
    const ready = await http<any>('GET', `${hub.url}/readyz`);
    expect(ready.status).to.equal(503);
    expect(ready.body).to.deep.equal({ status: 'not ready', reason: 'database unreachable' });
    expect((await http<any>('GET', `${hub.url}/healthz`)).body).to.deep.equal({ status: 'database unreachable' });

    const before = lines.length;
    for (let n = 1; n <= 25; n++) expect((await put(n)).status).to.equal(500);
    hub.services.dbErrors.flush();
    const outage = lines.slice(before).filter((l) => l.msg !== 'api request');
    expect(outage.filter((l) => l.msg === 'unhandled error').slice(0, 1), JSON.stringify(outage.filter((l) => l.msg === 'unhandled error').slice(0, 2))).to.deep.equal([]);
    const errors = outage.filter((l) => l.level >= 50);
    expect(errors, JSON.stringify(outage)).to.have.length(1);
    expect(errors[0].msg).to.equal('database error: further ones are counted until they stop');
    const summary = outage.filter((l) => l.db?.count !== undefined);
    expect(summary, JSON.stringify(outage)).to.have.length(1);
    expect(summary[0].db.count).to.equal(25);
    // (The request log names the path, which holds the uid; that is not the database's doing.)
    const all = JSON.stringify(outage);
    for (let n = 0; n <= 25; n++) {
      expect(all).to.not.include(`SECRET-DRIVER-${n}`);
      expect(all).to.not.include(`NL-HUB-SECRET${n}`);
    }
    expect(all).to.not.match(/insert into|select .* from|update "/i);

    db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
    await eventually('ready again', async () => ((await http('GET', `${hub.url}/readyz`)).status === 200 ? true : undefined));
    expect((await put(26)).status).to.equal(201);
  });

  it('the embedded server killed with -9 is restarted (injected backoff), the restart logged and alerted', async () => {
    const dir = folder();
    cleanups.push(() => {
      removeDataDir(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const { lines, log } = capturingLogger();
    const backoffs: number[] = [];
    const hub = await startHub({ config: await hubConfig(dir), clock: new TestClock(), log, embeddedRestartBackoffMs: (attempt) => (backoffs.push(attempt), 20) });
    cleanups.push(() => hub.stop());
    const first = hub.embedded!.pid()!;
    expect(first).to.be.a('number');
    process.kill(first, 'SIGKILL');

    const alert = await eventually('restart alerted', () => lines.find((l) => l.alert === 'EMBEDDED_DB_RESTARTED'));
    expect(alert.msg).to.equal('alert raised');
    const exited = lines.find((l) => l.msg === 'embedded PostgreSQL exited unexpectedly: restarting it');
    expect(exited.level).to.equal(50);
    expect(exited.embeddedPg).to.include({ pid: first, signal: 'SIGKILL' });
    const restarted = lines.find((l) => l.msg === 'embedded PostgreSQL restarted');
    expect(restarted.embeddedPg.pid).to.not.equal(first);
    expect(hub.embedded!.pid()).to.equal(restarted.embeddedPg.pid);
    expect(backoffs[0]).to.equal(1);
    await eventually('ready again', async () => ((await http('GET', `${hub.url}/readyz`)).status === 200 ? true : undefined));
    // The alert is in the audit trail too.
    const rows = await hub.services.orm.em.fork().getConnection().execute(`select count(*)::int as n from partner_events where kind = 'ALERT_EMBEDDED_DB_RESTARTED'`);
    expect(rows[0]?.n).to.equal(1);
  });

  it('a server left running by a hub killed with -9 is detected at the next start and replaced by a supervised one', async () => {
    const dir = folder();
    cleanups.push(() => {
      removeDataDir(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const port = await freePort();
    const script = `import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve('src/db/embedded.ts'))};
      const db = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dir)}, port: ${port} });
      process.stdout.write(String(db.pid()) + '\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const orphan = await eventually('the other hub started its server', () => (/^\d+\n/.test(out) ? Number(out.trim()) : undefined), 45_000);
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
    // Its exit hook never ran: the server is still there.
    expect(alive(orphan)).to.equal(true);

    const events: EmbeddedEvent[] = [];
    const db = await startEmbeddedPostgres({ dataDir: dir, port, onEvent: (e) => events.push(e) });
    cleanups.push(() => db.stop());
    expect(events).to.deep.include({ kind: 'ORPHAN_STOPPED', pid: orphan, ownerPid: child.pid });
    expect(db.binaries, 'started by this process, not shared').to.not.equal(undefined);
    expect(db.pid()).to.not.equal(orphan);
    expect(alive(orphan)).to.equal(false);
    // A second start from this same process still shares it (its parent is the owner).
    const again = await startEmbeddedPostgres({ dataDir: dir, port, onEvent: (e) => events.push(e) });
    expect(again.binaries).to.equal(undefined);
    expect(events).to.have.length(1);
  });
});
