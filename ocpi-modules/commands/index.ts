import type { OcpiModule } from '../../src/ocpi/module.ts';
import { commandEntities } from './entities.ts';
import { resultRoutes } from './results.ts';
import { chargingFollowUpJob } from './follow-up.ts';
import { adminChargingRouter, appChargingRouter } from './app-api.ts';
import { databaseGauge } from '../../src/observability/gauges.ts';
import { notSandboxSql } from '../../src/sandbox/visibility.ts';

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
  gauges(services) {
    databaseGauge(services, 'ocpi_hub_charging_orders', 'Charging orders not yet finished (and EXCEPTION), by state', 'state', () => [
      `select state as key, count(*) as n from charging_orders o where state in ('REQUESTED', 'PENDING', 'ACTIVE', 'STOPPING', 'AWAITING_CDR', 'EXCEPTION') and ${notSandboxSql('o')} group by state`,
      [],
    ]);
    // A follow-up a minute overdue means the job is not running (or is stuck): page someone.
    databaseGauge(services, 'ocpi_hub_charging_follow_ups_overdue', 'Charging order follow-ups due more than a minute ago, by kind', 'kind', () => [
      `select follow_up_kind as key, count(*) as n from charging_orders o where follow_up_at < ? and ${notSandboxSql('o')} group by follow_up_kind`,
      [new Date(services.clock.now().getTime() - 60_000)],
    ]);
  },
};
