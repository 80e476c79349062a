import type { OcpiModule } from '../../src/ocpi/module.ts';
import { cdrEntities } from './entities.ts';
import { cdrRoutes } from './routes.ts';
import { databaseGauge } from '../../src/observability/gauges.ts';
import { notSandboxSql } from '../../src/sandbox/visibility.ts';
import { Migration0008Settlement } from './migrations/0008-settlement.ts';

/**
 * CDRs, as RECEIVER: a CDR pushed or pulled is validated, stored once and never changed, and
 * handed to charging/ (link.ts) for settlement. CDRs are not part of the hourly pull-sync:
 * charging's watchdog pulls them for orders that wait, and its daily reconciliation pulls
 * every CDR of the day, receiving any that never arrived.
 */
export const cdrsModule: OcpiModule = {
  identifier: 'cdrs',
  endpoint: { path: 'cdrs', roles: ['RECEIVER'] },
  routes: cdrRoutes,
  entities: cdrEntities,
  migrations: [{ name: '0008-settlement', class: Migration0008Settlement }],
  gauges(services) {
    databaseGauge(services, 'ocpi_hub_cdrs', 'CDRs by settlement state', 'state', () => [`select state as key, count(*) as n from cdrs c where ${notSandboxSql('c')} group by state`, []]);
  },
};
