import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OcpiRoute } from '../../src/ocpi/module.ts';
import type { Services } from '../../src/services.ts';
import type { Logger } from '../../src/observability/log.ts';
import { HubError, isUuid } from '../../src/errors.ts';
import type { CommandResult } from '../../src/ocpi/types.ts';
import { EvseEntity } from '../locations/entities.ts';
import { ChargingOrderEntity, CommandEntity, type ChargingOrder, type CommandRecord } from '../../charging/entities.ts';
import { noteOrder, ticketForOrder, transition } from '../../charging/orders.ts';
import { startQueries } from '../../charging/dispatch.ts';

/**
 * The CPO's CommandResult, POSTed to the response_url we gave: `/2.2.1/commands/{type}/{id}`.
 * It is accepted only from the partner the command was sent to, for that command type, and
 * only once: a repeat is acknowledged and changes nothing.
 */
const TYPES = ['START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR'];

/** What a result tells us about the EVSE, for the app's view until the CPO's next status. */
const EVSE_STATUS: Record<string, string> = { EVSE_OCCUPIED: 'CHARGING', EVSE_INOPERATIVE: 'INOPERATIVE' };

export const resultRoutes: OcpiRoute[] = [
  {
    method: 'POST',
    path: '/commands/:command/:uid',
    async handle(req) {
      const { command: type = '', uid = '' } = req.params;
      const notYours = () => {
        req.log.warn({ type, uid, partner: req.caller.partner.id }, 'CommandResult for a command this partner was not sent: refused');
        return new HubError('NOT_FOUND', `unknown command ${type}/${uid}`);
      };
      if (!TYPES.includes(type) || !isUuid(uid)) throw notYours();
      const result = await req.accept<CommandResult>('CommandResult', req.body);
      const now = req.services.clock.now();
      await req.em.transactional(async (tx) => {
        const command = await tx.findOne(CommandEntity, { id: uid }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!command || command.partnerId !== req.caller.partner.id || command.type !== type) throw notYours();
        const order = command.orderId ? await tx.findOne(ChargingOrderEntity, { id: command.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
        const ctx = { now, log: req.log };
        if (command.result) {
          const same = command.result.result === result.result;
          req.log.info({ command: uid, stored: command.result.result, incoming: result.result }, same ? 'duplicate CommandResult: nothing changes' : 'second, different CommandResult: ignored, the first one stands');
          if (order) noteOrder(tx, order, 'DUPLICATE_RESULT', { ...ctx, detail: { command_id: uid, result, first: command.result } });
          return;
        }
        command.result = result as unknown as Record<string, unknown>;
        command.resultAt = now;
        if (order) await applyResult(tx, req.services, order, command, result, ctx);
      });
      return {};
    },
  },
];

async function applyResult(tx: EntityManager, services: Services, order: ChargingOrder, command: CommandRecord, result: CommandResult, ctx: { now: Date; log: Logger }): Promise<void> {
  const t = { ...ctx, detail: { command_id: command.id, result } };
  noteOrder(tx, order, `${command.type}_RESULT`, t);
  if (command.type === 'STOP_SESSION') {
    if (order.state !== 'STOPPING') return;
    // Stopped at the charger: the session's COMPLETED confirms it; ask for it if it does not come.
    if (result.result === 'ACCEPTED') startQueries(services, order, ctx.now);
    else transition(tx, order, 'ACTIVE', `STOP_RESULT_${result.result}`, t);
    return;
  }
  if (order.state !== 'REQUESTED' && order.state !== 'PENDING') {
    // The order moved on (the session was seen, a stop was asked, or it failed): a late result changes nothing.
    noteOrder(tx, order, 'LATE_START_RESULT', { ...t, detail: { command_id: command.id, result, state: order.state } });
    ctx.log.info({ order: order.id, state: order.state, result: result.result }, 'late START_SESSION result: nothing changes');
    if (order.state === 'FAILED' && result.result === 'ACCEPTED') {
      ctx.log.warn({ order: order.id, cause: order.cause }, 'CommandResult ACCEPTED for a FAILED charging order: attached and ticketed, nothing reopened');
      await ticketForOrder(tx, order, ctx.now, 'LATE_RESULT_FOR_FAILED_ORDER', `CPO accepted START_SESSION for order ${order.id} after it had FAILED (${order.cause}): the car may be charging`);
    }
    return;
  }
  const evseStatus = EVSE_STATUS[result.result];
  if (evseStatus && order.evseRef) {
    const evse = await tx.findOne(EvseEntity, { id: order.evseRef });
    if (evse && evse.status !== 'REMOVED') {
      evse.status = evseStatus;
      evse.statusReportedAt = ctx.now;
    }
  }
  if (result.result === 'ACCEPTED') transition(tx, order, 'ACTIVE', 'RESULT_ACCEPTED', t);
  else transition(tx, order, 'FAILED', `RESULT_${result.result}`, t);
}
