import type { EntityManager } from '@mikro-orm/postgresql';
import type { Partner } from '../partners/api.ts';

/**
 * `DELETE …/data`: a sandbox partner starts over without registering again. Everything its
 * tests left is deleted in one transaction (children first; the foreign keys are checked at
 * commit); its registration (partner row, tokens, endpoints, audit trail) stays.
 * The statements name the tables of every module: a module adding a table a partner fills
 * adds it here.
 */
const WIPE: [name: string, sql: string][] = [
  ['request_log', `delete from sandbox_requests where partner_id = ?`],
  ['tickets', `delete from exception_tickets where partner_id = ? or order_id in (select id from charging_orders where partner_id = ?)`],
  ['reconciliation_runs', `with runs as (select id from reconciliation_runs where partner_id = ?), lines as (delete from reconciliation_lines where run_id in (select id from runs)) delete from reconciliation_runs where id in (select id from runs)`],
  ['cdrs', `with gone as (select id from cdrs where partner_id = ?), events as (delete from cdr_events where cdr_ref in (select id from gone)) delete from cdrs where id in (select id from gone)`],
  ['commands', `delete from commands where partner_id = ?`],
  ['orders', `with gone as (select id from charging_orders where partner_id = ?), events as (delete from charging_order_events where order_id in (select id from gone)) delete from charging_orders where id in (select id from gone)`],
  ['sessions', `delete from sessions where partner_id = ?`],
  ['tariffs', `delete from tariff_versions where partner_id = ?`],
  ['reviews', `delete from location_reviews where partner_id = ?`],
  ['rejections', `delete from location_rejections where partner_id = ?`],
  ['evses', `delete from evses where partner_id = ?`],
  ['locations', `delete from locations where partner_id = ?`],
  ['tokens', `delete from tokens where sandbox_partner_id = ?`],
];

export async function wipeSandboxData(em: EntityManager, partner: Partner): Promise<Record<string, number>> {
  return em.transactional(async (tx) => {
    const removed: Record<string, number> = {};
    for (const [name, sql] of WIPE) {
      const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => partner.id);
      const result = await tx.getConnection().execute<{ affectedRows: number }>(sql, params, 'run', tx.getTransactionContext());
      removed[name] = result.affectedRows;
    }
    return removed;
  });
}
