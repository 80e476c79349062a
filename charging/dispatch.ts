import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../src/services.ts';
import type { Logger } from '../src/observability/log.ts';
import { getPartner } from '../src/partners/registry.ts';
import { CommandEntity, ChargingOrderEntity, type ChargingOrder, type CommandRecord, type CommandType } from './entities.ts';
import { noteOrder, transition, withOrder } from './orders.ts';
import { responseUrl, sendCommand, type SendOutcome } from '../ocpi-modules/commands/api.ts';

/**
 * Sending a command and recording what its answer means. The command row (and the order's
 * follow-up, set before sending) is committed first, so a crash while the POST is in flight
 * leaves a schedule that will ask the CPO what happened.
 */
export function createCommand(em: EntityManager, services: Services, input: { type: CommandType; partnerId: string; orderId?: string; body: Record<string, unknown>; createdBy?: string }): CommandRecord {
  const id = randomUUID();
  const command = em.create(CommandEntity, {
    id,
    orderId: input.orderId ?? null,
    partnerId: input.partnerId,
    type: input.type,
    request: { response_url: responseUrl(services, { type: input.type, id }), ...input.body },
    createdAt: services.clock.now(),
    createdBy: input.createdBy ?? null,
  });
  em.persist(command);
  return command;
}

/** The schedule while a command's outcome is not known: as if the POST had just timed out. */
export function scheduleAfterSend(services: Services, order: ChargingOrder, now: Date): void {
  startQueries(services, order, new Date(now.getTime() + services.config.commandTimeoutSeconds * 1000));
}

/** Wait for the CommandResult until the CPO's announced timeout (bounded by configuration). */
function awaitResult(services: Services, order: ChargingOrder, now: Date, timeoutSeconds: number): void {
  const seconds = Math.min(Math.max(Math.floor(timeoutSeconds), 1), services.config.commandResultMaxWaitSeconds);
  order.followUpKind = 'RESULT_DEADLINE';
  order.followUpAt = new Date(now.getTime() + seconds * 1000);
  order.followUpCount = 0;
  order.unconfirmedSince = null;
}

/** The outcome is unknown from `now`: ask the CPO's Sessions sender after each configured delay. */
export function startQueries(services: Services, order: ChargingOrder, now: Date): void {
  order.followUpKind = 'SESSION_QUERY';
  order.unconfirmedSince = now;
  order.followUpAt = new Date(now.getTime() + services.config.commandQueryDelaysSeconds[0]! * 1000);
  order.followUpCount = 0;
}

const EXPLICIT_REFUSALS = ['REJECTED', 'NOT_SUPPORTED', 'UNKNOWN_SESSION'];

