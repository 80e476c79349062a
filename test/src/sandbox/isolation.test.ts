import { expect } from 'chai';
import { chargingWorld, cpoCdr, accepted, TOKEN_UID, type ChargingWorld } from '../../helpers/charging.ts';
import { http } from '../../helpers/http.ts';
import { okAnswer, sandboxCpo, type SandboxCpo } from '../../helpers/sandbox.ts';
import { runJob } from '../../../src/jobs/scheduler.ts';
import { freshnessJob } from '../../../ocpi-modules/locations/freshness.ts';
import { reconciliationJob } from '../../../charging/reconciliation.ts';

/**
 * A normal CPO (BE/BEC, the charging world) and a sandbox CPO (NL/SBX) with the same example
 * location at the same coordinates, each with an order and a CDR: the app, finance,
 * reconciliation, the operations queues and monitoring see the normal partner's only.
 */
describe('sandbox: its data never reaches the app, finance, reconciliation, operations or monitoring', () => {
  let w: ChargingWorld;
  let sbx: SandboxCpo;
  let normalOrder: string;
  let sandboxActive: string;
  let sandboxFailed: string;
  let sandboxLocation: string;

  const sandboxCdr = (id: string, orderId: string, evse: string) => {
    const cdr = cpoCdr(orderId, { id, session_id: `S-${id}`, country_code: 'NL', party_id: 'SBX', cdr_token: { country_code: 'NL', party_id: 'HUB', uid: 'SANDBOX-NL-SBX', type: 'APP_USER', contract_id: 'NL-HUB-SNLSBX' } });
    return { ...cdr, cdr_location: { ...cdr.cdr_location, evse_uid: evse, evse_id: 'NL*SBX*E1' } };
  };
  const sql = async <T = any>(text: string, params: unknown[] = []) => (await w.t.hub.services.orm.em.fork().getConnection().execute(text, params)) as T[];

  before(async () => {
    w = await chargingWorld();
    sbx = await sandboxCpo(w.t, { country_code: 'NL', party_id: 'SBX' });
    expect((await sbx.putLocation()).status).to.equal(201);
    sandboxLocation = (await sql(`select id from locations where partner_id = ?`, [sbx.id]))[0].id;

    // The normal partner: an app order, ACTIVE, and a CDR of its own.
    const started = await w.start();
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    normalOrder = started.body.id;
    expect((await w.result('ACCEPTED')).body.status_code).to.equal(1000);

    // The sandbox partner: one start refused (FAILED, then a CDR for it: a ticket), one ACTIVE, and its CDRs.
    sbx.commandAnswer.START_SESSION = () => okAnswer({ result: 'REJECTED', timeout: 30 });
    const failed = await sbx.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' });
    expect(failed.body, JSON.stringify(failed.body)).to.include({ state: 'FAILED' });
    sandboxFailed = failed.body.order_id;
    sbx.commandAnswer.START_SESSION = () => accepted();
    sandboxActive = (await sbx.api('POST', '/start-session', { location_id: 'LOC1', evse_uid: '3256' })).body.order_id;
    expect((await sbx.result('ACCEPTED', 1)).body.status_code).to.equal(1000);
    expect((await sbx.api('GET', `/orders/${sandboxActive}`)).body.state).to.equal('ACTIVE');
    w.t.clock.reach('2026-11-25T11:05:00Z');
    for (const [id, order, evse] of [['CDR-S1', sandboxFailed, '3256'], ['CDR-S2', sandboxActive, '3256']] as const) {
      const res = await w.t.ocpi('POST', '/ocpi/2.2.1/cdrs', { token: sbx.token, body: sandboxCdr(id, order, evse) });
      expect(res.body.status_code, JSON.stringify(res.body)).to.equal(1000);
    }
    // Posting a CDR moves the clock to its last_updated (an hour on): last, as the starts need fresh statuses.
    expect((await w.postCdr(cpoCdr(null, { id: 'CDR-N', session_id: 'S-N', cdr_token: { country_code: 'NL', party_id: 'HUB', uid: TOKEN_UID, type: 'APP_USER', contract_id: 'NL-HUB-C00000001' } }))).body.status_code).to.equal(1000);
    // What the sandbox partner did is in the database, so what follows is a filter, not an absence.
    expect((await sql(`select count(*)::int as n from cdrs where partner_id = ?`, [sbx.id]))[0].n).to.equal(2);
    expect((await sql(`select count(*)::int as n from exception_tickets where partner_id = ?`, [sbx.id]))[0].n).to.be.greaterThan(0);
  });
  after(async () => {
    await sbx.partner.stop();
    await w.stop();
  });

  it('the app: locations (list, near, by id), starts, orders and tokens', async () => {
    expect((await w.app('GET', '/locations')).body.data.map((l: any) => l.id)).to.deep.equal([w.locationId]);
    expect((await w.app('GET', '/locations?near=50.93,3.43&radius_m=200000')).body.data.map((l: any) => l.id)).to.deep.equal([w.locationId]);
    expect((await w.app('GET', `/locations/${sandboxLocation}`)).status).to.equal(404);
    const start = await w.start({ location_id: sandboxLocation, evse_uid: '3256' });
    expect(start.status).to.equal(422);
    expect(start.body).to.include({ reason: 'LOCATION_UNKNOWN', message: `location_id: no location ${sandboxLocation}` });
    const withSandboxToken = await w.start({ token_uid: 'SANDBOX-NL-SBX' });
    expect(withSandboxToken.status).to.equal(422);
    expect(withSandboxToken.body).to.include({ reason: 'TOKEN_UNKNOWN' });
    for (const id of [sandboxActive, sandboxFailed]) {
      expect((await w.app('GET', `/charging-sessions/${id}`)).status).to.equal(404);
      expect((await w.app('POST', `/charging-sessions/${id}/stop`)).status).to.equal(404);
    }
    expect((await w.app('GET', '/charging-sessions?token_uid=SANDBOX-NL-SBX')).body.data).to.deep.equal([]);
    expect((await w.app('GET', `/charging-sessions/${normalOrder}`)).body.state).to.equal('ACTIVE');
    expect((await w.app('GET', '/tokens/SANDBOX-NL-SBX?type=APP_USER')).status).to.equal(404);
    const taken = await w.app('PUT', '/tokens/SANDBOX-NL-SBX', { type: 'APP_USER', contract_id: 'NL-HUB-C00000009', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
    expect(taken.status).to.equal(409);
    expect(taken.body.message).to.equal("uid: SANDBOX-NL-SBX is taken by a sandbox partner's token: choose another uid");
  });

  it('tokens: the sandbox token is offered to its own partner only', async () => {
    const uids = async (token: string) => (await w.t.ocpi('GET', '/ocpi/2.2.1/tokens', { token })).body.data.map((t: any) => t.uid);
    expect(await uids(w.cpo.token)).to.deep.equal([TOKEN_UID]);
    expect((await uids(sbx.token)).sort()).to.deep.equal([TOKEN_UID, 'SANDBOX-NL-SBX']);
    const foreign = await w.t.ocpi('POST', '/ocpi/2.2.1/tokens/SANDBOX-NL-SBX/authorize?type=APP_USER', { token: w.cpo.token });
    expect(foreign.body.status_code).to.equal(2004);
    const own = await w.t.ocpi('POST', '/ocpi/2.2.1/tokens/SANDBOX-NL-SBX/authorize?type=APP_USER', { token: sbx.token });
    expect(own.body.data.allowed).to.equal('ALLOWED');
  });

  it('finance: CDR list (all, by partner, by id), reconciliation and its CSV, reconciliation runs and the nightly job', async () => {
    expect((await w.finance('GET', '/cdrs')).body.data.map((c: any) => c.cdr_id)).to.deep.equal(['CDR-N']);
    expect((await w.finance('GET', `/cdrs?partner_id=${sbx.id}`)).body.data).to.deep.equal([]);
    expect((await w.finance('GET', `/cdrs?partner_id=${w.cpo.id}`)).body.data.map((c: any) => c.cdr_id)).to.deep.equal(['CDR-N']);
    for (const { id } of await sql(`select id from cdrs where partner_id = ?`, [sbx.id])) {
      expect((await w.finance('GET', `/cdrs/${id}`)).status).to.equal(404);
      expect((await w.finance('POST', `/cdrs/${id}/resolve`, { resolution: 'ACCEPT_THEIRS', note: 'n' })).status).to.be.oneOf([404, 422]);
    }
    const rec = (await w.finance('GET', '/reconciliation?from=2026-11-01&to=2026-12-01')).body.data;
    expect(rec.map((r: any) => [r.country_code, r.party_id, r.count])).to.deep.equal([['BE', 'BEC', 1]]);
    const csv = (await w.finance('GET', '/reconciliation.csv?from=2026-11-01&to=2026-12-01')).text;
    expect(csv).to.include('BEC').and.not.include('SBX').and.not.include(sbx.id);
    const run = await w.finance('POST', '/reconciliation-runs', { partner_id: sbx.id, from: '2026-11-01', to: '2026-12-01' });
    expect(run.status).to.equal(409);
    expect(run.body).to.include({ reason: 'SANDBOX_PARTNER', message: `partner ${sbx.id} is a sandbox partner: its CDRs are not reconciled` });
    expect(await runJob(w.t.hub.services, reconciliationJob)).to.equal(true);
    expect((await sql(`select partner_id from reconciliation_runs`)).map((r) => r.partner_id)).to.deep.equal([w.cpo.id]);
  });

  it('operations: exception tickets and the review queue leave the sandbox out', async () => {
    expect((await w.tickets()).filter((t: any) => t.partner_id === sbx.id || [sandboxActive, sandboxFailed].includes(t.order_id))).to.deep.equal([]);
    expect((await w.t.admin('GET', '/exceptions')).body.data.map((t: any) => t.partner_id)).to.not.include(sbx.id);
    expect((await sql(`select count(*)::int as n from location_reviews where partner_id = ?`, [sbx.id]))[0].n).to.equal(0);
    expect((await w.t.admin('GET', '/reviews')).body.data.map((r: any) => r.partner_id)).to.not.include(sbx.id);
  });

  it('monitoring: gauges count the normal partner only; the circuit breaker and its alerts skip the sandbox', async () => {
    const metrics = (await http('GET', `${w.t.url}/metrics`)).text;
    expect(metrics).to.include('ocpi_hub_charging_orders{state="ACTIVE"} 1\n');
    const gauge = (name: string) => metrics.split('\n').filter((l) => l.startsWith(`${name}{`)).sort();
    // The normal partner's one CDR, whatever its state; the sandbox's two are not counted.
    const [normalCdr] = await sql(`select state from cdrs where partner_id = ?`, [w.cpo.id]);
    expect(gauge('ocpi_hub_cdrs')).to.deep.equal([`ocpi_hub_cdrs{state="${normalCdr.state}"} 1`]);
    const normalTickets = await sql(`select kind, count(*)::int as n from exception_tickets where state = 'OPEN' and partner_id = ? group by kind order by kind`, [w.cpo.id]);
    expect(gauge('ocpi_hub_exception_tickets_open')).to.deep.equal(normalTickets.map((t) => `ocpi_hub_exception_tickets_open{kind="${t.kind}"} ${t.n}`).sort());
    expect((await sql(`select count(*)::int as n from exception_tickets where state = 'OPEN' and partner_id = ?`, [sbx.id]))[0].n).to.be.greaterThan(0);

    // Every EVSE goes stale: the normal partner is hidden with an alert, the sandbox one neither.
    w.t.clock.advance(3_600_000);
    await runJob(w.t.hub.services, freshnessJob);
    const hidden = await sql(`select id, map_hidden from partners where id in (?, ?)`, [w.cpo.id, sbx.id]);
    expect(Object.fromEntries(hidden.map((p) => [p.id, p.map_hidden]))).to.deep.equal({ [w.cpo.id]: true, [sbx.id]: false });
    const alerts = await sql(`select partner_id, kind from partner_events where kind in ('ALERT_PARTNER_HIDDEN', 'ALERT_PARTNER_VISIBLE')`);
    expect(alerts).to.deep.equal([{ partner_id: w.cpo.id, kind: 'ALERT_PARTNER_HIDDEN' }]);
  });
});
