import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError, invalid } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Caller } from '../ocpi/module.ts';
import { validate } from '../ocpi/validator.ts';
import { ownsParty } from '../ocpi/party-scope.ts';
import { versionAdapter } from '../ocpi/versions/index.ts';
import { isToleranceName, type ToleranceName } from '../ocpi/tolerances.ts';
import { OcpiCallError, describeCallFailure } from '../client/ocpi-client.ts';
import { PartnerEntity, PartnerTokenEntity, type CredentialsRole, type Partner } from './entities.ts';
import { check } from '../lifecycle.ts';
import { movePartner, partnerLifecycle } from './lifecycle.ts';
import { discoverPartner, endpointUrl, type Discovery } from './discovery.ts';
import { callLogged } from '../sandbox/request-log.ts';
import { issueToken, revokeTokens } from './registry.ts';
import { recordEvent } from './events.ts';
import { decryptToken, encryptToken, hashToken } from './tokens.ts';

/** The OCPI Credentials object. */
export interface Credentials {
  token: string;
  url: string;
  roles: CredentialsRole[];
}

/** What the hub tells a partner about itself: only its own HUB role (the specification's rule for hubs). */
export function hubCredentials(services: Services, token: string): Credentials {
  const { publicUrl, hubCountryCode, hubPartyId, hubName, hubWebsite } = services.config;
  return {
    token,
    url: `${publicUrl}/ocpi/versions`,
    roles: [
      {
        role: 'HUB',
        party_id: hubPartyId,
        country_code: hubCountryCode,
        business_details: hubWebsite ? { name: hubName, website: hubWebsite } : { name: hubName },
      },
    ],
  };
}

/** The partner's credentials must name the party it was onboarded as; other roles it lists are kept too. */
function checkRoles(partner: Partner, credentials: Credentials): void {
  const asOnboarded = credentials.roles.filter((r) => r.role === partner.role);
  if (!ownsParty(asOnboarded, { country_code: partner.countryCode, party_id: partner.partyId })) throw invalid(`roles: must include ${partner.role} ${partner.countryCode}/${partner.partyId}, the party this partner was onboarded as`);
  const seen = new Set<string>();
  credentials.roles.forEach((r, i) => {
    const key = `${r.role}/${r.country_code.toUpperCase()}/${r.party_id.toUpperCase()}`;
    if (seen.has(key)) throw invalid(`roles[${i}]: duplicate role ${key}`);
    seen.add(key);
  });
}

function storeConnection(partner: Partner, services: Services, credentials: Credentials, discovery: Discovery, now: Date): void {
  partner.versionsUrl = credentials.url;
  partner.version = discovery.version;
  partner.endpoints = discovery.endpoints;
  partner.roles = credentials.roles;
  partner.outboundTokenSealed = encryptToken(credentials.token, services.secrets.encryptionKey);
  partner.tokenEncoding = discovery.encoding;
  partner.registeredAt = now;
  partner.updatedAt = now;
}

const isRegistered = (partner: Partner) => partner.outboundTokenSealed != null && partner.status !== 'APPROVED';

const tolerancesOf = (partner: Partner): ReadonlySet<ToleranceName> => new Set((partner.tolerances ?? []).filter(isToleranceName));

/**
 * Receiving side, POST: a partner holding token A registers. `credentials` were read by the
 * version adapter of the URL it called; a partner that sent its token raw gets raw tokens back.
 */
export async function registerPartner(em: EntityManager, services: Services, caller: Caller, credentials: Credentials, correlationId: string): Promise<Credentials> {
  const partner = caller.partner;
  if (caller.tokenKind !== 'A' || isRegistered(partner)) throw new HubError('METHOD_NOT_ALLOWED', 'already registered: use PUT to update or DELETE to unregister');
  checkRoles(partner, credentials);
  // Refused before the partner's API is called; the move itself is made, checked again, in the transaction.
  check(partnerLifecycle, partner, 'ACTIVE', 'register');
  // The partner's API is checked with its token B before we answer (credentials.asciidoc, step 4).
  const discovery = await discoverPartner(services, { partner, versionsUrl: credentials.url, token: credentials.token, role: partner.role, preferred: caller.encoding, correlationId, tolerances: tolerancesOf(partner) });
  const now = services.clock.now();
  const answer = await em.transactional(async (tx) => {
    const current = await tx.findOneOrFail(PartnerTokenEntity, { tokenHash: hashToken(caller.token), kind: 'A', usedAt: null, revokedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE }).catch(() => {
      throw new HubError('UNAUTHENTICATED', 'registration token already used');
    });
    current.usedAt = now;
    const fresh = await tx.findOneOrFail(PartnerEntity, { id: partner.id });
    await revokeTokens(tx, fresh, ['A', 'C'], now);
    const tokenC = issueToken(tx, fresh, 'C', now);
    storeConnection(fresh, services, credentials, discovery, now);
    movePartner(tx, fresh, 'ACTIVE', 'register', { now, actor: 'partner', detail: { version: discovery.version, versions_url: credentials.url, roles: credentials.roles.map((r) => `${r.role} ${r.country_code}/${r.party_id}`) } });
    return hubCredentials(services, tokenC);
  });
  // A new CPO's locations and tariffs are pulled at once, in the background (never failing the handshake).
  if (partner.role === 'CPO') services.partnerSync.start(partner.id, 'REGISTERED');
  return answer;
}

