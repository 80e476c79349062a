import { expect } from 'chai';
import { Decimal } from 'decimal.js';
import { example } from '../helpers/examples.ts';
import { minorUnits, priceSession, ROUNDING_RULE, type PricedDimension, type PricingInput, type PricingResult } from '../../pricing/price.ts';
import type { Cdr, CdrDimensionType, PriceComponent, Tariff, TariffElement, TariffRestrictions } from '../../src/ocpi/types.ts';

/*
 * Expected amounts are worked out by hand from the spec's tariffs; each comment shows the sum.
 * Money strings are rounded half-up to the currency's minor unit; totals are rounded from the
 * exact sum (see ROUNDING_RULE). Volumes: kWh, hours, hours, count.
 */

type Volumes = Partial<Record<CdrDimensionType, number>>;

/** A session whose periods start at the given instants; the last one runs until `end`. */
function session(tariff: Tariff, end: string, periods: Array<[string, Volumes]>, timeZone = 'Europe/Berlin', start = periods[0]?.[0] ?? end): PricingInput {
  return {
    tariff,
    timeZone,
    startDateTime: start,
    endDateTime: end,
    chargingPeriods: periods.map(([at, volumes]) => ({
      start_date_time: at,
      dimensions: Object.entries(volumes).map(([type, volume]) => ({ type: type as CdrDimensionType, volume: volume! })),
    })),
  };
}

const price = (...args: Parameters<typeof session>): PricingResult => priceSession(session(...args));
const dim = (r: PricingResult, type: PricedDimension['type']): PricedDimension => r.dimensions.find((d) => d.type === type)!;
const money = (excl_vat: string, incl_vat: string) => ({ excl_vat, incl_vat });

function tariffOf(elements: TariffElement[], extra: Partial<Tariff> = {}): Tariff {
  return { country_code: 'NL', party_id: 'TST', id: 't', currency: 'EUR', elements, last_updated: '2024-01-01T00:00:00Z', ...extra };
}
const component = (type: PriceComponent['type'], price: number, extra: Partial<PriceComponent> = {}): PriceComponent => ({ type, price, step_size: 1, ...extra });
const element = (components: PriceComponent[], restrictions?: TariffRestrictions): TariffElement => ({ price_components: components, ...(restrictions ? { restrictions } : {}) });

