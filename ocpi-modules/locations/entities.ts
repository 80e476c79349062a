import { objectKey } from '../../src/ocpi/party-scope.ts';
import { EntitySchema } from '@mikro-orm/core';

/** OCPI Location JSON as the partner sent it (nested EVSEs and connectors included). */
export type LocationJson = Record<string, any> & { country_code: string; party_id: string; id: string; last_updated: string; evses?: EvseJson[] | null };
export type EvseJson = Record<string, any> & { uid: string; status: string; last_updated: string; connectors: ConnectorJson[] };
export type ConnectorJson = Record<string, any> & { id: string; last_updated: string };

/**
 * A CPO's location: `current` is the partner's latest data, `published` the last approved
 * version the app sees. lat/lon are those of the published version (geo is derived from them
 * in the database, for the GiST index).
 */
export interface LocationRecord {
  id: string;
  partnerId: string;
  countryCode: string;
  partyId: string;
  locationId: string;
  locationKey: string;
  current: LocationJson;
  lastUpdated: Date;
  published?: LocationJson | null;
  publishedAt?: Date | null;
  publishFlag: boolean;
  lat?: number | null;
  lon?: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export const LocationEntity = new EntitySchema<LocationRecord>({
  name: 'LocationRecord',
  tableName: 'locations',
  properties: {
    id: { type: 'uuid', primary: true },
    partnerId: { type: 'uuid' },
    countryCode: { type: 'string' },
    partyId: { type: 'string' },
    locationId: { type: 'string' },
    locationKey: { type: 'string' },
    current: { type: 'json' },
    lastUpdated: { type: 'Date' },
    published: { type: 'json', nullable: true },
    publishedAt: { type: 'Date', nullable: true },
    publishFlag: { type: 'boolean' },
    lat: { type: 'double', nullable: true },
    lon: { type: 'double', nullable: true },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
  },
});

/**
 * One row per EVSE ever seen: its live status and when the hub last heard it (freshness is
 * computed from `statusReportedAt` on read). `evseKey` makes a uid unique per party forever.
 */
export interface EvseRecord {
  id: string;
  locationRef: string;
  partnerId: string;
  evseUid: string;
  evseKey: string;
  status: string;
  statusReportedAt: Date;
  /** A covering pull (or, for a CPO without a Locations sender, a heartbeat) vouched for the status then; see freshness.ts. */
  statusConfirmedAt?: Date | null;
  lastUpdated: Date;
  published: boolean;
}

export const EvseEntity = new EntitySchema<EvseRecord>({
  name: 'EvseRecord',
  tableName: 'evses',
  properties: {
    id: { type: 'uuid', primary: true },
    locationRef: { type: 'uuid', fieldName: 'location_id' },
    partnerId: { type: 'uuid' },
    evseUid: { type: 'string' },
    evseKey: { type: 'string' },
    status: { type: 'string' },
    statusReportedAt: { type: 'Date' },
    statusConfirmedAt: { type: 'Date', nullable: true },
    lastUpdated: { type: 'Date' },
    published: { type: 'boolean' },
  },
});

export type ReviewKind = 'NEW' | 'CHANGE';
export type ReviewState = 'PENDING' | 'APPROVED' | 'REJECTED' | 'SUPERSEDED';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface LocationReview {
  id: string;
  /** Arrival order, for listing (several reviews may share a timestamp). */
  seq?: string;
  locationRef: string;
  partnerId: string;
  kind: ReviewKind;
  state: ReviewState;
  diff: FieldChange[];
  flags: string[];
  snapshot: LocationJson;
  submittedAt: Date;
  decidedAt?: Date | null;
  decidedBy?: string | null;
  reason?: string | null;
}

export const LocationReviewEntity = new EntitySchema<LocationReview>({
  name: 'LocationReview',
  tableName: 'location_reviews',
  properties: {
    id: { type: 'uuid', primary: true },
    seq: { type: 'bigint', persist: false },
    locationRef: { type: 'uuid', fieldName: 'location_id' },
    partnerId: { type: 'uuid' },
    kind: { type: 'string' },
    state: { type: 'string' },
    diff: { type: 'json' },
    flags: { type: 'json' },
    snapshot: { type: 'json' },
    submittedAt: { type: 'Date' },
    decidedAt: { type: 'Date', nullable: true },
    decidedBy: { type: 'string', nullable: true },
    reason: { type: 'text', nullable: true },
  },
});

/**
 * A value an operator rejected for one key field (a `keyFields` path) of one location. It stays
 * rejected: pushes carrying it again keep the field at its published value and open no review.
 */
export interface LocationRejection {
  id: string;
  seq?: string;
  locationRef: string;
  partnerId: string;
  reviewId: string;
  field: string;
  value: unknown;
  reason: string;
  decidedBy: string;
  decidedAt: Date;
}

export const LocationRejectionEntity = new EntitySchema<LocationRejection>({
  name: 'LocationRejection',
  tableName: 'location_rejections',
  properties: {
    id: { type: 'uuid', primary: true },
    seq: { type: 'bigint', persist: false },
    locationRef: { type: 'uuid', fieldName: 'location_id' },
    partnerId: { type: 'uuid' },
    reviewId: { type: 'uuid' },
    field: { type: 'text' },
    value: { type: 'json', nullable: true },
    reason: { type: 'text' },
    decidedBy: { type: 'string' },
    decidedAt: { type: 'Date' },
  },
});

export const locationEntities = [LocationEntity, EvseEntity, LocationReviewEntity, LocationRejectionEntity];

export const locationKey = objectKey;
