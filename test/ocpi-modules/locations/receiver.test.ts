import { expect } from 'chai';
import { startTestHub, type TestHub } from '../../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../../helpers/onboarding.ts';
import { example } from '../../helpers/examples.ts';

const BASE = '/ocpi/2.2.1/locations/BE/BEC';

describe('locations receiver', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const put = (path: string, body: unknown) => t.ocpi('PUT', `${BASE}${path}`, { token: cpo.token, body });
  const patch = (path: string, body: unknown) => t.ocpi('PATCH', `${BASE}${path}`, { token: cpo.token, body });
  const get = (path: string) => t.ocpi('GET', `${BASE}${path}`, { token: cpo.token });

  beforeEach(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'BE', party_id: 'BEC' });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  it('creates with PUT (201), replaces with PUT (200) and returns what it stored on GET', async () => {
    const location = example('location_example.json');
    const created = await put('/LOC1', location);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.have.keys('status_code', 'timestamp');
    expect(created.body.status_code).to.equal(1000);
    expect((await get('/LOC1')).body.data).to.deep.equal(location);

    location.name = 'Gent Zuid Station';
    location.last_updated = '2015-06-30T10:00:00Z';
    const replaced = await put('/LOC1', location);
    expect(replaced.status).to.equal(200);
    expect((await get('/LOC1')).body.data.name).to.equal('Gent Zuid Station');
    expect((await get('/LOC1/3256')).body.data.evse_id).to.equal('BE*BEC*E041503001');
    expect((await get('/LOC1/3256/2')).body.data.format).to.equal('SOCKET');
  });

  it('compares ids case-insensitively', async () => {
    await put('/LOC1', example('location_example.json'));
    const res = await t.ocpi('GET', '/ocpi/2.2.1/locations/be/bec/loc1/3256', { token: cpo.token });
    expect(res.status).to.equal(200);
    expect(res.body.data.uid).to.equal('3256');
  });

  it('answers 404 for an unknown location, EVSE or connector', async () => {
    expect((await get('/NOPE')).status).to.equal(404);
    await put('/LOC1', example('location_example.json'));
    const evse = await get('/LOC1/9999');
    expect(evse.status).to.equal(404);
    expect(evse.body.status_message).to.equal('unknown EVSE 9999 in location LOC1');
    expect((await get('/LOC1/3256/9')).body.status_message).to.equal('unknown connector 9 of EVSE 3256');
    const patchUnknown = await patch('/LOC1/9999', { status: 'AVAILABLE', last_updated: '2016-01-01T00:00:00Z' });
    expect(patchUnknown.status).to.equal(404);
  });

  it('adds an EVSE and a connector with PUT (201) and propagates last_updated to the parents', async () => {
    await put('/LOC1', example('location_example.json'));
    const evse = example('location_example.json').evses[1];
    evse.uid = '3258';
    evse.evse_id = 'BE*BEC*E041503003';
    evse.last_updated = '2016-01-01T00:00:00Z';
    expect((await put('/LOC1/3258', evse)).status).to.equal(201);
    expect((await get('/LOC1')).body.data.last_updated).to.equal('2016-01-01T00:00:00Z');

    const connector = { ...evse.connectors[0], id: '2', last_updated: '2016-02-01T00:00:00Z' };
    expect((await put('/LOC1/3258/2', connector)).status).to.equal(201);
    const location = (await get('/LOC1')).body.data;
    expect(location.last_updated).to.equal('2016-02-01T00:00:00Z');
    expect(location.evses.find((e: any) => e.uid === '3258').last_updated).to.equal('2016-02-01T00:00:00Z');
    expect(location.evses.find((e: any) => e.uid === '3258').connectors.map((c: any) => c.id)).to.deep.equal(['1', '2']);
  });

  it('applies PATCH at every level with the specification examples', async () => {
    await put('/LOC1', example('location_example.json'));
    expect((await patch('/LOC1', example('location_patch_example_location.json'))).body.status_code).to.equal(1000);
    expect((await get('/LOC1')).body.data.name).to.equal('Interparking Gent Zuid');
    expect((await patch('/LOC1/3256', example('location_patch_example_status.json'))).body.status_code).to.equal(1000);
    expect((await get('/LOC1/3256')).body.data.status).to.equal('CHARGING');
    expect((await patch('/LOC1/3256/1', example('location_patch_example_tariff.json'))).body.status_code).to.equal(1000);
    expect((await get('/LOC1/3256/1')).body.data.tariff_ids).to.deep.equal(['15']);
    expect((await patch('/LOC1/3257', example('location_patch_example_remove_evse.json'))).body.status_code).to.equal(1000);
    expect((await get('/LOC1/3257')).body.data.status).to.equal('REMOVED');
  });

  it('refuses a PATCH without last_updated with 2001, naming the field', async () => {
    await put('/LOC1', example('location_example.json'));
    const res = await patch('/LOC1/3256', { status: 'CHARGING' });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ status_code: 2001, status_message: 'last_updated: is required' });
    expect((await get('/LOC1/3256')).body.data.status).to.equal('AVAILABLE');
  });

  it('acknowledges but does not apply an update older than what is stored', async () => {
    await put('/LOC1', example('location_example.json'));
    const res = await patch('/LOC1/3256', { status: 'OUTOFORDER', last_updated: '2015-01-01T00:00:00Z' });
    expect(res.body.status_code).to.equal(1000);
    expect((await get('/LOC1/3256')).body.data.status).to.equal('AVAILABLE');
    const old = example('location_example.json');
    old.name = 'older';
    old.last_updated = '2014-01-01T00:00:00Z';
    expect((await put('/LOC1', old)).body.status_code).to.equal(1000);
    expect((await get('/LOC1')).body.data.name).to.equal('Gent Zuid');
  });

  it('never deletes an EVSE: one a PUT leaves out is kept as REMOVED', async () => {
    await put('/LOC1', example('location_example.json'));
    const location = example('location_example.json');
    location.evses = [location.evses[0]];
    location.last_updated = '2016-01-01T00:00:00Z';
    await put('/LOC1', location);
    const stored = (await get('/LOC1/3257')).body.data;
    expect(stored.status).to.equal('REMOVED');
    expect(stored.last_updated).to.equal('2016-01-01T00:00:00Z');
  });

  it('lets a partner write only under its own party, and body ids must match the URL', async () => {
    const other = example('location_example.json');
    other.party_id = 'XYZ';
    const forbidden = await t.ocpi('PUT', '/ocpi/2.2.1/locations/BE/XYZ/LOC1', { token: cpo.token, body: other });
    expect(forbidden.status).to.equal(403);
    expect(forbidden.body.status_message).to.equal('BE/XYZ is not one of your credentials roles: you may only write your own objects');
    const mismatch = await put('/LOC2', example('location_example.json'));
    expect(mismatch.body).to.deep.include({ status_code: 2001, status_message: 'id: "LOC1" does not match "LOC2" in the URL' });
    expect((await get('/LOC2')).status).to.equal(404);
    await put('/LOC1', example('location_example.json'));
    const evse = example('location_example.json').evses[0];
    const evseMismatch = await put('/LOC1/3999', evse);
    expect(evseMismatch.body.status_message).to.equal('uid: "3256" does not match "3999" in the URL');
  });

  it('refuses a schema violation with 2001 naming the field and stores nothing', async () => {
    const location = example('location_example.json');
    location.evses[0].connectors[0].power_type = 'AC_4_PHASE';
    delete location.time_zone;
    const res = await put('/LOC1', location);
    expect(res.status).to.equal(200);
    expect(res.body.status_code).to.equal(2001);
    expect(res.body.status_message).to.include('evses[0].connectors[0].power_type: must be one of');
    expect((await get('/LOC1')).status).to.equal(404);
  });
});
