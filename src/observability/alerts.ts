import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { recordEvent } from '../partners/events.ts';

/**
 * An alert is an audit event of kind `ALERT_*` (so it shows in the partner's trail and the
 * operations API), a warn log line and a metric an operator can page on.
 */
export function raiseAlert(
  em: EntityManager,
  deps: { log: Logger; metrics: Metrics; now: Date },
  alert: { kind: string; partnerId?: string | null; detail: Record<string, unknown> },
  /** quiet: the audit event only; the caller counts and logs (once, when it retries the write). */
  options: { quiet?: boolean } = {},
): void {
  const kind = `ALERT_${alert.kind}`;
  recordEvent(em, deps.now, { partnerId: alert.partnerId, kind, actor: 'system', detail: alert.detail });
  if (options.quiet) return;
  deps.metrics.alerts.inc({ kind: alert.kind });
  deps.log.warn({ alert: alert.kind, partnerId: alert.partnerId, ...alert.detail }, 'alert raised');
}
