import { HubError } from '../errors.ts';
import type { Services } from '../services.ts';
import { OcpiCallError, describeCallFailure } from '../client/ocpi-client.ts';
import { validate } from '../ocpi/validator.ts';
import { SUPPORTED_VERSIONS, versionAdapter } from '../ocpi/versions/index.ts';
import type { ToleranceName } from '../ocpi/tolerances.ts';
import type { Endpoint, Partner, PartnerRole, TokenEncoding } from './entities.ts';
import { callLogged } from '../sandbox/request-log.ts';

export interface Discovery {
  version: string;
  endpoints: Endpoint[];
  encoding: TokenEncoding;
}

/**
 * Reads a partner's versions and version details with `token`, picks the best mutual
 * version and checks the endpoints we need from a partner of this role. Failures carry the
 * OCPI meaning the credentials module answers with: 3001, 3002 or 3003. `audience` says who
 * reads the failure: the partner that chose the URL (default; a refused or failed fetch reads
 * the same whatever the target) or an operator (the whole detail).
 */
export async function discoverPartner(
  services: Services,
  input: {
    versionsUrl: string;
    token: string;
    role: PartnerRole;
    preferred?: TokenEncoding;
    correlationId?: string;
    tolerances?: ReadonlySet<ToleranceName>;
    audience?: 'partner' | 'operator';
    /** The partner being discovered: a sandbox partner's request log records these calls. */
    partner?: Partner;
  },
): Promise<Discovery> {
  const encodings: TokenEncoding[] = input.preferred === 'RAW' ? ['RAW', 'BASE64'] : ['BASE64', 'RAW'];
  let versions: unknown;
  let encoding: TokenEncoding | undefined;
  for (const candidate of encodings) {
    try {
      versions = (await callLogged(services, input.partner, { method: 'GET', url: input.versionsUrl, token: input.token, encoding: candidate, correlationId: input.correlationId })).data;
      encoding = candidate;
      break;
    } catch (err) {
      // A 401 to the base64 form may be a 2.1.1/2.2-era partner expecting the raw token: try the other form once.
      if (err instanceof OcpiCallError && err.httpStatus === 401 && candidate === encodings[0]) continue;
      throw unusable(`GET ${input.versionsUrl}`, err, input.audience ?? 'partner');
    }
  }
  if (!encoding) throw new HubError('PARTNER_API_UNUSABLE', `GET ${input.versionsUrl}: the token was refused (HTTP 401)`);
  // Unknown fields in a partner's lists are its business; what we read must be right.
  const versionErrors = validate('versions.json', versions).errors;
  if (versionErrors.length) throw new HubError('PARTNER_API_UNUSABLE', `GET ${input.versionsUrl}: malformed version list: ${versionErrors.join('; ')}`);
  const offered = versions as { version: string; url: string }[];
  const chosen = SUPPORTED_VERSIONS.map((v) => offered.find((o) => o.version === v)).find(Boolean);
  if (!chosen) {
    throw new HubError('UNSUPPORTED_VERSION', `no mutual OCPI version: partner offers ${offered.map((o) => o.version).join(', ')}; hub supports ${SUPPORTED_VERSIONS.join(', ')}`);
  }

  let details: unknown;
  try {
    details = (await callLogged(services, input.partner, { method: 'GET', url: chosen.url, token: input.token, encoding, correlationId: input.correlationId })).data;
  } catch (err) {
    throw unusable(`GET ${chosen.url}`, err, input.audience ?? 'partner');
  }
  const detailErrors = validate('version-details.json', details, versionAdapter(chosen.version).schemas).errors;
  if (detailErrors.length) throw new HubError('PARTNER_API_UNUSABLE', `GET ${chosen.url}: malformed version details: ${detailErrors.join('; ')}`);
  const endpoints = (details as { endpoints: Endpoint[] }).endpoints.map(({ identifier, role, url }) => ({ identifier, role, url }));

  // Without a credentials endpoint we cannot rotate towards the partner: allowed only as a named tolerance.
  const withoutCredentials = input.tolerances?.has('VERSION_DETAILS_WITHOUT_CREDENTIALS') ?? false;
  const required = [...(withoutCredentials ? [] : [{ identifier: 'credentials' }]), ...(input.role === 'CPO' ? services.config.requiredEndpointsCpo : services.config.requiredEndpointsEmsp)];
  const missing = required.filter((need) => !endpoints.some((e) => e.identifier === need.identifier && (!('role' in need) || !need.role || e.role === need.role)));
  if (missing.length) {
    throw new HubError('NO_MATCHING_ENDPOINTS', `partner version ${chosen.version} lacks required endpoints: ${missing.map((m) => ('role' in m && m.role ? `${m.identifier} (${m.role})` : m.identifier)).join(', ')}`);
  }
  return { version: chosen.version, endpoints, encoding };
}

function unusable(what: string, err: unknown, audience: 'partner' | 'operator'): HubError {
  const reason = err instanceof OcpiCallError ? describeCallFailure(err, audience) : (err as Error).message;
  if (err instanceof OcpiCallError && reason !== err.message) return new HubError('PARTNER_API_UNUSABLE', `unable to use the partner's API: ${reason}`);
  return new HubError('PARTNER_API_UNUSABLE', `unable to use the partner's API: ${reason.startsWith(what) ? reason : `${what}: ${reason}`}`);
}

export function endpointUrl(endpoints: Endpoint[] | null | undefined, identifier: string, role?: 'SENDER' | 'RECEIVER'): string | undefined {
  return endpoints?.find((e) => e.identifier === identifier && (!role || e.role === role || identifier === 'credentials'))?.url;
}
