import { Decimal } from 'decimal.js';
import { formatDateTime } from '../../src/ocpi/datetime.ts';
import type { Clock } from '../../src/clock.ts';
import type { HubLink } from './hub-link.ts';
import type { Faults } from './faults.ts';
import { WRONG_COST_PERCENT } from './faults.ts';
import type { Scheduler, Timer } from './scheduler.ts';
import type { Print } from './print.ts';
import { CHARGING_POWER_W, PRICE_CENTS_PER_KWH, TARIFF_ID, VAT_PERCENT, type Evse, type Location } from './world.ts';

/**
 * The sessions this CPO runs for the commands it accepted: PUT ACTIVE, a PATCH with one new
 * charging period (ENERGY and TIME) every update, the EVSE CHARGING meanwhile, then
 * COMPLETED, the EVSE AVAILABLE again and a CDR priced from our own tariff.
 *
 * Money is kept in integer cents; energy in integer Wh. The cost of E Wh at P cents/kWh is
 * E × P / 1000 cents, rounded half-up once at the end (as the hub does: decimal.js, half-up).
 */
export interface CdrToken {
  country_code: string;
  party_id: string;
  uid: string;
  type: string;
  contract_id: string;
}

export interface ChargingPeriod {
  start_date_time: string;
  dimensions: { type: 'ENERGY' | 'TIME'; volume: number }[];
  tariff_id: string;
}

export interface Session {
  country_code: string;
  party_id: string;
  id: string;
  start_date_time: string;
  end_date_time?: string;
  kwh: number;
  cdr_token: CdrToken;
  auth_method: 'COMMAND';
  authorization_reference?: string;
  location_id: string;
  evse_uid: string;
  connector_id: string;
  currency: 'EUR';
  charging_periods: ChargingPeriod[];
  total_cost: { excl_vat: number; incl_vat: number };
  status: 'ACTIVE' | 'COMPLETED';
  last_updated: string;
}

export type Cdr = Record<string, unknown> & { id: string; last_updated: string };

export interface ChargingContext {
  link: HubLink;
  faults: Faults;
  scheduler: Scheduler;
  clock: Clock;
  print: Print;
  sessionUpdateSeconds: number;
  countryCode: string;
  partyId: string;
}

interface Running {
  session: Session;
  location: Location;
  evse: Evse;
  wh: number;
  seconds: number;
  periodStart: Date;
  timer?: Timer;
}

export interface Charging {
  sessions(): Session[];
  cdrs(): Cdr[];
  /** The running session on an EVSE, if any. */
  onEvse(evseUid: string): Session | undefined;
  active(sessionId: string): Session | undefined;
  start(location: Location, evse: Evse, connectorId: string, token: CdrToken, authorizationReference: string | undefined): Promise<Session>;
  stop(sessionId: string): Promise<Cdr | undefined>;
  /** Pushes an EVSE status to the hub (unless the EVSE is silent). */
  pushStatus(location: Location, evse: Evse, status: string): Promise<void>;
}

const round = (value: Decimal) => value.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();

/** Cents excl. and incl. VAT of `wh` at our tariff. */
function priceCents(wh: number): { excl: number; incl: number } {
  const exact = new Decimal(wh).times(PRICE_CENTS_PER_KWH).div(1000);
  return { excl: round(exact), incl: round(exact.times(100 + VAT_PERCENT).div(100)) };
}

const euros = (cents: number) => cents / 100;

