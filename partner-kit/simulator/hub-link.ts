import { createOcpiClient, OcpiCallError, type OcpiAnswer } from '../../src/client/ocpi-client.ts';
import { createLogger } from '../../src/observability/log.ts';
import { classifyAddress } from '../../src/client/url-policy.ts';
import type { TokenEncoding } from '../../src/partners/api.ts';
import { outboundLine, type Print } from './print.ts';

/**
 * Our calls to the hub, through the hub's own OCPI client: the token in the encoding of the
 * version we speak, the envelope checked, one printed line per call. The operator named the
 * hub's host, so loopback and private addresses are allowed there; any other host (a
 * response_url elsewhere, say) gets the hub's own outbound policy, public addresses only. The
 * scheme must be http(s) everywhere.
 */
export interface HubLink {
  /** Token C once registered: what we present to the hub (token A before). */
  token: string;
  /** The hub's endpoints by module identifier (its RECEIVER side, or credentials). */
  endpoints: Map<string, string>;
  call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<OcpiAnswer<T>>;
  /** The URL of a receiver's object: `<endpoint>/<country>/<party>/<id>[/<evse>]`. */
  receiverUrl(module: string, ...ids: string[]): string;
}

const TIMEOUT_MS = 15_000;

export function createHubLink(hubVersionsUrl: string, tokenA: string, encoding: TokenEncoding, print: Print): HubLink {
  const hubHost = new URL(hubVersionsUrl).hostname;
  const toHub = createOcpiClient(createLogger('silent'), TIMEOUT_MS, { allowPrivateAddresses: true });
  const elsewhere = createOcpiClient(createLogger('silent'), TIMEOUT_MS, { allowPrivateAddresses: false });
  const clientFor = (url: string) => {
    try {
      const host = new URL(url).hostname;
      // A hub on this machine: this machine's other loopback names are the operator's too.
      return host === hubHost || (isLoopback(hubHost) && isLoopback(host)) ? toHub : elsewhere;
    } catch {
      return elsewhere;
    }
  };
  const link: HubLink = {
    token: tokenA,
    endpoints: new Map(),
    async call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
      try {
        const answer = await clientFor(url).call<T>({ method, url, token: link.token, encoding, body });
        print(outboundLine(method, url, answer.httpStatus, answer.statusCode));
        return answer;
      } catch (err) {
        if (err instanceof OcpiCallError) print(outboundLine(method, url, err.httpStatus ?? err.failure, err.httpStatus === undefined ? undefined : (err.statusCode ?? err.failure)));
        else print(outboundLine(method, url, 'ERROR', (err as Error).message));
        throw err;
      }
    },
    receiverUrl(module, ...ids) {
      const base = link.endpoints.get(module);
      if (!base) throw new Error(`the hub offers no ${module} receiver`);
      return `${base.replace(/\/+$/, '')}/${ids.map(encodeURIComponent).join('/')}`;
    },
  };
  return link;
}

/** `localhost`, or an address the hub's own outbound policy classifies as loopback (127/8, ::1, ::ffff:127.x). */
function isLoopback(host: string): boolean {
  return host === 'localhost' || classifyAddress(host).range === 'loopback';
}
