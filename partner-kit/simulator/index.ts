import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../src/clock.ts';
import { createCharging, type Cdr, type Charging, type Session } from './charging.ts';
import { createFaults, seededRandom, type FaultMode, type Faults } from './faults.ts';
import { createHubLink } from './hub-link.ts';
import { withDefaults, type SimulatorInput, type SimulatorOptions } from './options.ts';
import { readyLine, stdoutPrint, type Print } from './print.ts';
import { pushWorld, register } from './registration.ts';
import { realScheduler, type Scheduler, type Timer } from './scheduler.ts';
import { createServerApp } from './server.ts';
import { generateWorld, type Evse, type Location } from './world.ts';

export type { SimulatorOptions } from './options.ts';
export { parseSimulatorArgs } from './options.ts';
export { manualScheduler, type ManualScheduler, type Scheduler } from './scheduler.ts';
export { FAULT_MODES, type FaultMode } from './faults.ts';

export interface SimulatorDeps {
  print?: Print;
  /** Timers (default: real ones); tests pass manualScheduler(). */
  scheduler?: Scheduler;
  /** What stamps last_updated and session times (default: the system clock); tests pass the hub's clock. */
  clock?: Clock;
}

export interface Simulator {
  versionsUrl: string;
  url: string;
  /** Token B: what the hub presents to us (and what a conformance run against us needs). Never printed. */
  token: string;
  center: { latitude: number; longitude: number };
  locations: Array<{ id: string; evses: Array<{ uid: string; connectors: Array<{ id: string }> }> }>;
  options: SimulatorOptions;
  /** What this CPO has run so far (its Sessions and CDRs senders serve these). */
  sessions(): Session[];
  cdrs(): Cdr[];
  setFault(mode: FaultMode, evseUid?: string): void;
  stop(): Promise<void>;
}

/**
 * Starts the CPO: its server listening, then the registration with the hub (done inside
 * start: when the promise resolves, the hub holds our credentials and our locations and
 * tariffs), then the ready line and the status changes. A failed registration closes the
 * server and rejects.
 */
export async function startSimulator(input: SimulatorInput, deps: SimulatorDeps = {}): Promise<Simulator> {
  const options = withDefaults(input);
  const print = deps.print ?? stdoutPrint;
  const clock = deps.clock ?? systemClock;
  const scheduler = deps.scheduler ?? realScheduler((err) => print(`  error: ${(err as Error).message}`));
  const random = seededRandom(options.seed);
  const world = generateWorld(options, random, clock.now());
  const faults = createFaults(options.fault, options.evseFaults, random);
  const link = createHubLink(options.hubVersionsUrl, options.tokenA, options.ocpiVersion === '2.2' ? 'RAW' : 'BASE64', print);
  const ours = { token: options.tokenB ?? randomBytes(24).toString('base64url'), countryCode: options.countryCode, partyId: options.partyId };
  const charging = createCharging({ link, faults, scheduler, clock, print, sessionUpdateSeconds: options.sessionUpdateSeconds, countryCode: options.countryCode, partyId: options.partyId });
  let baseUrl = '';
  const app = createServerApp({
    version: options.ocpiVersion,
    baseUrl: () => baseUrl,
    ours,
    world,
    charging,
    faults,
    link,
    clock,
    print,
    commands: { scheduler, resultDelayMs: options.resultDelayMs, slowSeconds: options.slowSeconds, onError: (err) => print(`  error: ${(err as Error).message}`) },
    onUnregistered: () => print('  the hub deleted our credentials: it will not call us any more'),
  });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = options.publicUrl ?? `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  const versionsUrl = `${baseUrl}/ocpi/versions`;
  let statusTimer: Timer | undefined;
  const close = async () => {
    statusTimer?.cancel();
    await scheduler.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  try {
    await register(link, options.hubVersionsUrl, options.ocpiVersion, { ...ours, url: versionsUrl });
    await pushWorld(link, world);
  } catch (err) {
    await close();
    throw err;
  }
  if (options.statusIntervalSeconds > 0) statusTimer = scheduler.every(options.statusIntervalSeconds * 1000, statusChanges(world, charging, faults, random));
  print(readyLine(versionsUrl, world.locations.length, options.center));
  return {
    versionsUrl,
    url: baseUrl,
    token: ours.token,
    center: options.center,
    locations: world.locations.map((l) => ({ id: l.id, evses: l.evses.map((e) => ({ uid: e.uid, connectors: e.connectors.map((c) => ({ id: c.id })) })) })),
    options,
    sessions: () => charging.sessions(),
    cdrs: () => charging.cdrs(),
    setFault: (mode, evseUid) => faults.set(mode, evseUid),
    stop: close,
  };
}

/**
 * Each tick reports one idle EVSE (in turn), which keeps its status fresh at the hub; the
 * second EVSE of a location flips between AVAILABLE and CHARGING (someone charging with a
 * card), so the first ones stay free for the app.
 */
function statusChanges(world: { locations: Location[] }, charging: Charging, faults: Faults, random: () => number) {
  let next = 0;
  return async () => {
    const idle: [Location, Evse][] = world.locations.flatMap((l) => l.evses.filter((e) => !charging.onEvse(e.uid)).map((e): [Location, Evse] => [l, e]));
    if (!idle.length) return;
    const [location, evse] = idle[next++ % idle.length]!;
    if (faults.modeFor(evse.uid) === 'silent') return;
    const flips = evse.uid.endsWith('-E2') && random() < 0.5;
    const status = flips ? (evse.status === 'AVAILABLE' ? 'CHARGING' : 'AVAILABLE') : evse.status;
    await charging.pushStatus(location, evse, status);
  };
}
