import type { OcpiModule } from '../../src/ocpi/module.ts';
import { cdrEntities } from './entities.ts';
import { cdrRoutes } from './routes.ts';
import { watchdogJob } from './watchdog.ts';
import { reconciliationJob } from './reconcile.ts';
import { financeRouter } from './finance-api.ts';
import { databaseGauge } from '../../src/observability/gauges.ts';
import { notSandboxSql } from '../../src/sandbox/visibility.ts';

/**
 * CDRs, as RECEIVER, and settlement: validation, recomputation from the tariff the user saw,
 * the session watchdog, reconciliation with each CPO, and the finance API. CDRs are not part
 * of the hourly pull-sync: the watchdog pulls them for orders that wait, and the daily
 * reconciliation pulls every CDR of the day, receiving any that never arrived.
 */
export const cdrsModule: OcpiModule = {
  identifier: 'cdrs',
  endpoint: { path: 'cdrs', roles: ['RECEIVER'] },
  routes: cdrRoutes,
  entities: cdrEntities,
  jobs: [watchdogJob, reconciliationJob],
  apiRouters: (services) => [financeRouter(services)],
  gauges(services) {
    databaseGauge(services, 'ocpi_hub_cdrs', 'CDRs by settlement state', 'state', () => [`select state as key, count(*) as n from cdrs c where ${notSandboxSql('c')} group by state`, []]);
  },
};
