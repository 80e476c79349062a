import { Decimal } from 'decimal.js';
import type { Cdr } from '../../src/ocpi/types.ts';
import { parseDateTime } from '../../src/ocpi/datetime.ts';

/**
 * Rules a CDR must meet beyond its schema. Each failure is `RULE: field: why`, so a CPO
 * engineer knows which rule and which field. `problems` keep the CDR out of settlement;
 * `flags` are recorded and shown to finance but do not block (a free tariff is legitimate).
 */
export interface CdrContext {
  /** The connector's maximum power in kW, when the hub knows the location. */
  connectorPowerKw?: number;
  /** The currency of the tariff the CDR is priced with. */
  tariffCurrency?: string;
}

export interface CdrCheck {
  problems: string[];
  flags: string[];
}

// Measurement tolerances: meters and clocks round; a CDR is not wrong for a watt-hour or a second.
const ENERGY_TOLERANCE_KWH = new Decimal('0.01');
const ENERGY_TOLERANCE_RATIO = new Decimal('0.005');
const TIME_TOLERANCE_HOURS = new Decimal(1).div(60);
const POWER_MARGIN = new Decimal('1.1');

const dec = (n: number) => new Decimal(String(n));

export function checkCdr(cdr: Cdr, ctx: CdrContext = {}): CdrCheck {
  const problems: string[] = [];
  const flags: string[] = [];
  const start = parseDateTime(cdr.start_date_time)!;
  const end = parseDateTime(cdr.end_date_time)!;
  const hours = new Decimal(end.getTime() - start.getTime()).div(3_600_000);
  const energy = dec(cdr.total_energy);

  if (end <= start) problems.push(`END_AFTER_START: end_date_time: ${cdr.end_date_time} is not after start_date_time ${cdr.start_date_time}`);
  if (energy.isNegative()) problems.push(`ENERGY_NOT_NEGATIVE: total_energy: ${cdr.total_energy} is negative`);

  cdr.charging_periods.forEach((period, i) => {
    for (const [j, d] of period.dimensions.entries()) {
      if (d.volume < 0) problems.push(`VOLUMES_NOT_NEGATIVE: charging_periods[${i}].dimensions[${j}].volume: ${d.volume} is negative`);
    }
  });

  // Only when the CPO breaks energy down per period: some send TIME periods only (as the specification's own example).
  const energyDims = cdr.charging_periods.flatMap((p) => p.dimensions.filter((d) => d.type === 'ENERGY'));
  if (energyDims.length) {
    const sum = energyDims.reduce((acc, d) => acc.plus(dec(d.volume)), new Decimal(0));
    const allowed = Decimal.max(ENERGY_TOLERANCE_KWH, energy.abs().times(ENERGY_TOLERANCE_RATIO));
    if (sum.minus(energy).abs().greaterThan(allowed)) problems.push(`ENERGY_MATCHES_PERIODS: total_energy: ${cdr.total_energy} kWh, but the charging periods' ENERGY adds up to ${sum.toString()} kWh`);
  }

  if (end > start && dec(cdr.total_time).minus(hours).abs().greaterThan(TIME_TOLERANCE_HOURS)) {
    problems.push(`TIME_MATCHES_DURATION: total_time: ${cdr.total_time} h, but start to end is ${hours.toDecimalPlaces(4).toString()} h`);
  }
  if (cdr.total_time < 0) problems.push(`TIME_NOT_NEGATIVE: total_time: ${cdr.total_time} is negative`);
  if (cdr.total_parking_time != null) {
    if (cdr.total_parking_time < 0) problems.push(`PARKING_NOT_NEGATIVE: total_parking_time: ${cdr.total_parking_time} is negative`);
    if (dec(cdr.total_parking_time).greaterThan(dec(cdr.total_time))) problems.push(`PARKING_WITHIN_TIME: total_parking_time: ${cdr.total_parking_time} h exceeds total_time ${cdr.total_time} h`);
  }

  let previous: Date | undefined;
  cdr.charging_periods.forEach((period, i) => {
    const at = parseDateTime(period.start_date_time)!;
    if (previous && at <= previous) problems.push(`PERIODS_IN_ORDER: charging_periods[${i}].start_date_time: ${period.start_date_time} is not after the previous period's start`);
    if (at < start || at >= end) problems.push(`PERIODS_INSIDE_SESSION: charging_periods[${i}].start_date_time: ${period.start_date_time} is outside the session (${cdr.start_date_time} to ${cdr.end_date_time})`);
    previous = at;
  });

  if (ctx.tariffCurrency && ctx.tariffCurrency.toUpperCase() !== cdr.currency.toUpperCase()) {
    problems.push(`CURRENCY_MATCHES_TARIFF: currency: ${cdr.currency}, but the tariff is in ${ctx.tariffCurrency}`);
  }

  if (ctx.connectorPowerKw !== undefined && end > start) {
    const possible = dec(ctx.connectorPowerKw).times(hours).times(POWER_MARGIN).plus(ENERGY_TOLERANCE_KWH);
    if (energy.greaterThan(possible)) {
      problems.push(`ENERGY_PLAUSIBLE_FOR_POWER: total_energy: ${cdr.total_energy} kWh is more than a ${ctx.connectorPowerKw} kW connector can deliver in ${hours.toDecimalPlaces(4).toString()} h`);
    }
  }

  const cost = dec(cdr.total_cost.excl_vat);
  if (cdr.credit) {
    if (!cdr.credit_reference_id) problems.push('CREDIT_REFERENCE: credit_reference_id: is required for a credit CDR');
    if (cost.greaterThan(0)) problems.push(`CREDIT_NEGATED: total_cost.excl_vat: ${cdr.total_cost.excl_vat} must be negative (or zero) in a credit CDR`);
  } else {
    if (cdr.credit_reference_id) problems.push('CREDIT_REFERENCE: credit_reference_id: only a credit CDR (credit: true) refers to another CDR');
    if (cost.isNegative()) problems.push(`COST_NOT_NEGATIVE: total_cost.excl_vat: ${cdr.total_cost.excl_vat} is negative in a CDR that is not a credit`);
    if (cost.isZero() && energy.greaterThan(0)) flags.push(`ZERO_COST_WITH_ENERGY: total_cost: 0 for ${cdr.total_energy} kWh`);
  }
  if (cdr.total_cost.incl_vat != null && dec(cdr.total_cost.incl_vat).abs().lessThan(cost.abs())) {
    problems.push(`VAT_NOT_NEGATIVE: total_cost.incl_vat: ${cdr.total_cost.incl_vat} is less than excl_vat ${cdr.total_cost.excl_vat}`);
  }
  return { problems, flags };
}
