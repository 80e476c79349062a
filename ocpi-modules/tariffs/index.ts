import type { OcpiModule } from '../../src/ocpi/module.ts';
import { TariffVersionEntity } from './entities.ts';
import { tariffRoutes } from './routes.ts';
import { tariffSync } from './sync.ts';

/** Tariffs, as RECEIVER: CPOs push their tariffs; every version is kept for pricing at any past moment. */
export const tariffsModule: OcpiModule = {
  identifier: 'tariffs',
  endpoint: { path: 'tariffs', roles: ['RECEIVER'] },
  routes: tariffRoutes,
  entities: [TariffVersionEntity],
  syncs: [tariffSync],
};
