import { expect } from 'chai';
import { startTestHub, APP_KEY, type TestHub } from '../../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../../helpers/onboarding.ts';
import { example } from '../../helpers/examples.ts';
import { http } from '../../helpers/http.ts';
import { runJob } from '../../../src/jobs/scheduler.ts';
import { freshnessJob } from '../../../ocpi-modules/locations/freshness.ts';

const BASE = '/ocpi/2.2.1/locations/BE/BEC';

describe('locations freshness and the partner circuit breaker', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const put = (path: string, body: unknown) => t.ocpi('PUT', `${BASE}${path}`, { token: cpo.token, body });
  const patch = (path: string, body: unknown) => t.ocpi('PATCH', `${BASE}${path}`, { token: cpo.token, body });
  const app = (path: string) => http('GET', `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${APP_KEY}` } });
  const statuses = async () => (await app('/locations')).body.data[0]?.evses.map((e: any) => [e.uid, e.status]);

  beforeEach(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'BE', party_id: 'BEC' });
    await t.admin('PUT', `/partners/${cpo.id}/trust`, { trusted: true });
    const location = example('location_example.json');
    for (const evse of location.evses) for (const c of evse.connectors) c.tariff_ids = [];
    await put('/LOC1', location);
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('shows the reported status while fresh and UNKNOWN the moment it is older than the threshold', async () => {
    const first = (await app('/locations')).body.data[0].evses[0];
    expect(first).to.deep.include({ status: 'AVAILABLE', reported_status: 'AVAILABLE', status_updated_at: '2026-11-25T10:00:00.000Z' });
    t.clock.advance(600_000);
    expect(await statuses()).to.deep.equal([['3256', 'AVAILABLE'], ['3257', 'RESERVED']]);
    t.clock.advance(1);
    expect(await statuses()).to.deep.equal([['3256', 'UNKNOWN'], ['3257', 'UNKNOWN']]);
    // A status update refreshes only that EVSE.
    await patch('/LOC1/3257', { status: 'AVAILABLE', last_updated: '2016-01-01T00:00:00Z' });
    expect(await statuses()).to.deep.equal([['3256', 'UNKNOWN'], ['3257', 'AVAILABLE']]);
    const evse = (await app('/locations')).body.data[0].evses[1];
    expect(evse.status_updated_at).to.equal('2026-11-25T10:10:00.001Z');
  });

  it('available_only counts only fresh AVAILABLE EVSEs', async () => {
    expect((await app('/locations?available_only=true')).body.data).to.have.length(1);
    t.clock.advance(600_001);
    expect((await app('/locations?available_only=true')).body.data).to.have.length(0);
  });

  it('hides a partner whose share of stale EVSEs passes the ratio, and shows it again when fresh data returns; both raise alerts', async () => {
    await runJob(t.hub.services, freshnessJob);
    expect((await t.admin('GET', `/partners/${cpo.id}`)).body).to.include({ map_hidden: false, stale_ratio: 0 });

    t.clock.advance(600_001);
    await runJob(t.hub.services, freshnessJob);
    expect((await app('/locations')).body.data).to.deep.equal([]);
    const hidden = (await t.admin('GET', `/partners/${cpo.id}`)).body;
    expect(hidden).to.include({ map_hidden: true, stale_ratio: 1, map_hidden_changed_at: '2026-11-25T10:10:00.001Z' });

    // One of two EVSEs fresh again: ratio 0.5 is not above 0.5.
    await patch('/LOC1/3256', { status: 'AVAILABLE', last_updated: '2016-01-01T00:00:00Z' });
    await runJob(t.hub.services, freshnessJob);
    expect((await t.admin('GET', `/partners/${cpo.id}`)).body).to.include({ map_hidden: false, stale_ratio: 0.5 });
    expect(await statuses()).to.deep.equal([['3256', 'AVAILABLE'], ['3257', 'UNKNOWN']]);

    const events = (await t.admin('GET', `/partners/${cpo.id}/events`)).body.data.filter((e: any) => e.kind.startsWith('ALERT_'));
    expect(events.map((e: any) => [e.kind, e.detail])).to.deep.equal([
      ['ALERT_PARTNER_HIDDEN', { stale: 2, evses: 2, ratio: 1, threshold: 0.5 }],
      ['ALERT_PARTNER_VISIBLE', { stale: 1, evses: 2, ratio: 0.5, threshold: 0.5 }],
    ]);
  });

  it('runs a job tick on one instance only', async () => {
    const second = await startTestHub({ databaseName: t.databaseName, env: t.env, clock: t.clock });
    try {
      let release!: () => void;
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const blocker = {
        name: freshnessJob.name,
        schedule: freshnessJob.schedule,
        run: () => {
          started();
          return new Promise<void>((r) => (release = r));
        },
      };
      const first = runJob(t.hub.services, blocker);
      await running;
      expect(await runJob(second.hub.services, freshnessJob)).to.equal(false);
      release();
      expect(await first).to.equal(true);
      expect(await runJob(second.hub.services, freshnessJob)).to.equal(true);
    } finally {
      await second.stop();
    }
  });
});