describe('priceSession: the specification tariff examples', () => {
  it('tariff_1_simple_2hour: 2.5 h charging costs 5.00 / 5.50; parking is not billed', () => {
    // TIME 2.00/h, 10 % VAT, step 60 s: 2.5 h × 2.00 = 5.00; × 1.10 = 5.50. 9000 s is already a multiple of 60.
    const r = price(example('tariff_1_simple_2hour.json'), '2015-06-29T13:00:00Z', [
      ['2015-06-29T10:00:00Z', { ENERGY: 18, TIME: 2.5 }],
      ['2015-06-29T12:30:00Z', { PARKING_TIME: 0.5 }],
    ]);
    expect(r.total).to.deep.equal(money('5.00', '5.50'));
    expect(dim(r, 'TIME')).to.deep.equal({ type: 'TIME', volume: '2.5', billed_volume: '2.5', cost: money('5.00', '5.50') });
    // No PARKING_TIME component: the half hour of parking is consumed but not billed.
    expect(dim(r, 'PARKING_TIME')).to.deep.equal({ type: 'PARKING_TIME', volume: '0.5', billed_volume: '0', cost: money('0.00', '0.00') });
  });

  it('tariff_2_alt_text: 2.5 h costs 4.75 / 5.00', () => {
    // TIME 1.90/h, 5.2 % VAT, step 300 s: 2.5 × 1.90 = 4.75; × 1.052 = 4.997 → 5.00.
    const r = price(example('tariff_2_alt_text.json'), '2015-06-29T12:30:00Z', [['2015-06-29T10:00:00Z', { TIME: 2.5 }]]);
    expect(r.total).to.deep.equal(money('4.75', '5.00'));
  });

  it('tariff_3_alt_url: 20.45 kWh is billed as 20.5 kWh: 5.63 / 6.24 (the spec breakdown)', () => {
    // ENERGY step 100 Wh: 20.45 → 20.5 kWh × 0.25 = 5.125 → 5.13; × 1.10 = 5.6375 → 5.64.
    // FLAT 0.50, 20 % → 0.60. Total 5.625 → 5.63; 6.2375 → 6.24.
    const r = price(example('tariff_3_alt_url.json'), '2015-06-29T12:00:00Z', [['2015-06-29T10:00:00Z', { ENERGY: 20.45, TIME: 2 }]]);
    expect(r.total).to.deep.equal(money('5.63', '6.24'));
    expect(dim(r, 'ENERGY')).to.deep.equal({ type: 'ENERGY', volume: '20.45', billed_volume: '20.5', cost: money('5.13', '5.64') });
    expect(dim(r, 'FLAT')).to.deep.equal({ type: 'FLAT', volume: '1', billed_volume: '1', cost: money('0.50', '0.60') });
  });

  it('tariff_4_complex, Monday 09:30, 165 min at ≤ 16 A + 42 min parking: 9.00 / 10.30 (the spec breakdown)', () => {
    // 2015-06-29 is a Monday; Berlin is UTC+2 then, so 09:30 local = 07:30Z.
    // FLAT 2.50 (15 %) = 2.875 incl. TIME max_current 32 applies (16 A < 32): 2.75 h × 1.00 = 2.75, × 1.2 = 3.30.
    // Parking at 12:15 local on a weekday: 5.00/h, step 300 s, last time-based: 42 → 45 min = 3.75, × 1.1 = 4.125.
    // Total excl 2.50 + 2.75 + 3.75 = 9.00; incl 2.875 + 3.30 + 4.125 = 10.300.
    const r = price(example('tariff_4_complex.json'), '2015-06-29T10:57:00Z', [
      ['2015-06-29T07:30:00Z', { TIME: 2.75, MAX_CURRENT: 16 }],
      ['2015-06-29T10:15:00Z', { PARKING_TIME: 0.7 }],
    ]);
    expect(r.total).to.deep.equal(money('9.00', '10.30'));
    expect(dim(r, 'FLAT').cost).to.deep.equal(money('2.50', '2.88'));
    expect(dim(r, 'TIME').cost).to.deep.equal(money('2.75', '3.30'));
    expect(dim(r, 'PARKING_TIME')).to.deep.equal({ type: 'PARKING_TIME', volume: '0.7', billed_volume: '0.75', cost: money('3.75', '4.13') });
  });

  it('tariff_4_complex, Saturday 13:30, 114 min at ≥ 43 A + 71 min parking: 12.38 / 13.98', () => {
    // 2015-07-04 is a Saturday; 13:30 local = 11:30Z. Weekend ≥ 32 A: TIME 1.25/h, not rounded (parking follows):
    // 1.9 h × 1.25 = 2.375, × 1.2 = 2.85. Parking Saturday 10–17: 6.00/h, 71 → 75 min = 7.50, × 1.1 = 8.25.
    // FLAT 2.50 / 2.875. Total 12.375 → 12.38; 13.975 → 13.98.
    // (The spec's table shows 2.28 for the charging time, which is 114 min at 1.20/h, not the tariff's 1.25/h.)
    const r = price(example('tariff_4_complex.json'), '2015-07-04T14:35:00Z', [
      ['2015-07-04T11:30:00Z', { TIME: 1.9, MIN_CURRENT: 43, MAX_CURRENT: 43 }],
      ['2015-07-04T13:24:00Z', { PARKING_TIME: 71 / 60 }],
    ]);
    expect(r.total).to.deep.equal(money('12.38', '13.98'));
    expect(dim(r, 'TIME').cost).to.deep.equal(money('2.38', '2.85'));
    expect(dim(r, 'PARKING_TIME').cost).to.deep.equal(money('7.50', '8.25'));
  });

  it('tariff_5_free_of_charge: anything costs 0.00 / 0.00', () => {
    // FLAT 0.00, no VAT, step_size 0.
    const r = price(example('tariff_5_free_of_charge.json'), '2015-06-29T13:00:00Z', [['2015-06-29T10:00:00Z', { ENERGY: 40, TIME: 2, PARKING_TIME: 1 }]]);
    expect(r.total).to.deep.equal(money('0.00', '0.00'));
    expect(dim(r, 'FLAT')).to.deep.equal({ type: 'FLAT', volume: '1', billed_volume: '1', cost: money('0.00', '0.00') });
  });

  it('tariff_6_025kwh_start_max_price: 50 kWh is capped at 10.00 / 11.00; 30 kWh costs 8.00 / 8.85', () => {
    // 50 kWh: 0.50 + 12.50 = 13.00; 0.60 + 13.75 = 14.35 → max_price 10.00 / 11.00.
    const capped = price(example('tariff_6_025kwh_start_max_price.json'), '2019-06-01T14:00:00Z', [['2019-06-01T10:00:00Z', { ENERGY: 50 }]]);
    expect(capped.total).to.deep.equal(money('10.00', '11.00'));
    expect(capped.max_price_applied).to.equal(true);
    // The dimensions keep their own costs; only the total is limited.
    expect(dim(capped, 'ENERGY').cost).to.deep.equal(money('12.50', '13.75'));
    // 30 kWh: 0.50 + 7.50 = 8.00; 0.60 + 8.25 = 8.85.
    const under = price(example('tariff_6_025kwh_start_max_price.json'), '2019-06-01T14:00:00Z', [['2019-06-01T10:00:00Z', { ENERGY: 30 }]]);
    expect(under.total).to.deep.equal(money('8.00', '8.85'));
    expect(under.max_price_applied).to.equal(false);
  });

  it('removed tariff_7_first_hour_kwh_free: kWh tiers and duration tiers, 7.30 / 7.30', () => {
    // No VAT anywhere. P1 (0 kWh so far): ENERGY free (max_kwh 1). P2 (1 kWh so far, min_kwh 1 inclusive): 9 × 0.20 = 1.80.
    // P3 starts at 3600 s (max_duration 3600 is exclusive): 2.00/h × 2 h = 4.00. P4 at 10800 s: 3.00/h × 0.5 h = 1.50.
    // Parking step 60 s: 2.5 h is whole minutes. Total 1.80 + 4.00 + 1.50 = 7.30.
    const r = price(example('removed-in-2.2.1-d2/tariff_7_first_hour_kwh_free.json'), '2018-12-29T13:30:00Z', [
      ['2018-12-29T10:00:00Z', { ENERGY: 1, TIME: 0.5 }],
      ['2018-12-29T10:30:00Z', { ENERGY: 9, TIME: 0.5 }],
      ['2018-12-29T11:00:00Z', { PARKING_TIME: 2 }],
      ['2018-12-29T13:00:00Z', { PARKING_TIME: 0.5 }],
    ]);
    expect(r.total).to.deep.equal(money('7.30', '7.30'));
    expect(dim(r, 'ENERGY')).to.deep.equal({ type: 'ENERGY', volume: '10', billed_volume: '10', cost: money('1.80', '1.80') });
    expect(dim(r, 'PARKING_TIME').cost).to.deep.equal(money('5.50', '5.50'));
  });

  it('tariff_8_simple_025kwh: 20 kWh costs 5.00 / 5.50', () => {
    // 20 × 0.25 = 5.00; × 1.10 = 5.50.
    const r = price(example('tariff_8_simple_025kwh.json'), '2018-12-17T12:00:00Z', [['2018-12-17T10:00:00Z', { ENERGY: 20 }]]);
    expect(r.total).to.deep.equal(money('5.00', '5.50'));
  });

  it('tariff_9_025kwh_start: 20 kWh costs 5.50 / 6.10', () => {
    // FLAT 0.50 / 0.60 + ENERGY 5.00 / 5.50.
    const r = price(example('tariff_9_025kwh_start.json'), '2018-12-17T12:00:00Z', [['2018-12-17T10:00:00Z', { ENERGY: 20 }]]);
    expect(r.total).to.deep.equal(money('5.50', '6.10'));
  });

  it('tariff_10_025kwh_parking_start: 20 kWh and 40 min parking cost 7.00 / 7.90', () => {
    // FLAT 0.50 / 0.60; ENERGY 5.00 / 5.50; parking 0.6667 h (40 min) → step 900 s → 45 min × 2.00 = 1.50, × 1.2 = 1.80.
    const r = price(example('tariff_10_025kwh_parking_start.json'), '2018-12-17T12:40:00Z', [
      ['2018-12-17T10:00:00Z', { ENERGY: 20, TIME: 2 }],
      ['2018-12-17T12:00:00Z', { PARKING_TIME: 0.6667 }],
    ]);
    expect(r.total).to.deep.equal(money('7.00', '7.90'));
    expect(dim(r, 'PARKING_TIME').billed_volume).to.equal('0.75');
  });

  it('tariff_11_not_possible_alt_text: 62 min charging is billed as 65 min: 2.46 / 2.67', () => {
    // FLAT 0.40, 25 % → 0.50. TIME 1.90/h, 5.2 %, step 300 s: 1.0333 h = 3719.88 s → 3900 s (65 min).
    // 1.90 × 65/60 = 2.058333… → 2.06; × 1.052 = 2.165366… → 2.17.
    // Total 2.458333… → 2.46; 2.665366… → 2.67.
    const r = price(example('tariff_11_not_possible_alt_text.json'), '2015-06-29T11:02:00Z', [['2015-06-29T10:00:00Z', { TIME: 1.0333 }]]);
    expect(r.total).to.deep.equal(money('2.46', '2.67'));
    expect(dim(r, 'TIME')).to.deep.equal({ type: 'TIME', volume: '1.0333', billed_volume: '1.083333', cost: money('2.06', '2.17') });
  });

  it('tariff_12_025kwh_min_price: 20 kWh costs 5.00 / 5.50, 1.5 kWh the minimum 0.50 / 0.55', () => {
    // 20 kWh: 5.00 / 5.50, above min_price.
    const big = price(example('tariff_12_025kwh_min_price.json'), '2018-12-17T12:00:00Z', [['2018-12-17T10:00:00Z', { ENERGY: 20 }]]);
    expect(big.total).to.deep.equal(money('5.00', '5.50'));
    expect(big.min_price_applied).to.equal(false);
    // 1.5 kWh: 0.375 / 0.4125, below min_price → 0.50 / 0.55.
    const small = price(example('tariff_12_025kwh_min_price.json'), '2018-12-17T12:00:00Z', [['2018-12-17T10:00:00Z', { ENERGY: 1.5 }]]);
    expect(small.total).to.deep.equal(money('0.50', '0.55'));
    expect(small.min_price_applied).to.equal(true);
    expect(dim(small, 'ENERGY').cost).to.deep.equal(money('0.38', '0.41'));
  });

  it('tariff_13_simple_3hour_5parking: 2.5 h + 42 min parking cost 11.25 / 12.75', () => {
    // TIME 3.00/h: 2.5 h = 7.50, × 1.1 = 8.25 (not rounded: parking follows).
    // Parking 5.00/h, step 300 s: 42 → 45 min = 3.75, × 1.2 = 4.50. Total 11.25 / 12.75.
    const r = price(example('tariff_13_simple_3hour_5parking.json'), '2018-12-17T12:42:00Z', [
      ['2018-12-17T10:00:00Z', { TIME: 2.5 }],
      ['2018-12-17T12:30:00Z', { PARKING_TIME: 0.7 }],
    ]);
    expect(r.total).to.deep.equal(money('11.25', '12.75'));
  });

  describe('tariff_14_step_size (Berlin, 2018-12-18 is UTC+1; TIME comes from the period lengths: ENERGY > 0, no TIME dimension)', () => {
    const tariff = () => example<Tariff>('tariff_14_step_size.json');

    it('switching element #1: 16:55, 10 min charging, 2 min parking: 0.55', () => {
      // TIME 5 min × 1.20/h = 0.10 and 5 min × 2.40/h = 0.20, not rounded (parking follows).
      // Parking 0.0333 h (2 min) → step 900 s of the last parking component → 15 min × 1.00/h = 0.25. Total 0.55.
      const r = price(tariff(), '2018-12-18T16:07:00Z', [
        ['2018-12-18T15:55:00Z', { ENERGY: 1 }],
        ['2018-12-18T16:00:00Z', { ENERGY: 1 }],
        ['2018-12-18T16:05:00Z', { PARKING_TIME: 0.0333 }],
      ]);
      expect(r.total).to.deep.equal(money('0.55', '0.55'));
      expect(dim(r, 'TIME')).to.deep.equal({ type: 'TIME', volume: '0.166667', billed_volume: '0.166667', cost: money('0.30', '0.30') });
      expect(dim(r, 'PARKING_TIME').billed_volume).to.equal('0.25');
    });

    it('switching element #2: 16:35, 35 min charging: 35 → 45 min, the extra 10 min at the after-17:00 price: 1.30', () => {
      // 25 min × 1.20/h = 0.50; (10 + 10) min × 2.40/h = 0.80. Total 1.30.
      const r = price(tariff(), '2018-12-18T16:10:00Z', [
        ['2018-12-18T15:35:00Z', { ENERGY: 2 }],
        ['2018-12-18T16:00:00Z', { ENERGY: 2 }],
      ]);
      expect(r.total).to.deep.equal(money('1.30', '1.30'));
      expect(dim(r, 'TIME').billed_volume).to.equal('0.75');
    });

    it('switching to free of charge: 19:40, 12 min charging, 20 min parking (8 min billable): 0.73 (errata)', () => {
      // TIME 12 min × 2.40/h = 0.48 (not rounded). Parking: 8 min before 20:00 at 1.00/h, free after 20:00.
      // Billable parking 0.1333 h → 15 min at the 19:52 component = 0.25. Total 0.73. The d2 text says 0.80 and
      // contradicts its own tariff; the release-2.2.1-bugfixes errata corrects it to 0.48 + 0.25 = 0.73.
      const r = price(tariff(), '2018-12-18T19:12:00Z', [
        ['2018-12-18T18:40:00Z', { ENERGY: 3 }],
        ['2018-12-18T18:52:00Z', { PARKING_TIME: 0.1333 }],
        ['2018-12-18T19:00:00Z', { PARKING_TIME: 0.2 }],
      ]);
      expect(r.total).to.deep.equal(money('0.73', '0.73'));
      expect(dim(r, 'PARKING_TIME')).to.deep.equal({ type: 'PARKING_TIME', volume: '0.3333', billed_volume: '0.25', cost: money('0.25', '0.25') });
    });
  });

  // A reservation's own elements price the reservation, not the charging session (see pricing.ts).
  // The spec totals include the reservation lines; the charging part of each breakdown is FLAT 0.50 / 0.60 + ENERGY 5.00 / 5.50.
  for (const [name, specTotal] of [
    ['tariff_15_reservation_5_euro_per_hour.json', '6.75 / 7.60 − reservation 1.25 / 1.50'],
    ['tariff_16_reservation_2_euro_fee_5_euro_per_hour.json', '8.75 / 10.00 − reservation fee 2.00 / 2.40 − time 1.25 / 1.50'],
    ['tariff_17_reservation_with_expire_fee.json', '6.50 / 7.30 − reservation 1.00 / 1.20'],
    ['tariff_18_reservation_with_expire_time.json', '7.00 / 7.90 − reservation 1.50 / 1.80'],
  ] as const) {
    it(`${name}: the charging session after the reservation costs 5.50 / 6.10 (${specTotal})`, () => {
      const r = price(example(name), '2019-01-01T12:15:00Z', [
        ['2019-01-01T10:00:00Z', { RESERVATION_TIME: 0.25 }],
        ['2019-01-01T10:15:00Z', { ENERGY: 20, TIME: 2 }],
      ]);
      expect(r.total).to.deep.equal(money('5.50', '6.10'));
      expect(dim(r, 'TIME').cost).to.deep.equal(money('0.00', '0.00'));
      expect(dim(r, 'FLAT').cost).to.deep.equal(money('0.50', '0.60'));
    });
  }

  it('tariff_put_example prices cdr_example.json to its total_cost 4.00 / 4.40', () => {
    // TIME 2.00/h, 10 %, step 300 s: 1.973 h = 7102.8 s → 7200 s = 2 h → 4.00; × 1.1 = 4.40.
    const cdr = example<Cdr>('cdr_example.json');
    const r = priceSession({ tariff: example('tariff_put_example.json'), timeZone: 'Europe/Brussels', startDateTime: cdr.start_date_time, endDateTime: cdr.end_date_time, chargingPeriods: cdr.charging_periods });
    expect(r.total).to.deep.equal(money('4.00', '4.40'));
    expect(r.total).to.deep.equal(money(cdr.total_cost.excl_vat.toFixed(2), cdr.total_cost.incl_vat!.toFixed(2)));
  });

  it('tariffrestriction_example_max_power: 1 kWh at 6 kW, 40 kWh at 48 kW, 0.5 kWh at 4 kW: 20.30 / 24.36', () => {
    // 1 × 0.20 (< 16 kW) + 40 × 0.50 (fallback) + 0.5 × 0.20 = 20.30; × 1.2 = 24.36.
    const r = price(example('tariffrestriction_example_max_power.json'), '2018-12-05T11:10:00Z', [
      ['2018-12-05T10:00:00Z', { ENERGY: 1, MIN_POWER: 6, MAX_POWER: 6 }],
      ['2018-12-05T10:10:00Z', { ENERGY: 40, MIN_POWER: 48, MAX_POWER: 48 }],
      ['2018-12-05T11:00:00Z', { ENERGY: 0.5, MIN_POWER: 4, MAX_POWER: 4 }],
    ]);
    expect(r.total).to.deep.equal(money('20.30', '24.36'));
  });

  it('tariffrestriction_example_max_duration: 5 kWh free in 30 min, then 1.2 kWh: 0.30 / 0.36', () => {
    // The second period starts at 1800 s: max_duration 1800 is exclusive, so 1.2 × 0.25 = 0.30; × 1.2 = 0.36.
    const r = price(example('tariffrestriction_example_max_duration.json'), '2018-12-05T10:40:00Z', [
      ['2018-12-05T10:00:00Z', { ENERGY: 5 }],
      ['2018-12-05T10:30:00Z', { ENERGY: 1.2 }],
    ]);
    expect(r.total).to.deep.equal(money('0.30', '0.36'));
  });
});

