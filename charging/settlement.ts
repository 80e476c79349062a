import { Decimal } from 'decimal.js';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../src/services.ts';
import type { Logger } from '../src/observability/log.ts';
import { openTicket } from '../src/exceptions/tickets.ts';
import { HubError } from '../src/errors.ts';
import { check, transition, type Lifecycle, type Moves } from '../src/lifecycle.ts';
import { recordEvent } from '../src/partners/events.ts';
import { objectKey, sameId } from '../src/ocpi/party-scope.ts';
import type { Cdr, Tariff } from '../src/ocpi/types.ts';
import { LocationEntity, type LocationJson, connectorPowerKw } from '../ocpi-modules/locations/api.ts';
import { currentTariff, tariffForConnector } from '../ocpi-modules/tariffs/api.ts';
import { priceSession, type PricingFallback } from '../pricing/price.ts';
import { ChargingOrderEntity, type ChargingOrder } from './entities.ts';
import { noteOrder, transition as orderTransition } from './orders.ts';
import { CdrEntity, CdrEventEntity, cdrKey, type CdrRecord, type CdrState, type TariffSource, checkCdr } from '../ocpi-modules/cdrs/api.ts';

/**
 * Settlement of one CDR: RECEIVED → VALIDATED → SETTLED | DISPUTED, or → EXCEPTION. Our
 * price is the tariff the user saw (the order's snapshot, else the version in force at the
 * CDR's start, else the one held when the CDR arrived, else the CDR's own `tariffs`) applied
 * to what the CPO measured. The user is billed our price; a difference with the CPO's total
 * beyond SETTLEMENT_TOLERANCE (excl. VAT) is a dispute between us and the CPO.
 */
export interface SettleContext {
  services: Services;
  log: Logger;
  now: Date;
}

/**
 * A CDR's moves: settlement's, and finance's resolution of a dispute (DISPUTED → SETTLED, no
 * other). EXCEPTION leaves only when the hub settles it again: a second CDR held back
 * until its order's first is credited, or a credit that came before its original; settled
 * again, it may land in EXCEPTION once more (recorded again, with the new cause). SETTLED is
 * final: a correction is a credit CDR, not a move.
 */
const SETTLEMENT_MOVES: Moves<CdrState> = {
  RECEIVED: ['VALIDATED', 'EXCEPTION'],
  // EXCEPTION from VALIDATED: the rules passed but the tariff could not be applied.
  VALIDATED: ['SETTLED', 'DISPUTED', 'EXCEPTION'],
  EXCEPTION: ['VALIDATED', 'EXCEPTION'],
};

// Apart from settlement's moves: a resolution must not settle a CDR caught mid-settlement (VALIDATED).
const RESOLUTION_MOVES: Moves<CdrState> = { DISPUTED: ['SETTLED'] };

const RESOLVED = 'RESOLVED_';

export interface CdrMoveContext extends SettleContext {
  detail?: unknown;
  /** Who made the move, when a person did (a dispute's resolution). */
  actor?: string;
}

export const cdrLifecycle: Lifecycle<CdrRecord, CdrState, string, CdrMoveContext> = {
  moves: (cause) => (cause.startsWith(RESOLVED) ? RESOLUTION_MOVES : SETTLEMENT_MOVES),
  stateOf: (record) => record.state,
  enter: (record, { to, cause }) => {
    record.state = to;
    record.cause = cause;
  },
  record: (tx, record, { from, to, cause }, ctx) => {
    tx.persist(tx.create(CdrEventEntity, { cdrRef: record.id, at: ctx.now, cause, fromState: from === to ? null : from, toState: to, actor: ctx.actor ?? null, detail: ctx.detail ?? null }));
    ctx.log.info({ cdr: record.cdrKey, from, to, cause }, 'CDR transition');
  },
  // Only a resolution is asked for from outside; any other refused move is the hub's own mistake.
  refusal: (record, { from, to, cause }) =>
    cause.startsWith(RESOLVED)
      ? new HubError('CONFLICT', `CDR is ${from}: only a DISPUTED one can be resolved`, { state: from })
      : new HubError('INTERNAL', `CDR ${record.cdrKey} cannot move from ${from} to ${to} (${cause})`, { state: from }),
};

export function cdrTransition(tx: EntityManager, record: CdrRecord, to: CdrState, cause: string, ctx: SettleContext, detail?: unknown, actor?: string): void {
  transition(tx, cdrLifecycle, record, to, cause, { ...ctx, detail, actor });
}

