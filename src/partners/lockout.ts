import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError } from '../errors.ts';
import type { Services } from '../services.ts';
import { raiseAlert } from '../observability/alerts.ts';
import { recordEvent } from './events.ts';
import { ipAllowed } from './allowlist.ts';

/**
 * Lockout: caps credential guessing per surface and client address, in PostgreSQL so every hub
 * instance agrees (README "Authentication lockout").
 *
 * - Each surface (`ocpi`, `admin`, `app`, `finance`) counts on its own row per address
 *   (`auth_attempts`): failures on one surface never lock, and successes on one surface never
 *   clear, another.
 * - An attempt takes a numbered slot in ONE statement (`insert … on conflict do update …
 *   returning`, or `update … returning` for a recognised credential) before its answer may
 *   depend on the credential. Slot numbers above `AUTH_LOCKOUT_FAILURES`, or a lock on the row,
 *   are refused with 429 whatever the credential, so of N parallel attempts at most
 *   `AUTH_LOCKOUT_FAILURES` are answered on their merits.
 * - A recognised credential with no row on record costs one `update` that matches nothing
 *   (no write); a partner token from an address the partner is bound to costs nothing.
 */
export type Surface = 'ocpi' | 'admin' | 'app' | 'finance';

export interface LockoutPolicy {
  failures: number;
  minutes: number;
}

interface Slot {
  /** This attempt's number within the window. */
  attempt: number;
  lockedUntil?: Date;
}

const MAX_COUNT = 1_000_000_000;

function policyOf(services: Services): LockoutPolicy {
  return { failures: services.config.authLockoutFailures, minutes: services.config.authLockoutMinutes };
}

/**
 * A row is stale (and starts again at this attempt) when its lock has ended, or when it is not
 * locked and nothing was attempted for a whole lockout period. Parameters: now, now - period.
 */
const STALE = `((a.locked_until is not null and a.locked_until <= ?::timestamptz) or (a.locked_until is null and a.last_at <= ?::timestamptz))`;

/** Counts one attempt of an unrecognised credential (one atomic statement). */
async function countAttempt(em: EntityManager, surface: Surface, ip: string, now: Date, policy: LockoutPolicy): Promise<Slot> {
  const cutoff = new Date(now.getTime() - policy.minutes * 60_000);
  const rows: { attempts: number; locked_until: string | Date | null }[] = await em.getConnection().execute(
    `insert into auth_attempts as a (surface, ip, attempts, last_at, locked_until) values (?, ?, 1, ?, null)
     on conflict (surface, ip) do update set
       attempts = case when ${STALE} then 1 else least(a.attempts + 1, ${MAX_COUNT}) end,
       locked_until = case when ${STALE} then null else a.locked_until end,
       last_at = excluded.last_at
     returning attempts, locked_until`,
    [surface, ip, now, now, cutoff, now, cutoff],
  );
  return { attempt: rows[0]!.attempts, lockedUntil: asDate(rows[0]!.locked_until) };
}

/**
 * Takes a slot for a recognised credential only when the address has a row on this surface
 * (one statement; with no row it matches nothing and writes nothing). Undefined: no row.
 */
async function claimSlot(em: EntityManager, surface: Surface, ip: string, now: Date, policy: LockoutPolicy): Promise<Slot | undefined> {
  const cutoff = new Date(now.getTime() - policy.minutes * 60_000);
  const rows: { attempts: number; locked_until: string | Date | null }[] = await em.getConnection().execute(
    `update auth_attempts as a set
       attempts = case when ${STALE} then 1 else least(a.attempts + 1, ${MAX_COUNT}) end,
       locked_until = case when ${STALE} then null else a.locked_until end,
       last_at = ?
     where a.surface = ? and a.ip = ?
     returning attempts, locked_until`,
    [now, cutoff, now, cutoff, now, surface, ip],
  );
  return rows.length ? { attempt: rows[0]!.attempts, lockedUntil: asDate(rows[0]!.locked_until) } : undefined;
}

/** Gives back a recognised credential's slot: it was not a failure. */
async function releaseSlot(em: EntityManager, surface: Surface, ip: string): Promise<void> {
  await em.getConnection().execute('update auth_attempts set attempts = attempts - 1 where surface = ? and ip = ? and attempts > 0', [surface, ip]);
}

