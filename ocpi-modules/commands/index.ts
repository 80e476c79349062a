import type { OcpiModule } from '../../src/ocpi/module.ts';
import { resultRoutes } from './results.ts';

/**
 * Commands, as SENDER (the eMSP side): we send START_SESSION / STOP_SESSION / UNLOCK_CONNECTOR
 * to CPOs (sender.ts) and receive their CommandResults (results.ts). The charging order the
 * commands serve, and their compensation when a CPO stays silent, are charging/'s.
 */
export const commandsModule: OcpiModule = {
  identifier: 'commands',
  endpoint: { path: 'commands', roles: ['SENDER'] },
  routes: resultRoutes,
};
