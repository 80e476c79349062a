import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../services.ts';
import { raiseAlert } from '../observability/alerts.ts';
import { PartnerEntity } from './entities.ts';

/**
 * The circuit breaker of a partner's map: the share of its EVSEs whose status nobody vouches
 * for (counted by the locations adapter) is kept on the partner; above PARTNER_STALE_RATIO the
 * partner is hidden from the app, below it shown again, and both transitions raise an alert.
 */
export async function recordStaleness(em: EntityManager, services: Services, partnerId: string, counts: { stale: number; evses: number }, now: Date): Promise<void> {
  const partner = await em.findOne(PartnerEntity, { id: partnerId });
  if (!partner) return;
  const { partnerStaleRatio } = services.config;
  const ratio = counts.evses ? counts.stale / counts.evses : 0;
  partner.staleRatio = ratio;
  // A sandbox partner is not monitored: its map is its own, and nobody is paged for it.
  if (partner.sandbox) return;
  const open = ratio > partnerStaleRatio;
  if (open === partner.mapHidden) return;
  partner.mapHidden = open;
  partner.mapHiddenChangedAt = now;
  raiseAlert(em, { log: services.log, metrics: services.metrics, now }, {
    kind: open ? 'PARTNER_HIDDEN' : 'PARTNER_VISIBLE',
    partnerId: partner.id,
    detail: { stale: counts.stale, evses: counts.evses, ratio: Math.round(ratio * 1000) / 1000, threshold: partnerStaleRatio },
  });
}
