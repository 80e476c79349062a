import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { oneAtATime } from '../../src/db/one-at-a-time.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError, invalid } from '../../src/errors.ts';
import type { Partner } from '../../src/partners/api.ts';
import type { Logger } from '../../src/observability/log.ts';
import { parseDateTime } from '../../src/ocpi/datetime.ts';
import {
  EvseEntity,
  LocationEntity,
  LocationReviewEntity,
  locationKey,
  type EvseJson,
  type EvseRecord,
  type LocationJson,
  type LocationRecord,
} from './entities.ts';
import { locationProblems } from './business-rules.ts';
import { holdKeyFields, keyFieldChanges, sameValue } from './key-fields.ts';
import { supersede } from './review-lifecycle.ts';
import { clearRejections, rejectedBeforeFlags, splitChanges } from './rejections.ts';

/**
 * Applying a CPO's PUT or PATCH at location, EVSE or connector level: validate the result as
 * a whole, then write it, its EVSE rows and its publication (or review) in one transaction.
 */
export type Level = 'location' | 'evse' | 'connector';

export interface Target {
  countryCode: string;
  partyId: string;
  locationId: string;
  evseUid?: string;
  connectorId?: string;
}

export interface WriteOutcome {
  created: boolean;
  applied: boolean;
  reviewId?: string;
  published: boolean;
}

export interface WriteInput {
  partner: Partner;
  method: 'PUT' | 'PATCH';
  level: Level;
  target: Target;
  body: Record<string, any>;
  now: Date;
  log: Logger;
  /** Tariff ids (upper-cased) that the hub knows for this party; others are flagged for review. */
  knownTariffs(ids: string[]): Promise<Set<string>>;
}

const same = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.toUpperCase() === b.toUpperCase();

function time(value: unknown): number {
  return typeof value === 'string' ? (parseDateTime(value)?.getTime() ?? 0) : 0;
}

/** The later of two OCPI DateTimes, as the text it came in. */
function later(a: string | undefined, b: string): string {
  return a && time(a) >= time(b) ? a : b;
}

export async function writeLocation(em: EntityManager, input: WriteInput): Promise<WriteOutcome> {
  const { target, body, level, method, now } = input;
  const key = locationKey(target.countryCode, target.partyId, target.locationId);
  return oneAtATime(`location:${key}`, () => em.transactional(async (tx) => {
    // A row lock cannot serialise writers of a location that does not exist yet (50 concurrent first
    // PUTs collided on the unique keys): every writer of this key queues on one transaction lock.
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`location:${key}`]);
    const record = await tx.findOne(LocationEntity, { locationKey: key }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!record && !(level === 'location' && method === 'PUT')) throw new HubError('NOT_FOUND', `unknown location ${target.locationId}`);

    const before = record?.current;
    const applied = apply(before, input);
    if (applied.stale) {
      input.log.info({ level, target, incoming: body.last_updated, stored: applied.storedLastUpdated }, 'out-of-order update ignored: older than what is stored');
      return { created: false, applied: false, published: false };
    }
    const next = applied.location;

    const problems = locationProblems(next, { relaxCountryCheck: input.partner.relaxCountryCheck });
    const known = new Set((before?.evses ?? []).map((e) => e.uid.toUpperCase()));
    const uidClash = await reusedEvseUids(tx, next, record?.id, known);
    problems.push(...uidClash);
    if (problems.length) throw invalid(problems.join('; '), { problems });

    const row = record ?? tx.create(LocationEntity, {
      id: randomUUID(),
      partnerId: input.partner.id,
      countryCode: next.country_code,
      partyId: next.party_id,
      locationId: next.id,
      locationKey: key,
      current: next,
      lastUpdated: parseDateTime(next.last_updated)!,
      publishFlag: next.publish !== false,
      createdAt: now,
      updatedAt: now,
    });
    row.current = next;
    row.lastUpdated = parseDateTime(next.last_updated)!;
    row.updatedAt = now;
    tx.persist(row);
    const evseRows = await syncEvseRows(tx, row, input.partner, applied.statusRefreshed, now);

    const outcome = await decidePublication(tx, row, evseRows, before, input.partner, () => tariffFlags(next, input), now);
    return { created: applied.created, applied: true, ...outcome };
  }));
}

interface Applied {
  location: LocationJson;
  created: boolean;
  stale: boolean;
  storedLastUpdated?: string;
  /** Uids of the EVSEs whose status this write reported (refreshing their freshness). */
  statusRefreshed: Set<string>;
}

