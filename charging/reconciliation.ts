import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { Services } from '../src/services.ts';
import type { Job } from '../src/jobs/scheduler.ts';
import type { Logger } from '../src/observability/log.ts';
import { getPartner } from '../src/partners/registry.ts';
import { PartnerEntity } from '../src/partners/api.ts';
import { partnerEndpoint } from '../src/client/partner-client.ts';
import type { Cdr } from '../src/ocpi/types.ts';
import { CdrEntity, ReconciliationLineEntity, ReconciliationRunEntity, cdrKey, type ReconciliationRun, contentHash, pullCdrs } from '../ocpi-modules/cdrs/api.ts';

/**
 * Reconciliation of one CPO over a period ([from, to) on the CDRs' `last_updated`, which is
 * what the CPO's sender filters on): its CDRs list against ours. Lines:
 * - MISSING_AT_HUB: the CPO has it, we did not (it is received now, so nothing is lost);
 * - MISSING_AT_PARTNER: we have it, the CPO's list does not;
 * - AMOUNT_CHANGED / CONTENT_CHANGED: the CPO now lists the same id with another total or content;
 * - PRICE_DIFFERENCE: a DISPUTED CDR (their price against ours);
 * - DUPLICATE_IN_PARTNER_LIST: one id listed twice; DUPLICATE_FOR_SESSION: two live CDRs for one session.
 */
export async function reconcile(services: Services, log: Logger, partnerId: string, from: Date, to: Date, actor: string): Promise<ReconciliationRun> {
  const em = services.orm.em.fork();
  const partner = await getPartner(em, partnerId);
  const run = em.create(ReconciliationRunEntity, { id: randomUUID(), partnerId, periodFrom: from, periodTo: to, status: 'RUNNING', startedAt: services.clock.now(), startedBy: actor });
  await em.persistAndFlush(run);
  const lines: { kind: string; cdrKey: string; cdrRef?: string | null; detail?: unknown }[] = [];
  const listed = new Map<string, number>();
  try {
    await pullCdrs(services, log, partner, from, to, async (cdr: Cdr) => {
      const key = cdrKey(cdr.country_code, cdr.party_id, cdr.id);
      listed.set(key, (listed.get(key) ?? 0) + 1);
      if (listed.get(key) === 2) lines.push({ kind: 'DUPLICATE_IN_PARTNER_LIST', cdrKey: key });
      if (listed.get(key)! > 1) return;
      const ours = await em.fork().findOne(CdrEntity, { cdrKey: key });
      if (!ours) {
        lines.push({ kind: 'MISSING_AT_HUB', cdrKey: key, detail: { their_excl_vat: cdr.total_cost.excl_vat, action: 'received now' } });
        return;
      }
      if (ours.contentHash === contentHash(cdr)) return;
      const changed = !new Decimal(String(cdr.total_cost.excl_vat)).equals(ours.theirExclVat);
      lines.push({ kind: changed ? 'AMOUNT_CHANGED' : 'CONTENT_CHANGED', cdrKey: key, cdrRef: ours.id, detail: { stored_excl_vat: Number(ours.theirExclVat), listed_excl_vat: cdr.total_cost.excl_vat } });
    });
    const ourCdrs = await em.find(CdrEntity, { partnerId, lastUpdated: { $gte: from, $lt: to } }, { orderBy: { seq: 'asc' } });
    const sessions = new Map<string, string[]>();
    for (const cdr of ourCdrs) {
      if (!listed.has(cdr.cdrKey)) lines.push({ kind: 'MISSING_AT_PARTNER', cdrKey: cdr.cdrKey, cdrRef: cdr.id, detail: { their_excl_vat: Number(cdr.theirExclVat) } });
      if (cdr.state === 'DISPUTED') lines.push({ kind: 'PRICE_DIFFERENCE', cdrKey: cdr.cdrKey, cdrRef: cdr.id, detail: { currency: cdr.currency, ours: Number(cdr.ourExclVat), theirs: Number(cdr.theirExclVat), difference: Number(cdr.difference) } });
      if (cdr.sessionKey && !cdr.credit && !cdr.creditedBy) sessions.set(cdr.sessionKey, [...(sessions.get(cdr.sessionKey) ?? []), cdr.cdrKey]);
    }
    for (const [session, keys] of sessions) {
      if (keys.length > 1) for (const key of keys) lines.push({ kind: 'DUPLICATE_FOR_SESSION', cdrKey: key, detail: { session, cdrs: keys } });
    }
    run.status = 'DONE';
  } catch (err) {
    run.status = 'FAILED';
    run.error = (err as Error).message;
    log.warn({ partner: partnerId, err: run.error }, 'reconciliation run failed');
  }
  for (const line of lines) em.persist(em.create(ReconciliationLineEntity, { runId: run.id, kind: line.kind, cdrKey: line.cdrKey, cdrRef: line.cdrRef ?? null, detail: line.detail ?? null }));
  const counts: Record<string, number> = {};
  for (const line of lines) counts[line.kind] = (counts[line.kind] ?? 0) + 1;
  run.summary = { partner_listed: listed.size, mismatches: lines.length, by_kind: counts };
  run.finishedAt = services.clock.now();
  await em.flush();
  return run;
}

/** Every day: each active (non-sandbox) CPO with a CDRs sender, over the previous UTC day. */
export const reconciliationJob: Job = {
  name: 'cdr-reconciliation',
  schedule: (config) => config.reconciliationCron,
  async run(services) {
    const now = services.clock.now();
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const from = new Date(to.getTime() - 86_400_000);
    // Sandbox partners are not settled with: nothing of theirs is reconciled.
    const partners = await services.orm.em.fork().find(PartnerEntity, { status: 'ACTIVE', role: 'CPO', sandbox: false });
    for (const partner of partners) {
      if (!partnerEndpoint(partner, 'cdrs', 'SENDER')) continue;
      await reconcile(services, services.log.child({ job: 'cdr-reconciliation' }), partner.id, from, to, 'job:reconciliation');
    }
  },
};
