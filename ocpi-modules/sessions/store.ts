import { randomUUID } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError, invalid } from '../../src/errors.ts';
import { canonicalSchemas, validate, type SchemaSet } from '../../src/ocpi/validator.ts';
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
  /** The schemas of the version the partner speaks: what the merged session is checked against. */
  schemas?: SchemaSet;
  /** Runs in the same transaction after an applied write: how sessions move charging orders. */
  afterWrite?: (tx: EntityManager, record: SessionRecord, previousStatus: string | undefined) => Promise<unknown>;
}

export interface SessionOutcome {
  created: boolean;
  applied: boolean;
  record?: SessionRecord;
}

export async function writeSession(em: EntityManager, input: SessionWrite): Promise<SessionOutcome> {
  try {
    return await writeOnce(em.fork(), input);
  } catch (err) {
    // Two first deliveries of one session raced (or a CDR created its order meanwhile): the retry finds them.
    if (err instanceof UniqueConstraintViolationException) return writeOnce(em.fork(), input);
    throw err;
  }
}

async function writeOnce(em: EntityManager, input: SessionWrite): Promise<SessionOutcome> {
  return em.transactional(async (tx) => {
    const key = sessionKey(input.countryCode, input.partyId, input.sessionId);
    const existing = await tx.findOne(SessionEntity, { sessionKey: key }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!existing && input.method === 'PATCH') throw new HubError('NOT_FOUND', `unknown session ${input.sessionId}`);
    // Two partners may share a party in their roles (a CPO moving platforms); a session stays with the one that created it.
    if (existing && existing.partnerId !== input.partnerId) throw new HubError('FORBIDDEN', `session ${input.sessionId} belongs to another partner`);
    const incoming = parseDateTime(input.body.last_updated)!;
    if (existing && incoming < existing.lastUpdated) return { created: false, applied: false, record: existing };
    let next: Session;
    if (input.method === 'PUT') next = input.body as Session;
    else {
      const patch = input.body as SessionPatch;
      // A retried PATCH must not count its periods twice: a period is known by its start.
      const known = new Set((existing!.body.charging_periods ?? []).map((p) => parseDateTime(p.start_date_time)?.getTime()));
      const fresh = (patch.charging_periods ?? []).filter((p) => !known.has(parseDateTime(p.start_date_time)?.getTime()));
      const periods = patch.charging_periods ? [...(existing!.body.charging_periods ?? []), ...fresh] : existing!.body.charging_periods;
      next = { ...existing!.body, ...(patch as Partial<Session>), charging_periods: periods } as Session;
      if (next.charging_periods === undefined) delete next.charging_periods;
    }
    // A PATCH may be valid on its own and still leave an invalid session (e.g. end before start is a rule for later).
    const { errors } = validate('session.json', next, input.schemas ?? canonicalSchemas);
    if (errors.length) throw invalid(errors.slice(0, 5).join('; '), { errors });
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
