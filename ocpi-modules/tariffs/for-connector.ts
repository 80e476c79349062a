import type { EntityManager } from '@mikro-orm/postgresql';
import { tariffInForce, tariffWindowContains, type TariffVersionRecord } from './history.ts';

/**
 * The tariff that applies to a connector at a moment: among the connector's tariff_ids, the
 * versions the hub held then whose own validity window contains the moment. A connector may
 * list one tariff per type (charging preferences); without preferences the REGULAR one (or
 * one without a type) is the one a driver gets, else the first listed that is not ad hoc.
 */
export async function tariffForConnector(em: EntityManager, party: { countryCode: string; partyId: string }, tariffIds: string[], at: Date): Promise<TariffVersionRecord | undefined> {
  const candidates: TariffVersionRecord[] = [];
  for (const tariffId of tariffIds) {
    const version = await tariffInForce(em, { ...party, tariffId }, at);
    if (version && tariffWindowContains(version.tariff, at)) candidates.push(version);
  }
  // AD_HOC_PAYMENT is for drivers paying at the charger, never for an eMSP's user.
  return candidates.find((c) => !c.tariff.type || c.tariff.type === 'REGULAR') ?? candidates.find((c) => c.tariff.type !== 'AD_HOC_PAYMENT');
}
