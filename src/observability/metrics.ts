import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per hub instance, so tests running several hubs in one process stay apart. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'ocpi_hub_http_request_duration_seconds',
      help: 'Inbound HTTP requests by surface, method and status',
      labelNames: ['surface', 'method', 'status'],
      registers: [registry],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    authFailures: new Counter({ name: 'ocpi_hub_auth_failures_total', help: 'Failed authentications (answered 401)', labelNames: ['surface'], registers: [registry] }),
    authLockedOut: new Counter({ name: 'ocpi_hub_auth_locked_out_total', help: 'Authentications refused by a lockout (429) without their credential deciding the answer', labelNames: ['surface'], registers: [registry] }),
    alerts: new Counter({ name: 'ocpi_hub_alerts_total', help: 'Alerts raised', labelNames: ['kind'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
