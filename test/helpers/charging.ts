import { expect } from 'chai';
import { startTestHub, APP_KEY, FINANCE_KEY, type TestHub } from './hub.ts';
import { onboardCpo, type OnboardedCpo } from './onboarding.ts';
import { example } from './examples.ts';
import { http, type HttpAnswer } from './http.ts';
import type { RouteAnswer, Seen } from './partner.ts';
import { runJob } from '../../src/jobs/scheduler.ts';
import { chargingFollowUpJob } from '../../charging/compensation.ts';
import type { TestClock } from './clock.ts';
import type { OcpiClient } from '../../src/client/ocpi-client.ts';

/**
 * A world to charge in: a hub, a trusted CPO (BE/BEC, played by a local server) with the
 * specification's example location published, and one app token of ours. The CPO answers
 * commands with `commandAnswer` and its Sessions sender lists `cpoSessions`; every call it
 * received is in `cpo.partner.seen`.
 */
export const TOKEN_UID = 'APP-USER-1';
export const LOCATION = '/ocpi/2.2.1/locations/BE/BEC/LOC1';

export interface ChargingWorld {
  t: TestHub;
  cpo: OnboardedCpo;
  /** The hub's id of LOC1 (what the app uses). */
  locationId: string;
  /** What the CPO answers to each command type; a function may delay or drop. */
  commandAnswer: Record<string, (req: Seen) => RouteAnswer | 'DROP' | Promise<RouteAnswer | 'DROP'>>;
  /** What the CPO's Sessions sender returns (or a function for failures). */
  cpoSessions: unknown[] | (() => RouteAnswer);
  /** What the CPO's CDRs sender returns. */
  cpoCdrs: unknown[] | (() => RouteAnswer);
  /** Requests to the CPO's CDRs sender. */
  cdrQueries(): Seen[];
  /** POSTs a CDR as the CPO. */
  postCdr(cdr: unknown): Promise<HttpAnswer<any>>;
  finance<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
  app<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
  start(body?: Record<string, unknown>, headers?: Record<string, string>): Promise<HttpAnswer<any>>;
  /** Commands the CPO received, by type. */
  commands(type?: string): Seen[];
  sessionQueries(): Seen[];
  /** POSTs a CommandResult as the CPO, to the response_url of the n-th command received. */
  result(result: string, index?: number, token?: string): Promise<HttpAnswer<any>>;
  /** Moves the clock and runs the follow-up job once. */
  tick(ms: number): Promise<void>;
  order(id: string): Promise<any>;
  history(id: string): Promise<any>;
  tickets(kind?: string): Promise<any[]>;
  stop(): Promise<void>;
}

export const ok = (data: unknown): RouteAnswer => ({ body: { data, status_code: 1000, timestamp: new Date().toISOString() } });
export const accepted = (timeout = 30) => ok({ result: 'ACCEPTED', timeout });

export function cpoSession(orderId: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    ...example<any>('session_example_1_simple_start.json'),
    country_code: 'BE',
    party_id: 'BEC',
    id: 'S-1',
    location_id: 'LOC1',
    evse_uid: '3256',
    connector_id: '1',
    cdr_token: { country_code: 'NL', party_id: 'HUB', uid: TOKEN_UID, type: 'APP_USER', contract_id: 'NL-HUB-C00000001' },
    auth_method: 'COMMAND',
    authorization_reference: orderId,
    status,
    last_updated: '2026-11-25T10:00:10Z',
    ...extra,
  };
}

/** EUR 0.25 per kWh, 20 % VAT: 10 kWh cost 2.50 excl. and 3.00 incl. VAT. */
export const ENERGY_TARIFF = {
  country_code: 'BE',
  party_id: 'BEC',
  id: 'T-ENERGY',
  currency: 'EUR',
  elements: [{ price_components: [{ type: 'ENERGY', price: 0.25, vat: 20, step_size: 1 }] }],
  last_updated: '2026-11-20T00:00:00Z',
};

