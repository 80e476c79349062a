import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../helpers/onboarding.ts';
import { example, fixture } from '../helpers/examples.ts';
import { createLogger } from '../../src/observability/log.ts';
import { currentTariff, tariffHistory, tariffInForce, tariffVersion, tariffWindowContains } from '../../ocpi-modules/tariffs/history.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = path.join(ROOT, 'fixtures/ocpi/examples');
const BASE = '/ocpi/2.2.1/tariffs/DE/ALL';

/** The specification's tariff examples (all DE/ALL), which are stored and answered verbatim. */
const tariffExamples = () =>
  fs
    .readdirSync(EXAMPLES)
    .filter((f) => /^tariff(restriction)?_.*\.json$/.test(f) && f !== 'tariff_put_example.json')
    .sort();

describe('tariffs receiver', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  let logs: any[];
  const put = (id: string, body: unknown) => t.ocpi('PUT', `${BASE}/${id}`, { token: cpo.token, body });
  const get = (id: string) => t.ocpi('GET', `${BASE}/${id}`, { token: cpo.token });
  const del = (id: string) => t.ocpi('DELETE', `${BASE}/${id}`, { token: cpo.token });
  const tariff = (name = 'tariff_1_simple_2hour.json') => example(name);
  const em = () => t.hub.services.orm.em.fork();
  const ref = (tariffId = '12') => ({ countryCode: 'DE', partyId: 'ALL', tariffId });
  const at = (iso: string) => new Date(iso);

  beforeEach(async () => {
    logs = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs.push(...String(chunk).split('\n').filter(Boolean).map((l) => JSON.parse(l)));
        done();
      },
    });
    t = await startTestHub({ log: createLogger('info', sink) });
    t.clock.set('2026-11-25T10:00:00.000Z');
    // The specification's examples all belong to DE/ALL.
    cpo = await onboardCpo(t, { country_code: 'DE', party_id: 'ALL' });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('creates with PUT (201), updates with PUT (200), and GET answers exactly the current version', async () => {
    const first = tariff('tariff_1_simple_2hour.json');
    const created = await put('12', first);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.deep.equal({ status_code: 1000, timestamp: '2026-11-25T10:00:00.000Z' });

    const read = await get('12');
    expect(read.status).to.equal(200);
    expect(read.body.status_code).to.equal(1000);
    expect(read.body.data).to.deep.equal(example('tariff_1_simple_2hour.json'));

    // tariff_2 is the same tariff 12 with alternative texts, same last_updated: an update.
    t.clock.advance(60_000);
    const updated = await put('12', tariff('tariff_2_alt_text.json'));
    expect(updated.status).to.equal(200);
    expect(updated.body).to.deep.equal({ status_code: 1000, timestamp: '2026-11-25T10:01:00.000Z' });
    expect((await get('12')).body.data).to.deep.equal(example('tariff_2_alt_text.json'));
    expect((await tariffHistory(em(), ref())).map((v) => [v.tariff.tariff_alt_text?.length ?? 0, v.validFrom.toISOString(), v.validTo?.toISOString() ?? null])).to.deep.equal([
      [0, '2026-11-25T10:00:00.000Z', '2026-11-25T10:01:00.000Z'],
      [2, '2026-11-25T10:01:00.000Z', null],
    ]);
  });

  it('stores and answers every tariff example of the specification verbatim', async () => {
    const names = tariffExamples();
    expect(names).to.have.length(19);
    for (const name of names) {
      const body = example(name);
      const res = await put(body.id, body);
      expect([res.status, res.body.status_code], `${name}: ${res.body.status_message}`).to.deep.equal([201, 1000]);
      expect((await get(body.id)).body.data, name).to.deep.equal(example(name));
      // Several examples share an id: start afresh for the next one.
      expect((await del(body.id)).body.status_code).to.equal(1000);
    }
  });

  it('refuses the PUT example that lacks last_updated, and accepts its corrected copy', async () => {
    const bad = await put('12', example('tariff_put_example.json'));
    expect([bad.status, bad.body.status_code]).to.deep.equal([200, 2001]);
    expect(['last_updated: is required']).to.include(bad.body.status_message);
    const good = await put('12', fixture('ocpi/corrected/tariff_put_example.json'));
    expect(good.status).to.equal(201);
    expect((await get('12')).body.data).to.deep.equal(fixture('ocpi/corrected/tariff_put_example.json'));
  });

  it('answers 404 for an unknown tariff', async () => {
    const res = await get('NOPE');
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.include({ status_code: 2000, status_message: 'unknown tariff DE/ALL/NOPE' });
    expect(res.body).to.not.have.property('data');
  });

  // [what, base example, how to break it, the exact message (or the schema's and the rule's, whichever validates)]
  const DAYS_ENUM = 'must be one of MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY';
  const TIME_PATTERN = 'must match pattern "^([01][0-9]|2[0-3]):[0-5][0-9]$"';
  const DATE_PATTERN = 'must match pattern "^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"';
  const r0 = 'elements[0].restrictions';
  const pc00 = 'elements[0].price_components[0]';
  const cases: [string, string, (x: any) => void, string | string[]][] = [
    ['an unknown currency', 'tariff_1_simple_2hour.json', (x) => (x.currency = 'EUX'), 'currency: "EUX" is not an ISO 4217 currency code'],
    ['a lower-case currency', 'tariff_1_simple_2hour.json', (x) => (x.currency = 'eur'), 'currency: "eur" is not an ISO 4217 currency code'],
    ['a negative price', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].price_components[0].price = -2), `${pc00}.price: -2 must not be negative`],
    ['a negative price in a later element', 'tariff_4_complex.json', (x) => (x.elements[2].price_components[0].price = -0.5), 'elements[2].price_components[0].price: -0.5 must not be negative'],
    ['a negative VAT', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].price_components[0].vat = -1), `${pc00}.vat: -1 must not be negative`],
    ['a VAT over 100 %', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].price_components[0].vat = 121), `${pc00}.vat: 121 is not a percentage from 0 to 100`],
    ['a negative step_size', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].price_components[0].step_size = -1), `${pc00}.step_size: -1 must not be negative`],
    ['a negative min_price excl. VAT', 'tariff_1_simple_2hour.json', (x) => (x.min_price = { excl_vat: -1 }), 'min_price.excl_vat: -1 must not be negative'],
    ['a negative min_price incl. VAT', 'tariff_1_simple_2hour.json', (x) => (x.min_price = { excl_vat: 1, incl_vat: -1 }), 'min_price.incl_vat: -1 must not be negative'],
    ['a negative max_price excl. VAT', 'tariff_1_simple_2hour.json', (x) => (x.max_price = { excl_vat: -3 }), 'max_price.excl_vat: -3 must not be negative'],
    ['a negative max_price incl. VAT', 'tariff_1_simple_2hour.json', (x) => (x.max_price = { excl_vat: 3, incl_vat: -3.63 }), 'max_price.incl_vat: -3.63 must not be negative'],
    ['incl_vat below excl_vat', 'tariff_1_simple_2hour.json', (x) => (x.max_price = { excl_vat: 5, incl_vat: 4 }), 'max_price.incl_vat: 4 is less than excl_vat 5'],
    ['min_price above max_price (excl. VAT)', 'tariff_1_simple_2hour.json', (x) => Object.assign(x, { min_price: { excl_vat: 5 }, max_price: { excl_vat: 4 } }), 'min_price.excl_vat: 5 exceeds max_price.excl_vat 4'],
    ['min_price above max_price (incl. VAT)', 'tariff_1_simple_2hour.json', (x) => Object.assign(x, { min_price: { excl_vat: 1, incl_vat: 6 }, max_price: { excl_vat: 5, incl_vat: 5.5 } }), 'min_price.incl_vat: 6 exceeds max_price.incl_vat 5.5'],
    ['end_date_time before start_date_time', 'tariff_1_simple_2hour.json', (x) => Object.assign(x, { start_date_time: '2030-01-02T00:00:00Z', end_date_time: '2030-01-01T00:00:00Z' }), 'end_date_time: 2030-01-01T00:00:00Z is not after start_date_time 2030-01-02T00:00:00Z'],
    ['end_date_time equal to start_date_time', 'tariff_1_simple_2hour.json', (x) => Object.assign(x, { start_date_time: '2030-01-01T00:00:00', end_date_time: '2030-01-01T00:00:00.000Z' }), 'end_date_time: 2030-01-01T00:00:00.000Z is not after start_date_time 2030-01-01T00:00:00'],
    ['end_date_time before start_date_time by a fraction', 'tariff_1_simple_2hour.json', (x) => Object.assign(x, { start_date_time: '2030-01-01T00:00:00.5Z', end_date_time: '2030-01-01T00:00:00Z' }), 'end_date_time: 2030-01-01T00:00:00Z is not after start_date_time 2030-01-01T00:00:00.5Z'],
    ['a start_date_time that is no day', 'tariff_1_simple_2hour.json', (x) => (x.start_date_time = '2030-02-30T00:00:00Z'), 'start_date_time: "2030-02-30T00:00:00Z" is not a valid date and time'],
    ['a last_updated that is no moment', 'tariff_1_simple_2hour.json', (x) => (x.last_updated = '2026-11-25T24:00:00Z'), 'last_updated: "2026-11-25T24:00:00Z" is not a valid date and time'],
    ['a malformed start_time', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { start_time: '25:00' }), [`${r0}.start_time: ${TIME_PATTERN}`, `${r0}.start_time: "25:00" is not a time HH:MM`]],
    ['a malformed end_time', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { end_time: '7:00' }), [`${r0}.end_time: ${TIME_PATTERN}`, `${r0}.end_time: "7:00" is not a time HH:MM`]],
    ['a malformed end_date', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { end_date: '2030/01/01' }), [`${r0}.end_date: ${DATE_PATTERN}`, `${r0}.end_date: "2030/01/01" is not a date YYYY-MM-DD`]],
    ['a start_date that is no day', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { start_date: '2030-02-30' }), `${r0}.start_date: "2030-02-30" is not a date YYYY-MM-DD`],
    ['start_date after end_date', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { start_date: '2030-02-01', end_date: '2030-01-01' }), `${r0}.start_date: 2030-02-01 is not before end_date 2030-01-01`],
    ['start_date equal to end_date (exclusive)', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { start_date: '2030-01-01', end_date: '2030-01-01' }), `${r0}.start_date: 2030-01-01 is not before end_date 2030-01-01`],
    ['min_kwh above max_kwh', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { min_kwh: 10, max_kwh: 5 }), `${r0}.min_kwh: 10 exceeds max_kwh 5`],
    ['min_current above max_current', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { min_current: 32, max_current: 16 }), `${r0}.min_current: 32 exceeds max_current 16`],
    ['min_power above max_power', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { min_power: 50, max_power: 22 }), `${r0}.min_power: 50 exceeds max_power 22`],
    ['min_duration above max_duration', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { min_duration: 600, max_duration: 60 }), `${r0}.min_duration: 600 exceeds max_duration 60`],
    ['a negative min_kwh', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { min_kwh: -1 }), `${r0}.min_kwh: -1 must not be negative`],
    ['a day that does not exist', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { day_of_week: ['MONDAY', 'FUNDAY'] }), [`${r0}.day_of_week[1]: ${DAYS_ENUM}`, `${r0}.day_of_week[1]: "FUNDAY" is not a day`]],
    ['a repeated day', 'tariff_1_simple_2hour.json', (x) => (x.elements[0].restrictions = { day_of_week: ['MONDAY', 'TUESDAY', 'MONDAY'] }), `${r0}.day_of_week[2]: MONDAY is listed twice`],
    ['two problems at once', 'tariff_1_simple_2hour.json', (x) => Object.assign(x, { currency: 'EUX', min_price: { excl_vat: -1 } }), 'currency: "EUX" is not an ISO 4217 currency code; min_price.excl_vat: -1 must not be negative'],
  ];
  for (const [what, base, breakIt, message] of cases) {
    it(`refuses ${what} with 2001 naming the field, and stores nothing`, async () => {
      const body = tariff(base);
      breakIt(body);
      const res = await put(body.id, body);
      expect(res.status).to.equal(200);
      expect(res.body.status_code, res.body.status_message).to.equal(2001);
      expect(typeof message === 'string' ? [message] : message).to.include(res.body.status_message);
      expect((await get(body.id)).status).to.equal(404);
      expect(await tariffHistory(em(), ref(body.id))).to.deep.equal([]);
    });
  }

  it('refuses a tariff_id longer than a CiString(36)', async () => {
    const id = 'X'.repeat(37);
    const res = await put(id, { ...tariff(), id });
    expect(res.body).to.deep.include({ status_code: 2001, status_message: `tariff_id: "${id}" is not a CiString(36)` });
  });

  it('lets a partner reach only its own tariffs (403), with ids in the body matching the URL (2001)', async () => {
    const other = { ...tariff(), party_id: 'XYZ' };
    const forbidden = await t.ocpi('PUT', '/ocpi/2.2.1/tariffs/DE/XYZ/12', { token: cpo.token, body: other });
    expect(forbidden.status).to.equal(403);
    expect(forbidden.body).to.deep.include({ status_code: 2000, status_message: 'DE/XYZ is not one of your credentials roles: you may only write your own objects' });
    expect((await t.ocpi('GET', '/ocpi/2.2.1/tariffs/DE/XYZ/12', { token: cpo.token })).status).to.equal(403);
    expect((await t.ocpi('DELETE', '/ocpi/2.2.1/tariffs/NL/ALL/12', { token: cpo.token })).status).to.equal(403);

    const wrongParty = await put('12', other);
    expect([wrongParty.status, wrongParty.body.status_code, wrongParty.body.status_message]).to.deep.equal([200, 2001, 'party_id: "XYZ" does not match "ALL" in the URL']);
    const wrongCountry = await put('12', { ...tariff(), country_code: 'NL' });
    expect(wrongCountry.body).to.deep.include({ status_code: 2001, status_message: 'country_code: "NL" does not match "DE" in the URL' });
    const wrongId = await put('OTHER', tariff());
    expect(wrongId.body).to.deep.include({ status_code: 2001, status_message: 'id: "12" does not match "OTHER" in the URL' });
    expect(await tariffHistory(em(), ref())).to.deep.equal([]);
    expect(await tariffHistory(em(), ref('OTHER'))).to.deep.equal([]);
  });

  it('acknowledges a version older than the stored one (1000) but does not apply it, and logs it', async () => {
    expect((await put('12', tariff())).status).to.equal(201);
    t.clock.advance(60_000);
    const older = { ...tariff(), currency: 'USD', last_updated: '2010-01-01T00:00:00Z' };
    const res = await put('12', older);
    expect([res.status, res.body.status_code]).to.deep.equal([200, 1000]);
    expect(res.body).to.not.have.property('data');
    expect((await get('12')).body.data).to.deep.equal(example('tariff_1_simple_2hour.json'));
    expect(await tariffHistory(em(), ref())).to.have.length(1);
    const line = logs.find((l) => l.msg === 'out-of-order tariff ignored: older than the stored version');
    expect(line, JSON.stringify(logs.map((l) => l.msg))).to.deep.include({
      level: 30,
      partnerId: cpo.id,
      incomingLastUpdated: '2010-01-01T00:00:00Z',
      storedLastUpdated: '2015-06-29T20:39:09.000Z',
    });
    expect(line.tariff).to.deep.equal({ countryCode: 'DE', partyId: 'ALL', tariffId: '12' });
  });

  it('applies a version with the same last_updated but other content; the very same object again changes nothing', async () => {
    await put('12', tariff());
    t.clock.advance(60_000);
    expect((await put('12', tariff())).status).to.equal(200);
    expect(await tariffHistory(em(), ref())).to.have.length(1);
    const changed = { ...tariff(), currency: 'CHF' };
    expect((await put('12', changed)).status).to.equal(200);
    expect((await tariffHistory(em(), ref())).map((v) => v.tariff.currency)).to.deep.equal(['EUR', 'CHF']);
  });

  it('compares ids case-insensitively (CiString) in the URL and in the body', async () => {
    const body = { ...tariff(), country_code: 'de', party_id: 'all', id: 'Tariff-a' };
    expect((await t.ocpi('PUT', '/ocpi/2.2.1/tariffs/de/all/tariff-A', { token: cpo.token, body })).status).to.equal(201);
    const read = await t.ocpi('GET', '/ocpi/2.2.1/tariffs/DE/ALL/TARIFF-A', { token: cpo.token });
    expect(read.status).to.equal(200);
    expect(read.body.data).to.deep.equal(body);
    // The same tariff in another spelling is an update, not a second tariff.
    const again = { ...tariff(), id: 'TARIFF-A', currency: 'CHF', last_updated: '2026-11-25T09:00:00Z' };
    expect((await put('tariff-a', again)).status).to.equal(200);
    expect((await get('Tariff-A')).body.data.currency).to.equal('CHF');
    expect((await currentTariff(em(), { countryCode: 'De', partyId: 'aLL', tariffId: 'TaRiFf-A' }))!.tariff.id).to.equal('TARIFF-A');
    expect(await tariffHistory(em(), ref('tariff-a'))).to.have.length(2);
  });

  it('DELETE ends the tariff from now on: GET answers 404, the history is kept, and a new PUT creates it again', async () => {
    await put('12', tariff());
    t.clock.advance(60_000);
    const deleted = await del('12');
    expect([deleted.status, deleted.body]).to.deep.equal([200, { status_code: 1000, timestamp: '2026-11-25T10:01:00.000Z' }]);
    const gone = await get('12');
    expect([gone.status, gone.body.status_code]).to.deep.equal([404, 2000]);
    expect((await del('12')).status).to.equal(404);
    const [kept, ...more] = await tariffHistory(em(), ref());
    expect(more).to.deep.equal([]);
    expect(kept!.tariff).to.deep.equal(example('tariff_1_simple_2hour.json'));
    expect([kept!.validFrom.toISOString(), kept!.validTo?.toISOString()]).to.deep.equal(['2026-11-25T10:00:00.000Z', '2026-11-25T10:01:00.000Z']);

    t.clock.advance(60_000);
    expect((await put('12', tariff())).status).to.equal(201);
    expect((await get('12')).status).to.equal(200);
    expect(await tariffHistory(em(), ref())).to.have.length(2);
  });

  it('finds the version in force at any moment: none before, the first, the second, none after DELETE', async () => {
    // 10:00 nothing; 10:01 version 1 (EUR); 10:02 version 2 (CHF); 10:03 deleted.
    t.clock.advance(60_000);
    await put('12', tariff());
    t.clock.advance(60_000);
    await put('12', { ...tariff(), currency: 'CHF', last_updated: '2026-11-25T10:01:30Z' });
    t.clock.advance(60_000);
    expect((await del('12')).body.status_code).to.equal(1000);

    expect(await tariffInForce(em(), ref(), at('2026-11-25T10:00:30Z'))).to.equal(undefined);
    const first = await tariffInForce(em(), ref(), at('2026-11-25T10:01:00Z'));
    const firstAgain = await tariffInForce(em(), ref(), at('2026-11-25T10:01:59.999Z'));
    const second = await tariffInForce(em(), ref(), at('2026-11-25T10:02:00Z'));
    const secondAgain = await tariffInForce(em(), ref(), at('2026-11-25T10:02:59.999Z'));
    expect(await tariffInForce(em(), ref(), at('2026-11-25T10:03:00Z'))).to.equal(undefined);
    expect(await tariffInForce(em(), ref(), at('2030-01-01T00:00:00Z'))).to.equal(undefined);
    expect(await currentTariff(em(), ref())).to.equal(undefined);

    expect(first!.tariff).to.deep.equal(example('tariff_1_simple_2hour.json'));
    expect(first).to.deep.include({ partnerId: cpo.id, countryCode: 'DE', partyId: 'ALL', tariffId: '12', validFrom: at('2026-11-25T10:01:00Z'), validTo: at('2026-11-25T10:02:00Z'), lastUpdated: at('2015-06-29T20:39:09Z') });
    expect(firstAgain!.versionId).to.equal(first!.versionId);
    expect(second!.tariff.currency).to.equal('CHF');
    expect(second).to.deep.include({ validFrom: at('2026-11-25T10:02:00Z'), validTo: at('2026-11-25T10:03:00Z'), lastUpdated: at('2026-11-25T10:01:30Z') });
    expect(secondAgain!.versionId).to.equal(second!.versionId);
    expect(second!.versionId).to.not.equal(first!.versionId);
    expect((await tariffVersion(em(), first!.versionId))!.tariff.currency).to.equal('EUR');
    expect(await tariffVersion(em(), 'not-a-uuid')).to.equal(undefined);
  });

  it('hands out copies: changing a returned tariff changes nothing stored', async () => {
    await put('12', tariff());
    const session = em();
    const current = (await currentTariff(session, ref()))!;
    current.tariff.currency = 'XXX';
    await session.flush();
    expect((await currentTariff(em(), ref()))!.tariff.currency).to.equal('EUR');
  });

  it('serialises concurrent PUTs of one tariff: one current version, the newest last_updated wins, every PUT answered', async () => {
    const versions = [5, 1, 4, 2, 6, 3].map((n) => ({ ...tariff(), currency: ['EUR', 'USD', 'CHF', 'GBP', 'SEK', 'NOK'][n - 1], last_updated: `2026-11-25T09:0${n}:00Z` }));
    const answers = await Promise.all(versions.map((v) => put('12', v)));
    expect(answers.map((a) => a.body.status_code)).to.deep.equal([1000, 1000, 1000, 1000, 1000, 1000]);
    expect(answers.filter((a) => a.status === 201)).to.have.length(1);
    expect(answers.filter((a) => a.status === 200)).to.have.length(5);
    const rows: { n: string }[] = await em().execute(`select count(*)::text as n from tariff_versions where tariff_key = 'DE/ALL/12' and valid_to is null`);
    expect(rows[0]!.n).to.equal('1');
    expect((await get('12')).body.data.last_updated).to.equal('2026-11-25T09:06:00Z');

    // Concurrent first PUTs of a new tariff: one creates it.
    const fresh = await Promise.all([1, 2, 3].map((n) => put('13', { ...tariff(), id: '13', last_updated: `2026-11-25T09:0${n}:00Z` })));
    expect(fresh.map((a) => a.status).sort()).to.deep.equal([200, 200, 201]);
    expect((await currentTariff(em(), ref('13')))!.tariff.last_updated).to.equal('2026-11-25T09:03:00Z');
  });

  it('tells whether a moment lies in the tariff’s own start_date_time/end_date_time window', () => {
    const x = { ...tariff(), start_date_time: '2030-01-01T00:00:00Z', end_date_time: '2030-02-01T00:00:00Z' };
    expect(tariffWindowContains(x, at('2029-12-31T23:59:59Z'))).to.equal(false);
    expect(tariffWindowContains(x, at('2030-01-01T00:00:00Z'))).to.equal(true);
    expect(tariffWindowContains(x, at('2030-02-01T00:00:00Z'))).to.equal(false);
    expect(tariffWindowContains(tariff(), at('1999-01-01T00:00:00Z'))).to.equal(true);
  });

  it('pulls the CPO’s Tariffs sender with the same validation as a push', async () => {
    const bad = { ...tariff('tariff_3_alt_url.json'), currency: 'EUX' };
    const notOurs = { ...tariff('tariff_5_free_of_charge.json'), party_id: 'XYZ' };
    cpo.partner.routes.set('GET /ocpi/2.2.1/locations', () => ({ body: { data: [], status_code: 1000, timestamp: new Date().toISOString() }, headers: { 'x-total-count': '0', 'x-limit': '10' } }));
    cpo.partner.routes.set('GET /ocpi/2.2.1/tariffs', () => ({
      body: { data: [tariff('tariff_1_simple_2hour.json'), bad, notOurs, tariff('tariff_4_complex.json')], status_code: 1000, timestamp: new Date().toISOString() },
      headers: { 'x-total-count': '4', 'x-limit': '10' },
    }));
    const res = await t.admin('POST', `/partners/${cpo.id}/sync`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.tariffs).to.deep.equal({
      received: 4,
      applied: 2,
      rejected: [
        { id: '13', problems: 'currency: "EUX" is not an ISO 4217 currency code' },
        { id: '15', problems: "country_code/party_id: DE/XYZ is not one of the partner's roles" },
      ],
    });
    expect((await get('12')).body.data).to.deep.equal(example('tariff_1_simple_2hour.json'));
    expect((await get('14')).body.data).to.deep.equal(example('tariff_4_complex.json'));
    expect((await get('13')).status).to.equal(404);
  });
});
