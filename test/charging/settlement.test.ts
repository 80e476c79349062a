import { expect } from 'chai';
import { chargingWorld, cpoCdr, cpoSession, ENERGY_TARIFF, TOKEN_UID, type ChargingWorld } from '../helpers/charging.ts';
import { onboardCpo } from '../helpers/onboarding.ts';

/** A charge that ran through: started by the app, session ACTIVE then COMPLETED; the order waits for its CDR. */
async function chargedOrder(w: ChargingWorld): Promise<string> {
  const { body } = await w.start();
  await w.result('ACCEPTED');
  await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: cpoSession(body.id, 'ACTIVE') });
  w.t.clock.reach('2026-11-25T11:00:10Z');
  await w.t.ocpi('PATCH', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: { status: 'COMPLETED', kwh: 10, last_updated: '2026-11-25T11:00:10Z' } });
  expect(await w.order(body.id)).to.include({ state: 'AWAITING_CDR' });
  return body.id;
}

describe('CDRs: receiver and settlement', () => {
  let w: ChargingWorld;
  beforeEach(async () => {
    w = await chargingWorld({ tariff: ENERGY_TARIFF });
  });
  afterEach(() => w.stop());
  const cdrs = async (query = '') => (await w.finance('GET', `/cdrs${query}`)).body.data;

  it('stores a CDR (201 + Location), serves it back to its own party only, and settles it at our price: the order is COMPLETED and billed', async () => {
    const id = await chargedOrder(w);
    const res = await w.postCdr(cpoCdr(id));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.status_code).to.equal(1000);
    const [cdr] = await cdrs();
    expect(res.headers.location).to.equal(`${w.t.url}/ocpi/2.2.1/cdrs/${cdr.id}`);
    const location = new URL(res.headers.location!).pathname;
    expect((await w.t.ocpi('GET', location, { token: w.cpo.token })).body.data).to.deep.equal(cpoCdr(id));
    expect((await w.t.ocpi('GET', '/ocpi/2.2.1/cdrs/BE/BEC/CDR-1', { token: w.cpo.token })).body.data).to.deep.equal(cpoCdr(id));
    const other = await onboardCpo(w.t, { country_code: 'DE', party_id: 'OTH' });
    try {
      expect((await w.t.ocpi('GET', location, { token: other.token })).status).to.equal(403);
      expect((await w.t.ocpi('GET', '/ocpi/2.2.1/cdrs/BE/BEC/CDR-1', { token: other.token })).status).to.equal(403);
    } finally {
      await other.partner.stop();
    }
    expect((await w.t.ocpi('GET', '/ocpi/2.2.1/cdrs/BE/BEC/NOPE', { token: w.cpo.token })).status).to.equal(404);
    expect((await w.t.ocpi('GET', '/ocpi/2.2.1/cdrs/00000000-0000-4000-8000-000000000000', { token: w.cpo.token })).status).to.equal(404);

    expect(cdr).to.deep.include({ cdr_id: 'CDR-1', state: 'SETTLED', cause: 'PRICE_MATCHES', currency: 'EUR', total_energy: 10, difference: 0, tariff_source: 'ORDER_SNAPSHOT', order_id: id, via: 'PUSH' });
    expect(cdr.our_price).to.deep.equal({ excl_vat: 2.5, incl_vat: 3 });
    expect(cdr.their_price).to.deep.equal({ excl_vat: 2.5, incl_vat: 3 });
    const order = await w.order(id);
    expect(order).to.include({ state: 'COMPLETED', reason: 'CDR_SETTLED', message: 'Charging finished and billed.' });
    expect(order.billed).to.deep.equal({ currency: 'EUR', excl_vat: 2.5, incl_vat: 3 });
    const detail = (await w.finance('GET', `/cdrs/${cdr.id}`)).body;
    expect(detail.events.map((e: any) => [e.from, e.to, e.cause])).to.deep.equal([
      [null, 'RECEIVED', 'PUSHED'],
      ['RECEIVED', 'VALIDATED', 'RULES_PASSED'],
      ['VALIDATED', 'SETTLED', 'PRICE_MATCHES'],
    ]);
    expect(detail.tariff_used.id).to.equal('T-ENERGY');
  });

  it('prices with the tariff the user saw at the start, even after the CPO changed it', async () => {
    const { body } = await w.start();
    expect((await w.history(body.id)).events[0].cause).to.equal('START_REQUESTED');
    // The CPO raises the price to EUR 0.40 a minute later, and bills the session with it.
    w.t.clock.advance(60_000);
    const raised = { ...ENERGY_TARIFF, elements: [{ price_components: [{ type: 'ENERGY', price: 0.4, vat: 20, step_size: 1 }] }], last_updated: '2026-11-25T10:01:00Z' };
    expect((await w.t.ocpi('PUT', '/ocpi/2.2.1/tariffs/BE/BEC/T-ENERGY', { token: w.cpo.token, body: raised })).status).to.equal(200);
    await w.result('ACCEPTED');
    await w.postCdr(cpoCdr(body.id, { total_cost: { excl_vat: 4, incl_vat: 4.8 } }));
    const [cdr] = await cdrs();
    expect(cdr).to.deep.include({ state: 'DISPUTED', tariff_source: 'ORDER_SNAPSHOT', difference: 1.5 });
    expect(cdr.our_price).to.deep.equal({ excl_vat: 2.5, incl_vat: 3 });
    expect((await w.order(body.id)).billed).to.deep.equal({ currency: 'EUR', excl_vat: 2.5, incl_vat: 3 });
  });

  it('CDRs are immutable: the same CDR again is acknowledged once; other content under the same id is refused and logged', async () => {
    const id = await chargedOrder(w);
    await w.postCdr(cpoCdr(id));
    const again = await w.postCdr(cpoCdr(id));
    expect(again.status).to.equal(200);
    expect(again.body.status_code).to.equal(1000);
    expect(again.headers.location).to.equal(`${w.t.url}/ocpi/2.2.1/cdrs/${(await cdrs())[0].id}`);
    const changed = await w.postCdr(cpoCdr(id, { total_cost: { excl_vat: 9, incl_vat: 10.8 } }));
    expect(changed.body).to.deep.include({ status_code: 2001, status_message: 'id: CDR CDR-1 was already received with different content; CDRs are immutable: send a credit CDR, then a new CDR with a new id' });
    const list = await cdrs();
    expect(list).to.have.length(1);
    expect(list[0].their_price.excl_vat).to.equal(2.5);
    const events = (await w.finance('GET', `/cdrs/${list[0].id}`)).body.events;
    expect(events.at(-1)).to.deep.include({ cause: 'CONFLICTING_RESEND' });
    expect(events.at(-1).detail.total_cost).to.deep.equal({ excl_vat: 9, incl_vat: 10.8 });
  });

  it('a price outside SETTLEMENT_TOLERANCE is DISPUTED with both amounts; inside it SETTLES; the user pays our price either way', async () => {
    const id = await chargedOrder(w);
    await w.postCdr(cpoCdr(id, { total_cost: { excl_vat: 3.1, incl_vat: 3.72 } }));
    const [disputed] = await cdrs();
    expect(disputed).to.deep.include({ state: 'DISPUTED', cause: 'PRICE_DIFFERS', difference: 0.6 });
    expect((await w.order(id))).to.deep.include({ state: 'COMPLETED', reason: 'CDR_DISPUTED' });
    expect((await w.order(id)).billed).to.deep.equal({ currency: 'EUR', excl_vat: 2.5, incl_vat: 3 });

    await w.app('PUT', '/tokens/CARD-2', { type: 'RFID', contract_id: 'NL-HUB-C00000002', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
    const card = { country_code: 'NL', party_id: 'HUB', uid: 'CARD-2', type: 'RFID', contract_id: 'NL-HUB-C00000002' };
    await w.postCdr(cpoCdr(null, { id: 'CDR-2', session_id: 'S-2', cdr_token: card, total_cost: { excl_vat: 2.51, incl_vat: 3.01 } }));
    expect((await cdrs('?state=SETTLED'))[0]).to.deep.include({ cdr_id: 'CDR-2', difference: 0.01 });
  });

  it('a CDR that breaks a rule is stored as evidence, goes to EXCEPTION with a ticket, and is never settled', async () => {
    const id = await chargedOrder(w);
    await w.postCdr(cpoCdr(id, { total_energy: 12 }));
    const [cdr] = await cdrs();
    expect(cdr).to.deep.include({ state: 'EXCEPTION', cause: 'VALIDATION_FAILED', our_price: null });
    expect(cdr.problems).to.deep.equal(["ENERGY_MATCHES_PERIODS: total_energy: 12 kWh, but the charging periods' ENERGY adds up to 10 kWh", 'ENERGY_PLAUSIBLE_FOR_POWER: total_energy: 12 kWh is more than a 10.6 kW connector can deliver in 1 h']);
    const [ticket] = await w.tickets('CDR_INVALID');
    expect(ticket).to.include({ order_id: id, partner_id: w.cpo.id, summary: 'CDR BE/BEC/CDR-1 breaks 2 rule(s): ENERGY_MATCHES_PERIODS, ENERGY_PLAUSIBLE_FOR_POWER' });
    expect(await w.order(id)).to.include({ state: 'AWAITING_CDR' });
  });

  it('a credit CDR reverses the original; the corrected CDR bills again', async () => {
    const id = await chargedOrder(w);
    await w.postCdr(cpoCdr(id));
    const credit = await w.postCdr(cpoCdr(id, { id: 'CDR-1-C', credit: true, credit_reference_id: 'CDR-1', total_cost: { excl_vat: -2.5, incl_vat: -3 } }));
    expect(credit.status, JSON.stringify(credit.body)).to.equal(201);
    const list = await cdrs();
    expect(list.map((c: any) => [c.cdr_id, c.state, c.credit, c.our_price.excl_vat, c.difference])).to.deep.equal([
      ['CDR-1', 'SETTLED', false, 2.5, 0],
      ['CDR-1-C', 'SETTLED', true, -2.5, 0],
    ]);
    expect(list[0].credited_by).to.equal(list[1].id);
    expect((await w.order(id)).billed).to.deep.equal({ currency: 'EUR', excl_vat: 0, incl_vat: 0 });
    const periods = [{ start_date_time: '2026-11-25T10:00:10Z', dimensions: [{ type: 'ENERGY', volume: 8 }, { type: 'TIME', volume: 1 }], tariff_id: 'T-ENERGY' }];
    await w.postCdr(cpoCdr(id, { id: 'CDR-1B', charging_periods: periods, total_energy: 8, total_cost: { excl_vat: 2, incl_vat: 2.4 } }));
    const order = await w.order(id);
    expect(order).to.include({ state: 'COMPLETED' });
    expect(order.billed).to.deep.equal({ currency: 'EUR', excl_vat: 2, incl_vat: 2.4 });
    // A credit for something never received, and a second credit of the same CDR: exceptions.
    await w.postCdr(cpoCdr(id, { id: 'X-C', credit: true, credit_reference_id: 'X', total_cost: { excl_vat: -1 } }));
    await w.postCdr(cpoCdr(id, { id: 'CDR-1-C2', credit: true, credit_reference_id: 'CDR-1', total_cost: { excl_vat: -2.5 } }));
    expect((await cdrs('?state=EXCEPTION')).map((c: any) => [c.cdr_id, c.cause])).to.deep.equal([
      ['X-C', 'CREDIT_FOR_UNKNOWN_CDR'],
      ['CDR-1-C2', 'CREDIT_DUPLICATE'],
    ]);
  });

  it('credits and corrections settle whatever their order of arrival', async () => {
    const id = await chargedOrder(w);
    // The credit first: it waits; the original then arrives and is reversed at once.
    const credit = cpoCdr(id, { id: 'CDR-1-C', credit: true, credit_reference_id: 'CDR-1', total_cost: { excl_vat: -2.5, incl_vat: -3 } });
    await w.postCdr(credit);
    expect((await cdrs())[0]).to.deep.include({ state: 'EXCEPTION', cause: 'CREDIT_FOR_UNKNOWN_CDR' });
    await w.postCdr(cpoCdr(id));
    expect((await cdrs()).map((c: any) => [c.cdr_id, c.state])).to.deep.equal([
      ['CDR-1-C', 'SETTLED'],
      ['CDR-1', 'SETTLED'],
    ]);
    expect((await w.order(id)).billed).to.deep.equal({ currency: 'EUR', excl_vat: 0, incl_vat: 0 });
    // A correction before the credit of the CDR it corrects: held as a second CDR, billed once the credit comes.
    const periods = [{ start_date_time: '2026-11-25T10:00:10Z', dimensions: [{ type: 'ENERGY', volume: 8 }, { type: 'TIME', volume: 1 }], tariff_id: 'T-ENERGY' }];
    await w.postCdr(cpoCdr(id, { id: 'CDR-2', charging_periods: periods, total_energy: 8, total_cost: { excl_vat: 2, incl_vat: 2.4 } }));
    expect((await w.order(id)).billed.excl_vat).to.equal(2);
    await w.postCdr(cpoCdr(id, { id: 'CDR-3', total_cost: { excl_vat: 2.5, incl_vat: 3 } }));
    expect((await cdrs('?state=EXCEPTION')).map((c: any) => [c.cdr_id, c.cause])).to.deep.equal([['CDR-3', 'SECOND_CDR_FOR_ORDER']]);
    await w.postCdr(cpoCdr(id, { id: 'CDR-2-C', credit: true, credit_reference_id: 'CDR-2', charging_periods: periods, total_energy: 8, total_cost: { excl_vat: -2, incl_vat: -2.4 } }));
    expect((await cdrs('?state=EXCEPTION'))).to.deep.equal([]);
    expect((await w.order(id)).billed).to.deep.equal({ currency: 'EUR', excl_vat: 2.5, incl_vat: 3 });
  });

  it('a CDR for a start still being confirmed completes the order: the charge happened', async () => {
    w.commandAnswer.START_SESSION = () => 'DROP';
    const { body } = await w.start();
    expect(body.state).to.equal('PENDING');
    await w.postCdr(cpoCdr(body.id));
    const history = await w.history(body.id);
    expect(history).to.deep.include({ state: 'COMPLETED', reason: 'CDR_SETTLED', follow_up: null });
    expect(history.billed).to.deep.equal({ currency: 'EUR', excl_vat: 2.5, incl_vat: 3 });
  });

  it('a second live CDR for one order is an exception: the user must not pay twice', async () => {
    const id = await chargedOrder(w);
    await w.postCdr(cpoCdr(id));
    await w.postCdr(cpoCdr(id, { id: 'CDR-2' }));
    expect((await cdrs('?state=EXCEPTION')).map((c: any) => [c.cdr_id, c.cause])).to.deep.equal([['CDR-2', 'SECOND_CDR_FOR_ORDER']]);
    expect((await w.tickets('SECOND_CDR_FOR_ORDER'))[0].order_id).to.equal(id);
    expect((await w.order(id)).billed.excl_vat).to.equal(2.5);
  });

  it('a CDR for our token without an order creates the order; the tariff used is the one in force at its start, else the one held at receipt, else its own', async () => {
    await w.app('PUT', '/tokens/CARD-3', { type: 'RFID', contract_id: 'NL-HUB-C00000003', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
    const card = { country_code: 'NL', party_id: 'HUB', uid: 'CARD-3', type: 'RFID', contract_id: 'NL-HUB-C00000003' };
    await w.postCdr(cpoCdr(null, { id: 'CDR-A', session_id: 'S-A', cdr_token: card }));
    const orders = (await w.app('GET', '/charging-sessions?token_uid=CARD-3')).body.data;
    expect(orders).to.have.length(1);
    expect(orders[0]).to.deep.include({ origin: 'CHARGER', state: 'COMPLETED', evse_uid: '3256', location_id: w.locationId });
    expect(orders[0].billed).to.deep.equal({ currency: 'EUR', excl_vat: 2.5, incl_vat: 3 });

    // Started before the hub held the tariff (it arrived at 10:00:00): the version held when the CDR came.
    const early = { start_date_time: '2026-11-25T09:00:00Z', end_date_time: '2026-11-25T10:00:00Z', charging_periods: [{ start_date_time: '2026-11-25T09:00:00Z', dimensions: [{ type: 'ENERGY', volume: 10 }, { type: 'TIME', volume: 1 }], tariff_id: 'T-ENERGY' }] };
    await w.postCdr(cpoCdr(null, { id: 'CDR-B', session_id: 'S-B', cdr_token: card, ...early }));
    // A home charger the hub does not know, with a tariff it never held: the CDR's own (EUR 0.30 per kWh, no VAT).
    const own = { ...ENERGY_TARIFF, id: 'T-OWN', elements: [{ price_components: [{ type: 'ENERGY', price: 0.3, step_size: 1 }] }] };
    const periods = [{ start_date_time: '2026-11-25T10:00:10Z', dimensions: [{ type: 'ENERGY', volume: 10 }, { type: 'TIME', volume: 1 }], tariff_id: 'T-OWN' }];
    const home = { ...cpoCdr(null).cdr_location, id: 'HOME-1', evse_uid: 'H1', evse_id: 'BE*BEC*EHOME1' };
    await w.postCdr(cpoCdr(null, { id: 'CDR-C', session_id: 'S-C', cdr_token: card, cdr_location: home, tariffs: [own], charging_periods: periods, total_cost: { excl_vat: 3, incl_vat: 3 } }));
    expect((await cdrs()).map((c: any) => [c.cdr_id, c.state, c.tariff_source, c.our_price.excl_vat, c.our_price.incl_vat])).to.deep.equal([
      ['CDR-A', 'SETTLED', 'TARIFF_AT_START', 2.5, 3],
      ['CDR-B', 'SETTLED', 'TARIFF_AT_RECEIPT', 2.5, 3],
      ['CDR-C', 'SETTLED', 'CDR_TARIFFS', 3, 3],
    ]);
    expect((await cdrs())[2].flags).to.deep.equal(['TIME_ZONE_UNKNOWN: the location is not known to the hub: tariff restrictions evaluated in UTC']);
  });

  it('a CDR for a token that is not ours is kept and ticketed, never settled', async () => {
    await w.postCdr(cpoCdr(null, { cdr_token: { country_code: 'DE', party_id: 'XYZ', uid: 'FOREIGN', type: 'RFID', contract_id: 'DE-XYZ-1' } }));
    const [cdr] = await cdrs();
    expect(cdr).to.deep.include({ state: 'EXCEPTION', cause: 'TOKEN_NOT_OURS', order_id: null, our_price: null });
    expect(await w.tickets('CDR_FOREIGN_TOKEN')).to.have.length(1);
  });

  it('a CDR for a FAILED order is settled with the CPO but not billed to the user: a ticket decides', async () => {
    w.commandAnswer.START_SESSION = () => ({ body: { data: { result: 'REJECTED', timeout: 0 }, status_code: 1000, timestamp: new Date().toISOString() } });
    const { body } = await w.start();
    expect(body.state).to.equal('FAILED');
    await w.postCdr(cpoCdr(body.id));
    expect((await cdrs())[0]).to.deep.include({ state: 'SETTLED', order_id: body.id });
    const order = await w.order(body.id);
    expect(order).to.include({ state: 'FAILED' });
    expect(order.billed).to.equal(null);
    expect((await w.tickets('CDR_FOR_FAILED_ORDER'))[0].order_id).to.equal(body.id);
  });

  it('refuses an invalid CDR naming the field, another party’s CDR, and a non-credit id over 36 characters', async () => {
    const bad = await w.postCdr({ ...cpoCdr(null), total_energy: 'ten' });
    expect(bad.body).to.deep.include({ status_code: 2001, status_message: 'total_energy: must be number' });
    expect((await w.postCdr({ ...cpoCdr(null), party_id: 'ZZZ' })).status).to.equal(403);
    const long = await w.postCdr(cpoCdr(null, { id: 'X'.repeat(37) }));
    expect(long.body.status_message).to.equal(`id: "${'X'.repeat(37)}" is longer than 36 characters (only credit CDRs may use 39)`);
    expect(await cdrs()).to.deep.equal([]);
    expect(TOKEN_UID).to.be.a('string');
  });
});
