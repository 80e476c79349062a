import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../src/services.ts';
import type { Job } from '../../src/jobs/scheduler.ts';
import { PartnerEntity, recordStaleness } from '../../src/partners/api.ts';
import { locationKey, type EvseRecord } from './entities.ts';

/**
 * Freshness means "the hub can vouch for this status", not "it changed recently". A status is
 * confirmed by a push that reports it (`status_reported_at`), by a successful pull of the CPO's
 * Locations sender that covers it, or, for a CPO without one, by a successful heartbeat while
 * the link has stayed up (`status_confirmed_at`). It is UNKNOWN when its confirmation is older
 * than FRESHNESS_THRESHOLD_SECONDS, or when its partner has missed PARTNER_HEARTBEAT_MISSES
 * heartbeats in a row. Computed when read, so it is right the moment it expires. A partner
 * with too many stale EVSEs is hidden from the app (circuit open) until it is back under.
 */
export function effectiveStatus(status: string, confirmedAt: Date, now: Date, thresholdSeconds: number, linkDown = false): string {
  if (status === 'REMOVED') return status;
  if (linkDown) return 'UNKNOWN';
  return now.getTime() - confirmedAt.getTime() > thresholdSeconds * 1000 ? 'UNKNOWN' : status;
}

/** When the hub last vouched for the EVSE's status. */
export function confirmedAt(evse: Pick<EvseRecord, 'statusReportedAt' | 'statusConfirmedAt'>): Date {
  const pulled = evse.statusConfirmedAt;
  return pulled && pulled > evse.statusReportedAt ? pulled : evse.statusReportedAt;
}

/** The SQL of `confirmedAt` on the evses table aliased `alias`. */
export const confirmedSql = (alias: string) => `greatest(${alias}.status_reported_at, ${alias}.status_confirmed_at)`;

/** The status the app and the commands see for one EVSE (its partner read through `em`, usually already loaded). */
export async function currentStatus(services: Services, em: EntityManager, evse: EvseRecord): Promise<string> {
  const partner = await em.findOne(PartnerEntity, { id: evse.partnerId });
  const linkDown = (partner?.missedHeartbeats ?? 0) >= services.config.partnerHeartbeatMisses;
  return effectiveStatus(evse.status, confirmedAt(evse), services.clock.now(), services.config.freshnessThresholdSeconds, linkDown);
}

/**
 * A successful delta pull over [from, to) returned nothing for the other locations: their EVSEs
 * confirmed at or after `from` are unchanged, so confirmed as of `to`. The window starts where the
 * last successful pull ended, so it leaves no gap; an EVSE confirmed before `from` was not covered
 * by that pull (refused, or missing from it) and stays as it is.
 */
export async function confirmUnchanged(services: Services, partnerId: string, from: Date, to: Date, returnedLocationIds: string[]): Promise<number> {
  const rows: { n: number }[] = await services.orm.em.fork().getConnection().execute(
    `with confirmed as (
       update evses e set status_confirmed_at = ?
         from locations l
        where l.id = e.location_id and e.partner_id = ? and e.status <> 'REMOVED'
          and ${confirmedSql('e')} >= ? and ${confirmedSql('e')} < ?
          and upper(l.location_id) not in (select jsonb_array_elements_text(?::jsonb))
        returning 1)
     select count(*)::int as n from confirmed`,
    [to, partnerId, from, to, JSON.stringify(returnedLocationIds)],
  );
  return rows[0]?.n ?? 0;
}

/** A pulled location that was not applied (older than ours): its EVSEs that carry the status the hub holds are confirmed as of `at`. */
export async function confirmSameStatus(services: Services, partnerId: string, location: { country_code: string; party_id: string; id: string; evses?: { uid: string; status: string }[] | null }, at: Date): Promise<void> {
  const pairs = (location.evses ?? []).map((e) => ({ uid: String(e.uid).toUpperCase(), status: e.status }));
  if (!pairs.length) return;
  await services.orm.em.fork().getConnection().execute(
    `update evses e set status_confirmed_at = ?
       from locations l, jsonb_to_recordset(?::jsonb) as x(uid text, status text)
      where l.id = e.location_id and e.partner_id = ? and l.location_key = ?
        and upper(e.evse_uid) = x.uid and e.status = x.status and ${confirmedSql('e')} < ?`,
    [at, JSON.stringify(pairs), partnerId, locationKey(location.country_code, location.party_id, location.id), at],
  );
}

/** For a CPO without a Locations sender: a heartbeat at `now` vouches for statuses confirmed since the previous good one. */
export async function confirmByHeartbeat(services: Services, partnerId: string, since: Date, now: Date): Promise<number> {
  const rows: { n: number }[] = await services.orm.em.fork().getConnection().execute(
    `with confirmed as (
       update evses e set status_confirmed_at = ?
        where e.partner_id = ? and e.status <> 'REMOVED' and ${confirmedSql('e')} >= ? and ${confirmedSql('e')} < ?
        returning 1)
     select count(*)::int as n from confirmed`,
    [now, partnerId, since, now],
  );
  return rows[0]?.n ?? 0;
}

export interface PartnerFreshness {
  partnerId: string;
  evses: number;
  stale: number;
}

async function freshnessByPartner(em: EntityManager, now: Date, thresholdSeconds: number, heartbeatMisses: number): Promise<PartnerFreshness[]> {
  const cutoff = new Date(now.getTime() - thresholdSeconds * 1000);
  const rows: { partner_id: string; evses: string; stale: string }[] = await em.getConnection().execute(
    `select e.partner_id, count(*) as evses,
            count(*) filter (where p.missed_heartbeats >= ? or ${confirmedSql('e')} < ?) as stale
       from evses e join partners p on p.id = e.partner_id
      where e.status <> 'REMOVED' group by e.partner_id`,
    [heartbeatMisses, cutoff],
  );
  return rows.map((r) => ({ partnerId: r.partner_id, evses: Number(r.evses), stale: Number(r.stale) }));
}

/** One pass of the circuit breaker over every partner with EVSEs; both transitions raise an alert. */
async function checkPartnerFreshness(services: Services): Promise<void> {
  const em = services.orm.em.fork();
  const now = services.clock.now();
  const { freshnessThresholdSeconds, partnerHeartbeatMisses } = services.config;
  for (const f of await freshnessByPartner(em, now, freshnessThresholdSeconds, partnerHeartbeatMisses)) {
    await recordStaleness(em, services, f.partnerId, f, now);
  }
  await em.flush();
}

export const freshnessJob: Job = {
  name: 'partner-freshness',
  schedule: (config) => config.freshnessCron,
  run: checkPartnerFreshness,
};
