import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './observability/log.ts';
import { registerCoreGauges } from './observability/gauges.ts';
import { createMetrics } from './observability/metrics.ts';
import { resolveSecrets } from './secrets.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { openDatabase } from './db/orm.ts';
import { createOcpiClient, type OcpiClient } from './client/ocpi-client.ts';
import { partnerEntities } from './partners/entities.ts';
import { ExceptionTicketEntity } from './exceptions/tickets.ts';
import { createApp } from './app.ts';
import type { Services } from './services.ts';
import type { OcpiModule } from './ocpi/module.ts';
import { ocpiModules } from '../ocpi-modules/index.ts';
import { startScheduler } from './jobs/scheduler.ts';
import { createDeviationLog } from './partners/deviations.ts';
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
}

export interface RunningHub {
  services: Services;
  server: http.Server;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Opens the database (embedded unless a URL is given) with its schema up to date, and builds the services. */
export async function openServices(options: HubOptions): Promise<{ services: Services; close(): Promise<void> }> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const secrets = resolveSecrets(config, options.announce ?? ((lines) => process.stderr.write(`${lines.join('\n')}\n`)));
  let embedded: EmbeddedDatabase | undefined;
  let url = options.databaseUrl ?? config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, onLog: (m) => log.debug({ pg: m.trim() }, 'embedded postgres') });
    url = withDatabase(embedded.url, options.databaseName ?? 'ocpi_hub');
    log.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'embedded PostgreSQL running');
  }
  const modules = options.modules ?? ocpiModules;
  const orm = await openDatabase(url, [...partnerEntities, ExceptionTicketEntity, ...modules.flatMap((m) => m.entities ?? [])]);
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
    background: createBackground(log),
    dbErrors: createDatabaseErrorLog(log),
  };
  registerCoreGauges(services);
  for (const module of modules) module.gauges?.(services);
  return {
    services,
    async close() {
      // Commands still being sent record their outcome before the database closes.
      await services.background.drain();
      await services.deviations.close();
      await orm.close(true);
      services.dbErrors.flush();
      await embedded?.stop();
    },
  };
}

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Starts a hub: database, services, HTTP server. `stop()` drains requests, then closes the database. */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const { services, close } = await openServices(options);
  let ready = false;
  const app = createApp(services, { ready: () => ready });
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.config.port, options.config.host, resolve);
  });
  const scheduler = options.config.jobsEnabled ? startScheduler(services, services.modules.flatMap((m) => m.jobs ?? [])) : undefined;
  ready = true;
  const port = (server.address() as AddressInfo).port;
  services.log.info({ port, publicUrl: services.config.publicUrl }, 'ocpi-hub listening');
  let stopping: Promise<void> | undefined;
  return {
    services,
    server,
    port,
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
