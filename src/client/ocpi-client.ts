import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { Logger } from '../observability/log.ts';
import type { TokenEncoding } from '../partners/entities.ts';

/**
 * The one path for every call the hub makes to a partner: authorization in the encoding
 * the partner understands, request and correlation ids, a timeout, the envelope checked,
 * and a log line that never holds the token.
 */
export type CallFailure = 'TIMEOUT' | 'NETWORK' | 'HTTP_STATUS' | 'BAD_RESPONSE' | 'OCPI_STATUS';

export class OcpiCallError extends Error {
  constructor(
    readonly failure: CallFailure,
    message: string,
    readonly httpStatus?: number,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'OcpiCallError';
  }
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

export function createOcpiClient(log: Logger, defaultTimeoutMs: number): OcpiClient {
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
      let httpStatus: number;
      let text: string;
      let responseHeaders: Record<string, string | string[] | undefined>;
      try {
        const res = await request(call.url, {
          method: call.method,
          headers,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        httpStatus = res.statusCode;
        responseHeaders = res.headers;
        text = await res.body.text();
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError' || (err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
        log.warn({ method: call.method, url: call.url, requestId, ms: Math.round(performance.now() - started), err: (err as Error).message }, 'outbound call failed');
        throw new OcpiCallError(timedOut ? 'TIMEOUT' : 'NETWORK', `${call.method} ${call.url}: ${timedOut ? `no answer within ${timeoutMs} ms` : (err as Error).message}`);
      }
      log.info({ method: call.method, url: call.url, requestId, status: httpStatus, ms: Math.round(performance.now() - started) }, 'outbound call');
      let parsed: { status_code?: unknown; status_message?: unknown; data?: unknown } | undefined;
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        parsed = undefined;
      }
      if (httpStatus < 200 || httpStatus >= 300) {
        throw new OcpiCallError('HTTP_STATUS', `${call.method} ${call.url}: HTTP ${httpStatus}`, httpStatus, typeof parsed?.status_code === 'number' ? parsed.status_code : undefined);
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
