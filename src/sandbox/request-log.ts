import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../services.ts';
import type { Partner } from '../partners/api.ts';
import { OcpiCallError, describeCallFailure, type OcpiAnswer, type OcpiCall } from '../client/ocpi-client.ts';

/**
 * The request log a sandbox partner reads back: its OCPI exchanges with the hub in both
 * directions (INBOUND: its requests to the hub; OUTBOUND: the hub's calls to it), the last
 * LOG_SIZE per partner. Only what helps debugging is kept: no body, no header. Authorization is
 * never stored; the partner's credentials tokens and anything token-like in a path or message
 * are masked before writing.
 */
const LOG_SIZE = 200;

export interface Exchange {
  direction: 'INBOUND' | 'OUTBOUND';
  method: string;
  path: string;
  httpStatus?: number | null;
  statusCode?: number | null;
  statusMessage?: string | null;
  correlationId?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An opaque run of base64url characters (what the hub's tokens are), long enough to be a secret, letters and digits mixed; not a UUID. */
const OPAQUE = /[A-Za-z0-9_-]{24,}/g;
/** A driver token's uid in a Tokens path (real-time authorization): `/tokens/{uid}/…`. */
const TOKEN_UID_IN_PATH = /(\/tokens\/)([^/?]+)/gi;

const shortened = (uid: string) => (uid.length > 4 ? `${uid.slice(0, 4)}…` : uid);

/**
 * `known`: the credentials tokens of this exchange, replaced wherever they appear (as sent,
 * base64, URL-encoded); `uids`: driver token uids, shortened to their first 4 characters.
 */
function maskTokens(text: string, known: string[] = [], uids: string[] = []): string {
  let masked = text;
  for (const token of known.filter((k) => k.length >= 8)) {
    for (const form of [token, Buffer.from(token, 'utf8').toString('base64'), encodeURIComponent(token)]) masked = masked.split(form).join('***');
  }
  masked = masked.replace(OPAQUE, (run) => (UUID.test(run) || !/[A-Za-z]/.test(run) || !/\d/.test(run) ? run : '***'));
  for (const uid of uids.filter((u) => u.length > 4)) masked = masked.split(uid).join(shortened(uid));
  return masked.replace(TOKEN_UID_IN_PATH, (_all, prefix: string, uid: string) => `${prefix}${shortened(uid)}`);
}

/** The driver token uids a path names (`/tokens/{uid}`), decoded: a message about the token repeats them. */
function tokenUids(path: string): string[] {
  return [...path.matchAll(TOKEN_UID_IN_PATH)].map((m) => {
    try {
      return decodeURIComponent(m[2]!);
    } catch {
      return m[2]!;
    }
  });
}

/**
 * Appends one exchange of a sandbox partner and trims its log to the last LOG_SIZE, in one
 * statement each. A failure to log never fails the exchange itself: it is logged and dropped.
 */
export async function recordExchange(services: Services, partner: Partner, exchange: Exchange, knownTokens: string[] = []): Promise<void> {
  if (!partner.sandbox) return;
  const connection = services.orm.em.fork().getConnection();
  const uids = tokenUids(exchange.path);
  try {
    await connection.execute(
      `insert into sandbox_requests (partner_id, at, direction, method, path, http_status, status_code, status_message, correlation_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        partner.id,
        services.clock.now(),
        exchange.direction,
        exchange.method,
        maskTokens(exchange.path, knownTokens).slice(0, 2000),
        exchange.httpStatus ?? null,
        exchange.statusCode ?? null,
        exchange.statusMessage == null ? null : maskTokens(exchange.statusMessage, knownTokens, uids).slice(0, 2000),
        exchange.correlationId?.slice(0, 100) ?? null,
      ],
    );
    await connection.execute(
      `delete from sandbox_requests where partner_id = ? and id <= (select id from sandbox_requests where partner_id = ? order by id desc offset ? limit 1)`,
      [partner.id, partner.id, LOG_SIZE],
    );
  } catch (err) {
    services.log.warn({ partnerId: partner.id, err: (err as Error).message }, 'sandbox request log: exchange not recorded');
  }
}

/**
 * A call of the hub's to `partner` through the one client, recorded in its request log when it
 * is a sandbox partner (failures included, with what the partner may be told of them).
 */
export async function callLogged<T = unknown>(services: Services, partner: Partner | undefined, call: OcpiCall): Promise<OcpiAnswer<T>> {
  if (!partner?.sandbox) return services.client.call<T>(call);
  const correlationId = call.correlationId ?? randomUUID();
  const url = new URL(call.url);
  const exchange = { direction: 'OUTBOUND' as const, method: call.method, path: `${url.pathname}${url.search}`, correlationId };
  try {
    const answer = await services.client.call<T>({ ...call, correlationId });
    await recordExchange(services, partner, { ...exchange, httpStatus: answer.httpStatus, statusCode: answer.statusCode, statusMessage: answer.statusMessage }, [call.token]);
    return answer;
  } catch (err) {
    if (err instanceof OcpiCallError) {
      await recordExchange(services, partner, { ...exchange, httpStatus: err.httpStatus, statusCode: err.statusCode, statusMessage: describeCallFailure(err, 'partner') }, [call.token]);
    }
    throw err;
  }
}

export async function listExchanges(em: EntityManager, partner: Partner) {
  const rows = await em
    .getConnection()
    .execute<{ at: Date; direction: string; method: string; path: string; http_status: number | null; status_code: number | null; status_message: string | null; correlation_id: string | null }[]>(
      `select at, direction, method, path, http_status, status_code, status_message, correlation_id from sandbox_requests where partner_id = ? order by id desc limit ?`,
      [partner.id, LOG_SIZE],
    );
  return rows.map((r) => ({
    timestamp: new Date(r.at).toISOString(),
    direction: r.direction,
    method: r.method,
    path: r.path,
    http_status: r.http_status,
    status_code: r.status_code,
    status_message: r.status_message,
    correlation_id: r.correlation_id,
  }));
}
