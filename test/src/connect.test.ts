import { expect } from 'chai';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { FakePartner } from '../helpers/partner.ts';
import { b64 } from '../helpers/http.ts';

describe('credentials: the hub as initiating side', () => {
  let t: TestHub;
  let partner: FakePartner;
  let id: string;
  beforeEach(async () => {
    t = await startTestHub();
    partner = await new FakePartner().start();
    partner.accepted.add('their-token-a');
    const created = await t.admin('POST', '/partners', { name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO' });
    id = created.body.id;
    await t.admin('POST', `/partners/${id}/approve`);
  });
  afterEach(async () => {
    await partner.stop();
    await t.stop();
  });

  it('connects with the partner token A: negotiates, registers, stores the endpoints and token C', async () => {
    const res = await t.admin('POST', `/partners/${id}/connect`, { versions_url: partner.versionsUrl, token_a: 'their-token-a' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ status: 'ACTIVE', version: '2.2.1', versions_url: partner.versionsUrl, registered: true, token_a_pending: false });
    expect(res.body.endpoints).to.have.length(7);
    await t.hub.services.partnerSync.settled();
    // versions, details, then the POST of our credentials, all with token A; then, with its token C,
    // the background pull of its Tariffs, then Locations (this fake CPO serves neither: 404).
    expect(partner.seen.map((s) => [s.method, s.path, s.token])).to.deep.equal([
      ['GET', '/ocpi/versions', 'their-token-a'],
      ['GET', '/ocpi/2.2.1', 'their-token-a'],
      ['POST', '/ocpi/2.2.1/credentials', 'their-token-a'],
      ['GET', '/ocpi/2.2.1/tariffs?date_to=2026-11-25T10%3A00%3A00.000Z', 'partner-token-c-1'],
      ['GET', '/ocpi/2.2.1/locations?date_to=2026-11-25T10%3A00%3A00.000Z', 'partner-token-c-1'],
    ]);
    const posted = partner.seen[2]!.body as any;
    expect(posted.url).to.equal(`${t.url}/ocpi/versions`);
    expect(posted.roles).to.deep.equal([{ role: 'HUB', party_id: 'HUB', country_code: 'NL', business_details: { name: 'ocpi-hub' } }]);
    // During its half, the partner called us back with the token we gave it, and it worked.
    expect(partner.callbacks.map((c) => c.status)).to.deep.equal([200, 200]);
    // That token now opens the hub for the partner; our token A for it is dead.
    expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: posted.token })).status).to.equal(200);
    const events = await t.admin('GET', `/partners/${id}/events`);
    expect(events.body.data.map((e: any) => e.kind)).to.deep.equal(['APPLIED', 'APPROVED', 'CREDENTIALS_CONNECTED', 'SYNC_FAILED']);
  });

  it('does not POST when required endpoints are missing, and reports which', async () => {
    partner.endpoints = partner.defaultEndpoints().filter((e) => e.identifier !== 'cdrs');
    const res = await t.admin('POST', `/partners/${id}/connect`, { versions_url: partner.versionsUrl, token_a: 'their-token-a' });
    expect(res.status).to.equal(502);
    expect(res.body).to.deep.equal({ error: 'partner_endpoints_missing', message: 'partner version 2.2.1 lacks required endpoints: cdrs (SENDER)' });
    expect(partner.seen.map((s) => s.method)).to.deep.equal(['GET', 'GET']);
    const detail = await t.admin('GET', `/partners/${id}`);
    expect(detail.body.status).to.equal('APPROVED');
    const events = await t.admin('GET', `/partners/${id}/events`);
    expect(events.body.data.at(-1)).to.deep.include({ kind: 'CONNECT_FAILED', detail: { reason: 'partner version 2.2.1 lacks required endpoints: cdrs (SENDER)' } });
  });

  it('reports an unreachable partner with 502 and leaves no token of ours alive', async () => {
    const res = await t.admin('POST', `/partners/${id}/connect`, { versions_url: 'http://127.0.0.1:9/ocpi/versions', token_a: 'their-token-a' });
    expect(res.status).to.equal(502);
    expect(res.body.error).to.equal('partner_api_unusable');
    const live = await t.hub.services.orm.em.fork().getConnection().execute(`select kind from partner_tokens where partner_id = ? and revoked_at is null`, [id]);
    expect(live.map((r: any) => r.kind)).to.deep.equal(['A']);
  });

  it('validates the connect body, naming the field', async () => {
    const res = await t.admin('POST', `/partners/${id}/connect`, { versions_url: 'ftp://x', token_a: 'a' });
    expect(res.status).to.equal(422);
    expect(res.body.message).to.equal("versions_url: must be the partner's http(s) versions URL");
  });

  it('rotates both tokens on operator request: a PUT with a new token for the partner, the old one dies', async () => {
    await t.admin('POST', `/partners/${id}/connect`, { versions_url: partner.versionsUrl, token_a: 'their-token-a' });
    await t.hub.services.partnerSync.settled();
    const oldOurs = (partner.seen[2]!.body as any).token;
    partner.seen = [];
    partner.nextTokenC = 'partner-token-c-2';
    const res = await t.admin('POST', `/partners/${id}/rotate-credentials`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(partner.seen.map((s) => [s.method, s.path, s.token])).to.deep.equal([
      ['GET', '/ocpi/versions', 'partner-token-c-1'],
      ['GET', '/ocpi/2.2.1', 'partner-token-c-1'],
      ['PUT', '/ocpi/2.2.1/credentials', 'partner-token-c-1'],
    ]);
    const newOurs = (partner.seen[2]!.body as any).token;
    expect(newOurs).to.not.equal(oldOurs);
    expect((await t.ocpi('GET', '/ocpi/versions', { token: oldOurs })).status).to.equal(401);
    expect((await t.ocpi('GET', '/ocpi/versions', { token: newOurs })).status).to.equal(200);
    // The hub now presents the partner's new token.
    partner.seen = [];
    await t.admin('POST', `/partners/${id}/rotate-credentials`);
    expect(partner.seen[0]!.authorization).to.equal(`Token ${b64('partner-token-c-2')}`);
  });

  it('refuses to connect a partner that is not APPROVED with 409', async () => {
    await t.admin('POST', `/partners/${id}/suspend`);
    const res = await t.admin('POST', `/partners/${id}/connect`, { versions_url: partner.versionsUrl, token_a: 'their-token-a' });
    expect(res.status).to.equal(409);
    expect(res.body).to.deep.equal({ error: 'conflict', message: 'cannot connect a partner in state SUSPENDED', status: 'SUSPENDED' });
  });
});
