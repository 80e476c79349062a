import type { FieldChange, LocationJson } from './entities.ts';

/**
 * Fields whose change must be reviewed before the app shows it: where the site is, and what
 * a driver can plug in at what power and price. Everything else (status, names, opening
 * times, images, an EVSE set to REMOVED) publishes at once.
 */
const LOCATION_FIELDS = ['coordinates', 'address', 'city', 'postal_code', 'state', 'country'] as const;
const CONNECTOR_FIELDS = ['standard', 'format', 'power_type', 'max_voltage', 'max_amperage', 'max_electric_power', 'tariff_ids'] as const;

/** A flat map `field path → value` of the key fields, EVSEs and connectors addressed by their ids. */
export function keyFields(location: LocationJson | null | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!location) return out;
  for (const field of LOCATION_FIELDS) out.set(field, location[field] ?? null);
  for (const evse of location.evses ?? []) {
    for (const connector of evse.connectors ?? []) {
      for (const field of CONNECTOR_FIELDS) out.set(`evses[${evse.uid}].connectors[${connector.id}].${field}`, connector[field] ?? null);
    }
  }
  return out;
}

/** Key-field changes from `before` (the published version, or nothing) to `after`. */
export function keyFieldChanges(before: LocationJson | null | undefined, after: LocationJson): FieldChange[] {
  const a = keyFields(before);
  const b = keyFields(after);
  const changes: FieldChange[] = [];
  for (const field of new Set([...a.keys(), ...b.keys()])) {
    const was = a.has(field) ? a.get(field) : null;
    const now = b.has(field) ? b.get(field) : null;
    if (canonical(was) !== canonical(now)) changes.push({ field, before: was, after: now });
  }
  return changes;
}

/** JSON with object keys sorted, so {latitude, longitude} and {longitude, latitude} compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
