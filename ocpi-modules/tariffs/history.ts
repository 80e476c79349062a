import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parseDateTime } from '../../src/ocpi/datetime.ts';
import type { Tariff } from '../../src/ocpi/types.ts';
import { TariffVersionEntity, tariffKey, type TariffVersion } from './entities.ts';

/**
 * Tariff history. Every accepted version is kept with the interval in which the hub held it
 * as current, so the tariff in force at any past moment can be found (CDR pricing needs the
 * version a session started under). Intervals use the hub's clock: [validFrom, validTo).
 */
export interface TariffRef {
  countryCode: string;
  partyId: string;
  tariffId: string;
}

const keyOf = (ref: TariffRef) => tariffKey(ref.countryCode, ref.partyId, ref.tariffId);

export async function currentTariff(em: EntityManager, ref: TariffRef): Promise<TariffVersion | undefined> {
  return (await em.findOne(TariffVersionEntity, { tariffKey: keyOf(ref), validTo: null })) ?? undefined;
}

/** The version in force at `at`, or undefined when the hub held none then (not yet pushed, or deleted). */
export async function tariffInForce(em: EntityManager, ref: TariffRef, at: Date): Promise<TariffVersion | undefined> {
  const found = await em.findOne(
    TariffVersionEntity,
    { tariffKey: keyOf(ref), validFrom: { $lte: at }, $or: [{ validTo: null }, { validTo: { $gt: at } }] },
    { orderBy: { validFrom: 'desc' } },
  );
  return found ?? undefined;
}

export interface PutOutcome {
  created: boolean;
  applied: boolean;
  version?: TariffVersion;
}

/**
 * Stores `tariff` as the new current version, closing the previous one. A version whose
 * last_updated is older than the current one's is not applied (late delivery). The caller
 * runs this inside a transaction; the current row is locked so concurrent PUTs serialise.
 */
export async function putTariff(em: EntityManager, partnerId: string, tariff: Tariff, now: Date): Promise<PutOutcome> {
  const key = tariffKey(tariff.country_code, tariff.party_id, tariff.id);
  await em.getConnection().execute('select pg_advisory_xact_lock(hashtext(?))', [`tariff:${key}`]);
  const current = await em.findOne(TariffVersionEntity, { tariffKey: key, validTo: null });
  const lastUpdated = parseDateTime(tariff.last_updated)!;
  if (current && lastUpdated < current.lastUpdated) return { created: false, applied: false };
  if (current) {
    current.validTo = now;
    await em.flush();
  }
  const version = em.create(TariffVersionEntity, {
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
  em.persist(version);
  await em.flush();
  return { created: !current, applied: true, version };
}

/** Ends the current version: from now on the tariff is no longer valid. Returns false when there was none. */
export async function deleteTariff(em: EntityManager, ref: TariffRef, now: Date): Promise<boolean> {
  await em.getConnection().execute('select pg_advisory_xact_lock(hashtext(?))', [`tariff:${keyOf(ref)}`]);
  const current = await em.findOne(TariffVersionEntity, { tariffKey: keyOf(ref), validTo: null });
  if (!current) return false;
  current.validTo = now;
  await em.flush();
  return true;
}
