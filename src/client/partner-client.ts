import { HubError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Partner } from '../partners/api.ts';
import { decryptToken } from '../partners/tokens.ts';
import { endpointUrl } from '../partners/discovery.ts';
import type { OcpiAnswer, OcpiCall } from './ocpi-client.ts';
import { callLogged } from '../sandbox/request-log.ts';

/**
 * Calls to a registered partner's functional modules: its token as it wants it, routing
 * headers from the hub to the partner, and never to a partner that is not ACTIVE.
 */
export function partnerEndpoint(partner: Partner, identifier: string, role: 'SENDER' | 'RECEIVER'): string | undefined {
  return endpointUrl(partner.endpoints, identifier, role);
}

export async function callPartner<T = unknown>(services: Services, partner: Partner, call: Pick<OcpiCall, 'method' | 'url' | 'body' | 'timeoutMs' | 'correlationId'>): Promise<OcpiAnswer<T>> {
  if (partner.status !== 'ACTIVE' || !partner.outboundTokenSealed) throw new HubError('CONFLICT', `partner ${partner.id} is ${partner.status}: the hub does not call it`);
  // A sandbox partner reads the hub's calls to it back (src/sandbox/request-log.ts).
  return callLogged<T>(services, partner, {
    ...call,
    token: decryptToken(partner.outboundTokenSealed, services.secrets.encryptionKey),
    encoding: partner.tokenEncoding,
    routing: { fromCountryCode: services.config.hubCountryCode, fromPartyId: services.config.hubPartyId, toCountryCode: partner.countryCode, toPartyId: partner.partyId },
  });
}

const MAX_PAGES = 10_000;

/**
 * GETs every page of a partner's Sender list, following `Link: <…>; rel="next"`. Links must
 * stay on the endpoint's own origin. Each page is handed to `onPage` before the next is fetched.
 */
export async function pullAll(services: Services, partner: Partner, firstUrl: string, onPage: (items: unknown[]) => Promise<void>): Promise<number> {
  const origin = new URL(firstUrl).origin;
  let url: string | undefined = firstUrl;
  let total = 0;
  for (let pages = 0; url; pages++) {
    if (pages >= MAX_PAGES) throw new HubError('PARTNER_API_UNUSABLE', `more than ${MAX_PAGES} pages at ${firstUrl}`);
    const answer: OcpiAnswer<unknown> = await callPartner(services, partner, { method: 'GET', url });
    if (!Array.isArray(answer.data)) throw new HubError('PARTNER_API_UNUSABLE', `GET ${url}: data is not a list`);
    await onPage(answer.data);
    total += answer.data.length;
    const next = nextLink(answer.headers.link);
    if (next && new URL(next, url).origin !== origin) throw new HubError('PARTNER_API_UNUSABLE', `GET ${url}: next link leaves ${origin}`);
    url = next ? new URL(next, url).toString() : undefined;
  }
  return total;
}

/** The `rel="next"` target of a Link header (several links, quoted or not), or undefined. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!value) return undefined;
  for (const part of value.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (m && /rel\s*=\s*"?next"?/i.test(m[2]!)) return m[1];
  }
  return undefined;
}
