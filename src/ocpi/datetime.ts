/** OCPI DateTime: UTC, `Z` or no zone designator, never an offset; at most 25 characters. */
export const DATETIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z?$/;

export function parseDateTime(value: string): Date | undefined {
  if (value.length > 25 || !DATETIME_PATTERN.test(value)) return undefined;
  const date = new Date(value.endsWith('Z') ? value : `${value}Z`);
  // Date rolls 2030-02-30 over to March 2 and 24:00:00 to the next day: refuse what does not round-trip.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== value.slice(0, 19)) return undefined;
  return date;
}

/** What the hub emits: always UTC with `Z` and milliseconds. */
export function formatDateTime(date: Date): string {
  return date.toISOString();
}
