import { expect } from 'chai';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../helpers/onboarding.ts';
import { example } from '../helpers/examples.ts';
import { runJob } from '../../src/jobs/scheduler.ts';
import { locationSyncJob } from '../../ocpi-modules/locations/sync.ts';

function site(n: number) {
  const l = example('location_example.json');
  l.id = `SYNC${n}`;
  l.evses = l.evses.map((e: any) => ({ ...e, uid: `S${n}-${e.uid}` }));
  l.last_updated = `2026-11-2${n < 5 ? 0 : 1}T00:00:0${n}Z`;
  return l;
}

describe('locations pull-sync', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  beforeEach(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'BE', party_id: 'BEC' });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  /** The CPO's Locations sender: 7 locations, one of them invalid, served 3 per page; no tariffs. */
  function serveLocations(all: any[]) {
    cpo.partner.routes.set('GET /ocpi/2.2.1/tariffs', () => ({ body: { data: [], status_code: 1000, timestamp: new Date().toISOString() }, headers: { 'x-total-count': '0', 'x-limit': '3' } }));
    cpo.partner.routes.set('GET /ocpi/2.2.1/locations', (req) => {
      const url = new URL(req.path, cpo.partner.url);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const from = url.searchParams.get('date_from');
      const matching = all.filter((l) => !from || new Date(l.last_updated) >= new Date(from));
      const page = matching.slice(offset, offset + 3);
      const headers: Record<string, string> = { 'x-total-count': String(matching.length), 'x-limit': '3' };
      if (offset + 3 < matching.length) {
        const next = new URL(url);
        next.searchParams.set('offset', String(offset + 3));
        headers.link = `<${next}>; rel="next"`;
      }
      return { body: { data: page, status_code: 1000, timestamp: new Date().toISOString() }, headers };
    });
  }

  it('pulls every page, applies validation and review rules, skips bad objects and records the outcome', async () => {
    const all = [1, 2, 3, 4, 5, 6, 7].map(site);
    all[3].coordinates = { latitude: '0.000000', longitude: '0.000000' };
    serveLocations(all);
    const res = await t.admin('POST', `/partners/${cpo.id}/sync`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.tariffs).to.deep.equal({ received: 0, applied: 0, rejected: [] });
    expect(res.body.locations).to.deep.equal({
      received: 7,
      applied: 6,
      rejected: [{ id: 'SYNC4', problems: 'coordinates: (0, 0) is not a charging location (missing coordinates?)' }],
    });
    const gets = cpo.partner.seen.filter((s) => s.path.startsWith('/ocpi/2.2.1/locations'));
    expect(gets.map((s) => s.path)).to.deep.equal(['/ocpi/2.2.1/locations', '/ocpi/2.2.1/locations?offset=3', '/ocpi/2.2.1/locations?offset=6']);
    expect(gets[0]!.token).to.equal(cpo.tokenB);
    // Same review rules as a push: all six wait for an operator.
    const pending = (await t.admin('GET', '/reviews?state=PENDING')).body.data;
    expect(pending.map((r: any) => r.location_id)).to.deep.equal(['SYNC1', 'SYNC2', 'SYNC3', 'SYNC5', 'SYNC6', 'SYNC7']);
    const partner = (await t.admin('GET', `/partners/${cpo.id}`)).body;
    expect(partner).to.include({ last_sync_success_at: '2026-11-25T10:00:00.000Z', last_sync_error: null, missed_heartbeats: 0 });
  });

  it('asks only for changes since the last successful sync', async () => {
    serveLocations([1, 2].map(site));
    await t.admin('POST', `/partners/${cpo.id}/sync`);
    t.clock.advance(3_600_000);
    cpo.partner.seen = [];
    await runJob(t.hub.services, locationSyncJob);
    // Tariffs first, so that the locations' tariff links are known when they arrive.
    expect(cpo.partner.seen.map((s) => s.path)).to.deep.equal([
      '/ocpi/2.2.1/tariffs?date_from=2026-11-25T10%3A00%3A00.000Z',
      '/ocpi/2.2.1/locations?date_from=2026-11-25T10%3A00%3A00.000Z',
    ]);
  });

  it('records a failing sync on the partner as a missed heartbeat', async () => {
    serveLocations([]);
    cpo.partner.routes.set('GET /ocpi/2.2.1/locations', () => ({ status: 503, body: { status_code: 3000, timestamp: new Date().toISOString() } }));
    const res = await t.admin('POST', `/partners/${cpo.id}/sync`);
    expect(res.status).to.equal(502);
    await runJob(t.hub.services, locationSyncJob);
    const partner = (await t.admin('GET', `/partners/${cpo.id}`)).body;
    expect(partner).to.include({ last_sync_success_at: null, missed_heartbeats: 2, last_sync_error_at: '2026-11-25T10:00:00.000Z' });
    expect(partner.last_sync_error).to.equal(`GET ${cpo.partner.url}/ocpi/2.2.1/locations: HTTP 503`);
  });
});
