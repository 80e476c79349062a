import { expect } from 'chai';
import { chargingWorld, cpoSession, ok, accepted, TOKEN_UID, LOCATION, type ChargingWorld } from '../helpers/charging.ts';
import { ADMIN_KEY, FINANCE_KEY } from '../helpers/hub.ts';
import { http } from '../helpers/http.ts';
import { runJob } from '../../src/jobs/scheduler.ts';
import { freshnessJob } from '../../ocpi-modules/locations/freshness.ts';

const s = (n: number) => n * 1000;

describe('charging: app API refusals and idempotency', () => {
  let w: ChargingWorld;
  beforeEach(async () => {
    w = await chargingWorld();
  });
  afterEach(() => w.stop());

  const refused = async (body: Record<string, unknown>, status: number, reason: string, message?: string) => {
    const res = await w.start(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.body.reason, JSON.stringify(res.body)).to.equal(reason);
    if (message) expect(res.body.message).to.equal(message);
    return res;
  };

  it('needs the app key', async () => {
    for (const key of ['nope', ADMIN_KEY, FINANCE_KEY]) {
      const res = await http('POST', `${w.t.url}/api/v1/charging-sessions`, { headers: { authorization: `Bearer ${key}` }, body: {} });
      expect(res.status).to.equal(401);
    }
  });

  it('refuses a request that names nothing we know (422), each with its reason, and sends nothing', async () => {
    await refused({ evse_uid: undefined }, 422, 'INVALID_REQUEST', 'evse_uid: is required');
    await refused({ price: 1 }, 422, 'INVALID_REQUEST', 'price: is not a field of a charging request');
    await refused({ connector_id: 7 }, 422, 'INVALID_REQUEST', 'connector_id: must be a string of 1 to 36 printable ASCII characters');
    await refused({ location_id: 'LOC1' }, 422, 'LOCATION_UNKNOWN', 'location_id: no location LOC1 (use the id from /api/v1/locations)');
    await refused({ location_id: '00000000-0000-4000-8000-000000000000' }, 422, 'LOCATION_UNKNOWN');
    await refused({ evse_uid: '9999' }, 422, 'EVSE_UNKNOWN', `evse_uid: no EVSE 9999 at location ${w.locationId}`);
    await refused({ connector_id: '9' }, 422, 'CONNECTOR_UNKNOWN', 'connector_id: no connector 9 on EVSE 3256');
    await refused({ token_uid: 'NOBODY' }, 422, 'TOKEN_UNKNOWN', 'token_uid: no token NOBODY');
    await refused({ token_type: 'RFID' }, 422, 'TOKEN_UNKNOWN', `token_uid: no token ${TOKEN_UID} of type RFID`);
    await w.app('PUT', `/tokens/${TOKEN_UID}`, { type: 'RFID', contract_id: 'NL-HUB-C00000002', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
    await refused({}, 422, 'INVALID_REQUEST', `token_type: is required, token ${TOKEN_UID} exists as APP_USER and RFID`);
    expect((await w.start({ token_type: 'APP_USER', evse_uid: '3256', connector_id: '2' })).status).to.equal(202);
    expect(w.commands()).to.have.length(1);
    expect((w.commands()[0]!.body as any).connector_id).to.equal('2');
  });

  it('refuses a state that forbids charging (409): blocked token, EVSE inoperative, removed, stale, unpublished; partner hidden or suspended', async () => {
    await w.app('PUT', `/tokens/${TOKEN_UID}`, { type: 'APP_USER', contract_id: 'NL-HUB-C00000001', issuer: 'ocpi-hub', valid: false, whitelist: 'ALLOWED' });
    await refused({}, 409, 'TOKEN_INVALID', `token ${TOKEN_UID} is not valid (blocked)`);
    await w.app('PUT', `/tokens/${TOKEN_UID}`, { type: 'APP_USER', contract_id: 'NL-HUB-C00000001', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });

    const status = (evse: string, value: string, at: string) => w.t.ocpi('PATCH', `${LOCATION}/${evse}`, { token: w.cpo.token, body: { status: value, last_updated: at } });
    await status('3256', 'INOPERATIVE', '2026-11-25T10:00:01Z');
    await refused({}, 409, 'EVSE_INOPERATIVE', 'EVSE 3256: the charger is out of order (status INOPERATIVE)');
    await status('3256', 'OUTOFORDER', '2026-11-25T10:00:02Z');
    await refused({}, 409, 'EVSE_INOPERATIVE');
    await status('3256', 'PLANNED', '2026-11-25T10:00:03Z');
    await refused({}, 409, 'EVSE_NOT_IN_SERVICE');
    await status('3257', 'REMOVED', '2026-11-25T10:00:03Z');
    await refused({ evse_uid: '3257' }, 409, 'EVSE_REMOVED');
    await status('3256', 'AVAILABLE', '2026-11-25T10:00:04Z');

    // Stale: not heard within FRESHNESS_THRESHOLD_SECONDS (600 s).
    w.t.clock.advance(s(601));
    await refused({}, 409, 'EVSE_STATUS_UNKNOWN', 'EVSE 3256: the charger has not reported its status recently, so a start cannot be promised (status UNKNOWN)');
    // The circuit breaker hides the partner; a fresh status of one EVSE does not lift it until the job runs again.
    await runJob(w.t.hub.services, freshnessJob);
    await status('3256', 'AVAILABLE', '2026-11-25T10:10:05Z');
    await refused({}, 409, 'PARTNER_HIDDEN');
    await runJob(w.t.hub.services, freshnessJob);

    // A new EVSE from a partner no longer trusted waits for review.
    await w.t.admin('PUT', `/partners/${w.cpo.id}/trust`, { trusted: false });
    const evse = { uid: '3258', evse_id: 'BE*BEC*E041503003', status: 'AVAILABLE', connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'CABLE', power_type: 'AC_3_PHASE', max_voltage: 220, max_amperage: 16, last_updated: '2026-11-25T10:10:05Z' }], last_updated: '2026-11-25T10:10:05Z' };
    expect((await w.t.ocpi('PUT', `${LOCATION}/3258`, { token: w.cpo.token, body: evse })).body.status_code).to.equal(1000);
    await refused({ evse_uid: '3258' }, 409, 'EVSE_NOT_PUBLISHED', 'EVSE 3258 is not open to the app (waiting for review)');

    const suspended = await w.t.admin('POST', `/partners/${w.cpo.id}/suspend`, { reason: 'unpaid invoices' });
    expect(suspended.status, JSON.stringify(suspended.body)).to.equal(200);
    await refused({}, 409, 'PARTNER_UNAVAILABLE', 'the operator of this charger is not connected (SUSPENDED)');
    expect(w.commands()).to.have.length(0);
  });

  it('refuses a second start on an EVSE whose start is still being confirmed', async () => {
    w.commandAnswer.START_SESSION = () => 'DROP';
    const first = await w.start();
    const res = await refused({}, 409, 'EVSE_START_IN_PROGRESS');
    expect(res.body.message).to.equal(`EVSE 3256 already has a start waiting for confirmation (${first.body.id})`);
  });

  it('Idempotency-Key: a retry returns the same order and sends no second command; another request with the key is refused', async () => {
    const first = await w.start({}, { 'idempotency-key': 'k-1' });
    expect(first.status).to.equal(202);
    expect(first.headers['idempotent-replayed']).to.equal(undefined);
    const again = await w.start({}, { 'idempotency-key': 'k-1' });
    expect(again.status).to.equal(202);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.body.id).to.equal(first.body.id);
    expect(w.commands()).to.have.length(1);
    const other = await w.start({ connector_id: '1' }, { 'idempotency-key': 'k-1' });
    expect(other.status).to.equal(422);
    expect(other.body).to.include({ reason: 'IDEMPOTENCY_KEY_REUSED', message: 'Idempotency-Key: was already used for a different request' });
  });

  it('Idempotency-Key: two concurrent retries make one order and one command', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    w.commandAnswer.START_SESSION = async () => {
      await gate;
      return accepted();
    };
    const both = Promise.all([w.start({}, { 'idempotency-key': 'k-2' }), w.start({}, { 'idempotency-key': 'k-2' })]);
    // Let both requests reach the hub before the CPO answers.
    while (w.commands().length === 0) await new Promise((r) => setImmediate(r));
    release();
    const [a, b] = await both;
    expect([a.status, b.status]).to.deep.equal([202, 202]);
    expect(a.body.id).to.equal(b.body.id);
    expect(w.commands()).to.have.length(1);
  });
});

