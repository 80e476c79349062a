import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, notFound } from '../errors.ts';
import { PartnerEntity, PartnerTokenEntity, type Partner, type PartnerToken } from './entities.ts';
import { generateToken, hashToken } from './tokens.ts';

/** Storage of partners and the tokens they present to us. */

export async function getPartner(em: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<Partner> {
  if (!isUuid(id)) throw notFound(`no partner ${id}`);
  const partner = await em.findOne(PartnerEntity, { id }, options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!partner) throw notFound(`no partner ${id}`);
  return partner;
}

/** Issues a new inbound token of `kind`; returns the plain token, which is never stored. */
export function issueToken(em: EntityManager, partner: Partner, kind: 'A' | 'C', now: Date, expiresAt?: Date): string {
  const token = generateToken();
  em.persist(
    em.create(PartnerTokenEntity, {
      id: randomUUID(),
      partner,
      kind,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt: expiresAt ?? null,
      usedAt: null,
      revokedAt: null,
    }),
  );
  return token;
}

/** Revokes the partner's live inbound tokens of the given kinds, except `keep`. */
export async function revokeTokens(em: EntityManager, partner: Partner, kinds: ('A' | 'C')[], now: Date, keep?: string): Promise<void> {
  const tokens = await em.find(PartnerTokenEntity, { partner, kind: { $in: kinds }, revokedAt: null });
  for (const token of tokens) if (token.tokenHash !== (keep && hashToken(keep))) token.revokedAt = now;
}

/** The live token whose hash is one of `hashes` (the candidate decodings of an Authorization header). */
export async function findLiveToken(em: EntityManager, hashes: string[], now: Date): Promise<PartnerToken | undefined> {
  const rows = await em.find(
    PartnerTokenEntity,
    {
      tokenHash: { $in: hashes },
      revokedAt: null,
      usedAt: null,
      $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
    },
    { populate: ['partner'] },
  );
  // Raw and base64 readings of one header cannot both be live tokens in practice; prefer the first reading.
  for (const hash of hashes) {
    const match = rows.find((row) => row.tokenHash === hash);
    if (match) return match;
  }
  return undefined;
}

export function hasLiveTokenA(tokens: PartnerToken[], now: Date): boolean {
  return tokens.some((t) => t.kind === 'A' && !t.revokedAt && !t.usedAt && (!t.expiresAt || t.expiresAt > now));
}
