import type { EntityManager } from '@mikro-orm/postgresql';
import { tariffKey } from './entities.ts';

/** Which of these tariff ids (upper-cased) the hub currently holds for the party: a location's tariff_ids are checked against it. */
export async function heldTariffIds(em: EntityManager, countryCode: string, partyId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const prefix = tariffKey(countryCode, partyId, '');
  const keys = ids.map((id) => `${prefix}${id.toUpperCase()}`);
  const rows: { tariff_key: string }[] = await em.getConnection().execute(
    `select tariff_key from tariff_versions where valid_to is null and tariff_key in (${keys.map(() => '?').join(',')})`,
    keys,
  );
  return new Set(rows.map((r) => r.tariff_key.slice(prefix.length)));
}
