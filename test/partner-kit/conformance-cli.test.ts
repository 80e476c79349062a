import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { approvedCpo } from '../helpers/onboarding.ts';
import { loadScenarios } from '../../partner-kit/conformance/loader.ts';
import { conformance, testcases } from '../helpers/conformance-cli.ts';

describe('conformance: the CLI', function () {
  this.timeout(60_000);
  let t: TestHub;
  let dir: string;
  const shipped = loadScenarios().scenarios.length;

  before(async () => {
    t = await startTestHub();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-cli-'));
  });
  // Each run's deliberately refused authentications count towards the hub's lockout of 127.0.0.1 (5 in 15 minutes).
  beforeEach(() => t.clock.advance(16 * 60_000));
  after(async () => {
    await t.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the cpo suite against the hub: one line per scenario, the summary, exit 0, a JUnit file, no token printed; CommandResults not applicable to a partner outside the sandbox', async () => {
    const { tokenA } = await approvedCpo(t, { country_code: 'NL', party_id: 'CL1' });
    const junit = path.join(dir, 'cpo.xml');
    const run = await conformance(['--suite', 'cpo', '--versions-url', `${t.url}/ocpi/versions`, '--token', tokenA, '--country-code', 'NL', '--party-id', 'CL1', '--junit', junit]);
    const lines = run.stdout.trim().split('\n');
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(lines.slice(0, -1)).to.have.length(shipped);
    expect(lines[0]).to.equal('passed  credentials: registration handshake with token A gives token C');
    // Not a sandbox partner: the hub will not start charges for it (403), so the CommandResult scenarios do not apply.
    expect(lines.filter((l) => !l.startsWith('passed  '))).to.deep.equal([
      'n/a     commands: a CommandResult is accepted once; a duplicate changes nothing; one for a command never sent is refused: step 2 (ask the hub (sandbox) to start a session on its first EVSE): HTTP 403 (this endpoint is for sandbox partners: your partner is not one)',
      'n/a     commands: a CommandResult after the order is final (FAILED) is acknowledged and reopens nothing: step 1 (ask the hub (sandbox) to start a session on the second EVSE): HTTP 403 (this endpoint is for sandbox partners: your partner is not one)',
      `${shipped - 2} passed, 0 failed, 2 not applicable`,
    ]);
    expect(run.stdout + run.stderr).to.not.include(tokenA);
    const xml = fs.readFileSync(junit, 'utf8');
    expect(testcases(xml)).to.equal(shipped);
    expect(xml).to.match(new RegExp(`<testsuite name="cpo" tests="${shipped}" failures="0" errors="0" skipped="2" time="\\d+\\.\\d{3}" timestamp="\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d">`));
    expect(xml).to.not.include('<failure');
    expect(xml.match(/<skipped message="step \d \(ask the hub \(sandbox\) to start a session on (its first|the second) EVSE\): HTTP 403 \(this endpoint is for sandbox partners: your partner is not one\)"\/>/g)).to.have.length(2);
  });

  it('fails a scenario with a wrong expectation: the failure line with the difference, exit 1, a JUnit failure', async () => {
    const { tokenA } = await approvedCpo(t, { country_code: 'NL', party_id: 'CL2' });
    // The shipped handshake and payloads, plus one scenario that expects the hub to answer what it must not.
    const scenarios = path.join(dir, 'wrong');
    fs.cpSync(loadScenarios().dir, scenarios, { recursive: true, filter: (src) => !/\/(locations|tariffs|sessions|cdrs|tokens|versions|commands)(\/|$)/.test(src) && !src.endsWith('rotation.json') && !src.endsWith('unregister.json') });
    fs.mkdirSync(path.join(scenarios, 'locations'));
    fs.writeFileSync(
      path.join(scenarios, 'locations', 'wrong.json'),
      JSON.stringify({
        name: 'locations: <a wrong expectation> & "quotes"',
        suite: 'cpo',
        order: '100',
        vars: { 'ids.location': 'W{run|upper}' },
        steps: [
          { name: 'GET an unknown location', request: { method: 'GET', url: '{hub.locations}/{party.country_code}/{party.party_id}/{ids.location}' }, expect: { status: 200, status_code: 1000 } },
        ],
      }),
    );
    // A wrong expectation on token C itself: the difference must not print it.
    fs.writeFileSync(
      path.join(scenarios, 'credentials', 'token.json'),
      JSON.stringify({ name: 'credentials: token C is "nope"', suite: 'cpo', order: '020', steps: [{ name: 'GET credentials', request: { method: 'GET', url: '{hub.credentials}' }, expect: { fields: { '/data/token': 'nope' } } }] }),
    );
    // A module the hub does not offer: not applicable, not failed.
    fs.writeFileSync(
      path.join(scenarios, 'credentials', 'profiles.json'),
      JSON.stringify({ name: 'chargingprofiles: a profile result', suite: 'cpo', order: '030', steps: [{ name: 'POST', request: { method: 'POST', url: '{hub.chargingprofiles}/x', body: {} }, expect: { status: 200 } }] }),
    );
    const junit = path.join(dir, 'wrong.xml');
    const run = await conformance(['--suite', 'cpo', '--versions-url', `${t.url}/ocpi/versions`, '--token', tokenA, '--country-code', 'NL', '--party-id', 'CL2', '--scenarios', scenarios, '--junit', junit]);
    expect(run.code, run.stdout + run.stderr).to.equal(1);
    const lines = run.stdout.trim().split('\n');
    const wrong = 'failed  locations: <a wrong expectation> & "quotes": step 1 (GET an unknown location): HTTP status: expected 200, got 404; /status_code: expected 1000, got 2000';
    expect(lines.map((l) => l.replace(/ \(status_message "[^"]*"\)/, ''))).to.deep.equal([
      'passed  credentials: registration handshake with token A gives token C',
      'failed  credentials: token C is "nope": step 1 (GET credentials): /data/token: expected "nope", got "***"',
      "n/a     chargingprofiles: a profile result: the hub's 2.2.1 version details list no chargingprofiles endpoint",
      wrong,
      '1 passed, 2 failed, 1 not applicable',
    ]);
    const xml = fs.readFileSync(junit, 'utf8');
    expect(testcases(xml)).to.equal(4);
    expect(xml).to.include('failures="2" errors="0" skipped="1"');
    expect(xml).to.include('<testcase name="locations: &lt;a wrong expectation&gt; &amp; &quot;quotes&quot;" classname="cpo.locations/wrong.json"');
    expect(xml).to.match(/<failure message="step 1 \(GET an unknown location\): HTTP status: expected 200, got 404 \(status_message &quot;unknown location W[0-9A-F]{8}&quot;\); \/status_code: expected 1000, got 2000" type="ConformanceFailure">/);
  });

  it('refuses bad usage and a broken scenario file with exit 2 and says why', async () => {
    const missing = await conformance(['--suite', 'cpo', '--versions-url', `${t.url}/ocpi/versions`]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr.split('\n')[0]).to.equal('--suite cpo needs --token, --country-code, --party-id');
    const suite = await conformance(['--suite', 'emsp']);
    expect(suite.code).to.equal(2);
    expect(suite.stderr.split('\n')[0]).to.equal('--suite: must be cpo or cpo-endpoints, got "emsp"');

    const broken = path.join(dir, 'broken');
    fs.mkdirSync(path.join(broken, 'credentials'), { recursive: true });
    fs.writeFileSync(path.join(broken, 'credentials', 'bad.json'), JSON.stringify({ name: 'bad', suite: 'cpo', order: '010', steps: [{ name: 'x', request: { method: 'FETCH', url: '{hub.versions_url}' }, expect: {} }] }));
    const run = await conformance(['--suite', 'cpo', '--versions-url', `${t.url}/ocpi/versions`, '--token', 'x', '--country-code', 'NL', '--party-id', 'CL3', '--scenarios', broken]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('broken scenario file: credentials/bad.json: /steps/0/request/method must be equal to one of the allowed values\n');
    expect(run.stdout).to.equal('');
  });
});
