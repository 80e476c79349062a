import { iso1A3Code } from '@rapideditor/country-coder';
import { formatDateTime } from '../../src/ocpi/datetime.ts';
import type { SimulatorOptions } from './options.ts';

/**
 * The CPO's stations: N locations scattered within ~3 km of a centre (seeded), two AC EVSEs
 * each, every connector on one energy tariff. The country is the one the centre lies in, so
 * the hub's coordinate checks hold wherever the operator puts the simulator.
 */
export const TARIFF_ID = 'SIM-TARIFF-AC';
/** EUR per kWh excl. VAT, in cents: the tariff's price and what the CDR is priced from. */
export const PRICE_CENTS_PER_KWH = 30;
export const VAT_PERCENT = 21;
/** 3 × 230 V × 16 A: what each session draws, in W. */
export const CHARGING_POWER_W = 11_040;

const SPREAD_M = 3_000;
const STREETS = ['Damrak', 'Prinsengracht', 'Keizersgracht', 'Herengracht', 'Singel', 'Rokin', 'Overtoom', 'Ferdinand Bolstraat', 'Van Baerlestraat', 'Wibautstraat'];

export interface Connector {
  id: string;
  standard: string;
  format: string;
  power_type: string;
  max_voltage: number;
  max_amperage: number;
  tariff_ids: string[];
  last_updated: string;
}

export interface Evse {
  uid: string;
  evse_id: string;
  status: string;
  capabilities: string[];
  connectors: Connector[];
  last_updated: string;
}

export interface Location {
  country_code: string;
  party_id: string;
  id: string;
  publish: boolean;
  name: string;
  address: string;
  city: string;
  postal_code: string;
  country: string;
  coordinates: { latitude: string; longitude: string };
  parking_type: string;
  evses: Evse[];
  operator: { name: string };
  time_zone: string;
  last_updated: string;
}

export interface Tariff {
  country_code: string;
  party_id: string;
  id: string;
  currency: string;
  elements: { price_components: { type: string; price: number; vat: number; step_size: number }[] }[];
  last_updated: string;
}

export interface World {
  locations: Location[];
  tariffs: Tariff[];
}

export function generateWorld(options: Pick<SimulatorOptions, 'countryCode' | 'partyId' | 'locations' | 'center'>, random: () => number, now: Date): World {
  const stamp = formatDateTime(now);
  const country = iso1A3Code([options.center.longitude, options.center.latitude]) ?? 'NLD';
  const party = { country_code: options.countryCode, party_id: options.partyId };
  const tariff: Tariff = {
    ...party,
    id: TARIFF_ID,
    currency: 'EUR',
    elements: [{ price_components: [{ type: 'ENERGY', price: PRICE_CENTS_PER_KWH / 100, vat: VAT_PERCENT, step_size: 1 }] }],
    last_updated: stamp,
  };
  const locations: Location[] = [];
  for (let n = 1; n <= options.locations; n++) {
    // Uniform over a disc: the square root keeps the points from crowding the centre.
    const distance = SPREAD_M * Math.sqrt(random());
    const bearing = 2 * Math.PI * random();
    const latitude = options.center.latitude + (distance * Math.cos(bearing)) / 111_320;
    const longitude = options.center.longitude + (distance * Math.sin(bearing)) / (111_320 * Math.cos((options.center.latitude * Math.PI) / 180));
    const id = `SIM-LOC-${n}`;
    const evses: Evse[] = [1, 2].map((e) => ({
      uid: `${id}-E${e}`,
      evse_id: `${options.countryCode}*${options.partyId}*E${n}${String(e).padStart(2, '0')}`,
      status: 'AVAILABLE',
      capabilities: ['REMOTE_START_STOP_CAPABLE', 'UNLOCK_CAPABLE'],
      connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 230, max_amperage: 16, tariff_ids: [TARIFF_ID], last_updated: stamp }],
      last_updated: stamp,
    }));
    locations.push({
      ...party,
      id,
      publish: true,
      name: `Simulated station ${n}`,
      address: `${STREETS[(n - 1) % STREETS.length]} ${1 + Math.floor(random() * 200)}`,
      city: 'Simulated City',
      postal_code: `${1000 + Math.floor(random() * 9000)}`,
      country,
      coordinates: { latitude: latitude.toFixed(6), longitude: longitude.toFixed(6) },
      parking_type: 'ON_STREET',
      evses,
      operator: { name: `Simulated CPO ${options.countryCode}/${options.partyId}` },
      time_zone: 'Europe/Amsterdam',
      last_updated: stamp,
    });
  }
  return { locations, tariffs: [tariff] };
}

export function findEvse(world: World, locationId: string, evseUid: string): { location: Location; evse: Evse } | undefined {
  const location = world.locations.find((l) => l.id === locationId);
  const evse = location?.evses.find((e) => e.uid === evseUid);
  return location && evse ? { location, evse } : undefined;
}
