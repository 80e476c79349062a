/**
 * Characters that change how text is shown without being text: bidirectional overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) can make "Station A" render as something else in the
 * app, and zero-width spaces, word joiners and the BOM (U+200B, U+2060–U+2064, U+FEFF) hide
 * differences between names that look the same. They are stripped from what drivers are shown
 * (locations, EVSEs, connectors and tariffs as the partner sends them); zero-width (non-)joiners
 * U+200C/U+200D stay, because Persian, Indic scripts and emoji need them.
 */
const INVISIBLE = /[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const FOUND = new RegExp(INVISIBLE.source);

const DISPLAYED = new Set(['Location', 'LocationPatch', 'Evse', 'EvsePatch', 'Connector', 'ConnectorPatch', 'Tariff']);

export const isDisplayedObject = (type: string) => DISPLAYED.has(type);

/** Whether any string of `value` carries invisible formatting (so a copy need be stripped at all). */
export function hasInvisibleFormatting(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return FOUND.test(value);
  if (value === null || typeof value !== 'object' || depth > 30) return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((item) => hasInvisibleFormatting(item, depth + 1));
}

/** Strips the invisible formatting characters from every string of `value`, in place. */
export function stripInvisibleFormatting(value: unknown, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 30) return;
  const record = value as Record<string | number, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === 'string') record[key] = item.replace(INVISIBLE, '');
    else stripInvisibleFormatting(item, depth + 1);
  }
}
