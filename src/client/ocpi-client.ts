import { randomUUID } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import type { Logger } from '../observability/log.ts';
import type { TokenEncoding } from '../partners/api.ts';
import { ALLOW_PRIVATE_SETTING, DEFAULT_MAX_RESPONSE_BYTES, OutboundRefusedError, checkUrl, createOutboundAgent, type OutboundPolicy, type Resolver } from './url-policy.ts';

/**
 * The one path for every call the hub makes to a partner: authorization in the encoding
 * the partner understands, request and correlation ids, a timeout, the envelope checked,
 * and a log line that never holds the token.
 */
export type CallFailure =
  /** The outbound URL policy refused the URL or the address it resolves to: nothing was sent. */
  | 'REFUSED'
  | 'TIMEOUT'
  | 'NETWORK'
  /** A 3xx answer: redirects are never followed. */
  | 'REDIRECT'
  /** The answer was larger than the cap (OUTBOUND_MAX_RESPONSE_BYTES): the connection was cut. */
  | 'TOO_LARGE'
  | 'HTTP_STATUS'
  | 'BAD_RESPONSE'
  | 'OCPI_STATUS';

export class OcpiCallError extends Error {
  constructor(
    readonly failure: CallFailure,
    message: string,
    readonly httpStatus?: number,
    readonly statusCode?: number,
    /** The answer's Retry-After header, as sent (a 429 or 503 may carry one). */
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'OcpiCallError';
  }
}

/** Failures where no usable answer came back: to a partner they all read the same (no port scanner). */
const FETCH_FAILURES: ReadonlySet<CallFailure> = new Set(['REFUSED', 'TIMEOUT', 'NETWORK', 'REDIRECT', 'TOO_LARGE']);

/** What a partner is told when the hub could not fetch from the URLs it gave, whatever the cause; the log has the cause. */
export const GENERIC_FETCH_FAILURE = 'the hub could not fetch from your API (address refused, unreachable, redirected, too large or too slow; the hub operator finds the cause in the log under this X-Correlation-ID)';

/**
 * The one mapping of a failed partner call to words. `partner`: the party that chose the URL
 * sees one generic message for every refused or failed fetch, and the HTTP or OCPI status
 * only of an answer actually received. `operator`: the whole detail, and for a refused
 * address the setting that would allow it.
 */
export function describeCallFailure(err: OcpiCallError, audience: 'partner' | 'operator'): string {
  if (audience === 'partner' && FETCH_FAILURES.has(err.failure)) return GENERIC_FETCH_FAILURE;
  return err.message;
}

export interface OcpiClientOptions extends Partial<OutboundPolicy> {
  /** Name resolution (default: the system's, dns.lookup); tests map names to addresses with it. */
  resolve?: Resolver;
}

export interface OcpiCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  token: string;
  encoding: TokenEncoding;
  body?: unknown;
  timeoutMs?: number;
  correlationId?: string;
  /** Routing headers, for functional modules only. */
  routing?: { fromCountryCode: string; fromPartyId: string; toCountryCode: string; toPartyId: string };
}

