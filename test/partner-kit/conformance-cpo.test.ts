import { expect } from 'chai';
import { APP_KEY, startTestHub, type TestHub } from '../helpers/hub.ts';
import { http } from '../helpers/http.ts';
import { runCpoSuite } from '../../partner-kit/conformance/index.ts';
import { line, type SuiteReport } from '../../partner-kit/conformance/report.ts';
import { loadScenarios } from '../../partner-kit/conformance/loader.ts';

describe('conformance: the cpo suite against our hub', function () {
  this.timeout(60_000);
  let t: TestHub;
  let report: SuiteReport;
  let partnerId: string;

  before(async () => {
    t = await startTestHub();
    // Three tokens a minute apart, so the paging and date-filter scenarios have pages to walk.
    for (const n of [1, 2, 3]) {
      const res = await http('PUT', `${t.url}/api/v1/tokens/CONF-DRIVER-${n}`, { headers: { authorization: `Bearer ${APP_KEY}` }, body: { type: 'APP_USER', contract_id: `NL-HUB-CONF${n}`, issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' } });
      expect(res.status, res.text).to.equal(201);
      t.clock.advance(60_000);
    }
    // A sandbox partner: the hub lets it start charges on its own chargers, which the CommandResult scenarios need.
    const created = await t.admin('POST', '/partners', { name: 'Conformance CPO', country_code: 'NL', party_id: 'CNF', role: 'CPO', sandbox: true });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.status).to.equal('APPROVED');
    partnerId = created.body.id;
    const tokenA = created.body.token_a;
    report = await runCpoSuite({ versionsUrl: `${t.url}/ocpi/versions`, tokenA, countryCode: 'NL', partyId: 'CNF' });
  });
  after(async () => {
    await t.stop();
  });

  it('passes every scenario', () => {
    const failed = report.results.filter((r) => r.outcome !== 'passed').map(line);
    expect(failed, failed.join('\n')).to.deep.equal([]);
    expect(loadScenarios().scenarios).to.have.length(34);
    expect(report).to.include({ passed: 34, failed: 0, notApplicable: 0 });
  });

  it('passes again on the same hub with a fresh token A: every run uses its own ids', async () => {
    // The suite's deliberately refused authentications count towards the hub's lockout of this address (5 in 15 minutes): let that window pass.
    t.clock.advance(16 * 60_000);
    const reset = await t.admin('POST', `/partners/${partnerId}/reset-credentials`);
    expect(reset.status, reset.text).to.equal(200);
    const again = await runCpoSuite({ versionsUrl: `${t.url}/ocpi/versions`, tokenA: reset.body.token_a, countryCode: 'NL', partyId: 'CNF' });
    expect(again.results.filter((r) => r.outcome !== 'passed').map(line)).to.deep.equal([]);
    expect(again.passed).to.equal(report.passed);
  });
});
