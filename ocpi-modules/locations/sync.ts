import type { Services } from '../../src/services.ts';
import { HubError } from '../../src/errors.ts';
import { partnerEndpoint, pullAll } from '../../src/client/partner-client.ts';
import { partnerObjects } from '../../src/ocpi/versions/context.ts';
import { formatDateTime } from '../../src/ocpi/datetime.ts';
import { ownsParty } from '../../src/ocpi/party-scope.ts';
import { writeLocation } from './store.ts';
import type { LocationJson } from './entities.ts';
import { knownTariffKeys } from './tariff-links.ts';
import type { PartnerSync, SyncResult } from '../../src/ocpi/module.ts';
import type { Partner } from '../../src/partners/entities.ts';
import { partnerSyncJob, syncPartner } from '../../src/partners/sync.ts';
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
    const url = partnerEndpoint(partner, 'locations', 'SENDER');
    if (!url) throw new HubError('NO_MATCHING_ENDPOINTS', 'partner has no locations SENDER endpoint');
    const first = new URL(url);
    if (window.from) first.searchParams.set('date_from', formatDateTime(window.from));
    first.searchParams.set('date_to', formatDateTime(window.to));
    const log = services.log.child({ partnerId: partner.id, sync: 'locations', mode: window.mode });
    const objects = partnerObjects(services, services.orm.em.fork(), partner);
    // Locations this pull returned, applied or not: a delta pull vouches only for the others.
    const returned = new Set<string>();
    await pullAll(services, partner, first.toString(), async (items) => {
      for (const item of items) {
        result.received++;
        const id = typeof (item as Record<string, any>)?.id === 'string' ? (item as Record<string, any>).id : '(no id)';
        returned.add(id.toUpperCase());
        const checked = await objects.check('Location', item);
        const problems = checked.ok ? [] : checked.problems;
        const location = (checked.ok ? checked.value : item) as Record<string, any>;
        if (!ownsParty(partner.roles, location) && !problems.length) problems.push(`country_code/party_id: ${location.country_code}/${location.party_id} is not one of the partner's roles`);
        if (problems.length) {
          result.rejected.push({ id, problems: problems.join('; ') });
          continue;
        }
        try {
          const em = services.orm.em.fork();
          const outcome = await writeLocation(em, {
            partner,
            method: 'PUT',
            level: 'location',
            target: { countryCode: location.country_code, partyId: location.party_id, locationId: location.id },
            body: location,
            now: services.clock.now(),
            log,
            knownTariffs: (keys) => knownTariffKeys(em, location.country_code, location.party_id, keys),
          });
          if (outcome.applied) result.applied++;
          // Older than what a push gave us: kept as it is, but an EVSE the CPO still reports with the status we hold is confirmed.
          else await confirmSameStatus(services, partner.id, location as LocationJson, window.to);
        } catch (err) {
          if (!(err instanceof HubError)) throw err;
          result.rejected.push({ id, problems: err.message });
        }
      }
    });
    if (window.mode === 'DELTA') await confirmUnchanged(services, partner.id, window.from!, window.to, [...returned]);
    if (result.rejected.length) log.warn({ rejected: result.rejected }, 'pulled locations rejected');
  },
};

/** Operator "sync now" (admin API): kept here for the module's admin router. */
export { syncPartner };

/** The partner's pulls run on the hub's own schedule (src/partners/sync.ts); re-exported for the module's users. */
export const locationSyncJob = partnerSyncJob;

/** One pull of the partner's Locations sender outside the scheduled runs (no sync report): changes since `since`, or all. */
export async function syncLocations(services: Services, partner: Partner, since: Date | undefined): Promise<SyncResult> {
  const result: SyncResult = { received: 0, applied: 0, rejected: [] };
  const to = services.clock.now();
  await locationSync.run(services, partner, since ? { mode: 'DELTA', from: since, to } : { mode: 'FULL', to }, result);
  return result;
}
