import { expect } from 'chai';
import { checkCdr } from '../../../ocpi-modules/cdrs/validation.ts';
import { example } from '../../helpers/examples.ts';
import type { Cdr } from '../../../src/ocpi/types.ts';

/** The specification's CDR: 21:39:09 to 23:37:32 (1.9731 h), TIME periods only, 15.342 kWh, EUR 4.00. */
const base = () => example<Cdr>('cdr_example.json');
const names = (cdr: Cdr, ctx = {}) => checkCdr(cdr, ctx).problems.map((p) => p.split(':')[0]);

describe('CDR validation rules', () => {
  it('passes the specification’s example', () => {
    expect(checkCdr(base(), { tariffCurrency: 'EUR', connectorPowerKw: 22 })).to.deep.equal({ problems: [], flags: [] });
  });

  it('END_AFTER_START', () => {
    const cdr = { ...base(), end_date_time: '2015-06-29T21:39:09Z' };
    expect(checkCdr(cdr).problems).to.include('END_AFTER_START: end_date_time: 2015-06-29T21:39:09Z is not after start_date_time 2015-06-29T21:39:09Z');
  });

  it('ENERGY_NOT_NEGATIVE and VOLUMES_NOT_NEGATIVE', () => {
    const cdr = base();
    cdr.total_energy = -1;
    cdr.charging_periods[0]!.dimensions[0]!.volume = -2;
    expect(names(cdr)).to.include.members(['ENERGY_NOT_NEGATIVE', 'VOLUMES_NOT_NEGATIVE']);
    expect(checkCdr(cdr).problems).to.include('VOLUMES_NOT_NEGATIVE: charging_periods[0].dimensions[0].volume: -2 is negative');
  });

  it('ENERGY_MATCHES_PERIODS when periods carry ENERGY (within 0.01 kWh or 0.5 %)', () => {
    const cdr = base();
    cdr.charging_periods[0]!.dimensions.push({ type: 'ENERGY', volume: 15.35 });
    expect(names(cdr)).to.deep.equal([]);
    cdr.charging_periods[0]!.dimensions[1]!.volume = 12;
    expect(checkCdr(cdr).problems).to.deep.equal(['ENERGY_MATCHES_PERIODS: total_energy: 15.342 kWh, but the charging periods\' ENERGY adds up to 12 kWh']);
  });

  it('TIME_MATCHES_DURATION (within a minute) and TIME_NOT_NEGATIVE', () => {
    expect(names({ ...base(), total_time: 1.985 })).to.deep.equal([]); // 43 s off
    expect(checkCdr({ ...base(), total_time: 2.5 }).problems).to.deep.equal(['TIME_MATCHES_DURATION: total_time: 2.5 h, but start to end is 1.9731 h']);
    expect(names({ ...base(), total_time: -1 })).to.include('TIME_NOT_NEGATIVE');
  });

  it('PARKING_WITHIN_TIME and PARKING_NOT_NEGATIVE', () => {
    expect(names({ ...base(), total_parking_time: 1 })).to.deep.equal([]);
    expect(checkCdr({ ...base(), total_parking_time: 2 }).problems).to.deep.equal(['PARKING_WITHIN_TIME: total_parking_time: 2 h exceeds total_time 1.973 h']);
    expect(names({ ...base(), total_parking_time: -0.5 })).to.deep.equal(['PARKING_NOT_NEGATIVE']);
  });

  it('PERIODS_IN_ORDER and PERIODS_INSIDE_SESSION', () => {
    const cdr = base();
    cdr.charging_periods = [
      { start_date_time: '2015-06-29T22:00:00Z', dimensions: [{ type: 'TIME', volume: 1 }] },
      { start_date_time: '2015-06-29T21:50:00Z', dimensions: [{ type: 'TIME', volume: 0.973 }] },
    ];
    expect(checkCdr(cdr).problems).to.deep.equal(['PERIODS_IN_ORDER: charging_periods[1].start_date_time: 2015-06-29T21:50:00Z is not after the previous period\'s start']);
    cdr.charging_periods = [{ start_date_time: '2015-06-29T23:40:00Z', dimensions: [{ type: 'TIME', volume: 1.973 }] }];
    expect(checkCdr(cdr).problems).to.deep.equal(['PERIODS_INSIDE_SESSION: charging_periods[0].start_date_time: 2015-06-29T23:40:00Z is outside the session (2015-06-29T21:39:09Z to 2015-06-29T23:37:32Z)']);
  });

  it('CURRENCY_MATCHES_TARIFF', () => {
    expect(checkCdr(base(), { tariffCurrency: 'CHF' }).problems).to.deep.equal(['CURRENCY_MATCHES_TARIFF: currency: EUR, but the tariff is in CHF']);
  });

  it('ENERGY_PLAUSIBLE_FOR_POWER: no more than the connector can deliver (10 % margin)', () => {
    // 7.4 kW × 1.9731 h × 1.1 + 0.01 = 16.07 kWh ≥ 15.342; 7 kW allows 15.20.
    expect(names(base(), { connectorPowerKw: 7.4 })).to.deep.equal([]);
    expect(checkCdr(base(), { connectorPowerKw: 7 }).problems).to.deep.equal(['ENERGY_PLAUSIBLE_FOR_POWER: total_energy: 15.342 kWh is more than a 7 kW connector can deliver in 1.9731 h']);
  });

  it('costs: not negative outside a credit, incl ≥ excl, and zero cost with energy flagged (not refused)', () => {
    expect(names({ ...base(), total_cost: { excl_vat: -4 } })).to.deep.equal(['COST_NOT_NEGATIVE']);
    expect(names({ ...base(), total_cost: { excl_vat: 4, incl_vat: 3 } })).to.deep.equal(['VAT_NOT_NEGATIVE']);
    expect(checkCdr({ ...base(), total_cost: { excl_vat: 0, incl_vat: 0 } })).to.deep.equal({ problems: [], flags: ['ZERO_COST_WITH_ENERGY: total_cost: 0 for 15.342 kWh'] });
  });

  it('credit CDRs: negated cost and a reference; a reference only on a credit', () => {
    const credit = { ...base(), id: '12345-C', credit: true, credit_reference_id: '12345', total_cost: { excl_vat: -4, incl_vat: -4.4 } };
    expect(checkCdr(credit).problems).to.deep.equal([]);
    expect(names({ ...credit, total_cost: { excl_vat: 4, incl_vat: 4.4 } })).to.deep.equal(['CREDIT_NEGATED']);
    expect(names({ ...credit, credit_reference_id: null })).to.deep.equal(['CREDIT_REFERENCE']);
    expect(names({ ...base(), credit_reference_id: '1' })).to.deep.equal(['CREDIT_REFERENCE']);
  });
});
