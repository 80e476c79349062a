import { expect } from 'chai';
import { startTestHub, type TestHub } from '../../helpers/hub.ts';
import { approvedCpo } from '../../helpers/onboarding.ts';
import { FakePartner } from '../../helpers/partner.ts';
import { example } from '../../helpers/examples.ts';
import { runJob } from '../../../src/jobs/scheduler.ts';
import { partnerSyncJob } from '../../../src/partners/sync.ts';

function site(n: number) {
  const l = example('location_example.json');
  l.id = `SYNC${n}`;
  l.evses = l.evses.map((e: any) => ({ ...e, uid: `S${n}-${e.uid}` }));
  l.last_updated = `2026-11-2${n < 5 ? 0 : 1}T00:00:0${n}Z`;
  return l;
}

const envelope = (data: unknown) => ({ data, status_code: 1000, timestamp: new Date().toISOString() });

/** The CPO's Locations sender (`all`, filtered by date_from/date_to on last_updated, 3 per page) and an empty Tariffs sender. */
function serveLocations(partner: FakePartner, all: () => any[]) {
  partner.routes.set('GET /ocpi/2.2.1/tariffs', () => ({ body: envelope([]), headers: { 'x-total-count': '0', 'x-limit': '3' } }));
  partner.routes.set('GET /ocpi/2.2.1/locations', (req) => {
    const url = new URL(req.path, partner.url);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const from = url.searchParams.get('date_from');
    const to = url.searchParams.get('date_to');
    const matching = all().filter((l) => (!from || new Date(l.last_updated) >= new Date(from)) && (!to || new Date(l.last_updated) < new Date(to)));
    const page = matching.slice(offset, offset + 3);
    const headers: Record<string, string> = { 'x-total-count': String(matching.length), 'x-limit': '3' };
    if (offset + 3 < matching.length) {
      const next = new URL(url);
      next.searchParams.set('offset', String(offset + 3));
      headers.link = `<${next}>; rel="next"`;
    }
    return { body: envelope(page), headers };
  });
}

