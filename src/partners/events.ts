import type { EntityManager } from '@mikro-orm/postgresql';
import { PartnerEventEntity, type PartnerEvent } from './entities.ts';

export interface EventInput {
  partnerId?: string | null;
  kind: string;
  actor: string;
  detail?: Record<string, unknown>;
}

/** Appends to the audit trail within the caller's unit of work (flushed with it). */
export function recordEvent(em: EntityManager, now: Date, input: EventInput): PartnerEvent {
  const event = em.create(PartnerEventEntity, {
    partnerId: input.partnerId ?? null,
    kind: input.kind,
    actor: input.actor,
    detail: input.detail ?? {},
    at: now,
  });
  em.persist(event);
  return event;
}

export async function listEvents(em: EntityManager, partnerId: string): Promise<PartnerEvent[]> {
  return em.find(PartnerEventEntity, { partnerId }, { orderBy: { at: 'asc', id: 'asc' } });
}
