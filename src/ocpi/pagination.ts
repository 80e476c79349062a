import { invalid } from '../errors.ts';
import { parseDateTime } from './datetime.ts';

/**
 * OCPI pagination (transport_and_format §Pagination): `date_from` inclusive and `date_to`
 * exclusive on last_updated, `offset`/`limit` with the server's cap, oldest first, and the
 * Link / X-Total-Count / X-Limit headers.
 */
export interface Page {
  offset: number;
  limit: number;
  dateFrom?: Date;
  dateTo?: Date;
}

export function parsePage(query: Record<string, string | undefined>, maxLimit: number, options: { dateFromRequired?: boolean } = {}): Page {
  const page: Page = { offset: 0, limit: maxLimit };
  if (query.offset !== undefined) {
    if (!/^\d{1,9}$/.test(query.offset)) throw invalid(`offset: must be a non-negative integer, got "${query.offset}"`);
    page.offset = Number(query.offset);
  }
  if (query.limit !== undefined) {
    if (!/^\d{1,9}$/.test(query.limit)) throw invalid(`limit: must be a non-negative integer, got "${query.limit}"`);
    page.limit = Math.min(Number(query.limit), maxLimit);
  }
  for (const name of ['date_from', 'date_to'] as const) {
    const raw = query[name];
    if (raw === undefined) continue;
    const date = parseDateTime(raw);
    if (!date) throw invalid(`${name}: must be an OCPI DateTime in UTC such as 2026-01-31T12:00:00Z, got "${raw}"`);
    if (name === 'date_from') page.dateFrom = date;
    else page.dateTo = date;
  }
  if (options.dateFromRequired && !page.dateFrom) throw invalid('date_from: is required');
  if (page.dateFrom && page.dateTo && page.dateTo <= page.dateFrom) throw invalid('date_to: must be after date_from');
  return page;
}

/** Keeps `value` inside the page's date window (from inclusive, to exclusive). */
export function inWindow(page: Page, value: Date): boolean {
  return (!page.dateFrom || value >= page.dateFrom) && (!page.dateTo || value < page.dateTo);
}

/**
 * Headers of a page of `total` matching objects. `url` is the absolute URL of the list
 * endpoint; the next link repeats every original filter and is present only when more
 * objects remain.
 */
export function pageHeaders(url: string, query: Record<string, string | undefined>, page: Page, returned: number, total: number, maxLimit: number): Record<string, string> {
  const headers: Record<string, string> = { 'X-Total-Count': String(total), 'X-Limit': String(maxLimit) };
  const nextOffset = page.offset + returned;
  if (returned > 0 && nextOffset < total) {
    const next = new URL(url);
    for (const [key, value] of Object.entries(query)) if (value !== undefined && key !== 'offset' && key !== 'limit') next.searchParams.set(key, value);
    next.searchParams.set('offset', String(nextOffset));
    next.searchParams.set('limit', String(page.limit));
    headers.Link = `<${next.toString()}>; rel="next"`;
  }
  return headers;
}
