import type { Services } from '../src/services.ts';
import type { Job } from '../src/jobs/scheduler.ts';
import type { Logger } from '../src/observability/log.ts';
import { getPartner } from '../src/partners/registry.ts';
import { ChargingOrderEntity } from './entities.ts';
import { clearFollowUp, noteOrder, ticketForOrder, transition, withOrder } from './orders.ts';
import { retryCommand, startQueries } from './dispatch.ts';
import { applyQueriedSession, lookupSession } from './session-query.ts';

/**
 * The durable follow-up of orders whose outcome the hub does not know yet. Due orders are
 * claimed with FOR UPDATE SKIP LOCKED and a lease, so with several instances each follow-up
 * runs once, and after a restart every PENDING order resumes where its schedule says.
 * Times are the hub's clock (injected), never the database's.
 */
const LEASE_MS = 5 * 60_000;
const BATCH = 50;

export async function runFollowUps(services: Services): Promise<number> {
  const now = services.clock.now();
  const claimed: { id: string }[] = await services.orm.em.getConnection().execute(
    `update charging_orders set claimed_until = ? where id in (
       select id from charging_orders
        where follow_up_at <= ? and (claimed_until is null or claimed_until < ?)
        order by follow_up_at limit ${BATCH} for update skip locked)
     returning id`,
    [new Date(now.getTime() + LEASE_MS), now, now],
  );
  for (const { id } of claimed) {
    const log = services.log.child({ order: id, job: 'charging-follow-up' });
    try {
      await followUp(services, log, id);
    } catch (err) {
      if (!services.dbErrors.absorb(err, log)) log.error({ err }, 'charging order follow-up failed; it will be retried when its lease ends');
      continue;
    }
    await services.orm.em.getConnection().execute('update charging_orders set claimed_until = null where id = ?', [id]);
  }
  return claimed.length;
}

async function followUp(services: Services, log: Logger, id: string): Promise<void> {
  const order = await services.orm.em.fork().findOne(ChargingOrderEntity, { id });
  const now = services.clock.now();
  if (!order?.followUpAt || order.followUpAt > now) return;
  if (!['REQUESTED', 'PENDING', 'STOPPING'].includes(order.state)) {
    await withOrder(services.orm.em.fork(), id, (_tx, o) => clearFollowUp(o));
    return;
  }
  if (order.followUpKind === 'COMMAND_RETRY') {
    await retryCommand(services, log, id, now);
    return;
  }
  if (order.followUpKind === 'RESULT_DEADLINE') {
    await withOrder(services.orm.em.fork(), id, (tx, o) => {
      if (o.followUpKind !== 'RESULT_DEADLINE' || !o.followUpAt || o.followUpAt > now) return;
      noteOrder(tx, o, 'RESULT_NOT_RECEIVED', { now, log, detail: { deadline: o.followUpAt.toISOString() } });
      startQueries(services, o, now);
      o.updatedAt = now;
    });
    return;
  }
  await confirmSession(services, log, id, true);
}

/**
 * Asks the CPO for the order's session and applies what it says. `scheduled` (the follow-up
 * job) also counts the attempt and, after the last one, gives up with a ticket; the stop path
 * calls it once to learn a session id.
 */
export async function confirmSession(services: Services, log: Logger, id: string, scheduled = false): Promise<void> {
  const em = services.orm.em.fork();
  const order = await em.findOneOrFail(ChargingOrderEntity, { id });
  const partner = await getPartner(em, order.partnerId);
  const due = order.followUpAt?.getTime();
  if (scheduled && order.state === 'REQUESTED') {
    // The hub stopped (or lost track) while sending: whether the CPO got the command is unknown.
    await withOrder(services.orm.em.fork(), id, (tx, o) => {
      if (o.state === 'REQUESTED') transition(tx, o, 'PENDING', 'START_OUTCOME_UNKNOWN', { now: services.clock.now(), log, detail: { reason: 'no answer to the command was recorded' } });
    });
  }
  const lookup = await lookupSession(services, partner, order);
  const now = services.clock.now();
  let outcome: string = lookup.outcome;
  const evidence: Record<string, unknown> = { ...lookup.evidence };
  if (lookup.outcome === 'FOUND') {
    const refused = await applyQueriedSession(services, log, partner, lookup.session, now);
    if (refused) {
      outcome = 'NOT_FOUND';
      evidence.rejected = refused;
    }
  }
  await withOrder(services.orm.em.fork(), id, async (tx, o) => {
    noteOrder(tx, o, 'SESSION_QUERY', { now, log, detail: { outcome, attempt: scheduled ? o.followUpCount + 1 : null, ...evidence } });
    // Settled meanwhile (the session or a CommandResult arrived, or this query found it).
    if (!scheduled || o.followUpKind !== 'SESSION_QUERY' || o.followUpAt?.getTime() !== due) return;
    const delays = services.config.commandQueryDelaysSeconds;
    o.followUpCount += 1;
    o.updatedAt = now;
    if (o.followUpCount < delays.length) {
      o.followUpAt = new Date(o.unconfirmedSince!.getTime() + delays[o.followUpCount]! * 1000);
      return;
    }
    if (o.state === 'STOPPING') {
      transition(tx, o, 'ACTIVE', 'STOP_UNCONFIRMED', { now, log });
      await ticketForOrder(tx, o, now, 'STOP_UNCONFIRMED', `STOP_SESSION for order ${o.id} could not be confirmed with the CPO after ${delays.length} queries: the car may still be charging`);
    } else {
      transition(tx, o, 'FAILED', 'START_UNCONFIRMED', { now, log });
      await ticketForOrder(tx, o, now, 'COMMAND_UNCONFIRMED', `START_SESSION for order ${o.id} could not be confirmed with the CPO after ${delays.length} queries`);
    }
  });
}

export const chargingFollowUpJob: Job = {
  name: 'charging-follow-up',
  schedule: (config) => config.chargingFollowUpCron,
  run: async (services) => {
    await runFollowUps(services);
  },
};
