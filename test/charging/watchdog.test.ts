import { expect } from 'chai';
import { chargingWorld, cpoCdr, cpoSession, ENERGY_TARIFF, type ChargingWorld } from '../helpers/charging.ts';
import { runJob } from '../../src/jobs/scheduler.ts';
import { watchdogJob } from '../../charging/watchdog.ts';

const minutes = (n: number) => n * 60_000;
const hours = (n: number) => n * 3_600_000;

describe('session watchdog: callbacks get lost', () => {
  let w: ChargingWorld;
  beforeEach(async () => {
    w = await chargingWorld({ tariff: ENERGY_TARIFF });
  });
  afterEach(() => w.stop());
  const watchdog = async () => expect(await runJob(w.t.hub.services, watchdogJob)).to.equal(true);

  async function activeOrder(): Promise<string> {
    const { body } = await w.start();
    await w.result('ACCEPTED');
    await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: cpoSession(body.id, 'ACTIVE') });
    return body.id;
  }

  it('an ACTIVE order silent for SESSION_SILENCE_MINUTES is checked; a COMPLETED session gets its CDR pulled and settled', async () => {
    const id = await activeOrder();
    w.t.clock.advance(minutes(29));
    await watchdog();
    expect(w.sessionQueries()).to.have.length(0);
    w.t.clock.advance(minutes(2));
    w.t.clock.reach('2026-11-25T11:00:10Z');
    w.cpoSessions = [cpoSession(id, 'COMPLETED', { kwh: 10, end_date_time: '2026-11-25T11:00:10Z', last_updated: '2026-11-25T11:00:10Z' })];
    w.cpoCdrs = [cpoCdr(id)];
    await watchdog();
    expect(w.sessionQueries()).to.have.length(1);
    expect(w.cdrQueries()).to.have.length(1);
    expect(w.cdrQueries()[0]!.path).to.equal(`/ocpi/2.2.1/cdrs?date_from=${encodeURIComponent('2026-11-25T09:55:00.000Z')}`);
    const order = await w.order(id);
    expect(order).to.include({ state: 'COMPLETED', reason: 'CDR_SETTLED' });
    expect(order.billed).to.deep.equal({ currency: 'EUR', excl_vat: 2.5, incl_vat: 3 });
    const [cdr] = (await w.finance('GET', '/cdrs')).body.data;
    expect(cdr).to.deep.include({ via: 'PULL', state: 'SETTLED' });
  });

  it('a silent session still ACTIVE at the CPO is checked again only after another silence period', async () => {
    const id = await activeOrder();
    w.cpoSessions = [cpoSession(id, 'ACTIVE')];
    w.t.clock.advance(minutes(31));
    await watchdog();
    w.t.clock.advance(minutes(5));
    await watchdog();
    expect(w.sessionQueries()).to.have.length(1);
    w.t.clock.advance(minutes(26));
    await watchdog();
    expect(w.sessionQueries()).to.have.length(2);
    expect((await w.history(id)).events.filter((e: any) => e.cause === 'WATCHDOG_SESSION_CHECK').map((e: any) => e.detail.outcome)).to.deep.equal(['FOUND', 'FOUND']);
  });

  it('an order ACTIVE past SESSION_MAX_HOURS becomes EXCEPTION with a ticket; its CDR still settles it', async () => {
    const id = await activeOrder();
    w.cpoSessions = [cpoSession(id, 'ACTIVE')];
    w.t.clock.advance(hours(24) + 1);
    await watchdog();
    expect(await w.order(id)).to.include({ state: 'EXCEPTION', reason: 'MAX_DURATION_EXCEEDED' });
    const [ticket] = await w.tickets('SESSION_TOO_LONG');
    expect(ticket).to.include({ order_id: id, summary: `order ${id} has been charging for more than 24 h` });
    await watchdog();
    expect(await w.tickets('SESSION_TOO_LONG')).to.have.length(1);
    await w.postCdr(cpoCdr(id));
    expect(await w.order(id)).to.include({ state: 'COMPLETED' });
  });

  it('no CDR CDR_WAIT_HOURS after the session ended: pull the CPO’s CDRs, then a ticket (once)', async () => {
    const id = await activeOrder();
    w.t.clock.reach('2026-11-25T11:00:10Z');
    await w.t.ocpi('PATCH', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: { status: 'COMPLETED', last_updated: '2026-11-25T11:00:10Z' } });
    w.t.clock.advance(hours(23));
    await watchdog();
    expect(w.cdrQueries()).to.have.length(0);
    w.t.clock.advance(hours(1) + 1);
    await watchdog();
    expect(w.cdrQueries()).to.have.length(1);
    const [ticket] = await w.tickets('CDR_MISSING');
    expect(ticket.order_id).to.equal(id);
    w.t.clock.advance(minutes(5));
    await watchdog();
    expect(w.cdrQueries()).to.have.length(1);
    // The CDR that comes later still settles the order.
    await w.postCdr(cpoCdr(id));
    expect(await w.order(id)).to.include({ state: 'COMPLETED' });
  });

  it('a lost CDR is found when the pull brings it: the order completes without a ticket', async () => {
    const id = await activeOrder();
    w.t.clock.reach('2026-11-25T11:00:10Z');
    await w.t.ocpi('PATCH', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: { status: 'COMPLETED', last_updated: '2026-11-25T11:00:10Z' } });
    w.cpoCdrs = [cpoCdr(id)];
    w.t.clock.advance(hours(24) + 1);
    await watchdog();
    expect(await w.order(id)).to.include({ state: 'COMPLETED' });
    expect(await w.tickets()).to.deep.equal([]);
  });
});
