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
): void {
  const kind = `ALERT_${alert.kind}`;
  recordEvent(em, deps.now, { partnerId: alert.partnerId, kind, actor: 'system', detail: alert.detail });
  deps.metrics.alerts.inc({ kind: alert.kind });
  deps.log.warn({ alert: alert.kind, partnerId: alert.partnerId, ...alert.detail }, 'alert raised');
}
