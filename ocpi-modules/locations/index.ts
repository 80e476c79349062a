import type { OcpiModule } from '../../src/ocpi/module.ts';
import { locationEntities } from './entities.ts';
import { locationRoutes } from './routes.ts';
import { confirmByHeartbeat, freshnessJob } from './freshness.ts';
import { locationSync } from './sync.ts';
import { appLocationsRouter } from './app-api.ts';
import { locationsAdminRouter } from './admin-api.ts';
import { partnerRejections } from './rejections.ts';
import { Migration0002Locations } from './migrations/0002-locations.ts';
import { Migration0010ReviewRejections } from './migrations/0010-review-rejections.ts';

/**
 * Locations, as RECEIVER: CPOs push Location/EVSE/Connector; the hub validates, keeps the
 * partner's current data, and publishes to the app what was reviewed and is fresh.
 */
export const locationsModule: OcpiModule = {
  identifier: 'locations',
  endpoint: { path: 'locations', roles: ['RECEIVER'] },
  routes: locationRoutes,
  entities: locationEntities,
  migrations: [{ name: '0002-locations', class: Migration0002Locations }, { name: '0010-review-rejections', class: Migration0010ReviewRejections }],
  jobs: [freshnessJob],
  syncs: [locationSync],
  heartbeatAnswered: confirmByHeartbeat,
  apiRouters: (services) => [appLocationsRouter(services), locationsAdminRouter(services)],
  // Operations can tell the CPO which of its changes were rejected, and why, from the partner view.
  partnerView: async (em, partner) => ({ rejected_location_changes: await partnerRejections(em, partner.id) }),
};
