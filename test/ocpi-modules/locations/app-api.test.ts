import { expect } from 'chai';
import { startTestHub, APP_KEY, ADMIN_KEY, type TestHub } from '../../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../../helpers/onboarding.ts';
import { example } from '../../helpers/examples.ts';
import { http } from '../../helpers/http.ts';

const BASE = '/ocpi/2.2.1/locations/NL/NLC';

/** Sites along Amsterdam's Damrak, north to south, ~121 m apart, plus one in Utrecht. */
const SITES: [string, string, string][] = [
  ['A', '52.378000', '4.899000'],
  ['B', '52.377100', '4.898000'],
  ['C', '52.376200', '4.897000'],
  ['D', '52.375300', '4.896000'],
  ['UTR', '52.090737', '5.121420'],
];

function site(id: string, lat: string, lon: string) {
  const l = example('location_example.json');
  Object.assign(l, { country_code: 'NL', party_id: 'NLC', id, country: 'NLD', city: 'Amsterdam', time_zone: 'Europe/Amsterdam', coordinates: { latitude: lat, longitude: lon } });
  l.evses = l.evses.map((e: any) => ({ ...e, uid: `${id}-${e.uid}`, connectors: e.connectors.map((c: any) => ({ ...c, tariff_ids: [] })) }));
  return l;
}

describe('app API: locations', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const app = (path: string, key = APP_KEY) => http('GET', `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
  const ids = (res: any) => res.body.data.map((l: any) => l.location_id);

  before(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'NL', party_id: 'NLC' });
    await t.admin('PUT', `/partners/${cpo.id}/trust`, { trusted: true });
    for (const [id, lat, lon] of SITES) {
      const res = await t.ocpi('PUT', `${BASE}/${id}`, { token: cpo.token, body: site(id, lat, lon) });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    // One EVSE of C removed, both of D removed: D is no longer shown at all.
    await t.ocpi('PATCH', `${BASE}/C/C-3256`, { token: cpo.token, body: { status: 'REMOVED', last_updated: '2016-01-01T00:00:00Z' } });
    await t.ocpi('PATCH', `${BASE}/D/D-3256`, { token: cpo.token, body: { status: 'REMOVED', last_updated: '2016-01-01T00:00:00Z' } });
    await t.ocpi('PATCH', `${BASE}/D/D-3257`, { token: cpo.token, body: { status: 'REMOVED', last_updated: '2016-01-01T00:00:00Z' } });
  });
  after(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('needs the app key', async () => {
    expect((await app('/locations', 'wrong')).status).to.equal(401);
    expect((await app('/locations', ADMIN_KEY)).status).to.equal(401);
  });

  it('lists published locations, hides REMOVED EVSEs and locations left without EVSEs', async () => {
    const res = await app('/locations');
    expect(res.status).to.equal(200);
    expect(ids(res).sort()).to.deep.equal(['A', 'B', 'C', 'UTR']);
    const c = res.body.data.find((l: any) => l.location_id === 'C');
    expect(c.evses.map((e: any) => e.uid)).to.deep.equal(['C-3257']);
    expect(c.evses[0].connectors[0]).to.deep.include({ standard: 'IEC_62196_T2', power_type: 'AC_3_PHASE', max_voltage: 220, max_amperage: 16, power_kw: 10.6 });
  });

  it('finds locations near a point within a radius, nearest first, with the distance', async () => {
    const res = await app('/locations?near=52.378000,4.899000&radius_m=250');
    expect(ids(res)).to.deep.equal(['A', 'B', 'C']);
    expect(res.body.data.map((l: any) => l.distance_m)).to.deep.equal([0, 121, 242]);
  });

  it('finds locations in a bounding box', async () => {
    const res = await app('/locations?bbox=4.8975,52.3765,4.9000,52.3790');
    expect(ids(res).sort()).to.deep.equal(['A', 'B']);
  });

  it('pages with limit and an opaque cursor, also when ordered by distance', async () => {
    const first = await app('/locations?near=52.378000,4.899000&radius_m=100000&limit=2');
    expect(ids(first)).to.deep.equal(['A', 'B']);
    const second = await app(`/locations?near=52.378000,4.899000&radius_m=100000&limit=2&cursor=${first.body.next_cursor}`);
    expect(ids(second)).to.deep.equal(['C', 'UTR']);
    expect(second.body.next_cursor).to.equal(null);
  });

  it('returns one location by id, and 404 for an unknown one', async () => {
    const listed = (await app('/locations?bbox=4.8985,52.3775,4.9000,52.3790')).body.data[0];
    const one = await app(`/locations/${listed.id}`);
    expect(one.body).to.deep.equal(listed);
    expect((await app('/locations/00000000-0000-0000-0000-000000000000')).status).to.equal(404);
  });

  it('refuses bad filters with 422 naming the parameter', async () => {
    expect((await app('/locations?near=91,4')).body).to.deep.equal({ error: 'invalid_request', message: 'near latitude: "91" must be a number from -90 to 90' });
    expect((await app('/locations?bbox=1,2,3')).body.message).to.equal('bbox: must be "minLon,minLat,maxLon,maxLat"');
    expect((await app('/locations?limit=0')).body.message).to.equal('limit: "0" must be a number from 1 to 200');
    expect((await app('/locations?cursor=nonsense')).body.message).to.equal('cursor: not a cursor this API gave out');
  });

  it('can answer geo filters from the GiST index', async () => {
    const em = t.hub.services.orm.em.fork();
    const plan = await em.getConnection().transactional(async (trx) => {
      await em.getConnection().execute('set local enable_seqscan = off', [], 'run', trx);
      return em.getConnection().execute(`explain select id from locations l where l.published is not null and l.geo <@ box(point(4.8, 52.3), point(4.9, 52.4))`, [], 'all', trx);
    });
    expect(plan.map((r: any) => r['QUERY PLAN']).join('\n')).to.include('locations_geo');
  });
});