describe('priceSession: restrictions', () => {
  /** The ENERGY price (excl. VAT) of 1 kWh charged in a period starting at `at`. */
  function priceOf1kWh(tariff: Tariff, at: string, timeZone = 'UTC', volumes: Volumes = {}, start = at): string {
    const end = new Date(Date.parse(at) + 60_000).toISOString();
    return dim(price(tariff, end, [[at, { ENERGY: 1, ...volumes }]], timeZone, start), 'ENERGY').cost.excl_vat;
  }
  const tiered = (restrictions: TariffRestrictions) => tariffOf([element([component('ENERGY', 0.5)], restrictions), element([component('ENERGY', 0.1)])]);

  it('start_time inclusive, end_time exclusive', () => {
    const t = tiered({ start_time: '08:00', end_time: '18:00' });
    expect(priceOf1kWh(t, '2024-01-15T07:59:59Z')).to.equal('0.10');
    expect(priceOf1kWh(t, '2024-01-15T08:00:00Z')).to.equal('0.50');
    expect(priceOf1kWh(t, '2024-01-15T17:59:00Z')).to.equal('0.50');
    expect(priceOf1kWh(t, '2024-01-15T18:00:00Z')).to.equal('0.10');
  });

  it('end_time before start_time wraps past midnight', () => {
    const night = tiered({ start_time: '22:00', end_time: '06:00' });
    expect(priceOf1kWh(night, '2024-01-15T21:59:00Z')).to.equal('0.10');
    expect(priceOf1kWh(night, '2024-01-15T22:00:00Z')).to.equal('0.50');
    expect(priceOf1kWh(night, '2024-01-16T00:00:00Z')).to.equal('0.50');
    expect(priceOf1kWh(night, '2024-01-16T05:59:00Z')).to.equal('0.50');
    expect(priceOf1kWh(night, '2024-01-16T06:00:00Z')).to.equal('0.10');
  });

  it('end_time 00:00 means the end of the day; a lone start_time or end_time bounds one side', () => {
    const evening = tiered({ start_time: '20:00', end_time: '00:00' });
    expect(priceOf1kWh(evening, '2024-01-15T23:59:00Z')).to.equal('0.50');
    expect(priceOf1kWh(evening, '2024-01-16T00:00:00Z')).to.equal('0.10');
    expect(priceOf1kWh(tiered({ start_time: '18:00' }), '2024-01-15T23:00:00Z')).to.equal('0.50');
    expect(priceOf1kWh(tiered({ end_time: '06:00' }), '2024-01-15T05:00:00Z')).to.equal('0.50');
    expect(priceOf1kWh(tiered({ end_time: '06:00' }), '2024-01-15T07:00:00Z')).to.equal('0.10');
  });

  it('start_date inclusive, end_date exclusive, both in local dates', () => {
    const march = tiered({ start_date: '2024-03-01', end_date: '2024-04-01' });
    // 2024-02-29T23:30Z is already 1 March 00:30 in Amsterdam (UTC+1).
    expect(priceOf1kWh(march, '2024-02-29T23:30:00Z', 'Europe/Amsterdam')).to.equal('0.50');
    expect(priceOf1kWh(march, '2024-02-29T23:30:00Z', 'UTC')).to.equal('0.10');
    // 2024-03-31T21:59Z is 23:59 CEST on the 31st; 22:00Z is 1 April 00:00, excluded.
    expect(priceOf1kWh(march, '2024-03-31T21:59:00Z', 'Europe/Amsterdam')).to.equal('0.50');
    expect(priceOf1kWh(march, '2024-03-31T22:00:00Z', 'Europe/Amsterdam')).to.equal('0.10');
  });

  it('day_of_week is the local day', () => {
    const monday = tiered({ day_of_week: ['MONDAY'] });
    // Sunday 2024-01-14 23:30Z is Monday 00:30 in Amsterdam.
    expect(priceOf1kWh(monday, '2024-01-14T23:30:00Z', 'Europe/Amsterdam')).to.equal('0.50');
    expect(priceOf1kWh(monday, '2024-01-14T23:30:00Z', 'UTC')).to.equal('0.10');
    // An empty list restricts nothing.
    expect(priceOf1kWh(tiered({ day_of_week: [] }), '2024-01-14T12:00:00Z')).to.equal('0.50');
  });

  it('min_kwh inclusive, max_kwh exclusive, on the energy charged before the period', () => {
    // P1 (0 kWh before): max_kwh 10 → 0.10. P2 (10 before): max 10 excluded, min 10 included → 0.30. P3 (20 before): 0.50.
    // 10 × 0.10 + 10 × 0.30 + 10 × 0.50 = 9.00.
    const t = tariffOf([
      element([component('ENERGY', 0.1)], { max_kwh: 10 }),
      element([component('ENERGY', 0.3)], { min_kwh: 10, max_kwh: 20 }),
      element([component('ENERGY', 0.5)]),
    ]);
    const r = price(t, '2024-01-15T13:00:00Z', [
      ['2024-01-15T10:00:00Z', { ENERGY: 10 }],
      ['2024-01-15T11:00:00Z', { ENERGY: 10 }],
      ['2024-01-15T12:00:00Z', { ENERGY: 10 }],
    ], 'UTC');
    expect(r.total).to.deep.equal(money('9.00', '9.00'));
  });

  it('min_duration inclusive, max_duration exclusive, in seconds since the session start', () => {
    const t = tiered({ min_duration: 1800, max_duration: 3600 });
    const start = '2024-01-15T10:00:00Z';
    expect(priceOf1kWh(t, '2024-01-15T10:29:59Z', 'UTC', {}, start)).to.equal('0.10');
    expect(priceOf1kWh(t, '2024-01-15T10:30:00Z', 'UTC', {}, start)).to.equal('0.50');
    expect(priceOf1kWh(t, '2024-01-15T10:59:59Z', 'UTC', {}, start)).to.equal('0.50');
    expect(priceOf1kWh(t, '2024-01-15T11:00:00Z', 'UTC', {}, start)).to.equal('0.10');
  });

  it('min_current / max_current: MIN_/MAX_CURRENT of the period, else the average CURRENT, else no match', () => {
    const t = tariffOf([
      element([component('ENERGY', 1)], { max_current: 32 }),
      element([component('ENERGY', 2)], { min_current: 32 }),
      element([component('ENERGY', 5)]),
    ]);
    const at = '2024-01-15T10:00:00Z';
    expect(priceOf1kWh(t, at, 'UTC', { MIN_CURRENT: 6, MAX_CURRENT: 31.9 })).to.equal('1.00');
    expect(priceOf1kWh(t, at, 'UTC', { MIN_CURRENT: 32, MAX_CURRENT: 40 })).to.equal('2.00'); // min inclusive
    expect(priceOf1kWh(t, at, 'UTC', { MIN_CURRENT: 16, MAX_CURRENT: 40 })).to.equal('5.00'); // neither holds throughout
    expect(priceOf1kWh(t, at, 'UTC', { MAX_CURRENT: 32 })).to.equal('5.00'); // max exclusive; min unknown
    expect(priceOf1kWh(t, at, 'UTC', { CURRENT: 40 })).to.equal('2.00'); // the Session-only average
    expect(priceOf1kWh(t, at, 'UTC', {})).to.equal('5.00'); // unknown current: falls through to the fallback
  });

  it('min_power / max_power: MIN_/MAX_POWER of the period, else the average POWER, else no match', () => {
    const t = tariffOf([
      element([component('ENERGY', 1)], { min_power: 11, max_power: 22 }),
      element([component('ENERGY', 3)]),
    ]);
    const at = '2024-01-15T10:00:00Z';
    expect(priceOf1kWh(t, at, 'UTC', { MIN_POWER: 11, MAX_POWER: 21.99 })).to.equal('1.00');
    expect(priceOf1kWh(t, at, 'UTC', { MIN_POWER: 10.9, MAX_POWER: 21 })).to.equal('3.00');
    expect(priceOf1kWh(t, at, 'UTC', { MIN_POWER: 11, MAX_POWER: 22 })).to.equal('3.00');
    expect(priceOf1kWh(t, at, 'UTC', { POWER: 15 })).to.equal('1.00');
    expect(priceOf1kWh(t, at, 'UTC', {})).to.equal('3.00');
  });

  it('reservation elements never apply to a charging session', () => {
    const t = tariffOf([element([component('TIME', 9.99), component('FLAT', 5)], { reservation: 'RESERVATION' }), element([component('TIME', 1)])]);
    const r = price(t, '2024-01-15T11:00:00Z', [['2024-01-15T10:00:00Z', { TIME: 1 }]], 'UTC');
    expect(r.total).to.deep.equal(money('1.00', '1.00'));
    expect(dim(r, 'FLAT')).to.deep.equal({ type: 'FLAT', volume: '0', billed_volume: '0', cost: money('0.00', '0.00') });
  });

  it('the first matching element with a component of the dimension wins, per dimension', () => {
    // ENERGY comes from element 1 (it matches); TIME skips element 1 (no TIME component) and uses element 2.
    const t = tariffOf([element([component('ENERGY', 0.3)]), element([component('TIME', 2), component('ENERGY', 9)])]);
    const r = price(t, '2024-01-15T11:00:00Z', [['2024-01-15T10:00:00Z', { ENERGY: 10, TIME: 1 }]], 'UTC');
    expect(dim(r, 'ENERGY').cost.excl_vat).to.equal('3.00');
    expect(dim(r, 'TIME').cost.excl_vat).to.equal('2.00');
  });

  it('FLAT is charged once, by the element that applies at the session start', () => {
    // Starts 17:30 local (day fee 1.00), runs past 18:00 (evening fee 2.00 would apply): only 1.00, once.
    const t = tariffOf([element([component('FLAT', 2)], { start_time: '18:00' }), element([component('FLAT', 1)])]);
    const r = price(t, '2024-01-15T18:30:00Z', [
      ['2024-01-15T17:30:00Z', { ENERGY: 5 }],
      ['2024-01-15T18:00:00Z', { ENERGY: 5 }],
    ], 'UTC');
    expect(dim(r, 'FLAT')).to.deep.equal({ type: 'FLAT', volume: '1', billed_volume: '1', cost: money('1.00', '1.00') });
  });
});

