import { expect } from 'chai';
import { startTestHub, APP_KEY, type TestHub } from '../../helpers/hub.ts';
import { approvedCpo } from '../../helpers/onboarding.ts';
import { FakePartner } from '../../helpers/partner.ts';
import { example } from '../../helpers/examples.ts';
import { http } from '../../helpers/http.ts';
import { runJob } from '../../../src/jobs/scheduler.ts';
import { partnerSyncJob } from '../../../src/partners/sync.ts';
import { heartbeatJob } from '../../../src/partners/heartbeat.ts';
import { freshnessJob } from '../../../ocpi-modules/locations/freshness.ts';
import { chargingWorld, type ChargingWorld } from '../../helpers/charging.ts';

const envelope = (data: unknown) => ({ data, status_code: 1000, timestamp: new Date().toISOString() });

/**
 * Freshness is "the hub can vouch for this status": an idle CPO that pushes nothing stays on the
 * map while its pulls and heartbeats succeed; one whose endpoints stop answering goes UNKNOWN.
 */
describe('freshness of an idle CPO: pulls, heartbeats and a broken link', () => {
  let t: TestHub;
  let partner: FakePartner;
  let id: string;
  const app = (path: string) => http('GET', `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${APP_KEY}` } });
  const statuses = async () => ((await app('/locations')).body.data[0]?.evses ?? []).map((e: any) => e.status);
  const view = async () => (await t.admin('GET', `/partners/${id}`)).body;
  /** Moves the clock by `seconds` and runs every periodic job once, as the scheduler's ticks would. */
  const tick = async (seconds: number) => {
    t.clock.advance(seconds * 1000);
    await runJob(t.hub.services, heartbeatJob);
    await runJob(t.hub.services, partnerSyncJob);
    await runJob(t.hub.services, freshnessJob);
  };

  /** A trusted CPO with one location (two EVSEs, AVAILABLE and RESERVED) that registers and is pulled; it never pushes. */
  async function idleCpo(options: { sender: boolean }) {
    partner = await new FakePartner().start();
    partner.countryCode = 'BE';
    partner.partyId = 'BEC';
    partner.accepted.add('token-b');
    if (!options.sender) partner.endpoints = partner.defaultEndpoints().filter((e) => e.identifier !== 'locations');
    const location = example('location_example.json');
    for (const evse of location.evses) for (const c of evse.connectors) c.tariff_ids = [];
    location.last_updated = '2026-11-25T09:00:00Z';
    partner.routes.set('GET /ocpi/2.2.1/tariffs', () => ({ body: envelope([]) }));
    partner.routes.set('GET /ocpi/2.2.1/locations', (req) => {
      const from = new URL(req.path, partner.url).searchParams.get('date_from');
      return { body: envelope(!from || new Date(location.last_updated) >= new Date(from) ? [location] : []) };
    });
    const grant = await approvedCpo(t, { country_code: 'BE', party_id: 'BEC' });
    id = grant.id;
    await t.admin('PUT', `/partners/${id}/trust`, { trusted: true });
    const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: grant.tokenA, body: partner.credentials('token-b') });
    expect(res.body.status_code, JSON.stringify(res.body)).to.equal(1000);
    await t.hub.services.partnerSync.settled();
    return { location, token: res.body.data.token as string };
  }

  afterEach(async () => {
    await partner.stop();
    await t.stop();
  });

  it('an idle, healthy CPO with a Locations sender stays visible for a day: delta pulls and heartbeats, no pushes', async function () {
    // A day of hourly pulls and heartbeats over HTTP: ten seconds alone, more with the suite's other worker busy.
    this.timeout(60_000);
    t = await startTestHub();
    await idleCpo({ sender: true });
    await tick(0);
    expect(await statuses()).to.deep.equal(['AVAILABLE', 'RESERVED']);
    for (let step = 1; step <= 288; step++) {
      await tick(300);
      if (step % 12 === 0) expect(await statuses(), `after ${step * 5} min`).to.deep.equal(['AVAILABLE', 'RESERVED']);
    }
    const p = await view();
    expect(p).to.include({ map_hidden: false, stale_ratio: 0, missed_heartbeats: 0 });
    expect(p.freshness).to.deep.include({ mode: 'PULL', link_down: false, evses: 2, stale: 0, stale_evses: [] });
    expect(p.freshness.mode_reason).to.equal('its version details list a locations SENDER: statuses are confirmed by pushes and by pulls (delta every 300 s, full every 24 h)');
    expect(p.heartbeat).to.deep.include({ interval_seconds: 300, last_attempt_at: '2026-11-26T10:00:00.000Z', last_seen_at: '2026-11-26T10:00:00.000Z', consecutive_misses: 0, misses_allowed: 3, error: null });
    expect(p.heartbeat.latency_ms).to.be.a('number').and.to.be.at.least(0);
    const gets = partner.seen.filter((s) => s.path.startsWith('/ocpi/2.2.1/locations')).map((s) => s.path);
    // The registration's full pull, 287 delta pulls, and the next full pull a day later.
    expect(gets.filter((g) => !g.includes('date_from'))).to.deep.equal(['/ocpi/2.2.1/locations?date_to=2026-11-25T10%3A00%3A00.000Z', '/ocpi/2.2.1/locations?date_to=2026-11-26T10%3A00%3A00.000Z']);
    expect(gets.filter((g) => g.includes('date_from'))).to.have.length(287);
    expect(partner.seen.filter((s) => s.path === '/ocpi/versions')).to.have.length(1 + 289); // registration's discovery, then one beat every 300 s
    expect((await t.admin('GET', `/partners/${id}/events`)).body.data.filter((e: any) => e.kind.startsWith('ALERT_'))).to.deep.equal([]);
  });

  it('a CPO whose endpoints stop answering goes UNKNOWN within threshold + one beat, is hidden past the ratio, and comes back when it answers again', async () => {
    t = await startTestHub();
    await idleCpo({ sender: true });
    for (let i = 0; i < 12; i++) await tick(300); // an hour of good health: 11:00
    const down = t.clock.now().getTime();
    partner.down = true;
    let unknownAt: number | undefined;
    let hiddenAt: number | undefined;
    for (let i = 0; i < 20; i++) {
      await tick(60);
      if (unknownAt === undefined && (await statuses()).every((s: string) => s === 'UNKNOWN')) unknownAt = t.clock.now().getTime();
      if (hiddenAt === undefined && (await view()).map_hidden) hiddenAt = t.clock.now().getTime();
    }
    // Confirmed last by the 11:00 pull: UNKNOWN past 600 s, hidden at the freshness check that sees it.
    expect(unknownAt! - down).to.equal(660_000);
    expect(unknownAt! - down).to.be.at.most((600 + 300) * 1000);
    expect(hiddenAt! - down).to.equal(660_000);
    expect((await app('/locations')).body.data).to.deep.equal([]);
    const broken = await view();
    expect(broken).to.include({ map_hidden: true, stale_ratio: 1, missed_heartbeats: 4 });
    expect(broken.sync.locations.error).to.match(/^GET .*\/ocpi\/2\.2\.1\/locations\?date_from=2026-11-25T11%3A00%3A00\.000Z&date_to=2026-11-25T11%3A20%3A00\.000Z: /);
    expect(broken.heartbeat).to.deep.include({ last_seen_at: '2026-11-25T11:00:00.000Z', consecutive_misses: 4 });
    expect(broken.freshness).to.deep.include({ mode: 'PULL', link_down: true, evses: 2, stale: 2 });
    expect(broken.freshness.stale_evses.map((e: any) => [e.evse_uid, e.reason, e.confirmed_at])).to.deep.equal([
      ['3256', 'HEARTBEAT_MISSED', '2026-11-25T11:00:00.000Z'],
      ['3257', 'HEARTBEAT_MISSED', '2026-11-25T11:00:00.000Z'],
    ]);
    expect(broken.freshness.stale_evses[0].message).to.equal('the partner missed 4 heartbeats in a row (last answered 2026-11-25T11:00:00.000Z): no status of it can be vouched for');

    // It answers again: the next delta pull covers the whole outage (date_from = 11:00) and vouches for both EVSEs.
    partner.down = false;
    partner.seen = [];
    // Its next beat and delta pull are due 300 s after the last (failed) ones, at 11:25.
    for (let i = 0; i < 5; i++) await tick(60);
    const back = await view();
    expect(back).to.include({ map_hidden: false, stale_ratio: 0, missed_heartbeats: 0 });
    expect(back.freshness).to.deep.include({ link_down: false, stale: 0 });
    expect(partner.seen.filter((s) => s.path.startsWith('/ocpi/2.2.1/locations')).map((s) => s.path)).to.deep.equal(['/ocpi/2.2.1/locations?date_from=2026-11-25T11%3A00%3A00.000Z&date_to=2026-11-25T11%3A25%3A00.000Z']);
    expect(await statuses()).to.deep.equal(['AVAILABLE', 'RESERVED']);
    const alerts = (await t.admin('GET', `/partners/${id}/events`)).body.data.filter((e: any) => e.kind.startsWith('ALERT_'));
    expect(alerts.map((e: any) => [e.kind, e.at])).to.deep.equal([
      ['ALERT_PARTNER_HIDDEN', '2026-11-25T11:11:00.000Z'],
      ['ALERT_PARTNER_UNREACHABLE', '2026-11-25T11:15:00.000Z'],
      ['ALERT_PARTNER_REACHABLE', '2026-11-25T11:25:00.000Z'],
      ['ALERT_PARTNER_VISIBLE', '2026-11-25T11:25:00.000Z'],
    ]);
  });

  it('a CPO without a Locations sender is kept fresh by its pushes and heartbeat, and goes UNKNOWN when the heartbeat stops', async () => {
    t = await startTestHub({ env: { REQUIRED_ENDPOINTS_CPO: 'commands:RECEIVER' } });
    const { location, token } = await idleCpo({ sender: false });
    // Nothing to pull: it pushes its location.
    const put = await t.ocpi('PUT', '/ocpi/2.2.1/locations/BE/BEC/LOC1', { token, body: location });
    expect(put.status, JSON.stringify(put.body)).to.equal(201);
    await tick(0);
    for (let i = 0; i < 36; i++) await tick(300); // three idle hours
    expect(await statuses()).to.deep.equal(['AVAILABLE', 'RESERVED']);
    const p = await view();
    expect(p.sync.locations).to.equal(null);
    expect(p.freshness).to.deep.include({ mode: 'PUSH_AND_HEARTBEAT', link_down: false, stale: 0 });
    expect(p.freshness.mode_reason).to.equal('its version details list no locations SENDER: statuses are confirmed by its pushes and kept while its heartbeat (every 300 s) answers');

    partner.down = true;
    let unknownAt: number | undefined;
    const down = t.clock.now().getTime();
    for (let i = 0; i < 20 && unknownAt === undefined; i++) {
      await tick(60);
      if ((await statuses()).every((s: string) => s === 'UNKNOWN')) unknownAt = t.clock.now().getTime();
    }
    expect(unknownAt! - down).to.be.at.most((600 + 300) * 1000);
    const stale = await view();
    expect(stale.freshness.stale_evses.map((e: any) => e.reason)).to.deep.equal(['NOT_CONFIRMED', 'NOT_CONFIRMED']);
    expect(stale.freshness.stale_evses[0].message).to.equal('not confirmed since 2026-11-25T13:00:00.000Z: no push since, and heartbeats vouch for pushed statuses only while the link stays up');
  });
});

