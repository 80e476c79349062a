import { createHash, randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid } from '../../src/errors.ts';
import { openTicket } from '../../src/exceptions/tickets.ts';
import { objectKey } from '../../src/ocpi/party-scope.ts';
import { parseDateTime } from '../../src/ocpi/datetime.ts';
import type { Cdr } from '../../src/ocpi/types.ts';
import type { Partner } from '../../src/partners/entities.ts';
import { findOurToken } from '../tokens/store.ts';
import type { ChargingOrder } from '../../charging/entities.ts';
import { orderForPartnerObject, recordChargerOrder } from '../../charging/link.ts';
import { unreferencedAppOrder } from '../../charging/charge-match.ts';
import { CdrEntity, CdrEventEntity, cdrKey, type CdrRecord } from './entities.ts';
import { applyWaitingCredits, cdrTransition, settleCdr, type SettleContext } from '../../charging/settlement.ts';

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
  if (record.credit) {
    await settleCdr(tx, record, null, ctx);
    return { kind: 'CREATED', record };
  }
  const order = await orderFor(tx, ctx, partner, record);
  if (order === 'SEVERAL') {
    // Which user pays is not known: operations decides (the ticket names the orders).
    cdrTransition(tx, record, 'EXCEPTION', 'SEVERAL_ORDERS_MATCH', ctx);
    return { kind: 'CREATED', record };
  }
  if (order === 'FOREIGN') {
    cdrTransition(tx, record, 'EXCEPTION', 'TOKEN_NOT_OURS', ctx);
    openTicket(tx, ctx.now, {
      kind: 'CDR_FOREIGN_TOKEN',
      summary: `CDR ${key} is for token ${cdr.cdr_token.country_code ? `${cdr.cdr_token.country_code}/${cdr.cdr_token.party_id} ` : ''}${cdr.cdr_token.type} ${cdr.cdr_token.uid}, which is not one of ours: kept, never settled`,
      partnerId: partner.id,
      evidence: [{ at: ctx.now.toISOString(), what: 'CDR received', detail: { cdr_id: record.id } }],
    });
    return { kind: 'CREATED', record };
  }
  record.orderId = order?.id ?? null;
  await settleCdr(tx, record, order ?? null, ctx);
  await applyWaitingCredits(tx, record, ctx);
  return { kind: 'CREATED', record };
}

async function orderFor(tx: EntityManager, ctx: SettleContext, partner: Partner, record: CdrRecord): Promise<ChargingOrder | 'FOREIGN' | 'SEVERAL' | undefined> {
  const cdr = record.body;
  const order = await orderForPartnerObject(tx, ctx.log, partner.id, cdr.authorization_reference, record.sessionKey);
  if (order) return order;
  const token = await findOurToken(tx, ctx.services, cdr.cdr_token);
  if (!token) return 'FOREIGN';
  if (!cdr.authorization_reference) {
    const found = await unreferencedAppOrder(tx, ctx, {
      what: 'CDR',
      key: record.cdrKey,
      charge: { partnerId: partner.id, evseUid: cdr.cdr_location.evse_uid, connectorId: cdr.cdr_location.connector_id, token: cdr.cdr_token, startedAt: cdr.start_date_time, forCdr: true },
      detail: { cdr: record.cdrKey },
    });
    if (found) return found;
  }
  // A charge we never saw start (an RFID session we missed, a lost start): the CDR is our first word of it.
  return recordChargerOrder(tx, {
    partnerId: partner.id,
    countryCode: cdr.country_code,
    partyId: cdr.party_id,
    locationId: cdr.cdr_location.id,
    evseUid: cdr.cdr_location.evse_uid,
    connectorId: cdr.cdr_location.connector_id,
    token,
    sessionKey: record.sessionKey,
    sessionId: cdr.session_id ?? null,
    state: 'AWAITING_CDR',
    cause: 'CDR_WITHOUT_ORDER',
    now: ctx.now,
    detail: { cdr: record.cdrKey, via: record.via },
  });
}