describe('priceSession: time zones', () => {
  // 0.20/kWh until 18:00 local, 0.40/kWh from 18:00 to midnight. Two periods of 10 kWh each.
  const evening = () => tariffOf([element([component('ENERGY', 0.4)], { start_time: '18:00', end_time: '00:00' }), element([component('ENERGY', 0.2)])]);
  const twoPeriods = (first: string, second: string, end: string, zone: string) => price(evening(), end, [[first, { ENERGY: 10 }], [second, { ENERGY: 10 }]], zone);

  it('Amsterdam in winter (UTC+1): the change is at 17:00Z', () => {
    // 16:00Z = 17:00 local → 2.00; 17:00Z = 18:00 local → 4.00. Total 6.00.
    expect(twoPeriods('2024-01-15T16:00:00Z', '2024-01-15T17:00:00Z', '2024-01-15T18:00:00Z', 'Europe/Amsterdam').total.excl_vat).to.equal('6.00');
    // In UTC both periods are before 18:00: 4.00.
    expect(twoPeriods('2024-01-15T16:00:00Z', '2024-01-15T17:00:00Z', '2024-01-15T18:00:00Z', 'UTC').total.excl_vat).to.equal('4.00');
  });

  it('Amsterdam on the spring DST day (31 March 2024, 02:00 → 03:00): 18:00 local is 16:00Z', () => {
    // 15:00Z = 17:00 CEST → 2.00; 16:00Z = 18:00 CEST → 4.00. Total 6.00.
    expect(twoPeriods('2024-03-31T15:00:00Z', '2024-03-31T16:00:00Z', '2024-03-31T17:00:00Z', 'Europe/Amsterdam').total.excl_vat).to.equal('6.00');
    // The day before (CET) 16:00Z is only 17:00 local: 2.00 + 2.00 = 4.00.
    expect(twoPeriods('2024-03-30T15:00:00Z', '2024-03-30T16:00:00Z', '2024-03-30T17:00:00Z', 'Europe/Amsterdam').total.excl_vat).to.equal('4.00');
  });

  it('Amsterdam on the autumn DST day (27 October 2024, 03:00 → 02:00): 18:00 local is 17:00Z again', () => {
    // 16:00Z = 17:00 CET → 2.00; 17:00Z = 18:00 CET → 4.00.
    expect(twoPeriods('2024-10-27T16:00:00Z', '2024-10-27T17:00:00Z', '2024-10-27T18:00:00Z', 'Europe/Amsterdam').total.excl_vat).to.equal('6.00');
    // A session across the repeated hour: 00:30Z and 01:30Z are both 02:30 local; a 02:00–03:00 window holds both.
    const repeated = tariffOf([element([component('ENERGY', 1)], { start_time: '02:00', end_time: '03:00' }), element([component('ENERGY', 0)])]);
    const r = price(repeated, '2024-10-27T02:00:00Z', [['2024-10-27T00:30:00Z', { ENERGY: 1 }], ['2024-10-27T01:30:00Z', { ENERGY: 1 }]], 'Europe/Amsterdam');
    expect(r.total.excl_vat).to.equal('2.00');
  });
});

