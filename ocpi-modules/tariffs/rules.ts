import { invalid } from '../../src/errors.ts';
import type { Tariff } from '../../src/ocpi/types.ts';

/**
 * Validation of a Tariff object, used by the push (PUT) and the pull-sync alike:
 * the JSON Schema `tariff.json` first, then the business rules below. Every problem is a
 * message that starts with the field it concerns (`elements[0].price_components[1].vat: …`),
 * and all of them answer OCPI 2001.
 */

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z?$/;

/** Is `y-m-d` a day of the calendar (2030-02-30 is not, although it matches the pattern)? */
function realDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** `YYYY-MM-DD`, a real day. */
function isDate(value: string): boolean {
  const m = DATE.exec(value);
  return !!m && realDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * An OCPI DateTime (UTC, `Z` or no zone, never an offset, ≤ 25 characters) that names a real
 * moment, as milliseconds; undefined otherwise. Stricter than `new Date()`, which reads
 * 2030-02-30 as 2 March and 24:00:00 as the next day.
 */
export function dateTimeMillis(value: string): number | undefined {
  const m = value.length <= 25 ? DATETIME.exec(value) : null;
  if (!m || !realDay(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return undefined;
  return new Date(value.endsWith('Z') ? value : `${value}Z`).getTime();
}

const isSet = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/** The business rules beyond the schema; assumes the schema passed. */
function tariffProblems(tariff: Tariff): string[] {
  const problems: string[] = [];
  if (!CURRENCIES.has(tariff.currency)) problems.push(`currency: "${tariff.currency}" is not an ISO 4217 currency code`);

  const moments: Record<string, number | undefined> = {};
  for (const name of ['start_date_time', 'end_date_time', 'last_updated'] as const) {
    const value = tariff[name];
    if (!isSet(value)) continue;
    moments[name] = dateTimeMillis(value);
    if (moments[name] === undefined) problems.push(`${name}: "${value}" is not a valid date and time`);
  }
  if (moments.start_date_time !== undefined && moments.end_date_time !== undefined && moments.end_date_time <= moments.start_date_time) {
    problems.push(`end_date_time: ${tariff.end_date_time} is not after start_date_time ${tariff.start_date_time}`);
  }

  for (const name of ['min_price', 'max_price'] as const) {
    const price = tariff[name];
    if (!isSet(price)) continue;
    if (price.excl_vat < 0) problems.push(`${name}.excl_vat: ${price.excl_vat} must not be negative`);
    if (isSet(price.incl_vat) && price.incl_vat < 0) problems.push(`${name}.incl_vat: ${price.incl_vat} must not be negative`);
    else if (isSet(price.incl_vat) && price.incl_vat < price.excl_vat) problems.push(`${name}.incl_vat: ${price.incl_vat} is less than excl_vat ${price.excl_vat}`);
  }
  // min_price and max_price apply separately to the amounts excluding and including VAT.
  const min = tariff.min_price;
  const max = tariff.max_price;
  if (isSet(min) && isSet(max)) {
    if (min.excl_vat > max.excl_vat) problems.push(`min_price.excl_vat: ${min.excl_vat} exceeds max_price.excl_vat ${max.excl_vat}`);
    if (isSet(min.incl_vat) && isSet(max.incl_vat) && min.incl_vat > max.incl_vat) {
      problems.push(`min_price.incl_vat: ${min.incl_vat} exceeds max_price.incl_vat ${max.incl_vat}`);
    }
  }

  tariff.elements.forEach((element, i) => {
    element.price_components.forEach((pc, j) => {
      const at = `elements[${i}].price_components[${j}]`;
      if (pc.price < 0) problems.push(`${at}.price: ${pc.price} must not be negative`);
      if (isSet(pc.vat) && pc.vat < 0) problems.push(`${at}.vat: ${pc.vat} must not be negative`);
      else if (isSet(pc.vat) && pc.vat > 100) problems.push(`${at}.vat: ${pc.vat} is not a percentage from 0 to 100`);
      if (pc.step_size < 0) problems.push(`${at}.step_size: ${pc.step_size} must not be negative`);
    });

    const r = element.restrictions;
    if (!isSet(r)) return;
    const at = `elements[${i}].restrictions`;
    for (const name of ['start_time', 'end_time'] as const) {
      const value = r[name];
      if (isSet(value) && !TIME.test(value)) problems.push(`${at}.${name}: "${value}" is not a time HH:MM`);
    }
    for (const name of ['start_date', 'end_date'] as const) {
      const value = r[name];
      if (isSet(value) && !isDate(value)) problems.push(`${at}.${name}: "${value}" is not a date YYYY-MM-DD`);
    }
    // end_date is exclusive: a start_date equal to it would be an empty period.
    if (isSet(r.start_date) && isSet(r.end_date) && isDate(r.start_date) && isDate(r.end_date) && r.start_date >= r.end_date) {
      problems.push(`${at}.start_date: ${r.start_date} is not before end_date ${r.end_date}`);
    }
    for (const name of ['min_kwh', 'max_kwh', 'min_current', 'max_current', 'min_power', 'max_power', 'min_duration', 'max_duration'] as const) {
      const value = r[name];
      if (isSet(value) && value < 0) problems.push(`${at}.${name}: ${value} must not be negative`);
    }
    const pairs = [
      ['min_kwh', 'max_kwh'],
      ['min_current', 'max_current'],
      ['min_power', 'max_power'],
      ['min_duration', 'max_duration'],
    ] as const;
    for (const [lowName, highName] of pairs) {
      const low = r[lowName];
      const high = r[highName];
      if (isSet(low) && isSet(high) && low > high) problems.push(`${at}.${lowName}: ${low} exceeds ${highName} ${high}`);
    }
    const seen = new Set<string>();
    (r.day_of_week ?? []).forEach((day, k) => {
      if (!DAYS.includes(day)) problems.push(`${at}.day_of_week[${k}]: "${day}" is not a day`);
      else if (seen.has(day)) problems.push(`${at}.day_of_week[${k}]: ${day} is listed twice`);
      seen.add(day);
    });
  });
  return problems;
}

/**
 * Checks the business rules of a Tariff its version adapter has read (the schema is the
 * adapter's); throws an OCPI 2001 listing the problems otherwise (at most five in the
 * message, all in `details`).
 */
export function validTariff(tariff: Tariff): Tariff {
  const problems = tariffProblems(tariff);
  if (problems.length) throw invalid(problems.slice(0, 5).join('; '), { problems });
  return tariff;
}
