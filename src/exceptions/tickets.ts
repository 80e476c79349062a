import { randomUUID } from 'node:crypto';
import { EntitySchema, LockMode, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError, invalid, isUuid, notFound } from '../errors.ts';
import { recordEvent } from '../partners/events.ts';
import { snakeView } from '../api/view.ts';
import { ticketOutsideSandboxSql } from '../sandbox/visibility.ts';

/**
 * Exception tickets: the queue of what the hub could not settle by itself. Modules open them
 * (kind, the order and partner concerned, the evidence: requests and answers with their
 * times); operators resolve them with a resolution and a note. One table for every module.
 */
export interface EvidenceItem {
  at: string;
  what: string;
  detail?: unknown;
}

export interface ExceptionTicket {
  id: string;
  seq?: string;
  kind: string;
  state: 'OPEN' | 'RESOLVED';
  partnerId?: string | null;
  orderId?: string | null;
  summary: string;
  evidence: EvidenceItem[];
  createdAt: Date;
  resolvedAt?: Date | null;
  resolvedBy?: string | null;
  resolution?: string | null;
  note?: string | null;
}

export const ExceptionTicketEntity = new EntitySchema<ExceptionTicket>({
  name: 'ExceptionTicket',
  tableName: 'exception_tickets',
  properties: {
    id: { type: 'uuid', primary: true },
    seq: { type: 'bigint', persist: false },
    kind: { type: 'string' },
    state: { type: 'string' },
    partnerId: { type: 'uuid', nullable: true },
    orderId: { type: 'uuid', nullable: true },
    summary: { type: 'text' },
    evidence: { type: 'json' },
    createdAt: { type: 'Date' },
    resolvedAt: { type: 'Date', nullable: true },
    resolvedBy: { type: 'string', nullable: true },
    resolution: { type: 'string', nullable: true },
    note: { type: 'text', nullable: true },
  },
});

export interface NewTicket {
  kind: string;
  summary: string;
  partnerId?: string;
  orderId?: string;
  evidence?: EvidenceItem[];
}

/** Opens a ticket in the caller's unit of work (flushed with it). */
export function openTicket(em: EntityManager, now: Date, input: NewTicket): ExceptionTicket {
  const ticket = em.create(ExceptionTicketEntity, {
    id: randomUUID(),
    kind: input.kind,
    state: 'OPEN',
    partnerId: input.partnerId ?? null,
    orderId: input.orderId ?? null,
    summary: input.summary,
    evidence: input.evidence ?? [],
    createdAt: now,
  });
  em.persist(ticket);
  return ticket;
}

function ticketView(t: ExceptionTicket) {
  return snakeView(t, ['id', 'kind', 'state', 'partnerId?', 'orderId?', 'summary', 'evidence', 'createdAt', 'resolvedAt?', 'resolvedBy?', 'resolution?', 'note?']);
}

/** The operations queue. Tickets of sandbox partners (their tests' failures) are not operations' business: left out. */
export async function listTickets(em: EntityManager, filter: { state?: string; kind?: string }) {
  if (filter.state !== undefined && filter.state !== 'OPEN' && filter.state !== 'RESOLVED') throw invalid('state: must be OPEN or RESOLVED');
  const where = { ...(filter.state ? { state: filter.state as 'OPEN' | 'RESOLVED' } : {}), ...(filter.kind ? { kind: filter.kind } : {}) };
  return (await em.find(ExceptionTicketEntity, { ...where, [raw((alias: string) => ticketOutsideSandboxSql(alias))]: [] }, { orderBy: { seq: 'asc' } })).map(ticketView);
}

const RESOLUTION = /^[A-Z][A-Z0-9_]{1,59}$/;

export async function resolveTicket(em: EntityManager, id: string, input: { resolution: unknown; note: unknown }, actor: string, now: Date) {
  if (typeof input.resolution !== 'string' || !RESOLUTION.test(input.resolution)) throw invalid('resolution: must be an upper-case word such as REFUNDED or CONFIRMED_WITH_CPO');
  if (typeof input.note !== 'string' || !input.note.trim()) throw invalid('note: is required: say what was done');
  if (!isUuid(id)) throw notFound(`no exception ticket ${id}`);
  return em.transactional(async (tx) => {
    const ticket = await tx.findOne(ExceptionTicketEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!ticket) throw notFound(`no exception ticket ${id}`);
    if (ticket.state !== 'OPEN') throw new HubError('CONFLICT', `ticket is already ${ticket.state}`, { state: ticket.state });
    ticket.state = 'RESOLVED';
    ticket.resolvedAt = now;
    ticket.resolvedBy = actor;
    ticket.resolution = input.resolution as string;
    ticket.note = (input.note as string).trim();
    if (ticket.partnerId) recordEvent(tx, now, { partnerId: ticket.partnerId, kind: 'EXCEPTION_RESOLVED', actor, detail: { ticket_id: ticket.id, kind: ticket.kind, resolution: ticket.resolution } });
    return ticketView(ticket);
  });
}