describe('priceSession: charging time', () => {
  it('a period with energy but no TIME charges for its length minus its parking', () => {
    // 10:00–11:00 with 0.25 h parking: 0.75 h charging × 2.00 = 1.50. 11:00–11:30 without energy or TIME: nothing.
    const t = tariffOf([element([component('TIME', 2)])]);
    const r = price(t, '2024-01-15T11:30:00Z', [
      ['2024-01-15T10:00:00Z', { ENERGY: 7, PARKING_TIME: 0.25 }],
      ['2024-01-15T11:00:00Z', { MAX_CURRENT: 0 }],
    ], 'UTC');
    expect(dim(r, 'TIME')).to.deep.equal({ type: 'TIME', volume: '0.75', billed_volume: '0.75', cost: money('1.50', '1.50') });
  });
});

describe('priceSession: fallbacks (what the CDR did not say)', () => {
  const withTotal = (input: PricingInput, totalEnergy: number): PricingInput => ({ ...input, totalEnergy });

  it('no ENERGY dimension: total_energy is spread over the periods in proportion to their TIME, and said so', () => {
    // 1.00/kWh, 2.00/kWh from 10:30 UTC. TIME 0.25 h and 0.75 h: 2.5 kWh × 1.00 + 7.5 kWh × 2.00 = 17.50.
    const t = tariffOf([element([component('ENERGY', 2)], { start_time: '10:30', end_time: '00:00' }), element([component('ENERGY', 1)])]);
    const r = priceSession(withTotal(session(t, '2024-01-15T11:30:00Z', [['2024-01-15T10:00:00Z', { TIME: 0.25 }], ['2024-01-15T10:30:00Z', { TIME: 0.75 }]], 'UTC'), 10));
    expect(dim(r, 'ENERGY')).to.deep.equal({ type: 'ENERGY', volume: '10', billed_volume: '10', cost: money('17.50', '17.50') });
    expect(r.total.excl_vat).to.equal('17.50');
    expect(r.fallbacks).to.deep.equal([{ code: 'ENERGY_FROM_TOTALS', reason: 'no charging period has an ENERGY dimension: total_energy 10 kWh spread over 2 periods in proportion to their TIME' }]);
  });

  it('periods with ENERGY are priced as sent: total_energy is not used and there is no fallback', () => {
    const r = priceSession(withTotal(session(tariffOf([element([component('ENERGY', 1)])]), '2024-01-15T11:00:00Z', [['2024-01-15T10:00:00Z', { ENERGY: 5, TIME: 1 }]], 'UTC'), 99));
    expect(r.total.excl_vat).to.equal('5.00');
    expect(r.fallbacks).to.deep.equal([]);
  });

  it('neither ENERGY nor TIME: energy follows each period’s length minus parking, and so does the charging time', () => {
    // 10:00–11:00 with 0.5 h parking → 0.5 h; 11:00–11:30 → 0.5 h. 4 kWh → 2 + 2 at 0.50 = 2.00; TIME 1 h × 1.00 = 1.00.
    const t = tariffOf([element([component('ENERGY', 0.5), component('TIME', 1)])]);
    const r = priceSession(withTotal(session(t, '2024-01-15T11:30:00Z', [['2024-01-15T10:00:00Z', { PARKING_TIME: 0.5 }], ['2024-01-15T11:00:00Z', { MAX_CURRENT: 16 }]], 'UTC'), 4));
    expect(dim(r, 'ENERGY').cost).to.deep.equal(money('2.00', '2.00'));
    expect(dim(r, 'TIME')).to.deep.equal({ type: 'TIME', volume: '1', billed_volume: '1', cost: money('1.00', '1.00') });
    expect(r.fallbacks).to.deep.equal([
      { code: 'ENERGY_FROM_TOTALS', reason: 'no charging period has an ENERGY dimension: total_energy 4 kWh spread over 2 periods in proportion to their length minus PARKING_TIME' },
      { code: 'TIME_FROM_PERIODS', reason: '2 periods with energy but no TIME dimension: charging time taken as the period length minus its PARKING_TIME, 1 h in all' },
    ]);
  });

  it('the shares add up to total_energy exactly, so step_size rounds the true total (0.5 kWh in thirds stays 0.5 kWh)', () => {
    const t = tariffOf([element([component('ENERGY', 1, { step_size: 500 })])]);
    const third = 1 / 3;
    const r = priceSession(withTotal(session(t, '2024-01-15T11:00:00Z', [['2024-01-15T10:00:00Z', { TIME: third }], ['2024-01-15T10:20:00Z', { TIME: third }], ['2024-01-15T10:40:00Z', { TIME: third }]], 'UTC'), 0.5));
    expect(dim(r, 'ENERGY')).to.deep.equal({ type: 'ENERGY', volume: '0.5', billed_volume: '0.5', cost: money('0.50', '0.50') });
  });

  it('no charging periods: total_energy is priced at the session start, no charging time is made up', () => {
    const t = tariffOf([element([component('ENERGY', 1), component('TIME', 6)])]);
    const r = priceSession(withTotal(session(t, '2024-01-15T11:00:00Z', [], 'UTC', '2024-01-15T10:00:00Z'), 3));
    expect(r.total.excl_vat).to.equal('3.00');
    expect(dim(r, 'TIME').volume).to.equal('0');
    expect(r.fallbacks).to.deep.equal([{ code: 'ENERGY_FROM_TOTALS', reason: 'the CDR has no charging periods: total_energy 3 kWh priced at the session start' }]);
  });

  it('an unknown time zone is UTC, and said so', () => {
    // 0.40/kWh from 18:00: at 17:30Z that is 18:30 in Berlin, but UTC is all the engine knows.
    const t = tariffOf([element([component('ENERGY', 0.4)], { start_time: '18:00', end_time: '00:00' }), element([component('ENERGY', 0.2)])]);
    const input = session(t, '2024-01-15T18:00:00Z', [['2024-01-15T17:30:00Z', { ENERGY: 10, TIME: 0.5 }]]);
    delete input.timeZone;
    const r = priceSession(input);
    expect(r.total.excl_vat).to.equal('2.00');
    expect(r.fallbacks).to.deep.equal([{ code: 'TIME_ZONE_UTC', reason: 'the location’s time zone is unknown: tariff restrictions on time, date and day of week were evaluated in UTC' }]);
  });

  it('a negative totalEnergy is refused', () => {
    const input = withTotal(session(tariffOf([element([component('ENERGY', 1)])]), '2024-01-15T11:00:00Z', [['2024-01-15T10:00:00Z', { TIME: 1 }]], 'UTC'), -1);
    expect(() => priceSession(input)).to.throw(Error, /^totalEnergy: -1 must be a number of kWh, not negative$/);
  });
});

