import type { EntityManager } from '@mikro-orm/postgresql';
import { SessionEntity, type SessionRecord } from '../ocpi-modules/sessions/api.ts';
import { snakeView } from '../src/api/view.ts';
import { CommandEntity, OrderEventEntity, type ChargingOrder, type CommandRecord } from './entities.ts';

/**
 * What the app sees of an order: its state and a message for the driver, and, once the CPO
 * reports the session, energy and cost as the CPO states them (the settled cost comes with
 * the CDR).
 */
function orderView(order: ChargingOrder, session?: SessionRecord | null) {
  const s = session?.body;
  return {
    ...snakeView(order, ['id', 'state', 'message', ['reason', 'cause'], 'notice?', 'origin', 'partnerId', ['location_id', 'locationRef?'], ['ocpi_location_id', 'locationId'], 'evseUid?']),
    connector_id: order.connectorId ?? s?.connector_id ?? null,
    token: { uid: order.tokenUid, type: order.tokenType },
    kwh: s?.kwh ?? null,
    cost: s?.total_cost ? { currency: s.currency, excl_vat: s.total_cost.excl_vat, incl_vat: s.total_cost.incl_vat ?? null } : null,
    billed: order.billedCurrency ? { currency: order.billedCurrency, excl_vat: Number(order.billedExclVat), incl_vat: Number(order.billedInclVat) } : null,
    started_at: s?.start_date_time ?? null,
    ended_at: s?.end_date_time ?? null,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    session: s ?? null,
  };
}

export async function orderWithSession(em: EntityManager, order: ChargingOrder) {
  return (await ordersWithSessions(em, [order]))[0]!;
}

/** A page of orders with their sessions, read in one query. */
export async function ordersWithSessions(em: EntityManager, orders: ChargingOrder[]) {
  const keys = orders.flatMap((o) => (o.sessionKey ? [o.sessionKey] : []));
  const sessions = keys.length ? await em.find(SessionEntity, { sessionKey: { $in: keys } }) : [];
  const byKey = new Map(sessions.map((s) => [s.sessionKey, s]));
  return orders.map((o) => orderView(o, o.sessionKey ? byKey.get(o.sessionKey) : null));
}

export function commandView(c: CommandRecord) {
  return snakeView(c, ['id', 'type', 'orderId?', 'partnerId', 'request', 'response?', 'sendFailure?', ['answered_at', 'responseAt?'], 'result?', 'resultAt?', 'createdAt', 'createdBy?']);
}

/** The operations view: the app's, plus every event and command (the evidence). */
export async function orderHistory(em: EntityManager, order: ChargingOrder) {
  const [events, commands] = await Promise.all([
    em.find(OrderEventEntity, { orderId: order.id }, { orderBy: { id: 'asc' } }),
    em.find(CommandEntity, { orderId: order.id }, { orderBy: { createdAt: 'asc' } }),
  ]);
  return {
    ...(await orderWithSession(em, order)),
    follow_up: order.followUpAt ? { kind: order.followUpKind, at: order.followUpAt, attempts: order.followUpCount } : null,
    events: events.map((e) => ({ at: e.at, cause: e.cause, from: e.fromState ?? null, to: e.toState ?? null, detail: e.detail ?? null })),
    commands: commands.map(commandView),
  };
}
