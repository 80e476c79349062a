import { Decimal } from 'decimal.js';
import type { ChargingPeriod, Price, PriceComponent, Tariff, TariffDimensionType, TariffElement } from '../src/ocpi/types.ts';
import { checkRestrictions, localClock, restrictionsMatch, type LocalMoment, type Reading, type SessionState } from './restrictions.ts';

/**
 * The price of one charging session under an OCPI 2.2.1 Tariff: a pure function of the tariff,
 * the location's time zone and the CDR's charging periods. Spec references are to
 * mod_tariffs.asciidoc and mod_cdrs.asciidoc at tag v2.2.1-d2 (with the later errata where the
 * d2 examples contradict themselves).
 *
 * Choices where the spec is silent (each is also noted where it is made):
 * - Restrictions are evaluated once per period, at its start (the CPO must start a new period
 *   whenever another price component becomes active); FLAT is evaluated at the session start.
 * - step_size counts once for ENERGY and once for TIME and PARKING_TIME together (mod_cdrs): only
 *   the time-based dimension billed last is rounded; when one period has both, parking is later.
 * - `volume` is all that was consumed; `billed_volume` is what some component priced, after
 *   step_size (a free period consumes but is not billed).
 * - Reservation: elements with a `reservation` restriction never apply; RESERVATION_TIME
 *   volumes are not priced (the result has no such dimension). Price a reservation separately.
 * - TIME of a period without a TIME dimension: when ENERGY > 0, the period's length minus its
 *   PARKING_TIME (the CDR's total_time − total_parking_time rule, per period); otherwise none.
 * - ENERGY when no period has an ENERGY dimension (2.2-era CPOs send TIME only): the CDR's
 *   total_energy, spread over the periods in proportion to their charging time (see spreadEnergy).
 * - Every such fallback is listed in the result (`fallbacks`), so a price that differs from the
 *   CPO's can be explained.
 * - Current/power restrictions use MIN_/MAX_CURRENT and MIN_/MAX_POWER, falling back to the
 *   session-only average CURRENT/POWER; a quantity the period does not report never matches.
 * - step_size 0 on ENERGY/TIME/PARKING_TIME means "no rounding".
 * - The tariff's own start_date_time/end_date_time are not checked: choosing the tariff in force
 *   is the caller's business.
 * - min_price/max_price without incl_vat: the incl. VAT total follows the excl. VAT limit in
 *   proportion, so the session's effective VAT rate is kept.
 */

export interface PricingInput {
  tariff: Tariff;
  /** IANA zone of the location: restrictions' times, dates and days are local. Unknown: UTC (fallback TIME_ZONE_UTC). */
  timeZone?: string | null;
  /** Session (CDR) start and end, OCPI DateTime strings (UTC). The last period ends at endDateTime. */
  startDateTime: string;
  endDateTime: string;
  /** CDR charging periods: ENERGY volume = kWh in that period, TIME and PARKING_TIME = hours in that period; MIN/MAX_CURRENT (A), MIN/MAX_POWER (kW) may be present. */
  chargingPeriods: ChargingPeriod[];
  /** The CDR's total_energy (kWh): priced only when no period has an ENERGY dimension. */
  totalEnergy?: number;
}
export interface Money {
  excl_vat: string;
  incl_vat: string;
}
export interface PricedDimension {
  type: 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'FLAT';
  volume: string;
  billed_volume: string;
  cost: Money;
}
export interface PricingResult {
  currency: string;
  total: Money;
  /** Always the four types, in the order ENERGY, TIME, PARKING_TIME, FLAT (volume "0" and cost 0 when unused). volume units: kWh, hours, hours, count. */
  dimensions: PricedDimension[];
  min_price_applied: boolean;
  max_price_applied: boolean;
  /** What the engine had to assume because the CDR did not say it, in the order applied; empty when nothing. */
  fallbacks: PricingFallback[];
}

