import { objectKey } from '../../src/ocpi/party-scope.ts';
import { EntitySchema } from '@mikro-orm/core';
import type { Tariff } from '../../src/ocpi/types.ts';

/**
 * One version of a CPO's tariff (table `tariff_versions`, migration 0003), current while
 * `validTo` is null. Read it through history.ts, which hands out plain copies.
 */
export interface TariffVersion {
  id: string;
  partnerId: string;
  countryCode: string;
  partyId: string;
  tariffId: string;
  tariffKey: string;
  body: Tariff;
  lastUpdated: Date;
  validFrom: Date;
  validTo?: Date | null;
  createdAt: Date;
}

export const TariffVersionEntity = new EntitySchema<TariffVersion>({
  name: 'TariffVersion',
  tableName: 'tariff_versions',
  properties: {
    id: { type: 'uuid', primary: true },
    partnerId: { type: 'uuid' },
    countryCode: { type: 'string' },
    partyId: { type: 'string' },
    tariffId: { type: 'string' },
    tariffKey: { type: 'string' },
    body: { type: 'json' },
    lastUpdated: { type: 'Date' },
    validFrom: { type: 'Date' },
    validTo: { type: 'Date', nullable: true },
    createdAt: { type: 'Date' },
  },
});

/** The case-insensitive identity of a tariff (CiStrings): `CC/PID/ID`, upper-cased. Locations use the same form. */
export const tariffKey = objectKey;
