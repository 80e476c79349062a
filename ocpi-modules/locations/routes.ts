import type { OcpiReply, OcpiRequest, OcpiRoute } from '../../src/ocpi/module.ts';
import { HubError, invalid } from '../../src/errors.ts';
import type { ObjectType } from '../../src/ocpi/versions/index.ts';
import { assertBodyMatchesUrl, assertOwnParty, sameId } from '../../src/ocpi/party-scope.ts';
import { LocationEntity, locationKey } from './entities.ts';
import { writeLocation, type Level, type Target } from './store.ts';
import { heldTariffIds } from '../tariffs/api.ts';

/**
 * The Locations receiver: GET, PUT and PATCH at location, EVSE and connector level, all nine
 * generated from this one table.
 */
const LEVELS: { level: Level; path: string; object: 'Location' | 'Evse' | 'Connector'; ids: (t: Target) => Record<string, string> }[] = [
  { level: 'location', path: '/locations/:country_code/:party_id/:location_id', object: 'Location', ids: (t) => ({ country_code: t.countryCode, party_id: t.partyId, id: t.locationId }) },
  { level: 'evse', path: '/locations/:country_code/:party_id/:location_id/:evse_uid', object: 'Evse', ids: (t) => ({ uid: t.evseUid! }) },
  { level: 'connector', path: '/locations/:country_code/:party_id/:location_id/:evse_uid/:connector_id', object: 'Connector', ids: (t) => ({ id: t.connectorId! }) },
];

const CI_STRING = /^[\x20-\x7e]+$/;

function target(req: OcpiRequest): Target {
  const p = req.params;
  const check = (name: string, max: number) => {
    const value = p[name];
    if (value !== undefined && (!CI_STRING.test(value) || value.length > max)) throw invalid(`${name}: "${value}" is not a CiString(${max})`);
    return value;
  };
  return {
    countryCode: check('country_code', 2)!,
    partyId: check('party_id', 3)!,
    locationId: check('location_id', 36)!,
    evseUid: check('evse_uid', 36),
    connectorId: check('connector_id', 36),
  };
}

async function get(req: OcpiRequest, level: Level): Promise<OcpiReply> {
  const t = target(req);
  assertOwnParty(req.caller, t.countryCode, t.partyId);
  const record = await req.em.findOne(LocationEntity, { locationKey: locationKey(t.countryCode, t.partyId, t.locationId) });
  if (!record) throw new HubError('NOT_FOUND', `unknown location ${t.locationId}`);
  if (level === 'location') return { data: record.current };
  const evse = record.current.evses?.find((e) => sameId(e.uid, t.evseUid));
  if (!evse) throw new HubError('NOT_FOUND', `unknown EVSE ${t.evseUid} in location ${t.locationId}`);
  if (level === 'evse') return { data: evse };
  const connector = evse.connectors?.find((c) => sameId(c.id, t.connectorId));
  if (!connector) throw new HubError('NOT_FOUND', `unknown connector ${t.connectorId} of EVSE ${t.evseUid}`);
  return { data: connector };
}

async function write(req: OcpiRequest, level: Level, object: ObjectType, ids: (t: Target) => Record<string, string>, method: 'PUT' | 'PATCH'): Promise<OcpiReply> {
  const t = target(req);
  assertOwnParty(req.caller, t.countryCode, t.partyId);
  const body = await req.accept(method === 'PUT' ? object : (`${object}Patch` as ObjectType), req.body);
  assertBodyMatchesUrl(body, ids(t), method === 'PUT');
  const outcome = await writeLocation(req.em, {
    partner: req.caller.partner,
    method,
    level,
    target: t,
    body,
    now: req.services.clock.now(),
    log: req.log,
    knownTariffs: (keys) => heldTariffIds(req.em, t.countryCode, t.partyId, keys),
  });
  req.log.info({ level, method, target: t, ...outcome }, 'location write');
  return { httpStatus: outcome.created ? 201 : 200 };
}

export const locationRoutes: OcpiRoute[] = LEVELS.flatMap(({ level, path, object, ids }) => [
  { method: 'GET' as const, path, answer: object, handle: (req: OcpiRequest) => get(req, level) },
  { method: 'PUT' as const, path, handle: (req: OcpiRequest) => write(req, level, object, ids, 'PUT') },
  { method: 'PATCH' as const, path, handle: (req: OcpiRequest) => write(req, level, object, ids, 'PATCH') },
]);