export type FallbackCode = 'ENERGY_FROM_TOTALS' | 'TIME_FROM_PERIODS' | 'TIME_ZONE_UTC';
export interface PricingFallback {
  code: FallbackCode;
  reason: string;
}

export const ROUNDING_RULE =
  'Amounts are computed exactly (decimal.js) and rounded only at the end, half-up to the currency’s minor unit: each dimension cost once from its exact value, and the total once from the exact sum of the unrounded dimension costs, held within min_price/max_price (limits taken to whole minor units, min up and max down), so without a price limit the total may differ from the sum of the rounded dimension costs by up to two minor units.';

/**
 * Enough digits that no intermediate result is rounded in practice: prices and volumes arrive as
 * JSON numbers (at most 17 significant digits each); only the division of seconds into hours
 * can leave a repeating decimal, and 80 digits keep its error far below any minor unit.
 */
const Exact = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_UP });
const ZERO = new Exact(0);
const SECONDS_PER_HOUR = new Exact(3600);
const WH_PER_KWH = new Exact(1000);
/** Volumes are exact internally; what the result shows is cut to a sub-Wh / sub-second resolution. */
const VOLUME_DECIMALS = 6;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Minor-unit digits by currency, read from Intl once per currency (a NumberFormat is costly to build). */
const MINOR_UNITS = new Map<string, number>();

/** The currency's number of minor-unit digits (EUR 2, JPY 0, …) via Intl, used for rounding. */
export function minorUnits(currency: string): number {
  if (typeof currency !== 'string' || !CURRENCIES.has(currency)) {
    throw new Error(`currency: ${JSON.stringify(currency)} is not an ISO 4217 currency code`);
  }
  const known = MINOR_UNITS.get(currency);
  if (known !== undefined) return known;
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  if (digits === undefined) throw new Error(`currency: no minor unit known for ${currency}`);
  MINOR_UNITS.set(currency, digits);
  return digits;
}

/** The metered dimensions, each in the unit its step_size counts: kWh (steps of Wh) or seconds. */
type Metered = Exclude<TariffDimensionType, 'FLAT'>;

interface Period {
  startMs: number;
  volume: Record<Metered, Decimal>;
  current: Reading;
  power: Reading;
}

/** One period's volume of one dimension, priced by the component that applied to it. */
interface Use {
  component: PriceComponent;
  volume: Decimal;
  period: number;
}

interface Exactly {
  excl: Decimal;
  incl: Decimal;
}