describe('priceSession: step_size', () => {
  it('ENERGY: the total is rounded up with the last component’s step, the extra billed at its price (mod_cdrs 4.3 + 1.1 kWh)', () => {
    // step 500 Wh: 5.4 → 5.5 kWh. 4.3 × 0.20 = 0.86; (1.1 + 0.1) × 0.27 = 0.324. Total 1.184 → 1.18.
    const t = tariffOf([element([component('ENERGY', 0.2, { step_size: 500 })], { end_time: '17:00' }), element([component('ENERGY', 0.27, { step_size: 500 })])]);
    const r = price(t, '2024-01-15T18:00:00Z', [['2024-01-15T16:00:00Z', { ENERGY: 4.3 }], ['2024-01-15T17:00:00Z', { ENERGY: 1.1 }]], 'UTC');
    expect(dim(r, 'ENERGY')).to.deep.equal({ type: 'ENERGY', volume: '5.4', billed_volume: '5.5', cost: money('1.18', '1.18') });
  });

  it('TIME: 6 min + 22 min → 30 min, 24 min after 17:00 (mod_cdrs example)', () => {
    // step 600 s. 6 min × 5/h = 0.50; 24 min × 7/h = 2.80. Total 3.30. Charging time from the period lengths.
    const t = tariffOf([element([component('TIME', 5, { step_size: 600 })], { end_time: '17:00' }), element([component('TIME', 7, { step_size: 600 })])]);
    const r = price(t, '2024-01-15T17:22:00Z', [['2024-01-15T16:54:00Z', { ENERGY: 1 }], ['2024-01-15T17:00:00Z', { ENERGY: 3 }]], 'UTC');
    expect(dim(r, 'TIME').cost.excl_vat).to.equal('3.30');
    expect(dim(r, 'TIME').billed_volume).to.equal('0.5');
  });

  it('TIME + PARKING_TIME: only parking, the last time-based dimension, is rounded (mod_cdrs 21 + 16 min)', () => {
    // step 600 s on both. Charging 21 min × 1.00/h = 0.35 (not rounded). Parking 0.2667 h → 20 min × 2.00/h = 0.6666… → 0.67.
    // Total 1.01666… → 1.02.
    const t = tariffOf([element([component('TIME', 1, { step_size: 600 }), component('PARKING_TIME', 2, { step_size: 600 })])]);
    const r = price(t, '2024-01-15T10:37:00Z', [['2024-01-15T10:00:00Z', { ENERGY: 5 }], ['2024-01-15T10:21:00Z', { PARKING_TIME: 0.2667 }]], 'UTC');
    expect(dim(r, 'TIME')).to.deep.equal({ type: 'TIME', volume: '0.35', billed_volume: '0.35', cost: money('0.35', '0.35') });
    expect(dim(r, 'PARKING_TIME')).to.deep.equal({ type: 'PARKING_TIME', volume: '0.2667', billed_volume: '0.333333', cost: money('0.67', '0.67') });
    expect(r.total.excl_vat).to.equal('1.02');
  });

  it('TIME is rounded when it is the last time-based dimension billed', () => {
    // Parking is free (no component), so TIME is last: 21 min → 25 min (step 300 s) × 6.00/h = 2.50.
    const t = tariffOf([element([component('TIME', 6, { step_size: 300 })])]);
    const r = price(t, '2024-01-15T10:40:00Z', [['2024-01-15T10:00:00Z', { TIME: 0.35 }], ['2024-01-15T10:21:00Z', { PARKING_TIME: 0.3167 }]], 'UTC');
    expect(dim(r, 'TIME').cost.excl_vat).to.equal('2.50');
  });

  for (const [stepSize, billed, cost] of [
    [1, '0.116', '0.03'], // 115.2 Wh → 116 Wh × 0.25 = 0.029
    [25, '0.125', '0.03'], // → 125 Wh: 0.03125
    [500, '0.5', '0.13'], // → 500 Wh: 0.125, half-up
    [0, '0.1152', '0.03'], // step_size 0: no rounding, 0.0288
  ] as const) {
    it(`ENERGY step_size ${stepSize}: 115.2 Wh is billed as ${billed} kWh, ${cost} (mod_tariffs PriceComponent note)`, () => {
      const t = tariffOf([element([component('ENERGY', 0.25, { step_size: stepSize })])]);
      const r = price(t, '2024-01-15T10:05:00Z', [['2024-01-15T10:00:00Z', { ENERGY: 0.1152 }]], 'UTC');
      expect(dim(r, 'ENERGY').billed_volume).to.equal(billed);
      expect(dim(r, 'ENERGY').cost.excl_vat).to.equal(cost);
    });
  }

  it('a consequence of the spec rule: more energy before a price change can cost less', () => {
    // step 1000 Wh; 1.00/kWh before 17:00, 2.00/kWh after. The round-up is billed at the last price.
    // 0.5 + 0.1 kWh → 1 kWh: 0.5 × 1.00 + (0.1 + 0.4) × 2.00 = 1.50.  0.9 + 0.1 kWh: 0.90 + 0.20 = 1.10.
    const t = tariffOf([element([component('ENERGY', 1, { step_size: 1000 })], { end_time: '17:00' }), element([component('ENERGY', 2, { step_size: 1000 })])]);
    const run = (before: number) => price(t, '2024-01-15T18:00:00Z', [['2024-01-15T16:00:00Z', { ENERGY: before }], ['2024-01-15T17:00:00Z', { ENERGY: 0.1 }]], 'UTC');
    expect(run(0.5).total.excl_vat).to.equal('1.50');
    expect(run(0.9).total.excl_vat).to.equal('1.10');
  });
});

