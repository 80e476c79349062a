import type { Services } from '../../src/services.ts';
import type { Job } from '../../src/jobs/scheduler.ts';
import { PartnerEntity, type Partner } from '../../src/partners/entities.ts';
import { HubError } from '../../src/errors.ts';
import { partnerEndpoint, pullAll } from '../../src/client/partner-client.ts';
import { partnerObjects } from '../../src/ocpi/versions/context.ts';
import { formatDateTime } from '../../src/ocpi/datetime.ts';
import { sameId } from '../../src/ocpi/party-scope.ts';
import { writeLocation } from './store.ts';
import { knownTariffKeys } from './tariff-links.ts';
import { recordEvent } from '../../src/partners/events.ts';
import type { SyncResult } from '../../src/ocpi/module.ts';

/**
 * Pull-sync: pushes get lost, so the hub also GETs each active CPO's Locations sender, from
 * the last successful sync on, and applies the same validation and review rules as a push.
 * Objects that fail are skipped and counted; the sync as a whole fails only when the
 * partner's API does (recorded on the partner as a missed heartbeat).
 */

export async function syncLocations(services: Services, partner: Partner, since: Date | undefined): Promise<SyncResult> {
  const url = partnerEndpoint(partner, 'locations', 'SENDER');
  if (!url) throw new HubError('NO_MATCHING_ENDPOINTS', 'partner has no locations SENDER endpoint');
  const result: SyncResult = { received: 0, applied: 0, rejected: [] };
  const first = new URL(url);
  if (since) first.searchParams.set('date_from', formatDateTime(since));
  const log = services.log.child({ partnerId: partner.id, sync: 'locations' });
  const objects = partnerObjects(services, services.orm.em.fork(), partner);
  await pullAll(services, partner, first.toString(), async (items) => {
    for (const item of items) {
      result.received++;
      const id = typeof (item as Record<string, any>)?.id === 'string' ? (item as Record<string, any>).id : '(no id)';
      const checked = await objects.check('Location', item);
      const problems = checked.ok ? [] : checked.problems;
      const location = (checked.ok ? checked.value : item) as Record<string, any>;
      const own = (partner.roles ?? []).some((r) => sameId(r.country_code, location?.country_code) && sameId(r.party_id, location?.party_id));
      if (!own && !problems.length) problems.push(`country_code/party_id: ${location.country_code}/${location.party_id} is not one of the partner's roles`);
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
      } catch (err) {
        if (!(err instanceof HubError)) throw err;
        result.rejected.push({ id, problems: err.message });
      }
    }
  });
  if (result.rejected.length) log.warn({ rejected: result.rejected }, 'pulled locations rejected');
  return result;
}

/** Syncs one partner and records the outcome on it. */
export async function syncPartner(services: Services, partnerId: string, actor: string): Promise<Record<string, SyncResult | string>> {
  const em = services.orm.em.fork();
  const partner = await em.findOneOrFail(PartnerEntity, { id: partnerId });
  const started = services.clock.now();
  const since = partner.lastSyncSuccessAt ?? undefined;
  const results: Record<string, SyncResult | string> = {};
  try {
    // Tariffs first: a location whose connectors name a tariff the hub does not hold yet would wait for review.
    for (const sync of services.modules.flatMap((m) => m.syncs ?? [])) results[sync.name] = await sync.run(services, partner, since);
    results.locations = await syncLocations(services, partner, since);
    partner.lastSyncSuccessAt = started;
    partner.lastSyncError = null;
    partner.missedHeartbeats = 0;
    recordEvent(em, started, { partnerId, kind: 'SYNC_SUCCEEDED', actor, detail: summary(results) });
  } catch (err) {
    partner.lastSyncError = (err as Error).message;
    partner.lastSyncErrorAt = started;
    partner.missedHeartbeats += 1;
    recordEvent(em, started, { partnerId, kind: 'SYNC_FAILED', actor, detail: { reason: (err as Error).message } });
    await em.flush();
    throw err instanceof HubError ? err : new HubError('PARTNER_API_UNUSABLE', `sync failed: ${(err as Error).message}`);
  }
  await em.flush();
  return results;
}

function summary(results: Record<string, SyncResult | string>) {
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, typeof v === 'string' ? v : { received: v.received, applied: v.applied, rejected: v.rejected.length }]));
}

export const locationSyncJob: Job = {
  name: 'location-sync',
  schedule: (config) => config.locationSyncCron,
  async run(services) {
    const partners = await services.orm.em.fork().find(PartnerEntity, { status: 'ACTIVE', role: 'CPO' });
    for (const partner of partners) {
      try {
        await syncPartner(services, partner.id, 'system');
      } catch (err) {
        services.log.warn({ partnerId: partner.id, err: (err as Error).message }, 'location sync failed');
      }
    }
  },
};
