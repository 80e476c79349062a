import { expect } from 'chai';
import { startTestHub, type TestHub } from '../../helpers/hub.ts';
import { onboardCpo } from '../../helpers/onboarding.ts';
import { http } from '../../helpers/http.ts';
import { sandboxCpo, type SandboxCpo } from '../../helpers/sandbox.ts';

describe('sandbox: the request log a sandbox partner reads back', () => {
  let t: TestHub;
  let cpo: SandboxCpo;
  beforeEach(async () => {
    t = await startTestHub({ env: { COMMAND_TIMEOUT_SECONDS: '1' } });
    cpo = await sandboxCpo(t);
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  const log = async () => {
    const res = await cpo.api('GET', '/requests');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.data as any[];
  };
  const at = '2026-11-25T10:00:00.000Z';

  it('holds both directions, newest first: its requests to the hub and the hub’s calls to it, with statuses, messages and correlation ids', async () => {
    // The registration: the hub read its versions and details (with token B) while answering its
    // POST of credentials, then started a pull (404 from this CPO).
    const registration = await log();
    expect(registration.slice(2).map((e) => [e.direction, e.method, e.path])).to.deep.equal([
      ['INBOUND', 'POST', '/ocpi/2.2.1/credentials'],
      ['OUTBOUND', 'GET', '/ocpi/2.2.1'],
      ['OUTBOUND', 'GET', '/ocpi/versions'],
    ]);
    expect(registration.map((e) => [e.direction, e.method, e.path.split('?')[0], e.http_status, e.status_code]).sort()).to.deep.equal([
      ['INBOUND', 'POST', '/ocpi/2.2.1/credentials', 200, 1000],
      ['OUTBOUND', 'GET', '/ocpi/2.2.1', 200, 1000],
      ['OUTBOUND', 'GET', '/ocpi/2.2.1/locations', 404, 2000],
      ['OUTBOUND', 'GET', '/ocpi/2.2.1/tariffs', 404, 2000],
      ['OUTBOUND', 'GET', '/ocpi/versions', 200, 1000],
    ]);
    // The discovery shares the registration's correlation id.
    expect(new Set(registration.slice(2).map((e) => e.correlation_id)).size).to.equal(1);
    const pull = registration.find((e) => e.path.startsWith('/ocpi/2.2.1/locations'));
    expect(pull).to.deep.include({ path: '/ocpi/2.2.1/locations?date_to=2026-11-25T10%3A00%3A00.000Z', status_message: `GET ${cpo.partner.url}/ocpi/2.2.1/locations?date_to=2026-11-25T10%3A00%3A00.000Z: HTTP 404` });
    expect((await cpo.api('DELETE', '/data')).body.removed.request_log).to.equal(5);
    expect(await log()).to.deep.equal([]);

    t.clock.advance(1000);
    expect((await cpo.putLocation()).status).to.equal(201);
    t.clock.advance(1000);
    const bad = await t.ocpi('PATCH', '/ocpi/2.2.1/locations/BE/BEC/LOC1/3256', { token: cpo.token, body: { status: 'SLEEPING', last_updated: '2026-11-25T10:00:02Z' }, headers: { 'x-correlation-id': 'my-correlation-1' } });
    expect(bad.body.status_code).to.equal(2001);
    t.clock.advance(1000);
    const start = await cpo.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' });
    const orderId = start.body.order_id;
    const commandUrl = new URL((cpo.commands('START_SESSION')[0]!.body as any).response_url).pathname;
    t.clock.advance(1000);
    expect((await cpo.result('ACCEPTED')).body.status_code).to.equal(1000);

    const entries = await log();
    expect(entries).to.have.length(4);
    expect(entries[0]).to.deep.include({ timestamp: '2026-11-25T10:00:04.000Z', direction: 'INBOUND', method: 'POST', path: commandUrl, http_status: 200, status_code: 1000, status_message: null });
    expect(entries[1]).to.deep.equal({ timestamp: '2026-11-25T10:00:03.000Z', direction: 'OUTBOUND', method: 'POST', path: '/ocpi/2.2.1/commands/START_SESSION', http_status: 200, status_code: 1000, status_message: null, correlation_id: orderId });
    expect(entries[2]).to.deep.include({ timestamp: '2026-11-25T10:00:02.000Z', direction: 'INBOUND', method: 'PATCH', path: '/ocpi/2.2.1/locations/BE/BEC/LOC1/3256', http_status: 200, status_code: 2001, correlation_id: 'my-correlation-1' });
    expect(entries[2].status_message).to.equal(bad.body.status_message);
    expect(entries[3]).to.deep.include({ timestamp: '2026-11-25T10:00:01.000Z', direction: 'INBOUND', method: 'PUT', path: '/ocpi/2.2.1/locations/BE/BEC/LOC1', http_status: 201, status_code: 1000 });
    expect(entries[3].correlation_id).to.match(/^[0-9a-f-]{36}$/);
  });

  it('a failed call of the hub’s is logged too: HTTP status, the partner’s status code, what failed', async () => {
    expect((await cpo.putLocation()).status).to.equal(201);
    await cpo.api('DELETE', '/data');
    expect((await cpo.putLocation()).status).to.equal(201);
    cpo.commandAnswer.START_SESSION = () => ({ status: 500, body: { status_code: 3000, status_message: 'boom', timestamp: new Date().toISOString() } });
    await cpo.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' });
    const [call] = await log();
    expect(call).to.deep.include({ direction: 'OUTBOUND', method: 'POST', path: '/ocpi/2.2.1/commands/START_SESSION', http_status: 500, status_code: 3000, status_message: `POST ${cpo.partner.url}/ocpi/2.2.1/commands/START_SESSION: HTTP 500` });
  });

  it('never holds a token: credentials tokens, opaque values and driver token uids are masked; Authorization is not stored', async () => {
    await cpo.api('DELETE', '/data');
    const opaque = 'AbCdEfGhIjKlMnOpQrStUvWx12';
    const uuid = '0b8313d8-4ece-4c91-b3b6-7d335b337722';
    await t.ocpi('GET', `/ocpi/2.2.1/tokens?x=${cpo.token}&y=${opaque}&z=${uuid}&offset=0`, { token: cpo.token });
    await t.ocpi('POST', '/ocpi/2.2.1/tokens/CARD-123456/authorize?type=RFID', { token: cpo.token, raw: true });
    const [authorize, list] = await log();
    expect(list).to.deep.include({ method: 'GET', path: `/ocpi/2.2.1/tokens?x=***&y=***&z=${uuid}&offset=0`, http_status: 200, status_code: 1000 });
    expect(authorize).to.deep.include({ method: 'POST', path: '/ocpi/2.2.1/tokens/CARD…/authorize?type=RFID', http_status: 404, status_code: 2004, status_message: 'unknown RFID token CARD…' });
    const rows = await t.hub.services.orm.em.fork().getConnection().execute(`select * from sandbox_requests`);
    const stored = JSON.stringify(rows);
    for (const secret of [cpo.token, Buffer.from(cpo.token).toString('base64'), cpo.tokenB, Buffer.from(cpo.tokenB).toString('base64'), opaque, 'CARD-123456']) expect(stored).to.not.include(secret);
  });

  it('keeps the last 200 exchanges per partner (older ones trimmed on insert), and only for sandbox partners', async () => {
    await cpo.api('DELETE', '/data');
    for (let i = 0; i < 205; i++) {
      const res = await t.ocpi('GET', `/ocpi/2.2.1/tokens?offset=${i}`, { token: cpo.token });
      expect(res.status).to.equal(200);
    }
    const entries = await log();
    expect(entries).to.have.length(200);
    expect(entries[0].path).to.equal('/ocpi/2.2.1/tokens?offset=204');
    expect(entries[199].path).to.equal('/ocpi/2.2.1/tokens?offset=5');
    const { n } = (await t.hub.services.orm.em.fork().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from sandbox_requests where partner_id = ?`, [cpo.id]))[0]!;
    expect(n).to.equal(200);

    const normal = await onboardCpo(t, { country_code: 'DE', party_id: 'NRM' });
    try {
      await t.ocpi('GET', '/ocpi/2.2.1/tokens', { token: normal.token });
      const { m } = (await t.hub.services.orm.em.fork().getConnection().execute<{ m: number }[]>(`select count(*)::int as m from sandbox_requests where partner_id = ?`, [normal.id]))[0]!;
      expect(m).to.equal(0);
      const refused = await http('GET', `${t.url}/api/v1/sandbox/partners/${normal.id}/requests`, { headers: { authorization: `Bearer ${normal.token}` } });
      expect(refused.status).to.equal(403);
    } finally {
      await normal.partner.stop();
    }
  });
});
