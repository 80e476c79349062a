import { expect } from 'chai';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from './helpers/onboarding.ts';
import { example } from './helpers/examples.ts';
import { tariffInForce } from '../ocpi-modules/tariffs/history.ts';

const BASE = '/ocpi/2.2.1/tariffs/DE/ALL';

describe('tariffs receiver', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const put = (id: string, body: unknown) => t.ocpi('PUT', `${BASE}/${id}`, { token: cpo.token, body });
  const get = (id: string) => t.ocpi('GET', `${BASE}/${id}`, { token: cpo.token });
  const tariff = (name = 'tariff_1_simple_2hour.json') => ({ ...example(name), country_code: 'DE', party_id: 'ALL' });

  beforeEach(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'DE', party_id: 'ALL' });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('creates with PUT (201), updates (200) and returns the current version', async () => {
    const first = tariff();
    const created = await put(first.id, first);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.have.keys('status_code', 'timestamp');
    expect((await get(first.id)).body.data).to.deep.equal(first);
    const second = { ...first, currency: 'USD', last_updated: '2030-01-01T00:00:00Z' };
    expect((await put(first.id, second)).status).to.equal(200);
    expect((await get(first.id)).body.data.currency).to.equal('USD');
  });

  it('accepts every tariff example of the specification', async () => {
    for (const name of ['tariff_4_complex.json', 'tariff_6_025kwh_start_max_price.json', 'tariff_12_025kwh_min_price.json', 'tariff_14_step_size.json', 'tariffrestriction_example_max_power.json']) {
      const body = tariff(name);
      const res = await put(body.id, body);
      expect(res.body.status_code, `${name}: ${res.body.status_message}`).to.equal(1000);
    }
  });

  const cases: [string, (x: any) => void, string][] = [
    ['an unknown currency', (x) => (x.currency = 'EUX'), 'currency: "EUX" is not an ISO 4217 currency code'],
    ['a negative price', (x) => (x.elements[0].price_components[0].price = -2), 'elements[0].price_components[0].price: -2 must not be negative'],
    ['a VAT over 100 %', (x) => (x.elements[0].price_components[0].vat = 121), 'elements[0].price_components[0].vat: 121 is not a percentage from 0 to 100'],
    ['a negative step_size', (x) => (x.elements[0].price_components[0].step_size = -1), 'elements[0].price_components[0].step_size: -1 must not be negative'],
    ['a negative min_price', (x) => (x.min_price = { excl_vat: -1 }), 'min_price.excl_vat: -1 must not be negative'],
    ['min_price above max_price', (x) => Object.assign(x, { min_price: { excl_vat: 5 }, max_price: { excl_vat: 4 } }), 'min_price.excl_vat: 5 exceeds max_price.excl_vat 4'],
    ['incl_vat below excl_vat', (x) => (x.max_price = { excl_vat: 5, incl_vat: 4 }), 'max_price.incl_vat: 4 is less than excl_vat 5'],
    ['end_date_time before start_date_time', (x) => Object.assign(x, { start_date_time: '2030-01-02T00:00:00Z', end_date_time: '2030-01-01T00:00:00Z' }), 'end_date_time: 2030-01-01T00:00:00Z is not after start_date_time 2030-01-02T00:00:00Z'],
    ['min_kwh above max_kwh', (x) => (x.elements[0].restrictions = { min_kwh: 10, max_kwh: 5 }), 'elements[0].restrictions.min_kwh: 10 exceeds max_kwh 5'],
    ['min_power above max_power', (x) => (x.elements[0].restrictions = { min_power: 50, max_power: 22 }), 'elements[0].restrictions.min_power: 50 exceeds max_power 22'],
    ['min_duration above max_duration', (x) => (x.elements[0].restrictions = { min_duration: 600, max_duration: 60 }), 'elements[0].restrictions.min_duration: 600 exceeds max_duration 60'],
    ['start_date after end_date', (x) => (x.elements[0].restrictions = { start_date: '2030-02-01', end_date: '2030-01-01' }), 'elements[0].restrictions.start_date: 2030-02-01 exceeds end_date 2030-01-01'],
    ['a repeated day', (x) => (x.elements[0].restrictions = { day_of_week: ['MONDAY', 'MONDAY'] }), 'elements[0].restrictions.day_of_week[1]: MONDAY is listed twice'],
    ['an empty time window', (x) => (x.elements[0].restrictions = { start_time: '10:00', end_time: '10:00' }), 'elements[0].restrictions.end_time: equals start_time 10:00 (an empty period)'],
    ['a malformed start_time', (x) => (x.elements[0].restrictions = { start_time: '25:00' }), 'elements[0].restrictions.start_time: must match pattern "^([01][0-9]|2[0-3]):[0-5][0-9]$"'],
  ];
  for (const [name, breakIt, message] of cases) {
    it(`refuses ${name} with 2001 naming the field, and stores nothing`, async () => {
      const body = tariff();
      breakIt(body);
      const res = await put(body.id, body);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({ status_code: 2001, status_message: message });
      expect((await get(body.id)).status).to.equal(404);
    });
  }

  it('lets a partner write only its own tariffs, with ids matching the URL', async () => {
    const body = { ...tariff(), party_id: 'XYZ' };
    expect((await t.ocpi('PUT', `/ocpi/2.2.1/tariffs/DE/XYZ/${body.id}`, { token: cpo.token, body })).status).to.equal(403);
    const mismatch = await put('OTHER', tariff());
    expect(mismatch.body).to.deep.include({ status_code: 2001, status_message: 'id: "12" does not match "OTHER" in the URL' });
  });

  it('acknowledges but ignores a version older than the stored one, and compares ids case-insensitively', async () => {
    await put('12', tariff());
    const older = { ...tariff(), currency: 'USD', last_updated: '2010-01-01T00:00:00Z' };
    expect((await put('12', older)).body.status_code).to.equal(1000);
    expect((await t.ocpi('GET', '/ocpi/2.2.1/tariffs/de/all/12', { token: cpo.token })).body.data.currency).to.equal('EUR');
  });

  it('keeps every version: the tariff in force at any past moment, and none after DELETE', async () => {
    const ref = { countryCode: 'DE', partyId: 'ALL', tariffId: '12' };
    const em = () => t.hub.services.orm.em.fork();
    const start = t.clock.now();
    t.clock.advance(60_000);
    await put('12', tariff());
    t.clock.advance(60_000);
    await put('12', { ...tariff(), currency: 'CHF', last_updated: '2030-01-01T00:00:00Z' });
    t.clock.advance(60_000);
    expect((await t.ocpi('DELETE', `${BASE}/12`, { token: cpo.token })).body.status_code).to.equal(1000);
    expect((await get('12')).status).to.equal(404);

    expect(await tariffInForce(em(), ref, start)).to.equal(undefined);
    expect((await tariffInForce(em(), ref, new Date(start.getTime() + 90_000)))!.body.currency).to.equal('EUR');
    expect((await tariffInForce(em(), ref, new Date(start.getTime() + 150_000)))!.body.currency).to.equal('CHF');
    expect(await tariffInForce(em(), ref, new Date(start.getTime() + 180_000))).to.equal(undefined);
    expect((await t.ocpi('DELETE', `${BASE}/12`, { token: cpo.token })).status).to.equal(404);
  });
});
