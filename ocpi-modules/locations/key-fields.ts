import type { ConnectorJson, EvseJson, FieldChange, LocationJson } from './entities.ts';

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
      for (const field of CONNECTOR_FIELDS) out.set(connectorPath(evse.uid, connector.id, field), connector[field] ?? null);
    }
  }
  return out;
}

const connectorPath = (evseUid: string, connectorId: string, field: string) => `evses[${evseUid}].connectors[${connectorId}].${field}`;

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

/** Two key-field values are the same value (object key order aside). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * `current` with the key fields named in `held` (keyFields paths) kept as they are in
 * `published`: what the app may see while those changes are not approved. A connector the
 * published version does not have cannot be held at an approved value, so it is left out (and an
 * EVSE left without connectors with it); one the partner dropped comes back as approved.
 */
export function holdKeyFields(current: LocationJson, published: LocationJson, held: Set<string>): LocationJson {
  const out: LocationJson = { ...current };
  for (const field of LOCATION_FIELDS) if (held.has(field)) setOrDelete(out, field, published[field]);
  if (!current.evses) return out;
  const isHeld = (uid: string, id: string) => CONNECTOR_FIELDS.some((f) => held.has(connectorPath(uid, id, f)));
  out.evses = current.evses.flatMap((evse): EvseJson[] => {
    const approved = published.evses?.find((e) => e.uid === evse.uid);
    const connectors: ConnectorJson[] = [];
    for (const connector of evse.connectors ?? []) {
      if (!isHeld(evse.uid, connector.id)) {
        connectors.push(connector);
        continue;
      }
      const was = approved?.connectors?.find((c) => c.id === connector.id);
      if (!was) continue;
      const kept = { ...connector };
      for (const field of CONNECTOR_FIELDS) if (held.has(connectorPath(evse.uid, connector.id, field))) setOrDelete(kept, field, was[field]);
      connectors.push(kept);
    }
    for (const was of approved?.connectors ?? []) {
      if (!evse.connectors?.some((c) => c.id === was.id) && isHeld(evse.uid, was.id)) connectors.push(was);
    }
    return connectors.length ? [{ ...evse, connectors }] : [];
  });
  return out;
}

function setOrDelete(target: Record<string, unknown>, field: string, value: unknown): void {
  if (value === undefined) delete target[field];
  else target[field] = value;
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
