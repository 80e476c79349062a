import type { Services } from '../../src/services.ts';
import { HubError } from '../../src/errors.ts';
import { pullSender } from '../../src/client/sender-pull.ts';
import { partnerObjects } from '../../src/ocpi/versions/context.ts';
import { ownsParty } from '../../src/ocpi/party-scope.ts';
import { writeLocation } from './store.ts';
import type { LocationJson } from './entities.ts';
import { heldTariffIds } from '../tariffs/api.ts';
import type { PartnerSync, SyncResult } from '../../src/ocpi/module.ts';
import type { Partner } from '../../src/partners/api.ts';
import { syncPartner } from '../../src/partners/sync.ts';
import { confirmSameStatus, confirmUnchanged } from './freshness.ts';

/**
 * Pull-sync of a CPO's Locations sender: pushes get lost, so the hub also GETs it (a full pull
 * daily, a delta pull every LOCATION_DELTA_SYNC_SECONDS from where the last successful one ended)
 * and applies the same validation and review rules as a push. Objects that fail are skipped and
 * listed in the sync report; the pull as a whole fails only when the partner's API does. A delta
 * pull that succeeds vouches for every EVSE it did not return: nothing changed in its window.
 */

export const locationSync: PartnerSync = {
  name: 'locations',
  async run(services, partner, window, result) {
    const log = services.log.child({ partnerId: partner.id, sync: 'locations', mode: window.mode });
    const objects = partnerObjects(services, services.orm.em.fork(), partner);
    // Locations this pull returned, applied or not: a delta pull vouches only for the others.
    const returned = new Set<string>();
    const pulled = await pullSender<Record<string, any>>(
      services,
      partner,
      {
        module: 'locations',
        window,
        async check(item, id) {
          returned.add(id.toUpperCase());
          const checked = await objects.check('Location', item);
          const problems = checked.ok ? [] : checked.problems;
          const location = (checked.ok ? checked.value : item) as Record<string, any>;
          if (!ownsParty(partner.roles, location) && !problems.length) problems.push(`country_code/party_id: ${location.country_code}/${location.party_id} is not one of the partner's roles`);
          return problems.length ? { refused: problems.join('; ') } : { object: location };
        },
        async apply(location) {
          const em = services.orm.em.fork();
          const outcome = await writeLocation(em, {
            partner,
            method: 'PUT',
            level: 'location',
            target: { countryCode: location.country_code, partyId: location.party_id, locationId: location.id },
            body: location,
            now: services.clock.now(),
            log,
            knownTariffs: (keys) => heldTariffIds(em, location.country_code, location.party_id, keys),
          });
          // Older than what a push gave us: kept as it is, but an EVSE the CPO still reports with the status we hold is confirmed.
          if (!outcome.applied) await confirmSameStatus(services, partner.id, location as LocationJson, window.to);
          return outcome.applied;
        },
      },
      result,
    );
    if (!pulled) throw new HubError('NO_MATCHING_ENDPOINTS', 'partner has no locations SENDER endpoint');
    if (window.mode === 'DELTA') await confirmUnchanged(services, partner.id, window.from!, window.to, [...returned]);
    if (result.rejected.length) log.warn({ rejected: result.rejected }, 'pulled locations rejected');
  },
};

/** Operator "sync now" (admin API): kept here for the module's admin router. */
export { syncPartner };

/** One pull of the partner's Locations sender outside the scheduled runs (no sync report): changes since `since`, or all. */
export async function syncLocations(services: Services, partner: Partner, since: Date | undefined): Promise<SyncResult> {
  const result: SyncResult = { received: 0, applied: 0, rejected: [] };
  const to = services.clock.now();
  await locationSync.run(services, partner, since ? { mode: 'DELTA', from: since, to } : { mode: 'FULL', to }, result);
  return result;
}
