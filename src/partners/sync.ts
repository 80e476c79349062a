import type { Services } from '../services.ts';
import type { Job } from '../jobs/scheduler.ts';
import { withLock } from '../jobs/scheduler.ts';
import { HubError } from '../errors.ts';
import type { PartnerSync, SyncResult, SyncWindow } from '../ocpi/module.ts';
import { endpointUrl } from './discovery.ts';
import { PartnerEntity, PartnerSyncEntity, type Partner, type PartnerSyncReport } from './entities.ts';
import { recordEvent } from './events.ts';

/**
 * Pull-sync of a CPO's Senders (locations, then tariffs): a FULL pull when the module has none
 * that succeeded within LOCATION_FULL_SYNC_HOURS, otherwise a DELTA pull from the `date_to` of
 * the last successful one. Each module's last pull is kept as a report (partner_syncs), shown
 * in the partner view: what it received, applied and refused, and why.
 */
export type SyncTrigger = 'REGISTERED' | 'CONNECTED' | 'SCHEDULE' | 'OPERATOR';

/** First refusals kept per report: enough to tell the CPO what to fix. */
const REFUSALS_KEPT = 10;

/** The Senders to pull, locations last: a location whose connectors name a tariff the hub does not hold yet would wait for review. */
function pulls(services: Services, partner: Partner): PartnerSync[] {
  const last = (s: PartnerSync) => (s.name === 'locations' ? 1 : 0);
  return services.modules.flatMap((m) => m.syncs ?? []).filter((s) => endpointUrl(partner.endpoints, s.name, 'SENDER')).sort((a, b) => last(a) - last(b));
}

function windowFor(services: Services, report: PartnerSyncReport | null, now: Date, force?: 'FULL'): SyncWindow {
  const fullAge = services.config.locationFullSyncHours * 3_600_000;
  const fullDue = !report?.lastFullSuccessAt || now.getTime() - report.lastFullSuccessAt.getTime() >= fullAge;
  if (force === 'FULL' || fullDue || !report?.lastSuccessTo) return { mode: 'FULL', to: now };
  return { mode: 'DELTA', from: report.lastSuccessTo, to: now };
}

export interface PartnerSyncOutcome {
  /** Whether this call ran the sync (false: another run of this partner holds its lock). */
  ran: boolean;
  results: Record<string, SyncResult>;
  errors: Record<string, string>;
}

/** Pulls every Sender the partner has, each recorded in its report; never throws for the partner's faults. */
async function runPartnerSync(services: Services, partnerId: string, options: { trigger: SyncTrigger; actor: string; mode?: 'FULL' }): Promise<PartnerSyncOutcome> {
  // An operator's "sync now" waits for a pull already running; the others skip it.
  const locked = await withLock(services, `partner-sync:${partnerId}`, () => syncNow(services, partnerId, options), { wait: options.trigger === 'OPERATOR' });
  return locked.ran ? locked.value : { ran: false, results: {}, errors: {} };
}

async function syncNow(services: Services, partnerId: string, options: { trigger: SyncTrigger; actor: string; mode?: 'FULL' }): Promise<PartnerSyncOutcome> {
  const em = services.orm.em.fork();
  const partner = await em.findOneOrFail(PartnerEntity, { id: partnerId });
  const started = services.clock.now();
  const outcome: PartnerSyncOutcome = { ran: true, results: {}, errors: {} };
  if (partner.status !== 'ACTIVE') return outcome;
  for (const sync of pulls(services, partner)) {
    let report = await em.findOne(PartnerSyncEntity, { partnerId, module: sync.name });
    const now = services.clock.now();
    const window = windowFor(services, report, now, options.mode);
    if (!report) {
      report = em.create(PartnerSyncEntity, { partnerId, module: sync.name, trigger: options.trigger, mode: window.mode, dateTo: window.to, startedAt: now, received: 0, applied: 0, refused: 0, refusals: [] });
      em.persist(report);
    }
    Object.assign(report, { trigger: options.trigger, mode: window.mode, dateFrom: window.from ?? null, dateTo: window.to, startedAt: now, finishedAt: null, received: 0, applied: 0, refused: 0, refusals: [], error: null });
    await em.flush();
    const result: SyncResult = { received: 0, applied: 0, rejected: [] };
    try {
      await sync.run(services, partner, window, result);
      report.lastSuccessTo = window.to;
      if (window.mode === 'FULL') report.lastFullSuccessAt = window.to;
      outcome.results[sync.name] = result;
    } catch (err) {
      report.error = (err as Error).message;
      outcome.errors[sync.name] = report.error;
      services.log.warn({ partnerId, sync: sync.name, err: report.error }, 'pull failed');
    }
    report.finishedAt = services.clock.now();
    report.received = result.received;
    report.applied = result.applied;
    report.refused = result.rejected.length;
    report.refusals = result.rejected.slice(0, REFUSALS_KEPT).map((r) => ({ id: r.id, message: r.problems }));
    await em.flush();
  }
  const failed = Object.entries(outcome.errors);
  const hadError = partner.lastSyncError != null;
  if (failed.length) {
    partner.lastSyncError = failed.map(([, message]) => message).join('; ');
    partner.lastSyncErrorAt = started;
  } else if (Object.keys(outcome.results).length) {
    partner.lastSyncSuccessAt = started;
    partner.lastSyncError = null;
  }
  // Scheduled pulls run every few minutes: the audit trail gets only their changes of outcome.
  if (options.trigger !== 'SCHEDULE' || hadError !== failed.length > 0) {
    if (failed.length) recordEvent(em, started, { partnerId, kind: 'SYNC_FAILED', actor: options.actor, detail: { trigger: options.trigger, reason: partner.lastSyncError } });
    else if (Object.keys(outcome.results).length) recordEvent(em, started, { partnerId, kind: 'SYNC_SUCCEEDED', actor: options.actor, detail: { trigger: options.trigger, ...summary(outcome.results) } });
  }
  await em.flush();
  return outcome;
}

