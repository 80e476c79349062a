import { capturingLogger } from '../helpers/log.ts';
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { FakePartner } from '../helpers/partner.ts';
import { approvedCpo, onboardCpo } from '../helpers/onboarding.ts';
import { GENERIC_FETCH_FAILURE, OcpiCallError } from '../../src/client/ocpi-client.ts';
import { PartnerEntity } from '../../src/partners/api.ts';
import { syncLocations } from '../../ocpi-modules/locations/sync.ts';


const GENERIC = `unable to use the partner's API: ${GENERIC_FETCH_FAILURE}`;
const POLICY_ON = { ALLOW_PRIVATE_PARTNER_URLS: 'false' };

describe('partner URLs under the outbound URL policy (ALLOW_PRIVATE_PARTNER_URLS=false)', () => {
  let t: TestHub;
  let partner: FakePartner;
  let captured: ReturnType<typeof capturingLogger>;
  beforeEach(async () => {
    captured = capturingLogger();
    t = await startTestHub({ env: POLICY_ON, log: captured.log });
    partner = await new FakePartner().start();
    partner.accepted.add('token-b');
    partner.accepted.add('their-token-a');
  });
  afterEach(async () => {
    await partner.stop();
    await t.stop();
  });

  it('registration: a credentials url on loopback, localhost or the metadata address gets the same answer as an unreachable public name; nothing is fetched, the log has the detail, token A stays usable', async () => {
    const { id, tokenA } = await approvedCpo(t);
    const port = new URL(partner.url).port;
    const urls = [
      partner.versionsUrl, // http://127.0.0.1:<port>: a working partner, were it allowed
      `http://localhost:${port}/ocpi/versions`,
      `http://[::ffff:127.0.0.1]:${port}/ocpi/versions`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1:5432/',
      'https://cpo.unreachable.invalid/ocpi/versions',
    ];
    const answers: { url: string; status: number; code: number; message: string; correlationId: string }[] = [];
    for (const url of urls) {
      const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: { ...partner.credentials('token-b'), url } });
      answers.push({ url, status: res.status, code: res.body.status_code, message: res.body.status_message, correlationId: res.headers['x-correlation-id']! });
    }
    for (const a of answers) expect({ url: a.url, status: a.status, code: a.code, message: a.message }).to.deep.equal({ url: a.url, status: 200, code: 3001, message: GENERIC });
    expect(partner.seen).to.deep.equal([]);

    // The log keeps what the partner is not told, under the answer's correlation id.
    const refused = captured.lines.filter((l) => l.msg === 'outbound call refused');
    expect(refused.find((l) => l.correlationId === answers[0]!.correlationId)).to.include({ url: partner.versionsUrl, address: '127.0.0.1', range: 'loopback', setting: 'ALLOW_PRIVATE_PARTNER_URLS' });
    expect(refused.find((l) => l.correlationId === answers[3]!.correlationId)).to.include({ address: '169.254.169.254', range: 'linkLocal' });
    const failed = captured.lines.find((l) => l.msg === 'outbound call failed' && l.correlationId === answers[5]!.correlationId);
    expect(failed.err).to.match(/ENOTFOUND|EAI_AGAIN/);

    expect((await t.admin('GET', `/partners/${id}`)).body.status).to.equal('APPROVED');
    expect((await t.ocpi('GET', '/ocpi/versions', { token: tokenA })).status).to.equal(200);
  });

  it("the operator's connect names the address and the setting that would allow it, in the answer, the audit trail and the log", async () => {
    const created = await t.admin('POST', '/partners', { name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO' });
    const id = created.body.id;
    await t.admin('POST', `/partners/${id}/approve`);
    const res = await t.admin('POST', `/partners/${id}/connect`, { versions_url: partner.versionsUrl, token_a: 'their-token-a' });
    expect(res.status).to.equal(502);
    expect(res.body.error).to.equal('partner_api_unusable');
    expect(res.body.message).to.include(`GET ${partner.versionsUrl}`).and.include('127.0.0.1, a loopback address').and.include('set ALLOW_PRIVATE_PARTNER_URLS=true');
    const viaName = await t.admin('POST', `/partners/${id}/connect`, { versions_url: `http://localhost:${new URL(partner.url).port}/ocpi/versions`, token_a: 'their-token-a' });
    expect(viaName.body.message).to.match(/localhost resolves to (127\.0\.0\.1|::1), a loopback address; set ALLOW_PRIVATE_PARTNER_URLS=true/);
    expect(partner.seen).to.deep.equal([]);
    const events = await t.admin('GET', `/partners/${id}/events`);
    expect(events.body.data.at(-1).kind).to.equal('CONNECT_FAILED');
    expect(events.body.data.at(-1).detail.reason).to.include('ALLOW_PRIVATE_PARTNER_URLS');
    expect(captured.lines.find((l) => l.msg === 'outbound call refused')).to.include({ setting: 'ALLOW_PRIVATE_PARTNER_URLS', address: '127.0.0.1' });
  });
});

