import type { EntityManager } from '@mikro-orm/postgresql';
import { openTicket } from '../src/exceptions/tickets.ts';
import type { Partner } from '../src/partners/api.ts';
import type { CdrRecord } from '../ocpi-modules/cdrs/api.ts';
import { findOurToken } from '../ocpi-modules/tokens/api.ts';
import type { ChargingOrder } from './entities.ts';
import { orderForPartnerObject, recordChargerOrder } from './session-orders.ts';
import { unreferencedAppOrder } from './charge-match.ts';
import { applyWaitingCredits, cdrTransition, settleCdr, type SettleContext } from './settlement.ts';

/**
 * A CDR just stored (cdrs adapter) finds its order and is settled: a credit settles against
 * the CDR it corrects; otherwise by our authorization_reference or its session, else by EVSE,
 * token and time; one for our token without an order creates the order; one for a token that
 * is not ours is kept and ticketed, never settled; one that matches several orders waits for
 * operations.
 */
export async function cdrArrived(tx: EntityManager, ctx: SettleContext, partner: Partner, record: CdrRecord): Promise<void> {
  const cdr = record.body;
  const key = record.cdrKey;
  if (record.credit) {
    await settleCdr(tx, record, null, ctx);
    return;
  }
  const order = await orderFor(tx, ctx, partner, record);
  if (order === 'SEVERAL') {
    // Which user pays is not known: operations decides (the ticket names the orders).
    cdrTransition(tx, record, 'EXCEPTION', 'SEVERAL_ORDERS_MATCH', ctx);
    return;
  }
  if (order === 'FOREIGN') {
    cdrTransition(tx, record, 'EXCEPTION', 'TOKEN_NOT_OURS', ctx);
    openTicket(tx, ctx.now, {
      kind: 'CDR_FOREIGN_TOKEN',
      summary: `CDR ${key} is for token ${cdr.cdr_token.country_code ? `${cdr.cdr_token.country_code}/${cdr.cdr_token.party_id} ` : ''}${cdr.cdr_token.type} ${cdr.cdr_token.uid}, which is not one of ours: kept, never settled`,
      partnerId: partner.id,
      evidence: [{ at: ctx.now.toISOString(), what: 'CDR received', detail: { cdr_id: record.id } }],
    });
    return;
  }
  record.orderId = order?.id ?? null;
  await settleCdr(tx, record, order ?? null, ctx);
  await applyWaitingCredits(tx, record, ctx);
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
