import { expect } from 'chai';
import { simWorld, type SimWorld } from '../helpers/simulator.ts';
import { runCpoEndpointsSuite } from '../../partner-kit/conformance/suites/cpo-endpoints.ts';
import { line } from '../../partner-kit/conformance/report.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBrokenCpo, type BrokenCpo } from '../helpers/broken-cpo.ts';
import { conformance, testcases } from '../helpers/conformance-cli.ts';

describe('conformance: the cpo-endpoints suite', function () {
  this.timeout(60_000);

  describe('against the CPO simulator', () => {
    let w: SimWorld;
    after(() => w?.stop());

    it('passes every check', async () => {
      w = await simWorld({ statusIntervalSeconds: 60 });
      // Two status rounds a minute apart: the senders' objects get different last_updated, so the date filters have something to cut.
      await w.advance(60_000);
      await w.advance(60_000);
      // Two charges, minutes apart, give the Sessions and CDRs senders two objects each.
      for (const location of ['SIM-LOC-2', 'SIM-LOC-3']) {
        const started = await w.start(location);
        expect(started.status, JSON.stringify(started.body)).to.equal(202);
        await w.advance(1000);
        expect((await w.app('POST', `/charging-sessions/${started.body.id}/stop`)).body.state).to.equal('STOPPING');
        await w.advance(1000);
        expect((await w.order(started.body.id)).state).to.equal('COMPLETED');
        await w.advance(60_000);
      }
      const commandLines = () => w.lines.filter((l) => l.includes('POST /commands/START_SESSION')).length;
      const before = commandLines();
      const running = runCpoEndpointsSuite({ versionsUrl: w.sim.versionsUrl, token: w.sim.token, resultTimeoutMs: 10_000 });
      // The simulator posts its CommandResult on its (manual) timer: once it has answered the command, let a second pass.
      const deadline = Date.now() + 20_000;
      while (commandLines() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await w.advance(1000);
      const report = await running;
      // The simulator prices everything with one tariff: nothing to page through or cut by date there.
      expect(report.results.filter((r) => r.outcome !== 'passed').map(line)).to.deep.equal([
        'n/a     tariffs: offset is applied: needs at least 2 objects (the CPO has 1)',
        'n/a     tariffs: date_from is applied (inclusive, on last_updated): needs objects with at least 2 different last_updated (the CPO has 1)',
        'n/a     tariffs: date_to is applied (exclusive, on last_updated): needs objects with at least 2 different last_updated (the CPO has 1)',
      ]);
      expect(report).to.include({ passed: 26, failed: 0, notApplicable: 3 });
    });
  });

  describe('against a CPO whose senders page wrongly', () => {
    let cpo: BrokenCpo;
    afterEach(() => cpo?.stop());

    it('fails each wrong sender with the right message, and passes the rest', async () => {
      cpo = await startBrokenCpo({ locations: 'NO_LINK', sessions: 'IGNORES_OFFSET', cdrs: 'WRONG_TOTAL', tariffs: 'IGNORES_DATE_FROM' });
      const report = await runCpoEndpointsSuite({ versionsUrl: cpo.versionsUrl, token: cpo.token, resultTimeoutMs: 5000 });
      const u = `${cpo.url}/ocpi/2.2.1`;
      expect(report.results.filter((r) => r.outcome === 'failed').map(line)).to.deep.equal([
        `failed  locations: Link to the next page exactly while objects remain, with the filters repeated: GET ${u}/locations?offset=0&limit=2: X-Total-Count is 5 and 2 objects came, but there is no Link rel="next"`,
        'failed  locations: walking the Links yields X-Total-Count distinct objects: X-Total-Count says 5, but the pages hold 2 objects',
        `failed  sessions: offset is applied: GET ${u}/sessions?date_from=2000-01-01T00%3A00%3A00Z&offset=1&limit=1: expected the second object NL/BRK/SESSIONS-2, got NL/BRK/SESSIONS-1 (offset ignored?)`,
        `failed  sessions: walking the Links yields X-Total-Count distinct objects: GET ${u}/sessions?date_from=2000-01-01T00%3A00%3A00Z&offset=2&limit=2: page 2 repeats 2 object(s) of earlier pages, e.g. NL/BRK/SESSIONS-1 (offset ignored?)`,
        'failed  cdrs: walking the Links yields X-Total-Count distinct objects: X-Total-Count says 10, but the pages hold 5 objects',
        `failed  cdrs: date_from is applied (inclusive, on last_updated): GET ${u}/cdrs?date_from=2026-01-01T10%3A04%3A00Z: X-Total-Count must count the date filter: expected 1, got 6`,
        `failed  cdrs: date_to is applied (exclusive, on last_updated): GET ${u}/cdrs?date_to=2026-01-01T10%3A04%3A00Z: X-Total-Count must count the date filter: expected 4, got 9`,
        `failed  tariffs: date_from is applied (inclusive, on last_updated): GET ${u}/tariffs?date_from=2026-01-01T10%3A04%3A00Z: 4 of 5 objects are older than date_from (date_from ignored?)`,
      ]);
      // Everything it does right passes: versions, details, token encoding, the remaining paging checks and the commands receiver.
      expect(report).to.include({ passed: 21, failed: 8, notApplicable: 0 });
      expect(report.results.filter((r) => r.file === 'commands receiver').map((r) => r.outcome)).to.deep.equal(['passed', 'passed']);
    });

    it('through the CLI: the failure lines, the summary, exit 1 and a JUnit failure per failed check', async () => {
      cpo = await startBrokenCpo({ locations: 'NO_LINK', sessions: 'NONE', cdrs: 'NONE', tariffs: 'IGNORES_DATE_FROM' });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpo-endpoints-'));
      try {
        const junit = path.join(dir, 'cpo-endpoints.xml');
        const run = await conformance(['--suite', 'cpo-endpoints', '--partner-versions-url', cpo.versionsUrl, '--partner-token', cpo.token, '--junit', junit]);
        expect(run.code, run.stderr).to.equal(1);
        const lines = run.stdout.trim().split('\n');
        expect(lines.filter((l) => !l.startsWith('passed  '))).to.deep.equal([
          `failed  locations: Link to the next page exactly while objects remain, with the filters repeated: GET ${cpo.url}/ocpi/2.2.1/locations?offset=0&limit=2: X-Total-Count is 5 and 2 objects came, but there is no Link rel="next"`,
          'failed  locations: walking the Links yields X-Total-Count distinct objects: X-Total-Count says 5, but the pages hold 2 objects',
          `failed  tariffs: date_from is applied (inclusive, on last_updated): GET ${cpo.url}/ocpi/2.2.1/tariffs?date_from=2026-01-01T10%3A04%3A00Z: 4 of 5 objects are older than date_from (date_from ignored?)`,
          '26 passed, 3 failed',
        ]);
        expect(run.stdout).to.not.include(cpo.token);
        const xml = fs.readFileSync(junit, 'utf8');
        expect(testcases(xml)).to.equal(29);
        expect(xml.match(/<failure /g)).to.have.length(3);
        expect(xml).to.include('<testsuite name="cpo-endpoints" tests="29" failures="3" errors="0" skipped="0"');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a CPO that reads the token raw (OCPI 2.2) fails the encoding check, saying what to do, and is checked raw from then on', async () => {
      cpo = await startBrokenCpo({ locations: 'NONE', sessions: 'NONE', cdrs: 'NONE', tariffs: 'NONE' }, { rawToken: true });
      const report = await runCpoEndpointsSuite({ versionsUrl: cpo.versionsUrl, token: cpo.token, resultTimeoutMs: 5000 });
      expect(report.results.filter((r) => r.outcome !== 'passed').map(line)).to.deep.equal([
        "failed  token encoding: the CPO accepts Authorization: Token base64(token) (OCPI 2.2.1): the CPO accepts only the raw token (OCPI 2.2 style), not base64 as 2.2.1 requires: set the partner's token encoding to RAW, or have the CPO decode base64",
      ]);
      expect(report).to.include({ passed: 28, failed: 1, notApplicable: 0 });
    });
  });
});