/** Starts the lock unless one is running; true when this call started it (exactly one caller does). */
async function startLock(em: EntityManager, surface: Surface, ip: string, now: Date, policy: LockoutPolicy): Promise<{ until: Date; started: boolean }> {
  const end = new Date(now.getTime() + policy.minutes * 60_000);
  const conn = em.getConnection();
  const rows: { locked_until: string | Date }[] = await conn.execute(
    `update auth_attempts set locked_until = ? where surface = ? and ip = ? and (locked_until is null or locked_until <= ?) returning locked_until`,
    [end, surface, ip, now],
  );
  if (rows.length) return { until: asDate(rows[0]!.locked_until)!, started: true };
  const current: { locked_until: string | Date | null }[] = await conn.execute('select locked_until from auth_attempts where surface = ? and ip = ?', [surface, ip]);
  return { until: asDate(current[0]?.locked_until) ?? end, started: false };
}

function refused(slot: Slot, now: Date, policy: LockoutPolicy): boolean {
  return slot.attempt > policy.failures || (!!slot.lockedUntil && slot.lockedUntil > now);
}

function lockedOut(until: Date): HubError {
  return new HubError('LOCKED_OUT', `too many failed authentications from this address; try again after ${until.toISOString()}`);
}

/** The lock's end for a refused slot, starting the lock (and alerting) if nobody has yet. */
async function lockFor(em: EntityManager, services: Services, surface: Surface, ip: string, now: Date, slot: Slot): Promise<Date> {
  if (slot.lockedUntil && slot.lockedUntil > now) return slot.lockedUntil;
  return lock(em, services, surface, ip, now, slot.attempt);
}

async function lock(em: EntityManager, services: Services, surface: Surface, ip: string, now: Date, attempts: number): Promise<Date> {
  const { until, started } = await startLock(em, surface, ip, now, policyOf(services));
  if (started) await alertLockout(em, services, surface, ip, now, until, attempts);
  return until;
}

/**
 * An unrecognised credential (unknown token, wrong key, malformed header): counts it, and
 * throws 429 when past the cap (the caller then answers nothing about the credential). Returns
 * when the failure is to be answered on its merits (401); the cap-th failure starts the lock.
 */
export async function countFailure(em: EntityManager, services: Services, surface: Surface, ip: string, now: Date): Promise<void> {
  const policy = policyOf(services);
  const slot = await countAttempt(em, surface, ip, now, policy);
  if (refused(slot, now, policy)) {
    const until = await lockFor(em, services, surface, ip, now, slot);
    services.metrics.authLockedOut.inc({ surface });
    throw lockedOut(until);
  }
  services.metrics.authFailures.inc({ surface });
  if (slot.attempt === policy.failures) await lock(em, services, surface, ip, now, slot.attempt);
}

/**
 * A recognised credential (the API key, a partner token from an address it is not bound to):
 * takes a slot when the address has attempts on record and throws 429 when past the cap.
 * Returns whether a slot was taken (to release or clear afterwards).
 */
export async function admitRecognised(
  em: EntityManager,
  services: Services,
  surface: Surface,
  ip: string,
  now: Date,
  onRefused?: (until: Date) => Promise<void>,
): Promise<boolean> {
  const policy = policyOf(services);
  const slot = await claimSlot(em, surface, ip, now, policy);
  if (!slot) return false;
  if (refused(slot, now, policy)) {
    const until = await lockFor(em, services, surface, ip, now, slot);
    services.metrics.authLockedOut.inc({ surface });
    await onRefused?.(until);
    throw lockedOut(until);
  }
  return true;
}

/** After a recognised OCPI token: gives its slot back (a partner's success clears nobody's failures). */
export async function releaseRecognised(em: EntityManager, surface: Surface, ip: string): Promise<void> {
  await releaseSlot(em, surface, ip);
}

/** After a valid API key: clears this surface's count for the address (the key is the surface's only credential). */
export async function clearSurface(em: EntityManager, surface: Surface, ip: string): Promise<void> {
  await em.getConnection().execute('delete from auth_attempts where surface = ? and ip = ?', [surface, ip]);
}