/** Receiving side, PUT: new token B and possibly new endpoints; answers a new token C and the old one dies at once. */
export async function updatePartnerCredentials(em: EntityManager, services: Services, caller: Caller, credentials: Credentials, correlationId: string): Promise<Credentials> {
  const partner = caller.partner;
  if (caller.tokenKind !== 'C' || !isRegistered(partner)) throw new HubError('METHOD_NOT_ALLOWED', 'not registered: use POST with the registration token');
  checkRoles(partner, credentials);
  const discovery = await discoverPartner(services, { partner, versionsUrl: credentials.url, token: credentials.token, role: partner.role, preferred: partner.tokenEncoding, correlationId, tolerances: tolerancesOf(partner) });
  const now = services.clock.now();
  return em.transactional(async (tx) => {
    const fresh = await tx.findOneOrFail(PartnerEntity, { id: partner.id });
    await revokeTokens(tx, fresh, ['C'], now);
    const tokenC = issueToken(tx, fresh, 'C', now);
    storeConnection(fresh, services, credentials, discovery, now);
    recordEvent(tx, now, { partnerId: fresh.id, kind: 'CREDENTIALS_UPDATED', actor: 'partner', detail: { version: discovery.version, versions_url: credentials.url } });
    return hubCredentials(services, tokenC);
  });
}

/** Receiving side, DELETE: the partner unregisters; its token dies and the hub calls it no more. */
export async function unregisterPartner(em: EntityManager, services: Services, caller: Caller): Promise<void> {
  const partner = caller.partner;
  if (caller.tokenKind !== 'C' || !isRegistered(partner)) throw new HubError('METHOD_NOT_ALLOWED', 'not registered');
  const now = services.clock.now();
  await em.transactional(async (tx) => {
    const fresh = await tx.findOneOrFail(PartnerEntity, { id: partner.id });
    movePartner(tx, fresh, fresh.status === 'ACTIVE' ? 'APPROVED' : fresh.status, 'unregister', { now, actor: 'partner' });
    await revokeTokens(tx, fresh, ['A', 'C'], now);
    disconnect(fresh, now);
  });
}

export function disconnect(partner: Partner, now: Date): void {
  partner.outboundTokenSealed = null;
  partner.endpoints = null;
  partner.registeredAt = null;
  partner.updatedAt = now;
}

/**
 * Initiating side: an operator gives us a partner's versions URL and the token A it issued.
 * We discover, give the partner a token of ours (live before the POST, because the partner
 * calls our versions with it before answering), and store the token it answers with.
 */
export async function connectPartner(em: EntityManager, services: Services, partner: Partner, input: { versionsUrl: string; tokenA: string }, actor: string): Promise<Partner> {
  // Refused before the partner's API is called; the move itself is made, checked again, in the transaction.
  check(partnerLifecycle, partner, 'ACTIVE', 'connect');
  const now = services.clock.now();
  let ours: string | undefined;
  try {
    const discovery = await discoverPartner(services, { partner, versionsUrl: input.versionsUrl, token: input.tokenA, role: partner.role, audience: 'operator' });
    ours = issueToken(em, partner, 'C', now);
    await em.flush();
    const answer = await callLogged<unknown>(services, partner, {
      method: 'POST',
      url: credentialsUrl(discovery, 'connect to'),
      token: input.tokenA,
      encoding: discovery.encoding,
      body: hubCredentials(services, ours),
    });
    const theirs = assertPartnerCredentials(answer.data, partner, discovery.version);
    await em.transactional(async (tx) => {
      const fresh = await tx.findOneOrFail(PartnerEntity, { id: partner.id });
      await revokeTokens(tx, fresh, ['A', 'C'], now, ours);
      storeConnection(fresh, services, { ...theirs, url: input.versionsUrl }, discovery, now);
      movePartner(tx, fresh, 'ACTIVE', 'connect', { now, actor, detail: { version: discovery.version, versions_url: input.versionsUrl } });
    });
    if (partner.role === 'CPO') services.partnerSync.start(partner.id, 'CONNECTED');
    return em.findOneOrFail(PartnerEntity, { id: partner.id }, { refresh: true });
  } catch (err) {
    if (ours) await killToken(em, ours, now);
    await recordFailure(em, partner, now, actor, 'CONNECT_FAILED', err);
    throw asHubError(err);
  }
}

