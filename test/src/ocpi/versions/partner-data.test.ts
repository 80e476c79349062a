import { expect } from 'chai';
import { startTestHub, type TestHub } from '../../../helpers/hub.ts';
import { approvedCpo, onboardCpo, type OnboardedCpo } from '../../../helpers/onboarding.ts';
import { FakePartner } from '../../../helpers/partner.ts';
import { example } from '../../../helpers/examples.ts';

/**
 * Issue 9 §4 and §6: imperfect partner data. Unknown (vendor) fields are kept verbatim and
 * counted; named tolerances are off by default, switched on per partner, audited and counted.
 */
const BASE = '/ocpi/2.2.1/locations/DE/CPX';

const location = (extra: Record<string, unknown> = {}) => ({
  ...example<any>('location_example.json'),
  country_code: 'DE',
  party_id: 'CPX',
  id: 'LOC1',
  address: 'Friedrichstraße 50',
  city: 'Berlin',
  postal_code: '10117',
  country: 'DEU',
  coordinates: { latitude: '52.520008', longitude: '13.404954' },
  time_zone: 'Europe/Berlin',
  evses: [],
  ...extra,
});

describe('partner data as real partners send it', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const put = (body: unknown, id = 'LOC1') => t.ocpi('PUT', `${BASE}/${id}`, { token: cpo.token, body });
  const view = async () => (await t.admin('GET', `/partners/${cpo.id}`)).body;
  const counts = (list: any[]) => list.map((d) => [d.object, d.name, d.count]);

  beforeEach(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t);
    await t.admin('PUT', `/partners/${cpo.id}/trust`, { trusted: true });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  describe('unknown fields', () => {
    it('are accepted, kept verbatim, never interpreted, and counted per partner by name', async () => {
      const vendor = { 'x-acme': { plan: 'gold', ids: [1, 2] } };
      const evse = { ...example<any>('location_example.json').evses[0], evse_id: 'DE*CPX*E1', vendor_status: 'green' };
      const res = await put(location({ foo: 'bar', ...vendor, evses: [evse] }));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.status_code).to.equal(1000);

      const stored = await t.ocpi('GET', `${BASE}/LOC1`, { token: cpo.token });
      expect(stored.body.data.foo).to.equal('bar');
      expect(stored.body.data['x-acme']).to.deep.equal(vendor['x-acme']);
      expect(stored.body.data.evses[0].vendor_status).to.equal('green');

      await put(location({ foo: 'baz', evses: [evse], last_updated: '2015-06-30T00:00:00Z' }));
      expect(counts((await view()).unknown_fields)).to.deep.equal([
        ['Location', 'evses[].vendor_status', 2],
        ['Location', 'foo', 2],
        ['Location', 'x-acme', 1],
      ]);
      expect((await view()).unknown_fields[0]).to.have.keys('object', 'name', 'count', 'first_seen_at', 'last_seen_at');
    });

    it('do not soften the documented fields: a wrong one is still refused and nothing is stored', async () => {
      const res = await put(location({ foo: 'bar', name: 42 }));
      // OCPI errors travel in the envelope with HTTP 200, as the hub answers every 2xxx.
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status_code: 2001 });
      expect(res.body.status_message).to.include('name:');
      expect(res.body.status_message).to.not.include('foo');
      const stored = await t.ocpi('GET', `${BASE}/LOC1`, { token: cpo.token });
      expect(stored.status).to.equal(404);
    });
  });

  describe('tolerances', () => {
    const fourDecimals = (id = 'LOC1') => location({ id, coordinates: { latitude: '52.5200', longitude: '13.4049' } });

    it('are off by default: coordinates with 4 decimals are refused, naming the field', async () => {
      const res = await put(fourDecimals());
      expect(res.status).to.equal(200);
      expect(res.body.status_code).to.equal(2001);
      expect(res.body.status_message).to.match(/coordinates\.latitude/);
      expect((await view()).tolerated).to.deep.equal([]);
    });

    it('switched on by an operator (audited): 4 decimals accepted, padded to 5, every use counted', async () => {
      const set = await t.admin('PUT', `/partners/${cpo.id}/tolerances`, { tolerances: ['COORDINATES_FEWER_DECIMALS'] });
      expect(set.status, JSON.stringify(set.body)).to.equal(200);
      expect(set.body.tolerances).to.deep.equal(['COORDINATES_FEWER_DECIMALS']);
      const events = (await t.admin('GET', `/partners/${cpo.id}/events`)).body.data;
      const audit = events.find((e: any) => e.kind === 'TOLERANCES_SET');
      expect(audit.detail).to.deep.equal({ before: [], after: ['COORDINATES_FEWER_DECIMALS'] });
      expect(audit.actor).to.match(/^admin:/);

      expect((await put(fourDecimals())).status).to.equal(201);
      expect((await put(fourDecimals('LOC2'), 'LOC2')).status).to.equal(201);
      const stored = await t.ocpi('GET', `${BASE}/LOC1`, { token: cpo.token });
      expect(stored.body.data.coordinates).to.deep.equal({ latitude: '52.52000', longitude: '13.40490' });
      expect(counts((await view()).tolerated)).to.deep.equal([['Location', 'COORDINATES_FEWER_DECIMALS', 2]]);
      // Switched off again: refused again.
      await t.admin('PUT', `/partners/${cpo.id}/tolerances`, { tolerances: [] });
      expect((await put(fourDecimals('LOC3'), 'LOC3')).body.status_code).to.equal(2001);
    });

    it('refuses a name it does not know, or a list that is not one, and changes nothing', async () => {
      const unknown = await t.admin('PUT', `/partners/${cpo.id}/tolerances`, { tolerances: ['COORDINATES_FEWER_DECIMALS', 'ANYTHING_GOES'] });
      expect(unknown.status).to.equal(422);
      expect(unknown.body.message).to.equal('tolerances[1]: "ANYTHING_GOES" is not a tolerance; known: COORDINATES_FEWER_DECIMALS, DATETIME_WITH_OFFSET, VERSION_DETAILS_WITHOUT_CREDENTIALS');
      expect((await t.admin('PUT', `/partners/${cpo.id}/tolerances`, { tolerances: 'COORDINATES_FEWER_DECIMALS' })).status).to.equal(422);
      expect((await view()).tolerances).to.deep.equal([]);
      const events = (await t.admin('GET', `/partners/${cpo.id}/events`)).body.data;
      expect(events.filter((e: any) => e.kind === 'TOLERANCES_SET')).to.deep.equal([]);
    });
  });
});