describe('priceSession: min_price / max_price', () => {
  const energy = (extra: Partial<Tariff>) => tariffOf([element([component('ENERGY', 0.25, { vat: 20 })])], extra);
  const kwh = (t: Tariff, volume: number) => price(t, '2024-01-15T12:00:00Z', [['2024-01-15T10:00:00Z', { ENERGY: volume }]], 'UTC');

  it('excl. and incl. VAT are limited separately', () => {
    // tariff_6, 38 kWh: excl 0.50 + 9.50 = 10.00 (not above 10.00); incl 0.60 + 10.45 = 11.05 → 11.00.
    const r = kwh(example('tariff_6_025kwh_start_max_price.json'), 38);
    expect(r.total).to.deep.equal(money('10.00', '11.00'));
    expect(r.max_price_applied).to.equal(true);
  });

  it('without incl_vat, the incl. total follows the excl. limit in proportion', () => {
    // min 1.00: 2 kWh → 0.50 / 0.60 → excl 1.00, incl 0.60 × 1.00 / 0.50 = 1.20.
    expect(kwh(energy({ min_price: { excl_vat: 1 } }), 2).total).to.deep.equal(money('1.00', '1.20'));
    // Nothing consumed: no VAT rate to keep, so incl = the limit: 1.00 / 1.00.
    expect(kwh(energy({ min_price: { excl_vat: 1 } }), 0).total).to.deep.equal(money('1.00', '1.00'));
    // max 10.00: 50 kWh → 12.50 / 15.00 → 10.00 / 12.00.
    const capped = kwh(energy({ max_price: { excl_vat: 10 } }), 50);
    expect(capped.total).to.deep.equal(money('10.00', '12.00'));
    expect(capped.max_price_applied).to.equal(true);
  });

  it('limits are taken to whole minor units: min rounded up, max down', () => {
    // max 10.009: 12.50 → 10.00 (not 10.01, which would exceed it). min 0.501: 0.25 → 0.51.
    expect(kwh(energy({ max_price: { excl_vat: 10.009, incl_vat: 20 } }), 50).total.excl_vat).to.equal('10.00');
    expect(kwh(energy({ min_price: { excl_vat: 0.501, incl_vat: 0.6 } }), 1).total).to.deep.equal(money('0.51', '0.60'));
  });

  it('a total equal to a limit does not count as the limit applied', () => {
    const r = kwh(energy({ min_price: { excl_vat: 0.5, incl_vat: 0.6 }, max_price: { excl_vat: 0.5, incl_vat: 0.6 } }), 2);
    expect(r.total).to.deep.equal(money('0.50', '0.60'));
    expect([r.min_price_applied, r.max_price_applied]).to.deep.equal([false, false]);
  });
});

