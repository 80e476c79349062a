import { objectKey } from '../../src/ocpi/party-scope.ts';
import { EntitySchema } from '@mikro-orm/core';
import type { Session } from '../../src/ocpi/types.ts';

/** A CPO's session as last received. */
export interface SessionRecord {
  id: string;
  partnerId: string;
  countryCode: string;
  partyId: string;
  sessionId: string;
  sessionKey: string;
  body: Session;
  status: string;
  authorizationReference?: string | null;
  lastUpdated: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const SessionEntity = new EntitySchema<SessionRecord>({
  name: 'SessionRecord',
  tableName: 'sessions',
  properties: {
    id: { type: 'uuid', primary: true },
    partnerId: { type: 'uuid' },
    countryCode: { type: 'string' },
    partyId: { type: 'string' },
    sessionId: { type: 'string' },
    sessionKey: { type: 'string' },
    body: { type: 'json' },
    status: { type: 'string' },
    authorizationReference: { type: 'string', nullable: true },
    lastUpdated: { type: 'Date' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

export const sessionKey = objectKey;