export type DisputeResolution = 'ACCEPT_PARTNER' | 'ACCEPT_OURS' | 'WRITE_OFF';

/** Settles a DISPUTED CDR as finance agreed with the CPO, audited on the partner. The CDR must be locked by the caller. */
export function resolveDispute(tx: EntityManager, cdr: CdrRecord, resolution: DisputeResolution, note: string, actor: string, ctx: SettleContext): void {
  const cause = `${RESOLVED}${resolution}`;
  // Refused before the resolution is written on the CDR.
  check(cdrLifecycle, cdr, 'SETTLED', cause);
  cdr.resolution = resolution;
  cdr.resolutionNote = note;
  cdr.resolvedBy = actor;
  cdr.resolvedAt = ctx.now;
  cdrTransition(tx, cdr, 'SETTLED', cause, ctx, { note: cdr.resolutionNote, ours: cdr.ourExclVat, theirs: cdr.theirExclVat }, actor);
  recordEvent(tx, ctx.now, { partnerId: cdr.partnerId, kind: 'CDR_DISPUTE_RESOLVED', actor, detail: { cdr: cdr.cdrKey, resolution: cdr.resolution, difference: cdr.difference } });
}

function exception(tx: EntityManager, record: CdrRecord, cause: string, ctx: SettleContext, kind: string, summary: string, detail?: unknown): void {
  cdrTransition(tx, record, 'EXCEPTION', cause, ctx, detail);
  openTicket(tx, ctx.now, {
    kind,
    summary,
    partnerId: record.partnerId,
    orderId: record.orderId ?? undefined,
    evidence: [{ at: ctx.now.toISOString(), what: `CDR ${record.cdrKey} received (${record.via})`, detail: { cdr_id: record.id, cause, ...(detail ? { detail } : {}) } }],
  });
}

const fixed = (d: Decimal) => d.toFixed(4);

export interface PricingTariff {
  tariff: Tariff;
  source: TariffSource;
  versionId?: string;
}

/** Which tariff prices this CDR, in the order of preference the settlement rule gives. */
async function tariffFor(tx: EntityManager, cdr: Cdr, order: ChargingOrder | null, location: LocationJson | undefined): Promise<PricingTariff | undefined> {
  if (order?.tariffSnapshot) return { tariff: order.tariffSnapshot as unknown as Tariff, source: 'ORDER_SNAPSHOT', versionId: order.tariffVersionId ?? undefined };
  const party = { countryCode: cdr.country_code, partyId: cdr.party_id };
  const connector = location?.evses?.find((e) => sameId(e.uid, cdr.cdr_location.evse_uid))?.connectors.find((c) => sameId(c.id, cdr.cdr_location.connector_id));
  const ids = [...new Set([...cdr.charging_periods.flatMap((p) => (p.tariff_id ? [p.tariff_id] : [])), ...((connector?.tariff_ids as string[] | undefined) ?? []), ...(cdr.tariffs ?? []).map((t) => t.id)])];
  const atStart = await tariffForConnector(tx, party, ids, new Date(cdr.start_date_time));
  if (atStart) return { tariff: atStart.tariff, source: 'TARIFF_AT_START', versionId: atStart.versionId };
  for (const tariffId of ids) {
    const held = await currentTariff(tx, { ...party, tariffId });
    if (held) return { tariff: held.tariff, source: 'TARIFF_AT_RECEIPT', versionId: held.versionId };
  }
  const own = cdr.tariffs ?? [];
  const chosen = own.find((t) => !t.type || t.type === 'REGULAR') ?? own[0];
  return chosen ? { tariff: chosen, source: 'CDR_TARIFFS' } : undefined;
}