/** The location as it is after this write, or `stale` when the write is older than what it replaces. */
function apply(current: LocationJson | undefined, input: WriteInput): Applied {
  const { level, method, target, body } = input;
  const refreshed = new Set<string>();
  const allStatuses = (loc: LocationJson) => (loc.evses ?? []).forEach((e) => refreshed.add(e.uid.toUpperCase()));

  if (level === 'location') {
    if (current && time(body.last_updated) < time(current.last_updated)) return { location: current, created: false, stale: true, storedLastUpdated: current.last_updated, statusRefreshed: refreshed };
    const next = (method === 'PUT' ? { ...body } : { ...current!, ...body }) as LocationJson;
    if (body.evses !== undefined || method === 'PUT') next.evses = keepRemovedEvses(current?.evses ?? [], (next.evses ?? []) as EvseJson[], body.last_updated);
    if (body.evses) allStatuses({ ...next, evses: body.evses });
    return { location: next, created: !current, stale: false, statusRefreshed: refreshed };
  }

  const location: LocationJson = { ...current!, evses: [...(current!.evses ?? [])] };
  const evses = location.evses!;
  const evseIndex = evses.findIndex((e) => same(e.uid, target.evseUid));
  if (level === 'evse') {
    const existing = evses[evseIndex];
    if (!existing && method === 'PATCH') throw new HubError('NOT_FOUND', `unknown EVSE ${target.evseUid} in location ${target.locationId}`);
    if (existing && time(body.last_updated) < time(existing.last_updated)) return { location: current!, created: false, stale: true, storedLastUpdated: existing.last_updated, statusRefreshed: refreshed };
    const evse = (method === 'PUT' ? { ...body } : { ...existing!, ...body }) as EvseJson;
    if (existing) evses[evseIndex] = evse;
    else evses.push(evse);
    if (body.status !== undefined) refreshed.add(evse.uid.toUpperCase());
    location.last_updated = later(location.last_updated, body.last_updated);
    return { location, created: !existing, stale: false, statusRefreshed: refreshed };
  }

  const evse = evses[evseIndex];
  if (!evse) throw new HubError('NOT_FOUND', `unknown EVSE ${target.evseUid} in location ${target.locationId}`);
  const connectors = [...(evse.connectors ?? [])];
  const connectorIndex = connectors.findIndex((c) => same(c.id, target.connectorId));
  const existing = connectors[connectorIndex];
  if (!existing && method === 'PATCH') throw new HubError('NOT_FOUND', `unknown connector ${target.connectorId} of EVSE ${target.evseUid}`);
  if (existing && time(body.last_updated) < time(existing.last_updated)) return { location: current!, created: false, stale: true, storedLastUpdated: existing.last_updated, statusRefreshed: refreshed };
  const connector = method === 'PUT' ? { ...body } : { ...existing!, ...body };
  if (existing) connectors[connectorIndex] = connector as EvseJson['connectors'][number];
  else connectors.push(connector as EvseJson['connectors'][number]);
  evses[evseIndex] = { ...evse, connectors, last_updated: later(evse.last_updated, body.last_updated) };
  location.last_updated = later(location.last_updated, body.last_updated);
  return { location, created: !existing, stale: false, statusRefreshed: refreshed };
}

/** EVSEs are never deleted: one a PUT leaves out is kept with status REMOVED. */
function keepRemovedEvses(before: EvseJson[], after: EvseJson[], lastUpdated: string): EvseJson[] {
  const missing = before.filter((old) => !after.some((e) => same(e.uid, old.uid)));
  return [...after, ...missing.map((e) => (e.status === 'REMOVED' ? e : { ...e, status: 'REMOVED', last_updated: lastUpdated }))];
}

/** EVSE uids new to this location that another location of the party already uses. */
async function reusedEvseUids(em: EntityManager, location: LocationJson, ownId: string | undefined, known: Set<string>): Promise<string[]> {
  const evses = location.evses ?? [];
  if (!evses.some((e) => !known.has(e.uid.toUpperCase()))) return [];
  const keys = evses.map((e) => locationKey(location.country_code, location.party_id, e.uid));
  const rows = await em.find(EvseEntity, { evseKey: { $in: keys }, ...(ownId ? { locationRef: { $ne: ownId } } : {}) });
  if (!rows.length) return [];
  const owners = await em.find(LocationEntity, { id: { $in: rows.map((r) => r.locationRef) } });
  return rows.map((row) => {
    const i = evses.findIndex((e) => same(e.uid, row.evseUid));
    const owner = owners.find((o) => o.id === row.locationRef);
    return `evses[${i}].uid: "${row.evseUid}" is already used by location ${owner?.locationId ?? row.locationRef} (EVSE uids are unique per party, forever)`;
  });
}

