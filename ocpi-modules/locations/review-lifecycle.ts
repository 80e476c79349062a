import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError } from '../../src/errors.ts';
import { check, transition, type Lifecycle, type Moves } from '../../src/lifecycle.ts';
import { recordEvent } from '../../src/partners/events.ts';
import type { LocationReview, ReviewState } from './entities.ts';

/**
 * A review is decided once. An operator approves or rejects it; a newer change from the partner
 * supersedes it. Kept apart from reviews.ts so the location store can supersede without
 * importing the queue, which imports the store.
 */
export type ReviewCause = 'DECIDED' | 'SUPERSEDED';

// Per cause, so an operator cannot "decide" SUPERSEDED nor a newer change approve.
const MOVES: Record<ReviewCause, Moves<ReviewState>> = {
  DECIDED: { PENDING: ['APPROVED', 'REJECTED'] },
  SUPERSEDED: { PENDING: ['SUPERSEDED'] },
};

export interface ReviewMoveContext {
  now: Date;
  actor: string;
  /** The rejection's reason, trimmed. */
  reason?: string;
  /** For the partner's audit trail; only a decision needs it. */
  locationId?: string;
}

export const reviewLifecycle: Lifecycle<LocationReview, ReviewState, ReviewCause, ReviewMoveContext> = {
  moves: (cause) => MOVES[cause],
  stateOf: (review) => review.state,
  enter: (review, { to }, ctx) => {
    review.state = to;
    review.decidedAt = ctx.now;
    review.decidedBy = ctx.actor;
    if (ctx.reason !== undefined) review.reason = ctx.reason;
  },
  record: (em, review, { to, cause }, ctx) => {
    // A supersede is the partner's own newer change: the review list shows it, the audit trail does not.
    if (cause === 'SUPERSEDED') return;
    recordEvent(em, ctx.now, { partnerId: review.partnerId, kind: `LOCATION_${to}`, actor: ctx.actor, detail: { review_id: review.id, location_id: ctx.locationId, ...(review.reason ? { reason: review.reason } : {}) } });
  },
  refusal: (_, { from }) => new HubError('CONFLICT', `review is ${from}, not PENDING`, { state: from }),
};

/** Throws the CONFLICT of a review no longer PENDING, before the caller locks its location. */
export function checkDecision(review: LocationReview, decision: 'APPROVED' | 'REJECTED'): void {
  check(reviewLifecycle, review, decision, 'DECIDED');
}

export function decide(em: EntityManager, review: LocationReview, decision: 'APPROVED' | 'REJECTED', ctx: ReviewMoveContext): void {
  transition(em, reviewLifecycle, review, decision, 'DECIDED', ctx);
}

export function supersede(em: EntityManager, review: LocationReview, now: Date): void {
  transition(em, reviewLifecycle, review, 'SUPERSEDED', 'SUPERSEDED', { now, actor: 'system' });
}