describe('freshness and charging starts', () => {
  let w: ChargingWorld;
  afterEach(async () => {
    await w.cpo.partner.stop();
    await w.t.stop();
  });

  it('an idle EVSE of a healthy CPO can be started hours after its last push; once the CPO stops answering, starts get EVSE_STATUS_UNKNOWN', async () => {
    w = await chargingWorld();
    const location = (await w.t.ocpi('GET', '/ocpi/2.2.1/locations/BE/BEC/LOC1', { token: w.cpo.token })).body.data;
    w.cpo.partner.routes.set('GET /ocpi/2.2.1/tariffs', () => ({ body: envelope([]) }));
    w.cpo.partner.routes.set('GET /ocpi/2.2.1/locations', (req) => {
      const from = new URL(req.path, w.cpo.partner.url).searchParams.get('date_from');
      return { body: envelope(!from || new Date(location.last_updated) >= new Date(from) ? [location] : []) };
    });
    const run = async (seconds: number) => {
      w.t.clock.advance(seconds * 1000);
      for (const job of [heartbeatJob, partnerSyncJob, freshnessJob]) await runJob(w.t.hub.services, job);
    };
    for (let i = 0; i < 24; i++) await run(300); // two idle hours
    const res = await w.start();
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    await w.t.hub.services.orm.em.fork().getConnection().execute(`update charging_orders set state = 'FAILED'`);

    w.cpo.partner.down = true;
    await run(300);
    w.t.clock.advance(301_000); // 601 s after the last good pull; the circuit breaker has not run yet
    const refused = await w.start();
    expect(refused.status).to.equal(409);
    expect(refused.body).to.include({ reason: 'EVSE_STATUS_UNKNOWN' });
  });
});
