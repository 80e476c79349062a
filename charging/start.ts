import { createHash, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../src/services.ts';
import type { Logger } from '../src/observability/log.ts';
import { HubError, invalid, isUuid } from '../src/errors.ts';
import { PartnerEntity } from '../src/partners/api.ts';
import { chargeable } from '../src/sandbox/visibility.ts';
import { objectKey, sameId } from '../src/ocpi/party-scope.ts';
import { EvseEntity, LocationEntity, type EvseJson, currentStatus } from '../ocpi-modules/locations/api.ts';
import { TokenEntity, tokenKey, type TokenRecord, TOKEN_TYPES } from '../ocpi-modules/tokens/api.ts';
import { commandsUrl } from '../ocpi-modules/commands/api.ts';
import { tariffForConnector } from '../ocpi-modules/tariffs/api.ts';
import { ChargingOrderEntity, OrderEventEntity, type ChargingOrder } from './entities.ts';
import { messageFor } from './messages.ts';
import { createCommand, dispatchOrLeaveToFollowUp, scheduleAfterSend } from './dispatch.ts';
import { transition, withOrder } from './orders.ts';
import { settledBy } from '../src/jobs/background.ts';

/**
 * The app's "start": everything the hub can check itself is checked before anything is sent
 * (refusals are 422 for a request that names something that does not exist, 409 for a state
 * that forbids charging, each with a `reason`). Then the order (REQUESTED, with its
 * follow-up already scheduled) and the START_SESSION command are committed, the command
 * is sent, and the answer moves the order. The app waits for that answer at most
 * APP_COMMAND_ANSWER_MS: past it, it gets its 202 with the order PENDING while the send goes
 * on in the background (tracked, so that the hub's stop waits for it) and records its
 * outcome as usual; the app follows the order by GET.
 */
export interface StartRequest {
  location_id: string;
  evse_uid: string;
  connector_id?: string;
  token_uid: string;
  token_type?: string;
}

const refuse = (reason: string, message: string) => new HubError('CONFLICT', message, { reason });
const unknown = (reason: string, message: string) => invalid(message, { reason });

/** Statuses in which a charge cannot start (or we cannot know that it can). */
const NOT_STARTABLE: Record<string, [string, string]> = {
  UNKNOWN: ['EVSE_STATUS_UNKNOWN', 'the charger has not reported its status recently, so a start cannot be promised'],
  INOPERATIVE: ['EVSE_INOPERATIVE', 'the charger is out of order'],
  OUTOFORDER: ['EVSE_INOPERATIVE', 'the charger is out of order'],
  PLANNED: ['EVSE_NOT_IN_SERVICE', 'the charger is not in service yet'],
  REMOVED: ['EVSE_REMOVED', 'the charger has been removed'],
};

function parseStartRequest(body: Record<string, unknown>): StartRequest {
  const text = (name: string, required: boolean, max = 36): string | undefined => {
    const value = body[name];
    if (value === undefined || value === null) {
      if (required) throw invalid(`${name}: is required`, { reason: 'INVALID_REQUEST' });
      return undefined;
    }
    if (typeof value !== 'string' || !value.length || value.length > max || !/^[\x20-\x7e]+$/.test(value)) throw invalid(`${name}: must be a string of 1 to ${max} printable ASCII characters`, { reason: 'INVALID_REQUEST' });
    return value;
  };
  for (const key of Object.keys(body)) {
    if (!['location_id', 'evse_uid', 'connector_id', 'token_uid', 'token_type'].includes(key)) throw invalid(`${key}: is not a field of a charging request`, { reason: 'INVALID_REQUEST' });
  }
  const request: StartRequest = { location_id: text('location_id', true)!, evse_uid: text('evse_uid', true)!, token_uid: text('token_uid', true)! };
  const connector = text('connector_id', false);
  if (connector !== undefined) request.connector_id = connector;
  const type = text('token_type', false);
  if (type !== undefined) {
    if (!TOKEN_TYPES.includes(type as (typeof TOKEN_TYPES)[number])) throw invalid(`token_type: must be one of ${TOKEN_TYPES.join(', ')}`, { reason: 'INVALID_REQUEST' });
    request.token_type = type;
  }
  if (!isUuid(request.location_id)) throw unknown('LOCATION_UNKNOWN', `location_id: no location ${request.location_id} (use the id from /api/v1/locations)`);
  return request;
}

function fingerprint(request: StartRequest): string {
  const canonical = JSON.stringify([request.location_id.toLowerCase(), request.evse_uid.toUpperCase(), request.connector_id?.toUpperCase() ?? null, request.token_uid.toUpperCase(), request.token_type ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

async function findToken(em: EntityManager, request: StartRequest, sandboxPartnerId: string | undefined): Promise<TokenRecord> {
  const types = request.token_type ? [request.token_type] : TOKEN_TYPES;
  // A sandbox partner's token charges only on that partner's sandbox; the app does not know it.
  const tokens = await em.find(TokenEntity, { tokenKey: { $in: types.map((t) => tokenKey(request.token_uid, t)) }, sandboxPartnerId: sandboxPartnerId ?? null });
  if (!tokens.length) throw unknown('TOKEN_UNKNOWN', `token_uid: no token ${request.token_uid}${request.token_type ? ` of type ${request.token_type}` : ''}`);
  if (tokens.length > 1) throw invalid(`token_type: is required, token ${request.token_uid} exists as ${tokens.map((t) => t.type).sort().join(' and ')}`, { reason: 'INVALID_REQUEST' });
  const token = tokens[0]!;
  if (!token.valid) throw refuse('TOKEN_INVALID', `token ${request.token_uid} is not valid (blocked)`);
  return token;
}

interface Target {
  partnerId: string;
  locationRef: string;
  locationId: string;
  evseRef: string;
  evseUid: string;
  connectorId?: string;
  tariff?: { snapshot: Record<string, unknown>; versionId: string; timeZone: string };
}

async function findTarget(services: Services, em: EntityManager, request: StartRequest, sandboxPartnerId: string | undefined): Promise<Target> {
  const location = await em.findOne(LocationEntity, { id: request.location_id });
  if (!location) throw unknown('LOCATION_UNKNOWN', `location_id: no location ${request.location_id}`);
  const partner = await em.findOne(PartnerEntity, { id: location.partnerId });
  // The app never sees a sandbox partner's locations; a sandbox start only its own partner's.
  if (!chargeable({ id: location.partnerId, sandbox: partner?.sandbox ?? false }, sandboxPartnerId)) throw unknown('LOCATION_UNKNOWN', `location_id: no location ${request.location_id}`);
  const evse = await em.findOne(EvseEntity, { locationRef: location.id, evseKey: objectKey(location.countryCode, location.partyId, request.evse_uid) });
  const published: EvseJson | undefined = (location.published?.evses ?? []).find((e) => sameId(e.uid, request.evse_uid));
  if (!evse) throw unknown('EVSE_UNKNOWN', `evse_uid: no EVSE ${request.evse_uid} at location ${request.location_id}`);
  if (!location.published || !location.publishFlag || !evse.published || !published) throw refuse('EVSE_NOT_PUBLISHED', `EVSE ${request.evse_uid} is not open to the app (waiting for review)`);
  const status = await currentStatus(services, em, evse);
  const blocked = NOT_STARTABLE[status];
  if (blocked) throw refuse(blocked[0], `EVSE ${request.evse_uid}: ${blocked[1]} (status ${status})`);
  let connectorId: string | undefined;
  if (request.connector_id !== undefined) {
    const connector = published.connectors.find((c) => sameId(c.id, request.connector_id));
    if (!connector) throw unknown('CONNECTOR_UNKNOWN', `connector_id: no connector ${request.connector_id} on EVSE ${request.evse_uid}`);
    connectorId = connector.id;
  } else if ((published.capabilities ?? []).includes('START_SESSION_CONNECTOR_REQUIRED')) {
    // The CPO needs a connector: with only one, there is nothing to ask the driver.
    if (published.connectors.length !== 1) throw invalid(`connector_id: is required for EVSE ${request.evse_uid}, which has ${published.connectors.length} connectors`, { reason: 'CONNECTOR_REQUIRED' });
    connectorId = published.connectors[0]!.id;
  }
  if (!partner || partner.status !== 'ACTIVE') throw refuse('PARTNER_UNAVAILABLE', `the operator of this charger is not connected (${partner?.status ?? 'unknown'})`);
  if (partner.mapHidden) throw refuse('PARTNER_HIDDEN', 'the operator of this charger is hidden: too many of its statuses are out of date');
  if (!commandsUrl(partner, 'START_SESSION')) throw refuse('REMOTE_START_UNAVAILABLE', 'the operator of this charger does not accept remote starts');
  // A start still being confirmed on this EVSE: a second one could become a second session.
  const open = await em.findOne(ChargingOrderEntity, { evseRef: evse.id, state: { $in: ['REQUESTED', 'PENDING'] } });
  if (open) throw refuse('EVSE_START_IN_PROGRESS', `EVSE ${request.evse_uid} already has a start waiting for confirmation (${open.id})`);
  // The price the driver saw: the tariff of the chosen connector (or of all of them, if they share it).
  const connectors = connectorId ? published.connectors.filter((c) => c.id === connectorId) : published.connectors;
  const tariffIds = [...new Set(connectors.flatMap((c) => (c.tariff_ids as string[] | undefined) ?? []))];
  const shared = connectors.every((c) => JSON.stringify(c.tariff_ids ?? []) === JSON.stringify(connectors[0]?.tariff_ids ?? []));
  const tariff = shared && tariffIds.length ? await tariffForConnector(em, location, tariffIds, services.clock.now()) : undefined;
  return {
    partnerId: partner.id,
    locationRef: location.id,
    locationId: location.locationId,
    evseRef: evse.id,
    evseUid: published.uid,
    connectorId,
    tariff: tariff ? { snapshot: tariff.tariff as unknown as Record<string, unknown>, versionId: tariff.versionId, timeZone: String(location.published.time_zone ?? location.current.time_zone) } : undefined,
  };
}

export interface StartOutcome {
  order: ChargingOrder;
  replayed: boolean;
}

async function replay(em: EntityManager, key: string, print: string): Promise<StartOutcome | undefined> {
  const existing = await em.findOne(ChargingOrderEntity, { idempotencyKey: key }, { refresh: true });
  if (!existing) return undefined;
  if (existing.requestFingerprint !== print) throw invalid('Idempotency-Key: was already used for a different request', { reason: 'IDEMPOTENCY_KEY_REUSED' });
  return { order: existing, replayed: true };
}

/** `options.sandboxPartnerId`: a sandbox partner's own start (src/sandbox/), on its own chargers with its sandbox token. */
export async function startCharging(
  services: Services,
  em: EntityManager,
  log: Logger,
  body: Record<string, unknown>,
  idempotencyKey: string | undefined,
  actor: string,
  options: { sandboxPartnerId?: string } = {},
): Promise<StartOutcome> {
  const answerBy = performance.now() + services.config.appCommandAnswerMs;
  if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) throw invalid('Idempotency-Key: must be 1 to 255 printable characters', { reason: 'INVALID_REQUEST' });
  const request = parseStartRequest(body);
  const print = fingerprint(request);
  if (idempotencyKey) {
    const earlier = await replay(em, idempotencyKey, print);
    if (earlier) return earlier;
  }
  const token = await findToken(em, request, options.sandboxPartnerId);
  let target: Target;
  try {
    target = await findTarget(services, em, request, options.sandboxPartnerId);
  } catch (err) {
    // A retry racing its own first attempt sees that attempt's order as "a start in progress".
    const earlier = idempotencyKey && err instanceof HubError && err.details?.reason === 'EVSE_START_IN_PROGRESS' ? await replay(em.fork(), idempotencyKey, print) : undefined;
    if (earlier) return earlier;
    throw err;
  }
  const now = services.clock.now();
  const orderId = randomUUID();
  let commandId: string;
  try {
    commandId = await em.fork().transactional(async (tx) => {
      const order = tx.create(ChargingOrderEntity, {
        id: orderId,
        partnerId: target.partnerId,
        origin: 'APP',
        state: 'REQUESTED',
        cause: 'START_REQUESTED',
        message: messageFor('REQUESTED', 'START_REQUESTED'),
        locationRef: target.locationRef,
        locationId: target.locationId,
        evseRef: target.evseRef,
        evseUid: target.evseUid,
        connectorId: target.connectorId ?? null,
        tokenUid: token.uid,
        tokenType: token.type,
        idempotencyKey: idempotencyKey ?? null,
        requestFingerprint: print,
        followUpCount: 0,
        stateChangedAt: now,
        tariffSnapshot: target.tariff?.snapshot ?? null,
        tariffVersionId: target.tariff?.versionId ?? null,
        tariffTimeZone: target.tariff?.timeZone ?? null,
        createdAt: now,
        updatedAt: now,
      });
      scheduleAfterSend(services, order, now);
      tx.persist(order);
      tx.persist(tx.create(OrderEventEntity, { orderId, at: now, cause: 'START_REQUESTED', fromState: null, toState: 'REQUESTED', detail: { actor, request } }));
      const command = createCommand(tx, services, {
        type: 'START_SESSION',
        partnerId: target.partnerId,
        orderId,
        createdBy: actor,
        body: {
          token: token.body,
          location_id: target.locationId,
          evse_uid: target.evseUid,
          ...(target.connectorId ? { connector_id: target.connectorId } : {}),
          authorization_reference: orderId,
        },
      });
      return command.id;
    });
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    // Two retries with one key raced: the one that lost returns the winner's order.
    const earlier = idempotencyKey ? await replay(em.fork(), idempotencyKey, print) : undefined;
    if (earlier) return earlier;
    // Two different starts on one EVSE raced past the check above: the database let one through.
    if (err.message.includes('charging_orders_start_in_progress')) throw refuse('EVSE_START_IN_PROGRESS', `EVSE ${request.evse_uid} already has a start waiting for confirmation`);
    throw err;
  }
  const sending = services.background.run('START_SESSION', () => dispatchOrLeaveToFollowUp(services, log, commandId));
  if (!(await settledBy(sending, answerBy))) {
    // The CPO has not answered yet: the app gets the order PENDING now and follows it by GET.
    await withOrder(em.fork(), orderId, (tx, order) => {
      if (order.state === 'REQUESTED') transition(tx, order, 'PENDING', 'START_ANSWER_PENDING', { now: services.clock.now(), log, detail: { waited_ms: services.config.appCommandAnswerMs } });
    });
  }
  return { order: await em.fork().findOneOrFail(ChargingOrderEntity, { id: orderId }), replayed: false };
}