export function priceSession(input: PricingInput): PricingResult {
  const { tariff } = input;
  checkTariff(tariff);
  const digits = minorUnits(tariff.currency);
  const fallbacks: PricingFallback[] = [];
  const clock = localClock(zoneOrUtc(input.timeZone, fallbacks));
  const startMs = instant(input.startDateTime, 'startDateTime');
  const endMs = instant(input.endDateTime, 'endDateTime');
  if (endMs < startMs) throw new Error(`endDateTime: ${input.endDateTime} is before startDateTime ${input.startDateTime}`);
  const periods = measure(readPeriods(input.chargingPeriods, startMs, endMs), totalEnergyOf(input.totalEnergy), startMs, fallbacks);
  const states = periodStates(periods, startMs, clock);

  const uses: Record<Metered, Use[]> = {
    ENERGY: roundUpLastUse(usesOf('ENERGY', tariff.elements, periods, states), (stepSize) => stepSize.div(WH_PER_KWH)),
    TIME: usesOf('TIME', tariff.elements, periods, states),
    PARKING_TIME: usesOf('PARKING_TIME', tariff.elements, periods, states),
  };
  const lastTime = lastTimeBased(uses.TIME, uses.PARKING_TIME);
  if (lastTime) uses[lastTime] = roundUpLastUse(uses[lastTime], (stepSize) => stepSize);

  const flat = componentFor('FLAT', tariff.elements, flatState(clock(startMs), periods, startMs));
  const exact = {
    ENERGY: costOf(uses.ENERGY, 'ENERGY'),
    TIME: costOf(uses.TIME, 'TIME'),
    PARKING_TIME: costOf(uses.PARKING_TIME, 'PARKING_TIME'),
    FLAT: flat ? costOf([{ component: flat, volume: new Exact(1), period: 0 }], 'FLAT') : { excl: ZERO, incl: ZERO },
  };

  const dimensions: PricedDimension[] = (['ENERGY', 'TIME', 'PARKING_TIME'] as const).map((type) => ({
    type,
    volume: showVolume(sum(periods.map((p) => p.volume[type])), type),
    billed_volume: showVolume(sum(uses[type].map((u) => u.volume)), type),
    cost: money(exact[type], digits),
  }));
  dimensions.push({ type: 'FLAT', volume: flat ? '1' : '0', billed_volume: flat ? '1' : '0', cost: money(exact.FLAT, digits) });

  const unlimited = { excl: sum(Object.values(exact).map((c) => c.excl)), incl: sum(Object.values(exact).map((c) => c.incl)) };
  const floored = limit(unlimited, tariff.min_price, digits, 'min');
  const capped = limit(floored.total, tariff.max_price, digits, 'max');
  return {
    currency: tariff.currency,
    total: money(capped.total, digits),
    dimensions,
    min_price_applied: floored.applied,
    max_price_applied: capped.applied,
    fallbacks,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading and checking the input

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z?$/;

/** An OCPI DateTime (UTC, `Z` or no zone, never an offset) that names a real moment, in ms. */
function instant(value: unknown, field: string): number {
  const m = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const day = new Date(Date.UTC(y, mo - 1, d));
    const real = day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
    const ms = Date.parse((value as string).endsWith('Z') ? (value as string) : `${value}Z`);
    if (real && Number.isFinite(ms)) return ms;
  }
  throw new Error(`${field}: ${JSON.stringify(value)} is not an OCPI DateTime (UTC, like 2024-03-31T16:30:00Z)`);
}

const isSet = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

const nonNegative = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** A tariff that reached us unvalidated must not yield a silently wrong (e.g. negative) price. */
function checkTariff(tariff: Tariff): void {
  if (typeof tariff !== 'object' || tariff === null) throw new Error('tariff: must be a Tariff object');
  if (!CURRENCIES.has(tariff.currency)) throw new Error(`tariff.currency: ${JSON.stringify(tariff.currency)} is not an ISO 4217 currency code`);
  if (!Array.isArray(tariff.elements) || tariff.elements.length === 0) throw new Error('tariff.elements: must hold at least one TariffElement');
  tariff.elements.forEach((element, i) => {
    const at = `tariff.elements[${i}]`;
    if (!Array.isArray(element.price_components) || element.price_components.length === 0) {
      throw new Error(`${at}.price_components: must hold at least one PriceComponent`);
    }
    element.price_components.forEach((pc, j) => {
      const here = `${at}.price_components[${j}]`;
      if (!['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME'].includes(pc.type)) throw new Error(`${here}.type: ${JSON.stringify(pc.type)} is not a TariffDimensionType`);
      if (!nonNegative(pc.price)) throw new Error(`${here}.price: ${JSON.stringify(pc.price)} must be a number, not negative`);
      if (isSet(pc.vat) && !nonNegative(pc.vat)) throw new Error(`${here}.vat: ${JSON.stringify(pc.vat)} must be a percentage, not negative`);
      if (!nonNegative(pc.step_size) || !Number.isInteger(pc.step_size)) throw new Error(`${here}.step_size: ${JSON.stringify(pc.step_size)} must be a whole number, not negative`);
    });
    checkRestrictions(element.restrictions, `${at}.restrictions`);
  });
  for (const name of ['min_price', 'max_price'] as const) {
    const price = tariff[name];
    if (!isSet(price)) continue;
    if (!nonNegative(price.excl_vat)) throw new Error(`tariff.${name}.excl_vat: ${JSON.stringify(price.excl_vat)} must be a number, not negative`);
    if (isSet(price.incl_vat) && !nonNegative(price.incl_vat)) throw new Error(`tariff.${name}.incl_vat: ${JSON.stringify(price.incl_vat)} must be a number, not negative`);
  }
}

/** Quantities that are amounts consumed; MIN_CURRENT/MIN_POWER may be negative (EV to grid). */
const CONSUMED = new Set(['ENERGY', 'TIME', 'PARKING_TIME', 'RESERVATION_TIME']);

function readPeriods(chargingPeriods: ChargingPeriod[], startMs: number, endMs: number): GivenPeriod[] {
  if (!Array.isArray(chargingPeriods)) throw new Error('chargingPeriods: must be a list of ChargingPeriod');
  const starts = chargingPeriods.map((p, i) => {
    const ms = instant(p?.start_date_time, `chargingPeriods[${i}].start_date_time`);
    if (ms < startMs) throw new Error(`chargingPeriods[${i}].start_date_time: ${p.start_date_time} is before startDateTime`);
    if (ms > endMs) throw new Error(`chargingPeriods[${i}].start_date_time: ${p.start_date_time} is after endDateTime`);
    return ms;
  });
  // Each period ends where the next begins, so they must come in order.
  starts.forEach((ms, i) => {
    if (i > 0 && ms < starts[i - 1]!) {
      throw new Error(`chargingPeriods[${i}].start_date_time: ${chargingPeriods[i]!.start_date_time} is before chargingPeriods[${i - 1}].start_date_time`);
    }
  });
  return chargingPeriods.map((p, i) => readPeriod(p, i, starts[i]!, starts[i + 1] ?? endMs));
}

/** A period as the CPO sent it: volumes it does not carry are undefined (kWh, seconds). */
interface GivenPeriod {
  startMs: number;
  lengthSeconds: Decimal;
  energy?: Decimal;
  time?: Decimal;
  parking: Decimal;
  current: Reading;
  power: Reading;
}

function readPeriod(period: ChargingPeriod, i: number, startMs: number, endMs: number): GivenPeriod {
  const given = new Map<string, number>();
  if (!Array.isArray(period.dimensions)) throw new Error(`chargingPeriods[${i}].dimensions: must be a list of CdrDimension`);
  period.dimensions.forEach((d, j) => {
    const at = `chargingPeriods[${i}].dimensions[${j}]`;
    if (typeof d.volume !== 'number' || !Number.isFinite(d.volume)) throw new Error(`${at}.volume: ${JSON.stringify(d.volume)} is not a number`);
    if (CONSUMED.has(d.type) && d.volume < 0) throw new Error(`${at}.volume: ${d.type} volume ${d.volume} must not be negative`);
    // Two volumes of one type in a period leave it unclear which one the CPO billed.
    if (given.has(d.type)) throw new Error(`${at}.type: ${d.type} appears twice in the period`);
    given.set(d.type, d.volume);
  });
  const hours = (type: string) => (given.has(type) ? new Exact(given.get(type)!).times(SECONDS_PER_HOUR) : undefined);
  return {
    startMs,
    lengthSeconds: new Exact(endMs - startMs).div(1000),
    energy: given.has('ENERGY') ? new Exact(given.get('ENERGY')!) : undefined,
    time: hours('TIME'),
    parking: hours('PARKING_TIME') ?? ZERO,
    current: { min: given.get('MIN_CURRENT') ?? given.get('CURRENT'), max: given.get('MAX_CURRENT') ?? given.get('CURRENT') },
    power: { min: given.get('MIN_POWER') ?? given.get('POWER'), max: given.get('MAX_POWER') ?? given.get('POWER') },
  };
}

function totalEnergyOf(value: unknown): Decimal {
  if (value === undefined || value === null) return ZERO;
  if (!nonNegative(value)) throw new Error(`totalEnergy: ${JSON.stringify(value)} must be a number of kWh, not negative`);
  return new Exact(value);
}

function zoneOrUtc(timeZone: string | null | undefined, fallbacks: PricingFallback[]): string {
  if (isSet(timeZone)) return timeZone;
  fallbacks.push({ code: 'TIME_ZONE_UTC', reason: 'the location’s time zone is unknown: tariff restrictions on time, date and day of week were evaluated in UTC' });
  return 'UTC';
}

const periodCount = (n: number) => `${n} period${n === 1 ? '' : 's'}`;

/** The volumes each period is priced with: what the CPO sent, completed where it left something out. */
function measure(given: GivenPeriod[], totalEnergy: Decimal, sessionStartMs: number, fallbacks: PricingFallback[]): Period[] {
  const energies = given.some((p) => p.energy !== undefined) ? given.map((p) => p.energy ?? ZERO) : spreadEnergy(given, totalEnergy, fallbacks);
  // No period to carry the total: one at the session start, with only that energy (no charging time is made up).
  const carriers = given.length === 0 && energies.length === 1 ? [{ startMs: sessionStartMs, lengthSeconds: ZERO, time: ZERO, parking: ZERO, current: {}, power: {} }] : given;
  const derived: Decimal[] = [];
  const periods = carriers.map((p, i) => {
    const energy = energies[i]!;
    const time = p.time ?? chargingSeconds(energy, p);
    if (p.time === undefined && time.gt(0)) derived.push(time);
    return { startMs: p.startMs, volume: { ENERGY: energy, TIME: time, PARKING_TIME: p.parking }, current: p.current, power: p.power };
  });
  if (derived.length) {
    const hours = sum(derived).div(SECONDS_PER_HOUR).toDecimalPlaces(VOLUME_DECIMALS, Decimal.ROUND_HALF_UP).toFixed();
    fallbacks.push({ code: 'TIME_FROM_PERIODS', reason: `${periodCount(derived.length)} with energy but no TIME dimension: charging time taken as the period length minus its PARKING_TIME, ${hours} h in all` });
  }
  return periods;
}

/**
 * TIME is "time charging during this ChargingPeriod" (mod_cdrs). Most CPOs send it; when a period
 * has energy but no TIME, the charging time is what is left of the period after parking, the
 * per-period form of the CDR's total_charging_time = total_time − total_parking_time. A period with
 * neither TIME nor energy had no charging.
 */
function chargingSeconds(energy: Decimal, period: GivenPeriod): Decimal {
  if (!energy.gt(0)) return ZERO;
  return Exact.max(ZERO, period.lengthSeconds.minus(period.parking));
}

/**
 * Periods without any ENERGY dimension: the CDR's total_energy is spread over them in proportion
 * to their charging time: their TIME when the CPO sent TIME (a period without TIME then had no
 * charging), else their length minus PARKING_TIME. Without any charging time, the first period
 * takes it all; without periods, one at the session start. The last share is the remainder, so the
 * shares add up to total_energy exactly (step_size rounds their sum).
 */
function spreadEnergy(given: GivenPeriod[], total: Decimal, fallbacks: PricingFallback[]): Decimal[] {
  if (!total.gt(0)) return given.map(() => ZERO);
  const kwh = `total_energy ${total.toFixed()} kWh`;
  const byTime = given.some((p) => p.time !== undefined);
  const weights = given.map((p) => (byTime ? (p.time ?? ZERO) : Exact.max(ZERO, p.lengthSeconds.minus(p.parking))));
  const whole = sum(weights);
  let reason: string;
  let shares: Decimal[];
  if (given.length === 0) {
    reason = `the CDR has no charging periods: ${kwh} priced at the session start`;
    shares = [total];
  } else if (whole.isZero()) {
    reason = `no charging period has an ENERGY dimension, nor a charging time: ${kwh} priced in the first period`;
    shares = given.map((_, i) => (i === 0 ? total : ZERO));
  } else {
    const last = weights.length - 1 - [...weights].reverse().findIndex((w) => w.gt(0));
    shares = weights.map((w) => total.times(w).div(whole));
    shares[last] = total.minus(sum(shares.filter((_, i) => i !== last)));
    const basis = byTime ? 'their TIME' : 'their length minus PARKING_TIME';
    reason = `no charging period has an ENERGY dimension: ${kwh} spread over ${periodCount(weights.filter((w) => w.gt(0)).length)} in proportion to ${basis}`;
  }
  fallbacks.push({ code: 'ENERGY_FROM_TOTALS', reason });
  return shares;
}

// ---------------------------------------------------------------------------------------------
// Which price component applies when

/** The session as each period starts: restrictions are decided there (see restrictions.ts). */
function periodStates(periods: Period[], sessionStartMs: number, clock: (epochMs: number) => LocalMoment): SessionState[] {
  let kwhSoFar: Decimal = ZERO;
  return periods.map((period) => {
    const state = { local: clock(period.startMs), elapsedMs: period.startMs - sessionStartMs, kwhSoFar, current: period.current, power: period.power };
    kwhSoFar = kwhSoFar.plus(period.volume.ENERGY);
    return state;
  });
}

/**
 * FLAT is owed once per session, by the element that applies when the session starts. Current and
 * power come from the period in force at that moment, if one starts there.
 */
function flatState(local: LocalMoment, periods: Period[], sessionStartMs: number): SessionState {
  const first = periods[0]?.startMs === sessionStartMs ? periods[0] : undefined;
  return { local, elapsedMs: 0, kwhSoFar: ZERO, current: first?.current ?? {}, power: first?.power ?? {} };
}

/** The spec's lookup: the first element, in list order, with a component of the type and matching restrictions. */
function componentFor(type: TariffDimensionType, elements: TariffElement[], state: SessionState): PriceComponent | undefined {
  for (const element of elements) {
    const component = element.price_components.find((pc) => pc.type === type);
    if (component && restrictionsMatch(element.restrictions, state)) return component;
  }
  return undefined;
}

/** Periods without a volume of the dimension use no component, so they cannot be the "last" one for step_size. */
function usesOf(type: Metered, elements: TariffElement[], periods: Period[], states: SessionState[]): Use[] {
  const uses: Use[] = [];
  periods.forEach((period, i) => {
    const volume = period.volume[type];
    if (!volume.gt(0)) return;
    const component = componentFor(type, elements, states[i]!);
    if (component) uses.push({ component, volume, period: i });
  });
  return uses;
}

// ---------------------------------------------------------------------------------------------
// step_size (mod_cdrs "step_size", mod_tariffs PriceComponent and the tariff_14 examples)

/**
 * step_size counts once per session for ENERGY, and once for TIME and PARKING_TIME together: only
 * the time-based dimension billed last is rounded, because "the charging duration is not rounded
 * up, as it is followed by another time based period". When one period carries both, parking is
 * taken as the later (a period's charging precedes its parking).
 */
function lastTimeBased(time: Use[], parking: Use[]): 'TIME' | 'PARKING_TIME' | undefined {
  const lastTime = time.at(-1);
  const lastParking = parking.at(-1);
  if (!lastParking) return lastTime && 'TIME';
  if (!lastTime) return 'PARKING_TIME';
  return lastParking.period >= lastTime.period ? 'PARKING_TIME' : 'TIME';
}

/**
 * The billable total of the dimension (volumes that some component priced; free periods are not
 * billable, errata to the tariff_14 "Free-of-Charge" example) is rounded up to a multiple of the
 * step_size of the last component used, and the extra is billed at that component, "so 24 minutes
 * after 17:00 will be billed". Earlier components keep their exact volumes.
 */
function roundUpLastUse(uses: Use[], stepIn: (stepSize: Decimal) => Decimal): Use[] {
  const last = uses.at(-1);
  if (!last || last.component.step_size <= 0) return uses;
  const step = stepIn(new Exact(last.component.step_size));
  const total = sum(uses.map((u) => u.volume));
  const billed = total.div(step).ceil().times(step);
  return [...uses.slice(0, -1), { ...last, volume: last.volume.plus(billed.minus(total)) }];
}

// ---------------------------------------------------------------------------------------------
// Money

/** Time volumes are seconds but prices are per hour; energy is kWh and priced per kWh. */
const PER_UNIT: Record<TariffDimensionType, Decimal> = { ENERGY: new Exact(1), TIME: SECONDS_PER_HOUR, PARKING_TIME: SECONDS_PER_HOUR, FLAT: new Exact(1) };

/** One division per dimension keeps the only inexact step (seconds to hours) out of the sums. */
function costOf(uses: Use[], type: TariffDimensionType): Exactly {
  const excl = sum(uses.map((u) => u.volume.times(u.component.price)));
  const incl = sum(uses.map((u) => u.volume.times(u.component.price).times(vatFactor(u.component))));
  return { excl: excl.div(PER_UNIT[type]), incl: incl.div(PER_UNIT[type]) };
}

/** An absent vat means no VAT applies: incl. equals excl., the same as 0 % numerically. */
function vatFactor(component: PriceComponent): Decimal {
  return isSet(component.vat) ? new Exact(component.vat).div(100).plus(1) : new Exact(1);
}

/**
 * min_price / max_price hold for the excl. and the incl. VAT totals separately (mod_tariffs notes).
 * A limit is first taken to whole minor units (min up, max down), so that the rounded total can
 * never end up half a minor unit past it. Without an incl_vat limit the incl. total is scaled
 * with the excl. one (a 0 excl. total has no VAT rate to keep: the incl. total becomes the limit).
 */
function limit(total: Exactly, price: Price | null | undefined, digits: number, side: 'min' | 'max'): { total: Exactly; applied: boolean } {
  if (!isSet(price)) return { total, applied: false };
  const toMinor = side === 'min' ? Decimal.ROUND_UP : Decimal.ROUND_DOWN;
  const beyond = (value: Decimal, bound: Decimal) => (side === 'min' ? value.lt(bound) : value.gt(bound));
  const exclLimit = new Exact(price.excl_vat).toDecimalPlaces(digits, toMinor);
  const excl = beyond(total.excl, exclLimit) ? exclLimit : total.excl;
  let incl: Decimal;
  if (isSet(price.incl_vat)) {
    const inclLimit = new Exact(price.incl_vat).toDecimalPlaces(digits, toMinor);
    incl = beyond(total.incl, inclLimit) ? inclLimit : total.incl;
  } else if (excl.eq(total.excl)) {
    incl = total.incl;
  } else {
    incl = total.excl.isZero() ? excl : total.incl.times(excl).div(total.excl);
  }
  return { total: { excl, incl }, applied: !excl.eq(total.excl) || !incl.eq(total.incl) };
}

function money(amount: Exactly, digits: number): Money {
  return { excl_vat: amount.excl.toFixed(digits, Decimal.ROUND_HALF_UP), incl_vat: amount.incl.toFixed(digits, Decimal.ROUND_HALF_UP) };
}

function showVolume(volume: Decimal, type: Metered): string {
  const inUnit = type === 'ENERGY' ? volume : volume.div(SECONDS_PER_HOUR);
  return inUnit.toDecimalPlaces(VOLUME_DECIMALS, Decimal.ROUND_HALF_UP).toFixed();
}

function sum(values: Decimal[]): Decimal {
  return values.reduce((a, b) => a.plus(b), ZERO);
}