export async function chargingWorld(options: { env?: Record<string, string>; clock?: TestClock; databaseName?: string; client?: OcpiClient; tariff?: Record<string, any> } = {}): Promise<ChargingWorld> {
  const t = await startTestHub({ env: { COMMAND_TIMEOUT_SECONDS: '1', ...(options.env ?? {}) }, clock: options.clock, databaseName: options.databaseName, client: options.client });
  const cpo = await onboardCpo(t, { country_code: 'BE', party_id: 'BEC' });
  await t.admin('PUT', `/partners/${cpo.id}/trust`, { trusted: true });
  // Tariff links only to a tariff the hub holds (unknown ones would hold the location in review).
  if (options.tariff) {
    const res = await t.ocpi('PUT', `/ocpi/2.2.1/tariffs/BE/BEC/${options.tariff.id}`, { token: cpo.token, body: options.tariff });
    expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
  }
  const location = example<any>('location_example.json');
  location.evses = location.evses.map((e: any) => ({ ...e, connectors: e.connectors.map((c: any) => ({ ...c, tariff_ids: options.tariff ? [options.tariff.id] : [] })) }));
  const put = await t.ocpi('PUT', LOCATION, { token: cpo.token, body: location });
  expect(put.status, JSON.stringify(put.body)).to.equal(201);
  const app = <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    http<T>(method, `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${APP_KEY}`, ...headers }, body });
  const token = await app('PUT', `/tokens/${TOKEN_UID}`, { type: 'APP_USER', contract_id: 'NL-HUB-C00000001', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
  expect(token.status, JSON.stringify(token.body)).to.equal(201);
  const locations = await app('GET', '/locations');
  const world: ChargingWorld = {
    t,
    cpo,
    locationId: locations.body.data[0].id,
    commandAnswer: { START_SESSION: () => accepted(), STOP_SESSION: () => accepted(), UNLOCK_CONNECTOR: () => accepted() },
    cpoSessions: [],
    cpoCdrs: [],
    cdrQueries() {
      return cpo.partner.seen.filter((s) => s.method === 'GET' && s.path.startsWith('/ocpi/2.2.1/cdrs'));
    },
    postCdr(cdr) {
      // A CPO posts a CDR when it makes it: the hub refuses a last_updated ahead of its clock.
      const stamp = (cdr as { last_updated?: unknown })?.last_updated;
      if (typeof stamp === 'string' && !Number.isNaN(Date.parse(stamp)) && Date.parse(stamp) < Date.parse('2100-01-01')) t.clock.reach(stamp);
      return t.ocpi('POST', '/ocpi/2.2.1/cdrs', { token: cpo.token, body: cdr });
    },
    finance(method, path, body, headers = {}) {
      return http(method, `${t.url}/api/v1/finance${path}`, { headers: { authorization: `Bearer ${FINANCE_KEY}`, ...headers }, body });
    },
    app,
    start(body = {}, headers = {}) {
      return app('POST', '/charging-sessions', { location_id: world.locationId, evse_uid: '3256', token_uid: TOKEN_UID, ...body }, headers);
    },
    commands(type) {
      return cpo.partner.seen.filter((s) => s.method === 'POST' && s.path.startsWith('/ocpi/2.2.1/commands/') && (!type || s.path.endsWith(`/${type}`)));
    },
    sessionQueries() {
      return cpo.partner.seen.filter((s) => s.method === 'GET' && s.path.startsWith('/ocpi/2.2.1/sessions'));
    },
    result(result, index = 0, tok = cpo.token) {
      const url = new URL((world.commands()[index]!.body as any).response_url);
      return t.ocpi('POST', url.pathname, { token: tok, body: { result } });
    },
    async tick(ms) {
      t.clock.advance(ms);
      expect(await runJob(t.hub.services, chargingFollowUpJob)).to.equal(true);
    },
    async order(id) {
      const res = await app('GET', `/charging-sessions/${id}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body;
    },
    async history(id) {
      return (await t.admin('GET', `/charging-sessions/${id}`)).body;
    },
    async tickets(kind) {
      return (await t.admin('GET', `/exceptions?state=OPEN${kind ? `&kind=${kind}` : ''}`)).body.data;
    },
    async stop() {
      await cpo.partner.stop();
      await t.stop();
    },
  };
  for (const type of ['START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR']) cpo.partner.routes.set(`POST /ocpi/2.2.1/commands/${type}`, (req) => world.commandAnswer[type]!(req));
  cpo.partner.routes.set('GET /ocpi/2.2.1/cdrs', () => (typeof world.cpoCdrs === 'function' ? world.cpoCdrs() : ok(world.cpoCdrs)));
  cpo.partner.routes.set('GET /ocpi/2.2.1/sessions', () => (typeof world.cpoSessions === 'function' ? world.cpoSessions() : ok(world.cpoSessions)));
  return world;
}

/** A CDR from the CPO for an order: one hour, 10 kWh on EVSE 3256, priced EUR 2.50 / 3.00 as ENERGY_TARIFF. */
export function cpoCdr(orderId: string | null, extra: Record<string, unknown> = {}) {
  const location = example<any>('location_example.json');
  return {
    country_code: 'BE',
    party_id: 'BEC',
    id: 'CDR-1',
    start_date_time: '2026-11-25T10:00:10Z',
    end_date_time: '2026-11-25T11:00:10Z',
    session_id: 'S-1',
    cdr_token: { country_code: 'NL', party_id: 'HUB', uid: TOKEN_UID, type: 'APP_USER', contract_id: 'NL-HUB-C00000001' },
    auth_method: 'COMMAND',
    ...(orderId ? { authorization_reference: orderId } : {}),
    cdr_location: {
      id: 'LOC1',
      name: location.name,
      address: location.address,
      city: location.city,
      postal_code: location.postal_code,
      country: location.country,
      coordinates: location.coordinates,
      evse_uid: '3256',
      evse_id: 'BE*BEC*E041503003',
      connector_id: '1',
      connector_standard: 'IEC_62196_T2',
      connector_format: 'CABLE',
      connector_power_type: 'AC_3_PHASE',
    },
    currency: 'EUR',
    charging_periods: [{ start_date_time: '2026-11-25T10:00:10Z', dimensions: [{ type: 'ENERGY', volume: 10 }, { type: 'TIME', volume: 1 }], tariff_id: 'T-ENERGY' }],
    total_cost: { excl_vat: 2.5, incl_vat: 3 },
    total_energy: 10,
    total_time: 1,
    last_updated: '2026-11-25T11:05:00Z',
    ...extra,
  };
}
