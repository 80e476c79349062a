import { expect } from 'chai';
import { startTestHub, APP_KEY, type TestHub } from '../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../helpers/onboarding.ts';
import { example } from '../helpers/examples.ts';
import { http } from '../helpers/http.ts';

describe('tokens: app API, OCPI sender and real-time authorization', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const app = (method: string, path: string, body?: unknown) => http(method, `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${APP_KEY}` }, body });

  beforeEach(async () => {
    t = await startTestHub({ env: { PAGINATION_MAX_LIMIT: '2' } });
    cpo = await onboardCpo(t);
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('stores a token under the hub party whatever is sent, and reads it back', async () => {
    const body = example('token_example_2_full_rfid.json');
    const created = await app('PUT', `/tokens/${body.uid}`, body);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.deep.include({ country_code: 'NL', party_id: 'HUB', uid: body.uid, type: 'RFID', contract_id: body.contract_id, valid: true, last_updated: '2026-11-25T10:00:00.000Z' });
    expect((await app('GET', `/tokens/${body.uid}`)).body).to.deep.equal(created.body);
    t.clock.advance(1000);
    const blocked = await app('PUT', `/tokens/${body.uid}`, { ...body, valid: false });
    expect(blocked.status).to.equal(200);
    expect(blocked.body).to.include({ valid: false, last_updated: '2026-11-25T10:00:01.000Z' });
  });

  it('refuses an invalid token naming the field', async () => {
    const res = await app('PUT', '/tokens/ABC', { type: 'APP_USER', contract_id: 'NL-HUB-C1', issuer: 'Hub', valid: true, whitelist: 'SOMETIMES' });
    expect(res.status).to.equal(422);
    expect(res.body).to.deep.equal({ error: 'invalid_request', message: 'whitelist: must be one of ALWAYS, ALLOWED, ALLOWED_OFFLINE, NEVER', errors: ['whitelist: must be one of ALWAYS, ALLOWED, ALLOWED_OFFLINE, NEVER'] });
    expect((await app('GET', '/tokens/ABC?type=APP_USER')).status).to.equal(404);
  });

  it('pages the tokens sender oldest first', async () => {
    for (const uid of ['T1', 'T2', 'T3']) {
      await app('PUT', `/tokens/${uid}`, { type: 'APP_USER', contract_id: `NL-HUB-${uid}`, issuer: 'Hub', valid: true, whitelist: 'NEVER' });
      t.clock.advance(1000);
    }
    const first = await t.ocpi('GET', '/ocpi/2.2.1/tokens', { token: cpo.token });
    expect(first.body.data.map((x: any) => x.uid)).to.deep.equal(['T1', 'T2']);
    expect(first.headers['x-total-count']).to.equal('3');
    expect(first.headers.link).to.equal(`<${t.url}/ocpi/2.2.1/tokens?offset=2&limit=2>; rel="next"`);
    const second = await t.ocpi('GET', '/ocpi/2.2.1/tokens?offset=2&limit=2', { token: cpo.token });
    expect(second.body.data.map((x: any) => x.uid)).to.deep.equal(['T3']);
    const since = await t.ocpi('GET', '/ocpi/2.2.1/tokens?date_from=2026-11-25T10:00:01Z', { token: cpo.token });
    expect(since.body.data.map((x: any) => x.uid)).to.deep.equal(['T2', 'T3']);
  });

  it('authorizes a valid token, answers BLOCKED for a blocked one and 404 + 2004 for an unknown one', async () => {
    await app('PUT', '/tokens/RF1', { type: 'RFID', contract_id: 'NL-HUB-R1', issuer: 'Hub', valid: true, whitelist: 'ALLOWED' });
    const ok = await t.ocpi('POST', '/ocpi/2.2.1/tokens/RF1/authorize', { token: cpo.token, body: { location_id: 'LOC1', evse_uids: ['3256'] } });
    expect(ok.status).to.equal(200);
    expect(ok.body.data).to.deep.include({ allowed: 'ALLOWED', location: { location_id: 'LOC1', evse_uids: ['3256'] } });
    expect(ok.body.data.token.uid).to.equal('RF1');
    expect(ok.body.data.authorization_reference).to.match(/^[0-9a-f-]{36}$/);

    await app('PUT', '/tokens/RF1', { type: 'RFID', contract_id: 'NL-HUB-R1', issuer: 'Hub', valid: false, whitelist: 'ALLOWED' });
    const blocked = await t.ocpi('POST', '/ocpi/2.2.1/tokens/rf1/authorize?type=RFID', { token: cpo.token });
    expect(blocked.status).to.equal(200);
    expect(blocked.body.data.allowed).to.equal('BLOCKED');

    const unknown = await t.ocpi('POST', '/ocpi/2.2.1/tokens/NOPE/authorize', { token: cpo.token });
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.deep.include({ status_code: 2004, status_message: 'unknown RFID token NOPE' });
    const wrongType = await t.ocpi('POST', '/ocpi/2.2.1/tokens/RF1/authorize?type=APP_USER', { token: cpo.token });
    expect(wrongType.status).to.equal(404);
  });
});
