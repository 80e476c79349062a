import { isUuid } from '../../src/errors.ts';
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Tariff } from '../../src/ocpi/types.ts';
import { TariffVersionEntity, tariffKey, type TariffVersion } from './entities.ts';
import { dateTimeMillis } from './rules.ts';

/**
 * Tariff history: every version of every tariff a CPO pushed (or the pull-sync fetched), with
 * the interval in which the hub held it as the current one.
 *
 * Reading (what CDR pricing uses):
 * - {@link currentTariff}: the version the hub holds now.
 * - {@link tariffInForce}: the version the hub held at any past moment.
 * - {@link tariffVersion}: one version by its id (what a priced CDR should keep a reference to).
 * - {@link tariffHistory}: every version of a tariff, oldest first.
 *
 * Intervals are half-open, `[validFrom, validTo)`, on the **hub's** clock: `validFrom` is when the
 * hub accepted the version, `validTo` when a newer version replaced it or the CPO deleted the
 * tariff (null while current). They say nothing about the tariff's own `start_date_time` /
 * `end_date_time`: see {@link tariffWindowContains} for that.
 *
 * Ids are CiStrings: every lookup is case-insensitive (rows are keyed by the upper-cased
 * `country_code/party_id/id`). Results are plain copies, not managed entities: changing one
 * changes nothing stored, whatever the caller later flushes.
 */

/** Which tariff: the three parts of its Client-Owned-Object URL, in any case. */
export interface TariffRef {
  countryCode: string;
  partyId: string;
  tariffId: string;
}

/** One stored version of a tariff. */
export interface TariffVersionRecord {
  /** This version's id (uuid), stable forever. */
  versionId: string;
  /** The Tariff object exactly as the CPO sent it (a copy). */
  tariff: Tariff;
  /** The partner that pushed it. */
  partnerId: string;
  /** As the CPO spelt them in the body. */
  countryCode: string;
  partyId: string;
  tariffId: string;
  /** The CPO's `last_updated` of this version. */
  lastUpdated: Date;
  /** When the hub made it current (inclusive). */
  validFrom: Date;
  /** When it stopped being current (exclusive): replaced or deleted; null while current. */
  validTo: Date | null;
}

const keyOf = (ref: TariffRef) => tariffKey(ref.countryCode, ref.partyId, ref.tariffId);

function record(row: TariffVersion): TariffVersionRecord {
  return {
    versionId: row.id,
    tariff: structuredClone(row.body),
    partnerId: row.partnerId,
    countryCode: row.countryCode,
    partyId: row.partyId,
    tariffId: row.tariffId,
    lastUpdated: row.lastUpdated,
    validFrom: row.validFrom,
    validTo: row.validTo ?? null,
  };
}

// Read without the identity map: rows are snapshots and never become part of the caller's unit of work.
const READ = { disableIdentityMap: true } as const;

/** The version the hub holds now, or undefined (never pushed, or deleted). */
export async function currentTariff(em: EntityManager, ref: TariffRef): Promise<TariffVersionRecord | undefined> {
  const row = await em.findOne(TariffVersionEntity, { tariffKey: keyOf(ref), validTo: null }, READ);
  return row ? record(row) : undefined;
}

/**
 * The version in force at `at`: the one with `validFrom <= at < validTo`. Undefined when the
 * hub held none then: before the first PUT, or after a DELETE (until a new PUT).
 */
export async function tariffInForce(em: EntityManager, ref: TariffRef, at: Date): Promise<TariffVersionRecord | undefined> {
  const row = await em.findOne(
    TariffVersionEntity,
    { tariffKey: keyOf(ref), validFrom: { $lte: at }, $or: [{ validTo: null }, { validTo: { $gt: at } }] },
    { ...READ, orderBy: { validFrom: 'desc', createdAt: 'desc' } },
  );
  return row ? record(row) : undefined;
}

/** One version by its id, current or not; undefined when there is no such version. */
export async function tariffVersion(em: EntityManager, versionId: string): Promise<TariffVersionRecord | undefined> {
  if (!isUuid(versionId)) return undefined;
  const row = await em.findOne(TariffVersionEntity, { id: versionId }, READ);
  return row ? record(row) : undefined;
}

/** Every version of the tariff, oldest first (empty when it was never pushed). */
export async function tariffHistory(em: EntityManager, ref: TariffRef): Promise<TariffVersionRecord[]> {
  const rows = await em.find(TariffVersionEntity, { tariffKey: keyOf(ref) }, { ...READ, orderBy: { validFrom: 'asc', createdAt: 'asc' } });
  return rows.map(record);
}