export async function settleCdr(tx: EntityManager, record: CdrRecord, order: ChargingOrder | null, ctx: SettleContext): Promise<void> {
  const cdr = record.body;
  if (record.credit) return settleCredit(tx, record, ctx);

  if (order?.cdrRef && order.cdrRef !== record.id) {
    const billed = await tx.findOne(CdrEntity, { id: order.cdrRef });
    if (billed && !billed.creditedBy) {
      return exception(tx, record, 'SECOND_CDR_FOR_ORDER', ctx, 'SECOND_CDR_FOR_ORDER', `CPO sent CDR ${record.cdrKey} for order ${order.id}, already billed from CDR ${billed.cdrKey}: the user must not pay twice`);
    }
  }

  const location = (await tx.findOne(LocationEntity, { locationKey: objectKey(cdr.country_code, cdr.party_id, cdr.cdr_location.id) }))?.current;
  const tariff = await tariffFor(tx, cdr, order, location);
  const connector = location?.evses?.find((e) => sameId(e.uid, cdr.cdr_location.evse_uid))?.connectors.find((c) => sameId(c.id, cdr.cdr_location.connector_id));
  const power = connector ? connectorPowerKw(connector) : null;
  const { problems, flags } = checkCdr(cdr, { connectorPowerKw: power ?? undefined, tariffCurrency: tariff?.tariff.currency });
  const timeZone = order?.tariffTimeZone ?? (typeof location?.time_zone === 'string' ? location.time_zone : undefined);
  if (!timeZone) flags.push('TIME_ZONE_UNKNOWN: the location is not known to the hub: tariff restrictions evaluated in UTC');
  record.flags = flags;
  record.problems = problems;
  if (problems.length) {
    return exception(tx, record, 'VALIDATION_FAILED', ctx, 'CDR_INVALID', `CDR ${record.cdrKey} breaks ${problems.length} rule(s): ${problems.map((p) => p.split(':')[0]).join(', ')}`, { problems });
  }
  if (!tariff) return exception(tx, record, 'NO_TARIFF', ctx, 'CDR_UNPRICEABLE', `CDR ${record.cdrKey}: no tariff to price it with (no snapshot, none held by the hub, none in the CDR)`);
  cdrTransition(tx, record, 'VALIDATED', 'RULES_PASSED', ctx, flags.length ? { flags } : undefined);

  let price;
  try {
    price = priceSession({ tariff: tariff.tariff, timeZone, startDateTime: cdr.start_date_time, endDateTime: cdr.end_date_time, chargingPeriods: cdr.charging_periods, totalEnergy: cdr.total_energy });
  } catch (err) {
    return exception(tx, record, 'PRICING_FAILED', ctx, 'CDR_UNPRICEABLE', `CDR ${record.cdrKey} could not be priced: ${(err as Error).message}`);
  }
  record.tariffSource = tariff.source;
  record.tariffVersionId = tariff.versionId ?? null;
  record.tariffUsed = tariff.tariff as unknown as Record<string, unknown>;
  record.pricing = price as unknown as Record<string, unknown>;
  record.ourExclVat = fixed(new Decimal(price.total.excl_vat));
  record.ourInclVat = fixed(new Decimal(price.total.incl_vat));
  compare(tx, record, ctx);

  if (!order) return;
  if (order.state === 'FAILED') {
    noteOrder(tx, order, 'CDR_FOR_FAILED_ORDER', { ...ctx, detail: { cdr: record.cdrKey, their_excl_vat: record.theirExclVat } });
    openTicket(tx, ctx.now, { kind: 'CDR_FOR_FAILED_ORDER', summary: `CPO sent CDR ${record.cdrKey} (${record.theirExclVat} ${record.currency}) for order ${order.id}, which had FAILED (${order.cause}): decide whether the user is billed`, partnerId: order.partnerId, orderId: order.id, evidence: [{ at: ctx.now.toISOString(), what: 'CDR', detail: { cdr_id: record.id } }] });
    return;
  }
  bill(tx, order, record, ctx);
}

function compare(tx: EntityManager, record: CdrRecord, ctx: SettleContext): void {
  const difference = new Decimal(record.theirExclVat).minus(record.ourExclVat!);
  record.difference = fixed(difference);
  const within = difference.abs().lessThanOrEqualTo(ctx.services.config.settlementTolerance);
  // A price computed on assumptions says which, so the transition explains a difference by itself.
  const fallbacks = (record.pricing as { fallbacks?: PricingFallback[] } | null | undefined)?.fallbacks ?? [];
  const detail = { ours: record.ourExclVat, theirs: record.theirExclVat, difference: record.difference, tariff_source: record.tariffSource, ...(fallbacks.length ? { fallbacks: fallbacks.map((f) => f.code) } : {}) };
  cdrTransition(tx, record, within ? 'SETTLED' : 'DISPUTED', within ? 'PRICE_MATCHES' : 'PRICE_DIFFERS', ctx, detail);
}

