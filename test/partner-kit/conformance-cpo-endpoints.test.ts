import { expect } from 'chai';
import { simWorld, type SimWorld } from '../helpers/simulator.ts';
import { runCpoEndpointsSuite } from '../../partner-kit/conformance/suites/cpo-endpoints.ts';
import { line } from '../../partner-kit/conformance/report.ts';

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
});
