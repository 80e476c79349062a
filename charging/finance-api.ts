import Router from '@koa/router';
import type { Context } from 'koa';
import { Decimal } from 'decimal.js';
import { LockMode } from '@mikro-orm/core';
import type { Services } from '../src/services.ts';
import { jsonBody, requireApiKey, type ApiState } from '../src/api/frame.ts';
import { snakeView } from '../src/api/view.ts';
import { HubError, invalid, isUuid, notFound } from '../src/errors.ts';
import { parseDateTime } from '../src/ocpi/datetime.ts';
import { getPartner } from '../src/partners/registry.ts';
import { CdrEntity, CdrEventEntity, ReconciliationLineEntity, ReconciliationRunEntity, type CdrRecord, type CdrState, type ReconciliationRun } from '../ocpi-modules/cdrs/api.ts';
import { resolveDispute, type DisputeResolution } from './settlement.ts';
import { reconcile } from './reconciliation.ts';
import { toCsv } from './csv.ts';
import { isSandboxPartner, outsideSandbox } from '../src/sandbox/visibility.ts';

/**
 * The finance API. Amounts are decimal numbers in the currency's major unit (5.5 is EUR 5.50),
 * excluding VAT unless the name says otherwise; a `difference` is the partner's price minus
 * ours. Periods are [from, to) on the CDR's end (when the charge ended), except
 * reconciliation runs, which follow the CPO's `last_updated`.
 */
const STATES: CdrState[] = ['RECEIVED', 'VALIDATED', 'SETTLED', 'DISPUTED', 'EXCEPTION'];
const RESOLUTIONS: readonly string[] = ['ACCEPT_PARTNER', 'ACCEPT_OURS', 'WRITE_OFF'];

const num = (value: string | null | undefined) => (value == null ? null : Number(value));

function moment(name: string, raw: unknown, required: boolean): Date | undefined {
  if (raw === undefined || raw === '') {
    if (required) throw invalid(`${name}: is required (a date such as 2026-11-01 or a UTC DateTime)`);
    return undefined;
  }
  if (typeof raw !== 'string') throw invalid(`${name}: must be given once`);
  const value = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? parseDateTime(`${raw}T00:00:00Z`) : parseDateTime(raw);
  if (!value) throw invalid(`${name}: "${raw}" is not a date (2026-11-01) or a UTC DateTime (2026-11-01T00:00:00Z)`);
  return value;
}

function period(query: Record<string, unknown>, required = false) {
  const from = moment('from', query.from, required);
  const to = moment('to', query.to, required);
  if (from && to && to <= from) throw invalid('to: must be after from');
  return { from, to };
}

function partnerFilter(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !isUuid(raw)) throw invalid(`partner_id: "${String(raw)}" is not a partner id`);
  return raw;
}

function cdrView(c: CdrRecord) {
  return {
    ...snakeView(c, ['id', 'cdrId', 'partnerId', 'countryCode', 'partyId', 'state', 'cause', 'currency', 'startDateTime', 'endDateTime']),
    total_energy: num(c.totalEnergy),
    our_price: c.ourExclVat == null ? null : { excl_vat: num(c.ourExclVat), incl_vat: num(c.ourInclVat) },
    their_price: { excl_vat: num(c.theirExclVat), incl_vat: num(c.theirInclVat) },
    difference: num(c.difference),
    tariff_source: c.tariffSource ?? null,
    // What our price had to assume (null: not priced), so a clerk sees why it may differ from theirs.
    fallbacks: c.pricing ? ((c.pricing as { fallbacks?: unknown[] }).fallbacks ?? []) : null,
    ...snakeView(c, ['credit', 'creditedBy?', 'orderId?', 'flags', 'problems', 'via', 'receivedAt', 'resolution?', 'resolutionNote?', 'resolvedBy?', 'resolvedAt?']),
  };
}

export interface ReconciliationRow {
  partner_id: string;
  partner_name: string;
  country_code: string;
  party_id: string;
  currency: string;
  count: number;
  kwh: number;
  their_total: number;
  our_total: number;
  difference: number;
  disputed_count: number;
  exception_count: number;
}

