import type { OcpiModule } from '../../src/ocpi/module.ts';
import { commandEntities } from './entities.ts';
import { resultRoutes } from './results.ts';
import { chargingFollowUpJob } from './follow-up.ts';
import { adminChargingRouter, appChargingRouter } from './app-api.ts';

/**
 * Commands, as SENDER (the eMSP side): we send START_SESSION / STOP_SESSION / UNLOCK_CONNECTOR
 * to CPOs and receive their CommandResults. Charging orders, the app's charging API and the
 * durable follow-up of unconfirmed commands live here too.
 */
export const commandsModule: OcpiModule = {
  identifier: 'commands',
  endpoint: { path: 'commands', roles: ['SENDER'] },
  routes: resultRoutes,
  entities: commandEntities,
  jobs: [chargingFollowUpJob],
  apiRouters: (services) => [appChargingRouter(services), adminChargingRouter(services)],
};
