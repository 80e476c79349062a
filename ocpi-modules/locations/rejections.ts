import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { LocationEntity, LocationRejectionEntity, type FieldChange, type LocationRecord, type LocationRejection, type LocationReview } from './entities.ts';
import { keyFieldChanges, keyFields, sameValue } from './key-fields.ts';

/**
 * Rejected values stay rejected. An operator's rejection is kept per location and key field; a
 * later push that carries a rejected value again is not a change to review: that field stays at
 * its published value. Only a different value reopens a review.
 */

export interface ChangeSplit {
  /** Key-field changes between the published version and the partner's current data. */
  changes: FieldChange[];
  /** Those whose new value was rejected before: held at the published value, never reviewed again. */
  held: FieldChange[];
  /** The rest: what a review is about. */
  open: FieldChange[];
  /** The rejections still in force, those that `held` matched included. */
  rejections: LocationRejection[];
}

/**
 * Splits the location's key-field changes into held (rejected before) and open ones. Rejections of
 * a field the partner took back to its published value are done with and deleted.
 */
export async function splitChanges(em: EntityManager, row: LocationRecord): Promise<ChangeSplit> {
  const changes = keyFieldChanges(row.published, row.current);
  const all = await em.find(LocationRejectionEntity, { locationRef: row.id }, { orderBy: { seq: 'asc' } });
  const changed = new Set(changes.map((c) => c.field));
  const rejections = all.filter((r) => changed.has(r.field));
  for (const done of all.filter((r) => !changed.has(r.field))) em.remove(done);
  const rejected = (c: FieldChange) => rejections.find((r) => r.field === c.field && sameValue(r.value, c.after));
  return { changes, held: changes.filter((c) => rejected(c)), open: changes.filter((c) => !rejected(c)), rejections };
}

/** Notes for a review of a location never published: which of its values were rejected before, and why. */
export function rejectedBeforeFlags(split: ChangeSplit): string[] {
  return split.held.map((c) => {
    const r = split.rejections.find((x) => x.field === c.field && sameValue(x.value, c.after))!;
    return `${c.field}: this value was rejected before (review ${r.reviewId}: ${r.reason})`;
  });
}

/** On REJECTED: every value of the review's diff is rejected for its field (once). */
export async function recordRejections(em: EntityManager, review: LocationReview, actor: string, now: Date): Promise<void> {
  const known = await em.find(LocationRejectionEntity, { locationRef: review.locationRef });
  for (const change of review.diff) {
    if (known.some((r) => r.field === change.field && sameValue(r.value, change.after))) continue;
    em.persist(
      em.create(LocationRejectionEntity, {
        id: randomUUID(),
        locationRef: review.locationRef,
        partnerId: review.partnerId,
        reviewId: review.id,
        field: change.field,
        value: change.after ?? null,
        reason: review.reason!,
        decidedBy: actor,
        decidedAt: now,
      }),
    );
  }
}

/** An approved (or trusted) publication of `fields` supersedes the rejections of those fields. */
export async function clearRejections(em: EntityManager, locationRef: string, fields: string[] | 'ALL'): Promise<void> {
  const rows = await em.find(LocationRejectionEntity, { locationRef, ...(fields === 'ALL' ? {} : { field: { $in: fields } }) });
  for (const row of rows) em.remove(row);
}

/** The operations view: per location of the partner, its rejected values next to what the app shows and what the partner sends. */
export async function partnerRejections(em: EntityManager, partnerId: string) {
  const rows = await em.find(LocationRejectionEntity, { partnerId }, { orderBy: { seq: 'asc' } });
  const locations = await em.find(LocationEntity, { id: { $in: [...new Set(rows.map((r) => r.locationRef))] } }, { orderBy: { locationId: 'asc' } });
  return locations.map((location) => {
    const published = keyFields(location.published);
    const current = keyFields(location.current);
    return {
      location_id: location.locationId,
      location_ref: location.id,
      published: location.published != null,
      rejections: rows
        .filter((r) => r.locationRef === location.id)
        .map((r) => ({
          field: r.field,
          rejected_value: r.value ?? null,
          published_value: location.published ? (published.get(r.field) ?? null) : null,
          still_sent: sameValue(current.get(r.field) ?? null, r.value ?? null),
          reason: r.reason,
          review_id: r.reviewId,
          rejected_at: r.decidedAt,
          rejected_by: r.decidedBy,
        })),
    };
  });
}
