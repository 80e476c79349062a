/**
 * Named tolerances: deviations from OCPI 2.2.1 that real partners have and that do not endanger
 * our data. Each is off by default, switched on per partner by an operator (audited), and every
 * use is counted on the partner. What a tolerance accepts is normalised into the canonical form
 * before validation, so nothing downstream ever sees the deviation.
 */
const TOLERANCES = {
  COORDINATES_FEWER_DECIMALS: {
    accepts: 'GeoLocation latitude/longitude with 0 to 4 decimals (2.2.1 asks for 5 to 7); padded with zeros to 5 decimals.',
    risk: 'Positions are as coarse as sent: 4 decimals is about 11 m, 3 about 110 m, so a pin may sit beside the site.',
  },
  DATETIME_WITH_OFFSET: {
    accepts: 'DateTime values with a UTC offset (2026-01-31T13:00:00+01:00) instead of UTC; converted to UTC.',
    risk: 'None for the instant itself; the partner may also get other time zone handling wrong (opening hours are local times and are not touched).',
  },
  VERSION_DETAILS_WITHOUT_CREDENTIALS: {
    accepts: 'Version details that list no credentials endpoint, during the handshake and later discovery.',
    risk: 'The hub cannot rotate or update its credentials towards that partner (the partner view says so); a leaked token must be replaced by resetting the partner.',
  },
} as const;

export type ToleranceName = keyof typeof TOLERANCES;

export const TOLERANCE_NAMES = Object.keys(TOLERANCES) as ToleranceName[];

export function isToleranceName(value: unknown): value is ToleranceName {
  return typeof value === 'string' && (TOLERANCE_NAMES as string[]).includes(value);
}

const FEW_DECIMALS = /^(-?\d{1,3})(?:\.(\d{0,4}))?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?[+-]\d{2}:?\d{2}$/;

/** Tolerances that rewrite a payload, in the order they apply. */
const NORMALISERS: Partial<Record<ToleranceName, (value: unknown) => boolean>> = {
  COORDINATES_FEWER_DECIMALS: (root) =>
    visitObjects(root, (object) => {
      let changed = false;
      for (const field of ['latitude', 'longitude']) {
        const raw = object[field];
        const m = typeof raw === 'string' && typeof object.latitude === 'string' && typeof object.longitude === 'string' ? FEW_DECIMALS.exec(raw) : null;
        if (!m) continue;
        object[field] = `${m[1]}.${(m[2] ?? '').padEnd(5, '0')}`;
        changed = true;
      }
      return changed;
    }),
  DATETIME_WITH_OFFSET: (root) =>
    visitObjects(root, (object) => {
      let changed = false;
      for (const [field, raw] of Object.entries(object)) {
        if (typeof raw !== 'string' || !WITH_OFFSET.test(raw)) continue;
        const date = new Date(raw);
        if (Number.isNaN(date.getTime())) continue;
        object[field] = date.toISOString().replace('.000Z', 'Z');
        changed = true;
      }
      return changed;
    }),
};

/** Rewrites `value` in place with the enabled tolerances; returns the names of those that changed something. */
export function applyTolerances(value: unknown, enabled: ReadonlySet<ToleranceName>): ToleranceName[] {
  const used: ToleranceName[] = [];
  for (const name of TOLERANCE_NAMES) {
    const normalise = NORMALISERS[name];
    if (normalise && enabled.has(name) && normalise(value)) used.push(name);
  }
  return used;
}

/** Calls `fn` on every object inside `value`; true when any call changed something. */
function visitObjects(value: unknown, fn: (object: Record<string, unknown>) => boolean, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 30) return false;
  let changed = false;
  if (Array.isArray(value)) {
    for (const item of value) changed = visitObjects(item, fn, depth + 1) || changed;
    return changed;
  }
  const object = value as Record<string, unknown>;
  changed = fn(object);
  for (const child of Object.values(object)) changed = visitObjects(child, fn, depth + 1) || changed;
  return changed;
}
