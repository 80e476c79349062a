import type { HubLink } from './hub-link.ts';
import type { World } from './world.ts';

/**
 * The CPO's side of the OCPI credentials handshake: with token A, read the hub's versions and
 * the details of the version we speak, POST our credentials (our versions URL and token B),
 * and keep the token the hub answers with (token C) for every later call. The hub calls our
 * versions back with token B while our POST is open, so our server is up before this runs.
 */
export interface OurCredentials {
  token: string;
  url: string;
  countryCode: string;
  partyId: string;
}

export function credentialsObject(ours: OurCredentials) {
  return {
    token: ours.token,
    url: ours.url,
    roles: [{ role: 'CPO', country_code: ours.countryCode, party_id: ours.partyId, business_details: { name: `Simulated CPO ${ours.countryCode}/${ours.partyId}` } }],
  };
}

export async function register(link: HubLink, hubVersionsUrl: string, version: string, ours: OurCredentials): Promise<void> {
  const versions = await link.call<{ version: string; url: string }[]>('GET', hubVersionsUrl);
  const offered = Array.isArray(versions.data) ? versions.data.find((v) => v.version === version) : undefined;
  if (!offered) throw new Error(`the hub at ${hubVersionsUrl} offers no OCPI ${version} (it offers ${Array.isArray(versions.data) ? versions.data.map((v) => v.version).join(', ') : 'nothing'})`);
  await readEndpoints(link, offered.url);
  const credentialsUrl = link.endpoints.get('credentials');
  if (!credentialsUrl) throw new Error(`the hub's ${version} details list no credentials endpoint`);
  const answer = await link.call<{ token?: string }>('POST', credentialsUrl, credentialsObject(ours));
  if (typeof answer.data?.token !== 'string') throw new Error('the hub answered our credentials without a token');
  link.token = answer.data.token;
}

/** The hub's endpoints, by identifier; a hub lists receivers for what we push. */
async function readEndpoints(link: HubLink, detailsUrl: string): Promise<void> {
  const details = await link.call<{ endpoints?: { identifier: string; role?: string; url: string }[] }>('GET', detailsUrl);
  link.endpoints.clear();
  for (const e of details.data?.endpoints ?? []) {
    // Ours are SENDERs of locations, tariffs, sessions, CDRs: we push to the hub's RECEIVERs.
    if (e.identifier === 'credentials' || e.role !== 'SENDER') link.endpoints.set(e.identifier, e.url);
  }
}

/** Tariffs first: the hub links a connector only to a tariff it already holds. Each EVSE is AVAILABLE at start. */
export async function pushWorld(link: HubLink, world: World): Promise<void> {
  for (const tariff of world.tariffs) await link.call('PUT', link.receiverUrl('tariffs', tariff.country_code, tariff.party_id, tariff.id), tariff);
  for (const location of world.locations) await link.call('PUT', link.receiverUrl('locations', location.country_code, location.party_id, location.id), location);
}
