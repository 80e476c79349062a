import type { EntityManager } from '@mikro-orm/postgresql';
import { chargeable } from '../src/sandbox/visibility.ts';
import type { Services } from '../src/services.ts';
import type { Logger } from '../src/observability/log.ts';
import { HubError, invalid, isUuid, notFound } from '../src/errors.ts';
import { getPartner } from '../src/partners/registry.ts';
import { EvseEntity, LocationEntity, type EvseJson } from '../ocpi-modules/locations/api.ts';
import { objectKey, sameId } from '../src/ocpi/party-scope.ts';
import { ChargingOrderEntity, CommandEntity, type ChargingOrder, type CommandRecord } from './entities.ts';
import { transition, withOrder } from './orders.ts';
import { createCommand, dispatch, dispatchOrLeaveToFollowUp, scheduleAfterSend } from './dispatch.ts';
import { confirmSession } from './compensation.ts';
import { commandsUrl } from '../ocpi-modules/commands/api.ts';
import { settledBy } from '../src/jobs/background.ts';

/**
 * The app's "stop": STOP_SESSION needs the CPO's session id. If the session has not been
 * reported yet, the hub asks the CPO once before giving up with a clear 409. Like the start,
 * the app waits at most APP_COMMAND_ANSWER_MS for the CPO (the question, then the command):
 * past it, the work goes on in the background and the app gets the order as it is (STOPPING).
 */
/** `options.sandboxPartnerId`: a sandbox partner's own stop (src/sandbox/); the app stops no sandbox partner's order. */
export async function stopCharging(services: Services, em: EntityManager, log: Logger, id: string, actor: string, options: { sandboxPartnerId?: string } = {}): Promise<ChargingOrder> {
  const answerBy = performance.now() + services.config.appCommandAnswerMs;
  if (!isUuid(id)) throw notFound(`no charging session ${id}`);
  let order = await em.fork().findOne(ChargingOrderEntity, { id });
  if (!order) throw notFound(`no charging session ${id}`);
  const partner = await getPartner(em, order.partnerId);
  if (!chargeable(partner, options.sandboxPartnerId)) throw notFound(`no charging session ${id}`);
  if (order.state === 'STOPPING') return order;
  if (order.state !== 'ACTIVE') throw new HubError('CONFLICT', `charging session is ${order.state}: only an ACTIVE one can be stopped`, { reason: 'NOT_ACTIVE', state: order.state });
  if (!order.sessionId) {
    const orderId = order.id;
    // A CPO that hangs on this question must not hold the app: past the wait, "try again in a moment".
    await settledBy(services.background.run('SESSION_QUERY', () => confirmSession(services, log, orderId)), answerBy);
    order = await em.fork().findOneOrFail(ChargingOrderEntity, { id });
    if (!order.sessionId) throw new HubError('CONFLICT', 'the charger operator has not reported the session yet: try again in a moment, or stop at the charger', { reason: 'SESSION_NOT_REPORTED_YET' });
  }
  if (!commandsUrl(partner, 'STOP_SESSION')) throw new HubError('CONFLICT', 'the operator of this charger does not accept remote stops: stop at the charger', { reason: 'REMOTE_STOP_UNAVAILABLE' });
  const command = await withOrder(em.fork(), id, (tx, locked) => {
    const now = services.clock.now();
    if (locked.state !== 'ACTIVE' || !locked.sessionId) return undefined;
    transition(tx, locked, 'STOPPING', 'STOP_REQUESTED', { now, log, detail: { actor } });
    scheduleAfterSend(services, locked, now);
    return createCommand(tx, services, { type: 'STOP_SESSION', partnerId: locked.partnerId, orderId: locked.id, createdBy: actor, body: { session_id: locked.sessionId } });
  });
  if (command) {
    const commandId = command.id;
    await settledBy(services.background.run('STOP_SESSION', () => dispatchOrLeaveToFollowUp(services, log, commandId)), answerBy);
  }
  return em.fork().findOneOrFail(ChargingOrderEntity, { id });
}

/** UNLOCK_CONNECTOR, for operations only (a driver never sends it, per the specification). */
export async function unlockConnector(services: Services, em: EntityManager, log: Logger, body: Record<string, unknown>, actor: string): Promise<CommandRecord> {
  const text = (name: string) => {
    const value = body[name];
    if (typeof value !== 'string' || !value.length || value.length > 36) throw invalid(`${name}: is required, a string of up to 36 characters`);
    return value;
  };
  const locationId = text('location_id');
  const evseUid = text('evse_uid');
  const connectorId = text('connector_id');
  if (!isUuid(locationId)) throw notFound(`no location ${locationId}`);
  const location = await em.findOne(LocationEntity, { id: locationId });
  if (!location) throw notFound(`no location ${locationId}`);
  const evse = await em.findOne(EvseEntity, { locationRef: location.id, evseKey: objectKey(location.countryCode, location.partyId, evseUid) });
  const evseJson: EvseJson | undefined = (location.current.evses ?? []).find((e) => sameId(e.uid, evseUid));
  if (!evse || !evseJson) throw notFound(`no EVSE ${evseUid} at location ${locationId}`);
  const connector = evseJson.connectors.find((c) => sameId(c.id, connectorId));
  if (!connector) throw notFound(`no connector ${connectorId} on EVSE ${evseUid}`);
  const partner = await getPartner(em, location.partnerId);
  if (partner.status !== 'ACTIVE' || !commandsUrl(partner, 'UNLOCK_CONNECTOR')) throw new HubError('CONFLICT', 'the operator of this charger does not accept commands now', { reason: 'REMOTE_COMMANDS_UNAVAILABLE' });
  const command = await em.fork().transactional(async (tx) =>
    createCommand(tx, services, {
      type: 'UNLOCK_CONNECTOR',
      partnerId: partner.id,
      createdBy: actor,
      body: { location_id: location.locationId, evse_uid: evseJson.uid, connector_id: connector.id },
    }),
  );
  await dispatch(services, log, command.id);
  return em.fork().findOneOrFail(CommandEntity, { id: command.id });
}
