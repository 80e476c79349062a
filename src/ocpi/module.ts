import type { EntitySchema, MigrationObject } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../services.ts';
import type { Partner, TokenEncoding } from '../partners/api.ts';
import type { Logger } from '../observability/log.ts';
import type { Job } from '../jobs/scheduler.ts';
import type Router from '@koa/router';
import type { ObjectType, VersionAdapter } from './versions/index.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type InterfaceRole = 'SENDER' | 'RECEIVER';

/** Who is calling, as the transport's authentication established it. */
export interface Caller {
  partner: Partner;
  tokenKind: 'A' | 'C';
  /** The token exactly as the partner presented it: credentials GET echoes it back. */
  token: string;
  /** How the partner encoded it: a partner sending raw tokens expects raw ones from us. */
  encoding: TokenEncoding;
}

/** What a module's route gets: parsed input and the hub's services, never Koa itself. */
export interface OcpiRequest {
  method: HttpMethod;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  caller: Caller;
  em: EntityManager;
  services: Services;
  log: Logger;
  requestId: string;
  correlationId: string;
  /** This request's absolute URL under PUBLIC_URL, without query: the base of pagination Link headers. */
  url: string;
  /** The OCPI version of the URL the partner called: how its objects are read and answered. */
  version: VersionAdapter;
  /** Reads the partner's object of `type` (its version's schema, its tolerances, unknown fields kept); 2001 naming the fields otherwise. */
  accept<T = Record<string, any>>(type: ObjectType, body: unknown): Promise<T>;
}

export interface OcpiReply {
  data?: unknown;
  httpStatus?: number;
  statusCode?: number;
  message?: string;
  headers?: Record<string, string>;
}

export interface OcpiRoute {
  method: HttpMethod;
  /** Below /ocpi/{version}, e.g. `/credentials` (mounted once per version the hub speaks); below /ocpi when `unversioned`. */
  path: string;
  unversioned?: boolean;
  /** The object `data` holds (one or a list), rendered in the caller's version. */
  answer?: ObjectType;
  handle(req: OcpiRequest): Promise<OcpiReply>;
}

/**
 * An OCPI module registers itself: the version details list exactly the modules
 * that are mounted, with the interface roles they declare.
 */
export interface OcpiModule {
  identifier: string;
  /** Configuration modules (versions, credentials) accept token A and carry no routing headers. */
  configuration?: boolean;
  /** Endpoint below /ocpi/{version} listed in version details; absent for modules that are not endpoints (versions). */
  endpoint?: { path: string; roles: InterfaceRole[] };
  routes: OcpiRoute[];
  entities?: EntitySchema<any>[];
  /** The migrations that create and change this module's tables (numbered in one sequence with everyone's). */
  migrations?: MigrationObject[];
  /** Periodic work of the module (pull-sync, watchdogs), run by the scheduler on one instance per tick. */
  jobs?: Job[];
  /** What this module pulls from a CPO's Sender during pull-sync, after locations. */
  syncs?: PartnerSync[];
  /** Prometheus gauges the module adds (read from the database at scrape time). */
  gauges?: (services: Services) => void;
  /** Routers of the app, finance or admin JSON APIs this module adds (each sets its prefix and API key). */
  apiRouters?: (services: Services) => Router[];
  /** What the module adds to the operations view of a partner (fields after the core ones), e.g. rejected location changes. */
  partnerView?: (em: EntityManager, partner: Partner) => Promise<Record<string, unknown>>;
  /** A CPO whose status pushes the heartbeat vouches for answered one (last good answer `since`): locations confirms its EVSEs' statuses. */
  heartbeatAnswered?: (services: Services, partnerId: string, since: Date, now: Date) => Promise<unknown>;
  /** The module that keeps the hub's tokens says whose a token is (an older version's CdrToken may leave it out). */
  tokenParty?: (em: EntityManager, uid: string, type: string) => Promise<{ country_code: string; party_id: string } | undefined>;
}

export interface SyncResult {
  received: number;
  applied: number;
  rejected: { id: string; problems: string }[];
}

/**
 * The window a pull asks for: FULL has no `from`; DELTA starts where the last successful pull of
 * this module ended. `to` (sent as `date_to`) is the moment the pull started.
 */
export interface SyncWindow {
  mode: 'FULL' | 'DELTA';
  from?: Date;
  to: Date;
}

/** A pull of one kind of object from a partner's Sender (`name` is the module identifier), filling `result` as it goes. */
export interface PartnerSync {
  name: string;
  run(services: Services, partner: Partner, window: SyncWindow, result: SyncResult): Promise<void>;
}