function bill(tx: EntityManager, order: ChargingOrder, record: CdrRecord, ctx: SettleContext): void {
  const detail = { cdr: record.cdrKey, billed_excl_vat: record.ourExclVat, billed_incl_vat: record.ourInclVat, cdr_state: record.state };
  if (order.state === 'COMPLETED') noteOrder(tx, order, 'CDR_REBILLED', { ...ctx, detail });
  // The bill is written only with the transition that allows it.
  else if (!orderTransition(tx, order, 'COMPLETED', record.state === 'SETTLED' ? 'CDR_SETTLED' : 'CDR_DISPUTED', { ...ctx, detail })) return;
  order.billedCurrency = record.currency;
  order.billedExclVat = record.ourExclVat ?? null;
  order.billedInclVat = record.ourInclVat ?? null;
  order.cdrRef = record.id;
  order.updatedAt = ctx.now;
}

/**
 * A credit CDR reverses its original: our price is the original's, negated (or, for an
 * original we never priced, the credit's own amount, so the two cancel out), and the
 * user's bill goes back to zero until the corrected CDR arrives.
 */
async function settleCredit(tx: EntityManager, record: CdrRecord, ctx: SettleContext): Promise<void> {
  const cdr = record.body;
  const { problems } = checkCdr(cdr);
  record.problems = problems;
  const original = cdr.credit_reference_id ? await tx.findOne(CdrEntity, { cdrKey: cdrKey(cdr.country_code, cdr.party_id, cdr.credit_reference_id) }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
  if (problems.length) return exception(tx, record, 'VALIDATION_FAILED', ctx, 'CDR_INVALID', `credit CDR ${record.cdrKey} breaks ${problems.length} rule(s)`, { problems });
  if (!original) return exception(tx, record, 'CREDIT_FOR_UNKNOWN_CDR', ctx, 'CDR_CREDIT_UNKNOWN', `credit CDR ${record.cdrKey} refers to ${cdr.credit_reference_id}, which the hub never received`);
  if (original.creditedBy) return exception(tx, record, 'CREDIT_DUPLICATE', ctx, 'CDR_CREDIT_DUPLICATE', `credit CDR ${record.cdrKey}: ${original.cdrKey} was already credited`);
  record.orderId = original.orderId ?? null;
  cdrTransition(tx, record, 'VALIDATED', 'RULES_PASSED', ctx, { credits: original.cdrKey });
  record.ourExclVat = original.ourExclVat ? fixed(new Decimal(original.ourExclVat).negated()) : record.theirExclVat;
  record.ourInclVat = original.ourInclVat ? fixed(new Decimal(original.ourInclVat).negated()) : (record.theirInclVat ?? null);
  record.tariffSource = original.tariffSource ?? null;
  compare(tx, record, ctx);
  original.creditedBy = record.id;
  tx.persist(tx.create(CdrEventEntity, { cdrRef: original.id, at: ctx.now, cause: 'CREDITED', fromState: null, toState: null, actor: null, detail: { credit: record.cdrKey } }));
  if (!original.orderId) return;
  const order = await tx.findOne(ChargingOrderEntity, { id: original.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (order?.cdrRef === original.id) {
    order.billedExclVat = fixed(new Decimal(0));
    order.billedInclVat = fixed(new Decimal(0));
    order.cdrRef = null;
    order.updatedAt = ctx.now;
    noteOrder(tx, order, 'CDR_CREDITED', { ...ctx, detail: { original: original.cdrKey, credit: record.cdrKey } });
    // The corrected CDR may have come before this credit and been held back as a second CDR: now it bills.
    await tx.flush();
    const held = await tx.findOne(CdrEntity, { orderId: order.id, state: 'EXCEPTION', cause: 'SECOND_CDR_FOR_ORDER', creditedBy: null }, { orderBy: { seq: 'asc' } });
    if (held) await settleCdr(tx, held, order, ctx);
  }
}

/**
 * A credit that came before its original waits in EXCEPTION (CREDIT_FOR_UNKNOWN_CDR); when the
 * original arrives, the credit is applied to it, whatever the order of arrival.
 */
export async function applyWaitingCredits(tx: EntityManager, original: CdrRecord, ctx: SettleContext): Promise<void> {
  await tx.flush();
  const waiting = await tx.find(CdrEntity, { partnerId: original.partnerId, credit: true, state: 'EXCEPTION', cause: 'CREDIT_FOR_UNKNOWN_CDR' }, { orderBy: { seq: 'asc' } });
  const credit = waiting.find((c) => sameId(c.countryCode, original.countryCode) && sameId(c.partyId, original.partyId) && sameId(c.body.credit_reference_id, original.cdrId));
  if (credit) await settleCredit(tx, credit, ctx);
}
