import type { RunningHub } from '../../src/hub.ts';
import { hubCalls } from './admin-calls.ts';
import { startSimulatorProcess } from './simulator-process.ts';
import { tryNowBlock } from './try-now.ts';

/**
 * `ocpi-hub serve --demo`: the hub, a simulated CPO in a child process, and the onboarding an
 * operator would do by hand (create, approve, token A, the CPO registers, its new locations
 * reviewed), all through the hub's public APIs. Then a block of ready curl lines.
 */
export interface DemoOptions {
  /** Where the lines go (default stdout). */
  print?: (line: string) => void;
  /** Extra simulate-cpo arguments (e.g. faster results in a test). */
  simulatorArgs?: string[];
}

export interface Demo {
  stop(): Promise<void>;
}

export const DEMO_PARTY = { country_code: 'NL', party_id: 'SIM' } as const;
const DEMO_NAME = 'Demo CPO (simulator)';
const DEMO_TOKEN_UID = 'DEMO-USER-1';

export async function startDemo(hub: RunningHub, options: DemoOptions = {}): Promise<Demo> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { secrets, config } = hub.services;
  const calls = hubCalls(hub.url, { admin: secrets.adminApiKey, app: secrets.appApiKey });

  const tokenA = await demoPartnerTokenA(calls);
  print(`demo: partner ${DEMO_PARTY.country_code}/${DEMO_PARTY.party_id} approved; token A handed to the simulator, which registers through the OCPI handshake`);
  const simulator = startSimulatorProcess(
    ['--hub-versions-url', `${hub.url}/ocpi/versions`, '--country-code', DEMO_PARTY.country_code, '--party-id', DEMO_PARTY.party_id, ...(options.simulatorArgs ?? [])],
    tokenA,
    print,
  );
  try {
    const ready = await simulator.ready;
    const approved = await approveNewLocations(calls);
    print(`demo: the simulator is registered; ${approved} new location(s) reviewed and published by the demo operator`);
    const station = await firstAvailableConnector(calls, ready.center);
    for (const line of tryNowBlock({
      hubUrl: config.publicUrl,
      appKey: secrets.appApiKey,
      adminKey: secrets.adminApiKey,
      financeKey: secrets.financeApiKey,
      center: ready.center,
      tokenUid: DEMO_TOKEN_UID,
      ...station,
    })) print(line);
  } catch (err) {
    await simulator.stop();
    throw err;
  }
  return { stop: () => simulator.stop() };
}

/**
 * Token A for the demo partner: a new partner approved, or (the data directory keeps the
 * last demo's partner) its credentials reset, so the new simulator process registers anew.
 */
async function demoPartnerTokenA(calls: ReturnType<typeof hubCalls>): Promise<string> {
  const { data } = await calls.admin<{ data: any[] }>('GET', '/partners');
  const existing = data.find((p) => p.country_code === DEMO_PARTY.country_code && p.party_id === DEMO_PARTY.party_id && p.role === 'CPO');
  if (existing && ['APPROVED', 'ACTIVE', 'SUSPENDED'].includes(existing.status)) {
    if (existing.status === 'SUSPENDED') await calls.admin('POST', `/partners/${existing.id}/resume`);
    return (await calls.admin('POST', `/partners/${existing.id}/reset-credentials`)).token_a;
  }
  if (existing) throw new Error(`the demo partner ${existing.id} is ${existing.status}; remove the data directory (ocpi-hub data-dir --remove) to start the demo afresh`);
  const created = await calls.admin('POST', '/partners', { name: DEMO_NAME, ...DEMO_PARTY, role: 'CPO', website: 'https://example.com/simulator' });
  return (await calls.admin('POST', `/partners/${created.id}/approve`)).token_a;
}

async function approveNewLocations(calls: ReturnType<typeof hubCalls>): Promise<number> {
  const { data: partners } = await calls.admin<{ data: any[] }>('GET', '/partners');
  const demo = partners.find((p) => p.country_code === DEMO_PARTY.country_code && p.party_id === DEMO_PARTY.party_id && p.role === 'CPO');
  const { data: reviews } = await calls.admin<{ data: any[] }>('GET', '/reviews?state=PENDING');
  const mine = reviews.filter((r) => r.partner_id === demo?.id);
  for (const review of mine) await calls.admin('POST', `/reviews/${review.id}/approve`);
  return mine.length;
}

async function firstAvailableConnector(calls: ReturnType<typeof hubCalls>, center: { latitude: number; longitude: number }) {
  const { data } = await calls.app<{ data: any[] }>('GET', `/api/v1/locations?near=${center.latitude},${center.longitude}&radius_m=50000&limit=50`);
  for (const location of data) {
    if (location.country_code !== DEMO_PARTY.country_code || location.party_id !== DEMO_PARTY.party_id) continue;
    for (const evse of location.evses ?? []) {
      const connector = evse.connectors?.[0];
      if (evse.status === 'AVAILABLE' && connector) return { locationId: location.id as string, evseUid: evse.uid as string, connectorId: connector.id as string };
    }
  }
  throw new Error("the app sees none of the simulator's stations with an AVAILABLE connector (see the simulator's lines above)");
}