/** Brings the location's EVSE rows in line with its current data; returns all of them, new ones included. */
async function syncEvseRows(em: EntityManager, location: LocationRecord, partner: Partner, refreshed: Set<string>, now: Date): Promise<EvseRecord[]> {
  const rows = await em.find(EvseEntity, { locationRef: location.id });
  for (const evse of location.current.evses ?? []) {
    const uidKey = evse.uid.toUpperCase();
    let row = rows.find((r) => r.evseUid.toUpperCase() === uidKey);
    if (!row) {
      row = em.create(EvseEntity, {
        id: randomUUID(),
        locationRef: location.id,
        partnerId: partner.id,
        evseUid: evse.uid,
        evseKey: locationKey(location.countryCode, location.partyId, evse.uid),
        status: evse.status,
        statusReportedAt: now,
        lastUpdated: parseDateTime(evse.last_updated) ?? now,
        published: false,
      });
      em.persist(row);
      rows.push(row);
    }
    if (refreshed.has(uidKey)) row.statusReportedAt = now;
    row.status = evse.status;
    row.lastUpdated = parseDateTime(evse.last_updated) ?? row.lastUpdated;
  }
  return rows;
}

async function tariffFlags(location: LocationJson, input: WriteInput): Promise<string[]> {
  const ids = new Set<string>();
  for (const evse of location.evses ?? []) for (const c of evse.connectors ?? []) for (const id of (c.tariff_ids as string[] | null) ?? []) ids.add(id);
  if (!ids.size) return [];
  const known = await input.knownTariffs([...ids].map((id) => id.toUpperCase()));
  return [...ids].filter((id) => !known.has(id.toUpperCase())).map((id) => `tariff_ids: "${id}" names no tariff the hub holds`);
}

/**
 * What the app may see. Key-field changes (and a new location) wait for review, unless the
 * partner is trusted and nothing is flagged (or is a sandbox partner); everything else publishes at once, with the key
 * fields not yet approved kept at their published values. A value rejected before is never
 * reviewed again (rejections.ts): it stays held. A newer change replaces a review still
 * pending; one that leaves the changes to review as they were keeps it.
 */
async function decidePublication(
  em: EntityManager,
  row: LocationRecord,
  evseRows: EvseRecord[],
  before: LocationJson | undefined,
  partner: Partner,
  tariffFlags: () => Promise<string[]>,
  now: Date,
): Promise<{ published: boolean; reviewId?: string }> {
  const pending = await em.findOne(LocationReviewEntity, { locationRef: row.id, state: 'PENDING' });
  const split = await splitChanges(em, row);
  const held = new Set(split.held.map((c) => c.field));
  const everyChange = new Set(split.changes.map((c) => c.field));
  const show = async (fields: Set<string>) => {
    if (!row.published) return false;
    await publish(em, row, now, evseRows, fields);
    return true;
  };

  // Only a write that touched key fields opens a review (and replaces a pending one).
  const touched = keyFieldChanges(before, row.current).length > 0;
  if (!split.open.length || (!touched && !pending)) {
    if (pending) supersede(em, pending, now);
    return { published: await show(everyChange) };
  }
  // Nothing was ever approved: the whole location is reviewed, rejected values pointed out.
  const diff = row.published ? split.open : split.changes;
  const flags = [...(await tariffFlags()), ...(row.published ? [] : rejectedBeforeFlags(split))];
  // A sandbox partner's locations show to itself only: nobody reviews them, flags or not.
  if ((partner.trusted && !flags.length) || partner.sandbox) {
    if (pending) supersede(em, pending, now);
    await clearRejections(em, row.id, diff.map((c) => c.field));
    await publish(em, row, now, evseRows, held);
    return { published: true };
  }
  if (pending && sameValue(pending.diff, diff)) {
    pending.flags = flags;
    return { published: await show(everyChange), reviewId: pending.id };
  }
  if (pending) {
    supersede(em, pending, now);
    await em.flush();
  }
  const review = em.create(LocationReviewEntity, {
    id: randomUUID(),
    locationRef: row.id,
    partnerId: partner.id,
    kind: row.published ? 'CHANGE' : 'NEW',
    state: 'PENDING',
    diff,
    flags,
    snapshot: row.current,
    submittedAt: now,
  });
  em.persist(review);
  return { published: await show(everyChange), reviewId: review.id };
}

/**
 * Makes the partner's current data what the app sees, with the key fields in `held` kept at their
 * published values. `evses`: the location's EVSE rows when the caller has them loaded.
 */
export async function publish(em: EntityManager, row: LocationRecord, now: Date, evses?: EvseRecord[], held: Set<string> = new Set()): Promise<void> {
  const shown = row.published && held.size ? holdKeyFields(row.current, row.published, held) : row.current;
  row.published = shown;
  row.publishedAt = now;
  row.publishFlag = shown.publish !== false;
  row.lat = shown.coordinates ? Number(shown.coordinates.latitude) : null;
  row.lon = shown.coordinates ? Number(shown.coordinates.longitude) : null;
  const uids = new Set((shown.evses ?? []).map((e) => e.uid.toUpperCase()));
  const rows = evses ?? (await em.find(EvseEntity, { locationRef: row.id }));
  for (const evse of rows) evse.published = uids.has(evse.evseUid.toUpperCase());
}
