import { EntitySchema } from '@mikro-orm/core';
import type { Token } from '../../src/ocpi/types.ts';

/** One of our users' tokens, as the OCPI Token object CPOs see. */
export interface TokenRecord {
  id: string;
  uid: string;
  type: string;
  tokenKey: string;
  body: Token;
  valid: boolean;
  /** The sandbox partner this token was made for (src/sandbox/): offered to that partner only. */
  sandboxPartnerId?: string | null;
  lastUpdated: Date;
  createdAt: Date;
}

export const TokenEntity = new EntitySchema<TokenRecord>({
  name: 'TokenRecord',
  tableName: 'tokens',
  properties: {
    id: { type: 'uuid', primary: true },
    uid: { type: 'string' },
    type: { type: 'string' },
    tokenKey: { type: 'string' },
    body: { type: 'json' },
    valid: { type: 'boolean' },
    sandboxPartnerId: { type: 'uuid', nullable: true },
    lastUpdated: { type: 'Date' },
    createdAt: { type: 'Date' },
  },
});

/** Tokens are identified by uid and type (type defaults to RFID); uids are CiStrings. */
export const tokenKey = (uid: string, type: string) => `${type}/${uid.toUpperCase()}`;