/** Sends a committed command and records the answer (on its order, locked). */
export async function dispatch(services: Services, log: Logger, commandId: string): Promise<SendOutcome> {
  const em = services.orm.em.fork();
  const command = await em.findOneOrFail(CommandEntity, { id: commandId });
  const partner = await getPartner(em, command.partnerId);
  const outcome = await sendCommand(services, partner, command);
  log.info({ command: command.id, type: command.type, order: command.orderId, outcome: outcome.kind }, 'command sent');
  await em.fork().transactional(async (tx) => {
    const now = services.clock.now();
    const cmd = await tx.findOneOrFail(CommandEntity, { id: commandId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    cmd.responseAt = now;
    if (outcome.kind === 'UNKNOWN') cmd.sendFailure = outcome.reason;
    else if (outcome.kind === 'THROTTLED') cmd.sendFailure = `throttled: HTTP ${String(outcome.evidence.http_status)}, retry after ${outcome.retryAfterSeconds} s`;
    else cmd.response = outcome.evidence;
    if (!cmd.orderId) return;
    const order = await tx.findOneOrFail(ChargingOrderEntity, { id: cmd.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    await applySendOutcome(tx, services, order, cmd, outcome, { now, log });
  });
  return outcome;
}

async function applySendOutcome(tx: EntityManager, services: Services, order: ChargingOrder, cmd: CommandRecord, outcome: SendOutcome, ctx: { now: Date; log: Logger }): Promise<void> {
  const detail = { command_id: cmd.id, type: cmd.type, request: cmd.request, outcome: outcome.kind, answer: outcome.evidence };
  noteOrder(tx, order, `${cmd.type}_ANSWER`, { ...ctx, detail });
  const t = { ...ctx, detail: { command_id: cmd.id } };
  const prefix = cmd.type === 'START_SESSION' ? 'START' : 'STOP';
  const waiting = cmd.type === 'START_SESSION' ? 'PENDING' : 'STOPPING';
  if (outcome.kind === 'REFUSED') {
    // A refusal answers the command we sent; if the order moved on meanwhile (a session came), it stands.
    if (order.state !== waiting && order.state !== 'REQUESTED') return;
    const cause = EXPLICIT_REFUSALS.includes(outcome.result) ? `${prefix}_${outcome.result}` : `${prefix}_REFUSED`;
    transition(tx, order, cmd.type === 'START_SESSION' ? 'FAILED' : 'ACTIVE', cause, t);
    return;
  }
  if (outcome.kind === 'THROTTLED') {
    if (order.state !== waiting && order.state !== 'REQUESTED') return;
    await applyThrottled(tx, services, order, cmd, outcome.retryAfterSeconds, ctx);
    return;
  }
  if (order.state === 'REQUESTED') transition(tx, order, 'PENDING', outcome.kind === 'ACCEPTED' ? 'START_ACCEPTED' : 'START_OUTCOME_UNKNOWN', t);
  // Already past waiting (a CommandResult or the session came first): nothing to schedule.
  if (order.state !== waiting) return;
  if (outcome.kind === 'ACCEPTED') awaitResult(services, order, ctx.now, outcome.response.timeout);
  else startQueries(services, order, ctx.now);
  order.updatedAt = ctx.now;
}

/**
 * HTTP 429 or 503 from the CPO: the command was not executed, so it may be sent once more.
 * That retry is a follow-up (COMMAND_RETRY, durable like the others) due after Retry-After,
 * if that still falls within the command window (COMMAND_TIMEOUT_SECONDS from the first
 * send); a second throttle, or a Retry-After past the window, takes the compensation path:
 * the session queries, as for an unknown outcome.
 */
async function applyThrottled(tx: EntityManager, services: Services, order: ChargingOrder, cmd: CommandRecord, retryAfterSeconds: number, ctx: { now: Date; log: Logger }): Promise<void> {
  const sent = await tx.find(CommandEntity, { orderId: order.id, type: cmd.type }, { orderBy: { createdAt: 'asc' } });
  const windowEnd = (sent[0]?.createdAt ?? cmd.createdAt).getTime() + services.config.commandTimeoutSeconds * 1000;
  const retryAt = new Date(ctx.now.getTime() + retryAfterSeconds * 1000);
  const retry = sent.length < 2 && retryAt.getTime() <= windowEnd;
  if (order.state === 'REQUESTED') transition(tx, order, 'PENDING', retry ? 'START_THROTTLED' : 'START_OUTCOME_UNKNOWN', { ...ctx, detail: { command_id: cmd.id } });
  noteOrder(tx, order, `${cmd.type === 'START_SESSION' ? 'START' : 'STOP'}_THROTTLED`, { ...ctx, detail: { command_id: cmd.id, retry_after_seconds: retryAfterSeconds, attempt: sent.length, next: retry ? 'COMMAND_RETRY' : 'SESSION_QUERY', ...(retry ? { retry_at: retryAt.toISOString() } : {}) } });
  if (retry) {
    order.followUpKind = 'COMMAND_RETRY';
    order.followUpAt = retryAt;
    order.followUpCount = 0;
    order.unconfirmedSince = null;
  } else {
    startQueries(services, order, ctx.now);
  }
  order.updatedAt = ctx.now;
}

/**
 * The due retry of a throttled command (follow-up COMMAND_RETRY): a new command with the same
 * request, committed with the order's after-send schedule before it is sent, like the first.
 */
export async function retryCommand(services: Services, log: Logger, orderId: string, now: Date): Promise<void> {
  const commandId = await withOrder(services.orm.em.fork(), orderId, async (tx, order) => {
    if (order.followUpKind !== 'COMMAND_RETRY' || !order.followUpAt || order.followUpAt > now) return undefined;
    const type: CommandType = order.state === 'STOPPING' ? 'STOP_SESSION' : 'START_SESSION';
    const [last] = await tx.find(CommandEntity, { orderId: order.id, type }, { orderBy: { createdAt: 'desc' }, limit: 1 });
    if (!last) {
      startQueries(services, order, now);
      return undefined;
    }
    const { response_url: _url, ...body } = last.request as Record<string, unknown>;
    const command = createCommand(tx, services, { type, partnerId: order.partnerId, orderId: order.id, createdBy: last.createdBy ?? undefined, body });
    noteOrder(tx, order, 'COMMAND_RETRY', { now, log, detail: { type, retry_of: last.id, command_id: command.id } });
    scheduleAfterSend(services, order, now);
    order.updatedAt = now;
    return command.id;
  });
  if (commandId) await dispatchOrLeaveToFollowUp(services, log, commandId);
}

/**
 * For orders: the order and its follow-up are committed before sending, so whatever goes
 * wrong while sending or recording the answer (a bug, the database gone for a moment), the
 * app still gets its order and the follow-up finds out what happened.
 */
export async function dispatchOrLeaveToFollowUp(services: Services, log: Logger, commandId: string): Promise<void> {
  try {
    await dispatch(services, log, commandId);
  } catch (err) {
    if (!services.dbErrors.absorb(err, log)) log.error({ err, command: commandId }, 'sending the command failed unexpectedly: the order is left to its follow-up');
  }
}