describe('partner URLs: redirects and oversized answers read like any failed fetch (private addresses allowed, as in the rest of the suite)', () => {
  let t: TestHub;
  let partner: FakePartner;
  beforeEach(async () => {
    t = await startTestHub();
    partner = await new FakePartner().start();
    partner.accepted.add('token-b');
  });
  afterEach(async () => {
    await partner.stop();
    await t.stop();
  });

  it('a 302 from the versions URL is not followed and the partner reads the generic message', async () => {
    const { tokenA } = await approvedCpo(t);
    partner.routes.set('GET /ocpi/versions', () => ({ status: 302, body: {}, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: partner.credentials('token-b') });
    expect([res.body.status_code, res.body.status_message]).to.deep.equal([3001, GENERIC]);
    expect(partner.seen.map((s) => s.path)).to.deep.equal(['/ocpi/versions']);
  });

  it('an 11 MiB version details answer is cut off and the partner reads the generic message', async () => {
    const { tokenA } = await approvedCpo(t);
    partner.routes.set('GET /ocpi/2.2.1', () => ({ body: { data: { version: '2.2.1', endpoints: [], padding: 'x'.repeat(11 * 1024 * 1024) }, status_code: 1000, timestamp: new Date().toISOString() } }));
    const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: partner.credentials('token-b') });
    expect([res.body.status_code, res.body.status_message]).to.deep.equal([3001, GENERIC]);
  });

  it('an answer actually received still tells the partner its HTTP status', async () => {
    const { tokenA } = await approvedCpo(t);
    const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: partner.credentials('a-token-it-does-not-know') });
    expect(res.body.status_message).to.include('HTTP 401');
  });

  it('endpoints a partner listed earlier are refused too once the policy is on (pull-sync, rotation), without a request reaching them', async () => {
    const cpo = await onboardCpo(t);
    await t.stop();
    const captured = capturingLogger();
    t = await startTestHub({ databaseName: t.databaseName, env: { ...t.env, ...POLICY_ON }, log: captured.log });
    try {
      cpo.partner.seen = [];
      const stored = await t.hub.services.orm.em.fork().findOneOrFail(PartnerEntity, { id: cpo.id });
      const err = await syncLocations(t.hub.services, stored, undefined).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(OcpiCallError);
      expect((err as OcpiCallError).failure).to.equal('REFUSED');
      expect(captured.lines.find((l) => l.msg === 'outbound call refused')!.url).to.include('/ocpi/2.2.1/locations');
      const rotate = await t.admin('POST', `/partners/${cpo.id}/rotate-credentials`);
      expect(rotate.status).to.equal(502);
      expect(rotate.body.message).to.include('ALLOW_PRIVATE_PARTNER_URLS');
      expect(cpo.partner.seen).to.deep.equal([]);
    } finally {
      await cpo.partner.stop();
    }
  });
});
