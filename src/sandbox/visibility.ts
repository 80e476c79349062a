import type { EntityManager } from '@mikro-orm/postgresql';
import { PartnerEntity } from '../partners/api.ts';

/**
 * Sandbox data stays in the sandbox: the app, finance, reconciliation, the operations queues
 * (reviews, exception tickets) and monitoring (gauges, alerts) read around sandbox partners.
 * Each reader filters with one of these; the sandbox API reads the partner's own data directly.
 */

/** SQL condition: the row's partner (`<alias>.partner_id`) is not a sandbox partner. */
export function notSandboxSql(alias: string, column = 'partner_id'): string {
  return `not exists (select 1 from partners sandbox_p where sandbox_p.id = ${alias}.${column} and sandbox_p.sandbox)`;
}

/** SQL condition: the exception ticket (`<alias>`) is no sandbox partner's, by its partner or by its order's. */
export function ticketOutsideSandboxSql(alias: string): string {
  return `${notSandboxSql(alias)} and (${alias}.order_id is null or not exists (select 1 from charging_orders sandbox_o where sandbox_o.id = ${alias}.order_id and not (${notSandboxSql('sandbox_o')})))`;
}

/** The ids of sandbox partners (few: partners testing against the hub). */
async function sandboxPartnerIds(em: EntityManager): Promise<string[]> {
  return (await em.find(PartnerEntity, { sandbox: true }, { fields: ['id'] })).map((p) => p.id);
}

/** A MikroORM condition on `partnerId` leaving sandbox partners out, merged with the caller's own partner filter. */
export async function outsideSandbox(em: EntityManager, partnerId?: string): Promise<{ partnerId?: string | { $in: string[] } | { $nin: string[] } }> {
  const ids = await sandboxPartnerIds(em);
  if (partnerId !== undefined) return { partnerId: ids.includes(partnerId) ? { $in: [] } : partnerId };
  return ids.length ? { partnerId: { $nin: ids } } : {};
}

export async function isSandboxPartner(em: EntityManager, partnerId: string | null | undefined): Promise<boolean> {
  if (!partnerId) return false;
  return (await em.count(PartnerEntity, { id: partnerId, sandbox: true })) > 0;
}

/**
 * Whether a charge may touch a charger or order of `partner`: on a sandbox partner's own start
 * or stop (`sandboxPartnerId`) only that partner's, for the app only non-sandbox partners'.
 */
export function chargeable(partner: { id: string; sandbox: boolean }, sandboxPartnerId: string | undefined): boolean {
  return sandboxPartnerId ? partner.id === sandboxPartnerId : !partner.sandbox;
}