describe('priceSession: VAT, currencies and rounding', () => {
  const kwh = (t: Tariff, volume: number) => price(t, '2024-01-15T12:00:00Z', [['2024-01-15T10:00:00Z', { ENERGY: volume }]], 'UTC');

  it('vat absent (no VAT applies) and vat 0 both give incl = excl', () => {
    // 20 × 0.25 = 5.00 either way.
    expect(kwh(tariffOf([element([component('ENERGY', 0.25)])]), 20).total).to.deep.equal(money('5.00', '5.00'));
    expect(kwh(tariffOf([element([component('ENERGY', 0.25, { vat: 0 })])]), 20).total).to.deep.equal(money('5.00', '5.00'));
    expect(kwh(tariffOf([element([component('ENERGY', 0.25, { vat: null })])]), 20).total).to.deep.equal(money('5.00', '5.00'));
  });

  it('VAT is per component: FLAT without VAT and ENERGY at 10 %', () => {
    // FLAT 1.00 / 1.00; ENERGY 20 × 0.25 = 5.00 / 5.50. Total 6.00 / 6.50.
    const t = tariffOf([element([component('FLAT', 1), component('ENERGY', 0.25, { vat: 10 })])]);
    expect(kwh(t, 20).total).to.deep.equal(money('6.00', '6.50'));
  });

  it('JPY has no minor unit: 10 kWh × ¥30.5 = ¥305, incl. 10 % = ¥335.5 → ¥336', () => {
    const r = kwh(tariffOf([element([component('ENERGY', 30.5, { vat: 10 })])], { currency: 'JPY' }), 10);
    expect(r.currency).to.equal('JPY');
    expect(r.total).to.deep.equal(money('305', '336'));
    expect(dim(r, 'TIME').cost).to.deep.equal(money('0', '0'));
  });

  it('minorUnits follows Intl', () => {
    expect([minorUnits('EUR'), minorUnits('JPY'), minorUnits('BHD'), minorUnits('GBP')]).to.deep.equal([2, 0, 3, 2]);
    expect(() => minorUnits('EURO')).to.throw(/^currency: "EURO" is not an ISO 4217 currency code/);
  });

  it('the total is rounded from the exact sum, and may differ from the sum of rounded dimension costs', () => {
    // tariff_4 Monday (above): incl 2.875 + 3.30 + 4.125 = 10.300 → 10.30, while 2.88 + 3.30 + 4.13 = 10.31.
    const r = price(example('tariff_4_complex.json'), '2015-06-29T10:57:00Z', [
      ['2015-06-29T07:30:00Z', { TIME: 2.75, MAX_CURRENT: 16 }],
      ['2015-06-29T10:15:00Z', { PARKING_TIME: 0.7 }],
    ]);
    const rounded = r.dimensions.reduce((s, d) => s.plus(d.cost.incl_vat), new Decimal(0));
    expect(rounded.toFixed(2)).to.equal('10.31');
    expect(r.total.incl_vat).to.equal('10.30');
    expect(ROUNDING_RULE).to.match(/half-up/).and.to.match(/exact sum/);
  });

  it('always reports the four dimensions in order; unpriced ones cost 0, unused ones have volume 0', () => {
    // 1 kWh over 10:00–12:00 without a TIME dimension: 2 h of charging time, which this tariff does not price.
    const r = kwh(tariffOf([element([component('ENERGY', 0.25)])]), 1);
    expect(r.dimensions.map((d) => d.type)).to.deep.equal(['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT']);
    expect(r.dimensions.slice(1)).to.deep.equal([
      { type: 'TIME', volume: '2', billed_volume: '0', cost: money('0.00', '0.00') },
      { type: 'PARKING_TIME', volume: '0', billed_volume: '0', cost: money('0.00', '0.00') },
      { type: 'FLAT', volume: '0', billed_volume: '0', cost: money('0.00', '0.00') },
    ]);
  });
});

describe('priceSession: invalid input', () => {
  const ok = (): PricingInput => session(example('tariff_8_simple_025kwh.json'), '2024-01-15T12:00:00Z', [['2024-01-15T10:00:00Z', { ENERGY: 20 }]], 'UTC');
  const fails = (change: (input: PricingInput) => void, message: RegExp) => {
    const input = ok();
    change(input);
    expect(() => priceSession(input)).to.throw(Error, message);
  };

  it('accepts the baseline input', () => expect(priceSession(ok()).total.excl_vat).to.equal('5.00'));
  it('an unparsable startDateTime', () => fails((i) => (i.startDateTime = 'yesterday'), /^startDateTime: "yesterday" is not an OCPI DateTime/));
  it('a day that does not exist', () => fails((i) => (i.startDateTime = '2024-02-30T10:00:00Z'), /^startDateTime: /));
  it('a time zone offset instead of UTC', () => fails((i) => (i.endDateTime = '2024-01-15T12:00:00+01:00'), /^endDateTime: /));
  it('end before start', () => fails((i) => (i.endDateTime = '2024-01-15T09:00:00Z'), /^endDateTime: 2024-01-15T09:00:00Z is before startDateTime/));
  it('an unknown time zone', () => fails((i) => (i.timeZone = 'Mars/Olympus_Mons'), /^timeZone: "Mars\/Olympus_Mons" is not a known IANA time zone/));
  it('a negative ENERGY volume', () => fails((i) => (i.chargingPeriods[0]!.dimensions[0]!.volume = -1), /^chargingPeriods\[0\]\.dimensions\[0\]\.volume: ENERGY volume -1 must not be negative/));
  it('a negative PARKING_TIME volume', () => fails((i) => i.chargingPeriods[0]!.dimensions.push({ type: 'PARKING_TIME', volume: -0.5 }), /^chargingPeriods\[0\]\.dimensions\[1\]\.volume: /));
  it('a period before the session', () => fails((i) => (i.chargingPeriods[0]!.start_date_time = '2024-01-15T09:00:00Z'), /^chargingPeriods\[0\]\.start_date_time: .* is before startDateTime/));
  it('periods out of order', () =>
    fails((i) => i.chargingPeriods.push({ start_date_time: '2024-01-15T09:59:00Z', dimensions: [] }), /^chargingPeriods\[1\]\.start_date_time: /));
  it('an unknown currency', () => fails((i) => (i.tariff.currency = 'EURO'), /^tariff\.currency: "EURO"/));
  it('a negative price', () => fails((i) => (i.tariff.elements[0]!.price_components[0]!.price = -0.25), /^tariff\.elements\[0\]\.price_components\[0\]\.price: /));
  it('a malformed restriction time', () => fails((i) => (i.tariff.elements[0]!.restrictions = { start_time: '24:00' }), /^tariff\.elements\[0\]\.restrictions\.start_time: "24:00"/));

  it('negative MIN_CURRENT / MIN_POWER are allowed (power flowing to the grid)', () => {
    const input = ok();
    input.chargingPeriods[0]!.dimensions.push({ type: 'MIN_CURRENT', volume: -6 }, { type: 'MIN_POWER', volume: -4 });
    expect(priceSession(input).total.excl_vat).to.equal('5.00');
  });
});