describe('a partner whose version details list no credentials endpoint', () => {
  let t: TestHub;
  let partner: FakePartner;
  beforeEach(async () => {
    t = await startTestHub();
    partner = await new FakePartner().start();
    partner.endpoints = partner.defaultEndpoints().filter((e) => e.identifier !== 'credentials');
    partner.accepted.add('token-b');
  });
  afterEach(async () => {
    await partner.stop();
    await t.stop();
  });

  it('cannot register without the tolerance (3003, saying why)', async () => {
    const { id, tokenA } = await approvedCpo(t);
    const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: partner.credentials('token-b') });
    expect(res.body.status_code).to.equal(3003);
    expect(res.body.status_message).to.include('credentials');
    expect((await t.admin('GET', `/partners/${id}`)).body).to.include({ registered: false });
  });

  it('registers with it; the partner view says the hub cannot rotate towards it, and a rotation is refused', async () => {
    const { id, tokenA } = await approvedCpo(t);
    expect((await t.admin('PUT', `/partners/${id}/tolerances`, { tolerances: ['VERSION_DETAILS_WITHOUT_CREDENTIALS'] })).status).to.equal(200);
    const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: partner.credentials('token-b') });
    expect(res.body.status_code, JSON.stringify(res.body)).to.equal(1000);
    const view = (await t.admin('GET', `/partners/${id}`)).body;
    expect(view).to.include({
      status: 'ACTIVE',
      registered: true,
      can_rotate: false,
      cannot_rotate_reason: 'its version details list no credentials endpoint (tolerance VERSION_DETAILS_WITHOUT_CREDENTIALS): reset the partner to replace a leaked token',
    });
    const rotate = await t.admin('POST', `/partners/${id}/rotate-credentials`);
    expect(rotate.status).to.equal(502);
    expect(rotate.body.error).to.equal('partner_endpoints_missing');
    expect(rotate.body.message).to.include('its version details list no credentials endpoint');
    // The partner still works with its token.
    expect((await t.ocpi('GET', '/ocpi/versions', { token: res.body.data.token })).status).to.equal(200);
  });
});
