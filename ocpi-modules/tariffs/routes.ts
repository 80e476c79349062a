import type { OcpiReply, OcpiRequest, OcpiRoute } from '../../src/ocpi/module.ts';
import { HubError, invalid } from '../../src/errors.ts';
import { assertSchema } from '../../src/ocpi/validator.ts';
import { assertBodyMatchesUrl, assertOwnParty } from '../../src/ocpi/party-scope.ts';
import type { Tariff } from '../../src/ocpi/types.ts';
import { currentTariff, deleteTariff, putTariff, type TariffRef } from './history.ts';
import { tariffProblems } from './rules.ts';

const PATH = '/2.2.1/tariffs/:country_code/:party_id/:tariff_id';

function ref(req: OcpiRequest): TariffRef {
  const { country_code = '', party_id = '', tariff_id = '' } = req.params;
  if (!/^[\x20-\x7e]{1,36}$/.test(tariff_id)) throw invalid(`tariff_id: "${tariff_id}" is not a CiString(36)`);
  assertOwnParty(req.caller, country_code, party_id);
  return { countryCode: country_code, partyId: party_id, tariffId: tariff_id };
}

/** Validates a Tariff object fully: schema, then business rules. Shared by push and pull. */
export function validTariff(body: unknown): Tariff {
  const tariff = assertSchema<Tariff>('tariff.json', body);
  const problems = tariffProblems(tariff);
  if (problems.length) throw invalid(problems.join('; '), { problems });
  return tariff;
}

async function put(req: OcpiRequest): Promise<OcpiReply> {
  const r = ref(req);
  const tariff = validTariff(req.body);
  assertBodyMatchesUrl(tariff, { country_code: r.countryCode, party_id: r.partyId, id: r.tariffId }, true);
  const outcome = await req.em.transactional((tx) => putTariff(tx, req.caller.partner.id, tariff, req.services.clock.now()));
  if (!outcome.applied) req.log.info({ tariff: r, incoming: tariff.last_updated }, 'out-of-order tariff ignored: older than what is stored');
  return { httpStatus: outcome.created ? 201 : 200 };
}

export const tariffRoutes: OcpiRoute[] = [
  {
    method: 'GET',
    path: PATH,
    async handle(req) {
      const r = ref(req);
      const current = await currentTariff(req.em, r);
      if (!current) throw new HubError('NOT_FOUND', `unknown tariff ${r.tariffId}`);
      return { data: current.body };
    },
  },
  { method: 'PUT', path: PATH, handle: put },
  {
    method: 'DELETE',
    path: PATH,
    async handle(req) {
      const r = ref(req);
      const deleted = await req.em.transactional((tx) => deleteTariff(tx, r, req.services.clock.now()));
      if (!deleted) throw new HubError('NOT_FOUND', `unknown tariff ${r.tariffId}`);
      return {};
    },
  },
];
