import type { OcpiModule } from '../../src/ocpi/module.ts';
import { SessionEntity } from './entities.ts';
import { sessionRoutes } from './routes.ts';

/** Sessions, as RECEIVER. Linking sessions to charging orders comes with the commands work. */
export const sessionsModule: OcpiModule = {
  identifier: 'sessions',
  endpoint: { path: 'sessions', roles: ['RECEIVER'] },
  routes: sessionRoutes,
  entities: [SessionEntity],
};
