import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid, isUuid, notFound } from '../src/errors.ts';
import type { Services } from '../src/services.ts';
import type { Logger } from '../src/observability/log.ts';
import type { Partner } from '../src/partners/api.ts';
import { LocationEntity } from '../ocpi-modules/locations/api.ts';
import { TokenEntity, tokenKey, putToken } from '../ocpi-modules/tokens/api.ts';
import { ChargingOrderEntity, type ChargingOrder } from './entities.ts';
import { startCharging } from './start.ts';
import { stopCharging } from './stop.ts';

/**
 * A sandbox partner starts charges on its own chargers, so it can exercise its commands receiver
 * end to end: the order goes through the app's start and stop (ocpi-modules/commands), with a
 * token of the hub's made for this partner only.
 */

/** The app token a sandbox partner's orders charge with: one per partner, offered to that partner only. */
function sandboxTokenUid(partner: Partner): string {
  return `SANDBOX-${partner.countryCode}-${partner.partyId}`;
}

const TOKEN_TYPE = 'APP_USER';

async function sandboxToken(em: EntityManager, services: Services, partner: Partner): Promise<string> {
  const uid = sandboxTokenUid(partner);
  const existing = await em.findOne(TokenEntity, { tokenKey: tokenKey(uid, TOKEN_TYPE) });
  if (existing) return uid;
  const body = {
    type: TOKEN_TYPE,
    contract_id: `${services.config.hubCountryCode}-${services.config.hubPartyId}-S${partner.countryCode}${partner.partyId}`,
    issuer: `${services.config.hubName} sandbox`,
    valid: true,
    whitelist: 'ALLOWED',
  };
  try {
    await putToken(em.fork(), services, uid, body, { sandboxPartnerId: partner.id });
  } catch (err) {
    // Two first starts at once: the other one made it.
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
  return uid;
}

const text = (body: Record<string, unknown>, name: string, required: boolean): string | undefined => {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw invalid(`${name}: is required`);
    return undefined;
  }
  if (typeof value !== 'string' || !/^[\x20-\x7e]{1,36}$/.test(value)) throw invalid(`${name}: must be a string of 1 to 36 printable ASCII characters`);
  return value;
};

/** The partner's own location, named by its OCPI id (as the partner knows it) or by the hub's id. */
async function ownLocation(em: EntityManager, partner: Partner, locationId: string): Promise<string> {
  const byHubId = isUuid(locationId) ? await em.findOne(LocationEntity, { id: locationId.toLowerCase(), partnerId: partner.id }) : null;
  const location = byHubId ?? (await em.findOne(LocationEntity, { partnerId: partner.id, locationId: { $ilike: locationId.replace(/[\\%_]/g, '\\$&') } }));
  if (!location) throw invalid(`location_id: you have no location ${locationId} at the hub (push it to the Locations receiver first)`);
  return location.id;
}

export async function startSandboxSession(services: Services, em: EntityManager, log: Logger, partner: Partner, body: Record<string, unknown>): Promise<ChargingOrder> {
  for (const key of Object.keys(body)) if (!['location_id', 'evse_uid', 'connector_id'].includes(key)) throw invalid(`${key}: is not a field of a sandbox start (location_id, evse_uid, connector_id)`);
  const locationId = text(body, 'location_id', true)!;
  const evseUid = text(body, 'evse_uid', true)!;
  const connectorId = text(body, 'connector_id', false);
  const location = await ownLocation(em, partner, locationId);
  const uid = await sandboxToken(em, services, partner);
  const { order } = await startCharging(
    services,
    em,
    log,
    { location_id: location, evse_uid: evseUid, ...(connectorId !== undefined ? { connector_id: connectorId } : {}), token_uid: uid, token_type: TOKEN_TYPE },
    undefined,
    `sandbox:${partner.id}`,
    { sandboxPartnerId: partner.id },
  );
  return order;
}

export async function ownOrder(em: EntityManager, partner: Partner, orderId: string): Promise<ChargingOrder> {
  const order = isUuid(orderId) ? await em.fork().findOne(ChargingOrderEntity, { id: orderId.toLowerCase() }) : null;
  // Another partner's order is "not found": its existence is none of this partner's business.
  if (!order || order.partnerId !== partner.id) throw notFound(`you have no order ${orderId}`);
  return order;
}

export async function stopSandboxOrder(services: Services, em: EntityManager, log: Logger, partner: Partner, orderId: string): Promise<ChargingOrder> {
  const order = await ownOrder(em, partner, orderId);
  return stopCharging(services, em, log, order.id, `sandbox:${partner.id}`, { sandboxPartnerId: partner.id });
}