/**
 * Whether `at` lies in the tariff's own validity window, `[start_date_time, end_date_time)`,
 * either bound absent meaning open. This is the CPO's statement about the tariff, independent
 * of when the hub held which version; pricing may need both.
 */
export function tariffWindowContains(tariff: Tariff, at: Date): boolean {
  const start = tariff.start_date_time ? dateTimeMillis(tariff.start_date_time) : undefined;
  const end = tariff.end_date_time ? dateTimeMillis(tariff.end_date_time) : undefined;
  return (start === undefined || start <= at.getTime()) && (end === undefined || at.getTime() < end);
}

// ---------------------------------------------------------------------------------------------
// Writing (the receiver's PUT/DELETE and the pull-sync).

/**
 * - `created`: there was no current version (never pushed, or deleted): a new one is current.
 * - `updated`: the current version was closed and the new one made current.
 * - `unchanged`: the same object (same `last_updated`, same content) as the current version: nothing written.
 * - `stale`: its `last_updated` is older than the current version's (late delivery): nothing written.
 */
export type PutResult = 'created' | 'updated' | 'unchanged' | 'stale';

export interface PutOutcome {
  result: PutResult;
  /** The current version after the call. */
  current?: TariffVersionRecord;
  /** For `stale`: the `last_updated` of the current version that won. */
  storedLastUpdated?: Date;
}

/** Serialises writers of one tariff until the end of the transaction `tx` runs in. */
async function lockTariff(tx: EntityManager, key: string): Promise<void> {
  // em.execute runs inside tx's transaction (getConnection().execute would take another connection).
  await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`tariff:${key}`]);
}

/** JSON with object keys sorted: equal for equal content whatever the key order (jsonb does not keep it). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Runs `work` in its own transaction, once more if a concurrent writer hit the one-current-version index first. */
async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.fork().transactional(work);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException && attempt < 3) continue;
      throw err;
    }
  }
}

/**
 * Stores a validated `tariff` pushed by `partnerId` as the new current version at `now`, in
 * one transaction of its own: the previous current version gets `validTo = now`, the new one
 * `validFrom = now`. Writers of the same tariff are serialised (advisory lock), and the
 * partial unique index keeps one current version per tariff whatever happens.
 */
export async function putTariff(em: EntityManager, partnerId: string, tariff: Tariff, now: Date): Promise<PutOutcome> {
  const key = tariffKey(tariff.country_code, tariff.party_id, tariff.id);
  const lastUpdatedMs = dateTimeMillis(tariff.last_updated);
  if (lastUpdatedMs === undefined) throw new Error(`putTariff: last_updated ${tariff.last_updated} was not validated`);
  const lastUpdated = new Date(lastUpdatedMs);
  return inTransaction(em, async (tx) => {
    await lockTariff(tx, key);
    const current = await tx.findOne(TariffVersionEntity, { tariffKey: key, validTo: null }, { refresh: true });
    if (current && lastUpdated < current.lastUpdated) return { result: 'stale', current: record(current), storedLastUpdated: current.lastUpdated };
    if (current && lastUpdated.getTime() === current.lastUpdated.getTime() && canonical(tariff) === canonical(current.body)) {
      return { result: 'unchanged', current: record(current) };
    }
    if (current) {
      current.validTo = now;
      await tx.flush(); // close before insert: the one-current-version index is checked per statement
    }
    const version = tx.create(TariffVersionEntity, {
      id: randomUUID(),
      partnerId,
      countryCode: tariff.country_code,
      partyId: tariff.party_id,
      tariffId: tariff.id,
      tariffKey: key,
      body: tariff,
      lastUpdated,
      validFrom: now,
      validTo: null,
      createdAt: now,
    });
    await tx.persist(version).flush();
    return { result: current ? 'updated' : 'created', current: record(version) };
  });
}

/**
 * The CPO deleted the tariff: from `now` on it is no longer valid. The current version is
 * closed (`validTo = now`) and kept. Returns the closed version, or undefined when there was
 * no current version (unknown or already deleted).
 */
export async function deleteTariff(em: EntityManager, ref: TariffRef, now: Date): Promise<TariffVersionRecord | undefined> {
  const key = keyOf(ref);
  return inTransaction(em, async (tx) => {
    await lockTariff(tx, key);
    const current = await tx.findOne(TariffVersionEntity, { tariffKey: key, validTo: null }, { refresh: true });
    if (!current) return undefined;
    current.validTo = now;
    await tx.flush();
    return record(current);
  });
}
