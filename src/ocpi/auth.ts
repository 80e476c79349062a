import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Caller, OcpiModule } from './module.ts';
import { findLiveToken } from '../partners/registry.ts';
import { hashToken } from '../partners/tokens.ts';
import { admitRecognised, boundToAddress, countFailure, noteRefusedPartner, releaseRecognised, rememberAddress } from '../partners/lockout.ts';
import { ipAllowed } from '../partners/allowlist.ts';
import { recordEvent } from '../partners/events.ts';
import type { TokenEncoding } from '../partners/api.ts';

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
 * Authenticates and authorizes an OCPI request for `module`: the token (looked up by hash), the
 * lockout (README "Authentication lockout"), the partner's state, the token kind (A opens only
 * configuration modules), the IP allow-list and the module scopes.
 *
 * Lockout: a live token of a partner bound to the address (inside its non-empty IP allow-list,
 * or without one, an address it authenticated from before) passes without touching the lockout
 * table, so somebody else's failures on a shared address do not lock it out. Every other
 * request takes a slot on the address's `ocpi` count first; past `AUTH_LOCKOUT_FAILURES` it
 * gets 429 whether its token exists or not, so guessing from the address stays capped.
 */
export async function authenticateOcpi(
  em: EntityManager,
  services: Services,
  input: { header: string | undefined; ip: string; module: OcpiModule; hubApi?: boolean },
): Promise<Caller> {
  const now = services.clock.now();
  const readings = tokenReadings(input.header);
  const found = readings.length ? await findLiveToken(em, readings.map((r) => hashToken(r.token)), now) : undefined;
  if (!found) {
    const reason = readings.length ? 'unknown token' : 'missing or malformed Authorization header';
    try {
      await countFailure(em, services, 'ocpi', input.ip, now);
    } catch (err) {
      services.log.warn({ ip: input.ip, reason }, 'authentication refused: address locked out');
      throw err;
    }
    services.log.warn({ ip: input.ip, reason }, 'authentication failed');
    throw new HubError('UNAUTHENTICATED', readings.length ? 'unknown or expired token' : 'Authorization header must be "Token <base64 token>"');
  }
  const partner = found.partner;
  const bound = await boundToAddress(em, services, partner, input.ip);
  const slot = bound
    ? false
    : await admitRecognised(em, services, 'ocpi', input.ip, now, async (until) => {
        services.log.warn({ partnerId: partner.id, ip: input.ip, until: until.toISOString() }, 'valid token refused: address locked out');
        if (noteRefusedPartner(em, services, partner.id, input.ip, now, until)) await em.flush();
      });
  try {
    const caller = await authorize(em, services, input, found, readings, now);
    if (!bound) await rememberAddress(em, services, partner.id, input.ip, now);
    return caller;
  } finally {
    // A recognised token is not a guess: its slot goes back, and nobody else's failures are cleared.
    if (slot) await releaseRecognised(em, 'ocpi', input.ip);
  }
}

async function authorize(
  em: EntityManager,
  services: Services,
  input: { ip: string; module: OcpiModule; hubApi?: boolean },
  found: NonNullable<Awaited<ReturnType<typeof findLiveToken>>>,
  readings: { token: string; encoding: TokenEncoding }[],
  now: Date,
): Promise<Caller> {
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
  // A hub API opened with the OCPI token (the sandbox's) is no OCPI module: module scopes do not name it.
  if (!input.hubApi && !input.module.configuration && partner.moduleScopes && !partner.moduleScopes.includes(input.module.identifier)) {
    recordEvent(em, now, { partnerId: partner.id, kind: 'REFUSED_SCOPE', actor: 'partner', detail: { module: input.module.identifier } });
    await em.flush();
    log.warn({ module: input.module.identifier }, 'request to a module outside the partner scopes');
    throw new HubError('FORBIDDEN', `module ${input.module.identifier} is not in this partner's scopes`);
  }

  // A partner that sends the raw token is taken to expect raw tokens from us too.
  // A Bearer header of a hub API says nothing of what the partner's OCPI side expects.
  if (!input.hubApi && partner.tokenEncoding !== reading.encoding && found.kind === 'C') {
    partner.tokenEncoding = reading.encoding;
    recordEvent(em, now, { partnerId: partner.id, kind: 'TOKEN_ENCODING_DETECTED', actor: 'partner', detail: { encoding: reading.encoding } });
  }
  if (!partner.lastSeenAt || now.getTime() - partner.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) partner.lastSeenAt = now;
  await em.flush();
  return { partner, tokenKind: found.kind, token: reading.token, encoding: reading.encoding };
}
