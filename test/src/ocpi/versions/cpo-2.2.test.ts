import { expect } from 'chai';
import { startTestHub, APP_KEY, FINANCE_KEY, type TestHub } from '../../../helpers/hub.ts';
import { http } from '../../../helpers/http.ts';
import { Cpo22 } from '../../../helpers/cpo-2.2.ts';
import { envelopeProblems22, shapeProblems22 } from '../../../helpers/shapes-2.2.ts';

/**
 * Issue 9: a 2.2-era CPO, as independent implementations in the field behave, charges end to
 * end: raw tokens both ways, 2.2 only, CdrToken without country_code/party_id, no
 * authorization_reference, TIME-only charging periods, 4-decimal coordinates (tolerated).
 */
const USER = 'APP-USER-22';
/** CHF 0.50 per started 0.5 kWh and CHF 1.20 per hour: 0.0406 kWh in one hour cost 0.25 + 1.20 = 1.45 excl., 1.57 incl. 8.1 % VAT. */
const TARIFF = {
  country_code: 'CH',
  party_id: 'ABC',
  id: 'T-CHF',
  currency: 'CHF',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.5, vat: 8.1, step_size: 500 }, { type: 'TIME', price: 1.2, vat: 8.1, step_size: 60 }] }],
  last_updated: '2026-11-20T00:00:00Z',
};
const LOCATION = {
  country_code: 'CH',
  party_id: 'ABC',
  id: 'ZH-HB',
  publish: true,
  name: 'Zürich HB Parking',
  address: 'Museumstrasse 1',
  city: 'Zürich',
  postal_code: '8001',
  country: 'CHE',
  // Four decimals, as this CPO's backend stores them.
  coordinates: { latitude: '47.3779', longitude: '8.5403' },
  parking_type: 'PARKING_GARAGE',
  evses: [
    {
      uid: 'ZH-1',
      evse_id: 'CH*ABC*E0001',
      status: 'AVAILABLE',
      capabilities: ['REMOTE_START_STOP_CAPABLE'],
      connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 32, tariff_ids: ['T-CHF'], last_updated: '2026-11-20T00:00:00Z' }],
      last_updated: '2026-11-20T00:00:00Z',
    },
  ],
  time_zone: 'Europe/Zurich',
  last_updated: '2026-11-20T00:00:00Z',
};
/** A 2.2 CdrToken: no country_code, no party_id. */
const CDR_TOKEN = { uid: USER, type: 'APP_USER', contract_id: 'NL-HUB-C00000022' };

