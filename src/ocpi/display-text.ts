/**
 * Characters that change how text is shown without being text: bidirectional overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) can make "Station A" render as something else in the
 * app, and zero-width spaces, word joiners and the BOM (U+200B, U+2060–U+2064, U+FEFF) hide
 * differences between names that look the same. They are stripped from what drivers are shown
 * (locations, EVSEs, connectors and tariffs as the partner sends them); zero-width (non-)joiners
 * U+200C/U+200D stay, because Persian, Indic scripts and emoji need them.
 */
const INVISIBLE = /[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const DISPLAYED = new Set(['Location', 'LocationPatch', 'Evse', 'EvsePatch', 'Connector', 'ConnectorPatch', 'Tariff']);

export const isDisplayedObject = (type: string) => DISPLAYED.has(type);

/** Strips the invisible formatting characters from every string of `value`, in place; true when any was found. */
export function stripInvisibleFormatting(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 30) return false;
  let stripped = false;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, item] of entries) {
    if (typeof item === 'string') {
      INVISIBLE.lastIndex = 0;
      if (!INVISIBLE.test(item)) continue;
      (value as Record<string | number, unknown>)[key] = item.replace(INVISIBLE, '');
      stripped = true;
    } else stripped = stripInvisibleFormatting(item, depth + 1) || stripped;
  }
  return stripped;
}