async function alertLockout(em: EntityManager, services: Services, surface: Surface, ip: string, now: Date, until: Date, attempts: number): Promise<void> {
  const deps = { log: services.log, metrics: services.metrics, now };
  // Partners bound to the address keep working through an OCPI lock: tell the operator and them.
  const bound = surface === 'ocpi' ? await partnersBoundTo(em, ip) : [];
  raiseAlert(em, deps, { kind: 'AUTH_LOCKOUT', detail: { ip, surface, until: until.toISOString(), attempts, partners_still_admitted: bound } });
  for (const partnerId of bound) {
    raiseAlert(em, deps, { kind: 'AUTH_LOCKOUT_SHARED_ADDRESS', partnerId, detail: { ip, surface, until: until.toISOString() } });
  }
  await em.flush();
}

// ---- Addresses a partner is bound to --------------------------------------------------------

const knownCaches = new WeakMap<Services, Map<string, true>>();
const KNOWN_CACHE_MAX = 50_000;
const refusalNoted = new WeakMap<Services, Set<string>>();

function knownCache(services: Services): Map<string, true> {
  let cache = knownCaches.get(services);
  if (!cache) knownCaches.set(services, (cache = new Map()));
  return cache;
}

/**
 * Whether a partner's valid token from `ip` passes a lockout of that address: the address is in
 * the partner's (non-empty) IP allow-list, or, without an allow-list, the partner has
 * authenticated from it before. Positive answers are cached per instance (they do not go stale:
 * the token itself is checked on every request); so the hot path costs no statement.
 */
export async function boundToAddress(em: EntityManager, services: Services, partner: { id: string; ipAllowlist: string[] }, ip: string): Promise<boolean> {
  if (!ipAllowed(ip, partner.ipAllowlist)) return false;
  if (partner.ipAllowlist.length > 0) return true;
  const key = `${partner.id}|${ip}`;
  const cache = knownCache(services);
  if (cache.has(key)) return true;
  const rows = await em.getConnection().execute('select 1 from auth_known_addresses where partner_id = ? and ip = ?', [partner.id, ip]);
  if (rows.length) remember(cache, key);
  return rows.length > 0;
}

/** Records that the partner authenticated from `ip` (once per partner and address). */
export async function rememberAddress(em: EntityManager, services: Services, partnerId: string, ip: string, now: Date): Promise<void> {
  await em.getConnection().execute('insert into auth_known_addresses (partner_id, ip, first_at) values (?, ?, ?) on conflict do nothing', [partnerId, ip, now]);
  remember(knownCache(services), `${partnerId}|${ip}`);
}

function remember(cache: Map<string, true>, key: string): void {
  if (cache.size >= KNOWN_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, true);
}

async function partnersBoundTo(em: EntityManager, ip: string): Promise<string[]> {
  const rows: { id: string; ip_allowlist: string[]; known: boolean }[] = await em.getConnection().execute(
    `select p.id, p.ip_allowlist, exists (select 1 from auth_known_addresses k where k.partner_id = p.id and k.ip = ?) as known
       from partners p
      where p.ip_allowlist <> '[]'::jsonb or exists (select 1 from auth_known_addresses k where k.partner_id = p.id and k.ip = ?)
      order by p.id`,
    [ip, ip],
  );
  return rows.filter((r) => ipAllowed(ip, r.ip_allowlist) && (r.ip_allowlist.length > 0 || r.known)).map((r) => r.id);
}

/**
 * Records, on the partner's trail, that its valid token was refused by a lockout of the address
 * (it has not authenticated from there before): once per partner, address and lock, per instance.
 */
export function noteRefusedPartner(em: EntityManager, services: Services, partnerId: string, ip: string, now: Date, until: Date): boolean {
  let noted = refusalNoted.get(services);
  if (!noted) refusalNoted.set(services, (noted = new Set()));
  const key = `${partnerId}|${ip}|${until.toISOString()}`;
  if (noted.has(key)) return false;
  if (noted.size >= KNOWN_CACHE_MAX) noted.clear();
  noted.add(key);
  recordEvent(em, now, { partnerId, kind: 'REFUSED_LOCKED_OUT', actor: 'partner', detail: { ip, until: until.toISOString() } });
  return true;
}

// Raw queries through MikroORM return timestamptz as text.
function asDate(value: string | Date | null | undefined): Date | undefined {
  return value == null ? undefined : new Date(value);
}
