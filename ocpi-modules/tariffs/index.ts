import type { OcpiModule } from '../../src/ocpi/module.ts';

export const tariffsModule: OcpiModule = {
  identifier: 'tariffs',
  endpoint: { path: 'tariffs', roles: ['RECEIVER'] },
  routes: [],
};
