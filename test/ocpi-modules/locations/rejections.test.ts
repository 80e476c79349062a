import { expect } from 'chai';
import { startTestHub, APP_KEY, type TestHub } from '../../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../../helpers/onboarding.ts';
import { example } from '../../helpers/examples.ts';
import { http } from '../../helpers/http.ts';

const BASE = '/ocpi/2.2.1/locations/BE/BEC';
const APPROVED = { latitude: '51.047599', longitude: '3.729944' };
const REJECTED = { latitude: '51.053000', longitude: '3.721000' };
const AMPERAGE = 'evses[3256].connectors[1].max_amperage';

describe('rejected review values stay rejected', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const put = (path: string, body: unknown) => t.ocpi('PUT', `${BASE}${path}`, { token: cpo.token, body });
  const patch = (path: string, body: unknown) => t.ocpi('PATCH', `${BASE}${path}`, { token: cpo.token, body });
  const shown = async () => {
    const res = await http('GET', `${t.url}/api/v1/locations`, { headers: { authorization: `Bearer ${APP_KEY}` } });
    return res.body.data;
  };
  const reviews = async () => (await t.admin('GET', '/reviews')).body.data;
  const pending = async () => (await t.admin('GET', '/reviews?state=PENDING')).body.data;
  const rejections = async () => {
    const res = await t.admin('GET', `/partners/${cpo.id}/locations/rejections`);
    expect(res.status).to.equal(200);
    // The partner view lists the same, so operations sees it where it looks at the partner.
    const view = await t.admin('GET', `/partners/${cpo.id}`);
    expect(view.body.rejected_location_changes).to.deep.equal(res.body.data);
    return res.body.data;
  };

  /** LOC1 approved, then a coordinate change rejected; returns the rejected review. */
  async function rejectCoordinates() {
    await put('/LOC1', example('location_example.json'));
    await t.admin('POST', `/reviews/${(await pending())[0].id}/approve`);
    await patch('/LOC1', { coordinates: REJECTED, last_updated: '2016-01-01T00:00:00Z' });
    const [change] = await pending();
    const rejected = await t.admin('POST', `/reviews/${change.id}/reject`, { reason: 'the site is on the other side of the station' });
    expect(rejected.body.state).to.equal('REJECTED');
    return rejected.body;
  }

  beforeEach(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'BE', party_id: 'BEC' });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('the issue: a max_amperage PATCH after a rejected coordinate change reviews only the amperage; approved, the app has the new amperage and the approved coordinates', async () => {
    await rejectCoordinates();
    expect((await patch('/LOC1/3256/1', { max_amperage: 32, last_updated: '2016-01-02T00:00:00Z' })).body.status_code).to.equal(1000);

    const [review] = await pending();
    expect(review).to.deep.include({ kind: 'CHANGE', diff: [{ field: AMPERAGE, before: 16, after: 32 }] });
    const [location] = await shown();
    expect(location.coordinates).to.deep.equal(APPROVED);
    expect(location.evses[0].connectors[0].max_amperage).to.equal(16);

    await t.admin('POST', `/reviews/${review.id}/approve`);
    const [after] = await shown();
    expect(after.coordinates).to.deep.equal(APPROVED);
    expect(after.evses[0].connectors[0].max_amperage).to.equal(32);
    expect(await pending()).to.deep.equal([]);
    // The partner still sends the rejected coordinates: the rejection stands.
    expect((await rejections())[0].rejections.map((r: any) => [r.field, r.still_sent])).to.deep.equal([['coordinates', true]]);
  });

  it('the issue with a trusted partner: the max_amperage PATCH publishes at once with the new amperage and the approved coordinates, and opens no review', async () => {
    await t.admin('PUT', `/partners/${cpo.id}/trust`, { trusted: true });
    // Unknown tariff ids flag the location, so its changes are reviewed even for a trusted partner.
    await rejectCoordinates();
    for (const id of ['11', '12', '13']) {
      const tariff = { ...example('tariff_put_example.json'), country_code: 'BE', party_id: 'BEC', id, last_updated: '2016-01-01T00:00:00Z' };
      expect((await t.ocpi('PUT', `/ocpi/2.2.1/tariffs/BE/BEC/${id}`, { token: cpo.token, body: tariff })).body.status_code).to.equal(1000);
    }

    await patch('/LOC1/3256/1', { max_amperage: 32, last_updated: '2016-01-02T00:00:00Z' });
    expect(await pending()).to.deep.equal([]);
    const [location] = await shown();
    expect(location.coordinates).to.deep.equal(APPROVED);
    expect(location.evses[0].connectors[0].max_amperage).to.equal(32);
    expect((await reviews()).map((r: any) => [r.kind, r.state])).to.deep.equal([['NEW', 'APPROVED'], ['CHANGE', 'REJECTED']]);
  });

  it('publishes at once the other changes of a PUT that resends the rejected value, and opens no review', async () => {
    await rejectCoordinates();
    const location = example('location_example.json');
    location.coordinates = { longitude: REJECTED.longitude, latitude: REJECTED.latitude };
    location.name = 'Gent Zuid Parking';
    location.evses[1].status = 'AVAILABLE';
    location.last_updated = '2016-01-02T00:00:00Z';
    expect((await put('/LOC1', location)).status).to.equal(200);

    expect(await pending()).to.deep.equal([]);
    const [seen] = await shown();
    expect(seen).to.deep.include({ name: 'Gent Zuid Parking', coordinates: APPROVED });
    expect(seen.evses.map((e: any) => [e.uid, e.status])).to.deep.equal([['3256', 'AVAILABLE'], ['3257', 'AVAILABLE']]);
    // What the partner sent is kept as it sent it.
    expect((await t.ocpi('GET', `${BASE}/LOC1`, { token: cpo.token })).body.data.coordinates).to.deep.equal({ longitude: REJECTED.longitude, latitude: REJECTED.latitude });
  });

  it('opens a new review for a different coordinate (and only that), and its approval clears the rejection', async () => {
    await rejectCoordinates();
    const other = { latitude: '51.048000', longitude: '3.730000' };
    await patch('/LOC1', { coordinates: other, last_updated: '2016-01-02T00:00:00Z' });
    const [review] = await pending();
    expect(review).to.deep.include({ kind: 'CHANGE', diff: [{ field: 'coordinates', before: APPROVED, after: other }] });
    expect((await shown())[0].coordinates).to.deep.equal(APPROVED);

    await t.admin('POST', `/reviews/${review.id}/approve`);
    expect((await shown())[0].coordinates).to.deep.equal(other);
    expect(await rejections()).to.deep.equal([]);
    // Superseded by the approval: the once rejected value is a change to review again.
    await patch('/LOC1', { coordinates: REJECTED, last_updated: '2016-01-03T00:00:00Z' });
    expect((await pending())[0].diff).to.deep.equal([{ field: 'coordinates', before: other, after: REJECTED }]);
  });

  it('forgets a rejected value the partner takes back to the published one', async () => {
    await rejectCoordinates();
    await patch('/LOC1', { coordinates: APPROVED, last_updated: '2016-01-02T00:00:00Z' });
    expect(await rejections()).to.deep.equal([]);
    expect(await pending()).to.deep.equal([]);
    await patch('/LOC1', { coordinates: REJECTED, last_updated: '2016-01-03T00:00:00Z' });
    expect((await pending())[0].diff).to.deep.equal([{ field: 'coordinates', before: APPROVED, after: REJECTED }]);
  });

  it('keeps a rejected NEW location unpublished; the same values again open no review, a different one opens a NEW review that names the rejected values', async () => {
    await put('/LOC1', example('location_example.json'));
    const [review] = await pending();
    await t.admin('POST', `/reviews/${review.id}/reject`, { reason: 'not a site of this operator' });

    const again = example('location_example.json');
    again.name = 'Gent Zuid (renamed)';
    again.last_updated = '2016-01-01T00:00:00Z';
    expect((await put('/LOC1', again)).status).to.equal(200);
    await patch('/LOC1/3256', { status: 'CHARGING', last_updated: '2016-01-02T00:00:00Z' });
    expect(await pending()).to.deep.equal([]);
    expect(await shown()).to.deep.equal([]);

    await patch('/LOC1', { address: 'F.Rooseveltlaan 5', last_updated: '2016-01-03T00:00:00Z' });
    const [reopened] = await pending();
    expect(reopened.kind).to.equal('NEW');
    expect(reopened.diff).to.deep.include({ field: 'address', before: null, after: 'F.Rooseveltlaan 5' });
    expect(reopened.diff).to.deep.include({ field: 'coordinates', before: null, after: APPROVED });
    expect(reopened.flags).to.include(`coordinates: this value was rejected before (review ${review.id}: not a site of this operator)`);
    expect(reopened.flags).to.not.include(`address: this value was rejected before (review ${review.id}: not a site of this operator)`);

    await t.admin('POST', `/reviews/${reopened.id}/approve`);
    expect((await shown()).map((l: any) => [l.address, l.name])).to.deep.equal([['F.Rooseveltlaan 5', 'Gent Zuid (renamed)']]);
    expect(await rejections()).to.deep.equal([]);
  });

  it('lists per location its rejected changes with the reason, the published value, when and by whom', async () => {
    const rejected = await rejectCoordinates();
    await patch('/LOC1/3256/1', { max_amperage: 32, last_updated: '2016-01-02T00:00:00Z' });
    const amperage = await t.admin('POST', `/reviews/${(await pending())[0].id}/reject`, { reason: 'the cable is rated 16 A' });

    const loc2 = example('location_example.json');
    loc2.id = 'LOC2';
    loc2.evses = loc2.evses.map((e: any) => ({ ...e, uid: `2-${e.uid}` }));
    await put('/LOC2', loc2);
    await t.admin('POST', `/reviews/${(await pending())[0].id}/approve`);

    expect(await rejections()).to.deep.equal([
      {
        location_id: 'LOC1',
        location_ref: rejected.location_ref,
        published: true,
        rejections: [
          { field: 'coordinates', rejected_value: REJECTED, published_value: APPROVED, still_sent: true, reason: 'the site is on the other side of the station', review_id: rejected.id, rejected_at: '2026-11-25T10:00:00.000Z', rejected_by: rejected.decided_by },
          { field: AMPERAGE, rejected_value: 32, published_value: 16, still_sent: true, reason: 'the cable is rated 16 A', review_id: amperage.body.id, rejected_at: '2026-11-25T10:00:00.000Z', rejected_by: amperage.body.decided_by },
        ],
      },
    ]);
    expect(rejected.decided_by).to.match(/^admin:/);
    const unknown = await t.admin('GET', '/partners/00000000-0000-4000-8000-000000000000/locations/rejections');
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.deep.equal({ error: 'not_found', message: 'no partner 00000000-0000-4000-8000-000000000000' });
  });
});
