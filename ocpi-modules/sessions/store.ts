import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError } from '../../src/errors.ts';
import { assertSchema } from '../../src/ocpi/validator.ts';
import { parseDateTime } from '../../src/ocpi/datetime.ts';
import type { Session, SessionPatch } from '../../src/ocpi/types.ts';
import { SessionEntity, sessionKey, type SessionRecord } from './entities.ts';

/**
 * Applying a CPO's PUT (replace) or PATCH (merge; `charging_periods` are appended, as the
 * specification says) to a session. The result is validated as a whole Session before it is
 * written; an update older than what is stored is acknowledged and not applied.
 */
export interface SessionWrite {
  partnerId: string;
  countryCode: string;
  partyId: string;
  sessionId: string;
  method: 'PUT' | 'PATCH';
  body: Session | SessionPatch;
  now: Date;
  /** Runs in the same transaction after an applied write: how sessions move charging orders. */
  afterWrite?: (tx: EntityManager, record: SessionRecord, previousStatus: string | undefined) => Promise<unknown>;
}

export interface SessionOutcome {
  created: boolean;
  applied: boolean;
  record?: SessionRecord;
}

export async function writeSession(em: EntityManager, input: SessionWrite): Promise<SessionOutcome> {
  return em.transactional(async (tx) => {
    const key = sessionKey(input.countryCode, input.partyId, input.sessionId);
    const existing = await tx.findOne(SessionEntity, { sessionKey: key }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!existing && input.method === 'PATCH') throw new HubError('NOT_FOUND', `unknown session ${input.sessionId}`);
    const incoming = parseDateTime(input.body.last_updated)!;
    if (existing && incoming < existing.lastUpdated) return { created: false, applied: false, record: existing };
    let next: Session;
    if (input.method === 'PUT') next = input.body as Session;
    else {
      const patch = input.body as SessionPatch;
      const periods = patch.charging_periods ? [...(existing!.body.charging_periods ?? []), ...patch.charging_periods] : existing!.body.charging_periods;
      next = { ...existing!.body, ...(patch as Partial<Session>), charging_periods: periods } as Session;
      if (next.charging_periods === undefined) delete next.charging_periods;
    }
    // A PATCH may be valid on its own and still leave an invalid session (e.g. end before start is a rule for later).
    assertSchema<Session>('session.json', next);
    const record =
      existing ??
      tx.create(SessionEntity, {
        id: randomUUID(),
        partnerId: input.partnerId,
        countryCode: next.country_code,
        partyId: next.party_id,
        sessionId: next.id,
        sessionKey: key,
        body: next,
        status: next.status,
        lastUpdated: incoming,
        createdAt: input.now,
        updatedAt: input.now,
      });
    const previousStatus = existing?.status;
    record.body = next;
    record.status = next.status;
    record.authorizationReference = next.authorization_reference ?? null;
    record.lastUpdated = incoming;
    record.updatedAt = input.now;
    tx.persist(record);
    if (input.afterWrite) await input.afterWrite(tx, record, previousStatus);
    return { created: !existing, applied: true, record };
  });
}
