import { expect } from 'chai';
import { chargingWorld, cpoCdr, cpoSession, ENERGY_TARIFF, TOKEN_UID, type ChargingWorld } from '../helpers/charging.ts';

const s = (n: number) => n * 1000;
const SESSION = '/ocpi/2.2.1/sessions/BE/BEC/S-1';

/** A session as a 2.2-era CPO sends it: our token, no authorization_reference. */
const unreferenced = (status: string, extra: Record<string, unknown> = {}) => {
  const session: Record<string, unknown> = cpoSession('', status, { start_date_time: '2026-11-25T10:00:20Z', ...extra });
  delete session.authorization_reference;
  return session;
};

describe('charging: a session or CDR without authorization_reference finds its order', () => {
  let w: ChargingWorld;
  beforeEach(async () => {
    w = await chargingWorld({ tariff: ENERGY_TARIFF });
  });
  afterEach(() => w.stop());

  const appOrders = async () => (await w.app('GET', `/charging-sessions?token_uid=${TOKEN_UID}`)).body.data as any[];

  it('links the one app order of the same EVSE and token: one order, no ticket, and the app can stop it', async () => {
    const { body } = await w.start();
    await w.result('ACCEPTED');
    w.t.clock.advance(s(20));
    const put = await w.t.ocpi('PUT', SESSION, { token: w.cpo.token, body: unreferenced('ACTIVE', { kwh: 2 }) });
    expect(put.status, JSON.stringify(put.body)).to.equal(201);

    const order = await w.order(body.id);
    expect(order).to.include({ state: 'ACTIVE', kwh: 2, notice: null });
    expect(order.session.id).to.equal('S-1');
    expect((await appOrders()).map((o) => o.id)).to.deep.equal([body.id]);
    const matched = (await w.history(body.id)).events.find((e: any) => e.cause === 'SESSION_MATCHED_WITHOUT_REFERENCE');
    expect(matched.detail).to.deep.equal({ session_id: 'S-1', matched_on: 'partner, EVSE, connector, token and start time' });

    const stop = await w.app('POST', `/charging-sessions/${body.id}/stop`);
    expect(stop.status, JSON.stringify(stop.body)).to.equal(202);
    expect((w.commands('STOP_SESSION')[0]!.body as any).session_id).to.equal('S-1');
    w.t.clock.reach('2026-11-25T11:00:10Z');
    await w.t.ocpi('PATCH', SESSION, { token: w.cpo.token, body: { status: 'COMPLETED', end_date_time: '2026-11-25T11:00:10Z', last_updated: '2026-11-25T11:00:10Z' } });
    expect(await w.order(body.id)).to.include({ state: 'AWAITING_CDR' });

    // The CDR carries no reference either: it settles the same order.
    const cdr: Record<string, unknown> = cpoCdr(null);
    const posted = await w.postCdr(cdr);
    expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
    expect(await w.order(body.id)).to.include({ state: 'COMPLETED' });
    expect((await appOrders()).map((o) => o.id)).to.deep.equal([body.id]);
    expect(await w.tickets()).to.deep.equal([]);
  });

  it('a session that started long after the command window is not the app order’s: the charger’s own order', async () => {
    const { body } = await w.start();
    await w.result('ACCEPTED');
    w.t.clock.advance(s(3600));
    await w.t.ocpi('PUT', SESSION, { token: w.cpo.token, body: unreferenced('ACTIVE', { start_date_time: '2026-11-25T11:00:00Z' }) });
    expect((await w.order(body.id)).session).to.equal(null);
    const origins = (await appOrders()).map((o) => o.origin).sort();
    expect(origins).to.deep.equal(['APP', 'CHARGER']);
  });

  /** Two app orders on EVSE 3256 for the same token, neither with a session: the first FAILED START_UNCONFIRMED (it may still have run), the second ACTIVE. */
  async function twoCandidates(): Promise<[string, string]> {
    w.commandAnswer.START_SESSION = () => 'DROP';
    const first = (await w.start()).body.id as string;
    await w.tick(s(5));
    await w.tick(s(10));
    await w.tick(s(15));
    expect(await w.order(first)).to.include({ state: 'FAILED', reason: 'START_UNCONFIRMED' });
    w.commandAnswer.START_SESSION = () => ({ body: { data: { result: 'ACCEPTED', timeout: 30 }, status_code: 1000, timestamp: new Date().toISOString() } });
    const second = (await w.start()).body.id as string;
    await w.result('ACCEPTED', 1);
    expect(await w.order(second)).to.include({ state: 'ACTIVE' });
    return [first, second];
  }

  it('several orders could match a session: none linked, one ticket naming both, each order says so, no charger order', async () => {
    const [first, second] = await twoCandidates();
    const before = await w.tickets();

    for (const kwh of [1, 2]) {
      const put = await w.t.ocpi('PUT', SESSION, { token: w.cpo.token, body: unreferenced('ACTIVE', { kwh, start_date_time: '2026-11-25T10:00:25Z', last_updated: `2026-11-25T10:01:0${kwh}Z` }) });
      expect(put.status, JSON.stringify(put.body)).to.be.oneOf([200, 201]);
    }

    const notice = `the CPO's session BE/BEC/S-1 carries no authorization_reference and could belong to 2 orders (${first}, ${second}): linked to none until operations decides`;
    for (const id of [first, second]) {
      const order = await w.order(id);
      expect(order.session, id).to.equal(null);
      expect(order.notice, id).to.equal(notice);
      expect((await w.history(id)).events.filter((e: any) => e.cause === 'AMBIGUOUS_SESSION_MATCH'), id).to.have.length(1);
    }
    expect((await appOrders()).map((o) => o.origin)).to.deep.equal(['APP', 'APP']);
    const tickets = (await w.tickets()).filter((t) => !before.some((b: any) => b.id === t.id));
    expect(tickets).to.have.length(1);
    expect(tickets[0]).to.include({
      kind: 'AMBIGUOUS_SESSION_MATCH',
      partner_id: w.cpo.id,
      summary: `session BE/BEC/S-1 has no authorization_reference and matches 2 app orders (same EVSE, token and time): ${first}, ${second}; none linked`,
    });
    expect(tickets[0].evidence[0].detail).to.deep.equal({ key: 'BE/BEC/S-1', candidates: [first, second] });
  });

  it('several orders could match a CDR: it waits in EXCEPTION, one ticket, nobody billed', async () => {
    const [first, second] = await twoCandidates();
    const cdr = cpoCdr(null, { id: 'CDR-A', session_id: 'S-UNSEEN', start_date_time: '2026-11-25T10:00:25Z' });
    for (let i = 0; i < 2; i++) expect((await w.postCdr(cdr)).status).to.be.oneOf([200, 201]);
    const row = (await w.finance('GET', '/cdrs')).body.data.find((c: any) => c.cdr_id === 'CDR-A');
    expect(row).to.deep.include({ state: 'EXCEPTION', cause: 'SEVERAL_ORDERS_MATCH' });
    for (const id of [first, second]) expect((await w.order(id)).notice, id).to.match(/^the CPO's CDR BE\/BEC\/CDR-A carries no authorization_reference and could belong to 2 orders/);
    const tickets = await w.tickets('AMBIGUOUS_CDR_MATCH');
    expect(tickets.map((t: any) => t.evidence[0].detail)).to.deep.equal([{ key: 'BE/BEC/CDR-A', candidates: [first, second] }]);
    expect((await appOrders()).map((o) => o.origin)).to.deep.equal(['APP', 'APP']);
  });
});