/**
 * Operator-initiated rotation, both ways at once as OCPI does it: we PUT a new token for the
 * partner to use with us, and the partner answers with a new token for us to use with it.
 */
export async function rotatePartnerCredentials(em: EntityManager, services: Services, partner: Partner, actor: string): Promise<Partner> {
  if (partner.status !== 'ACTIVE' || !partner.outboundTokenSealed || !partner.versionsUrl) {
    throw new HubError('CONFLICT', `cannot rotate credentials of a partner in state ${partner.status}`, { status: partner.status });
  }
  const now = services.clock.now();
  const current = decryptToken(partner.outboundTokenSealed, services.secrets.encryptionKey);
  let ours: string | undefined;
  try {
    const discovery = await discoverPartner(services, { partner, versionsUrl: partner.versionsUrl, token: current, role: partner.role, preferred: partner.tokenEncoding, tolerances: tolerancesOf(partner), audience: 'operator' });
    const url = credentialsUrl(discovery, 'rotate credentials with');
    ours = issueToken(em, partner, 'C', now);
    await em.flush();
    const answer = await callLogged<unknown>(services, partner, {
      method: 'PUT',
      url,
      token: current,
      encoding: discovery.encoding,
      body: hubCredentials(services, ours),
    });
    const theirs = assertPartnerCredentials(answer.data, partner, discovery.version);
    await em.transactional(async (tx) => {
      const fresh = await tx.findOneOrFail(PartnerEntity, { id: partner.id });
      await revokeTokens(tx, fresh, ['C'], now, ours);
      storeConnection(fresh, services, { ...theirs, url: partner.versionsUrl! }, discovery, now);
      recordEvent(tx, now, { partnerId: fresh.id, kind: 'CREDENTIALS_ROTATED', actor, detail: { version: discovery.version } });
    });
    return em.findOneOrFail(PartnerEntity, { id: partner.id }, { refresh: true });
  } catch (err) {
    if (ours) await killToken(em, ours, now);
    await recordFailure(em, partner, now, actor, 'ROTATION_FAILED', err);
    throw asHubError(err);
  }
}

/** The partner's credentials endpoint; a partner allowed to list none (a tolerance) cannot take part in this. */
function credentialsUrl(discovery: Discovery, what: string): string {
  const url = endpointUrl(discovery.endpoints, 'credentials');
  if (!url) throw new HubError('NO_MATCHING_ENDPOINTS', `cannot ${what} this partner: its version details list no credentials endpoint (tolerance VERSION_DETAILS_WITHOUT_CREDENTIALS)`);
  return url;
}

function assertPartnerCredentials(data: unknown, partner: Partner, version: string): Credentials {
  try {
    const { errors } = validate('credentials.json', data, versionAdapter(version).schemas);
    if (errors.length) throw invalid(errors.slice(0, 5).join('; '));
    const credentials = data as Credentials;
    checkRoles(partner, credentials);
    return credentials;
  } catch (err) {
    throw new HubError('PARTNER_API_UNUSABLE', `partner answered with unusable credentials: ${(err as Error).message}`);
  }
}

async function killToken(em: EntityManager, token: string, now: Date): Promise<void> {
  const row = await em.findOne(PartnerTokenEntity, { tokenHash: hashToken(token) });
  if (row) {
    row.revokedAt = now;
    await em.flush();
  }
}

async function recordFailure(em: EntityManager, partner: Partner, now: Date, actor: string, kind: string, err: unknown): Promise<void> {
  recordEvent(em, now, { partnerId: partner.id, kind, actor, detail: { reason: (err as Error).message } });
  await em.flush();
}

function asHubError(err: unknown): HubError {
  if (err instanceof HubError) return err;
  if (err instanceof OcpiCallError) return new HubError('PARTNER_API_UNUSABLE', `unable to use the partner's API: ${describeCallFailure(err, 'operator')}`);
  return err as HubError;
}
