import type { Services } from '../src/services.ts';
import type { Job } from '../src/jobs/scheduler.ts';
import type { Logger } from '../src/observability/log.ts';
import { getPartner } from '../src/partners/registry.ts';
import { ChargingOrderEntity, type ChargingOrder } from './entities.ts';
import { noteOrder, ticketForOrder, transition, withOrder } from './orders.ts';
import { applyQueriedSession, lookupSession } from './session-query.ts';
import { pullCdrs } from '../ocpi-modules/cdrs/api.ts';

/**
 * Callbacks get lost. Every run: ACTIVE orders whose session has been silent for
 * SESSION_SILENCE_MINUTES are checked with the CPO (and, if the session is over, its CDR is
 * pulled); orders running past SESSION_MAX_HOURS become EXCEPTION; orders still without a
 * CDR CDR_WAIT_HOURS after the session ended pull the CPO's CDRs, then open a ticket.
 */
const CLOCK_SKEW_MS = 5 * 60_000;
const BATCH = 100;

async function runWatchdog(services: Services): Promise<{ silent: number; tooLong: number; missingCdr: number }> {
  const now = services.clock.now();
  const { sessionSilenceMinutes, sessionMaxHours, cdrWaitHours } = services.config;
  const conn = services.orm.em.getConnection();
  const log = services.log.child({ job: 'session-watchdog' });

  const tooLong: { id: string }[] = await conn.execute(
    `select id from charging_orders where state in ('ACTIVE', 'STOPPING') and created_at < ? order by created_at limit ${BATCH}`,
    [new Date(now.getTime() - sessionMaxHours * 3_600_000)],
  );
  for (const { id } of tooLong) {
    await guarded(log, id, () =>
      withOrder(services.orm.em.fork(), id, async (tx, order) => {
        if (!transition(tx, order, 'EXCEPTION', 'MAX_DURATION_EXCEEDED', { now, log, detail: { started: order.createdAt, max_hours: sessionMaxHours } })) return;
        await ticketForOrder(tx, order, now, 'SESSION_TOO_LONG', `order ${order.id} has been charging for more than ${sessionMaxHours} h`);
      }),
    );
  }

  const silent: { id: string }[] = await conn.execute(
    `select o.id from charging_orders o left join sessions s on s.session_key = o.session_key
      where o.state in ('ACTIVE', 'EXCEPTION') and greatest(coalesce(s.updated_at, o.updated_at), o.updated_at) < ?
      order by o.updated_at limit ${BATCH}`,
    [new Date(now.getTime() - sessionSilenceMinutes * 60_000)],
  );
  for (const { id } of silent) await guarded(log, id, () => checkSilentOrder(services, log, id));

  const waiting: { id: string }[] = await conn.execute(
    `select o.id from charging_orders o
      where o.state = 'AWAITING_CDR' and o.state_changed_at < ?
        and not exists (select 1 from exception_tickets t where t.order_id = o.id and t.kind = 'CDR_MISSING' and t.state = 'OPEN')
        and not exists (select 1 from cdrs c where c.order_id = o.id)
      order by o.state_changed_at limit ${BATCH}`,
    [new Date(now.getTime() - cdrWaitHours * 3_600_000)],
  );
  for (const { id } of waiting) {
    await guarded(log, id, async () => {
      const order = await services.orm.em.fork().findOneOrFail(ChargingOrderEntity, { id });
      const pulled = await pullForOrder(services, log, order);
      await withOrder(services.orm.em.fork(), id, async (tx, o) => {
        noteOrder(tx, o, 'CDR_PULLED', { now, log, detail: pulled });
        if (o.state === 'AWAITING_CDR') await ticketForOrder(tx, o, now, 'CDR_MISSING', `no CDR for order ${o.id} ${cdrWaitHours} h after its session ended, even after pulling the CPO's CDRs`);
      });
    });
  }
  return { silent: silent.length, tooLong: tooLong.length, missingCdr: waiting.length };
}

async function guarded(log: Logger, id: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.error({ err, order: id }, 'watchdog check failed; retried on the next run');
  }
}

async function pullForOrder(services: Services, log: Logger, order: ChargingOrder): Promise<Record<string, unknown>> {
  try {
    const partner = await getPartner(services.orm.em.fork(), order.partnerId);
    const result = await pullCdrs(services, log, partner, new Date(order.createdAt.getTime() - CLOCK_SKEW_MS));
    return { outcome: 'PULLED', received: result.received, applied: result.applied, rejected: result.rejected };
  } catch (err) {
    return { outcome: 'UNREACHABLE', error: (err as Error).message };
  }
}

async function checkSilentOrder(services: Services, log: Logger, id: string): Promise<void> {
  const em = services.orm.em.fork();
  const order = await em.findOneOrFail(ChargingOrderEntity, { id });
  const partner = await getPartner(em, order.partnerId);
  const lookup = await lookupSession(services, partner, order);
  const now = services.clock.now();
  if (lookup.outcome === 'FOUND') await applyQueriedSession(services, log, partner, lookup.session, now);
  const after = await services.orm.em.fork().findOneOrFail(ChargingOrderEntity, { id });
  const pulled = after.state === 'AWAITING_CDR' ? await pullForOrder(services, log, after) : undefined;
  await withOrder(services.orm.em.fork(), id, (tx, o) => {
    noteOrder(tx, o, 'WATCHDOG_SESSION_CHECK', { now, log, detail: { outcome: lookup.outcome, ...lookup.evidence, ...(pulled ? { cdrs: pulled } : {}) } });
    // The next check waits another silence period.
    o.updatedAt = now;
  });
}

export const watchdogJob: Job = {
  name: 'session-watchdog',
  schedule: (config) => config.watchdogCron,
  run: async (services) => {
    await runWatchdog(services);
  },
};
