import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError, invalid, notFound } from '../../src/errors.ts';
import { assertSchema } from '../../src/ocpi/validator.ts';
import { formatDateTime } from '../../src/ocpi/datetime.ts';
import type { Token, TokenType } from '../../src/ocpi/types.ts';
import type { Services } from '../../src/services.ts';
import { TokenEntity, tokenKey, type TokenRecord } from './entities.ts';

export const TOKEN_TYPES: TokenType[] = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'];

export function parseTokenType(raw: unknown): TokenType {
  if (raw === undefined) return 'RFID';
  if (typeof raw !== 'string' || !TOKEN_TYPES.includes(raw as TokenType)) throw invalid(`type: must be one of ${TOKEN_TYPES.join(', ')}`);
  return raw as TokenType;
}

/**
 * The app backend creates or replaces a token. The hub owns country_code, party_id and
 * last_updated (whatever is sent), the URL owns uid; the rest must make a valid OCPI Token.
 * `options.sandboxPartnerId`: a new token made for that sandbox partner only (src/sandbox/).
 */
export async function putToken(em: EntityManager, services: Services, uid: string, body: unknown, options: { sandboxPartnerId?: string } = {}): Promise<{ token: Token; created: boolean }> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('body: must be a JSON object');
  if (!/^[\x20-\x7e]{1,36}$/.test(uid)) throw invalid(`uid: "${uid}" is not a CiString(36)`);
  const now = services.clock.now();
  const input = body as Record<string, unknown>;
  const type = parseTokenType(input.type);
  const token = assertSchema<Token>('token.json', {
    ...input,
    country_code: services.config.hubCountryCode,
    party_id: services.config.hubPartyId,
    uid,
    type,
    last_updated: formatDateTime(now),
  });
  return em.transactional(async (tx) => {
    const key = tokenKey(uid, type);
    const existing = await tx.findOne(TokenEntity, { tokenKey: key });
    // A sandbox partner's token (src/sandbox/) is that partner's: checked in the transaction that would replace it.
    if (existing?.sandboxPartnerId && existing.sandboxPartnerId !== options.sandboxPartnerId) throw new HubError('CONFLICT', `uid: ${uid} is taken by a sandbox partner's token: choose another uid`);
    const record =
      existing ?? tx.create(TokenEntity, { id: randomUUID(), uid, type, tokenKey: key, body: token, valid: token.valid, sandboxPartnerId: options.sandboxPartnerId ?? null, lastUpdated: now, createdAt: now });
    record.body = token;
    record.valid = token.valid;
    record.lastUpdated = now;
    tx.persist(record);
    return { token, created: !existing };
  });
}

export async function findToken(em: EntityManager, uid: string, type: TokenType): Promise<TokenRecord | undefined> {
  return (await em.findOne(TokenEntity, { tokenKey: tokenKey(uid, type) })) ?? undefined;
}

/** A token of the app's: a sandbox partner's token is not one (src/sandbox/). */
export async function getToken(em: EntityManager, uid: string, type: TokenType): Promise<TokenRecord> {
  const found = await findToken(em, uid, type);
  const record = found?.sandboxPartnerId ? undefined : found;
  if (!record) throw notFound(`no ${type} token ${uid}`);
  return record;
}

/** The token a CPO names in a session or CDR (its CdrToken), if it is one of ours. */
export async function findOurToken(em: EntityManager, services: Services, token: { country_code?: string; party_id?: string; uid: string; type: string }): Promise<TokenRecord | undefined> {
  const { hubCountryCode, hubPartyId } = services.config;
  // A 2.2 CdrToken names no owner; its adapter filled ours in when the token is one of ours.
  if (token.country_code?.toUpperCase() !== hubCountryCode || token.party_id?.toUpperCase() !== hubPartyId) return undefined;
  return (await em.findOne(TokenEntity, { tokenKey: tokenKey(token.uid, token.type) })) ?? undefined;
}
