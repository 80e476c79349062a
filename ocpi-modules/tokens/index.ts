import type { OcpiModule } from '../../src/ocpi/module.ts';
import { TokenEntity } from './entities.ts';
import { tokenRoutes } from './routes.ts';
import { appTokensRouter } from './app-api.ts';

/** Tokens, as SENDER: our users' tokens, pulled by CPOs and authorized in real time. */
export const tokensModule: OcpiModule = {
  identifier: 'tokens',
  endpoint: { path: 'tokens', roles: ['SENDER'] },
  routes: tokenRoutes,
  entities: [TokenEntity],
  apiRouters: (services) => [appTokensRouter(services)],
};
