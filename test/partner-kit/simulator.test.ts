import { expect } from 'chai';
import { simWorld, type SimWorld } from '../helpers/simulator.ts';
import nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { b64, http } from '../helpers/http.ts';

describe('partner kit: the CPO simulator against the hub', () => {
  let w: SimWorld;
  afterEach(() => w?.stop());

  it('registers through the handshake, pushes its locations and tariff, and runs a charge from start to a SETTLED CDR', async () => {
    w = await simWorld();
    const partner = await w.t.admin('GET', `/partners/${w.partnerId}`);
    expect(partner.body.status).to.equal('ACTIVE');
    expect(w.lines.filter((l) => l.startsWith('ready '))).to.deep.equal([`ready versions=${w.sim.versionsUrl} locations=3 center=52.3676,4.9041`]);
    expect(w.lines).to.include('→ PUT /ocpi/2.2.1/locations/NL/SIM/SIM-LOC-1 201 1000');
    // The hub pulled our senders after the registration, as it does with every new CPO.
    expect(w.lines).to.include.members(['← GET /locations 200 1000', '← GET /tariffs 200 1000']);
    expect(w.lines.join('\n')).to.not.include(w.sim.options.tokenA);
    expect(w.lines.join('\n')).to.not.include(w.sim.token);
    expect(w.sim.locations.map((l) => l.id)).to.deep.equal(['SIM-LOC-1', 'SIM-LOC-2', 'SIM-LOC-3']);

    const started = await w.start();
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    expect(started.body.state).to.equal('PENDING');
    const id = started.body.id;
    expect(w.lines).to.include('← POST /commands/START_SESSION 200 ACCEPTED');

    await w.advance(1000);
    const active = await w.order(id);
    expect(active).to.include({ state: 'ACTIVE', kwh: 0 });
    expect(active.session.id).to.equal(w.sim.sessions()[0]!.id);
    const evse = (await w.app('GET', `/locations/${active.location_id}`)).body.evses.find((e: any) => e.uid === 'SIM-LOC-1-E1');
    expect(evse.status).to.equal('CHARGING');

    // One hour at 11.04 kW: six PATCHes of ten minutes, 1840 Wh each.
    await w.advance(3_600_000);
    const charging = await w.order(id);
    expect(charging).to.include({ state: 'ACTIVE', kwh: 11.04 });
    expect(charging.cost).to.deep.equal({ currency: 'EUR', excl_vat: 3.31, incl_vat: 4.01 });
    expect(w.sim.sessions()[0]!.charging_periods).to.have.length(6);
    expect(w.sim.sessions()[0]!.charging_periods[0]!.dimensions).to.deep.equal([{ type: 'ENERGY', volume: 1.84 }, { type: 'TIME', volume: Number((600 / 3600).toFixed(6)) }]);

    const stopping = await w.app('POST', `/charging-sessions/${id}/stop`);
    expect(stopping.body.state).to.equal('STOPPING');
    await w.advance(1000);
    const done = await w.order(id);
    expect(done).to.include({ state: 'COMPLETED', reason: 'CDR_SETTLED' });
    const cdrs = (await w.finance('GET', '/cdrs')).body.data;
    expect(cdrs).to.have.length(1);
    expect(cdrs[0]).to.deep.include({ cdr_id: `CDR-${w.sim.sessions()[0]!.id}`, state: 'SETTLED', cause: 'PRICE_MATCHES', order_id: id, difference: 0 });
    const after = (await w.app('GET', `/locations/${active.location_id}`)).body.evses.find((e: any) => e.uid === 'SIM-LOC-1-E1');
    expect(after.status).to.equal('AVAILABLE');
    expect(await w.transitions(id)).to.deep.equal([
      [null, 'REQUESTED', 'START_REQUESTED'],
      ['REQUESTED', 'PENDING', 'START_ACCEPTED'],
      ['PENDING', 'ACTIVE', 'RESULT_ACCEPTED'],
      ['ACTIVE', 'STOPPING', 'STOP_REQUESTED'],
      ['STOPPING', 'AWAITING_CDR', 'SESSION_COMPLETED'],
      ['AWAITING_CDR', 'COMPLETED', 'CDR_SETTLED'],
    ]);
    expect(w.scheduler.errors).to.deep.equal([]);
    expect(await w.tickets()).to.deep.equal([]);
  });

  it('its senders page for real: limit=1 follows Link to the end with X-Total-Count and X-Limit, date_from and date_to applied', async () => {
    w = await simWorld({ statusIntervalSeconds: 60 });
    const start = w.t.clock.now();
    const get = (url: string, token = w.sim.token, raw = false) => http('GET', url, { headers: { authorization: `Token ${raw ? token : b64(token)}` } });
    const ids: string[] = [];
    let url: string | undefined = `${w.sim.url}/ocpi/2.2.1/locations?limit=1`;
    const links: string[] = [];
    while (url) {
      const page = await get(url);
      expect(page.status).to.equal(200);
      expect(page.headers).to.include({ 'x-total-count': '3', 'x-limit': '50' });
      ids.push(...page.body.data.map((l: any) => l.id));
      url = /<([^>]+)>; rel="next"/.exec(page.headers.link ?? '')?.[1];
      if (url) links.push(url);
    }
    expect(ids).to.deep.equal(['SIM-LOC-1', 'SIM-LOC-2', 'SIM-LOC-3']);
    expect(links).to.deep.equal([`${w.sim.url}/ocpi/2.2.1/locations?offset=1&limit=1`, `${w.sim.url}/ocpi/2.2.1/locations?offset=2&limit=1`]);

    // A minute later the first EVSE's status is reported again: SIM-LOC-1 is the only location updated since.
    await w.advance(60_000);
    const since = new Date(start.getTime() + 60_000).toISOString().replace('.000Z', 'Z');
    const recent = await get(`${w.sim.url}/ocpi/2.2.1/locations?date_from=${since}&limit=1`);
    expect(recent.body.data.map((l: any) => l.id)).to.deep.equal(['SIM-LOC-1']);
    expect(recent.headers['x-total-count']).to.equal('1');
    expect(recent.headers.link).to.equal(undefined);
    const before = await get(`${w.sim.url}/ocpi/2.2.1/locations?date_to=${since}`);
    expect(before.body.data.map((l: any) => l.id)).to.deep.equal(['SIM-LOC-2', 'SIM-LOC-3']);
    expect((await get(`${w.sim.url}/ocpi/2.2.1/locations?offset=2`)).body.data.map((l: any) => l.id)).to.deep.equal(['SIM-LOC-1']);

    expect((await get(`${w.sim.url}/ocpi/2.2.1/tariffs`)).body.data.map((x: any) => x.id)).to.deep.equal(['SIM-TARIFF-AC']);
    expect((await get(`${w.sim.url}/ocpi/2.2.1/sessions?date_from=${since}`)).body.data).to.deep.equal([]);
    const bad = await get(`${w.sim.url}/ocpi/2.2.1/cdrs?limit=x`);
    expect(bad.body).to.include({ status_code: 2001, status_message: 'limit: must be a non-negative integer, got "x"' });
    // Raw token accepted too; a wrong one is 401.
    expect((await get(`${w.sim.url}/ocpi/2.2.1/locations/SIM-LOC-2/SIM-LOC-2-E1/1`, w.sim.token, true)).body.data).to.include({ id: '1', standard: 'IEC_62196_T2' });
    expect((await get(`${w.sim.url}/ocpi/2.2.1/locations`, 'wrong')).status).to.equal(401);
  });

  it('--ocpi-version 2.2: registers on the hub’s 2.2, raw tokens both ways (the hub finds RAW), and a charge settles', async () => {
    w = await simWorld({ ocpiVersion: '2.2' });
    const partner = (await w.t.admin('GET', `/partners/${w.partnerId}`)).body;
    expect(partner).to.include({ status: 'ACTIVE', version: '2.2', token_encoding: 'RAW' });
    expect(w.lines).to.include('→ PUT /ocpi/2.2/locations/NL/SIM/SIM-LOC-1 201 1000');
    // Ours accepts the raw token only, as a 2.2 CPO.
    expect((await http('GET', `${w.sim.url}/ocpi/2.2/locations`, { headers: { authorization: `Token ${b64(w.sim.token)}` } })).status).to.equal(401);
    expect((await http('GET', `${w.sim.url}/ocpi/2.2/locations`, { headers: { authorization: `Token ${w.sim.token}` } })).status).to.equal(200);
    const { body } = await w.start();
    await w.advance(1000);
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'RESULT_ACCEPTED' });
    await w.advance(600_000);
    await w.app('POST', `/charging-sessions/${body.id}/stop`);
    await w.advance(1000);
    expect(await w.order(body.id)).to.include({ state: 'COMPLETED', reason: 'CDR_SETTLED' });
    expect(w.scheduler.errors).to.deep.equal([]);
  });

  it('UNLOCK_CONNECTOR through the admin API: ACCEPTED, then the CommandResult ACCEPTED', async () => {
    w = await simWorld();
    const res = await w.t.admin('POST', '/commands/unlock-connector', { location_id: await w.hubLocationId('SIM-LOC-2'), evse_uid: 'SIM-LOC-2-E1', connector_id: '1' });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body.response.data).to.deep.equal({ result: 'ACCEPTED', timeout: 30 });
    expect(res.body.result).to.equal(null);
    await w.advance(1000);
    const command = (await w.t.admin('GET', `/commands/${res.body.id}`)).body;
    expect(command.result).to.deep.equal({ result: 'ACCEPTED' });
    expect(command.result_at).to.equal('2026-11-25T10:00:01.000Z');
    expect(w.lines).to.include('← POST /commands/UNLOCK_CONNECTOR 200 ACCEPTED');
  });

  it('credentials rotated by the hub (PUT on our credentials): the new token of the hub is used from then on (the old one is revoked by the hub)', async () => {
    w = await simWorld();
    const rotated = await w.t.admin('POST', `/partners/${w.partnerId}/rotate-credentials`);
    expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200);
    expect(w.lines).to.include('← PUT /credentials 200 1000');
    const { body } = await w.start();
    await w.advance(1000);
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'RESULT_ACCEPTED' });
    expect(w.scheduler.errors).to.deep.equal([]);
    const ours = await http('GET', `${w.sim.url}/ocpi/2.2.1/credentials`, { headers: { authorization: `Token ${b64(w.sim.token)}` } });
    expect(ours.body.data).to.deep.include({ token: w.sim.token, url: w.sim.versionsUrl });
    expect(ours.body.data.roles).to.deep.equal([{ role: 'CPO', country_code: 'NL', party_id: 'SIM', business_details: { name: 'Simulated CPO NL/SIM' } }]);
  });

  it('--status-interval: each tick reports one idle EVSE; what the hub shows is what our Locations sender says', async () => {
    w = await simWorld({ statusIntervalSeconds: 10, seed: 7 });
    await w.advance(120_000);
    const patches = w.lines.filter((l) => /^→ PATCH \/ocpi\/2\.2\.1\/locations\/NL\/SIM\/SIM-LOC-\d\/SIM-LOC-\d-E\d 200 1000$/.test(l));
    expect(patches).to.have.length(12);
    const ours = await http('GET', `${w.sim.url}/ocpi/2.2.1/locations`, { headers: { authorization: `Token ${b64(w.sim.token)}` } });
    const statuses = (locations: any[]) => Object.fromEntries(locations.flatMap((l: any) => l.evses.map((e: any) => [e.uid, e.status])));
    const mine = statuses(ours.body.data);
    expect(statuses((await w.app('GET', '/locations?limit=100')).body.data)).to.deep.equal(mine);
    // Only the second EVSEs change (seed 7: all three are in use by now); the first ones stay free for the app.
    expect(mine).to.deep.equal({ 'SIM-LOC-1-E1': 'AVAILABLE', 'SIM-LOC-1-E2': 'CHARGING', 'SIM-LOC-2-E1': 'AVAILABLE', 'SIM-LOC-2-E2': 'CHARGING', 'SIM-LOC-3-E1': 'AVAILABLE', 'SIM-LOC-3-E2': 'CHARGING' });
  });

  it('its commands receiver, called directly: results to the response_url (private addresses only on the hub’s host), clear refusals naming the field', async () => {
    w = await simWorld();
    const results: { path: string; body: any }[] = [];
    const receiver = nodeHttp.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        results.push({ path: req.url!, body: JSON.parse(text) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status_code: 1000, timestamp: new Date().toISOString() }));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const back = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const command = (type: string, body: unknown) => http('POST', `${w.sim.url}/ocpi/2.2.1/commands/${type}`, { headers: { authorization: `Token ${b64(w.sim.token)}` }, body });
      const token = { country_code: 'NL', party_id: 'HUB', uid: 'X-1', type: 'RFID', contract_id: 'NL-HUB-C00000001' };
      // No evse_uid (optional in OCPI): the location's first free EVSE.
      const start = await command('START_SESSION', { response_url: `${back}/r/1`, token, location_id: 'SIM-LOC-3' });
      expect(start.body).to.include({ status_code: 1000 });
      expect(start.body.data).to.deep.equal({ result: 'ACCEPTED', timeout: 30 });
      await w.advance(1000);
      expect(results).to.deep.equal([{ path: '/r/1', body: { result: 'ACCEPTED' } }]);
      const session = w.sim.sessions()[0]!;
      expect(session).to.include({ location_id: 'SIM-LOC-3', evse_uid: 'SIM-LOC-3-E1', connector_id: '1', status: 'ACTIVE' });
      expect(session).to.not.have.property('authorization_reference');
      const busy = await command('START_SESSION', { response_url: `${back}/r/2`, token, location_id: 'SIM-LOC-3', evse_uid: 'SIM-LOC-3-E1' });
      expect(busy.body.data.result).to.equal('ACCEPTED');
      await w.advance(1000);
      expect(results[1]).to.deep.equal({ path: '/r/2', body: { result: 'EVSE_OCCUPIED' } });

      expect((await command('START_SESSION', { response_url: `${back}/r/3`, token, location_id: 'NOPE' })).body).to.deep.include({ status_code: 2003, status_message: 'unknown location NOPE' });
      const noUrl = await command('START_SESSION', { token, location_id: 'SIM-LOC-1' });
      expect(noUrl.status).to.equal(400);
      expect(noUrl.body).to.include({ status_code: 2001, status_message: 'response_url: is required' });
      expect((await command('START_SESSION', { response_url: 'ftp://x/y', token, location_id: 'SIM-LOC-1' })).body.status_message).to.equal('response_url: must be an http(s) URL');
      expect((await command('STOP_SESSION', { response_url: `${back}/r/4`, session_id: 'NOPE' })).body.data.result).to.equal('UNKNOWN_SESSION');
      expect((await command('RESERVE_NOW', { response_url: `${back}/r/5` })).body.data.result).to.equal('NOT_SUPPORTED');
      const broken = await http('POST', `${w.sim.url}/ocpi/2.2.1/commands/START_SESSION`, { headers: { authorization: `Token ${b64(w.sim.token)}`, 'content-type': 'application/json' }, raw: '{"response_url":' });
      expect(broken.status).to.equal(400);
      expect(broken.body).to.include({ status_code: 2001, status_message: 'the body is not JSON' });

      // Private addresses only where the operator pointed us (the hub's host; loopback names alike): elsewhere, the outbound policy.
      const local = await command('UNLOCK_CONNECTOR', { response_url: `${back.replace('127.0.0.1', 'localhost')}/r/7`, location_id: 'SIM-LOC-1', evse_uid: 'SIM-LOC-1-E1', connector_id: '1' });
      expect(local.body.data.result).to.equal('ACCEPTED');
      const elsewhere = await command('UNLOCK_CONNECTOR', { response_url: 'http://10.0.0.1:9/r/8', location_id: 'SIM-LOC-1', evse_uid: 'SIM-LOC-1-E1', connector_id: '1' });
      expect(elsewhere.body.data.result).to.equal('ACCEPTED');
      await w.advance(1000);
      expect(results.at(-1)).to.deep.equal({ path: '/r/7', body: { result: 'ACCEPTED' } });
      expect(w.lines).to.include('→ POST /r/8 REFUSED');
      expect(w.lines.filter((l) => l.startsWith('  error: '))).to.deep.equal([
        '  error: POST http://10.0.0.1:9/r/8: refused by the outbound URL policy: 10.0.0.1, a private (RFC 1918) address; set ALLOW_PRIVATE_PARTNER_URLS=true to allow loopback, private and link-local partner addresses',
      ]);

      const stop = await command('STOP_SESSION', { response_url: `${back}/r/6`, session_id: session.id });
      expect(stop.body.data.result).to.equal('ACCEPTED');
      await w.advance(1000);
      expect(results.at(-1)).to.deep.equal({ path: '/r/6', body: { result: 'ACCEPTED' } });
      expect(w.sim.sessions()[0]!.status).to.equal('COMPLETED');
      expect(w.sim.cdrs().map((c) => c.id)).to.deep.equal([`CDR-${session.id}`]);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
