import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../src/services.ts';
import type { Logger } from '../src/observability/log.ts';
import { isUuid } from '../src/errors.ts';
import { objectKey, sameId } from '../src/ocpi/party-scope.ts';
import { EvseEntity, LocationEntity } from '../ocpi-modules/locations/api.ts';
import { findOurToken } from '../ocpi-modules/tokens/api.ts';
import type { SessionRecord } from '../ocpi-modules/sessions/api.ts';
import { ChargingOrderEntity, OrderEventEntity, type ChargingOrder, type OrderState } from './entities.ts';
import { noteOrder, ticketForOrder, transition } from './orders.ts';
import { messageFor } from './messages.ts';
import { unreferencedAppOrder } from './charge-match.ts';

/**
 * Sessions drive orders. A CPO's session finds its order by our authorization_reference (or
 * by the session already attached, or, without a reference, by EVSE, token and time: see
 * charge-match.ts); a session for one of our tokens that we did not start
 * (RFID at the charger) becomes an order of its own. Status changes move the order; a
 * session for an order that already FAILED reopens nothing: it is attached and ticketed.
 */
export type SessionVia = 'PUSH' | 'QUERY';

export interface LinkContext {
  services: Services;
  log: Logger;
  now: Date;
  via: SessionVia;
}

export async function linkSession(tx: EntityManager, record: SessionRecord, previousStatus: string | undefined, ctx: LinkContext): Promise<ChargingOrder | undefined> {
  let order = await orderForPartnerObject(tx, ctx.log, record.partnerId, record.authorizationReference, record.sessionKey);
  if (!order && !record.authorizationReference) {
    const session = record.body;
    const found = await unreferencedAppOrder(tx, ctx, {
      what: 'SESSION',
      key: record.sessionKey,
      charge: { partnerId: record.partnerId, evseUid: session.evse_uid, connectorId: session.connector_id, token: session.cdr_token, startedAt: session.start_date_time },
      detail: { session_id: record.sessionId },
    });
    if (found === 'SEVERAL') return undefined;
    order = found;
  }
  if (!order) return startedAtCharger(tx, record, ctx);
  if (order.sessionKey && order.sessionKey !== record.sessionKey) {
    // The CPO reports a second session with our reference: someone may be billed twice.
    noteOrder(tx, order, 'SECOND_SESSION_FOR_ORDER', { ...ctx, detail: { session_id: record.sessionId, status: record.status, attached: order.sessionId } });
    await ticketForOrder(tx, order, ctx.now, 'SECOND_SESSION_FOR_ORDER', `CPO reported a second session (${record.sessionId}) for order ${order.id}, which already has session ${order.sessionId}`);
    return order;
  }
  const firstAttach = !order.sessionKey;
  if (firstAttach) {
    order.sessionKey = record.sessionKey;
    order.sessionId = record.sessionId;
    order.updatedAt = ctx.now;
    noteOrder(tx, order, 'SESSION_ATTACHED', { ...ctx, detail: { session_id: record.sessionId, status: record.status, via: ctx.via } });
  }
  if (firstAttach || previousStatus !== record.status) await applySessionStatus(tx, order, record, ctx);
  return order;
}

/**
 * The order a CPO's session or CDR belongs to, row-locked: by our authorization_reference
 * (only if the order is that partner's), else by the session already attached.
 */
