import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../src/services.ts';
import type { Logger } from '../src/observability/log.ts';
import type { CommandResult } from '../src/ocpi/types.ts';
import { showEvseStatus } from '../ocpi-modules/locations/api.ts';
import { ChargingOrderEntity, CommandEntity, type ChargingOrder, type CommandRecord } from './entities.ts';
import { noteOrder, ticketForOrder, transition } from './orders.ts';
import { startQueries } from './dispatch.ts';

/** What a result tells us about the EVSE, for the app's view until the CPO's next status. */
const EVSE_STATUS: Record<string, string> = { EVSE_OCCUPIED: 'CHARGING', EVSE_INOPERATIVE: 'INOPERATIVE' };

/**
 * A CPO's CommandResult for command `uid` of `type`, from `partnerId`: false when no such
 * command was sent to that partner. Only the first result counts; a repeat is noted on the
 * order and changes nothing.
 */
export async function commandResultArrived(tx: EntityManager, services: Services, partnerId: string, type: string, uid: string, result: CommandResult, ctx: { now: Date; log: Logger }): Promise<boolean> {
  const command = await tx.findOne(CommandEntity, { id: uid }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!command || command.partnerId !== partnerId || command.type !== type) return false;
  const order = command.orderId ? await tx.findOne(ChargingOrderEntity, { id: command.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
  if (command.result) {
    const same = command.result.result === result.result;
    ctx.log.info({ command: uid, stored: command.result.result, incoming: result.result }, same ? 'duplicate CommandResult: nothing changes' : 'second, different CommandResult: ignored, the first one stands');
    if (order) noteOrder(tx, order, 'DUPLICATE_RESULT', { ...ctx, detail: { command_id: uid, result, first: command.result } });
    return true;
  }
  command.result = result as unknown as Record<string, unknown>;
  command.resultAt = ctx.now;
  if (order) await applyResult(tx, services, order, command, result, ctx);
  return true;
}

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
  if (evseStatus && order.evseRef) await showEvseStatus(tx, order.evseRef, evseStatus, ctx.now);
  if (result.result === 'ACCEPTED') transition(tx, order, 'ACTIVE', 'RESULT_ACCEPTED', t);
  else transition(tx, order, 'FAILED', `RESULT_${result.result}`, t);
}
