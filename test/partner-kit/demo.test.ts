import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { withDatabase } from '../../src/hub.ts';
import { freePort } from '../../src/db/embedded.ts';
import { BEGIN, END } from '../../partner-kit/demo/try-now.ts';

/**
 * `npm start -- --demo` as a newcomer runs it: a hub process and its simulator child, then
 * the printed lines pasted into a shell one by one. A line that needs the CPO to have acted
 * (ACTIVE, the CDR) is run again until it shows it, as the reader would.
 */
describe('demo: npm start -- --demo', function () {
  this.timeout(120_000);
  let hub: ChildProcess | undefined;
  let dataDir: string;
  const output: string[] = [];

  afterEach(async () => {
    if (hub && hub.exitCode === null) {
      hub.kill('SIGINT');
      await new Promise((resolve) => hub!.once('exit', resolve));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const startDemo = async () => {
    const port = await freePort();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpi-hub-demo-'));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      DATABASE_URL: withDatabase(process.env.OCPI_TEST_PG_URL!, `demo_${process.pid}_${Date.now().toString(36)}`),
      OCPI_HUB_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    hub = spawn(process.execPath, ['bin/ocpi-hub.js', 'serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: hub.stderr! }).on('line', (line) => output.push(`stderr: ${line}`));
    return new Promise<string[]>((resolve, reject) => {
      const block: string[] = [];
      let inBlock = false;
      createInterface({ input: hub!.stdout! }).on('line', (line) => {
        output.push(line);
        if (line === BEGIN) inBlock = true;
        else if (line === END && inBlock) resolve(block);
        else if (inBlock) block.push(line);
      });
      hub!.once('exit', (code) => reject(new Error(`the demo exited (${code}) before printing its block:\n${output.join('\n')}`)));
    });
  };

  const shell = (script: string) =>
    new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', script], (err, stdout, stderr) => (err ? reject(new Error(`${script}\n${stderr}`)) : resolve(stdout))),
    );

  /** Runs a printed line until `done` holds for its output (the CPO acts a few seconds later). */
  const until = async (script: string, done: (out: string) => boolean, seconds = 30) => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const out = await shell(script);
      if (done(out)) return out;
      if (Date.now() > deadline) throw new Error(`${script}\nstill: ${out}\n--- demo output ---\n${output.join('\n')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  it('prints lines that, pasted as printed, go from stations near the simulator to a settled CDR', async () => {
    const block = await startDemo();
    const commands = block.filter((line) => line && !line.startsWith('#'));
    expect(commands).to.have.length(8);
    const [exports, stations, token, start, follow, stop, cdrs, partners] = commands as [string, ...string[]];
    expect(exports).to.match(/^export HUB='http:\/\/127\.0\.0\.1:\d+' APP_API_KEY='[\w-]+' ADMIN_API_KEY='[\w-]+' FINANCE_API_KEY='[\w-]+'$/);

    const near = JSON.parse(await shell(`${exports}\n${stations}`));
    expect(near.data).to.have.length(3);
    expect(near.data[0]).to.include({ country_code: 'NL', party_id: 'SIM' });
    expect(near.data[0].distance_m).to.be.a('number');
    expect(JSON.parse(await shell(`${exports}\n${token}`))).to.include({ uid: 'DEMO-USER-1', type: 'APP_USER', valid: true });

    const order = (await shell(`${exports}\n${start}`)).trim();
    expect(order).to.match(/^\/api\/v1\/charging-sessions\/[0-9a-f-]{36}$/);
    const withOrder = `${exports}\nORDER='${order}'\n`;
    const active = JSON.parse(await until(`${withOrder}${follow}`, (out) => JSON.parse(out).state === 'ACTIVE' && JSON.parse(out).session !== null));
    expect(active.session).to.be.an('object');

    expect(JSON.parse(await shell(`${withOrder}${stop}`)).state).to.be.oneOf(['STOPPING', 'AWAITING_CDR', 'COMPLETED']);
    const settled = JSON.parse(await until(`${exports}\n${cdrs}`, (out) => JSON.parse(out).data.some((c: any) => c.state === 'SETTLED')));
    const cdr = settled.data.find((c: any) => c.state === 'SETTLED');
    expect(cdr).to.include({ country_code: 'NL', party_id: 'SIM', currency: 'EUR' });
    expect(JSON.parse(await until(`${withOrder}${follow}`, (out) => JSON.parse(out).state === 'COMPLETED')).state).to.equal('COMPLETED');

    const listed = JSON.parse(await shell(`${exports}\n${partners}`));
    expect(listed.data.map((p: any) => [p.party_id, p.status])).to.deep.equal([['SIM', 'ACTIVE']]);
  });
});
