import type { OcpiReply, OcpiRequest, OcpiRoute } from '../../src/ocpi/module.ts';
import { HubError, invalid } from '../../src/errors.ts';
import { assertBodyMatchesUrl, assertOwnParty } from '../../src/ocpi/party-scope.ts';
import { currentTariff, deleteTariff, putTariff, type TariffRef } from './history.ts';
import { validTariff } from './rules.ts';
import type { Tariff } from '../../src/ocpi/types.ts';

/**
 * Tariffs, as RECEIVER (mod_tariffs.asciidoc): the CPO owns its tariffs and pushes them to
 * `{url}/{country_code}/{party_id}/{tariff_id}`. GET answers the current version, PUT stores a
 * new version, DELETE ends the tariff from now on. A partner reaches only the tariffs of its
 * own credentials roles (403 otherwise); ids compare case-insensitively.
 */
const PATH = '/tariffs/:country_code/:party_id/:tariff_id';

/** The tariff the URL names, once the caller is known to own its party. */
function ref(req: OcpiRequest): TariffRef {
  const { country_code = '', party_id = '', tariff_id = '' } = req.params;
  assertOwnParty(req.caller, country_code, party_id);
  if (!/^[\x20-\x7e]{1,36}$/.test(tariff_id)) throw invalid(`tariff_id: "${tariff_id}" is not a CiString(36)`);
  return { countryCode: country_code, partyId: party_id, tariffId: tariff_id };
}

const unknown = (r: TariffRef) => new HubError('NOT_FOUND', `unknown tariff ${r.countryCode}/${r.partyId}/${r.tariffId}`);

async function get(req: OcpiRequest): Promise<OcpiReply> {
  const r = ref(req);
  const current = await currentTariff(req.em, r);
  if (!current) throw unknown(r);
  return { data: current.tariff };
}

/** 201 when the hub held no current version, 200 otherwise; a late (older) version is acknowledged and ignored. */
async function put(req: OcpiRequest): Promise<OcpiReply> {
  const r = ref(req);
  const tariff = validTariff(await req.accept<Tariff>('Tariff', req.body));
  assertBodyMatchesUrl(tariff, { country_code: r.countryCode, party_id: r.partyId, id: r.tariffId }, true);
  const outcome = await putTariff(req.em, req.caller.partner.id, tariff, req.services.clock.now());
  if (outcome.result === 'stale') {
    req.log.info(
      { partnerId: req.caller.partner.id, tariff: r, incomingLastUpdated: tariff.last_updated, storedLastUpdated: outcome.storedLastUpdated?.toISOString() },
      'out-of-order tariff ignored: older than the stored version',
    );
  }
  // d2: where the spec does not say what data holds, the sender of the response omits it.
  return { httpStatus: outcome.result === 'created' ? 201 : 200 };
}

async function remove(req: OcpiRequest): Promise<OcpiReply> {
  const r = ref(req);
  const closed = await deleteTariff(req.em, r, req.services.clock.now());
  if (!closed) throw unknown(r);
  return {};
}

export const tariffRoutes: OcpiRoute[] = [
  { method: 'GET', path: PATH, answer: 'Tariff', handle: get },
  { method: 'PUT', path: PATH, handle: put },
  { method: 'DELETE', path: PATH, handle: remove },
];
