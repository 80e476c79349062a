import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../src/services.ts';
import { sameId } from '../src/ocpi/party-scope.ts';
import { parseDateTime } from '../src/ocpi/datetime.ts';
import type { Logger } from '../src/observability/log.ts';
import { ExceptionTicketEntity, openTicket } from '../src/exceptions/tickets.ts';
import { ChargingOrderEntity, type ChargingOrder, type OrderState } from './entities.ts';
import { noteOrder } from './orders.ts';

/**
 * Finding the app's order for a session or CDR that does not echo our authorization_reference
 * (OCPI 2.2 does not require it): the one order of the same partner, EVSE (and connector where
 * both name one) and token that has no session yet and was created within the command window
 * before the charge started. One candidate links; several link none, so nobody is billed for
 * someone else's charge and no second order is opened for a charge the app started.
 */
export interface Charge {
  partnerId: string;
  evseUid?: string | null;
  connectorId?: string | null;
  token: { uid: string; type: string };
  /** The session's or CDR's start_date_time. */
  startedAt: string;
  /** A CDR may only take an order no CDR has settled yet. */
  forCdr?: boolean;
}

export type ChargeMatch = { kind: 'ONE'; order: ChargingOrder } | { kind: 'SEVERAL'; orders: ChargingOrder[] } | { kind: 'NONE' };

/** States in which an app order may still be waiting for its session (FAILED only when the start went unconfirmed: it may have run). */
const WAITING: OrderState[] = ['REQUESTED', 'PENDING', 'ACTIVE', 'STOPPING', 'FAILED'];

/** Partners' clocks and ours differ; a start reported a little before our order was created is the same charge. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** From the order's creation to the last moment its start can still be confirmed: send, wait for the result, the last query. */
export function commandWindowMs(services: Services): number {
  const { commandTimeoutSeconds, commandResultMaxWaitSeconds, commandQueryDelaysSeconds } = services.config;
  return (commandTimeoutSeconds + commandResultMaxWaitSeconds + (commandQueryDelaysSeconds.at(-1) ?? 0)) * 1000;
}

async function matchAppOrder(tx: EntityManager, services: Services, charge: Charge): Promise<ChargeMatch> {
  const started = parseDateTime(charge.startedAt);
  if (!started || !charge.evseUid) return { kind: 'NONE' };
  const from = new Date(started.getTime() - commandWindowMs(services) - CLOCK_SKEW_MS);
  const to = new Date(started.getTime() + CLOCK_SKEW_MS);
  const candidates = await tx.find(
    ChargingOrderEntity,
    {
      partnerId: charge.partnerId,
      origin: 'APP',
      sessionKey: null,
      state: { $in: WAITING },
      tokenUid: charge.token.uid,
      tokenType: charge.token.type,
      createdAt: { $gte: from, $lte: to },
      ...(charge.forCdr ? { cdrRef: null } : {}),
    },
    { orderBy: { createdAt: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  const orders = candidates.filter(
    (o) =>
      (o.state !== 'FAILED' || o.cause === 'START_UNCONFIRMED') &&
      sameId(o.evseUid, charge.evseUid) && (!o.connectorId || !charge.connectorId || sameId(o.connectorId, charge.connectorId)),
  );
  if (orders.length === 1) return { kind: 'ONE', order: orders[0]! };
  return orders.length ? { kind: 'SEVERAL', orders } : { kind: 'NONE' };
}

/**
 * Several app orders could be this charge: none is linked. Each says so in its view, and one
 * ticket (per session or CDR, however often it is re-sent) names them for operations.
 */
async function reportSeveralMatches(
  tx: EntityManager,
  ctx: { now: Date; log: Logger },
  input: { what: 'SESSION' | 'CDR'; partnerId: string; key: string; orders: ChargingOrder[] },
): Promise<void> {
  const ids = input.orders.map((o) => o.id);
  const kind = `AMBIGUOUS_${input.what}_MATCH`;
  const label = input.what === 'SESSION' ? 'session' : 'CDR';
  const notice = `the CPO's ${label} ${input.key} carries no authorization_reference and could belong to ${ids.length} orders (${ids.join(', ')}): linked to none until operations decides`;
  for (const order of input.orders) {
    if (order.notice === notice) continue;
    order.notice = notice;
    order.updatedAt = ctx.now;
    noteOrder(tx, order, kind, { ...ctx, detail: { [label.toLowerCase()]: input.key, candidates: ids } });
  }
  const open = await tx.find(ExceptionTicketEntity, { kind, partnerId: input.partnerId, state: 'OPEN' });
  if (open.some((t) => (t.evidence[0]?.detail as { key?: string } | undefined)?.key === input.key)) return;
  ctx.log.warn({ key: input.key, candidates: ids }, `${label} without authorization_reference matches several orders: linked to none, ticketed`);
  openTicket(tx, ctx.now, {
    kind,
    partnerId: input.partnerId,
    summary: `${label} ${input.key} has no authorization_reference and matches ${ids.length} app orders (same EVSE, token and time): ${ids.join(', ')}; none linked`,
    evidence: [{ at: ctx.now.toISOString(), what: `${label} without authorization_reference`, detail: { key: input.key, candidates: ids } }],
  });
}

/**
 * The app order of a session or CDR that carries no authorization_reference: the one match,
 * noted on its history as matched without reference; several are reported (none linked, see
 * reportSeveralMatches) and answered 'SEVERAL'; none is undefined.
 */
export async function unreferencedAppOrder(
  tx: EntityManager,
  ctx: { services: Services; now: Date; log: Logger },
  input: { what: 'SESSION' | 'CDR'; key: string; charge: Charge; detail: Record<string, unknown> },
): Promise<ChargingOrder | 'SEVERAL' | undefined> {
  const match = await matchAppOrder(tx, ctx.services, input.charge);
  if (match.kind === 'SEVERAL') {
    await reportSeveralMatches(tx, ctx, { what: input.what, partnerId: input.charge.partnerId, key: input.key, orders: match.orders });
    return 'SEVERAL';
  }
  if (match.kind === 'NONE') return undefined;
  match.order.notice = null;
  noteOrder(tx, match.order, `${input.what}_MATCHED_WITHOUT_REFERENCE`, { now: ctx.now, log: ctx.log, detail: { ...input.detail, matched_on: 'partner, EVSE, connector, token and start time' } });
  return match.order;
}