export async function orderForPartnerObject(tx: EntityManager, log: Logger, partnerId: string, ref: string | null | undefined, sessionKey: string | null | undefined): Promise<ChargingOrder | undefined> {
  if (ref && isUuid(ref)) {
    const order = await tx.findOne(ChargingOrderEntity, { id: ref.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (order && order.partnerId === partnerId) return order;
    if (order) log.warn({ order: order.id, session: sessionKey, partner: partnerId }, 'authorization_reference of an order with another partner: not linked');
  }
  if (!sessionKey) return undefined;
  return (await tx.findOne(ChargingOrderEntity, { sessionKey }, { lockMode: LockMode.PESSIMISTIC_WRITE })) ?? undefined;
}

async function applySessionStatus(tx: EntityManager, order: ChargingOrder, record: SessionRecord, ctx: LinkContext): Promise<void> {
  const status = record.status;
  const detail = { session_id: record.sessionId, status, via: ctx.via };
  const t = { ...ctx, detail };
  const started = status === 'ACTIVE' || status === 'PENDING' || status === 'RESERVATION';
  switch (order.state) {
    case 'REQUESTED':
    case 'PENDING':
      if (started) transition(tx, order, 'ACTIVE', ctx.via === 'QUERY' ? 'SESSION_FOUND_ACTIVE' : `SESSION_${status}`, t);
      else if (status === 'COMPLETED') transition(tx, order, 'FAILED', 'SESSION_ENDED_BEFORE_CONFIRMED', t);
      else if (status === 'INVALID') transition(tx, order, 'FAILED', 'SESSION_INVALID', t);
      return;
    case 'ACTIVE':
    case 'STOPPING':
    case 'EXCEPTION':
      if (status === 'COMPLETED') transition(tx, order, 'AWAITING_CDR', 'SESSION_COMPLETED', t);
      else if (status === 'INVALID') transition(tx, order, 'FAILED', 'SESSION_INVALID', t);
      return;
    case 'FAILED':
      if (status === 'INVALID') {
        noteOrder(tx, order, 'LATE_SESSION_ATTACHED', t);
        return;
      }
      noteOrder(tx, order, 'LATE_SESSION_FOR_FAILED_ORDER', t);
      ctx.log.warn({ order: order.id, session: record.sessionKey, status }, 'session for a FAILED charging order: attached and ticketed, nothing reopened');
      await ticketForOrder(tx, order, ctx.now, 'LATE_SESSION_FOR_FAILED_ORDER', `CPO reports session ${record.sessionId} (${status}) for order ${order.id}, which had FAILED (${order.cause})`);
      return;
    default:
      return;
  }
}

const INITIAL: Record<string, OrderState> = { ACTIVE: 'ACTIVE', PENDING: 'ACTIVE', RESERVATION: 'ACTIVE', COMPLETED: 'AWAITING_CDR', INVALID: 'FAILED' };

/** A session for one of our tokens that the app did not start: the driver used a card at the charger. */
async function startedAtCharger(tx: EntityManager, record: SessionRecord, ctx: LinkContext): Promise<ChargingOrder | undefined> {
  const token = record.body.cdr_token;
  const ours = await findOurToken(tx, ctx.services, token);
  if (!ours) {
    if (sameId(token.party_id, ctx.services.config.hubPartyId)) ctx.log.warn({ session: record.sessionKey, token_type: token.type }, 'session names a token of ours that we do not know: no order created');
    return undefined;
  }
  const session = record.body;
  const state = INITIAL[record.status] ?? 'ACTIVE';
  const cause = state === 'FAILED' ? 'SESSION_INVALID' : state === 'AWAITING_CDR' ? 'SESSION_COMPLETED' : 'SESSION_STARTED_AT_CHARGER';
  const order = await recordChargerOrder(tx, {
    partnerId: record.partnerId,
    countryCode: session.country_code,
    partyId: session.party_id,
    locationId: session.location_id,
    evseUid: session.evse_uid,
    connectorId: session.connector_id,
    token: ours,
    sessionKey: record.sessionKey,
    sessionId: record.sessionId,
    state,
    cause,
    now: ctx.now,
    detail: { session_id: record.sessionId, status: record.status, via: ctx.via },
  });
  ctx.log.info({ order: order.id, session: record.sessionKey }, 'charging order created for a session started at the charger');
  return order;
}

export interface ChargerOrderInput {
  partnerId: string;
  countryCode: string;
  partyId: string;
  locationId: string;
  evseUid?: string | null;
  connectorId?: string | null;
  token: { uid: string; type: string };
  sessionKey?: string | null;
  sessionId?: string | null;
  state: OrderState;
  cause: string;
  now: Date;
  detail: unknown;
}

/** An order for a charge the app did not start (a card at the charger, or a CDR we never saw a session for). */
export async function recordChargerOrder(tx: EntityManager, input: ChargerOrderInput): Promise<ChargingOrder> {
  const location = await tx.findOne(LocationEntity, { locationKey: objectKey(input.countryCode, input.partyId, input.locationId) });
  const evse = input.evseUid ? await tx.findOne(EvseEntity, { evseKey: objectKey(input.countryCode, input.partyId, input.evseUid) }) : null;
  const order = tx.create(ChargingOrderEntity, {
    id: randomUUID(),
    partnerId: input.partnerId,
    origin: 'CHARGER',
    state: input.state,
    cause: input.cause,
    message: messageFor(input.state, input.cause),
    locationRef: location?.id ?? null,
    locationId: input.locationId,
    evseRef: evse?.id ?? null,
    evseUid: input.evseUid ?? null,
    connectorId: input.connectorId ?? null,
    tokenUid: input.token.uid,
    tokenType: input.token.type,
    sessionKey: input.sessionKey ?? null,
    sessionId: input.sessionId ?? null,
    followUpCount: 0,
    stateChangedAt: input.now,
    createdAt: input.now,
    updatedAt: input.now,
  });
  tx.persist(order);
  tx.persist(tx.create(OrderEventEntity, { orderId: order.id, at: input.now, cause: input.cause, fromState: null, toState: input.state, detail: input.detail ?? null }));
  return order;
}
