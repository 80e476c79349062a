import type { Config } from './config.ts';
import type { Secrets } from './secrets.ts';
import type { Orm } from './db/orm.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './observability/log.ts';
import type { Metrics } from './observability/metrics.ts';
import type { OcpiClient } from './client/ocpi-client.ts';
import type { OcpiModule } from './ocpi/module.ts';
import type { DeviationLog } from './partners/deviations.ts';
import type { BackgroundSync } from './partners/sync.ts';
import type { Background } from './jobs/background.ts';
import type { DatabaseErrorLog } from './observability/db-errors.ts';

/** What every part of a running hub may use; built once in hub.ts and passed down. */
export interface Services {
  config: Config;
  secrets: Secrets;
  orm: Orm;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  client: OcpiClient;
  modules: OcpiModule[];
  /** Unknown fields and tolerated deviations, counted per partner. */
  deviations: DeviationLog;
  /** Pulls started in the background (right after a CPO's registration); `settled()` awaits them. */
  partnerSync: BackgroundSync;
  /** Work still running after its HTTP answer (commands being sent); stop waits for it. */
  background: Background;
  /** Database failures: logged once per burst with a count, never with SQL or its parameters. */
  dbErrors: DatabaseErrorLog;
}
