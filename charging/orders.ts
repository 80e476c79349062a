import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound, isUuid } from '../src/errors.ts';
import type { Logger } from '../src/observability/log.ts';
import { ExceptionTicketEntity, openTicket, type EvidenceItem } from '../src/exceptions/tickets.ts';
import { ChargingOrderEntity, OrderEventEntity, type ChargingOrder, type OrderState } from './entities.ts';
import { messageFor } from './messages.ts';
import { transition as transitionBy, type Lifecycle, type Moves } from '../src/lifecycle.ts';

/**
 * The charging order's state machine. Every change goes through `transition`, which refuses
 * what the table below does not allow and stores the transition with its cause. A refusal
 * is normal traffic here, not an error: duplicates and late messages are a logged no-op,
 * noted on the order so its history shows what arrived.
 */
const NEXT = {
  // COMPLETED from a start still unconfirmed: its CDR proves the charge happened.
  REQUESTED: ['PENDING', 'ACTIVE', 'COMPLETED', 'FAILED'],
  PENDING: ['ACTIVE', 'COMPLETED', 'FAILED'],
  // COMPLETED straight from ACTIVE: the CDR came, the session's COMPLETED was lost on the way.
  ACTIVE: ['STOPPING', 'AWAITING_CDR', 'COMPLETED', 'FAILED', 'EXCEPTION'],
  // A refused or unconfirmed stop leaves the user charging: back to ACTIVE, with a message saying so.
  STOPPING: ['ACTIVE', 'AWAITING_CDR', 'COMPLETED', 'FAILED', 'EXCEPTION'],
  AWAITING_CDR: ['COMPLETED'],
  COMPLETED: [],
  FAILED: [],
  // Past the maximum duration: operations look at it, but the session's end and the CDR still count.
  EXCEPTION: ['AWAITING_CDR', 'COMPLETED'],
  // No state lists itself: a repeat (already in that state) must stay an ignored duplicate.
} satisfies Record<OrderState, OrderState[]>;

export interface TransitionContext {
  now: Date;
  log: Logger;
  detail?: unknown;
}

/** Records something that happened to the order without changing its state (evidence). */
export function noteOrder(em: EntityManager, order: ChargingOrder, cause: string, ctx: TransitionContext): void {
  em.persist(em.create(OrderEventEntity, { orderId: order.id, at: ctx.now, cause, fromState: null, toState: null, detail: ctx.detail ?? null }));
}

export const orderLifecycle: Lifecycle<ChargingOrder, OrderState, string, TransitionContext> = {
  moves: (): Moves<OrderState> => NEXT,
  stateOf: (order) => order.state,
  enter: (order, { to, cause }, ctx) => {
    order.state = to;
    order.cause = cause;
    order.message = messageFor(to, cause);
    order.updatedAt = ctx.now;
    order.stateChangedAt = ctx.now;
    // PENDING and STOPPING wait on the partner: their follow-up is what chases it.
    if (to !== 'PENDING' && to !== 'STOPPING') clearFollowUp(order);
  },
  record: (em, order, { from, to, cause }, ctx) => {
    em.persist(em.create(OrderEventEntity, { orderId: order.id, at: ctx.now, cause, fromState: from, toState: to, detail: ctx.detail ?? null }));
    ctx.log.info({ order: order.id, from, to, cause }, 'charging order transition');
  },
  refusal: () => 'IGNORE',
  ignored: (em, order, { from, to, cause }, ctx) => {
    ctx.log.info({ order: order.id, state: from, wanted: to, cause }, from === to ? 'charging order already in that state: nothing changes' : 'charging order transition not allowed: ignored');
    // The event's cause column holds 60 characters.
    noteOrder(em, order, `IGNORED_${cause}`.slice(0, 60), { ...ctx, detail: { state: from, wanted: to, ...(ctx.detail === undefined ? {} : { detail: ctx.detail }) } });
  },
};

/** Moves the order to `to` for `cause`; returns whether it moved. The order must be locked by the caller. */
export function transition(em: EntityManager, order: ChargingOrder, to: OrderState, cause: string, ctx: TransitionContext): boolean {
  return transitionBy(em, orderLifecycle, order, to, cause, ctx);
}

export function clearFollowUp(order: ChargingOrder): void {
  order.followUpKind = null;
  order.followUpAt = null;
  order.followUpCount = 0;
  order.unconfirmedSince = null;
}

/** Runs `fn` on the order, row-locked, in one transaction. */
export async function withOrder<T>(em: EntityManager, id: string, fn: (tx: EntityManager, order: ChargingOrder) => Promise<T> | T): Promise<T> {
  if (!isUuid(id)) throw notFound(`no charging session ${id}`);
  return em.transactional(async (tx) => {
    const order = await tx.findOne(ChargingOrderEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!order) throw notFound(`no charging session ${id}`);
    return fn(tx, order);
  });
}

/** The order's history as ticket evidence: every event with its time and detail. */
async function orderEvidence(em: EntityManager, orderId: string): Promise<EvidenceItem[]> {
  const events = await em.find(OrderEventEntity, { orderId }, { orderBy: { id: 'asc' } });
  return events.map((e) => ({
    at: new Date(e.at).toISOString(),
    what: e.toState ? `${e.cause}: ${e.fromState} → ${e.toState}` : e.cause,
    ...(e.detail == null ? {} : { detail: e.detail }),
  }));
}

/**
 * Opens a ticket about the order, or adds to the one of that kind still open, so that a
 * session updated every minute does not bury operations under copies.
 */
export async function ticketForOrder(em: EntityManager, order: ChargingOrder, now: Date, kind: string, summary: string): Promise<void> {
  await em.flush();
  const evidence = await orderEvidence(em, order.id);
  const open = await em.findOne(ExceptionTicketEntity, { orderId: order.id, kind, state: 'OPEN' });
  if (open) {
    open.evidence = evidence;
    return;
  }
  openTicket(em, now, { kind, summary, partnerId: order.partnerId, orderId: order.id, evidence });
}
