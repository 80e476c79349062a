import { LockMode } from '@mikro-orm/core';
import { outsideSandbox } from '../../src/sandbox/visibility.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invalid, isUuid, notFound } from '../../src/errors.ts';
import { snakeView } from '../../src/api/view.ts';
import { LocationEntity, LocationReviewEntity, type LocationReview, type ReviewState } from './entities.ts';
import { publish } from './store.ts';
import { keyFieldChanges } from './key-fields.ts';
import { clearRejections, recordRejections } from './rejections.ts';
import { checkDecision, decide } from './review-lifecycle.ts';

/** The review queue: operators approve or reject new locations and key-field changes. */

function reviewView(review: LocationReview, locationId: string) {
  return {
    ...snakeView(review, ['id', 'partnerId']),
    location_id: locationId,
    ...snakeView(review, ['locationRef', 'kind', 'state', 'diff', 'flags', 'submittedAt', 'decidedAt?', 'decidedBy?', 'reason?']),
  };
}

const STATES: ReviewState[] = ['PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED'];

export async function listReviews(em: EntityManager, state: string | undefined) {
  if (state !== undefined && !STATES.includes(state as ReviewState)) throw invalid(`state: must be one of ${STATES.join(', ')}`);
  // Sandbox partners' locations are never reviewed; any review of theirs (made before it became one) stays out of the queue.
  const reviews = await em.find(LocationReviewEntity, { ...(state ? { state: state as ReviewState } : {}), ...(await outsideSandbox(em)) }, { orderBy: { seq: 'asc' } });
  const locations = await em.find(LocationEntity, { id: { $in: [...new Set(reviews.map((r) => r.locationRef))] } });
  return reviews.map((r) => reviewView(r, locations.find((l) => l.id === r.locationRef)?.locationId ?? ''));
}

export async function decideReview(em: EntityManager, id: string, decision: 'APPROVED' | 'REJECTED', actor: string, now: Date, reason?: unknown) {
  if (decision === 'REJECTED' && (typeof reason !== 'string' || !reason.trim())) throw invalid('reason: is required');
  if (!isUuid(id)) throw notFound(`no review ${id}`);
  return em.transactional(async (tx) => {
    const review = await tx.findOne(LocationReviewEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!review) throw notFound(`no review ${id}`);
    checkDecision(review, decision);
    const location = await tx.findOneOrFail(LocationEntity, { id: review.locationRef }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    decide(tx, review, decision, { now, actor, locationId: location.locationId, ...(decision === 'REJECTED' ? { reason: (reason as string).trim() } : {}) });
    if (decision === 'REJECTED') {
      await recordRejections(tx, review, actor, now);
    } else {
      // The pending review always carries the partner's latest changes to review; key fields it
      // does not carry (values rejected before) stay at their published values.
      const approved = new Set(review.diff.map((c) => c.field));
      const held = keyFieldChanges(location.published, location.current).filter((c) => !approved.has(c.field));
      await publish(tx, location, now, undefined, new Set(held.map((c) => c.field)));
      await clearRejections(tx, location.id, review.kind === 'NEW' ? 'ALL' : [...approved]);
    }
    return reviewView(review, location.locationId);
  });
}