describe('charging: STOP_SESSION', () => {
  let w: ChargingWorld;
  let id: string;
  beforeEach(async () => {
    w = await chargingWorld();
    id = (await w.start()).body.id;
    await w.result('ACCEPTED');
    await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: cpoSession(id, 'ACTIVE') });
  });
  afterEach(() => w.stop());
  const stop = () => w.app('POST', `/charging-sessions/${id}/stop`);

  it('STOPPING with STOP_SESSION for the CPO’s session; the session COMPLETED → AWAITING_CDR; a second stop sends nothing', async () => {
    const res = await stop();
    expect(res.status).to.equal(202);
    expect(res.body).to.include({ state: 'STOPPING', message: 'Stopping…' });
    const [sent] = w.commands('STOP_SESSION');
    expect(sent!.body).to.deep.include({ session_id: 'S-1' });
    expect((sent!.body as any).response_url).to.match(/\/ocpi\/2\.2\.1\/commands\/STOP_SESSION\/[0-9a-f-]{36}$/);
    expect((await stop()).body.state).to.equal('STOPPING');
    expect(w.commands('STOP_SESSION')).to.have.length(1);
    await w.result('ACCEPTED', 1);
    expect((await w.history(id)).follow_up).to.deep.equal({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:05.000Z', attempts: 0 });
    await w.t.ocpi('PATCH', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: { status: 'COMPLETED', last_updated: '2026-11-25T10:00:20Z' } });
    const done = await w.history(id);
    expect(done).to.include({ state: 'AWAITING_CDR', reason: 'SESSION_COMPLETED' });
    expect(done.follow_up).to.equal(null);
  });

  it('a refused stop or a failed StopSession result leaves the order ACTIVE, saying so', async () => {
    w.commandAnswer.STOP_SESSION = () => ok({ result: 'REJECTED', timeout: 10 });
    expect((await stop()).body).to.include({ state: 'ACTIVE', reason: 'STOP_REJECTED', message: 'The charger operator declined to stop charging. Stop at the charger, or try again.' });
    w.commandAnswer.STOP_SESSION = () => accepted();
    expect((await stop()).body.state).to.equal('STOPPING');
    await w.result('FAILED', 2);
    expect(await w.order(id)).to.include({ state: 'ACTIVE', reason: 'STOP_RESULT_FAILED', message: 'The charger could not stop charging. Stop at the charger, or try again.' });
  });

  it('an unconfirmed stop is followed up: found COMPLETED → AWAITING_CDR; still ACTIVE after the last query → ACTIVE and a STOP_UNCONFIRMED ticket', async () => {
    w.commandAnswer.STOP_SESSION = () => 'DROP';
    expect((await stop()).body.state).to.equal('STOPPING');
    w.cpoSessions = [cpoSession(id, 'ACTIVE')];
    for (const gap of [5, 10]) await w.tick(s(gap));
    expect(await w.order(id)).to.include({ state: 'STOPPING' });
    await w.tick(s(15));
    expect(await w.order(id)).to.include({ state: 'ACTIVE', reason: 'STOP_UNCONFIRMED', message: 'The stop could not be confirmed. If the car is still charging, stop at the charger or contact support.' });
    expect((await w.tickets('STOP_UNCONFIRMED')).map((t) => t.order_id)).to.deep.equal([id]);

    expect((await stop()).body.state).to.equal('STOPPING');
    w.cpoSessions = [cpoSession(id, 'COMPLETED', { last_updated: '2026-11-25T10:02:00Z' })];
    await w.tick(s(5));
    expect(await w.order(id)).to.include({ state: 'AWAITING_CDR' });
  });

  it('only an ACTIVE order can be stopped', async () => {
    w.commandAnswer.START_SESSION = () => 'DROP';
    await w.t.ocpi('PATCH', `${LOCATION}/3257`, { token: w.cpo.token, body: { status: 'AVAILABLE', last_updated: '2026-11-25T10:00:00Z' } });
    const pending = (await w.start({ evse_uid: '3257' })).body;
    const res = await w.app('POST', `/charging-sessions/${pending.id}/stop`);
    expect(res.status).to.equal(409);
    expect(res.body).to.include({ reason: 'NOT_ACTIVE', state: 'PENDING', message: 'charging session is PENDING: only an ACTIVE one can be stopped' });
    expect((await w.app('POST', '/charging-sessions/00000000-0000-4000-8000-000000000000/stop')).status).to.equal(404);
  });
});

