import type { OcpiModule } from '../src/ocpi/module.ts';
import { databaseGauge } from '../src/observability/gauges.ts';
import { notSandboxSql } from '../src/sandbox/visibility.ts';
import { chargingEntities } from './entities.ts';
import { chargingFollowUpJob } from './compensation.ts';
import { watchdogJob } from './watchdog.ts';
import { reconciliationJob } from './reconciliation.ts';
import { adminChargingRouter, appChargingRouter } from './app-api.ts';
import { financeRouter } from './finance-api.ts';
import { sandboxRouter } from './sandbox-api.ts';
import { Migration0007Charging } from './migrations/0007-charging.ts';
import { Migration0014CommandRetry } from './migrations/0014-command-retry.ts';

/**
 * The product: a user's charging order from the app's start to a settled CDR. The OCPI
 * adapters feed it (a CommandResult, a session, a CDR arrive through link.ts); it has no
 * OCPI endpoint of its own, so the version details do not list it. It registers like a
 * module: its tables, its jobs (compensation of unconfirmed commands, the session watchdog,
 * the daily reconciliation) and the app, finance, admin and sandbox APIs.
 */
export const chargingModule: OcpiModule = {
  identifier: 'charging',
  routes: [],
  entities: chargingEntities,
  migrations: [{ name: '0007-charging', class: Migration0007Charging }, { name: '0014-command-retry', class: Migration0014CommandRetry }],
  jobs: [chargingFollowUpJob, watchdogJob, reconciliationJob],
  apiRouters: (services) => [sandboxRouter(services), appChargingRouter(services), adminChargingRouter(services), financeRouter(services)],
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
