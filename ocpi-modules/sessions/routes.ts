import type { OcpiReply, OcpiRequest, OcpiRoute } from '../../src/ocpi/module.ts';
import { HubError, invalid } from '../../src/errors.ts';
import { assertBodyMatchesUrl, assertOwnParty } from '../../src/ocpi/party-scope.ts';
import type { Session, SessionPatch } from '../../src/ocpi/types.ts';
import { SessionEntity, sessionKey } from './entities.ts';
import { writeSession } from './store.ts';
import { sessionArrived } from '../../charging/link.ts';

/** Sessions, as RECEIVER: the CPO pushes its sessions (PUT replaces, PATCH appends charging periods). */
const PATH = '/sessions/:country_code/:party_id/:session_id';

function ids(req: OcpiRequest) {
  const { country_code = '', party_id = '', session_id = '' } = req.params;
  if (!/^[\x20-\x7e]{1,36}$/.test(session_id)) throw invalid(`session_id: "${session_id}" is not a CiString(36)`);
  assertOwnParty(req.caller, country_code, party_id);
  return { countryCode: country_code, partyId: party_id, sessionId: session_id };
}

async function write(req: OcpiRequest, method: 'PUT' | 'PATCH'): Promise<OcpiReply> {
  const id = ids(req);
  const body = method === 'PUT' ? await req.accept<Session>('Session', req.body) : await req.accept<SessionPatch>('SessionPatch', req.body);
  assertBodyMatchesUrl(body, { country_code: id.countryCode, party_id: id.partyId, id: id.sessionId }, method === 'PUT');
  const now = req.services.clock.now();
  const outcome = await writeSession(req.em, {
    partnerId: req.caller.partner.id,
    ...id,
    method,
    body,
    now,
    schemas: req.version.schemas,
    afterWrite: (tx, record, previousStatus) => sessionArrived(tx, record, previousStatus, { services: req.services, log: req.log, now, via: 'PUSH' }),
  });
  if (!outcome.applied) req.log.info({ session: id, incoming: body.last_updated }, 'out-of-order session update ignored: older than what is stored');
  return { httpStatus: outcome.created ? 201 : 200 };
}

export const sessionRoutes: OcpiRoute[] = [
  {
    method: 'GET',
    path: PATH,
    answer: 'Session',
    async handle(req) {
      const id = ids(req);
      const record = await req.em.findOne(SessionEntity, { sessionKey: sessionKey(id.countryCode, id.partyId, id.sessionId) });
      if (!record) throw new HubError('NOT_FOUND', `unknown session ${id.sessionId}`);
      return { data: record.body };
    },
  },
  { method: 'PUT', path: PATH, handle: (req) => write(req, 'PUT') },
  { method: 'PATCH', path: PATH, handle: (req) => write(req, 'PATCH') },
];
