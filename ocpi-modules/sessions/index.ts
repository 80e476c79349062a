import type { OcpiModule } from '../../src/ocpi/module.ts';
import { SessionEntity } from './entities.ts';
import { sessionRoutes } from './routes.ts';
import { Migration0005Sessions } from './migrations/0005-sessions.ts';

/** Sessions, as RECEIVER. Each applied session moves its charging order (charging/link.ts sessionArrived). */
export const sessionsModule: OcpiModule = {
  identifier: 'sessions',
  endpoint: { path: 'sessions', roles: ['RECEIVER'] },
  routes: sessionRoutes,
  entities: [SessionEntity],
  migrations: [{ name: '0005-sessions', class: Migration0005Sessions }],
};
