import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../services.ts';
import { snakeView } from '../api/view.ts';
import { PartnerSyncEntity, type Partner, type PartnerSyncReport } from './entities.ts';
import { freshnessMode } from './heartbeat.ts';

/** What the partner view says of a partner's heartbeat, freshness and last pulls. */

export function heartbeatView(services: Services, partner: Partner) {
  return {
    interval_seconds: services.config.partnerHeartbeatSeconds,
    last_attempt_at: partner.heartbeatAt ?? null,
    last_seen_at: partner.heartbeatOkAt ?? null,
    consecutive_misses: partner.missedHeartbeats,
    misses_allowed: services.config.partnerHeartbeatMisses,
    latency_ms: partner.heartbeatLatencyMs ?? null,
    error: partner.heartbeatError ?? null,
  };
}

const STALE_SHOWN = 10;

export async function freshnessView(em: EntityManager, services: Services, partner: Partner) {
  if (partner.role !== 'CPO') return null;
  const { freshnessThresholdSeconds: threshold, partnerHeartbeatMisses: misses, locationDeltaSyncSeconds, locationFullSyncHours, partnerHeartbeatSeconds } = services.config;
  const registered = partner.outboundTokenSealed != null;
  const mode = registered ? freshnessMode(partner) : null;
  const linkDown = partner.missedHeartbeats >= misses;
  const cutoff = new Date(services.clock.now().getTime() - threshold * 1000);
  const stale = (linkDown ? 'true' : `greatest(e.status_reported_at, e.status_confirmed_at) < ?`);
  const params = linkDown ? [partner.id] : [cutoff, partner.id];
  const counts: { evses: number; stale: number }[] = await em.getConnection().execute(
    `select count(*)::int as evses, count(*) filter (where ${stale})::int as stale from evses e where e.partner_id = ? and e.status <> 'REMOVED'`,
    params,
  );
  const examples: { location_id: string; evse_uid: string; status: string; confirmed_at: Date }[] = await em.getConnection().execute(
    `select l.location_id, e.evse_uid, e.status, greatest(e.status_reported_at, e.status_confirmed_at) as confirmed_at
       from evses e join locations l on l.id = e.location_id
      where ${stale} and e.partner_id = ? and e.status <> 'REMOVED'
      order by confirmed_at, l.location_id, e.evse_uid limit ${STALE_SHOWN}`,
    params,
  );
  const why = (confirmed: Date) =>
    linkDown
      ? `the partner missed ${partner.missedHeartbeats} heartbeats in a row (last answered ${partner.heartbeatOkAt?.toISOString() ?? 'never'}): no status of it can be vouched for`
      : mode === 'PULL'
        ? `not confirmed since ${new Date(confirmed).toISOString()}: no push since, and no successful pull of its Locations sender covered it`
        : `not confirmed since ${new Date(confirmed).toISOString()}: no push since, and heartbeats vouch for pushed statuses only while the link stays up`;
  return {
    mode,
    mode_reason: !registered
      ? 'not registered'
      : mode === 'PULL'
        ? `its version details list a locations SENDER: statuses are confirmed by pushes and by pulls (delta every ${locationDeltaSyncSeconds} s, full every ${locationFullSyncHours} h)`
        : `its version details list no locations SENDER: statuses are confirmed by its pushes and kept while its heartbeat (every ${partnerHeartbeatSeconds} s) answers`,
    threshold_seconds: threshold,
    link_down: linkDown,
    evses: counts[0]?.evses ?? 0,
    stale: counts[0]?.stale ?? 0,
    stale_evses: examples.map((e) => ({
      location_id: e.location_id,
      evse_uid: e.evse_uid,
      reported_status: e.status,
      confirmed_at: new Date(e.confirmed_at),
      reason: linkDown ? 'HEARTBEAT_MISSED' : 'NOT_CONFIRMED',
      message: why(e.confirmed_at),
    })),
  };
}

function syncReportView(report: PartnerSyncReport | null | undefined) {
  if (!report) return null;
  return snakeView(report, ['trigger', 'mode', 'dateFrom?', 'dateTo', 'startedAt', 'finishedAt?', 'received', 'applied', 'refused', 'refusals', 'error?']);
}

export async function syncView(em: EntityManager, partner: Partner) {
  const reports = await em.find(PartnerSyncEntity, { partnerId: partner.id }, { refresh: true });
  const of = (module: string) => syncReportView(reports.find((r) => r.module === module));
  return { locations: of('locations'), tariffs: of('tariffs') };
}