function summary(results: Record<string, SyncResult>) {
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { received: v.received, applied: v.applied, rejected: v.rejected.length }]));
}

/** The operator's "sync now": the results, or the partner's failure as a 502. */
export async function syncPartner(services: Services, partnerId: string, actor: string, mode?: 'FULL'): Promise<Record<string, SyncResult>> {
  const partner = await services.orm.em.fork().findOneOrFail(PartnerEntity, { id: partnerId });
  if (partner.status !== 'ACTIVE') throw new HubError('CONFLICT', `partner ${partner.id} is ${partner.status}: the hub does not call it`);
  if (!pulls(services, partner).length) throw new HubError('NO_MATCHING_ENDPOINTS', 'partner has no locations or tariffs SENDER endpoint to pull');
  const outcome = await runPartnerSync(services, partnerId, { trigger: 'OPERATOR', actor, mode });
  const failed = Object.values(outcome.errors);
  if (failed.length) throw new HubError('PARTNER_API_UNUSABLE', `sync failed: ${failed.join('; ')}`);
  return outcome.results;
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** Every 10 s: each active CPO whose last pull started LOCATION_DELTA_SYNC_SECONDS ago (or never) is pulled. */
export const partnerSyncJob: Job = {
  name: 'partner-sync',
  schedule: () => '*/10 * * * * *',
  async run(services) {
    const em = services.orm.em.fork();
    const now = services.clock.now().getTime();
    const partners = await em.find(PartnerEntity, { status: 'ACTIVE', role: 'CPO' });
    const reports = await em.find(PartnerSyncEntity, { partnerId: { $in: partners.map((p) => p.id) } });
    const due = partners.filter((p) => {
      if (!pulls(services, p).length) return false;
      const last = Math.max(0, ...reports.filter((r) => r.partnerId === p.id).map((r) => r.startedAt.getTime()));
      return now - last >= services.config.locationDeltaSyncSeconds * 1000;
    });
    await eachLimited(due, 4, async (p) => {
      try {
        await runPartnerSync(services, p.id, { trigger: 'SCHEDULE', actor: 'system' });
      } catch (err) {
        services.log.error({ partnerId: p.id, err }, 'partner sync failed');
      }
    });
  },
};

/** Pulls started in the background (after a registration), awaitable. */
export interface BackgroundSync {
  /** Starts a pull of the partner now, without waiting; a failure is recorded in its sync report, never thrown. */
  start(partnerId: string, trigger: SyncTrigger): void;
  /** Resolves when every background pull started so far has finished. */
  settled(): Promise<void>;
  /** Refuses new pulls and waits for the running ones (hub stop). */
  close(): Promise<void>;
}

export function createBackgroundSync(services: () => Services): BackgroundSync {
  const running = new Set<Promise<void>>();
  let closed = false;
  return {
    start(partnerId, trigger) {
      if (closed) return;
      const run = (async () => {
        try {
          await runPartnerSync(services(), partnerId, { trigger, actor: 'system' });
        } catch (err) {
          services().log.error({ partnerId, trigger, err }, 'background pull failed');
        }
      })();
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    async settled() {
      while (running.size) await Promise.all([...running]);
    },
    async close() {
      closed = true;
      while (running.size) await Promise.all([...running]);
    },
  };
}
