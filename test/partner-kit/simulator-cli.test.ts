import { spawn } from 'node:child_process';
import nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { startTestHub, APP_KEY, FINANCE_KEY, type TestHub } from '../helpers/hub.ts';
import { http } from '../helpers/http.ts';
import { TestClock } from '../helpers/clock.ts';
import { approvedCpo } from '../helpers/onboarding.ts';
import { parseReady } from '../../partner-kit/demo/simulator-process.ts';
import { parseSimulatorArgs } from '../../partner-kit/simulator/options.ts';
import { startDemo } from '../../partner-kit/demo/index.ts';
import { BEGIN, END } from '../../partner-kit/demo/try-now.ts';
import { conformance } from '../helpers/conformance-cli.ts';

/** Waits for `what` to come true, polling: the child process runs on its own time. */
async function until<T>(what: () => T | undefined, ms: number, label: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${label} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('partner kit: `ocpi-hub simulate-cpo` as a process', () => {
  let t: TestHub;
  // The child stamps with the real clock: the hub's starts at now.
  beforeEach(async () => (t = await startTestHub({ clock: new TestClock(new Date().toISOString()) })));
  afterEach(() => t.stop());

  it('registers with token A from the environment, prints the ready line, passes the cpo-endpoints suite run as README says, exits 0 on SIGINT', async () => {
    const { id, tokenA } = await approvedCpo(t, { country_code: 'NL', party_id: 'SIM' });
    const tokenB = 'simulator-token-b-for-a-conformance-run';
    const child = spawn(process.execPath, ['bin/ocpi-hub.js', 'simulate-cpo', '--hub-versions-url', `${t.url}/ocpi/versions`, '--locations', '2', '--center', '48.8566,2.3522', '--country-code', 'NL', '--party-id', 'SIM'], {
      env: { ...process.env, SIMULATOR_TOKEN_A: tokenA, SIMULATOR_TOKEN_B: tokenB },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => lines.push(`stderr: ${line}`));
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));
    try {
      const ready = await until(() => lines.map(parseReady).find(Boolean), 20_000, `ready line (${lines.join(' | ')})`);
      expect(ready.locations).to.equal(2);
      expect(ready.center).to.deep.equal({ latitude: 48.8566, longitude: 2.3522 });
      expect(ready.versionsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/ocpi\/versions$/);
      expect((await t.admin('GET', `/partners/${id}`)).body.status).to.equal('ACTIVE');
      expect(lines).to.include('→ PUT /ocpi/2.2.1/locations/NL/SIM/SIM-LOC-2 201 1000');
      expect(lines.join('\n')).to.not.include(tokenA);
      const run = await conformance(['--suite', 'cpo-endpoints', '--partner-versions-url', ready.versionsUrl, '--partner-token', tokenB]);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^\d+ passed, 0 failed, \d+ not applicable$/m);
      expect(run.stdout + lines.join('\n')).to.not.include(tokenB);
    } finally {
      child.kill('SIGINT');
      await until(() => (exitCode === undefined ? undefined : true), 10_000, 'exit');
    }
    expect(exitCode).to.equal(0);
  });

  it('on real timers: a charge started through the app goes ACTIVE, is PATCHed, stops and settles; SIGTERM exits 0', async () => {
    const { id: partnerId, tokenA } = await approvedCpo(t, { country_code: 'NL', party_id: 'SIM' });
    // Trusted: its new location is published without a review.
    expect((await t.admin('PUT', `/partners/${partnerId}/trust`, { trusted: true })).status).to.equal(200);
    const child = spawn(process.execPath, ['bin/ocpi-hub.js', 'simulate-cpo', '--hub-versions-url', `${t.url}/ocpi/versions`, '--token-a', tokenA, '--locations', '1', '--result-delay-ms', '100', '--session-update-seconds', '0.3', '--status-interval', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => lines.push(`stderr: ${line}`));
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));
    const app = (method: string, path: string, body?: unknown) => http(method, `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${APP_KEY}` }, body });
    try {
      await until(() => lines.map(parseReady).find(Boolean), 20_000, 'ready line');
      expect((await app('PUT', '/tokens/CLI-USER-1', { type: 'APP_USER', contract_id: 'NL-HUB-C00000007', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' })).status).to.equal(201);
      const location = (await app('GET', '/locations')).body.data[0];
      const started = await app('POST', '/charging-sessions', { location_id: location.id, evse_uid: 'SIM-LOC-1-E1', token_uid: 'CLI-USER-1' });
      expect(started.status, JSON.stringify(started.body)).to.equal(202);
      const id = started.body.id;
      let order: any;
      const poll = async (done: (o: any) => boolean) => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          order = (await app('GET', `/charging-sessions/${id}`)).body;
          if (done(order)) return;
          if (Date.now() > deadline) throw new Error(`order stuck: ${JSON.stringify(order)} ${lines.join(' | ')}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      await poll((o) => o.state === 'ACTIVE' && o.kwh > 0);
      expect(lines.filter((l) => /^→ PATCH \/ocpi\/2\.2\.1\/sessions\/NL\/SIM\/SIM-S-[A-Z0-9-]+ 200 1000$/.test(l)).length).to.be.greaterThan(0);
      expect((await app('POST', `/charging-sessions/${id}/stop`)).body.state).to.equal('STOPPING');
      await poll((o) => o.state === 'COMPLETED');
      expect(order.reason).to.equal('CDR_SETTLED');
      const cdrs = await http('GET', `${t.url}/api/v1/finance/cdrs`, { headers: { authorization: `Bearer ${FINANCE_KEY}` } });
      expect(cdrs.body.data[0]).to.deep.include({ state: 'SETTLED', order_id: id });
    } finally {
      child.kill('SIGTERM');
      await until(() => (exitCode === undefined ? undefined : true), 10_000, 'exit');
    }
    expect(exitCode).to.equal(0);
  });

  it('the demo onboards it as a child process and prints its block with one of its stations', async () => {
    const lines: string[] = [];
    const demo = await startDemo(t.hub, { print: (line) => lines.push(line), simulatorArgs: ['--status-interval', '0'] });
    try {
      expect(lines).to.include(BEGIN);
      expect(lines).to.include(END);
      expect(lines.some((l) => l.startsWith('simulator │ ready versions='))).to.equal(true);
      expect(lines).to.include('demo: the simulator is registered; 3 new location(s) reviewed and published by the demo operator');
      expect(lines.find((l) => l.includes('/api/v1/charging-sessions'))).to.match(/"evse_uid":"SIM-LOC-\d-E1","connector_id":"1"/);
    } finally {
      await demo.stop();
    }
  });

  it('a registration the hub refuses (wrong token A): the reason on stderr, exit code 1', async () => {
    const child = spawn(process.execPath, ['bin/ocpi-hub.js', 'simulate-cpo', '--hub-versions-url', `${t.url}/ocpi/versions`, '--token-a', 'not-a-token-of-this-hub'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).to.equal(1);
    expect(stdout).to.equal('→ GET /ocpi/versions 401 2000\n');
    expect(stderr).to.equal(`simulate-cpo: registration with ${t.url}/ocpi/versions failed: GET ${t.url}/ocpi/versions: HTTP 401\n`);
  });

  it('Ctrl-C while the hub has not answered yet: exit 0 at once', async () => {
    let asked = 0;
    const hanging = nodeHttp.createServer(() => void asked++);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const child = spawn(process.execPath, ['bin/ocpi-hub.js', 'simulate-cpo', '--hub-versions-url', `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/ocpi/versions`, '--token-a', 'a'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await until(() => (asked > 0 ? true : undefined), 20_000, 'versions request');
      child.kill('SIGINT');
      expect(await exited).to.equal(0);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });

  it('a bad flag: usage on stderr and exit code 2', async () => {
    const child = spawn(process.execPath, ['bin/ocpi-hub.js', 'simulate-cpo', '--hub-versions-url', 'http://127.0.0.1:1/ocpi/versions', '--token-a', 'x', '--fault', 'grumpy'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).to.equal(2);
    expect(stderr).to.include('--fault: "grumpy" is not a fault mode (happy, reject, slow, lost-result, random-500, rate-limit, truncated, html, silent, wrong-cost, no-reference)');
  });

  it('parses every flag; the flag wins over SIMULATOR_TOKEN_A', () => {
    const options = parseSimulatorArgs(
      ['--hub-versions-url', 'http://hub.example/ocpi/versions', '--token-a', 'flag-token', '--country-code', 'DE', '--party-id', 'ABC', '--port', '9999', '--public-url', 'https://cpo.example/', '--locations', '7', '--center', '50.1,8.6', '--status-interval', '0', '--result-delay-ms', '5', '--session-update-seconds', '2', '--fault', 'slow', '--evse-fault', 'SIM-LOC-1-E1=reject', '--evse-fault', 'SIM-LOC-2-E2=html', '--seed', '42', '--ocpi-version', '2.2', '--slow-seconds', '3'],
      { SIMULATOR_TOKEN_A: 'env-token' },
    );
    expect(options).to.deep.equal({
      hubVersionsUrl: 'http://hub.example/ocpi/versions',
      tokenA: 'flag-token',
      countryCode: 'DE',
      partyId: 'ABC',
      host: '127.0.0.1',
      port: 9999,
      publicUrl: 'https://cpo.example',
      locations: 7,
      center: { latitude: 50.1, longitude: 8.6 },
      statusIntervalSeconds: 0,
      resultDelayMs: 5,
      sessionUpdateSeconds: 2,
      fault: 'slow',
      evseFaults: { 'SIM-LOC-1-E1': 'reject', 'SIM-LOC-2-E2': 'html' },
      seed: 42,
      ocpiVersion: '2.2',
      slowSeconds: 3,
    });
    expect(parseSimulatorArgs(['--hub-versions-url', 'http://h/ocpi/versions'], { SIMULATOR_TOKEN_A: 'env-token' })).to.include({ tokenA: 'env-token', countryCode: 'NL', partyId: 'SIM', locations: 3, statusIntervalSeconds: 20, resultDelayMs: 1000, sessionUpdateSeconds: 5, fault: 'happy', ocpiVersion: '2.2.1', slowSeconds: 20 });
    expect(() => parseSimulatorArgs(['--hub-versions-url', 'http://h/ocpi/versions'], {})).to.throw('--token-a: is required (or set SIMULATOR_TOKEN_A)');
    expect(() => parseSimulatorArgs(['--hub-versions-url', 'http://h', '--token-a', 'x', '--center', 'amsterdam'], {})).to.throw('--center: must be LAT,LON');
    expect(parseSimulatorArgs(['--help'], {})).to.equal('help');
    expect(parseSimulatorArgs(['--hub-versions-url', 'http://h/ocpi/versions'], { SIMULATOR_TOKEN_A: 'a', SIMULATOR_TOKEN_B: 'b'.repeat(16) })).to.include({ tokenB: 'b'.repeat(16) });
    expect(() => parseSimulatorArgs(['--hub-versions-url', 'http://h/ocpi/versions'], { SIMULATOR_TOKEN_A: 'a', SIMULATOR_TOKEN_B: 'short' })).to.throw('SIMULATOR_TOKEN_B: must be 16 to 64 printable characters without spaces');
    expect(() => parseSimulatorArgs(['--hub-versions-url', 'http://h/ocpi/versions'], { SIMULATOR_TOKEN_A: 'a', SIMULATOR_TOKEN_B: 'b'.repeat(65) })).to.throw('SIMULATOR_TOKEN_B: must be 16 to 64 printable characters without spaces');
  });
});
