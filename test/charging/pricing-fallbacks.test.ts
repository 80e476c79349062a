import { expect } from 'chai';
import { chargingWorld, cpoCdr, type ChargingWorld } from '../helpers/charging.ts';

/**
 * Issue 9 §3: a 2.2-era CPO sends charging periods with TIME only. Its energy is priced from
 * total_energy, and the finance API says so before a clerk resolves anything.
 */
const CHF_TARIFF = {
  country_code: 'BE',
  party_id: 'BEC',
  id: 'T-CHF',
  currency: 'CHF',
  // Energy per started half kWh: 0.0406 kWh is billed as 0.5 kWh = CHF 0.25, the difference the issue saw.
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.5, vat: 8.1, step_size: 500 }, { type: 'TIME', price: 1.2, vat: 8.1, step_size: 60 }] }],
  last_updated: '2026-11-20T00:00:00Z',
};
const ENERGY_FROM_TOTALS = { code: 'ENERGY_FROM_TOTALS', reason: 'no charging period has an ENERGY dimension: total_energy 0.0406 kWh spread over 2 periods in proportion to their TIME' };

describe('CDRs: a price says how it was computed (pricing fallbacks)', () => {
  let w: ChargingWorld;
  const card = { country_code: 'NL', party_id: 'HUB', uid: 'CARD-P', type: 'RFID', contract_id: 'NL-HUB-C00000009' };
  /** One hour, 0.0406 kWh; ours: 0.5 kWh × 0.50 + 1 h × 1.20 = CHF 1.45 excl., × 1.081 = 1.56745 → 1.57 incl. VAT. */
  const cdr = (id: string, extra: Record<string, unknown> = {}) =>
    cpoCdr(null, {
      id,
      session_id: `S-${id}`,
      cdr_token: card,
      currency: 'CHF',
      total_energy: 0.0406,
      total_cost: { excl_vat: 1.45, incl_vat: 1.57 },
      charging_periods: [
        { start_date_time: '2026-11-25T10:00:10Z', dimensions: [{ type: 'TIME', volume: 0.5 }], tariff_id: 'T-CHF' },
        { start_date_time: '2026-11-25T10:30:10Z', dimensions: [{ type: 'TIME', volume: 0.5 }], tariff_id: 'T-CHF' },
      ],
      ...extra,
    });
  const listed = async (id: string) => (await w.finance('GET', '/cdrs')).body.data.find((c: any) => c.cdr_id === id);

  beforeEach(async () => {
    w = await chargingWorld({ tariff: CHF_TARIFF });
    await w.app('PUT', '/tokens/CARD-P', { type: 'RFID', contract_id: 'NL-HUB-C00000009', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
  });
  afterEach(() => w.stop());

  it('TIME-only periods: the energy is priced from total_energy, the CDR is SETTLED and the finance API shows the fallback', async () => {
    expect((await w.postCdr(cdr('P1'))).status).to.equal(201);
    const row = await listed('P1');
    expect(row).to.deep.include({ state: 'SETTLED', cause: 'PRICE_MATCHES', currency: 'CHF', total_energy: 0.0406, difference: 0, tariff_source: 'TARIFF_AT_START' });
    expect(row.our_price).to.deep.equal({ excl_vat: 1.45, incl_vat: 1.57 });
    expect(row.fallbacks).to.deep.equal([ENERGY_FROM_TOTALS]);

    const detail = (await w.finance('GET', `/cdrs/${row.id}`)).body;
    expect(detail.fallbacks).to.deep.equal([ENERGY_FROM_TOTALS]);
    expect(detail.pricing.fallbacks).to.deep.equal([ENERGY_FROM_TOTALS]);
    expect(detail.pricing.dimensions[0]).to.deep.equal({ type: 'ENERGY', volume: '0.0406', billed_volume: '0.5', cost: { excl_vat: '0.25', incl_vat: '0.27' } });
    expect(detail.events.at(-1)).to.deep.include({ cause: 'PRICE_MATCHES', from: 'VALIDATED', to: 'SETTLED' });
    expect(detail.events.at(-1).detail).to.deep.equal({ ours: '1.4500', theirs: '1.4500', difference: '0.0000', tariff_source: 'TARIFF_AT_START', fallbacks: ['ENERGY_FROM_TOTALS'] });
  });

  it('periods with ENERGY dimensions are priced as sent: no fallback', async () => {
    const periods = [{ start_date_time: '2026-11-25T10:00:10Z', dimensions: [{ type: 'ENERGY', volume: 0.0406 }, { type: 'TIME', volume: 1 }], tariff_id: 'T-CHF' }];
    await w.postCdr(cdr('P2', { charging_periods: periods }));
    const row = await listed('P2');
    expect(row).to.deep.include({ state: 'SETTLED', difference: 0 });
    expect(row.our_price).to.deep.equal({ excl_vat: 1.45, incl_vat: 1.57 });
    expect(row.fallbacks).to.deep.equal([]);
    const detail = (await w.finance('GET', `/cdrs/${row.id}`)).body;
    expect(detail.pricing.fallbacks).to.deep.equal([]);
    expect(detail.events.at(-1).detail).to.deep.equal({ ours: '1.4500', theirs: '1.4500', difference: '0.0000', tariff_source: 'TARIFF_AT_START' });
  });

  it('a CDR that still differs is DISPUTED, and the finance view shows both the fallback and the difference', async () => {
    await w.postCdr(cdr('P3', { total_cost: { excl_vat: 1.6, incl_vat: 1.73 } }));
    const row = await listed('P3');
    expect(row).to.deep.include({ state: 'DISPUTED', cause: 'PRICE_DIFFERS', difference: 0.15 });
    expect(row.our_price).to.deep.equal({ excl_vat: 1.45, incl_vat: 1.57 });
    expect(row.their_price).to.deep.equal({ excl_vat: 1.6, incl_vat: 1.73 });
    expect(row.fallbacks).to.deep.equal([ENERGY_FROM_TOTALS]);
    const detail = (await w.finance('GET', `/cdrs/${row.id}`)).body;
    expect(detail).to.deep.include({ state: 'DISPUTED', difference: 0.15 });
    expect(detail.fallbacks).to.deep.equal([ENERGY_FROM_TOTALS]);
    expect(detail.events.at(-1).detail).to.deep.equal({ ours: '1.4500', theirs: '1.6000', difference: '0.1500', tariff_source: 'TARIFF_AT_START', fallbacks: ['ENERGY_FROM_TOTALS'] });
  });

  it('a CDR that was not priced has no fallbacks to show (null)', async () => {
    await w.postCdr(cdr('P4', { currency: 'EUR' }));
    const row = await listed('P4');
    expect(row).to.deep.include({ state: 'EXCEPTION', cause: 'VALIDATION_FAILED', our_price: null, fallbacks: null });
  });
});
