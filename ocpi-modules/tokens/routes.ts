import { randomUUID } from 'node:crypto';
import type { OcpiRequest, OcpiRoute } from '../../src/ocpi/module.ts';
import { HubError } from '../../src/errors.ts';
import { pageHeaders, parsePage } from '../../src/ocpi/pagination.ts';
import type { AuthorizationInfo, LocationReferences } from '../../src/ocpi/types.ts';
import { TokenEntity } from './entities.ts';
import { findToken, parseTokenType } from './store.ts';

/**
 * Tokens, as SENDER (the eMSP owns tokens): CPOs pull the list, and ask for real-time
 * authorization of a token presented at a charger.
 */
async function list(req: OcpiRequest) {
  const max = req.services.config.paginationMaxLimit;
  const page = parsePage(req.query, max);
  const where = {
    // A sandbox partner's token is offered to that partner only.
    $or: [{ sandboxPartnerId: null }, { sandboxPartnerId: req.caller.partner.id }],
    ...(page.dateFrom || page.dateTo ? { lastUpdated: { ...(page.dateFrom ? { $gte: page.dateFrom } : {}), ...(page.dateTo ? { $lt: page.dateTo } : {}) } } : {}),
  };
  const [rows, total] = await req.em.findAndCount(TokenEntity, where, { orderBy: { lastUpdated: 'asc', id: 'asc' }, offset: page.offset, limit: page.limit });
  const data = rows.map((r) => r.body);
  return { data, headers: pageHeaders(req.url, req.query, page, data.length, total, max) };
}

async function authorize(req: OcpiRequest) {
  const uid = req.params.token_uid ?? '';
  const type = parseTokenType(req.query.type);
  let location: LocationReferences | undefined;
  if (req.body !== undefined && req.body !== null) location = await req.accept<LocationReferences>('LocationReferences', req.body);
  const found = await findToken(req.em, uid, type);
  const record = found && (!found.sandboxPartnerId || found.sandboxPartnerId === req.caller.partner.id) ? found : undefined;
  if (!record) throw new HubError('UNKNOWN_TOKEN', `unknown ${type} token ${uid}`);
  const info: AuthorizationInfo = {
    allowed: record.valid ? 'ALLOWED' : 'BLOCKED',
    token: record.body,
    ...(location ? { location } : {}),
    ...(record.valid ? { authorization_reference: randomUUID() } : {}),
  };
  req.log.info({ token: { uid: `${uid.slice(0, 4)}…`, type }, allowed: info.allowed, location: location?.location_id }, 'real-time authorization');
  return { data: info };
}

export const tokenRoutes: OcpiRoute[] = [
  { method: 'GET', path: '/tokens', answer: 'Token', handle: list },
  { method: 'POST', path: '/tokens/:token_uid/authorize', answer: 'AuthorizationInfo', handle: authorize },
];
