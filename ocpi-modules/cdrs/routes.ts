import type { OcpiRequest, OcpiRoute } from '../../src/ocpi/module.ts';
import { HubError, invalid, isUuid } from '../../src/errors.ts';
import { assertOwnParty } from '../../src/ocpi/party-scope.ts';
import type { Cdr } from '../../src/ocpi/types.ts';
import type { Services } from '../../src/services.ts';
import { CdrEntity, cdrKey, type CdrRecord } from './entities.ts';
import { receiveCdr } from './store.ts';

/**
 * CDRs, as RECEIVER: the CPO POSTs each final CDR once; the answer's `Location`
 * (`/ocpi/{version}/cdrs/{id}`, the hub's id of the stored CDR, under the version the CPO
 * called) is where it can read back what we stored, as can
 * `/ocpi/{version}/cdrs/{country_code}/{party_id}/{cdr_id}`; its own party only.
 */
function cdrLocation(services: Services, record: { id: string }, version: string): string {
  return `${services.config.publicUrl}/ocpi/${version}/cdrs/${record.id}`;
}

function ownCdr(req: OcpiRequest, record: CdrRecord | null, shown: string): CdrRecord {
  if (!record) throw new HubError('NOT_FOUND', `unknown CDR ${shown}`);
  assertOwnParty(req.caller, record.countryCode, record.partyId);
  return record;
}

export const cdrRoutes: OcpiRoute[] = [
  {
    method: 'POST',
    path: '/cdrs',
    async handle(req) {
      const cdr = await req.accept<Cdr>('Cdr', req.body);
      assertOwnParty(req.caller, cdr.country_code, cdr.party_id);
      // Non-credit ids are CiString(36); the 39 leaves room for a credit's suffix.
      if (!cdr.credit && cdr.id.length > 36) throw invalid(`id: "${cdr.id}" is longer than 36 characters (only credit CDRs may use 39)`);
      const outcome = await receiveCdr(req.em, { services: req.services, log: req.log, now: req.services.clock.now() }, req.caller.partner, cdr, 'PUSH');
      return { httpStatus: outcome.kind === 'CREATED' ? 201 : 200, headers: { Location: cdrLocation(req.services, outcome.record, req.version.version) } };
    },
  },
  {
    // The Location we answer a POST with: the hub's id of the stored CDR.
    method: 'GET',
    path: '/cdrs/:id',
    answer: 'Cdr',
    async handle(req) {
      const id = req.params.id ?? '';
      return { data: ownCdr(req, isUuid(id) ? await req.em.findOne(CdrEntity, { id }) : null, id).body };
    },
  },
  {
    // The same CDR by the CPO's own ids.
    method: 'GET',
    path: '/cdrs/:country_code/:party_id/:cdr_id',
    answer: 'Cdr',
    async handle(req) {
      const { country_code = '', party_id = '', cdr_id = '' } = req.params;
      assertOwnParty(req.caller, country_code, party_id);
      return { data: ownCdr(req, await req.em.findOne(CdrEntity, { cdrKey: cdrKey(country_code, party_id, cdr_id) }), cdr_id).body };
    },
  },
];
