import type { Services } from '../src/services.ts';
import type { Partner } from '../src/partners/api.ts';
import { partnerEndpoint, pullAll } from '../src/client/partner-client.ts';
import { formatDateTime, parseDateTime } from '../src/ocpi/datetime.ts';
import { partnerObjects } from '../src/ocpi/versions/context.ts';
import { objectKey, ownsParty, sameId } from '../src/ocpi/party-scope.ts';
import type { Session } from '../src/ocpi/types.ts';
import type { ChargingOrder } from './entities.ts';
import type { Logger } from '../src/observability/log.ts';
import { writeSession } from '../ocpi-modules/sessions/api.ts';
import { linkSession } from './session-orders.ts';
import { commandWindowMs } from './charge-match.ts';

/** Same EVSE (and connector where both name one), same token, started between the order's creation and the end of its command window. */
function sameCharge(services: Services, order: ChargingOrder, s: Partial<Session>): boolean {
  const started = typeof s.start_date_time === 'string' ? parseDateTime(s.start_date_time) : undefined;
  if (!started || order.sessionKey) return false;
  const from = order.createdAt.getTime() - CLOCK_SKEW_MS;
  const to = order.createdAt.getTime() + commandWindowMs(services) + CLOCK_SKEW_MS;
  return (
    sameId(s.evse_uid, order.evseUid) &&
    (!order.connectorId || !s.connector_id || sameId(s.connector_id, order.connectorId)) &&
    s.cdr_token?.uid === order.tokenUid &&
    s.cdr_token?.type === order.tokenType &&
    started.getTime() >= from &&
    started.getTime() <= to
  );
}

/**
 * Asks the CPO's Sessions sender whether it has the order's session: the sessions updated
 * since shortly before the order, looked up by our authorization_reference (or, once known,
 * the session id). The window starts early because the CPO's clock is not ours.
 */
const CLOCK_SKEW_MS = 5 * 60_000;

export type SessionLookup =
  | { outcome: 'FOUND'; session: Session; evidence: Record<string, unknown> }
  | { outcome: 'NOT_FOUND' | 'UNREACHABLE'; evidence: Record<string, unknown> };

export async function lookupSession(services: Services, partner: Partner, order: ChargingOrder): Promise<SessionLookup> {
  const base = partnerEndpoint(partner, 'sessions', 'SENDER');
  if (!base) return { outcome: 'UNREACHABLE', evidence: { error: 'the partner has no sessions SENDER endpoint' } };
  const url = `${base}?date_from=${encodeURIComponent(formatDateTime(new Date(order.createdAt.getTime() - CLOCK_SKEW_MS)))}`;
  const matches: unknown[] = [];
  const unreferenced: unknown[] = [];
  let received = 0;
  try {
    await pullAll(services, partner, url, async (items) => {
      received += items.length;
      for (const item of items) {
        const s = item as Partial<Session> | null;
        if (!s || typeof s !== 'object') continue;
        const key = typeof s.country_code === 'string' && typeof s.party_id === 'string' && typeof s.id === 'string' ? objectKey(s.country_code, s.party_id, s.id) : undefined;
        const mine = sameId(s.authorization_reference, order.id) || (order.sessionKey != null && key === order.sessionKey);
        if (mine) matches.push(item);
        else if (!s.authorization_reference && sameCharge(services, order, s)) unreferenced.push(item);
      }
    });
  } catch (err) {
    return { outcome: 'UNREACHABLE', evidence: { url, error: (err as Error).message } };
  }
  // A CPO that does not echo authorization_reference (OCPI 2.2 need not): its one session of this EVSE and token, started in the window, is ours.
  if (!matches.length && unreferenced.length === 1) matches.push(unreferenced[0]);
  if (!matches.length) return { outcome: 'NOT_FOUND', evidence: { url, sessions_received: received, ...(unreferenced.length > 1 ? { unreferenced_candidates: unreferenced.length } : {}) } };
  const session = matches.at(-1) as Partial<Session>;
  // Only a session under one of the CPO's own parties answers for it; another party's is not its to report.
  if (!ownsParty(partner.roles, session)) return { outcome: 'NOT_FOUND', evidence: { url, sessions_received: received, rejected: `session ${String(session.id)} is under ${String(session.country_code)}/${String(session.party_id)}, not one of the partner's roles` } };
  const checked = await partnerObjects(services, services.orm.em.fork(), partner).check<Session>('Session', session);
  // A session we cannot accept is not evidence of anything: keep asking, and show it to operations.
  if (!checked.ok) return { outcome: 'NOT_FOUND', evidence: { url, sessions_received: received, rejected_session: session, problems: checked.problems } };
  return { outcome: 'FOUND', session: checked.value, evidence: { url, session_id: checked.value.id, status: checked.value.status } };
}

/**
 * Stores a session the CPO reported when asked, with the same rules as a push, and lets it
 * move its order. Returns why it was refused, if it was.
 */
export async function applyQueriedSession(services: Services, log: Logger, partner: Partner, session: Session, now: Date): Promise<string | undefined> {
  try {
    await writeSession(services.orm.em.fork(), {
      partnerId: partner.id,
      countryCode: session.country_code,
      partyId: session.party_id,
      sessionId: session.id,
      method: 'PUT',
      body: session,
      now,
      schemas: partnerObjects(services, services.orm.em.fork(), partner).version.schemas,
      afterWrite: (tx, record, previousStatus) => linkSession(tx, record, previousStatus, { services, log, now, via: 'QUERY' }),
    });
    return undefined;
  } catch (err) {
    log.warn({ session: session.id, err: (err as Error).message }, 'session reported by the CPO refused');
    return (err as Error).message;
  }
}
