import { expect } from 'chai';
import { chargingWorld, cpoCdr, cpoSession, ENERGY_TARIFF, LOCATION, type ChargingWorld } from '../helpers/charging.ts';
import { example } from '../helpers/examples.ts';
import { b64, http } from '../helpers/http.ts';

/**
 * Issue 10 §1: what an attacker or a broken partner sends gets a clear 2001 naming the field,
 * never a 500, and changes nothing stored. One world for the whole file: every case leaves the
 * data as it found it, which is what the cases assert.
 */
const SESSION = '/ocpi/2.2.1/sessions/BE/BEC/S-1';
const TARIFF = '/ocpi/2.2.1/tariffs/BE/BEC/T-ENERGY';

describe('hostile input: a clear 2001, never a 500, never stored', () => {
  let w: ChargingWorld;
  const as = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => w.t.ocpi(method, path, { token: w.cpo.token, body, headers });
  const read = async (path: string) => (await as('GET', path)).body.data;
  let stored: { location: unknown; evse: unknown; connector: unknown; session: unknown; tariff: unknown };

  before(async () => {
    w = await chargingWorld({ tariff: ENERGY_TARIFF });
    expect((await as('PUT', SESSION, cpoSession('', 'ACTIVE', { authorization_reference: null, start_date_time: '2026-11-25T09:00:00Z', last_updated: '2026-11-25T09:00:00Z' }))).status).to.equal(201);
    stored = await snapshot();
  });
  after(() => w.stop());

  /** Nothing any case sent reached the database. */
  async function unchanged() {
    expect(await read(LOCATION)).to.deep.equal(stored.location);
    expect(await read(`${LOCATION}/3256`)).to.deep.equal(stored.evse);
    expect(await read(`${LOCATION}/3256/1`)).to.deep.equal(stored.connector);
    expect(await read(SESSION)).to.deep.equal(stored.session);
    expect(await read(TARIFF)).to.deep.equal(stored.tariff);
    expect((await w.finance('GET', '/cdrs')).body.data).to.deep.equal([]);
  }

  function refused(res: { status: number; body: any }, field: string, what?: string) {
    expect(res.status, JSON.stringify(res.body)).to.be.below(500);
    expect(res.body.status_code, JSON.stringify(res.body)).to.equal(2001);
    expect(res.body.status_message).to.include(`${field}:`);
    if (what) expect(res.body.status_message).to.include(what);
  }

  const location = () => ({ ...example<any>('location_example.json'), last_updated: '2026-11-25T09:59:00Z' });
  const snapshot = async () => ({ location: await read(LOCATION), evse: await read(`${LOCATION}/3256`), connector: await read(`${LOCATION}/3256/1`), session: await read(SESSION), tariff: await read(TARIFF) });
  const evse = () => ({ ...example<any>('location_example.json').evses[0], last_updated: '2026-11-25T09:59:00Z' });
  const connector = () => ({ ...example<any>('location_example.json').evses[0].connectors[0], last_updated: '2026-11-25T09:59:00Z' });
  const session = () => cpoSession('', 'ACTIVE', { authorization_reference: null, start_date_time: '2026-11-25T09:00:00Z', last_updated: '2026-11-25T09:59:00Z' });
  const tariff = () => ({ ...structuredClone(ENERGY_TARIFF), last_updated: '2026-11-25T09:59:00Z' });
  const cdr = () => cpoCdr(null, { start_date_time: '2026-11-25T08:00:00Z', end_date_time: '2026-11-25T09:00:00Z', charging_periods: [{ start_date_time: '2026-11-25T08:00:00Z', dimensions: [{ type: 'ENERGY', volume: 10 }], tariff_id: 'T-ENERGY' }], last_updated: '2026-11-25T09:59:00Z' });

  /** Every receiver, with the body it takes and how a field is set in it. */
  const receivers: { name: string; send: (mutate: (body: any) => void) => Promise<{ status: number; body: any }> }[] = [
    { name: 'location PUT', send: (m) => as('PUT', LOCATION, with_(location(), m)) },
    { name: 'EVSE PUT', send: (m) => as('PUT', `${LOCATION}/3256`, with_(evse(), m)) },
    { name: 'connector PUT', send: (m) => as('PUT', `${LOCATION}/3256/1`, with_(connector(), m)) },
    { name: 'location PATCH', send: (m) => as('PATCH', LOCATION, with_({ name: 'x', last_updated: '2026-11-25T09:59:00Z' }, m)) },
    { name: 'EVSE PATCH', send: (m) => as('PATCH', `${LOCATION}/3256`, with_({ status: 'CHARGING', last_updated: '2026-11-25T09:59:00Z' }, m)) },
    { name: 'session PUT', send: (m) => as('PUT', SESSION, with_(session(), m)) },
    { name: 'session PATCH', send: (m) => as('PATCH', SESSION, with_({ kwh: 5, last_updated: '2026-11-25T09:59:00Z' }, m)) },
    { name: 'tariff PUT', send: (m) => as('PUT', TARIFF, with_(tariff(), m)) },
    { name: 'CDR POST', send: (m) => as('POST', '/ocpi/2.2.1/cdrs', with_(cdr(), m)) },
  ];
  function with_<T>(body: T, mutate: (body: any) => void): T {
    mutate(body);
    return body;
  }

  it('a lone UTF-16 surrogate, in a field, a vendor field or a field name, on every receiver', async () => {
    for (const r of receivers) {
      refused(await r.send((b) => (b.last_updated = `2026\ud800`)), 'last_updated', 'lone UTF-16 surrogate');
      refused(await r.send((b) => (b.x_vendor = { note: 'a\udc00b' })), 'x_vendor.note', 'lone UTF-16 surrogate');
      refused(await r.send((b) => (b['bad\ud800key'] = 1)), 'bad\\ud800key', 'field name');
    }
    await unchanged();
  });

  it('a NUL character anywhere in a body', async () => {
    for (const r of receivers) refused(await r.send((b) => (b.x_vendor = ['ok', 'nul\u0000'])), 'x_vendor[1]', 'NUL');
    await unchanged();
  });

  for (const bad of ['2026-13-45T99:99:99Z', '0000-00-00T00:00:00Z', '2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z']) {
    it(`a DateTime that matches the pattern but does not exist (${bad}), on every receiver`, async () => {
      for (const r of receivers) refused(await r.send((b) => (b.last_updated = bad)), 'last_updated', `"${bad}" is not a valid date and time`);
      refused(await receivers[5]!.send((b) => (b.start_date_time = bad)), 'start_date_time', 'is not a valid date and time');
      refused(await receivers[8]!.send((b) => (b.end_date_time = bad)), 'end_date_time', 'is not a valid date and time');
      await unchanged();
    });
  }

  it('a number beyond any plausible magnitude, naming the field and the bound', async () => {
    const huge = 123456789012345678901234567890;
    refused(await receivers[8]!.send((b) => (b.total_cost.excl_vat = huge)), 'total_cost.excl_vat', 'must be <= 1000000');
    refused(await receivers[8]!.send((b) => (b.total_energy = huge)), 'total_energy', 'must be <= 100000');
    refused(await receivers[8]!.send((b) => (b.total_time = huge)), 'total_time', 'must be <= 8784');
    refused(await receivers[8]!.send((b) => (b.charging_periods[0].dimensions[0].volume = huge)), 'charging_periods[0].dimensions[0].volume', 'must be <= 1000000');
    refused(await receivers[5]!.send((b) => (b.kwh = huge)), 'kwh', 'must be <= 100000');
    refused(await receivers[6]!.send((b) => (b.kwh = huge)), 'kwh', 'must be <= 100000');
    refused(await receivers[7]!.send((b) => (b.elements[0].price_components[0].price = huge)), 'elements[0].price_components[0].price', 'must be <= 10000');
    refused(await receivers[7]!.send((b) => (b.elements[0].price_components[0].step_size = huge)), 'elements[0].price_components[0].step_size', 'must be <= 10000000');
    refused(await receivers[2]!.send((b) => (b.max_voltage = huge)), 'max_voltage', 'must be <= 100000');
    await unchanged();
  });

  it('a last_updated far ahead of the hub clock, naming the skew; the object is not frozen by it', async () => {
    for (const r of receivers) refused(await r.send((b) => (b.last_updated = '9999-12-31T23:59:59Z')), 'last_updated', 'ahead of the hub\'s clock (at most 300 s allowed: MAX_CLOCK_SKEW_SECONDS)');
    // Within the allowed skew is fine: a partner's clock a little ahead of ours.
    const ahead = await as('PATCH', `${LOCATION}/3256`, { status: 'AVAILABLE', last_updated: '2026-11-25T10:04:00Z' });
    expect(ahead.body.status_code, JSON.stringify(ahead.body)).to.equal(1000);
    stored = await snapshot();
    await unchanged();
  });

  it('NUL and other control characters in ids and query values: 2001 in OCPI, 422 in the app API', async () => {
    for (const path of ['/ocpi/2.2.1/cdrs/BE/BEC/%00', '/ocpi/2.2.1/locations/BE/BEC/LOC%001', '/ocpi/2.2.1/sessions/BE/BEC/S%0A1', '/ocpi/2.2.1/tokens?date_from=%00']) {
      const res = await as('GET', path);
      expect(res.status, path).to.be.below(500);
      expect(res.body.status_code, path).to.equal(2001);
      expect(res.body.status_message, path).to.match(/contains a (NUL|control) character/);
    }
    const put = await as('PUT', '/ocpi/2.2.1/locations/BE/BEC/%00', location());
    expect(put.body.status_code).to.equal(2001);
    const app = await w.app('GET', `/charging-sessions?token_uid=%00`);
    expect(app.status).to.equal(422);
    expect(app.body).to.deep.equal({ error: 'invalid_request', message: 'token_uid: contains a NUL character' });
    const broken = await as('GET', '/ocpi/2.2.1/locations/BE/BEC/%E0%A4%A');
    expect(broken.body.status_code).to.equal(2001);
    await unchanged();
  });

  it('a body that is not declared JSON is refused with 415 in the envelope', async () => {
    const raw = JSON.stringify(location());
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', undefined]) {
      const res = await http('PUT', `${w.t.url}${LOCATION}`, { raw, headers: { authorization: `Token ${b64(w.cpo.token)}`, ...(type ? { 'content-type': type } : {}) } });
      expect(res.status, String(type)).to.equal(415);
      expect(res.body.status_code).to.equal(2000);
      expect(res.body.status_message).to.equal(`Content-Type must be application/json, not ${type ? JSON.stringify(type) : 'absent'}`);
    }
    const withCharset = await as('PATCH', `${LOCATION}/3256`, { status: 'AVAILABLE', last_updated: '2026-11-25T10:04:30Z' }, { 'content-type': 'application/json; charset=utf-8' });
    expect(withCharset.body.status_code).to.equal(1000);
    stored = await snapshot();
    await unchanged();
  });
});

