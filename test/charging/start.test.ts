import { expect } from 'chai';
import { chargingWorld, cpoSession, ok, TOKEN_UID, LOCATION, type ChargingWorld } from '../helpers/charging.ts';

describe('charging: START_SESSION and its CommandResult', () => {
  let w: ChargingWorld;
  beforeEach(async () => {
    w = await chargingWorld();
  });
  afterEach(() => w.stop());

  it('happy path: 202 PENDING, START_SESSION with our token, CommandResult ACCEPTED → ACTIVE, session → kWh and cost, COMPLETED → AWAITING_CDR', async () => {
    const res = await w.start();
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body).to.include({ state: 'PENDING', message: 'Waiting for the charger to start…', origin: 'APP', location_id: w.locationId, ocpi_location_id: 'LOC1', evse_uid: '3256', kwh: null, cost: null, session: null });
    expect(res.headers.location).to.equal(`/api/v1/charging-sessions/${res.body.id}`);
    const id = res.body.id;

    const [sent] = w.commands('START_SESSION');
    expect(w.commands()).to.have.length(1);
    const body = sent!.body as any;
    expect(body).to.deep.include({ location_id: 'LOC1', evse_uid: '3256', authorization_reference: id });
    expect(body.token).to.deep.include({ country_code: 'NL', party_id: 'HUB', uid: TOKEN_UID, type: 'APP_USER', contract_id: 'NL-HUB-C00000001', valid: true });
    expect(body.response_url).to.match(new RegExp(`^${w.t.url}/ocpi/2.2.1/commands/START_SESSION/[0-9a-f-]{36}$`));
    expect(sent!.token).to.equal(w.cpo.tokenB);

    const result = await w.result('ACCEPTED');
    expect(result.status).to.equal(200);
    expect(result.body.status_code).to.equal(1000);
    expect(await w.order(id)).to.include({ state: 'ACTIVE', message: 'Charging.', reason: 'RESULT_ACCEPTED' });

    const session = cpoSession(id, 'ACTIVE', { kwh: 3.5, total_cost: { excl_vat: 1.05, incl_vat: 1.27 } });
    expect((await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: session })).status).to.equal(201);
    const charging = await w.order(id);
    expect(charging).to.include({ state: 'ACTIVE', kwh: 3.5, started_at: '2020-03-09T10:17:09Z' });
    expect(charging.cost).to.deep.equal({ currency: 'EUR', excl_vat: 1.05, incl_vat: 1.27 });
    expect(charging.session.id).to.equal('S-1');

    w.t.clock.reach('2026-11-25T11:00:00Z');
    await w.t.ocpi('PATCH', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: { status: 'COMPLETED', kwh: 11, end_date_time: '2026-11-25T11:00:00Z', last_updated: '2026-11-25T11:00:00Z' } });
    const done = await w.order(id);
    expect(done).to.include({ state: 'AWAITING_CDR', kwh: 11, ended_at: '2026-11-25T11:00:00Z', message: 'Charging finished. The final cost will follow when the charger operator sends the bill.' });

    const history = await w.history(id);
    expect(history.events.filter((e: any) => e.to).map((e: any) => [e.from, e.to, e.cause])).to.deep.equal([
      [null, 'REQUESTED', 'START_REQUESTED'],
      ['REQUESTED', 'PENDING', 'START_ACCEPTED'],
      ['PENDING', 'ACTIVE', 'RESULT_ACCEPTED'],
      ['ACTIVE', 'AWAITING_CDR', 'SESSION_COMPLETED'],
    ]);
    expect(history.follow_up).to.equal(null);
    expect(history.commands[0]).to.deep.include({ type: 'START_SESSION', result: { result: 'ACCEPTED' } });
    expect(await w.tickets()).to.deep.equal([]);
  });

  it('waits for the CommandResult until the CPO’s timeout: the follow-up is the result deadline', async () => {
    w.commandAnswer.START_SESSION = () => ok({ result: 'ACCEPTED', timeout: 45 });
    const { body } = await w.start();
    const history = await w.history(body.id);
    expect(history.follow_up).to.deep.equal({ kind: 'RESULT_DEADLINE', at: '2026-11-25T10:00:45.000Z', attempts: 0 });
  });

  for (const [result, message] of [
    ['REJECTED', 'The charger operator declined to start charging. Please choose another charger.'],
    ['NOT_SUPPORTED', 'This charger cannot be started from the app. Please use a charging card or choose another charger.'],
    ['UNKNOWN_SESSION', 'The charger operator could not take the request. Please try again in a moment.'],
  ]) {
    it(`CommandResponse ${result} → FAILED at once with a message for the driver, nothing left to follow`, async () => {
      w.commandAnswer.START_SESSION = () => ok({ result, timeout: 30, message: [{ language: 'en', text: 'no' }] });
      const res = await w.start();
      expect(res.status).to.equal(202);
      expect(res.body).to.include({ state: 'FAILED', reason: `START_${result}`, message });
      expect((await w.history(res.body.id)).follow_up).to.equal(null);
      // The EVSE is free again for another try.
      w.commandAnswer.START_SESSION = () => ok({ result: 'ACCEPTED', timeout: 30 });
      expect((await w.start()).body.state).to.equal('PENDING');
    });
  }

  it('an OCPI client error (2003 unknown location) or HTTP 4xx is a refusal: FAILED, not a doubt', async () => {
    w.commandAnswer.START_SESSION = () => ({ body: { data: { result: 'REJECTED', timeout: 0 }, status_code: 2003, status_message: 'Unknown location', timestamp: new Date().toISOString() } });
    const first = await w.start();
    expect(first.body).to.include({ state: 'FAILED', reason: 'START_REFUSED' });
    w.commandAnswer.START_SESSION = () => ({ status: 400, body: { status_code: 2001, timestamp: new Date().toISOString() } });
    expect((await w.start()).body).to.include({ state: 'FAILED', reason: 'START_REFUSED' });
    expect(w.sessionQueries()).to.have.length(0);
  });

  const FAILURES: [string, string][] = [
    ['EVSE_OCCUPIED', 'This charger is in use. Please choose another one.'],
    ['EVSE_INOPERATIVE', 'This charger is out of order. Please choose another one.'],
    ['FAILED', 'The charger could not start charging. Please try again or choose another charger.'],
    ['NOT_SUPPORTED', 'This charger cannot be started from the app. Please use a charging card or choose another charger.'],
    ['REJECTED', 'The charger refused to start charging. Please choose another charger.'],
    ['TIMEOUT', 'The charger did not respond in time. Check that the cable is plugged in on both ends, then try again.'],
    ['UNKNOWN_RESERVATION', 'Charging could not be started.'],
  ];
  it('every CommandResult failure → FAILED with the driver’s message; occupied and inoperative update the EVSE the app sees', async () => {
    for (const [result, message] of FAILURES) {
      const { body } = await w.start();
      expect(body.state, result).to.equal('PENDING');
      const index = w.commands().length - 1;
      expect((await w.result(result, index)).body.status_code).to.equal(1000);
      expect(await w.order(body.id), result).to.include({ state: 'FAILED', reason: `RESULT_${result}`, message });
      const evse = (await w.app('GET', `/locations/${w.locationId}`)).body.evses.find((e: any) => e.uid === '3256');
      if (result === 'EVSE_OCCUPIED') expect(evse.status).to.equal('CHARGING');
      if (result === 'EVSE_INOPERATIVE') {
        expect(evse.status).to.equal('INOPERATIVE');
        // The next start is refused by the hub itself, until the CPO reports the EVSE again.
        expect((await w.start()).body).to.include({ error: 'conflict', reason: 'EVSE_INOPERATIVE' });
        await w.t.ocpi('PATCH', `${LOCATION}/3256`, { token: w.cpo.token, body: { status: 'AVAILABLE', last_updated: '2026-11-25T10:00:00Z' } });
      }
    }
    expect(await w.tickets()).to.deep.equal([]);
  });

  it('a CommandResult is taken once: a duplicate or a different second result changes nothing', async () => {
    const { body } = await w.start();
    await w.result('ACCEPTED');
    expect((await w.result('ACCEPTED')).body.status_code).to.equal(1000);
    expect((await w.result('EVSE_OCCUPIED')).body.status_code).to.equal(1000);
    const history = await w.history(body.id);
    expect(history.state).to.equal('ACTIVE');
    expect(history.events.filter((e: any) => e.cause === 'DUPLICATE_RESULT')).to.have.length(2);
    expect(history.commands[0].result).to.deep.equal({ result: 'ACCEPTED' });
  });

  it('refuses a CommandResult for someone else’s command, the wrong type, an unknown id or an invalid body', async () => {
    const { body } = await w.start();
    const other = await (await import('../helpers/onboarding.ts')).onboardCpo(w.t, { country_code: 'DE', party_id: 'OTH' });
    try {
      const stolen = await w.result('EVSE_OCCUPIED', 0, other.token);
      expect(stolen.status).to.equal(404);
      expect(stolen.body.status_message).to.match(/^unknown command START_SESSION\/[0-9a-f-]{36}$/);
    } finally {
      await other.partner.stop();
    }
    const path = new URL((w.commands()[0]!.body as any).response_url).pathname;
    expect((await w.t.ocpi('POST', path.replace('START_SESSION', 'STOP_SESSION'), { token: w.cpo.token, body: { result: 'ACCEPTED' } })).status).to.equal(404);
    expect((await w.t.ocpi('POST', '/ocpi/2.2.1/commands/START_SESSION/00000000-0000-4000-8000-000000000000', { token: w.cpo.token, body: { result: 'ACCEPTED' } })).status).to.equal(404);
    const bad = await w.t.ocpi('POST', path, { token: w.cpo.token, body: { result: 'DONE' } });
    expect(bad.body.status_code).to.equal(2001);
    expect(bad.body.status_message).to.match(/^result: must be one of ACCEPTED/);
    expect(await w.order(body.id)).to.include({ state: 'PENDING' });
    expect((await w.history(body.id)).commands[0].result).to.equal(null);
  });

  it('a session pushed before the CommandResult makes the order ACTIVE; the late ACCEPTED changes nothing', async () => {
    const { body } = await w.start();
    await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: cpoSession(body.id, 'PENDING') });
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'SESSION_PENDING' });
    await w.result('ACCEPTED');
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'SESSION_PENDING' });
  });

  it('a late failed CommandResult does not fail an order the session shows charging', async () => {
    const { body } = await w.start();
    await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: cpoSession(body.id, 'ACTIVE') });
    expect((await w.result('TIMEOUT')).body.status_code).to.equal(1000);
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'SESSION_ACTIVE' });
    expect((await w.history(body.id)).events.at(-1).cause).to.equal('LATE_START_RESULT');
    // The EVSE keeps the status the CPO reported: the late result says nothing reliable about it.
    expect((await w.app('GET', `/locations/${w.locationId}`)).body.evses.find((e: any) => e.uid === '3256').status).to.equal('AVAILABLE');
    expect((await w.app('POST', `/charging-sessions/${body.id}/stop`)).body.state).to.equal('STOPPING');
  });

  it('a late START ACCEPTED does not undo a stop in progress', async () => {
    const { body } = await w.start();
    await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: cpoSession(body.id, 'ACTIVE') });
    expect((await w.app('POST', `/charging-sessions/${body.id}/stop`)).body.state).to.equal('STOPPING');
    await w.result('ACCEPTED', 0);
    const history = await w.history(body.id);
    expect(history.state).to.equal('STOPPING');
    expect(history.follow_up.kind).to.equal('RESULT_DEADLINE');
  });

  it('a session for one of our tokens started at the charger (RFID) becomes an order of its own', async () => {
    const res = await w.app('PUT', '/tokens/CARD-9', { type: 'RFID', contract_id: 'NL-HUB-C00000009', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
    expect(res.status).to.equal(201);
    const session = cpoSession('', 'ACTIVE', { id: 'S-RFID', authorization_reference: null, auth_method: 'WHITELIST', cdr_token: { country_code: 'NL', party_id: 'HUB', uid: 'card-9', type: 'RFID', contract_id: 'NL-HUB-C00000009' } });
    expect((await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-RFID', { token: w.cpo.token, body: session })).status).to.equal(201);
    const list = await w.app('GET', '/charging-sessions?token_uid=CARD-9');
    expect(list.body.data).to.have.length(1);
    expect(list.body.data[0]).to.include({ state: 'ACTIVE', origin: 'CHARGER', location_id: w.locationId, evse_uid: '3256', message: 'Charging, started at the charger.' });
    expect(list.body.data[0].token).to.deep.equal({ uid: 'CARD-9', type: 'RFID' });
    // Someone else's token: not ours, no order.
    const foreign = cpoSession('', 'ACTIVE', { id: 'S-X', authorization_reference: null, cdr_token: { country_code: 'DE', party_id: 'XYZ', uid: 'card-9', type: 'RFID', contract_id: 'DE-XYZ-1' } });
    await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-X', { token: w.cpo.token, body: foreign });
    expect((await w.app('GET', '/charging-sessions?token_uid=CARD-9')).body.data).to.have.length(1);
  });
});
