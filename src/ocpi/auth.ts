import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Caller, OcpiModule } from './module.ts';
import { findLiveToken } from '../partners/registry.ts';
import { hashToken } from '../partners/tokens.ts';
import { clearFailures, failureState, recordFailure } from '../partners/lockout.ts';
import { ipAllowed } from '../partners/allowlist.ts';
import { raiseAlert } from '../observability/alerts.ts';
import { recordEvent } from '../partners/events.ts';
import type { TokenEncoding } from '../partners/entities.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * The readings of `Authorization: Token <x>`: the base64 decoding the specification requires,
 * then the raw value that 2.1.1/2.2-era partners send. Returns [] when the header is malformed.
 */
export function tokenReadings(header: string | undefined): { token: string; encoding: TokenEncoding }[] {
  const match = /^Token ([\x21-\x7e]+)$/.exec(header ?? '');
  if (!match) return [];
  const value = match[1]!;
  const readings: { token: string; encoding: TokenEncoding }[] = [];
  if (BASE64.test(value)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    if (PRINTABLE.test(decoded) && decoded.length <= 64) readings.push({ token: decoded, encoding: 'BASE64' });
  }
  if (value.length <= 64) readings.push({ token: value, encoding: 'RAW' });
  return readings;
}

const TOUCH_INTERVAL_MS = 60_000;

/**
 * Authenticates and authorizes an OCPI request for `module`: lockout first (a locked-out
 * address is refused even with a valid token), then the token, the partner's state, the
 * token kind (A opens only configuration modules), the IP allow-list and the module scopes.
 */
export async function authenticateOcpi(
  em: EntityManager,
  services: Services,
  input: { header: string | undefined; ip: string; module: OcpiModule },
): Promise<Caller> {
  const now = services.clock.now();
  const failures = await failureState(em, input.ip, now);
  const until = failures.lockedUntil;
  if (until) throw new HubError('LOCKED_OUT', `too many failed authentications from this address; try again after ${until.toISOString()}`);

  const readings = tokenReadings(input.header);
  const found = readings.length ? await findLiveToken(em, readings.map((r) => hashToken(r.token)), now) : undefined;
  if (!found) {
    await failure(em, services, input.ip, now, readings.length ? 'unknown token' : 'missing or malformed Authorization header');
    throw new HubError('UNAUTHENTICATED', readings.length ? 'unknown or expired token' : 'Authorization header must be "Token <base64 token>"');
  }
  const reading = readings.find((r) => hashToken(r.token) === found.tokenHash)!;
  const partner = found.partner;
  const log = services.log.child({ partnerId: partner.id });

  if (partner.status === 'SUSPENDED' || partner.status === 'REJECTED' || partner.status === 'PENDING_REVIEW') {
    log.warn({ status: partner.status, ip: input.ip }, 'token of a partner that may not connect');
    throw new HubError('UNAUTHENTICATED', `partner is ${partner.status.toLowerCase().replace('_', ' ')}`);
  }
  if (found.kind === 'A' && !input.module.configuration) {
    log.warn({ module: input.module.identifier }, 'registration token used on a functional module');
    throw new HubError('UNAUTHENTICATED', 'the registration token (A) only opens versions and credentials');
  }
  if (!input.module.configuration && partner.status !== 'ACTIVE') {
    throw new HubError('UNAUTHENTICATED', 'partner has not completed registration');
  }
  if (!ipAllowed(input.ip, partner.ipAllowlist)) {
    recordEvent(em, now, { partnerId: partner.id, kind: 'REFUSED_IP', actor: 'partner', detail: { ip: input.ip, module: input.module.identifier } });
    await em.flush();
    log.warn({ ip: input.ip }, 'request from outside the partner IP allow-list');
    throw new HubError('FORBIDDEN', `address ${input.ip} is not in this partner's IP allow-list`);
  }
  if (!input.module.configuration && partner.moduleScopes && !partner.moduleScopes.includes(input.module.identifier)) {
    recordEvent(em, now, { partnerId: partner.id, kind: 'REFUSED_SCOPE', actor: 'partner', detail: { module: input.module.identifier } });
    await em.flush();
    log.warn({ module: input.module.identifier }, 'request to a module outside the partner scopes');
    throw new HubError('FORBIDDEN', `module ${input.module.identifier} is not in this partner's scopes`);
  }

  if (failures.counted) await clearFailures(em, input.ip);
  // A partner that sends the raw token is taken to expect raw tokens from us too.
  if (partner.tokenEncoding !== reading.encoding && found.kind === 'C') {
    partner.tokenEncoding = reading.encoding;
    recordEvent(em, now, { partnerId: partner.id, kind: 'TOKEN_ENCODING_DETECTED', actor: 'partner', detail: { encoding: reading.encoding } });
  }
  if (!partner.lastSeenAt || now.getTime() - partner.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) partner.lastSeenAt = now;
  await em.flush();
  return { partner, tokenKind: found.kind, token: reading.token, encoding: reading.encoding };
}

async function failure(em: EntityManager, services: Services, ip: string, now: Date, reason: string): Promise<void> {
  services.metrics.authFailures.inc({ surface: 'ocpi' });
  services.log.warn({ ip, reason }, 'authentication failed');
  await lockoutOnFailure(em, services, ip, now, 'ocpi');
}

/** Shared by every surface: counts a failure and raises the alert when it starts a lockout. */
export async function lockoutOnFailure(em: EntityManager, services: Services, ip: string, now: Date, surface: string): Promise<void> {
  const locked = await recordFailure(em, ip, now, { failures: services.config.authLockoutFailures, minutes: services.config.authLockoutMinutes });
  if (locked) {
    raiseAlert(em, { log: services.log, metrics: services.metrics, now }, { kind: 'AUTH_LOCKOUT', detail: { ip, surface, until: locked.toISOString() } });
    await em.flush();
  }
}