describe('locations pull-sync', () => {
  let t: TestHub;
  let partner: FakePartner;
  let id: string;
  let tokenA: string;
  const tokenB = 'token-b-BEC';
  const locationGets = () => partner.seen.filter((s) => s.path.startsWith('/ocpi/2.2.1/locations')).map((s) => s.path);
  const view = async () => (await t.admin('GET', `/partners/${id}`)).body;

  beforeEach(async () => {
    t = await startTestHub();
    partner = await new FakePartner().start();
    partner.countryCode = 'BE';
    partner.partyId = 'BEC';
    partner.accepted.add(tokenB);
    ({ id, tokenA } = await approvedCpo(t, { country_code: 'BE', party_id: 'BEC' }));
  });
  afterEach(async () => {
    await partner.stop();
    await t.stop();
  });

  /** The CPO registers with us (POST /credentials with token A). */
  async function register() {
    const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: partner.credentials(tokenB) });
    expect(res.body.status_code, JSON.stringify(res.body)).to.equal(1000);
    return res.body.data.token as string;
  }

  it('pulls Locations and Tariffs in the background right after the CPO registers, and the partner view shows the report with the refusals and their messages', async () => {
    const all = [1, 2, 3, 4, 5, 6, 7].map(site);
    all[3].coordinates = { latitude: '0.000000', longitude: '0.000000' };
    delete all[5].time_zone;
    serveLocations(partner, () => all);
    await register();
    await t.hub.services.partnerSync.settled();

    expect(locationGets()).to.deep.equal([
      '/ocpi/2.2.1/locations?date_to=2026-11-25T10%3A00%3A00.000Z',
      '/ocpi/2.2.1/locations?date_to=2026-11-25T10%3A00%3A00.000Z&offset=3',
      '/ocpi/2.2.1/locations?date_to=2026-11-25T10%3A00%3A00.000Z&offset=6',
    ]);
    expect(partner.seen.find((s) => s.path.startsWith('/ocpi/2.2.1/locations'))!.token).to.equal(tokenB);
    // Tariffs first, so that the locations' tariff links are known when they arrive.
    expect(partner.seen.filter((s) => s.path.startsWith('/ocpi/2.2.1/') && s.method === 'GET' && s.path !== '/ocpi/2.2.1').map((s) => s.path.split('?')[0])).to.deep.equal([
      '/ocpi/2.2.1/tariffs',
      '/ocpi/2.2.1/locations',
      '/ocpi/2.2.1/locations',
      '/ocpi/2.2.1/locations',
    ]);
    const p = await view();
    expect(p.sync).to.deep.equal({
      locations: {
        trigger: 'REGISTERED',
        mode: 'FULL',
        date_from: null,
        date_to: '2026-11-25T10:00:00.000Z',
        started_at: '2026-11-25T10:00:00.000Z',
        finished_at: '2026-11-25T10:00:00.000Z',
        received: 7,
        applied: 5,
        refused: 2,
        refusals: [
          { id: 'SYNC4', message: 'coordinates: (0, 0) is not a charging location (missing coordinates?)' },
          { id: 'SYNC6', message: 'time_zone: is required' },
        ],
        error: null,
      },
      tariffs: {
        trigger: 'REGISTERED',
        mode: 'FULL',
        date_from: null,
        date_to: '2026-11-25T10:00:00.000Z',
        started_at: '2026-11-25T10:00:00.000Z',
        finished_at: '2026-11-25T10:00:00.000Z',
        received: 0,
        applied: 0,
        refused: 0,
        refusals: [],
        error: null,
      },
    });
    expect(p).to.include({ last_sync_success_at: '2026-11-25T10:00:00.000Z', last_sync_error: null });
    // Same review rules as a push: all five wait for an operator.
    const pending = (await t.admin('GET', '/reviews?state=PENDING')).body.data;
    expect(pending.map((r: any) => r.location_id)).to.deep.equal(['SYNC1', 'SYNC2', 'SYNC3', 'SYNC5', 'SYNC7']);
  });

  it('refuses a pulled location whose country_code is not a string, and applies the rest (the pull does not fail)', async () => {
    const all: any[] = [1, 2].map(site);
    all[1].country_code = 123;
    serveLocations(partner, () => all);
    await register();
    await t.hub.services.partnerSync.settled();
    const report = (await view()).sync.locations;
    expect(report).to.include({ received: 2, applied: 1, refused: 1, error: null });
    expect(report.refusals).to.deep.equal([{ id: 'SYNC2', message: 'country_code: must be string' }]);
  });

  it('pulls in the background when we connect to the CPO too; a failed pull is recorded in the report, never in the handshake', async () => {
    // This CPO serves no Locations (404) and its Tariffs sender fails.
    partner.accepted.add('their-token-a');
    partner.routes.set('GET /ocpi/2.2.1/tariffs', () => ({ status: 503, body: { status_code: 3000, timestamp: new Date().toISOString() } }));
    const res = await t.admin('POST', `/partners/${id}/connect`, { versions_url: partner.versionsUrl, token_a: 'their-token-a' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    await t.hub.services.partnerSync.settled();
    const p = await view();
    expect(p.sync.locations).to.deep.include({ trigger: 'CONNECTED', mode: 'FULL', received: 0, applied: 0, refused: 0, refusals: [], error: `GET ${partner.url}/ocpi/2.2.1/locations?date_to=2026-11-25T10%3A00%3A00.000Z: HTTP 404`, finished_at: '2026-11-25T10:00:00.000Z' });
    expect(p.sync.tariffs).to.deep.include({ trigger: 'CONNECTED', mode: 'FULL', error: `GET ${partner.url}/ocpi/2.2.1/tariffs?date_to=2026-11-25T10%3A00%3A00.000Z: HTTP 503` });
    expect(p).to.include({ status: 'ACTIVE', last_sync_success_at: null, last_sync_error_at: '2026-11-25T10:00:00.000Z', missed_heartbeats: 0 });
    const events = (await t.admin('GET', `/partners/${id}/events`)).body.data;
    expect(events.map((e: any) => e.kind)).to.deep.equal(['APPLIED', 'APPROVED', 'CREDENTIALS_CONNECTED', 'SYNC_FAILED']);
  });

  it('delta pulls every LOCATION_DELTA_SYNC_SECONDS with date_from = the date_to of the last successful pull; a failed one moves nothing', async () => {
    serveLocations(partner, () => [1, 2].map(site));
    await register();
    await t.hub.services.partnerSync.settled();
    partner.seen = [];

    // Not due yet: 299 s after the last pull.
    t.clock.advance(299_000);
    await runJob(t.hub.services, partnerSyncJob);
    expect(locationGets()).to.deep.equal([]);
    t.clock.advance(1_000); // 10:05:00
    await runJob(t.hub.services, partnerSyncJob);
    t.clock.advance(300_000); // 10:10:00: the CPO's sender fails
    partner.routes.set('GET /ocpi/2.2.1/locations', () => ({ status: 503, body: { status_code: 3000, timestamp: new Date().toISOString() } }));
    await runJob(t.hub.services, partnerSyncJob);
    expect((await view()).sync.locations).to.deep.include({ mode: 'DELTA', date_from: '2026-11-25T10:05:00.000Z', date_to: '2026-11-25T10:10:00.000Z', error: `GET ${partner.url}/ocpi/2.2.1/locations?date_from=2026-11-25T10%3A05%3A00.000Z&date_to=2026-11-25T10%3A10%3A00.000Z: HTTP 503` });
    t.clock.advance(300_000); // 10:15:00: it answers again
    serveLocations(partner, () => [1, 2].map(site));
    await runJob(t.hub.services, partnerSyncJob);
    expect(locationGets()).to.deep.equal([
      '/ocpi/2.2.1/locations?date_from=2026-11-25T10%3A00%3A00.000Z&date_to=2026-11-25T10%3A05%3A00.000Z',
      '/ocpi/2.2.1/locations?date_from=2026-11-25T10%3A05%3A00.000Z&date_to=2026-11-25T10%3A10%3A00.000Z',
      '/ocpi/2.2.1/locations?date_from=2026-11-25T10%3A05%3A00.000Z&date_to=2026-11-25T10%3A15%3A00.000Z',
    ]);
    const p = await view();
    expect(p.sync.locations).to.deep.include({ trigger: 'SCHEDULE', mode: 'DELTA', date_from: '2026-11-25T10:05:00.000Z', date_to: '2026-11-25T10:15:00.000Z', received: 0, error: null });
    expect(p.sync.tariffs).to.deep.include({ mode: 'DELTA', date_from: '2026-11-25T10:10:00.000Z', date_to: '2026-11-25T10:15:00.000Z' });
    // Scheduled pulls leave only their changes of outcome in the audit trail.
    const events = (await t.admin('GET', `/partners/${id}/events`)).body.data.filter((e: any) => e.kind.startsWith('SYNC_'));
    expect(events.map((e: any) => [e.kind, e.at, e.detail.trigger])).to.deep.equal([
      ['SYNC_SUCCEEDED', '2026-11-25T10:00:00.000Z', 'REGISTERED'],
      ['SYNC_FAILED', '2026-11-25T10:10:00.000Z', 'SCHEDULE'],
      ['SYNC_SUCCEEDED', '2026-11-25T10:15:00.000Z', 'SCHEDULE'],
    ]);
  });

  it('an operator sync runs now (full on ?mode=full); a failing one answers 502 and is recorded, not counted as a missed heartbeat', async () => {
    serveLocations(partner, () => [1, 2].map(site));
    await register();
    await t.hub.services.partnerSync.settled();
    t.clock.advance(60_000);
    const delta = await t.admin('POST', `/partners/${id}/sync`);
    expect(delta.status, JSON.stringify(delta.body)).to.equal(200);
    expect(delta.body).to.deep.equal({ locations: { received: 0, applied: 0, rejected: [] }, tariffs: { received: 0, applied: 0, rejected: [] } });
    const full = await t.admin('POST', `/partners/${id}/sync?mode=full`);
    expect(full.body.locations).to.deep.equal({ received: 2, applied: 2, rejected: [] });
    expect((await view()).sync.locations).to.deep.include({ trigger: 'OPERATOR', mode: 'FULL', date_from: null, date_to: '2026-11-25T10:01:00.000Z' });

    partner.routes.set('GET /ocpi/2.2.1/locations', () => ({ status: 503, body: { status_code: 3000, timestamp: new Date().toISOString() } }));
    const res = await t.admin('POST', `/partners/${id}/sync`);
    expect(res.status).to.equal(502);
    const p = await view();
    expect(p).to.include({ last_sync_success_at: '2026-11-25T10:01:00.000Z', missed_heartbeats: 0, last_sync_error_at: '2026-11-25T10:01:00.000Z' });
    expect(p.last_sync_error).to.equal(`GET ${partner.url}/ocpi/2.2.1/locations?date_from=2026-11-25T10%3A01%3A00.000Z&date_to=2026-11-25T10%3A01%3A00.000Z: HTTP 503`);
    expect(p.sync.locations.error).to.equal(p.last_sync_error);
  });

  it('a pulled location older than what a push gave us is not applied, but its EVSEs still reported with the status we hold are confirmed', async () => {
    const sent = [site(1)];
    serveLocations(partner, () => sent);
    const token = await register();
    await t.hub.services.partnerSync.settled();
    t.clock.advance(60_000); // 10:01: a push changes one EVSE (and so the location's last_updated)
    const patch = await t.ocpi('PATCH', '/ocpi/2.2.1/locations/BE/BEC/SYNC1/S1-3256', { token, body: { status: 'CHARGING', last_updated: '2026-11-25T10:01:00Z' } });
    expect(patch.body.status_code, JSON.stringify(patch.body)).to.equal(1000);
    t.clock.advance(29 * 60_000); // 10:30: the CPO's sender still returns the older location
    const full = await t.admin('POST', `/partners/${id}/sync?mode=full`);
    expect(full.body.locations).to.deep.equal({ received: 1, applied: 0, rejected: [] });
    t.clock.advance(5 * 60_000); // 10:35: S1-3257 was confirmed 5 minutes ago, S1-3256 34
    const fresh = (await view()).freshness;
    expect(fresh).to.deep.include({ evses: 2, stale: 1 });
    expect(fresh.stale_evses.map((e: any) => [e.evse_uid, e.reported_status, e.confirmed_at, e.reason])).to.deep.equal([['S1-3256', 'CHARGING', '2026-11-25T10:01:00.000Z', 'NOT_CONFIRMED']]);
  });
});
