import { EntitySchema } from '@mikro-orm/core';
import type { Cdr } from '../../src/ocpi/types.ts';
import { objectKey } from '../../src/ocpi/party-scope.ts';

export type CdrState = 'RECEIVED' | 'VALIDATED' | 'SETTLED' | 'DISPUTED' | 'EXCEPTION';
export type TariffSource = 'ORDER_SNAPSHOT' | 'TARIFF_AT_START' | 'TARIFF_AT_RECEIPT' | 'CDR_TARIFFS';

/**
 * A CPO's CDR exactly as received (never changed), and where its settlement stands: our
 * price (recomputed from the tariff the user saw), theirs, the difference (theirs − ours).
 * Amounts are decimal strings in the currency's major unit, excluding VAT unless named so.
 */
export interface CdrRecord {
  id: string;
  seq?: string;
  partnerId: string;
  countryCode: string;
  partyId: string;
  cdrId: string;
  cdrKey: string;
  body: Cdr;
  contentHash: string;
  state: CdrState;
  cause: string;
  via: 'PUSH' | 'PULL';
  orderId?: string | null;
  sessionKey?: string | null;
  credit: boolean;
  creditOf?: string | null;
  creditedBy?: string | null;
  currency: string;
  startDateTime: Date;
  endDateTime: Date;
  totalEnergy: string;
  theirExclVat: string;
  theirInclVat?: string | null;
  ourExclVat?: string | null;
  ourInclVat?: string | null;
  difference?: string | null;
  tariffSource?: TariffSource | null;
  tariffVersionId?: string | null;
  tariffUsed?: Record<string, unknown> | null;
  pricing?: Record<string, unknown> | null;
  problems: string[];
  flags: string[];
  lastUpdated: Date;
  receivedAt: Date;
  resolution?: string | null;
  resolutionNote?: string | null;
  resolvedBy?: string | null;
  resolvedAt?: Date | null;
}

const money = { type: 'decimal', precision: 18, scale: 4 } as const;

export const CdrEntity = new EntitySchema<CdrRecord>({
  name: 'CdrRecord',
  tableName: 'cdrs',
  properties: {
    id: { type: 'uuid', primary: true },
    seq: { type: 'bigint', persist: false },
    partnerId: { type: 'uuid' },
    countryCode: { type: 'string' },
    partyId: { type: 'string' },
    cdrId: { type: 'string' },
    cdrKey: { type: 'string' },
    body: { type: 'json' },
    contentHash: { type: 'string' },
    state: { type: 'string' },
    cause: { type: 'string' },
    via: { type: 'string' },
    orderId: { type: 'uuid', nullable: true },
    sessionKey: { type: 'string', nullable: true },
    credit: { type: 'boolean' },
    creditOf: { type: 'uuid', nullable: true },
    creditedBy: { type: 'uuid', nullable: true },
    currency: { type: 'string' },
    startDateTime: { type: 'Date' },
    endDateTime: { type: 'Date' },
    totalEnergy: { ...money },
    theirExclVat: { ...money },
    theirInclVat: { ...money, nullable: true },
    ourExclVat: { ...money, nullable: true },
    ourInclVat: { ...money, nullable: true },
    difference: { ...money, nullable: true },
    tariffSource: { type: 'string', nullable: true },
    tariffVersionId: { type: 'uuid', nullable: true },
    tariffUsed: { type: 'json', nullable: true },
    pricing: { type: 'json', nullable: true },
    problems: { type: 'json' },
    flags: { type: 'json' },
    lastUpdated: { type: 'Date' },
    receivedAt: { type: 'Date' },
    resolution: { type: 'string', nullable: true },
    resolutionNote: { type: 'text', nullable: true },
    resolvedBy: { type: 'string', nullable: true },
    resolvedAt: { type: 'Date', nullable: true },
  },
});

export interface CdrEvent {
  id?: string;
  cdrRef: string;
  at: Date;
  cause: string;
  fromState?: string | null;
  toState?: string | null;
  actor?: string | null;
  detail?: unknown;
}

export const CdrEventEntity = new EntitySchema<CdrEvent>({
  name: 'CdrEvent',
  tableName: 'cdr_events',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    cdrRef: { type: 'uuid' },
    at: { type: 'Date' },
    cause: { type: 'string' },
    fromState: { type: 'string', nullable: true },
    toState: { type: 'string', nullable: true },
    actor: { type: 'string', nullable: true },
    detail: { type: 'json', nullable: true },
  },
});

export interface ReconciliationRun {
  id: string;
  seq?: string;
  partnerId: string;
  periodFrom: Date;
  periodTo: Date;
  status: 'RUNNING' | 'DONE' | 'FAILED';
  summary?: Record<string, unknown> | null;
  error?: string | null;
  startedAt: Date;
  finishedAt?: Date | null;
  startedBy: string;
}

export const ReconciliationRunEntity = new EntitySchema<ReconciliationRun>({
  name: 'ReconciliationRun',
  tableName: 'reconciliation_runs',
  properties: {
    id: { type: 'uuid', primary: true },
    seq: { type: 'bigint', persist: false },
    partnerId: { type: 'uuid' },
    periodFrom: { type: 'Date' },
    periodTo: { type: 'Date' },
    status: { type: 'string' },
    summary: { type: 'json', nullable: true },
    error: { type: 'text', nullable: true },
    startedAt: { type: 'Date' },
    finishedAt: { type: 'Date', nullable: true },
    startedBy: { type: 'string' },
  },
});

export interface ReconciliationLine {
  id?: string;
  runId: string;
  kind: string;
  cdrKey: string;
  cdrRef?: string | null;
  detail?: unknown;
}

export const ReconciliationLineEntity = new EntitySchema<ReconciliationLine>({
  name: 'ReconciliationLine',
  tableName: 'reconciliation_lines',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    runId: { type: 'uuid' },
    kind: { type: 'string' },
    cdrKey: { type: 'string' },
    cdrRef: { type: 'uuid', nullable: true },
    detail: { type: 'json', nullable: true },
  },
});

export const cdrEntities = [CdrEntity, CdrEventEntity, ReconciliationRunEntity, ReconciliationLineEntity];

export const cdrKey = objectKey;