describe('a 2.2-era CPO charges end to end', () => {
  let t: TestHub;
  let cpo: Cpo22;
  const app = (method: string, path: string, body?: unknown) => http(method, `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${APP_KEY}` }, body });
  const finance = (path: string) => http('GET', `${t.url}/api/v1/finance${path}`, { headers: { authorization: `Bearer ${FINANCE_KEY}` } });

  beforeEach(async () => {
    t = await startTestHub({ env: { COMMAND_TIMEOUT_SECONDS: '2' } });
    cpo = await new Cpo22().start();
    cpo.locations = [LOCATION];
    cpo.tariffs = [TARIFF];
  });
  afterEach(async () => {
    await cpo.stop();
    await t.stop();
  });

  it('handshake → automatic pull → start → CommandResult → session → stop → CDR SETTLED, one order, no ticket, every answer in 2.2 shapes', async () => {
    // Operations: application, the tolerance this CPO needs, trust, approval → token A (out of band).
    const created = await t.admin('POST', '/partners', { name: 'Alpine Charge', country_code: 'CH', party_id: 'ABC', role: 'CPO' });
    const id = created.body.id as string;
    expect((await t.admin('PUT', `/partners/${id}/tolerances`, { tolerances: ['COORDINATES_FEWER_DECIMALS'] })).status).to.equal(200);
    expect((await t.admin('PUT', `/partners/${id}/trust`, { trusted: true })).status).to.equal(200);
    const tokenA = (await t.admin('POST', `/partners/${id}/approve`)).body.token_a as string;

    // The CPO registers, its way: raw token A, version 2.2.
    const registered = await cpo.register(`${t.url}/ocpi/versions`, tokenA);
    expect(registered.body.status_code, JSON.stringify(registered.body)).to.equal(1000);
    const [versions, details] = cpo.answers;
    expect(versions!.body.data.map((v: any) => v.version).sort()).to.deep.equal(['2.2', '2.2.1']);
    expect(details!.body.data.version).to.equal('2.2');
    for (const e of details!.body.data.endpoints) expect(e.url, e.identifier).to.match(new RegExp(`^${t.url}/ocpi/2\\.2/`));
    // The hub called back with token B raw, and asked for 2.2.
    const callbacks = cpo.seen.filter((s) => s.path.startsWith('/ocpi/cpo/'));
    expect(callbacks.slice(0, 2).map((s) => [s.method, s.path, s.token])).to.deep.equal([
      ['GET', '/ocpi/cpo/versions', cpo.tokenForHub],
      ['GET', '/ocpi/cpo/2.2', cpo.tokenForHub],
    ]);
    const partner = (await t.admin('GET', `/partners/${id}`)).body;
    expect(partner).to.include({ status: 'ACTIVE', version: '2.2', token_encoding: 'RAW', can_rotate: true });

    // Right after registration the hub pulls the CPO's locations and tariffs (in the background).
    await t.hub.services.partnerSync.settled();
    const near = await app('GET', '/locations?latitude=47.3779&longitude=8.5403&radius=1000');
    expect(near.body.data.map((l: any) => l.ocpi_location_id ?? l.id)).to.have.length(1);
    const station = near.body.data[0];
    expect(station.coordinates).to.deep.equal({ latitude: '47.37790', longitude: '8.54030' });
    const tolerated = (await t.admin('GET', `/partners/${id}`)).body.tolerated;
    expect(tolerated.map((d: any) => [d.object, d.name, d.count])).to.deep.equal([['Location', 'COORDINATES_FEWER_DECIMALS', 1]]);

    // The app: a token, a start.
    expect((await app('PUT', `/tokens/${USER}`, { type: 'APP_USER', contract_id: 'NL-HUB-C00000022', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' })).status).to.equal(201);
    const started = await app('POST', '/charging-sessions', { location_id: station.id, evse_uid: 'ZH-1', token_uid: USER });
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    const orderId = started.body.id as string;
    const start = cpo.seen.find((s) => s.path === '/ocpi/cpo/2.2/commands/START_SESSION')!;
    expect(start.token).to.equal(cpo.tokenForHub);
    expect(shapeProblems22('StartSession', start.body)).to.deep.equal([]);
    expect(start.body).to.not.have.property('connector_id');
    expect(start.body).to.deep.include({ location_id: 'ZH-HB', evse_uid: 'ZH-1', authorization_reference: orderId });
    expect(start.body.response_url).to.match(new RegExp(`^${t.url}/ocpi/2\\.2/commands/START_SESSION/`));

    const result = await cpo.call('POST', start.body.response_url, cpo.tokenC, { result: 'ACCEPTED' }, 'CommandResult');
    expect(result.body.status_code).to.equal(1000);
    expect((await app('GET', `/charging-sessions/${orderId}`)).body.state).to.equal('ACTIVE');

    // The session, as this CPO reports it: no authorization_reference, a 2.2 CdrToken, TIME-only periods.
    t.clock.advance(20_000);
    const session = {
      country_code: 'CH',
      party_id: 'ABC',
      id: 'S-22',
      start_date_time: '2026-11-25T10:00:20Z',
      kwh: 0,
      cdr_token: CDR_TOKEN,
      auth_method: 'COMMAND',
      location_id: 'ZH-HB',
      evse_uid: 'ZH-1',
      connector_id: '1',
      currency: 'CHF',
      status: 'ACTIVE',
      last_updated: '2026-11-25T10:00:20Z',
    };
    const put = await cpo.hub('PUT', '/sessions/CH/ABC/S-22', session, 'session PUT');
    expect(put.body.status_code, JSON.stringify(put.body)).to.equal(1000);
    t.clock.advance(1800_000);
    const patch = await cpo.hub('PATCH', '/sessions/CH/ABC/S-22', { kwh: 0.02, charging_periods: [{ start_date_time: '2026-11-25T10:00:20Z', dimensions: [{ type: 'TIME', volume: 0.5 }] }], last_updated: '2026-11-25T10:30:20Z' }, 'session PATCH');
    expect(patch.body.status_code, JSON.stringify(patch.body)).to.equal(1000);
    const charging = (await app('GET', `/charging-sessions/${orderId}`)).body;
    expect(charging).to.include({ state: 'ACTIVE', kwh: 0.02, notice: null });
    expect(charging.session.id).to.equal('S-22');

    // The app stops; the CPO confirms and completes the session.
    t.clock.advance(1800_000);
    const stopped = await app('POST', `/charging-sessions/${orderId}/stop`);
    expect(stopped.status, JSON.stringify(stopped.body)).to.equal(202);
    const stop = cpo.seen.find((s) => s.path === '/ocpi/cpo/2.2/commands/STOP_SESSION')!;
    expect(shapeProblems22('StopSession', stop.body)).to.deep.equal([]);
    expect(stop.body.session_id).to.equal('S-22');
    expect((await cpo.call('POST', stop.body.response_url, cpo.tokenC, { result: 'ACCEPTED' }, 'CommandResult')).body.status_code).to.equal(1000);
    await cpo.hub('PATCH', '/sessions/CH/ABC/S-22', { status: 'COMPLETED', kwh: 0.0406, end_date_time: '2026-11-25T11:00:20Z', last_updated: '2026-11-25T11:00:20Z' }, 'session PATCH');
    expect((await app('GET', `/charging-sessions/${orderId}`)).body.state).to.equal('AWAITING_CDR');

    // The CDR: TIME-only periods, total_energy 0.0406 kWh, no reference.
    const cdr = {
      country_code: 'CH',
      party_id: 'ABC',
      id: 'CDR-22',
      start_date_time: '2026-11-25T10:00:20Z',
      end_date_time: '2026-11-25T11:00:20Z',
      session_id: 'S-22',
      cdr_token: CDR_TOKEN,
      auth_method: 'COMMAND',
      cdr_location: {
        id: 'ZH-HB',
        name: LOCATION.name,
        address: LOCATION.address,
        city: LOCATION.city,
        postal_code: LOCATION.postal_code,
        country: 'CHE',
        coordinates: LOCATION.coordinates,
        evse_uid: 'ZH-1',
        evse_id: 'CH*ABC*E0001',
        connector_id: '1',
        connector_standard: 'IEC_62196_T2',
        connector_format: 'SOCKET',
        connector_power_type: 'AC_3_PHASE',
      },
      currency: 'CHF',
      tariffs: [TARIFF],
      charging_periods: [
        { start_date_time: '2026-11-25T10:00:20Z', dimensions: [{ type: 'TIME', volume: 0.5 }], tariff_id: 'T-CHF' },
        { start_date_time: '2026-11-25T10:30:20Z', dimensions: [{ type: 'TIME', volume: 0.5 }], tariff_id: 'T-CHF' },
      ],
      total_cost: { excl_vat: 1.45, incl_vat: 1.57 },
      total_energy: 0.0406,
      total_time: 1,
      last_updated: '2026-11-25T11:05:00Z',
    };
    const posted = await cpo.hub('POST', '/cdrs', cdr, 'CDR POST');
    expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
    expect(posted.headers.location).to.match(new RegExp(`^${t.url}/ocpi/2\\.2/cdrs/`));
    const row = (await finance('/cdrs')).body.data.find((c: any) => c.cdr_id === 'CDR-22');
    expect(row).to.deep.include({ state: 'SETTLED', cause: 'PRICE_MATCHES', currency: 'CHF', difference: 0 });
    expect(row.fallbacks.map((f: any) => f.code)).to.deep.equal(['ENERGY_FROM_TOTALS']);

    const done = (await app('GET', `/charging-sessions/${orderId}`)).body;
    expect(done).to.include({ state: 'COMPLETED' });
    const orders = (await app('GET', `/charging-sessions?token_uid=${USER}`)).body.data;
    expect(orders.map((o: any) => o.id)).to.deep.equal([orderId]);
    expect((await t.admin('GET', '/exceptions?state=OPEN')).body.data).to.deep.equal([]);

    // The CPO reads our tokens, as its 2.2 client does.
    const tokens = await cpo.hub('GET', '/tokens', undefined, 'tokens GET');
    expect(envelopeProblems22(tokens.body, { object: 'Token', list: true })).to.deep.equal([]);
    expect(tokens.body.data.map((tk: any) => tk.uid)).to.deep.equal([USER]);

    // Every answer the hub gave this CPO, in 2.2's shapes.
    const dataOf: Record<string, { object: string; list?: boolean } | undefined> = {
      versions: { object: 'Version', list: true },
      'version details': { object: 'VersionDetails' },
      credentials: { object: 'Credentials' },
      'tokens GET': { object: 'Token', list: true },
    };
    for (const answer of cpo.answers) {
      expect(envelopeProblems22(answer.body, dataOf[answer.what]), answer.what).to.deep.equal([]);
      expect(answer.body.status_code, answer.what).to.equal(1000);
    }
  });
});
