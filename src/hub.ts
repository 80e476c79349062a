import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './observability/log.ts';
import { registerCoreGauges } from './observability/gauges.ts';
import { createMetrics } from './observability/metrics.ts';
import { resolveSecrets } from './secrets.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase, type EmbeddedEvent } from './db/embedded.ts';
import { raiseAlert } from './observability/alerts.ts';
import { allMigrations, openDatabase } from './db/orm.ts';
import { coreMigrations } from './db/migrations/index.ts';
import { createOcpiClient, type OcpiClient } from './client/ocpi-client.ts';
import { partnerEntities } from './partners/api.ts';
import { ExceptionTicketEntity } from './exceptions/tickets.ts';
import { createApp } from './app.ts';
import type { Services } from './services.ts';
import type { OcpiModule } from './ocpi/module.ts';
import { ocpiModules } from '../ocpi-modules/index.ts';
import { chargingModule } from '../charging/index.ts';
import { startScheduler } from './jobs/scheduler.ts';
import { createDeviationLog } from './partners/deviations.ts';
import { createBackgroundSync, partnerSyncJob } from './partners/sync.ts';
import { heartbeatJob } from './partners/heartbeat.ts';
import { createBackground } from './jobs/background.ts';
import { createDatabaseErrorLog } from './observability/db-errors.ts';

export interface HubOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  client?: OcpiClient;
  /** Overrides config.databaseUrl; used by tests to give each hub its own database. */
  databaseUrl?: string;
  /** Database name on the embedded server (default ocpi_hub). */
  databaseName?: string;
  announce?: (lines: string[]) => void;
  /** The OCPI modules to mount (default: all of ocpi-modules/). */
  modules?: OcpiModule[];
  /** Backoff before restart attempt n of a dead embedded PostgreSQL (default 0.5 s doubling to 30 s); for tests. */
  embeddedRestartBackoffMs?: (attempt: number) => number;
}

export interface RunningHub {
  services: Services;
  server: http.Server;
  url: string;
  port: number;
  /** The embedded PostgreSQL, when the hub runs one. */
  embedded?: EmbeddedDatabase;
  stop(): Promise<void>;
}

/** Opens the database (embedded unless a URL is given) with its schema up to date, and builds the services. */
export async function openServices(options: HubOptions): Promise<{ services: Services; embedded?: EmbeddedDatabase; close(): Promise<void> }> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const secrets = resolveSecrets(config, options.announce ?? ((lines) => process.stderr.write(`${lines.join('\n')}\n`)));
  let embedded: EmbeddedDatabase | undefined;
  // Until the services exist (an orphan found at start), events are logged only.
  let onEmbeddedEvent = (event: EmbeddedEvent) => embeddedEventLogged(log, event);
  let url = options.databaseUrl ?? config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      onLog: (m) => log.debug({ pg: m.trim() }, 'embedded postgres'),
      onEvent: (event) => onEmbeddedEvent(event),
      restartBackoffMs: options.embeddedRestartBackoffMs,
    });
    url = withDatabase(embedded.url, options.databaseName ?? 'ocpi_hub');
    log.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'embedded PostgreSQL running');
  }
  const modules = options.modules ?? hubModules;
  const orm = await openDatabase(url, [...partnerEntities, ExceptionTicketEntity, ...modules.flatMap((m) => m.entities ?? [])], hubMigrations(modules));
  const services: Services = {
    config,
    secrets,
    orm,
    clock: options.clock ?? systemClock,
    log,
    metrics: createMetrics(),
    client: options.client ?? createOcpiClient(log, config.outboundTimeoutSeconds * 1000, { allowPrivateAddresses: config.allowPrivatePartnerUrls, maxResponseBytes: config.outboundMaxResponseBytes }),
    modules,
    deviations: createDeviationLog(orm, log),
    partnerSync: createBackgroundSync(() => services),
    background: createBackground(log),
    dbErrors: createDatabaseErrorLog(log, { url }),
  };
  onEmbeddedEvent = (event) => {
    embeddedEventLogged(log, event);
    if (event.kind === 'RESTARTED') void alertRestart(services, event);
  };
  registerCoreGauges(services);
  for (const module of modules) module.gauges?.(services);
  return {
    services,
    embedded,
    async close() {
      // Commands still being sent record their outcome before the database closes.
      await services.background.drain();
      await services.partnerSync.close();
      await services.deviations.close();
      await orm.close(true);
      services.dbErrors.flush();
      await embedded?.stop();
    },
  };
}

