import { expect } from 'chai';
import { startTestHub, APP_KEY, type TestHub } from '../../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../../helpers/onboarding.ts';
import { example } from '../../helpers/examples.ts';
import { http } from '../../helpers/http.ts';

const BASE = '/ocpi/2.2.1/locations/BE/BEC';

describe('locations review before publishing', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const put = (path: string, body: unknown) => t.ocpi('PUT', `${BASE}${path}`, { token: cpo.token, body });
  const patch = (path: string, body: unknown) => t.ocpi('PATCH', `${BASE}${path}`, { token: cpo.token, body });
  const app = (path: string) => http('GET', `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${APP_KEY}` } });
  const pending = async () => (await t.admin('GET', '/reviews?state=PENDING')).body.data;

  beforeEach(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'BE', party_id: 'BEC' });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('holds a new location until approved, then holds key-field changes while the app keeps the approved version', async () => {
    await put('/LOC1', example('location_example.json'));
    expect((await app('/locations')).body).to.deep.equal({ data: [], next_cursor: null });

    const [review] = await pending();
    expect(review).to.deep.include({ partner_id: cpo.id, location_id: 'LOC1', kind: 'NEW', state: 'PENDING', submitted_at: '2026-11-25T10:00:00.000Z' });
    expect(review.diff).to.deep.include({ field: 'coordinates', before: null, after: { latitude: '51.047599', longitude: '3.729944' } });
    // Tariffs 11, 12, 13 are unknown to the hub: flagged, not refused.
    expect(review.flags).to.deep.equal([
      'tariff_ids: "11" names no tariff the hub holds',
      'tariff_ids: "13" names no tariff the hub holds',
      'tariff_ids: "12" names no tariff the hub holds',
    ]);

    const approved = await t.admin('POST', `/reviews/${review.id}/approve`);
    expect(approved.body).to.include({ state: 'APPROVED', decided_at: '2026-11-25T10:00:00.000Z' });
    const seen = await app('/locations');
    expect(seen.body.data).to.have.length(1);
    expect(seen.body.data[0]).to.deep.include({ location_id: 'LOC1', name: 'Gent Zuid', coordinates: { latitude: '51.047599', longitude: '3.729944' } });
    expect(seen.body.data[0].evses.map((e: any) => [e.uid, e.status])).to.deep.equal([['3256', 'AVAILABLE'], ['3257', 'RESERVED']]);

    // A key-field change waits; the app still sees the approved coordinates.
    await patch('/LOC1', { coordinates: { latitude: '51.047700', longitude: '3.729900' }, last_updated: '2016-01-01T00:00:00Z' });
    const [change] = await pending();
    expect(change).to.deep.include({ kind: 'CHANGE', diff: [{ field: 'coordinates', before: { latitude: '51.047599', longitude: '3.729944' }, after: { latitude: '51.047700', longitude: '3.729900' } }] });
    expect((await app('/locations')).body.data[0].coordinates).to.deep.equal({ latitude: '51.047599', longitude: '3.729944' });

    // A status update is never held, even while a change waits.
    await patch('/LOC1/3256', { status: 'CHARGING', last_updated: '2016-01-02T00:00:00Z' });
    expect((await app('/locations')).body.data[0].evses[0].status).to.equal('CHARGING');
    expect(await pending()).to.have.length(1);

    await t.admin('POST', `/reviews/${change.id}/approve`);
    expect((await app('/locations')).body.data[0].coordinates).to.deep.equal({ latitude: '51.047700', longitude: '3.729900' });
  });

  it('publishes at once a change of no key field', async () => {
    await put('/LOC1', example('location_example.json'));
    await t.admin('POST', `/reviews/${(await pending())[0].id}/approve`);
    await patch('/LOC1', { name: 'Gent Sint-Pieters', last_updated: '2016-01-01T00:00:00Z' });
    expect(await pending()).to.deep.equal([]);
    expect((await app('/locations')).body.data[0].name).to.equal('Gent Sint-Pieters');
  });

  it('replaces a pending change with a newer one, and lists the older as SUPERSEDED', async () => {
    await put('/LOC1', example('location_example.json'));
    await t.admin('POST', `/reviews/${(await pending())[0].id}/approve`);
    await patch('/LOC1/3256/1', { max_amperage: 32, last_updated: '2016-01-01T00:00:00Z' });
    await patch('/LOC1/3256/1', { max_amperage: 24, last_updated: '2016-01-02T00:00:00Z' });
    const reviews = (await t.admin('GET', '/reviews')).body.data;
    expect(reviews.map((r: any) => [r.kind, r.state])).to.deep.equal([['NEW', 'APPROVED'], ['CHANGE', 'SUPERSEDED'], ['CHANGE', 'PENDING']]);
    expect(reviews[2].diff).to.deep.equal([{ field: 'evses[3256].connectors[1].max_amperage', before: 16, after: 24 }]);
  });

  it('keeps the approved version when a change is rejected, with the reason', async () => {
    await put('/LOC1', example('location_example.json'));
    await t.admin('POST', `/reviews/${(await pending())[0].id}/approve`);
    await patch('/LOC1', { address: 'Elsewhere 1', last_updated: '2016-01-01T00:00:00Z' });
    const [change] = await pending();
    expect((await t.admin('POST', `/reviews/${change.id}/reject`, {})).status).to.equal(422);
    const rejected = await t.admin('POST', `/reviews/${change.id}/reject`, { reason: 'address does not match the site' });
    expect(rejected.body).to.include({ state: 'REJECTED', reason: 'address does not match the site' });
    expect((await app('/locations')).body.data[0].address).to.equal('F.Rooseveltlaan 3A');
    expect((await t.admin('POST', `/reviews/${change.id}/approve`)).status).to.equal(409);
    // A later status update does not reopen the rejected change.
    await patch('/LOC1/3256', { status: 'CHARGING', last_updated: '2016-01-02T00:00:00Z' });
    expect(await pending()).to.deep.equal([]);
  });

  it('publishes a trusted partner at once, unless something is flagged', async () => {
    await t.admin('PUT', `/partners/${cpo.id}/trust`, { trusted: true });
    const clean = example('location_example.json');
    clean.id = 'CLEAN';
    clean.evses = clean.evses.map((e: any) => ({ ...e, uid: `C-${e.uid}`, connectors: e.connectors.map((c: any) => ({ ...c, tariff_ids: [] })) }));
    await put('/CLEAN', clean);
    expect((await app('/locations')).body.data.map((l: any) => l.location_id)).to.deep.equal(['CLEAN']);
    await put('/LOC1', example('location_example.json'));
    expect((await pending()).map((r: any) => r.location_id)).to.deep.equal(['LOC1']);
  });
});
