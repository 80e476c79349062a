import { EntitySchema } from '@mikro-orm/core';

export const PARTNER_STATUSES = ['PENDING_REVIEW', 'APPROVED', 'REJECTED', 'ACTIVE', 'SUSPENDED'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];
export type PartnerRole = 'CPO' | 'EMSP';
export type TokenEncoding = 'BASE64' | 'RAW';

export interface Endpoint {
  identifier: string;
  role: 'SENDER' | 'RECEIVER';
  url: string;
}

export interface CredentialsRole {
  role: string;
  party_id: string;
  country_code: string;
  business_details: { name: string; website?: string | null; logo?: unknown };
}

export interface Partner {
  id: string;
  name: string;
  countryCode: string;
  partyId: string;
  role: PartnerRole;
  website?: string | null;
  contactEmail?: string | null;
  status: PartnerStatus;
  rejectReason?: string | null;
  versionsUrl?: string | null;
  version?: string | null;
  endpoints?: Endpoint[] | null;
  roles?: CredentialsRole[] | null;
  outboundTokenSealed?: string | null;
  tokenEncoding: TokenEncoding;
  ipAllowlist: string[];
  moduleScopes?: string[] | null;
  registeredAt?: Date | null;
  lastSeenAt?: Date | null;
  /** Changes publish without review. */
  trusted: boolean;
  /** Coordinates need not fall inside the declared country (border sites, bad geodata an operator accepted). */
  relaxCountryCheck: boolean;
  /** Circuit breaker: too many stale EVSEs, so the app does not see this partner's locations. */
  mapHidden: boolean;
  mapHiddenChangedAt?: Date | null;
  staleRatio?: number | null;
  lastSyncSuccessAt?: Date | null;
  lastSyncError?: string | null;
  lastSyncErrorAt?: Date | null;
  /** Consecutive heartbeats (GET of its versions endpoint) that failed; reset by one that succeeds. */
  missedHeartbeats: number;
  heartbeatAt?: Date | null;
  heartbeatOkAt?: Date | null;
  heartbeatLatencyMs?: number | null;
  heartbeatError?: string | null;
  /** Named tolerances an operator switched on (src/ocpi/tolerances.ts). */
  tolerances: string[];
  /** A partner testing against the hub: approved on creation, its data invisible to the app, finance and operations. */
  sandbox: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const PartnerEntity = new EntitySchema<Partner>({
  name: 'Partner',
  tableName: 'partners',
  properties: {
    id: { type: 'uuid', primary: true },
    name: { type: 'string' },
    countryCode: { type: 'string' },
    partyId: { type: 'string' },
    role: { type: 'string' },
    website: { type: 'string', nullable: true },
    contactEmail: { type: 'string', nullable: true },
    status: { type: 'string' },
    rejectReason: { type: 'text', nullable: true },
    versionsUrl: { type: 'string', nullable: true },
    version: { type: 'string', nullable: true },
    endpoints: { type: 'json', nullable: true },
    roles: { type: 'json', nullable: true },
    outboundTokenSealed: { type: 'text', nullable: true },
    tokenEncoding: { type: 'string' },
    ipAllowlist: { type: 'json' },
    moduleScopes: { type: 'json', nullable: true },
    registeredAt: { type: 'Date', nullable: true },
    lastSeenAt: { type: 'Date', nullable: true },
    trusted: { type: 'boolean', default: false },
    relaxCountryCheck: { type: 'boolean', default: false },
    mapHidden: { type: 'boolean', default: false },
    mapHiddenChangedAt: { type: 'Date', nullable: true },
    staleRatio: { type: 'double', nullable: true },
    lastSyncSuccessAt: { type: 'Date', nullable: true },
    lastSyncError: { type: 'text', nullable: true },
    lastSyncErrorAt: { type: 'Date', nullable: true },
    missedHeartbeats: { type: 'integer', default: 0 },
    heartbeatAt: { type: 'Date', nullable: true },
    heartbeatOkAt: { type: 'Date', nullable: true },
    heartbeatLatencyMs: { type: 'integer', nullable: true },
    heartbeatError: { type: 'text', nullable: true },
    tolerances: { type: 'json', default: '[]' },
    sandbox: { type: 'boolean', default: false },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

/** A token a partner presents to us: A (registration) or C (after the handshake). Only its hash is kept. */
export interface PartnerToken {
  id: string;
  partner: Partner;
  kind: 'A' | 'C';
  tokenHash: string;
  createdAt: Date;
  expiresAt?: Date | null;
  usedAt?: Date | null;
  revokedAt?: Date | null;
}

export const PartnerTokenEntity = new EntitySchema<PartnerToken>({
  name: 'PartnerToken',
  tableName: 'partner_tokens',
  properties: {
    id: { type: 'uuid', primary: true },
    partner: { kind: 'm:1', entity: 'Partner', fieldName: 'partner_id' },
    kind: { type: 'string' },
    tokenHash: { type: 'string' },
    createdAt: { type: 'Date' },
    expiresAt: { type: 'Date', nullable: true },
    usedAt: { type: 'Date', nullable: true },
    revokedAt: { type: 'Date', nullable: true },
  },
});

/** The audit trail: every lifecycle and credentials change, and every alert. */
export interface PartnerEvent {
  id?: string;
  partnerId?: string | null;
  kind: string;
  actor: string;
  detail: Record<string, unknown>;
  at: Date;
}

export const PartnerEventEntity = new EntitySchema<PartnerEvent>({
  name: 'PartnerEvent',
  tableName: 'partner_events',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    partnerId: { type: 'uuid', nullable: true },
    kind: { type: 'string' },
    actor: { type: 'string' },
    detail: { type: 'json' },
    at: { type: 'Date' },
  },
});

/** The last pull of one module's Sender of a partner (locations, tariffs), and where the next delta pull starts. */
export interface PartnerSyncReport {
  partnerId: string;
  module: string;
  trigger: string;
  mode: 'FULL' | 'DELTA';
  dateFrom?: Date | null;
  dateTo: Date;
  startedAt: Date;
  finishedAt?: Date | null;
  received: number;
  applied: number;
  refused: number;
  refusals: { id: string; message: string }[];
  error?: string | null;
  /** `date_to` of the last pull that succeeded: the next delta pull's `date_from`. */
  lastSuccessTo?: Date | null;
  lastFullSuccessAt?: Date | null;
}

export const PartnerSyncEntity = new EntitySchema<PartnerSyncReport>({
  name: 'PartnerSyncReport',
  tableName: 'partner_syncs',
  properties: {
    partnerId: { type: 'uuid', primary: true },
    module: { type: 'string', primary: true },
    trigger: { type: 'string' },
    mode: { type: 'string' },
    dateFrom: { type: 'Date', nullable: true },
    dateTo: { type: 'Date' },
    startedAt: { type: 'Date' },
    finishedAt: { type: 'Date', nullable: true },
    received: { type: 'integer' },
    applied: { type: 'integer' },
    refused: { type: 'integer' },
    refusals: { type: 'json' },
    error: { type: 'text', nullable: true },
    lastSuccessTo: { type: 'Date', nullable: true },
    lastFullSuccessAt: { type: 'Date', nullable: true },
  },
});

export const partnerEntities = [PartnerEntity, PartnerTokenEntity, PartnerEventEntity, PartnerSyncEntity];
