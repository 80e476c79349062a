import { iso1A3Code, iso1A3Codes } from '@rapideditor/country-coder';
import type { ConnectorJson, EvseJson, LocationJson } from './entities.ts';

/**
 * Plausibility rules on top of the schema. Each problem names the field and the rule, e.g.
 * `evses[0].connectors[1].max_electric_power: 2500000 W exceeds 1 MW`.
 */
export interface RuleOptions {
  /** Operator's per-partner relaxation of the country check. */
  relaxCountryCheck: boolean;
}

const MAX_POWER_W = 1_000_000;
/** Highest plausible nominal voltage per power type (AC: line-to-neutral per OCPI; allow line-to-line reports). */
const MAX_VOLTAGE: Record<string, number> = { AC_1_PHASE: 480, AC_2_PHASE: 480, AC_2_PHASE_SPLIT: 480, AC_3_PHASE: 1000, DC: 1500 };
const MAX_AMPERAGE: Record<string, number> = { AC_1_PHASE: 80, AC_2_PHASE: 80, AC_2_PHASE_SPLIT: 80, AC_3_PHASE: 250, DC: 3000 };
const PHASES: Record<string, number> = { AC_1_PHASE: 1, AC_2_PHASE: 2, AC_2_PHASE_SPLIT: 2, AC_3_PHASE: 3, DC: 1 };

export function locationProblems(location: LocationJson, options: RuleOptions): string[] {
  const problems: string[] = [];
  problems.push(...coordinateProblems('coordinates', location.coordinates, location.country, options));
  if (location.time_zone != null && !isTimeZone(location.time_zone)) problems.push(`time_zone: "${location.time_zone}" is not an IANA time zone`);
  (location.evses ?? []).forEach((evse, i) => problems.push(...evseProblems(`evses[${i}]`, evse, location.country, options)));
  const uids = new Map<string, number>();
  (location.evses ?? []).forEach((evse, i) => {
    const key = String(evse.uid).toUpperCase();
    if (uids.has(key)) problems.push(`evses[${i}].uid: "${evse.uid}" is also evses[${uids.get(key)}].uid`);
    else uids.set(key, i);
  });
  return problems;
}

function evseProblems(path: string, evse: EvseJson, country: string | undefined, options: RuleOptions): string[] {
  const problems: string[] = [];
  if (evse.coordinates) problems.push(...coordinateProblems(`${path}.coordinates`, evse.coordinates, country, options));
  const ids = new Map<string, number>();
  (evse.connectors ?? []).forEach((connector, i) => {
    problems.push(...connectorProblems(`${path}.connectors[${i}]`, connector));
    const key = String(connector.id).toUpperCase();
    if (ids.has(key)) problems.push(`${path}.connectors[${i}].id: "${connector.id}" is also connectors[${ids.get(key)}].id`);
    else ids.set(key, i);
  });
  return problems;
}

function connectorProblems(path: string, c: ConnectorJson): string[] {
  const problems: string[] = [];
  const type = String(c.power_type);
  const v = c.max_voltage as number | undefined;
  const a = c.max_amperage as number | undefined;
  const p = c.max_electric_power as number | null | undefined;
  if (typeof v === 'number') {
    if (v <= 0) problems.push(`${path}.max_voltage: ${v} V must be positive`);
    else if (MAX_VOLTAGE[type] !== undefined && v > MAX_VOLTAGE[type]!) problems.push(`${path}.max_voltage: ${v} V is not plausible for ${type} (at most ${MAX_VOLTAGE[type]} V)`);
  }
  if (typeof a === 'number') {
    if (a <= 0) problems.push(`${path}.max_amperage: ${a} A must be positive`);
    else if (MAX_AMPERAGE[type] !== undefined && a > MAX_AMPERAGE[type]!) problems.push(`${path}.max_amperage: ${a} A is not plausible for ${type} (at most ${MAX_AMPERAGE[type]} A)`);
  }
  if (typeof p === 'number') {
    if (p <= 0) problems.push(`${path}.max_electric_power: ${p} W must be positive`);
    else if (p > MAX_POWER_W) problems.push(`${path}.max_electric_power: ${p} W exceeds 1 MW`);
    else if (typeof v === 'number' && typeof a === 'number' && v > 0 && a > 0) {
      const ceiling = v * a * (PHASES[type] ?? 1);
      // 1% slack for rounding in partners' own arithmetic.
      if (p > ceiling * 1.01) problems.push(`${path}.max_electric_power: ${p} W exceeds max_voltage × max_amperage × phases = ${ceiling} W`);
    }
  }
  return problems;
}

function coordinateProblems(path: string, coordinates: { latitude?: string; longitude?: string } | undefined, country: string | undefined, options: RuleOptions): string[] {
  if (!coordinates) return [];
  const lat = Number(coordinates.latitude);
  const lon = Number(coordinates.longitude);
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) return [`${path}.latitude: "${coordinates.latitude}" is not a latitude between -90 and 90`];
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) return [`${path}.longitude: "${coordinates.longitude}" is not a longitude between -180 and 180`];
  if (lat === 0 && lon === 0) return [`${path}: (0, 0) is not a charging location (missing coordinates?)`];
  if (!options.relaxCountryCheck && country) {
    const codes = iso1A3Codes([lon, lat]);
    if (!codes.includes(country.toUpperCase())) {
      const actual = iso1A3Code([lon, lat]);
      return [`${path}: (${coordinates.latitude}, ${coordinates.longitude}) is ${actual ? `in ${actual}` : 'in no country'}, not in ${country}`];
    }
  }
  return [];
}

/** Zones found valid, kept for the process (bounded by the IANA list; refused strings are not kept). */
const KNOWN_ZONES = new Set<string>();

function isTimeZone(zone: string): boolean {
  if (KNOWN_ZONES.has(zone)) return true;
  try {
    // Building a formatter is the check, and costly: once per zone.
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return false;
  }
  if (!zone.includes('/') && zone !== 'UTC') return false;
  KNOWN_ZONES.add(zone);
  return true;
}
