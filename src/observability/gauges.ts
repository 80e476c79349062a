import { Gauge } from 'prom-client';
import type { Services } from '../services.ts';
import { ticketOutsideSandboxSql } from '../sandbox/visibility.ts';

/**
 * A gauge read from the database when Prometheus scrapes: counts by a label (open tickets by
 * kind, orders by state…). A failing query is logged and leaves the gauge empty rather than
 * failing the whole scrape. Sandbox partners' data is not the hub's business: every gauge leaves it out.
 */
export function databaseGauge(services: Services, name: string, help: string, label: string, sql: () => [string, unknown[]]): void {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [services.metrics.registry],
    async collect() {
      this.reset();
      try {
        const [query, params] = sql();
        const rows: { key: string; n: string }[] = await services.orm.em.fork().getConnection().execute(query, params);
        for (const row of rows) this.set({ [label]: row.key }, Number(row.n));
      } catch (err) {
        services.log.warn({ gauge: name, err: (err as Error).message }, 'gauge not collected');
      }
    },
  });
}

export function registerCoreGauges(services: Services): void {
  databaseGauge(services, 'ocpi_hub_exception_tickets_open', 'Open exception tickets by kind', 'kind', () => [`select kind as key, count(*) as n from exception_tickets t where state = 'OPEN' and ${ticketOutsideSandboxSql('t')} group by kind`, []]);
}
