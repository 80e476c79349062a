import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { HubError, invalid, notFound, isUuid } from '../errors.ts';
import type { Services } from '../services.ts';
import { snakeView } from '../api/view.ts';
import { PartnerEntity, PartnerTokenEntity, type Partner, type PartnerRole } from './entities.ts';
import { movePartner } from './lifecycle.ts';
import { getPartner, hasLiveTokenA, issueToken, revokeTokens } from './registry.ts';
import { recordEvent } from './events.ts';
import { parseCidrs } from './allowlist.ts';
import { disconnect } from './handshake.ts';
import { endpointUrl } from './discovery.ts';
import { partnerDeviations } from './deviations.ts';
import { TOLERANCE_NAMES, isToleranceName } from '../ocpi/tolerances.ts';
import { freshnessView, heartbeatView, syncView } from './freshness-view.ts';

/**
 * Operator actions on partners, shared by the admin API and the command line. Each one
 * checks the lifecycle, changes the partner and appends to its audit trail in one transaction.
 */

export interface NewPartner {
  name: string;
  country_code: string;
  party_id: string;
  role: PartnerRole;
  website?: string;
  contact_email?: string;
  /** A sandbox partner: approved on creation, its data kept away from the app, finance and operations. */
  sandbox?: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A partner id as operators type it: anything but a UUID names no partner (and must not reach PostgreSQL's uuid parser). */
export function partnerId(id: string): string {
  if (!isUuid(id)) throw notFound(`no partner ${id}`);
  return id;
}

export function parseNewPartner(body: unknown): NewPartner {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('body: must be a JSON object');
  const b = body as Record<string, unknown>;
  const str = (field: string, re: RegExp, what: string, optional = false) => {
    const value = b[field];
    if (value === undefined || value === null) {
      if (optional) return undefined;
      throw invalid(`${field}: is required`);
    }
    if (typeof value !== 'string' || !re.test(value)) throw invalid(`${field}: must be ${what}`);
    return value;
  };
  const known = new Set(['name', 'country_code', 'party_id', 'role', 'website', 'contact_email', 'sandbox']);
  for (const key of Object.keys(b)) if (!known.has(key)) throw invalid(`${key}: is not a field of a partner application`);
  if (b.sandbox !== undefined && b.sandbox !== null && typeof b.sandbox !== 'boolean') throw invalid('sandbox: must be true or false');
  return {
    ...(b.sandbox === true ? { sandbox: true } : {}),
    // One line of text: a name shows in one-line listings (`ocpi-hub partner list`) and logs.
    name: str('name', /^(?=.*\S)[^\x00-\x1f\x7f]{1,100}$/, '1 to 100 characters on one line, not all blank')!,
    country_code: str('country_code', /^[A-Za-z]{2}$/, 'an ISO 3166-1 alpha-2 code such as NL')!.toUpperCase(),
    party_id: str('party_id', /^[A-Za-z0-9]{3}$/, 'three letters or digits such as ABC')!.toUpperCase(),
    role: str('role', /^(CPO|EMSP)$/, 'CPO or EMSP') as PartnerRole,
    website: str('website', /^https?:\/\/\S{1,245}$/, 'an http(s) URL', true),
    contact_email: str('contact_email', EMAIL, 'an e-mail address', true),
  };
}

/**
 * A new partner waits for review; a sandbox one (asked for, or every one under `serve --sandbox`)
 * is approved at once and `grant` carries its token A. It is trusted, too: a partner testing
 * against a sandbox expects its locations to show (to itself) without waiting for an operator.
 */
export async function createPartner(em: EntityManager, services: Services, input: NewPartner, actor: string): Promise<{ partner: Partner; grant?: TokenAGrant }> {
  const now = services.clock.now();
  const sandbox = input.sandbox === true || services.config.sandboxOnly;
  try {
    return await em.transactional(async (tx) => {
      const partner = tx.create(PartnerEntity, {
        id: randomUUID(),
        name: input.name,
        countryCode: input.country_code,
        partyId: input.party_id,
        role: input.role,
        website: input.website ?? null,
        contactEmail: input.contact_email ?? null,
        status: sandbox ? 'APPROVED' : 'PENDING_REVIEW',
        tokenEncoding: 'BASE64',
        ipAllowlist: [],
        moduleScopes: null,
        trusted: sandbox,
        sandbox,
        relaxCountryCheck: false,
        mapHidden: false,
        missedHeartbeats: 0,
        tolerances: [],
        createdAt: now,
        updatedAt: now,
      });
      tx.persist(partner);
      recordEvent(tx, now, { partnerId: partner.id, kind: 'APPLIED', actor, detail: { ...input, ...(sandbox ? { sandbox: true } : {}) } });
      if (!sandbox) return { partner };
      const expiresAt = tokenAExpiry(services, now);
      const tokenA = issueToken(tx, partner, 'A', now, expiresAt);
      recordEvent(tx, now, { partnerId: partner.id, kind: 'APPROVED', actor, detail: { sandbox: true, token_a_expires_at: expiresAt.toISOString() } });
      return { partner, grant: { partner, tokenA, expiresAt } };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new HubError('CONFLICT', `${input.role === 'EMSP' ? 'an' : 'a'} ${input.role} partner ${input.country_code}/${input.party_id} already exists`);
    }
    throw err;
  }
}

async function change(em: EntityManager, services: Services, id: string, work: (partner: Partner, tx: EntityManager, now: Date) => Promise<void> | void): Promise<Partner> {
  const now = services.clock.now();
  return em.transactional(async (tx) => {
    const partner = await getPartner(tx, id, { lock: true });
    await work(partner, tx, now);
    partner.updatedAt = now;
    return partner;
  });
}

function tokenAExpiry(services: Services, now: Date): Date {
  return new Date(now.getTime() + services.config.tokenAValidityDays * 86_400_000);
}

export interface TokenAGrant {
  partner: Partner;
  tokenA: string;
  expiresAt: Date;
}

export async function approvePartner(em: EntityManager, services: Services, id: string, actor: string): Promise<TokenAGrant> {
  let grant: Omit<TokenAGrant, 'partner'> | undefined;
  const partner = await change(em, services, id, (p, tx, now) => {
    const expiresAt = tokenAExpiry(services, now);
    movePartner(tx, p, 'APPROVED', 'approve', { now, actor, detail: { token_a_expires_at: expiresAt.toISOString() } });
    grant = { tokenA: issueToken(tx, p, 'A', now, expiresAt), expiresAt };
  });
  return { partner, ...grant! };
}

export async function rejectPartner(em: EntityManager, services: Services, id: string, reason: unknown, actor: string): Promise<Partner> {
  if (typeof reason !== 'string' || reason.trim() === '') throw invalid('reason: is required');
  return change(em, services, id, (p, tx, now) => {
    movePartner(tx, p, 'REJECTED', 'reject', { now, actor, detail: { reason: reason.trim() } });
    p.rejectReason = reason.trim();
  });
}

export async function suspendPartner(em: EntityManager, services: Services, id: string, reason: unknown, actor: string): Promise<Partner> {
  return change(em, services, id, (p, tx, now) => {
    movePartner(tx, p, 'SUSPENDED', 'suspend', { now, actor, detail: typeof reason === 'string' ? { reason } : {} });
  });
}

export async function resumePartner(em: EntityManager, services: Services, id: string, actor: string): Promise<Partner> {
  return change(em, services, id, (p, tx, now) => {
    const to = p.outboundTokenSealed ? 'ACTIVE' : 'APPROVED';
    movePartner(tx, p, to, 'resume', { now, actor, detail: { status: to } });
  });
}

/** Suspected leak: every token of the partner dies, the hub forgets the partner's token, and a fresh token A is issued. */
export async function resetPartnerCredentials(em: EntityManager, services: Services, id: string, actor: string): Promise<TokenAGrant> {
  let grant: Omit<TokenAGrant, 'partner'> | undefined;
  const partner = await change(em, services, id, async (p, tx, now) => {
    const expiresAt = tokenAExpiry(services, now);
    movePartner(tx, p, p.status === 'ACTIVE' ? 'APPROVED' : p.status, 'reset', { now, actor, detail: { token_a_expires_at: expiresAt.toISOString() } });
    await revokeTokens(tx, p, ['A', 'C'], now);
    disconnect(p, now);
    grant = { tokenA: issueToken(tx, p, 'A', now, expiresAt), expiresAt };
  });
  return { partner, ...grant! };
}

export async function setIpAllowlist(em: EntityManager, services: Services, id: string, cidrs: unknown, actor: string): Promise<Partner> {
  const parsed = parseCidrs(cidrs);
  return change(em, services, id, (p, tx, now) => {
    recordEvent(tx, now, { partnerId: p.id, kind: 'IP_ALLOWLIST_SET', actor, detail: { before: p.ipAllowlist, after: parsed } });
    p.ipAllowlist = parsed;
  });
}

const MODULE_ID = /^[a-z][a-z0-9-]{0,49}$/;

/** `null` lifts the restriction; configuration modules (versions, credentials) are always open. */
export async function setModuleScopes(em: EntityManager, services: Services, id: string, modules: unknown, actor: string): Promise<Partner> {
  if (modules !== null && !Array.isArray(modules)) throw invalid('modules: must be an array of OCPI module identifiers, or null for all');
  const parsed = modules === null ? null : (modules as unknown[]).map((m, i) => {
    if (typeof m !== 'string' || !MODULE_ID.test(m)) throw invalid(`modules[${i}]: must be an OCPI module identifier such as locations`);
    return m;
  });
  const scopes = parsed ? [...new Set(parsed)] : null;
  return change(em, services, id, (p, tx, now) => {
    // The audit trail records what is stored: the list without repeats.
    recordEvent(tx, now, { partnerId: p.id, kind: 'SCOPES_SET', actor, detail: { before: p.moduleScopes ?? null, after: scopes } });
    p.moduleScopes = scopes;
  });
}

/** Named tolerances (src/ocpi/tolerances.ts) the operator switches on for this partner; `[]` switches all off. */
export async function setTolerances(em: EntityManager, services: Services, id: string, tolerances: unknown, actor: string): Promise<Partner> {
  if (!Array.isArray(tolerances)) throw invalid(`tolerances: must be an array of tolerance names (${TOLERANCE_NAMES.join(', ')})`);
  tolerances.forEach((name, i) => {
    if (!isToleranceName(name)) throw invalid(`tolerances[${i}]: ${JSON.stringify(name)} is not a tolerance; known: ${TOLERANCE_NAMES.join(', ')}`);
  });
  const wanted = TOLERANCE_NAMES.filter((name) => tolerances.includes(name));
  return change(em, services, id, (p, tx, now) => {
    recordEvent(tx, now, { partnerId: p.id, kind: 'TOLERANCES_SET', actor, detail: { before: p.tolerances ?? [], after: wanted } });
    p.tolerances = wanted;
  });
}

/** Whether the hub can rotate its credentials towards the partner, and why not. */
function rotation(partner: Partner): { can_rotate: boolean; cannot_rotate_reason: string | null } {
  if (!partner.outboundTokenSealed) return { can_rotate: false, cannot_rotate_reason: 'not registered' };
  if (!endpointUrl(partner.endpoints, 'credentials')) {
    return { can_rotate: false, cannot_rotate_reason: 'its version details list no credentials endpoint (tolerance VERSION_DETAILS_WITHOUT_CREDENTIALS): reset the partner to replace a leaked token' };
  }
  return { can_rotate: true, cannot_rotate_reason: null };
}

/** The fields modules add to the partner view, in module order. */
async function moduleViews(em: EntityManager, services: Services, partner: Partner): Promise<Record<string, unknown>> {
  const views: Record<string, unknown> = {};
  for (const module of services.modules) if (module.partnerView) Object.assign(views, await module.partnerView(em, partner));
  return views;
}

/** What the operations API shows of a partner: everything but secrets. */
export async function partnerView(em: EntityManager, services: Services, partner: Partner) {
  const tokens = await em.find(PartnerTokenEntity, { partner });
  const now = services.clock.now();
  await services.deviations.flush();
  const deviations = await partnerDeviations(services.orm, partner.id);
  const counted = (kind: string) => deviations.filter((d) => d.kind === kind).map(({ kind: _, ...d }) => d);
  return {
    ...snakeView(partner, ['id', 'name', 'countryCode', 'partyId', 'role', 'website?', 'contactEmail?', 'status', 'sandbox', 'rejectReason?']),
    registered: partner.outboundTokenSealed != null,
    token_a_pending: hasLiveTokenA(tokens, now),
    roles: partner.roles ?? [],
    version: partner.version ?? null,
    versions_url: partner.versionsUrl ?? null,
    endpoints: partner.endpoints ?? [],
    token_encoding: partner.tokenEncoding,
    ip_allowlist: partner.ipAllowlist,
    module_scopes: partner.moduleScopes ?? null,
    tolerances: partner.tolerances ?? [],
    ...rotation(partner),
    // What the partner sends beyond OCPI: kept verbatim, never interpreted (unknown fields) or accepted by a tolerance.
    unknown_fields: counted('UNKNOWN_FIELD'),
    tolerated: counted('TOLERATED'),
    ...snakeView(partner, ['registeredAt?', 'lastSeenAt?', 'trusted', 'relaxCountryCheck', 'mapHidden', 'mapHiddenChangedAt?', 'staleRatio?', 'lastSyncSuccessAt?', 'lastSyncError?', 'lastSyncErrorAt?', 'missedHeartbeats', 'createdAt', 'updatedAt']),
    // Heartbeat, freshness and the last pull per module (issue 9).
    heartbeat: heartbeatView(services, partner),
    freshness: await freshnessView(em, services, partner),
    sync: await syncView(em, partner),
    ...(await moduleViews(em, services, partner)),
  };
}
