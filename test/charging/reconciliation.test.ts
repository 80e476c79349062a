import { expect } from 'chai';
import { chargingWorld, cpoCdr, ENERGY_TARIFF, type ChargingWorld } from '../helpers/charging.ts';
import { runJob } from '../../src/jobs/scheduler.ts';
import { reconciliationJob } from '../../charging/reconciliation.ts';

describe('reconciliation of a CPO’s CDRs with ours', () => {
  let w: ChargingWorld;
  const card = { country_code: 'NL', party_id: 'HUB', uid: 'CARD-R', type: 'RFID', contract_id: 'NL-HUB-C00000009' };
  const cdr = (id: string, session: string, extra: Record<string, unknown> = {}) => cpoCdr(null, { id, session_id: session, cdr_token: card, ...extra });
  beforeEach(async () => {
    w = await chargingWorld({ tariff: ENERGY_TARIFF });
    await w.app('PUT', '/tokens/CARD-R', { type: 'RFID', contract_id: 'NL-HUB-C00000009', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
  });
  afterEach(() => w.stop());

  it('finds each kind of mismatch, receives what we missed, and keeps the run with its lines', async () => {
    await w.postCdr(cdr('A', 'S-A'));
    await w.postCdr(cdr('C', 'S-C'));
    await w.postCdr(cdr('D', 'S-D'));
    await w.postCdr(cdr('E', 'S-D'));
    await w.postCdr(cdr('F', 'S-F', { total_cost: { excl_vat: 4, incl_vat: 4.8 } }));
    await w.postCdr(cdr('G', 'S-G'));
    w.cpoCdrs = [cdr('A', 'S-A'), cdr('A', 'S-A'), cdr('B', 'S-B'), cdr('C', 'S-C', { total_cost: { excl_vat: 2.6, incl_vat: 3.12 } }), cdr('F', 'S-F', { total_cost: { excl_vat: 4, incl_vat: 4.8 } }), cdr('G', 'S-G', { remark: 'edited later' })];
    const res = await w.finance('POST', '/reconciliation-runs', { partner_id: w.cpo.id, from: '2026-11-25', to: '2026-11-26' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(w.cdrQueries()[0]!.path).to.equal(`/ocpi/2.2.1/cdrs?date_from=${encodeURIComponent('2026-11-25T00:00:00.000Z')}&date_to=${encodeURIComponent('2026-11-26T00:00:00.000Z')}`);
    expect(res.body).to.deep.include({ status: 'DONE', partner_id: w.cpo.id, from: '2026-11-25T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' });
    expect(res.body.lines.map((l: any) => [l.kind, l.cdr])).to.deep.equal([
      ['DUPLICATE_IN_PARTNER_LIST', 'BE/BEC/A'],
      ['MISSING_AT_HUB', 'BE/BEC/B'],
      ['AMOUNT_CHANGED', 'BE/BEC/C'],
      ['CONTENT_CHANGED', 'BE/BEC/G'],
      ['MISSING_AT_PARTNER', 'BE/BEC/D'],
      ['MISSING_AT_PARTNER', 'BE/BEC/E'],
      ['PRICE_DIFFERENCE', 'BE/BEC/F'],
      ['DUPLICATE_FOR_SESSION', 'BE/BEC/D'],
      ['DUPLICATE_FOR_SESSION', 'BE/BEC/E'],
    ]);
    expect(res.body.lines.find((l: any) => l.kind === 'AMOUNT_CHANGED').detail).to.deep.equal({ stored_excl_vat: 2.5, listed_excl_vat: 2.6 });
    expect(res.body.lines.find((l: any) => l.kind === 'PRICE_DIFFERENCE').detail).to.deep.equal({ currency: 'EUR', ours: 2.5, theirs: 4, difference: 1.5 });
    expect(res.body.summary).to.deep.include({ partner_listed: 5, mismatches: 9 });
    // B was missing: it is now received (pulled) and settled.
    const b = (await w.finance('GET', '/cdrs')).body.data.find((c: any) => c.cdr_id === 'B');
    expect(b).to.deep.include({ via: 'PULL', state: 'SETTLED' });
    const again = await w.finance('GET', `/reconciliation-runs/${res.body.id}`);
    expect(again.body).to.deep.equal(res.body);
  });

  it('runs daily over the previous UTC day for each active CPO; a CPO that cannot be reached makes a FAILED run', async () => {
    w.t.clock.set('2026-11-26T02:30:00.000Z');
    await runJob(w.t.hub.services, reconciliationJob);
    expect(w.cdrQueries()[0]!.path).to.equal(`/ocpi/2.2.1/cdrs?date_from=${encodeURIComponent('2026-11-25T00:00:00.000Z')}&date_to=${encodeURIComponent('2026-11-26T00:00:00.000Z')}`);
    w.cpoCdrs = () => ({ status: 500, body: { status_code: 3000, timestamp: new Date().toISOString() } });
    const failed = await w.finance('POST', '/reconciliation-runs', { partner_id: w.cpo.id, from: '2026-11-25', to: '2026-11-26' });
    expect(failed.body).to.deep.include({ status: 'FAILED' });
    expect(failed.body.error).to.match(/HTTP 500/);
  });

  it('refuses a run without a partner or a period', async () => {
    expect((await w.finance('POST', '/reconciliation-runs', { from: '2026-11-25', to: '2026-11-26' })).body).to.deep.include({ error: 'invalid_request', message: 'partner_id: is required' });
    expect((await w.finance('POST', '/reconciliation-runs', { partner_id: w.cpo.id, from: '2026-11-25' })).body.message).to.equal('to: is required (a date such as 2026-11-01 or a UTC DateTime)');
    expect((await w.finance('POST', '/reconciliation-runs', { partner_id: w.cpo.id, from: '2026-11-26', to: '2026-11-25' })).body.message).to.equal('to: must be after from');
  });
});