describe('charging: stop before the CPO reported the session, and UNLOCK_CONNECTOR', () => {
  let w: ChargingWorld;
  beforeEach(async () => {
    w = await chargingWorld();
  });
  afterEach(() => w.stop());

  it('asks the CPO for the session once; not there → 409, there → STOP_SESSION', async () => {
    const { body } = await w.start();
    await w.result('ACCEPTED');
    const early = await w.app('POST', `/charging-sessions/${body.id}/stop`);
    expect(early.status).to.equal(409);
    expect(early.body.reason).to.equal('SESSION_NOT_REPORTED_YET');
    expect(w.sessionQueries()).to.have.length(1);
    w.cpoSessions = [cpoSession(body.id, 'ACTIVE')];
    const res = await w.app('POST', `/charging-sessions/${body.id}/stop`);
    expect(res.body).to.include({ state: 'STOPPING' });
    expect(res.body.session.id).to.equal('S-1');
    expect(w.commands('STOP_SESSION')[0]!.body).to.deep.include({ session_id: 'S-1' });
  });

  it('UNLOCK_CONNECTOR is for operators: sent with the admin key, its result recorded', async () => {
    const unlock = { location_id: w.locationId, evse_uid: '3256', connector_id: '2' };
    expect((await w.app('POST', '/admin/commands/unlock-connector', unlock)).status).to.equal(401);
    const res = await w.t.admin('POST', '/commands/unlock-connector', unlock);
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body).to.deep.include({ type: 'UNLOCK_CONNECTOR', order_id: null, response: { url: `${w.cpo.partner.url}/ocpi/2.2.1/commands/UNLOCK_CONNECTOR`, http_status: 200, status_code: 1000, data: { result: 'ACCEPTED', timeout: 30 } } });
    expect(w.commands('UNLOCK_CONNECTOR')[0]!.body).to.deep.include({ location_id: 'LOC1', evse_uid: '3256', connector_id: '2' });
    expect((await w.result('NOT_SUPPORTED')).body.status_code).to.equal(1000);
    expect((await w.t.admin('GET', `/commands/${res.body.id}`)).body.result).to.deep.equal({ result: 'NOT_SUPPORTED' });
    expect((await w.t.admin('POST', '/commands/unlock-connector', { ...unlock, connector_id: '7' })).status).to.equal(404);
  });
});