describe('concurrent writers and what drivers are shown', () => {
  let w: ChargingWorld;
  before(async () => {
    w = await chargingWorld();
  });
  after(() => w.stop());

  it('50 concurrent first PUTs of one location: one creates it, none gets a 500', async () => {
    const template = example<any>('location_example.json');
    const evses = template.evses.map((e: any, i: number) => ({ ...e, uid: `RACE-${i}`, evse_id: `BE*BEC*E90000${i}` }));
    const body = { ...template, id: 'RACE', evses, last_updated: '2026-11-25T09:00:00Z' };
    const answers = await Promise.all(Array.from({ length: 50 }, () => w.t.ocpi('PUT', '/ocpi/2.2.1/locations/BE/BEC/RACE', { token: w.cpo.token, body })));
    expect(answers.map((a) => a.status).filter((s) => s >= 500)).to.deep.equal([]);
    expect(answers.every((a) => a.body.status_code === 1000), JSON.stringify(answers.find((a) => a.body.status_code !== 1000)?.body)).to.equal(true);
    expect(answers.filter((a) => a.status === 201)).to.have.length(1);
    const stored = await w.t.ocpi('GET', '/ocpi/2.2.1/locations/BE/BEC/RACE', { token: w.cpo.token });
    expect(stored.body.data.evses.map((e: any) => e.uid)).to.deep.equal(['RACE-0', 'RACE-1']);
  });

  it('bidi overrides and zero-width characters are stripped from names drivers see; joiners stay', async () => {
    const res = await w.t.ocpi('PATCH', LOCATION, { token: w.cpo.token, body: { name: '\u202eGent\u200b Zuid\u2066 \u200d✓', last_updated: '2026-11-25T09:59:00Z' } });
    expect(res.body.status_code, JSON.stringify(res.body)).to.equal(1000);
    const shown = (await w.app('GET', `/locations/${w.locationId}`)).body;
    expect(shown.name).to.equal('Gent Zuid \u200d✓');
    expect((await w.t.ocpi('GET', LOCATION, { token: w.cpo.token })).body.data.name).to.equal('Gent Zuid \u200d✓');
  });
});
