import { expect } from 'chai';
import { startTestHub, APP_KEY, FINANCE_KEY, type TestHub } from './hub.ts';
import { approvedCpo } from './onboarding.ts';
import { http, type HttpAnswer } from './http.ts';
import { TestClock } from './clock.ts';
import { runJob } from '../../src/jobs/scheduler.ts';
import { chargingFollowUpJob } from '../../charging/compensation.ts';
import { manualScheduler, startSimulator, type ManualScheduler, type Simulator } from '../../partner-kit/simulator/index.ts';
import type { SimulatorOptions } from '../../partner-kit/simulator/options.ts';

/**
 * A hub and the CPO simulator registered with it through the real handshake (created and
 * approved through the admin API, token A handed over), its new locations reviewed and
 * approved, and one app token. The simulator's timers run on a manual scheduler that moves
 * the hub's test clock along: `advance(ms)` is time passing for both.
 */
export const SIM_TOKEN_UID = 'SIM-USER-1';

export interface SimWorld {
  t: TestHub;
  sim: Simulator;
  scheduler: ManualScheduler;
  partnerId: string;
  lines: string[];
  app<T = any>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>>;
  finance<T = any>(method: string, path: string): Promise<HttpAnswer<T>>;
  /** The hub's id of one of the simulator's locations. */
  hubLocationId(ocpiId: string): Promise<string>;
  start(ocpiLocationId?: string, evseUid?: string): Promise<HttpAnswer<any>>;
  order(id: string): Promise<any>;
  /** The admin view of an order: its events and follow-up. */
  history(id: string): Promise<any>;
  /** [from, to, cause] of each state change of an order. */
  transitions(id: string): Promise<[string | null, string, string][]>;
  advance(ms: number): Promise<void>;
  /** Moves the hub's clock by `ms` (the simulator's with it) and runs the charging follow-up job once. */
  followUp(ms: number): Promise<void>;
  tickets(kind?: string): Promise<any[]>;
  stop(): Promise<void>;
}

export async function simWorld(options: Partial<SimulatorOptions> = {}, env: Record<string, string> = {}): Promise<SimWorld> {
  const clock = new TestClock();
  const t = await startTestHub({ clock, env });
  const party = { country_code: options.countryCode ?? 'NL', party_id: options.partyId ?? 'SIM' };
  const { id: partnerId, tokenA } = await approvedCpo(t, party);
  const scheduler = manualScheduler(clock);
  const lines: string[] = [];
  const sim = await startSimulator(
    { hubVersionsUrl: `${t.url}/ocpi/versions`, tokenA, statusIntervalSeconds: 0, sessionUpdateSeconds: 600, resultDelayMs: 1000, ...options },
    { print: (line) => lines.push(line), scheduler, clock },
  );
  // The pull the registration started is over, so every location is in review once.
  await t.hub.services.partnerSync.settled();
  const reviews = await t.admin('GET', '/reviews?state=PENDING');
  for (const review of reviews.body.data.filter((r: any) => r.partner_id === partnerId)) {
    expect((await t.admin('POST', `/reviews/${review.id}/approve`)).status).to.equal(200);
  }
  const app = <T = any>(method: string, path: string, body?: unknown) => http<T>(method, `${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${APP_KEY}` }, body });
  const token = await app('PUT', `/tokens/${SIM_TOKEN_UID}`, { type: 'APP_USER', contract_id: 'NL-HUB-C00000009', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
  expect(token.status, JSON.stringify(token.body)).to.equal(201);
  const hubLocationId = async (ocpiId: string) => {
    const list = await app('GET', '/locations?limit=100');
    const found = list.body.data.find((l: any) => l.ocpi_location_id === ocpiId || l.location_id === ocpiId || l.name === `Simulated station ${ocpiId.replace('SIM-LOC-', '')}`);
    expect(found, `the app does not see ${ocpiId}: ${JSON.stringify(list.body)}`).to.not.equal(undefined);
    return found.id as string;
  };
  const world: SimWorld = {
    t,
    sim,
    scheduler,
    partnerId,
    lines,
    app,
    finance: (method, path) => http(method, `${t.url}/api/v1/finance${path}`, { headers: { authorization: `Bearer ${FINANCE_KEY}` } }),
    hubLocationId,
    async start(ocpiLocationId = 'SIM-LOC-1', evseUid = `${ocpiLocationId}-E1`) {
      return app('POST', '/charging-sessions', { location_id: await hubLocationId(ocpiLocationId), evse_uid: evseUid, token_uid: SIM_TOKEN_UID });
    },
    async order(id) {
      const res = await app('GET', `/charging-sessions/${id}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body;
    },
    async history(id) {
      return (await t.admin('GET', `/charging-sessions/${id}`)).body;
    },
    async transitions(id) {
      return (await world.history(id)).events.filter((e: any) => e.to).map((e: any) => [e.from, e.to, e.cause]);
    },
    advance: (ms) => scheduler.advance(ms),
    async followUp(ms) {
      await scheduler.advance(ms);
      expect(await runJob(t.hub.services, chargingFollowUpJob)).to.equal(true);
    },
    async tickets(kind) {
      return (await t.admin('GET', `/exceptions?state=OPEN${kind ? `&kind=${kind}` : ''}`)).body.data;
    },
    async stop() {
      await sim.stop();
      await t.stop();
    },
  };
  return world;
}