/** Per partner and currency; totals over priced CDRs (SETTLED, DISPUTED), credits counted negative. */
async function reconciliationRows(state: ApiState, from: Date, to: Date, partnerId?: string): Promise<ReconciliationRow[]> {
  const rows: Record<string, string>[] = await state.em.getConnection().execute(
    `select c.partner_id, p.name as partner_name, p.country_code, p.party_id, c.currency,
            count(*) as count,
            coalesce(sum(case when c.state in ('SETTLED', 'DISPUTED') then (case when c.credit then -c.total_energy else c.total_energy end) end), 0) as kwh,
            coalesce(sum(c.their_excl_vat) filter (where c.state in ('SETTLED', 'DISPUTED')), 0) as their_total,
            coalesce(sum(c.our_excl_vat) filter (where c.state in ('SETTLED', 'DISPUTED')), 0) as our_total,
            count(*) filter (where c.state = 'DISPUTED') as disputed_count,
            count(*) filter (where c.state = 'EXCEPTION') as exception_count
       from cdrs c join partners p on p.id = c.partner_id
      where c.end_date_time >= ? and c.end_date_time < ? and not p.sandbox ${partnerId ? 'and c.partner_id = ?' : ''}
      group by c.partner_id, p.name, p.country_code, p.party_id, c.currency
      order by p.country_code, p.party_id, c.currency`,
    partnerId ? [from, to, partnerId] : [from, to],
  );
  return rows.map((r) => ({
    partner_id: r.partner_id!,
    partner_name: r.partner_name!,
    country_code: r.country_code!,
    party_id: r.party_id!,
    currency: r.currency!,
    count: Number(r.count),
    kwh: Number(new Decimal(r.kwh!).toFixed(4)),
    their_total: Number(new Decimal(r.their_total!).toFixed(4)),
    our_total: Number(new Decimal(r.our_total!).toFixed(4)),
    difference: Number(new Decimal(r.their_total!).minus(r.our_total!).toFixed(4)),
    disputed_count: Number(r.disputed_count),
    exception_count: Number(r.exception_count),
  }));
}

async function runView(state: ApiState, run: ReconciliationRun) {
  const lines = await state.em.find(ReconciliationLineEntity, { runId: run.id }, { orderBy: { id: 'asc' } });
  return {
    ...snakeView(run, ['id', 'partnerId', ['from', 'periodFrom'], ['to', 'periodTo'], 'status', 'summary?', 'error?', 'startedAt', 'finishedAt?', 'startedBy']),
    lines: lines.map((l) => ({ kind: l.kind, cdr: l.cdrKey, cdr_record_id: l.cdrRef ?? null, detail: l.detail ?? null })),
  };
}

