import { createHash, randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid } from '../../src/errors.ts';
import { objectKey } from '../../src/ocpi/party-scope.ts';
import { parseDateTime } from '../../src/ocpi/datetime.ts';
import type { Cdr } from '../../src/ocpi/types.ts';
import type { Partner } from '../../src/partners/api.ts';
import { CdrEntity, CdrEventEntity, cdrKey, type CdrRecord } from './entities.ts';
import { cdrArrived, type SettleContext } from '../../charging/link.ts';

/**
 * Receiving a CDR (pushed or pulled): stored once and never changed. The same CDR again is
 * acknowledged; different content under the same id is refused (CDRs are corrected with
 * credit CDRs, not replaced). The CDR finds its order by our authorization_reference or its
 * session; one for our token without an order creates the order; one for a token that is
 * not ours is kept and ticketed, never settled.
 */
export type ReceiveOutcome = { kind: 'CREATED' | 'DUPLICATE'; record: CdrRecord };

/** JSON with object keys sorted: the same CDR hashes the same whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const contentHash = (cdr: Cdr) => createHash('sha256').update(canonical(cdr)).digest('hex');

export async function receiveCdr(em: EntityManager, ctx: SettleContext, partner: Partner, cdr: Cdr, via: 'PUSH' | 'PULL'): Promise<ReceiveOutcome> {
  const key = cdrKey(cdr.country_code, cdr.party_id, cdr.id);
  const hash = contentHash(cdr);
  for (let attempt = 0; ; attempt++) {
    try {
      const outcome = await em.fork().transactional((tx) => receiveOnce(tx, ctx, partner, cdr, via, key, hash));
      if (outcome.kind !== 'CONFLICT') return outcome as ReceiveOutcome;
      // Kept as evidence on the stored CDR, which itself stays as it was.
      await em.fork().transactional(async (tx) => {
        tx.persist(tx.create(CdrEventEntity, { cdrRef: outcome.record.id, at: ctx.now, cause: 'CONFLICTING_RESEND', fromState: null, toState: null, actor: null, detail: { via, content_hash: hash, total_cost: cdr.total_cost, last_updated: cdr.last_updated } }));
      });
      throw invalid(`id: CDR ${cdr.id} was already received with different content; CDRs are immutable: send a credit CDR, then a new CDR with a new id`);
    } catch (err) {
      // Two deliveries of one CDR raced; the second now finds the first.
      if (err instanceof UniqueConstraintViolationException && attempt === 0) continue;
      throw err;
    }
  }
}

async function receiveOnce(tx: EntityManager, ctx: SettleContext, partner: Partner, cdr: Cdr, via: 'PUSH' | 'PULL', key: string, hash: string): Promise<ReceiveOutcome | { kind: 'CONFLICT'; record: CdrRecord }> {
  const existing = await tx.findOne(CdrEntity, { cdrKey: key }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (existing) {
    if (existing.contentHash === hash) {
      ctx.log.info({ cdr: key, via }, 'CDR received again, identical: acknowledged, nothing stored');
      return { kind: 'DUPLICATE', record: existing };
    }
    ctx.log.warn({ cdr: key, via, stored: existing.contentHash, incoming: hash }, 'CDR received again with different content: refused, the stored one stands');
    return { kind: 'CONFLICT', record: existing };
  }
  const record = tx.create(CdrEntity, {
    id: randomUUID(),
    partnerId: partner.id,
    countryCode: cdr.country_code,
    partyId: cdr.party_id,
    cdrId: cdr.id,
    cdrKey: key,
    body: cdr,
    contentHash: hash,
    state: 'RECEIVED',
    cause: via === 'PUSH' ? 'PUSHED' : 'PULLED',
    via,
    sessionKey: cdr.session_id ? objectKey(cdr.country_code, cdr.party_id, cdr.session_id) : null,
    credit: cdr.credit === true,
    currency: cdr.currency.toUpperCase(),
    startDateTime: parseDateTime(cdr.start_date_time)!,
    endDateTime: parseDateTime(cdr.end_date_time)!,
    totalEnergy: new Decimal(String(cdr.total_energy)).toFixed(4),
    theirExclVat: new Decimal(String(cdr.total_cost.excl_vat)).toFixed(4),
    theirInclVat: cdr.total_cost.incl_vat == null ? null : new Decimal(String(cdr.total_cost.incl_vat)).toFixed(4),
    problems: [],
    flags: [],
    lastUpdated: parseDateTime(cdr.last_updated)!,
    receivedAt: ctx.now,
  });
  tx.persist(record);
  tx.persist(tx.create(CdrEventEntity, { cdrRef: record.id, at: ctx.now, cause: record.cause, fromState: null, toState: 'RECEIVED', actor: null, detail: { via } }));
  await cdrArrived(tx, ctx, partner, record);
  return { kind: 'CREATED', record };
}
