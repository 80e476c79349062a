import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The one way a state changes in the hub's lifecycles (partner, charging order, CDR settlement,
 * location review). Each lifecycle states its moves in a table and records a change in its own
 * event table; `transition` checks the move against the table, then writes the new state and the
 * event row together, in the caller's unit of work — so no write can skip the table or the trail.
 */

/** from → the states a move may reach. A state not listed allows nothing; a state listing itself may "move" in place. */
export type Moves<S extends string> = Readonly<Partial<Record<S, readonly S[]>>>;

export interface Move<S extends string, C extends string> {
  from: S;
  to: S;
  cause: C;
}

export interface Lifecycle<T, S extends string, C extends string, X> {
  /** The moves `cause` may make: one table for most lifecycles; the partner's differs per operator action. */
  moves(cause: C): Moves<S>;
  stateOf(subject: T): S;
  /** Writes the new state on the subject, with what goes along with it (the order's message, the CDR's cause). */
  enter(subject: T, move: Move<S, C>, ctx: X): void;
  /** The event row of a move made, in this lifecycle's own table. */
  record(em: EntityManager, subject: T, move: Move<S, C>, ctx: X): void;
  /**
   * A move the table refuses: the typed error this lifecycle's callers answer with, or 'IGNORE'
   * where a refusal is normal traffic (the order's duplicates and late messages).
   */
  refusal(subject: T, move: Move<S, C>): Error | 'IGNORE';
  /** Records an ignored move (only lifecycles whose refusal is 'IGNORE'). */
  ignored?(em: EntityManager, subject: T, move: Move<S, C>, ctx: X): void;
}

/**
 * Whether the table allows the move; throws the lifecycle's error when it refuses and does not ignore.
 * Callers use it alone to refuse before slow work (a handshake calls the partner's API first).
 */
export function check<T, S extends string, C extends string, X>(lifecycle: Lifecycle<T, S, C, X>, subject: T, to: S, cause: C): boolean {
  const from = lifecycle.stateOf(subject);
  if (lifecycle.moves(cause)[from]?.includes(to)) return true;
  const refusal = lifecycle.refusal(subject, { from, to, cause });
  if (refusal !== 'IGNORE') throw refusal;
  return false;
}

/** Moves `subject` to `to` for `cause` and records it; returns false for an ignored refusal. The caller holds the row lock. */
export function transition<T, S extends string, C extends string, X>(em: EntityManager, lifecycle: Lifecycle<T, S, C, X>, subject: T, to: S, cause: C, ctx: X): boolean {
  const move: Move<S, C> = { from: lifecycle.stateOf(subject), to, cause };
  if (!check(lifecycle, subject, to, cause)) {
    lifecycle.ignored?.(em, subject, move, ctx);
    return false;
  }
  lifecycle.enter(subject, move, ctx);
  lifecycle.record(em, subject, move, ctx);
  return true;
}
