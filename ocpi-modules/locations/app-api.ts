import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../src/services.ts';
import { requireApiKey, type ApiState } from '../../src/api/frame.ts';
import { invalid, isUuid, notFound } from '../../src/errors.ts';
import { appViews, type LocationRow } from './app-view.ts';
import { confirmedSql } from './freshness.ts';

/**
 * The app's locations API: only approved, published locations of active (non-sandbox) partners not hidden
 * by the circuit breaker, with at least one EVSE that is not REMOVED. Geo filters use the
 * GiST index on `geo`; `near` orders by distance.
 */
const MAX_LIMIT = 200;
const EARTH_RADIUS_M = 6_371_000;

interface Filters {
  near?: { lat: number; lon: number; radius: number };
  bbox?: [number, number, number, number];
  availableOnly: boolean;
  limit: number;
  cursor?: { distance?: number; id: string };
}

function number(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw invalid(`${name}: "${raw}" must be a number from ${min} to ${max}`);
  return value;
}

function parseFilters(query: Record<string, unknown>): Filters {
  const str = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  const filters: Filters = { availableOnly: str('available_only') === 'true', limit: 50 };
  const near = str('near');
  if (near !== undefined) {
    const [lat, lon, extra] = near.split(',');
    if (lat === undefined || lon === undefined || extra !== undefined) throw invalid('near: must be "lat,lon"');
    filters.near = { lat: number('near latitude', lat, -90, 90), lon: number('near longitude', lon, -180, 180), radius: number('radius_m', str('radius_m') ?? '5000', 1, 200_000) };
  }
  const bbox = str('bbox');
  if (bbox !== undefined) {
    const parts = bbox.split(',');
    if (parts.length !== 4) throw invalid('bbox: must be "minLon,minLat,maxLon,maxLat"');
    const [minLon, minLat, maxLon, maxLat] = [number('bbox minLon', parts[0]!, -180, 180), number('bbox minLat', parts[1]!, -90, 90), number('bbox maxLon', parts[2]!, -180, 180), number('bbox maxLat', parts[3]!, -90, 90)];
    if (minLon > maxLon || minLat > maxLat) throw invalid('bbox: min must not exceed max');
    filters.bbox = [minLon, minLat, maxLon, maxLat];
  }
  if (filters.near && filters.bbox) throw invalid('near and bbox: use one of them');
  const limit = str('limit');
  if (limit !== undefined) filters.limit = number('limit', limit, 1, MAX_LIMIT);
  const cursor = str('cursor');
  if (cursor !== undefined) {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { d?: number; i: string };
      if (typeof parsed.i !== 'string') throw new Error();
      filters.cursor = { distance: parsed.d, id: parsed.i };
    } catch {
      throw invalid('cursor: not a cursor this API gave out');
    }
  }
  return filters;
}

// A sandbox partner's locations are its own: never shown to the app.
const VISIBLE = `l.published is not null and l.publish_flag and p.status = 'ACTIVE' and not p.map_hidden and not p.sandbox
  and exists (select 1 from evses e where e.location_id = l.id and e.published and e.status <> 'REMOVED')`;

async function queryLocations(services: Services, em: ApiState['em'], filters: Filters) {
  const now = services.clock.now();
  const cutoff = new Date(now.getTime() - services.config.freshnessThresholdSeconds * 1000);
  const where = [VISIBLE];
  const params: unknown[] = [];
  let distance = 'null::double precision';
  if (filters.near) {
    const { lat, lon, radius } = filters.near;
    const dLat = (radius / EARTH_RADIUS_M) * (180 / Math.PI);
    const dLon = dLat / Math.max(Math.cos((lat * Math.PI) / 180), 0.01);
    where.push(`l.geo <@ box(point(?, ?), point(?, ?))`);
    params.push(lon - dLon, lat - dLat, lon + dLon, lat + dLat);
    distance = `(${EARTH_RADIUS_M} * 2 * asin(sqrt(power(sin(radians(l.lat - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(l.lat)) * power(sin(radians(l.lon - ${lon}) / 2), 2))))`;
    where.push(`${distance} <= ${radius}`);
  }
  if (filters.bbox) {
    where.push(`l.geo <@ box(point(?, ?), point(?, ?))`);
    params.push(...filters.bbox);
  }
  if (filters.availableOnly) {
    where.push(`p.missed_heartbeats < ? and exists (select 1 from evses e where e.location_id = l.id and e.published and e.status = 'AVAILABLE' and ${confirmedSql('e')} >= ?)`);
    params.push(services.config.partnerHeartbeatMisses, cutoff);
  }
  if (filters.cursor) {
    if (filters.near) {
      where.push(`(${distance}, l.id) > (?, ?)`);
      params.push(filters.cursor.distance ?? 0, filters.cursor.id);
    } else {
      where.push(`l.id > ?`);
      params.push(filters.cursor.id);
    }
  }
  const order = filters.near ? `${distance}, l.id` : 'l.id';
  const rows: LocationRow[] = await em.getConnection().execute(
    `select l.id, l.partner_id, l.published, l.published_at, ${distance} as distance_m, p.missed_heartbeats >= ${services.config.partnerHeartbeatMisses} as link_down
       from locations l join partners p on p.id = l.partner_id
      where ${where.join(' and ')}
      order by ${order} limit ${filters.limit + 1}`,
    params,
  );
  const page = rows.slice(0, filters.limit);
  const last = page.at(-1);
  const next = rows.length > filters.limit && last ? Buffer.from(JSON.stringify({ d: last.distance_m ?? undefined, i: last.id })).toString('base64url') : null;
  return { data: await appViews(em, page, now, services.config.freshnessThresholdSeconds), next_cursor: next };
}

export function appLocationsRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/locations' });
  router.use(requireApiKey(services, 'app', services.secrets.appApiKey));
  const em = (ctx: Context) => (ctx.state as ApiState).em;
  router.get('/', async (ctx) => {
    ctx.body = await queryLocations(services, em(ctx), parseFilters(ctx.query));
  });
  router.get('/:id', async (ctx) => {
    const id = ctx.params.id!;
    if (!isUuid(id)) throw notFound(`no location ${id}`);
    const rows: LocationRow[] = await em(ctx).getConnection().execute(
      `select l.id, l.partner_id, l.published, l.published_at, p.missed_heartbeats >= ${services.config.partnerHeartbeatMisses} as link_down from locations l join partners p on p.id = l.partner_id where l.id = ? and ${VISIBLE}`,
      [id],
    );
    if (!rows.length) throw notFound(`no location ${id}`);
    ctx.body = (await appViews(em(ctx), rows, services.clock.now(), services.config.freshnessThresholdSeconds))[0];
  });
  return router;
}