export interface OcpiAnswer<T = unknown> {
  httpStatus: number;
  statusCode: number;
  statusMessage?: string;
  data: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface OcpiClient {
  call<T = unknown>(call: OcpiCall): Promise<OcpiAnswer<T>>;
}

export function authorizationHeader(token: string, encoding: TokenEncoding): string {
  return `Token ${encoding === 'BASE64' ? Buffer.from(token, 'utf8').toString('base64') : token}`;
}

/**
 * The default refuses loopback, private and link-local addresses and caps answers at
 * 10 MiB; the hub passes its ALLOW_PRIVATE_PARTNER_URLS and OUTBOUND_MAX_RESPONSE_BYTES.
 */
export function createOcpiClient(log: Logger, defaultTimeoutMs: number, options: OcpiClientOptions = {}): OcpiClient {
  const policy: OutboundPolicy = { allowPrivateAddresses: options.allowPrivateAddresses ?? false, maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES };
  const dispatcher = createOutboundAgent(policy, options.resolve);
  return {
    async call<T>(call: OcpiCall): Promise<OcpiAnswer<T>> {
      const requestId = randomUUID();
      const headers: Record<string, string> = {
        authorization: authorizationHeader(call.token, call.encoding),
        'x-request-id': requestId,
        'x-correlation-id': call.correlationId ?? randomUUID(),
        accept: 'application/json',
      };
      if (call.body !== undefined) headers['content-type'] = 'application/json';
      if (call.routing) {
        headers['ocpi-from-country-code'] = call.routing.fromCountryCode;
        headers['ocpi-from-party-id'] = call.routing.fromPartyId;
        headers['ocpi-to-country-code'] = call.routing.toCountryCode;
        headers['ocpi-to-party-id'] = call.routing.toPartyId;
      }
      const started = performance.now();
      const timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
      const where = { method: call.method, url: call.url, requestId, correlationId: headers['x-correlation-id'] };
      let httpStatus: number;
      let text: string;
      let responseHeaders: Record<string, string | string[] | undefined>;
      try {
        checkUrl(call.url);
        const res = await request(call.url, {
          method: call.method,
          headers,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          signal: AbortSignal.timeout(timeoutMs),
          dispatcher,
        });
        httpStatus = res.statusCode;
        responseHeaders = res.headers;
        if (httpStatus >= 300 && httpStatus < 400) {
          cut(res.body);
          const location = res.headers.location;
          log.warn({ ...where, status: httpStatus, location, ms: Math.round(performance.now() - started) }, 'outbound call redirected: not followed');
          throw new OcpiCallError('REDIRECT', `${call.method} ${call.url}: HTTP ${httpStatus} redirect${location ? ` to ${String(location)}` : ''} (redirects are not followed)`, httpStatus);
        }
        text = await readCapped(res.body, res.headers['content-length'], policy.maxResponseBytes);
      } catch (err) {
        if (err instanceof OcpiCallError) throw err;
        const ms = Math.round(performance.now() - started);
        if (err instanceof TooLargeError) {
          log.warn({ ...where, status: httpStatus!, ms, limit: policy.maxResponseBytes }, 'outbound answer too large: connection cut');
          throw new OcpiCallError('TOO_LARGE', `${call.method} ${call.url}: answer larger than ${policy.maxResponseBytes} bytes (OUTBOUND_MAX_RESPONSE_BYTES): cut off`, httpStatus!);
        }
        const refused = refusalOf(err);
        if (refused) {
          log.warn({ ...where, ms, reason: refused.reason, address: refused.address, range: refused.range, setting: refused.reason === 'ADDRESS' ? ALLOW_PRIVATE_SETTING : undefined, err: refused.message }, 'outbound call refused');
          throw new OcpiCallError('REFUSED', `${call.method} ${call.url}: ${refused.message}`);
        }
        const timedOut = (err as Error).name === 'TimeoutError' || (err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
        log.warn({ ...where, ms, err: (err as Error).message }, 'outbound call failed');
        throw new OcpiCallError(timedOut ? 'TIMEOUT' : 'NETWORK', `${call.method} ${call.url}: ${timedOut ? `no answer within ${timeoutMs} ms` : (err as Error).message}`);
      }
      log.info({ ...where, status: httpStatus, ms: Math.round(performance.now() - started) }, 'outbound call');
      let parsed: { status_code?: unknown; status_message?: unknown; data?: unknown } | undefined;
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        parsed = undefined;
      }
      if (httpStatus < 200 || httpStatus >= 300) {
        const retryAfter = responseHeaders['retry-after'];
        throw new OcpiCallError('HTTP_STATUS', `${call.method} ${call.url}: HTTP ${httpStatus}`, httpStatus, typeof parsed?.status_code === 'number' ? parsed.status_code : undefined, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
      }
      if (!parsed || typeof parsed !== 'object' || typeof parsed.status_code !== 'number') {
        throw new OcpiCallError('BAD_RESPONSE', `${call.method} ${call.url}: answer is not an OCPI envelope`, httpStatus);
      }
      const statusMessage = typeof parsed.status_message === 'string' ? parsed.status_message : undefined;
      if (parsed.status_code < 1000 || parsed.status_code >= 2000) {
        throw new OcpiCallError('OCPI_STATUS', `${call.method} ${call.url}: OCPI status ${parsed.status_code}${statusMessage ? ` (${statusMessage})` : ''}`, httpStatus, parsed.status_code);
      }
      return { httpStatus, statusCode: parsed.status_code, statusMessage, data: parsed.data as T, headers: responseHeaders };
    },
  };
}

class TooLargeError extends Error {}

/** Drops an answer's body unread: destroying it aborts the request, so undici closes that connection. */
function cut(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {
    // the abort we asked for
  });
  body.destroy();
}

/** Reads the body as UTF-8, counting bytes; past `limit` the body (and so the connection) is destroyed. */
async function readCapped(body: Dispatcher.ResponseData['body'], contentLength: string | string[] | undefined, limit: number): Promise<string> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    cut(body);
    throw new TooLargeError();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      cut(body);
      throw new TooLargeError();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The policy's refusal, wherever undici put it (the connector's error is passed through as it is, or as a cause). */
function refusalOf(err: unknown): OutboundRefusedError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundRefusedError) return e;
  }
  return undefined;
}