/** Supervision of the embedded server in the log: an exit and each failed attempt are errors, a restart a warning. */
function embeddedEventLogged(log: Logger, event: EmbeddedEvent): void {
  const { kind, ...detail } = event;
  if (kind === 'EXITED') log.error({ embeddedPg: detail }, 'embedded PostgreSQL exited unexpectedly: restarting it');
  else if (kind === 'RESTART_FAILED') log.error({ embeddedPg: detail }, 'embedded PostgreSQL did not start again: retrying');
  else if (kind === 'RESTARTED') log.warn({ embeddedPg: detail }, 'embedded PostgreSQL restarted');
  else if (kind === 'ORPHAN_STOPPED') log.warn({ embeddedPg: detail }, 'embedded PostgreSQL left running by a hub that is gone (killed?): stopped it, starting a supervised one');
  else log.warn({ embeddedPg: detail }, 'embedded PostgreSQL left running by a hub that is gone could not be stopped: sharing it, unsupervised');
}

/** Each restart is an alert (audit event, metric, log line) once the database takes writes again. */
async function alertRestart(services: Services, event: Extract<EmbeddedEvent, { kind: 'RESTARTED' }>): Promise<void> {
  const detail = { attempt: event.attempt, pid: event.pid, down_ms: event.downMs };
  for (let tries = 0; tries < 20; tries++) {
    const em = services.orm.em.fork();
    try {
      // The audit event first (the pool's connections died with the old server: retried on a fresh one)…
      await em.transactional(async (tx) => {
        raiseAlert(tx, { log: services.log, metrics: services.metrics, now: services.clock.now() }, { kind: 'EMBEDDED_DB_RESTARTED', detail }, { quiet: true });
      });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  // …the metric and the log line once, written or not.
  services.metrics.alerts.inc({ kind: 'EMBEDDED_DB_RESTARTED' });
  services.log.warn({ alert: 'EMBEDDED_DB_RESTARTED', ...detail }, 'alert raised');
}

/** What the hub mounts: every OCPI adapter, and the product they feed. */
export const hubModules: OcpiModule[] = [...ocpiModules, chargingModule];

/**
 * Every migration: the core's, every module the hub has, and those of any other module mounted.
 * A hub mounting fewer modules (a test's) still gets every table: later migrations touch
 * several owners' tables, so skipping one module's would break another's.
 */
export function hubMigrations(modules: OcpiModule[] = hubModules) {
  const all = [...new Set([...hubModules, ...modules])];
  return allMigrations([coreMigrations, ...all.map((m) => m.migrations ?? [])]);
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Starts a hub: database, services, HTTP server. `stop()` drains requests, then closes the database. */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const { services, embedded, close } = await openServices(options);
  let ready = false;
  const app = createApp(services, { ready: () => ready });
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.config.port, options.config.host, resolve);
  });
  const scheduler = options.config.jobsEnabled ? startScheduler(services, [heartbeatJob, partnerSyncJob, ...services.modules.flatMap((m) => m.jobs ?? [])]) : undefined;
  ready = true;
  const port = (server.address() as AddressInfo).port;
  services.log.info({ port, publicUrl: services.config.publicUrl }, 'ocpi-hub listening');
  let stopping: Promise<void> | undefined;
  return {
    services,
    server,
    port,
    embedded,
    url: `http://127.0.0.1:${port}`,
    stop() {
      stopping ??= (async () => {
        ready = false;
        await scheduler?.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await close();
        services.log.info('ocpi-hub stopped');
      })();
      return stopping;
    },
  };
}
