import { expect } from 'chai';
import { startTestHub, type TestHub } from '../../helpers/hub.ts';
import { onboardCpo } from '../../helpers/onboarding.ts';
import { example } from '../../helpers/examples.ts';
import { http } from '../../helpers/http.ts';
import { cpoSession } from '../../helpers/charging.ts';
import { okAnswer, sandboxCpo, type SandboxCpo } from '../../helpers/sandbox.ts';

describe('sandbox: partners created in sandbox mode, their sandbox API and charges', () => {
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

  it('create with sandbox: true is approved at once: token A shown once, the versions URL, sandbox in every view', async () => {
    expect(cpo.created).to.include({ status: 'APPROVED', sandbox: true, versions_url: `${t.url}/ocpi/versions` });
    expect(cpo.created.token_a).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(cpo.created.token_a_expires_at).to.equal('2026-12-02T10:00:00.000Z');
    const one = await t.admin('GET', `/partners/${cpo.id}`);
    expect(one.body).to.include({ sandbox: true, status: 'ACTIVE', trusted: true });
    expect(one.body).to.not.have.property('token_a');
    const normal = await t.admin('POST', '/partners', { name: 'Normal', country_code: 'NL', party_id: 'NOR', role: 'CPO', sandbox: false });
    expect(normal.status).to.equal(201);
    expect(normal.body).to.include({ status: 'PENDING_REVIEW', sandbox: false });
    expect(normal.body).to.not.have.property('token_a');
    const list = await t.admin('GET', '/partners');
    expect(list.body.data.map((p: any) => [p.party_id, p.sandbox])).to.deep.equal([['BEC', true], ['NOR', false]]);
    expect((await t.admin('GET', '/partners?sandbox=true')).body.data.map((p: any) => p.party_id)).to.deep.equal(['BEC']);
    expect((await t.admin('GET', '/partners?sandbox=false&status=PENDING_REVIEW')).body.data.map((p: any) => p.party_id)).to.deep.equal(['NOR']);
    const bad = await t.admin('GET', '/partners?sandbox=yes');
    expect(bad.status).to.equal(422);
    expect(bad.body.message).to.equal('sandbox: give true or false (once)');
    const events = await t.admin('GET', `/partners/${cpo.id}/events`);
    expect(events.body.data.map((e: any) => e.kind).slice(0, 2)).to.deep.equal(['APPLIED', 'APPROVED']);
  });

  it('sandbox must be a boolean: anything else is refused naming the field', async () => {
    for (const value of ['true', 1, {}, []]) {
      const res = await t.admin('POST', '/partners', { name: 'X', country_code: 'NL', party_id: 'XXX', role: 'CPO', sandbox: value });
      expect(res.status, JSON.stringify(value)).to.equal(422);
      expect(res.body).to.deep.equal({ error: 'invalid_request', message: 'sandbox: must be true or false' });
    }
  });

  it('the sandbox API takes the partner’s own token C as Bearer (raw or base64), its id or "me", and nothing else', async () => {
    for (const options of [{}, { raw: false }, { id: 'me' }, { id: cpo.id.toUpperCase() }]) {
      const res = await cpo.api('GET', '/orders/00000000-0000-4000-8000-000000000000', undefined, options);
      expect(res.status, JSON.stringify(options)).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'not_found', message: 'you have no order 00000000-0000-4000-8000-000000000000' });
    }
    const none = await http('GET', `${t.url}/api/v1/sandbox/partners/me/orders/x`);
    expect(none.status).to.equal(401);
    expect(none.body).to.deep.equal({ error: 'unauthenticated', message: 'Authorization must be "Bearer <your OCPI token C>"' });
    const wrong = await cpo.api('GET', '/orders/x', undefined, { token: 'not-a-token-of-anybody' });
    expect(wrong.status).to.equal(401);
    expect(wrong.body).to.deep.equal({ error: 'unauthenticated', message: 'unknown or expired token' });
    // Token A opens only versions and credentials, here as on OCPI.
    const tokenA = await cpo.api('GET', '/orders/x', undefined, { token: cpo.created.token_a });
    expect(tokenA.status).to.equal(401);

    // Another sandbox partner's token asking for this one: 403, never its data.
    const other = await sandboxCpo(t, { country_code: 'NL', party_id: 'OTH' });
    try {
      const foreign = await other.api('GET', '/orders/x', undefined, { id: cpo.id });
      expect(foreign.status).to.equal(403);
      expect(foreign.body).to.deep.equal({ error: 'forbidden', message: 'your token opens only your own sandbox (use your partner id or "me")' });
    } finally {
      await other.partner.stop();
    }
    // A partner that is not a sandbox partner: 403 saying what the endpoint is for.
    const normal = await onboardCpo(t, { country_code: 'DE', party_id: 'NRM' });
    try {
      const res = await http('GET', `${t.url}/api/v1/sandbox/partners/me/orders/x`, { headers: { authorization: `Bearer ${normal.token}` } });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ error: 'forbidden', message: 'this endpoint is for sandbox partners: your partner is not one' });
    } finally {
      await normal.partner.stop();
    }
  });

  it('start-session validates each field, naming it', async () => {
    expect((await cpo.putLocation()).status).to.equal(201);
    const refused = async (body: unknown, message: string, reason?: string) => {
      const res = await cpo.api('POST', '/start-session', body);
      expect(res.status, JSON.stringify(res.body)).to.equal(422);
      expect(res.body.message).to.equal(message);
      if (reason) expect(res.body.reason).to.equal(reason);
    };
    await refused({ evse_uid: '3256' }, 'location_id: is required');
    await refused({ location_id: 7, evse_uid: '3256' }, 'location_id: must be a string of 1 to 36 printable ASCII characters');
    await refused({ location_id: 'LOC1' }, 'evse_uid: is required');
    await refused({ location_id: 'LOC1', evse_uid: '3256', connector_id: 1 }, 'connector_id: must be a string of 1 to 36 printable ASCII characters');
    await refused({ location_id: 'LOC1', evse_uid: '3256', token_uid: 'X' }, 'token_uid: is not a field of a sandbox start (location_id, evse_uid, connector_id)');
    await refused({ location_id: 'LOC9', evse_uid: '3256' }, 'location_id: you have no location LOC9 at the hub (push it to the Locations receiver first)');
    await refused({ location_id: 'LOC1', evse_uid: '9999' }, 'evse_uid: no EVSE 9999 at location LOC1'.replace('LOC1', (await hubLocationId(t, 'LOC1'))), 'EVSE_UNKNOWN');
    await refused({ location_id: 'LOC1', evse_uid: '3256', connector_id: '9' }, 'connector_id: no connector 9 on EVSE 3256', 'CONNECTOR_UNKNOWN');
    expect(cpo.commands()).to.have.length(0);
  });

  it('start-session sends START_SESSION to the partner as in production: PENDING, CommandResult → ACTIVE, session, stop → STOP_SESSION', async () => {
    expect((await cpo.putLocation()).status).to.equal(201);
    const res = await cpo.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256', connector_id: '1' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const orderId = res.body.order_id;
    expect(res.body).to.include({ id: orderId, state: 'PENDING', reason: 'START_ACCEPTED', origin: 'APP', partner_id: cpo.id, ocpi_location_id: 'LOC1', evse_uid: '3256', connector_id: '1' });
    expect(res.body.token).to.deep.equal({ uid: 'SANDBOX-BE-BEC', type: 'APP_USER' });
    expect(res.headers.location).to.equal(`/api/v1/sandbox/partners/${cpo.id}/orders/${orderId}`);

    const [sent] = cpo.commands('START_SESSION');
    expect(cpo.commands()).to.have.length(1);
    expect(sent!.token).to.equal(cpo.tokenB);
    const body = sent!.body as any;
    expect(body).to.deep.include({ location_id: 'LOC1', evse_uid: '3256', connector_id: '1', authorization_reference: orderId });
    expect(body.token).to.deep.include({ country_code: 'NL', party_id: 'HUB', uid: 'SANDBOX-BE-BEC', type: 'APP_USER', contract_id: 'NL-HUB-SBEBEC', valid: true, whitelist: 'ALLOWED' });
    expect(body.response_url).to.match(new RegExp(`^${t.url}/ocpi/2.2.1/commands/START_SESSION/[0-9a-f-]{36}$`));

    const result = await cpo.result('ACCEPTED');
    expect(result.body.status_code).to.equal(1000);
    const active = await cpo.api('GET', `/orders/${orderId}`);
    expect(active.status).to.equal(200);
    expect(active.body).to.include({ order_id: orderId, state: 'ACTIVE', reason: 'RESULT_ACCEPTED', message: 'Charging.' });

    const session = cpoSession(orderId, 'ACTIVE', {
      cdr_token: { country_code: 'NL', party_id: 'HUB', uid: 'SANDBOX-BE-BEC', type: 'APP_USER', contract_id: 'NL-HUB-SBEBEC' },
    });
    t.clock.reach('2026-11-25T10:00:10Z');
    expect((await t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: cpo.token, body: session })).status).to.equal(201);

    const stopped = await cpo.api('POST', `/orders/${orderId}/stop`);
    expect(stopped.status, JSON.stringify(stopped.body)).to.equal(202);
    expect(stopped.body).to.include({ order_id: orderId, state: 'STOPPING' });
    const [stop] = cpo.commands('STOP_SESSION');
    expect(stop!.body).to.deep.include({ session_id: 'S-1' });
    expect((stop!.body as any).response_url).to.match(new RegExp(`^${t.url}/ocpi/2.2.1/commands/STOP_SESSION/[0-9a-f-]{36}$`));
    const again = await cpo.api('POST', `/orders/${orderId}/stop`);
    expect(again.body.state).to.equal('STOPPING');
    expect(cpo.commands('STOP_SESSION')).to.have.length(1);
  });

  it('a CPO that refuses START_SESSION fails the order exactly as the app’s would', async () => {
    expect((await cpo.putLocation()).status).to.equal(201);
    cpo.commandAnswer.START_SESSION = () => okAnswer({ result: 'REJECTED', timeout: 30 });
    const res = await cpo.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' });
    expect(res.status).to.equal(201);
    expect(res.body, JSON.stringify(res.body)).to.include({ state: 'FAILED', reason: 'START_REJECTED' });
  });

  it('an order of another partner is not found through this partner’s sandbox', async () => {
    expect((await cpo.putLocation()).status).to.equal(201);
    const { body } = await cpo.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' });
    const other = await sandboxCpo(t, { country_code: 'NL', party_id: 'OTH' });
    try {
      for (const [method, path] of [['GET', `/orders/${body.order_id}`], ['POST', `/orders/${body.order_id}/stop`]] as const) {
        const res = await other.api(method, path);
        expect(res.status).to.equal(404);
        expect(res.body.message).to.equal(`you have no order ${body.order_id}`);
      }
    } finally {
      await other.partner.stop();
    }
  });
});


