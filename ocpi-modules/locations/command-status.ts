import type { EntityManager } from '@mikro-orm/postgresql';
import { EvseEntity } from './entities.ts';

/**
 * What a CommandResult tells about an EVSE (EVSE_OCCUPIED: charging), shown until the CPO's
 * next status. A removed EVSE stays removed.
 */
export async function showEvseStatus(tx: EntityManager, evseRef: string, status: string, now: Date): Promise<void> {
  const evse = await tx.findOne(EvseEntity, { id: evseRef });
  if (evse && evse.status !== 'REMOVED') {
    evse.status = status;
    evse.statusReportedAt = now;
  }
}
