/**
 * Every error the hub raises on purpose, and how each surface shows it. Rules throw a
 * HubError of a kind; the OCPI transport and the JSON APIs translate it with the two
 * tables below and nowhere else.
 */
export type ErrorKind =
  | 'INVALID_JSON'
  | 'INVALID_PARAMETERS'
  | 'UNKNOWN_TOKEN'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'LOCKED_OUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PARTNER_API_UNUSABLE'
  | 'UNSUPPORTED_VERSION'
  | 'NO_MATCHING_ENDPOINTS'
  | 'INTERNAL';

export class HubError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** HTTP status and OCPI status_code, following status_codes.asciidoc (HTTP errors only where the spec asks for them). */
export const OCPI_STATUS: Record<ErrorKind, { http: number; code: number }> = {
  INVALID_JSON: { http: 400, code: 2001 },
  INVALID_PARAMETERS: { http: 200, code: 2001 },
  UNKNOWN_TOKEN: { http: 404, code: 2004 },
  UNAUTHENTICATED: { http: 401, code: 2000 },
  FORBIDDEN: { http: 403, code: 2000 },
  NOT_FOUND: { http: 404, code: 2000 },
  METHOD_NOT_ALLOWED: { http: 405, code: 2000 },
  CONFLICT: { http: 200, code: 2001 },
  LOCKED_OUT: { http: 429, code: 2000 },
  PAYLOAD_TOO_LARGE: { http: 413, code: 2000 },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, code: 2000 },
  PARTNER_API_UNUSABLE: { http: 200, code: 3001 },
  UNSUPPORTED_VERSION: { http: 200, code: 3002 },
  NO_MATCHING_ENDPOINTS: { http: 200, code: 3003 },
  INTERNAL: { http: 500, code: 3000 },
};

/** HTTP status and `error` word of the app, finance and admin JSON APIs. */
export const API_STATUS: Record<ErrorKind, { http: number; error: string }> = {
  INVALID_JSON: { http: 400, error: 'invalid_json' },
  INVALID_PARAMETERS: { http: 422, error: 'invalid_request' },
  UNKNOWN_TOKEN: { http: 404, error: 'unknown_token' },
  UNAUTHENTICATED: { http: 401, error: 'unauthenticated' },
  FORBIDDEN: { http: 403, error: 'forbidden' },
  NOT_FOUND: { http: 404, error: 'not_found' },
  METHOD_NOT_ALLOWED: { http: 405, error: 'method_not_allowed' },
  CONFLICT: { http: 409, error: 'conflict' },
  LOCKED_OUT: { http: 429, error: 'locked_out' },
  PAYLOAD_TOO_LARGE: { http: 413, error: 'payload_too_large' },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, error: 'unsupported_media_type' },
  PARTNER_API_UNUSABLE: { http: 502, error: 'partner_api_unusable' },
  UNSUPPORTED_VERSION: { http: 502, error: 'partner_version_unsupported' },
  NO_MATCHING_ENDPOINTS: { http: 502, error: 'partner_endpoints_missing' },
  INTERNAL: { http: 500, error: 'internal' },
};

export const invalid = (message: string, details?: Record<string, unknown>) => new HubError('INVALID_PARAMETERS', message, details);
export const notFound = (message: string) => new HubError('NOT_FOUND', message);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids are UUIDs: anything else is "not found" before it reaches the database. */
export const isUuid = (value: string) => UUID.test(value);
