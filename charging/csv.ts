/**
 * CSV for spreadsheets: RFC 4180 quoting, CRLF, a UTF-8 byte-order mark (so partner names
 * with accents open right in Excel), and text that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`) prefixed with `'`. Numbers are written as numbers.
 */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return String(value);
    let text = String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `\ufeff${[columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\r\n')}\r\n`;
}
