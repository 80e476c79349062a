import type { EntityManager } from '@mikro-orm/postgresql';
import { EvseEntity, type LocationJson } from './entities.ts';
import { confirmedAt, effectiveStatus } from './freshness.ts';
import { connectorPowerKw as powerKw } from './connector-power.ts';

/** What the app is shown of a published location: effective EVSE statuses, no REMOVED EVSEs, connector power in kW. */
export interface LocationRow {
  id: string;
  partner_id: string;
  published: LocationJson;
  published_at: Date | string;
  distance_m?: number | null;
  /** The partner missed PARTNER_HEARTBEAT_MISSES heartbeats: every status is UNKNOWN. */
  link_down?: boolean;
}

export async function appViews(em: EntityManager, rows: LocationRow[], now: Date, thresholdSeconds: number) {
  if (!rows.length) return [];
  const evses = await em.find(EvseEntity, { locationRef: { $in: rows.map((r) => r.id) }, published: true });
  return rows.map((row) => {
    const loc = row.published;
    const live = new Map(evses.filter((e) => e.locationRef === row.id).map((e) => [e.evseUid.toUpperCase(), e]));
    const shown = (loc.evses ?? []).flatMap((evse) => {
      const state = live.get(evse.uid.toUpperCase());
      const status = state ? effectiveStatus(state.status, confirmedAt(state), now, thresholdSeconds, row.link_down === true) : 'UNKNOWN';
      if (status === 'REMOVED') return [];
      return [
        {
          uid: evse.uid,
          evse_id: evse.evse_id ?? null,
          status,
          reported_status: state?.status ?? null,
          status_updated_at: state?.statusReportedAt ?? null,
          capabilities: evse.capabilities ?? [],
          floor_level: evse.floor_level ?? null,
          physical_reference: evse.physical_reference ?? null,
          connectors: (evse.connectors ?? []).map((c) => ({
            id: c.id,
            standard: c.standard,
            format: c.format,
            power_type: c.power_type,
            max_voltage: c.max_voltage,
            max_amperage: c.max_amperage,
            max_electric_power: c.max_electric_power ?? null,
            power_kw: powerKw(c),
            tariff_ids: c.tariff_ids ?? [],
          })),
        },
      ];
    });
    return {
      id: row.id,
      partner_id: row.partner_id,
      country_code: loc.country_code,
      party_id: loc.party_id,
      location_id: loc.id,
      name: loc.name ?? null,
      address: loc.address,
      city: loc.city,
      postal_code: loc.postal_code ?? null,
      state: loc.state ?? null,
      country: loc.country,
      coordinates: loc.coordinates,
      time_zone: loc.time_zone,
      operator: loc.operator ?? null,
      parking_type: loc.parking_type ?? null,
      facilities: loc.facilities ?? [],
      opening_times: loc.opening_times ?? null,
      ...(row.distance_m != null ? { distance_m: Math.round(Number(row.distance_m)) } : {}),
      last_updated: loc.last_updated,
      published_at: new Date(row.published_at),
      evses: shown,
    };
  });
}
