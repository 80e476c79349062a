/** OCPI DateTime: UTC, `Z` or no zone designator, never an offset; at most 25 characters. */
export const DATETIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z?$/;

export function parseDateTime(value: string): Date | undefined {
  if (value.length > 25 || !DATETIME_PATTERN.test(value)) return undefined;
  const date = new Date(value.endsWith('Z') ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** What the hub emits: always UTC with `Z` and milliseconds. */
export function formatDateTime(date: Date): string {
  return date.toISOString();
}