export function financeRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/finance' });
  router.use(requireApiKey(services, 'finance', services.secrets.financeApiKey));
  const s = (ctx: Context) => ctx.state as ApiState;

  router.get('/cdrs', async (ctx) => {
    const { from, to } = period(ctx.query);
    const partnerId = partnerFilter(ctx.query.partner_id);
    const stateFilter = typeof ctx.query.state === 'string' ? ctx.query.state : undefined;
    if (stateFilter && !STATES.includes(stateFilter as CdrState)) throw invalid(`state: must be one of ${STATES.join(', ')}`);
    const limit = ctx.query.limit === undefined ? 100 : Number(ctx.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw invalid('limit: must be an integer from 1 to 500');
    let after: string | undefined;
    if (typeof ctx.query.cursor === 'string') {
      after = Buffer.from(ctx.query.cursor, 'base64url').toString('utf8');
      if (!/^\d{1,18}$/.test(after)) throw invalid('cursor: not a cursor this API gave out');
    }
    const where = {
      // A sandbox partner's CDRs never reach finance.
      ...(await outsideSandbox(s(ctx).em, partnerId)),
      ...(stateFilter ? { state: stateFilter as CdrState } : {}),
      ...(from || to ? { endDateTime: { ...(from ? { $gte: from } : {}), ...(to ? { $lt: to } : {}) } } : {}),
      ...(after ? { seq: { $gt: after } } : {}),
    };
    const rows = await s(ctx).em.find(CdrEntity, where, { orderBy: { seq: 'asc' }, limit: limit + 1 });
    const page = rows.slice(0, limit);
    ctx.body = { data: page.map(cdrView), next_cursor: rows.length > limit ? Buffer.from(String(page.at(-1)!.seq)).toString('base64url') : null };
  });

  router.get('/cdrs/:id', async (ctx) => {
    const id = ctx.params.id!;
    const cdr = isUuid(id) ? await s(ctx).em.findOne(CdrEntity, { id }) : null;
    if (!cdr || (await isSandboxPartner(s(ctx).em, cdr.partnerId))) throw notFound(`no CDR ${id}`);
    const events = await s(ctx).em.find(CdrEventEntity, { cdrRef: cdr.id }, { orderBy: { id: 'asc' } });
    ctx.body = { ...cdrView(cdr), tariff_used: cdr.tariffUsed ?? null, pricing: cdr.pricing ?? null, cdr: cdr.body, events: events.map((e) => ({ at: e.at, cause: e.cause, from: e.fromState ?? null, to: e.toState ?? null, actor: e.actor ?? null, detail: e.detail ?? null })) };
  });

  router.post('/cdrs/:id/resolve', async (ctx) => {
    const body = await jsonBody(ctx, services);
    if (typeof body.resolution !== 'string' || !RESOLUTIONS.includes(body.resolution)) throw invalid(`resolution: must be one of ${RESOLUTIONS.join(', ')}`);
    if (typeof body.note !== 'string' || !body.note.trim()) throw invalid('note: is required: say what was agreed');
    const id = ctx.params.id!;
    if (!isUuid(id)) throw notFound(`no CDR ${id}`);
    const now = services.clock.now();
    const actor = s(ctx).actor!;
    ctx.body = await s(ctx).em.transactional(async (tx) => {
      const cdr = await tx.findOne(CdrEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!cdr || (await isSandboxPartner(tx, cdr.partnerId))) throw notFound(`no CDR ${id}`);
      resolveDispute(tx, cdr, body.resolution as DisputeResolution, (body.note as string).trim(), actor, { services, log: s(ctx).log, now });
      return cdrView(cdr);
    });
  });

  const reconciliation = async (ctx: Context, csv: boolean) => {
    const { from, to } = period(ctx.query, true);
    const rows = await reconciliationRows(s(ctx), from!, to!, partnerFilter(ctx.query.partner_id));
    if (csv || ctx.accepts('application/json', 'text/csv') === 'text/csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.set('Content-Disposition', `attachment; filename="reconciliation-${ctx.query.from}-${ctx.query.to}.csv"`);
      ctx.body = toCsv(['partner_id', 'partner_name', 'country_code', 'party_id', 'currency', 'count', 'kwh', 'their_total', 'our_total', 'difference', 'disputed_count', 'exception_count'], rows as unknown as Record<string, unknown>[]);
      return;
    }
    ctx.body = { from, to, data: rows };
  };
  router.get('/reconciliation', (ctx) => reconciliation(ctx, false));
  router.get('/reconciliation.csv', (ctx) => reconciliation(ctx, true));

  router.post('/reconciliation-runs', async (ctx) => {
    const body = await jsonBody(ctx, services);
    const partnerId = partnerFilter(body.partner_id);
    if (!partnerId) throw invalid('partner_id: is required');
    const { from, to } = period(body, true);
    const partner = await getPartner(s(ctx).em, partnerId);
    if (partner.sandbox) throw new HubError('CONFLICT', `partner ${partnerId} is a sandbox partner: its CDRs are not reconciled`, { reason: 'SANDBOX_PARTNER' });
    const run = await reconcile(services, s(ctx).log, partnerId, from!, to!, s(ctx).actor!);
    ctx.status = 201;
    ctx.body = await runView(s(ctx), run);
  });

  router.get('/reconciliation-runs/:id', async (ctx) => {
    const id = ctx.params.id!;
    const run = isUuid(id) ? await s(ctx).em.findOne(ReconciliationRunEntity, { id }) : null;
    if (!run || (await isSandboxPartner(s(ctx).em, run.partnerId))) throw notFound(`no reconciliation run ${id}`);
    ctx.body = await runView(s(ctx), run);
  });
  return router;
}
