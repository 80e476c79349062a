import type { Decimal } from 'decimal.js';
import type { DayOfWeek, TariffRestrictions } from '../src/ocpi/types.ts';

/**
 * TariffRestrictions (OCPI 2.2.1 mod_tariffs) tested against the state of a session at one
 * moment. The pricing engine asks at the start of every charging period: the spec obliges the
 * CPO to start a new period whenever another price component becomes active (mod_cdrs
 * "ChargingPeriod"), so a restriction cannot change its verdict inside a period it was given.
 */

/** A moment as the location's clock and calendar show it. */
export interface LocalMoment {
  /** YYYY-MM-DD, compares correctly as a string. */
  date: string;
  secondOfDay: number;
  weekday: DayOfWeek;
}

/** A measured quantity over a period: the lowest and highest value reached, where known. */
export interface Reading {
  min?: number;
  max?: number;
}

export interface SessionState {
  local: LocalMoment;
  /** Since the session started. */
  elapsedMs: number;
  /** Energy charged in the session before this moment. */
  kwhSoFar: Decimal;
  /** Amperes, summed over the phases. */
  current: Reading;
  /** Kilowatts. */
  power: Reading;
}

const SECONDS_PER_DAY = 24 * 60 * 60;
const TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const DATE = /^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const DAYS: readonly DayOfWeek[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

const isSet = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/**
 * Formatters by zone, kept for the process: building one costs far more than formatting with
 * it (a fifth of pricing a session). Only valid zones are kept, so the map stays as small as
 * the IANA list whatever partners send.
 */
const FORMATS = new Map<string, Intl.DateTimeFormat>();

function newFormat(timeZone: string): Intl.DateTimeFormat {
  try {
    if (typeof timeZone !== 'string' || timeZone === '') throw new RangeError('empty');
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'long',
    });
    FORMATS.set(timeZone, format);
    return format;
  } catch {
    throw new Error(`timeZone: ${JSON.stringify(timeZone)} is not a known IANA time zone`);
  }
}

/** A converter from UTC milliseconds to the wall clock of `timeZone`. */
export function localClock(timeZone: string): (epochMs: number) => LocalMoment {
  const format = FORMATS.get(timeZone) ?? newFormat(timeZone);
  return (epochMs) => {
    const part: Record<string, string> = {};
    for (const p of format.formatToParts(epochMs)) part[p.type] = p.value;
    return {
      date: `${part.year}-${part.month}-${part.day}`,
      secondOfDay: Number(part.hour) * 3600 + Number(part.minute) * 60 + Number(part.second),
      weekday: String(part.weekday).toUpperCase() as DayOfWeek,
    };
  };
}

/** Malformed restrictions would otherwise silently never (or always) match; say which field is wrong. */
export function checkRestrictions(r: TariffRestrictions | null | undefined, at: string): void {
  if (!isSet(r)) return;
  for (const name of ['start_time', 'end_time'] as const) {
    const value = r[name];
    if (isSet(value) && !TIME.test(value)) throw new Error(`${at}.${name}: ${JSON.stringify(value)} is not a time of day HH:MM`);
  }
  for (const name of ['start_date', 'end_date'] as const) {
    const value = r[name];
    if (isSet(value) && !DATE.test(value)) throw new Error(`${at}.${name}: ${JSON.stringify(value)} is not a date YYYY-MM-DD`);
  }
  for (const name of ['min_kwh', 'max_kwh', 'min_current', 'max_current', 'min_power', 'max_power', 'min_duration', 'max_duration'] as const) {
    const value = r[name];
    if (isSet(value) && !Number.isFinite(value)) throw new Error(`${at}.${name}: ${JSON.stringify(value)} is not a number`);
  }
  for (const day of r.day_of_week ?? []) {
    if (!DAYS.includes(day)) throw new Error(`${at}.day_of_week: ${JSON.stringify(day)} is not a DayOfWeek`);
  }
}

/** All the set restrictions hold (they are ANDed); an element without restrictions always applies. */
export function restrictionsMatch(r: TariffRestrictions | null | undefined, s: SessionState): boolean {
  if (!isSet(r)) return true;
  // Reservation elements price the reservation, which is not part of a charging session's periods.
  if (isSet(r.reservation)) return false;
  return (
    timeOfDayMatches(r.start_time, r.end_time, s.local.secondOfDay) &&
    dateMatches(r.start_date, r.end_date, s.local.date) &&
    (!r.day_of_week?.length || r.day_of_week.includes(s.local.weekday)) &&
    (!isSet(r.min_kwh) || s.kwhSoFar.gte(r.min_kwh)) &&
    (!isSet(r.max_kwh) || s.kwhSoFar.lt(r.max_kwh)) &&
    (!isSet(r.min_duration) || s.elapsedMs >= r.min_duration * 1000) &&
    (!isSet(r.max_duration) || s.elapsedMs < r.max_duration * 1000) &&
    readingMatches(s.current, r.min_current, r.max_current) &&
    readingMatches(s.power, r.min_power, r.max_power)
  );
}

const secondOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3, 5)) * 60;

/**
 * start_time inclusive, end_time exclusive. The spec says "to stop at end of the day use: 00:00",
 * so an end of 00:00 is read as 24:00. An end before the start wraps past midnight. Equal start
 * and end (the spec is silent) are read as a window of a full day rather than an empty one.
 */
function timeOfDayMatches(start: string | null | undefined, end: string | null | undefined, second: number): boolean {
  const from = isSet(start) ? secondOf(start) : 0;
  const to = isSet(end) && secondOf(end) !== 0 ? secondOf(end) : SECONDS_PER_DAY;
  return from < to ? second >= from && second < to : second >= from || second < to;
}

/** start_date inclusive, end_date exclusive, both local calendar days. */
function dateMatches(start: string | null | undefined, end: string | null | undefined, date: string): boolean {
  return (!isSet(start) || date >= start) && (!isSet(end) || date < end);
}

/**
 * min_* holds when the lowest value of the period reached the limit (inclusive); max_* holds when
 * the highest stayed below it (exclusive, as max_kwh and max_duration are). A restriction on a
 * quantity the period does not report cannot be shown to hold, so the element does not apply and
 * evaluation falls through to later elements (typically the unrestricted fallback the spec advises).
 */
function readingMatches(reading: Reading, min: number | null | undefined, max: number | null | undefined): boolean {
  if (isSet(min) && !(reading.min !== undefined && reading.min >= min)) return false;
  if (isSet(max) && !(reading.max !== undefined && reading.max < max)) return false;
  return true;
}
