import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { freePort } from '../../../src/db/embedded.ts';
import { withDatabase } from '../../../src/hub.ts';
import { startTestHub, ADMIN_KEY, type TestHub } from '../../helpers/hub.ts';
import { http } from '../../helpers/http.ts';
import { partnerCli } from '../../helpers/partner-cli.ts';

const party = (party_id: string, extra: Record<string, unknown> = {}) => ({ name: `CPO ${party_id}`, country_code: 'NL', party_id, role: 'CPO', ...extra });

describe('sandbox: SANDBOX_ONLY and serve --sandbox make every partner a sandbox partner', () => {
  it('config: SANDBOX_ONLY is a boolean, false by default', () => {
    expect(loadConfig({}).sandboxOnly).to.equal(false);
    expect(loadConfig({ SANDBOX_ONLY: 'true' }).sandboxOnly).to.equal(true);
    expect(loadConfig({ SANDBOX_ONLY: 'no' }).sandboxOnly).to.equal(false);
    expect(() => loadConfig({ SANDBOX_ONLY: 'maybe' })).to.throw(ConfigError, 'SANDBOX_ONLY: expected true or false, got "maybe"');
  });

  describe('a hub with SANDBOX_ONLY=true', () => {
    let t: TestHub;
    beforeEach(async () => {
      t = await startTestHub({ env: { SANDBOX_ONLY: 'true' } });
    });
    afterEach(() => t.stop());

    it('creates every partner approved, as a sandbox partner, with its token A (sandbox: false or absent alike)', async () => {
      for (const [id, extra] of [['AAA', {}], ['BBB', { sandbox: false }], ['CCC', { sandbox: true }]] as const) {
        const res = await t.admin('POST', '/partners', party(id, extra));
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(res.body).to.include({ status: 'APPROVED', sandbox: true, versions_url: `${t.url}/ocpi/versions` });
        expect(res.body.token_a).to.match(/^[A-Za-z0-9_-]{43}$/);
      }
      expect((await t.admin('GET', '/partners')).body.data.map((p: any) => p.sandbox)).to.deep.equal([true, true, true]);
      // Still validated: a sandbox value that is no boolean is refused even here.
      expect((await t.admin('POST', '/partners', party('DDD', { sandbox: 'yes' }))).body.message).to.equal('sandbox: must be true or false');
    });
  });

  it('npx ocpi-hub partner create --sandbox prints the sandbox partner, approved, with its token A', async function () {
    this.timeout(30_000);
    const t = await startTestHub();
    try {
      const run = await partnerCli(t, ['create', '--name', 'CLI Sandbox', '--country-code', 'NL', '--party-id', 'CLS', '--role', 'CPO', '--sandbox']);
      expect(run.code, run.stderr).to.equal(0);
      const printed = JSON.parse(run.stdout);
      expect(printed).to.include({ status: 'APPROVED', sandbox: true, versions_url: `${t.url}/ocpi/versions` });
      // The token A it printed registers with the running hub.
      expect((await t.ocpi('GET', '/ocpi/versions', { token: printed.token_a })).status).to.equal(200);
    } finally {
      await t.stop();
    }
  });

  describe('npx ocpi-hub serve --sandbox', () => {
    let child: ChildProcess | undefined;
    let dataDir: string;
    afterEach(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves a hub where a partner created without sandbox is a sandbox partner', async function () {
      this.timeout(60_000);
      // A database with the schema: a test hub creates and migrates it, then leaves it to the child.
      const t = await startTestHub();
      const databaseName = t.databaseName;
      await t.stop();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi-hub-sandbox-'));
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      child = spawn(process.execPath, ['bin/ocpi-hub.js', 'serve', '--sandbox'], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? os.tmpdir(),
          DATABASE_URL: withDatabase(process.env.OCPI_TEST_PG_URL!, databaseName),
          OCPI_HUB_DATA_DIR: dataDir,
          TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          ADMIN_API_KEY: ADMIN_KEY,
          HOST: '127.0.0.1',
          PORT: String(port),
          PUBLIC_URL: url,
          JOBS_ENABLED: 'false',
          LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // A real child process: poll its readiness with a deadline.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ready = await http('GET', `${url}/readyz`).then((r) => r.status === 200, () => false);
        if (ready) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the hub did not become ready: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const res = await http('POST', `${url}/api/v1/admin/partners`, { headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: party('SRV') });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.include({ status: 'APPROVED', sandbox: true, versions_url: `${url}/ocpi/versions` });
      expect(res.body.token_a).to.match(/^[A-Za-z0-9_-]{43}$/);
    });
  });
});