export function createCharging(ctx: ChargingContext): Charging {
  const all = new Map<string, Session>();
  const running = new Map<string, Running>();
  const cdrs: Cdr[] = [];
  let seq = 0;
  const stamp = () => formatDateTime(ctx.clock.now());
  const silent = (evseUid: string) => ctx.faults.modeFor(evseUid) === 'silent';

  const pushStatus = async (location: Location, evse: Evse, status: string) => {
    evse.status = status;
    evse.last_updated = stamp();
    location.last_updated = evse.last_updated;
    if (silent(evse.uid)) return;
    await ctx.link.call('PATCH', ctx.link.receiverUrl('locations', location.country_code, location.party_id, location.id, evse.uid), { status, last_updated: evse.last_updated });
  };

  /** Closes the current period: the energy and time since it began. */
  const closePeriod = (run: Running) => {
    const now = ctx.clock.now();
    const seconds = Math.max(0, (now.getTime() - run.periodStart.getTime()) / 1000);
    if (seconds === 0) return undefined;
    const wh = Math.round((CHARGING_POWER_W * seconds) / 3600);
    const period: ChargingPeriod = {
      start_date_time: formatDateTime(run.periodStart),
      dimensions: [
        { type: 'ENERGY', volume: wh / 1000 },
        { type: 'TIME', volume: Number((seconds / 3600).toFixed(6)) },
      ],
      tariff_id: TARIFF_ID,
    };
    run.wh += wh;
    run.seconds += seconds;
    run.periodStart = now;
    const cost = priceCents(run.wh);
    run.session.charging_periods.push(period);
    run.session.kwh = run.wh / 1000;
    run.session.total_cost = { excl_vat: euros(cost.excl), incl_vat: euros(cost.incl) };
    run.session.last_updated = formatDateTime(now);
    return period;
  };

  const update = async (run: Running) => {
    const period = closePeriod(run);
    if (!period || silent(run.evse.uid)) return;
    const s = run.session;
    await ctx.link.call('PATCH', ctx.link.receiverUrl('sessions', s.country_code, s.party_id, s.id), { charging_periods: [period], kwh: s.kwh, total_cost: s.total_cost, last_updated: s.last_updated });
  };

  return {
    sessions: () => [...all.values()],
    cdrs: () => [...cdrs],
    onEvse: (uid) => [...running.values()].find((r) => r.evse.uid === uid)?.session,
    active: (id) => running.get(id)?.session,
    pushStatus,

    async start(location, evse, connectorId, token, authorizationReference) {
      const now = ctx.clock.now();
      const session: Session = {
        country_code: ctx.countryCode,
        party_id: ctx.partyId,
        // The start time in the id: a restarted simulator (the demo re-registers) never reuses a session id.
        id: `SIM-S-${Date.now().toString(36).toUpperCase()}-${++seq}`,
        start_date_time: formatDateTime(now),
        kwh: 0,
        cdr_token: token,
        auth_method: 'COMMAND',
        ...(authorizationReference !== undefined ? { authorization_reference: authorizationReference } : {}),
        location_id: location.id,
        evse_uid: evse.uid,
        connector_id: connectorId,
        currency: 'EUR',
        charging_periods: [],
        total_cost: { excl_vat: 0, incl_vat: 0 },
        status: 'ACTIVE',
        last_updated: formatDateTime(now),
      };
      const run: Running = { session, location, evse, wh: 0, seconds: 0, periodStart: now };
      all.set(session.id, session);
      running.set(session.id, run);
      await pushStatus(location, evse, 'CHARGING');
      await ctx.link.call('PUT', ctx.link.receiverUrl('sessions', session.country_code, session.party_id, session.id), session);
      run.timer = ctx.scheduler.every(ctx.sessionUpdateSeconds * 1000, () => update(run));
      return session;
    },

    async stop(sessionId) {
      const run = running.get(sessionId);
      if (!run) return undefined;
      running.delete(sessionId);
      run.timer?.cancel();
      closePeriod(run);
      const s = run.session;
      s.status = 'COMPLETED';
      s.end_date_time = stamp();
      s.last_updated = s.end_date_time;
      await ctx.link.call('PATCH', ctx.link.receiverUrl('sessions', s.country_code, s.party_id, s.id), {
        status: 'COMPLETED',
        end_date_time: s.end_date_time,
        kwh: s.kwh,
        total_cost: s.total_cost,
        last_updated: s.last_updated,
      });
      await pushStatus(run.location, run.evse, 'AVAILABLE');
      const cdr = cdrFor(run, ctx.faults.modeFor(run.evse.uid));
      cdrs.push(cdr);
      await ctx.link.call('POST', ctx.link.endpoints.get('cdrs') ?? ctx.link.receiverUrl('cdrs'), cdr);
      return cdr;
    },
  };
}

function cdrFor(run: Running, mode: string): Cdr {
  const s = run.session;
  const price = priceCents(run.wh);
  // wrong-cost: the CPO bills WRONG_COST_PERCENT more than its own tariff says (at least a cent).
  const excl = mode === 'wrong-cost' ? Math.max(price.excl + 1, round(new Decimal(price.excl).times(100 + WRONG_COST_PERCENT).div(100))) : price.excl;
  const incl = mode === 'wrong-cost' ? round(new Decimal(excl).times(100 + VAT_PERCENT).div(100)) : price.incl;
  const connector = run.evse.connectors.find((c) => c.id === s.connector_id) ?? run.evse.connectors[0]!;
  const l = run.location;
  return {
    country_code: s.country_code,
    party_id: s.party_id,
    id: `CDR-${s.id}`,
    start_date_time: s.start_date_time,
    end_date_time: s.end_date_time!,
    session_id: s.id,
    cdr_token: s.cdr_token,
    auth_method: 'COMMAND',
    ...(s.authorization_reference !== undefined ? { authorization_reference: s.authorization_reference } : {}),
    cdr_location: {
      id: l.id,
      name: l.name,
      address: l.address,
      city: l.city,
      postal_code: l.postal_code,
      country: l.country,
      coordinates: l.coordinates,
      evse_uid: run.evse.uid,
      evse_id: run.evse.evse_id,
      connector_id: connector.id,
      connector_standard: connector.standard,
      connector_format: connector.format,
      connector_power_type: connector.power_type,
    },
    currency: 'EUR',
    // A CDR has at least one period: a session stopped at once has one of zero volume.
    charging_periods: s.charging_periods.length ? s.charging_periods : [{ start_date_time: s.start_date_time, dimensions: [{ type: 'ENERGY', volume: 0 }, { type: 'TIME', volume: 0 }], tariff_id: TARIFF_ID }],
    total_cost: { excl_vat: euros(excl), incl_vat: euros(incl) },
    total_energy: run.wh / 1000,
    total_time: Number((run.seconds / 3600).toFixed(6)),
    last_updated: s.last_updated,
  };
}
