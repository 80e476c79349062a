import { expect } from 'chai';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../helpers/onboarding.ts';
import { example } from '../helpers/examples.ts';

const BASE = '/ocpi/2.2.1/sessions/NL/STK';

describe('sessions receiver', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const put = (id: string, body: unknown) => t.ocpi('PUT', `${BASE}/${id}`, { token: cpo.token, body });
  const patch = (id: string, body: unknown) => t.ocpi('PATCH', `${BASE}/${id}`, { token: cpo.token, body });
  const get = (id: string) => t.ocpi('GET', `${BASE}/${id}`, { token: cpo.token });

  beforeEach(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'NL', party_id: 'STK' });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('creates with PUT (201), replaces with PUT (200) and returns it on GET', async () => {
    const session = example('session_example_1_simple_start.json');
    const created = await put('101', session);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.have.keys('status_code', 'timestamp');
    expect((await get('101')).body.data).to.deep.equal(session);
    const active = { ...session, status: 'ACTIVE', last_updated: '2020-03-09T10:18:00Z' };
    expect((await put('101', active)).status).to.equal(200);
    expect((await get('101')).body.data.status).to.equal('ACTIVE');
  });

  it('appends charging_periods on PATCH and replaces them on PUT', async () => {
    await put('101', example('session_example_1_simple_start.json'));
    const first = example('session_patch_example_charging_period.json');
    first.last_updated = '2020-03-09T10:20:00Z';
    expect((await patch('101', first)).body.status_code).to.equal(1000);
    const second = { ...first, charging_periods: [{ start_date_time: '2020-03-09T10:30:00Z', dimensions: [{ type: 'ENERGY', volume: 3.1 }] }], kwh: 18.1, last_updated: '2020-03-09T10:30:00Z' };
    await patch('101', second);
    const stored = (await get('101')).body.data;
    expect(stored.kwh).to.equal(18.1);
    expect(stored.charging_periods.map((p: any) => p.start_date_time)).to.deep.equal(['2019-06-23T08:16:02Z', '2020-03-09T10:30:00Z']);
    expect(stored.total_cost).to.deep.equal({ excl_vat: 0.8, incl_vat: 0.88 });
    await put('101', { ...example<any>('session_example_1_simple_start.json'), last_updated: '2020-03-09T11:00:00Z' });
    expect((await get('101')).body.data).to.not.have.property('charging_periods');
  });

  it('a retried PATCH does not append its charging periods twice', async () => {
    await put('101', example('session_example_1_simple_start.json'));
    const patchBody = { charging_periods: [{ start_date_time: '2020-03-09T10:30:00Z', dimensions: [{ type: 'ENERGY', volume: 3.1 }] }], kwh: 3.1, last_updated: '2020-03-09T10:30:00Z' };
    await patch('101', patchBody);
    await patch('101', patchBody);
    expect((await get('101')).body.data.charging_periods.map((p: any) => p.start_date_time)).to.deep.equal(['2020-03-09T10:30:00Z']);
  });

  it('refuses a PATCH without last_updated (2001) and one for an unknown session (404)', async () => {
    await put('101', example('session_example_1_simple_start.json'));
    const res = await patch('101', { kwh: 3 });
    expect(res.body).to.deep.include({ status_code: 2001, status_message: 'last_updated: is required' });
    const unknown = await patch('999', { kwh: 3, last_updated: '2020-03-09T10:20:00Z' });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.status_message).to.equal('unknown session 999');
    expect((await get('999')).status).to.equal(404);
  });

  it('ignores an update older than what is stored, and accepts only its own party with matching ids', async () => {
    await put('101', { ...example<any>('session_example_1_simple_start.json'), status: 'ACTIVE', last_updated: '2020-03-09T12:00:00Z' });
    expect((await patch('101', { status: 'COMPLETED', last_updated: '2020-03-09T11:00:00Z' })).body.status_code).to.equal(1000);
    expect((await get('101')).body.data.status).to.equal('ACTIVE');
    expect((await t.ocpi('PUT', '/ocpi/2.2.1/sessions/NL/XXX/101', { token: cpo.token, body: example('session_example_1_simple_start.json') })).status).to.equal(403);
    expect((await put('102', example('session_example_1_simple_start.json'))).body.status_message).to.equal('id: "101" does not match "102" in the URL');
  });

  it('refuses an invalid session naming the field, and stores nothing', async () => {
    const session = example('session_example_1_simple_start.json');
    session.status = 'RUNNING';
    const res = await put('101', session);
    expect(res.body).to.deep.include({ status_code: 2001, status_message: 'status: must be one of ACTIVE, COMPLETED, INVALID, PENDING, RESERVATION' });
    expect((await get('101')).status).to.equal(404);
  });
});
