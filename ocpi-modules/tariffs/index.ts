import type { OcpiModule } from '../../src/ocpi/module.ts';
import { TariffVersionEntity } from './entities.ts';
import { tariffRoutes } from './routes.ts';
import { tariffSync } from './sync.ts';
import { Migration0003Tariffs } from './migrations/0003-tariffs.ts';

/** Tariffs, as RECEIVER: CPOs push their tariffs; every version is kept for pricing at any past moment. */
export const tariffsModule: OcpiModule = {
  identifier: 'tariffs',
  endpoint: { path: 'tariffs', roles: ['RECEIVER'] },
  routes: tariffRoutes,
  entities: [TariffVersionEntity],
  migrations: [{ name: '0003-tariffs', class: Migration0003Tariffs }],
  syncs: [tariffSync],
};
