import { expect } from 'chai';
import { chargingWorld, cpoCdr, ENERGY_TARIFF, type ChargingWorld } from '../../helpers/charging.ts';
import { example } from '../../helpers/examples.ts';
import { okAnswer, sandboxCpo, type SandboxCpo } from '../../helpers/sandbox.ts';

describe('sandbox: DELETE …/data wipes the partner’s sandbox data and keeps its registration', () => {
  let w: ChargingWorld;
  let sbx: SandboxCpo;
  const sql = async <T = any>(text: string, params: unknown[] = []) => (await w.t.hub.services.orm.em.fork().getConnection().execute(text, params)) as T[];
  const counts = async (partnerId: string) =>
    (
      await sql(
        `select (select count(*)::int from locations where partner_id = $1) as locations, (select count(*)::int from evses where partner_id = $1) as evses,
                (select count(*)::int from tariff_versions where partner_id = $1) as tariffs, (select count(*)::int from sessions where partner_id = $1) as sessions,
                (select count(*)::int from cdrs where partner_id = $1) as cdrs, (select count(*)::int from charging_orders where partner_id = $1) as orders,
                (select count(*)::int from commands where partner_id = $1) as commands, (select count(*)::int from exception_tickets where partner_id = $1) as tickets`.replace(/\$1/g, '?'),
        Array(8).fill(partnerId),
      )
    )[0];

  beforeEach(async () => {
    w = await chargingWorld();
    sbx = await sandboxCpo(w.t, { country_code: 'NL', party_id: 'SBX' });
  });
  afterEach(async () => {
    await sbx.partner.stop();
    await w.stop();
  });

  it('removes locations, tariffs, sessions, CDRs, orders, commands, its token, tickets and the request log, with counts; another partner keeps everything', async () => {
    const tariff = { ...ENERGY_TARIFF, country_code: 'NL', party_id: 'SBX' };
    expect((await w.t.ocpi('PUT', '/ocpi/2.2.1/tariffs/NL/SBX/T-ENERGY', { token: sbx.token, body: tariff })).status).to.equal(201);
    expect((await sbx.putLocation()).status).to.equal(201);
    sbx.commandAnswer.START_SESSION = () => okAnswer({ result: 'REJECTED', timeout: 30 });
    const failed = (await sbx.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' })).body.order_id;
    sbx.commandAnswer.START_SESSION = () => okAnswer({ result: 'ACCEPTED', timeout: 30 });
    const active = (await sbx.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' })).body.order_id;
    const token = { country_code: 'NL', party_id: 'HUB', uid: 'SANDBOX-NL-SBX', type: 'APP_USER', contract_id: 'NL-HUB-SNLSBX' };
    const session = { ...example<any>('session_example_1_simple_start.json'), country_code: 'NL', party_id: 'SBX', id: 'S-1', location_id: 'LOC1', evse_uid: '3256', connector_id: '1', cdr_token: token, auth_method: 'COMMAND', authorization_reference: active, status: 'ACTIVE', last_updated: '2026-11-25T10:00:00Z' };
    expect((await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/NL/SBX/S-1', { token: sbx.token, body: session })).status).to.equal(201);
    w.t.clock.reach('2026-11-25T11:05:00Z');
    const cdr = cpoCdr(failed, { id: 'CDR-S1', session_id: 'S-X', country_code: 'NL', party_id: 'SBX', cdr_token: token });
    expect((await w.t.ocpi('POST', '/ocpi/2.2.1/cdrs', { token: sbx.token, body: cdr })).body.status_code).to.equal(1000);
    const before = await counts(sbx.id);
    expect(before).to.deep.equal({ locations: 1, evses: 2, tariffs: 1, sessions: 1, cdrs: 1, orders: 2, commands: 2, tickets: before.tickets });
    expect(before.tickets).to.be.greaterThan(0);
    const logged = (await sbx.api('GET', '/requests')).body.data.length;
    const normalBefore = await counts(w.cpo.id);

    const res = await sbx.api('DELETE', '/data');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({
      removed: { request_log: logged, tickets: before.tickets, reconciliation_runs: 0, cdrs: 1, commands: 2, orders: 2, sessions: 1, tariffs: 1, reviews: 0, rejections: 0, evses: 2, locations: 1, tokens: 1 },
    });
    expect(await counts(sbx.id)).to.deep.equal({ locations: 0, evses: 0, tariffs: 0, sessions: 0, cdrs: 0, orders: 0, commands: 0, tickets: 0 });
    expect((await sql(`select count(*)::int as n from tokens where uid = 'SANDBOX-NL-SBX'`))[0].n).to.equal(0);
    expect((await sbx.api('GET', '/requests')).body.data).to.deep.equal([]);
    expect(await counts(w.cpo.id)).to.deep.equal(normalBefore);

    // Its registration stays: still ACTIVE, its token C still works, and it starts over at once.
    expect((await w.t.admin('GET', `/partners/${sbx.id}`)).body).to.include({ status: 'ACTIVE', sandbox: true, registered: true });
    expect((await sbx.putLocation()).status).to.equal(201);
    const again = await sbx.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body.state).to.equal('PENDING');
  });

  it('a second wipe removes nothing; a partner that is not a sandbox partner cannot wipe', async () => {
    await sbx.api('DELETE', '/data');
    const res = await sbx.api('DELETE', '/data');
    expect(Object.values(res.body.removed).every((n) => n === 0)).to.equal(true);
    const normal = await w.t.ocpi('GET', '/ocpi/2.2.1/tokens', { token: w.cpo.token });
    expect(normal.status).to.equal(200);
    const refused = await sbx.api('DELETE', '/data', undefined, { token: w.cpo.token, id: 'me' });
    expect(refused.status).to.equal(403);
    expect((await counts(w.cpo.id)).locations).to.equal(1);
  });
});
