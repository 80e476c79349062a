import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../src/services.ts';
import type { Job } from '../../src/jobs/scheduler.ts';
import { PartnerEntity } from '../../src/partners/entities.ts';
import { raiseAlert } from '../../src/observability/alerts.ts';

/**
 * Freshness. A status the hub has not heard again within the threshold is shown as UNKNOWN,
 * computed when read, so it is right the moment it expires. A partner with too many stale
 * EVSEs is hidden from the app (circuit open) until fresh data brings it back under.
 */
export function effectiveStatus(status: string, reportedAt: Date, now: Date, thresholdSeconds: number): string {
  if (status === 'REMOVED') return status;
  return now.getTime() - reportedAt.getTime() > thresholdSeconds * 1000 ? 'UNKNOWN' : status;
}

export interface PartnerFreshness {
  partnerId: string;
  evses: number;
  stale: number;
}

export async function freshnessByPartner(em: EntityManager, now: Date, thresholdSeconds: number): Promise<PartnerFreshness[]> {
  const cutoff = new Date(now.getTime() - thresholdSeconds * 1000);
  const rows: { partner_id: string; evses: string; stale: string }[] = await em.getConnection().execute(
    `select partner_id, count(*) as evses, count(*) filter (where status_reported_at < ?) as stale
       from evses where status <> 'REMOVED' group by partner_id`,
    [cutoff],
  );
  return rows.map((r) => ({ partnerId: r.partner_id, evses: Number(r.evses), stale: Number(r.stale) }));
}

/** One pass of the circuit breaker over every partner with EVSEs; both transitions raise an alert. */
export async function checkPartnerFreshness(services: Services): Promise<void> {
  const em = services.orm.em.fork();
  const now = services.clock.now();
  const { freshnessThresholdSeconds, partnerStaleRatio } = services.config;
  for (const f of await freshnessByPartner(em, now, freshnessThresholdSeconds)) {
    const partner = await em.findOne(PartnerEntity, { id: f.partnerId });
    if (!partner) continue;
    const ratio = f.evses ? f.stale / f.evses : 0;
    partner.staleRatio = ratio;
    const open = ratio > partnerStaleRatio;
    if (open !== partner.mapHidden) {
      partner.mapHidden = open;
      partner.mapHiddenChangedAt = now;
      raiseAlert(em, { log: services.log, metrics: services.metrics, now }, {
        kind: open ? 'PARTNER_HIDDEN' : 'PARTNER_VISIBLE',
        partnerId: partner.id,
        detail: { stale: f.stale, evses: f.evses, ratio: Math.round(ratio * 1000) / 1000, threshold: partnerStaleRatio },
      });
    }
  }
  await em.flush();
}

export const freshnessJob: Job = {
  name: 'partner-freshness',
  schedule: (config) => config.freshnessCron,
  run: checkPartnerFreshness,
};