describe('sandbox: the API shares the OCPI lockout', () => {
  let t: TestHub;
  let cpo: SandboxCpo;
  before(async () => {
    t = await startTestHub({ env: { AUTH_LOCKOUT_FAILURES: '2' } });
    cpo = await sandboxCpo(t);
  });
  after(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('guessed tokens count on the address: past the limit 429 (on OCPI too), while the partner’s own token still opens its sandbox', async () => {
    const guess = () => cpo.api('GET', '/requests', undefined, { token: 'guessed-token-000000000000' });
    expect((await guess()).status).to.equal(401);
    expect((await guess()).status).to.equal(401);
    const locked = await guess();
    expect(locked.status).to.equal(429);
    expect(locked.body.error).to.equal('locked_out');
    expect((await t.ocpi('GET', '/ocpi/2.2.1/tokens', { token: 'another-guess-0000000000' })).status).to.equal(429);
    // Its token is bound to this address (it registered from it): somebody else's guessing does not lock it out.
    expect((await cpo.api('GET', '/requests')).status).to.equal(200);
  });
});

async function hubLocationId(t: TestHub, ocpiId: string): Promise<string> {
  const rows = await t.hub.services.orm.em.fork().getConnection().execute(`select id from locations where location_id = ?`, [ocpiId]);
  return rows[0]!.id;
}
