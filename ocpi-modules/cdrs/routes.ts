import type { OcpiRoute } from '../../src/ocpi/module.ts';
import { HubError, invalid } from '../../src/errors.ts';
import { assertSchema } from '../../src/ocpi/validator.ts';
import { assertOwnParty } from '../../src/ocpi/party-scope.ts';
import type { Cdr } from '../../src/ocpi/types.ts';
import type { Services } from '../../src/services.ts';
import { CdrEntity, cdrKey } from './entities.ts';
import { receiveCdr } from './store.ts';

/**
 * CDRs, as RECEIVER: the CPO POSTs each final CDR once; the answer's `Location` is where it
 * can read back what we stored (its own party only).
 */
export function cdrLocation(services: Services, cdr: { country_code: string; party_id: string; id: string }): string {
  return `${services.config.publicUrl}/ocpi/2.2.1/cdrs/${encodeURIComponent(cdr.country_code)}/${encodeURIComponent(cdr.party_id)}/${encodeURIComponent(cdr.id)}`;
}

export const cdrRoutes: OcpiRoute[] = [
  {
    method: 'POST',
    path: '/2.2.1/cdrs',
    async handle(req) {
      const cdr = assertSchema<Cdr>('cdr.json', req.body);
      assertOwnParty(req.caller, cdr.country_code, cdr.party_id);
      // Non-credit ids are CiString(36); the 39 leaves room for a credit's suffix.
      if (!cdr.credit && cdr.id.length > 36) throw invalid(`id: "${cdr.id}" is longer than 36 characters (only credit CDRs may use 39)`);
      const outcome = await receiveCdr(req.em, { services: req.services, log: req.log, now: req.services.clock.now() }, req.caller.partner, cdr, 'PUSH');
      return { httpStatus: outcome.kind === 'CREATED' ? 201 : 200, headers: { Location: cdrLocation(req.services, cdr) } };
    },
  },
  {
    method: 'GET',
    path: '/2.2.1/cdrs/:country_code/:party_id/:cdr_id',
    async handle(req) {
      const { country_code = '', party_id = '', cdr_id = '' } = req.params;
      assertOwnParty(req.caller, country_code, party_id);
      const record = await req.em.findOne(CdrEntity, { cdrKey: cdrKey(country_code, party_id, cdr_id) });
      if (!record) throw new HubError('NOT_FOUND', `unknown CDR ${cdr_id}`);
      return { data: record.body };
    },
  },
];
