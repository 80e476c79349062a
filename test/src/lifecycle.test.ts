import { expect } from 'chai';
import type { EntityManager } from '@mikro-orm/postgresql';
import { check } from '../../src/lifecycle.ts';
import { orderLifecycle, transition } from '../../charging/orders.ts';
import { cdrLifecycle } from '../../charging/settlement.ts';
import { reviewLifecycle } from '../../ocpi-modules/locations/review-lifecycle.ts';
import type { Logger } from '../../src/observability/log.ts';

// The tables alone, without a hub: what each lifecycle allows, ignores and refuses. The subjects'
// types come from the lifecycles: a test imports no other folder's entities.ts.
type ChargingOrder = Parameters<typeof orderLifecycle.stateOf>[0];
type CdrRecord = Parameters<typeof cdrLifecycle.stateOf>[0];
type LocationReview = Parameters<typeof reviewLifecycle.stateOf>[0];
const order = (state: ChargingOrder['state']) => ({ id: 'o', state }) as ChargingOrder;
const cdr = (state: CdrRecord['state']) => ({ cdrKey: 'BE/BEC/1', state }) as CdrRecord;
const review = (state: LocationReview['state']) => ({ state }) as LocationReview;

describe('lifecycle tables', () => {
  it('charging order: a repeat or a late message is ignored and noted, never thrown', () => {
    expect(check(orderLifecycle, order('REQUESTED'), 'ACTIVE', 'START_ACCEPTED')).to.equal(true);
    expect(check(orderLifecycle, order('ACTIVE'), 'ACTIVE', 'SESSION_ACTIVE')).to.equal(false);
    expect(check(orderLifecycle, order('COMPLETED'), 'ACTIVE', 'SESSION_ACTIVE')).to.equal(false);
    const rows: Record<string, unknown>[] = [];
    const em = { create: (_: unknown, row: Record<string, unknown>) => row, persist: (row: Record<string, unknown>) => rows.push(row) } as unknown as EntityManager;
    const log = { info: () => {} } as unknown as Logger;
    const subject = order('FAILED');
    expect(transition(em, subject, 'ACTIVE', 'SESSION_ACTIVE', { now: new Date(0), log, detail: { x: 1 } })).to.equal(false);
    expect(subject.state).to.equal('FAILED');
    expect(rows).to.deep.equal([{ orderId: 'o', at: new Date(0), cause: 'IGNORED_SESSION_ACTIVE', fromState: null, toState: null, detail: { state: 'FAILED', wanted: 'ACTIVE', detail: { x: 1 } } }]);
  });

  it('CDR: a settled CDR moves no more; resolving one keeps its CONFLICT answer', () => {
    expect(check(cdrLifecycle, cdr('EXCEPTION'), 'EXCEPTION', 'VALIDATION_FAILED')).to.equal(true);
    expect(check(cdrLifecycle, cdr('EXCEPTION'), 'VALIDATED', 'RULES_PASSED')).to.equal(true);
    expect(() => check(cdrLifecycle, cdr('SETTLED'), 'DISPUTED', 'PRICE_DIFFERS')).to.throw().with.property('kind', 'INTERNAL');
    expect(() => check(cdrLifecycle, cdr('DISPUTED'), 'SETTLED', 'PRICE_MATCHES')).to.throw().with.property('kind', 'INTERNAL');
    expect(check(cdrLifecycle, cdr('DISPUTED'), 'SETTLED', 'RESOLVED_ACCEPT_OURS')).to.equal(true);
    for (const state of ['SETTLED', 'VALIDATED', 'EXCEPTION'] as const) {
      expect(() => check(cdrLifecycle, cdr(state), 'SETTLED', 'RESOLVED_WRITE_OFF'))
        .to.throw(`CDR is ${state}: only a DISPUTED one can be resolved`)
        .that.deep.includes({ kind: 'CONFLICT', details: { state } });
    }
  });

  it('location review: decided once; only a newer change supersedes', () => {
    expect(check(reviewLifecycle, review('PENDING'), 'REJECTED', 'DECIDED')).to.equal(true);
    expect(check(reviewLifecycle, review('PENDING'), 'SUPERSEDED', 'SUPERSEDED')).to.equal(true);
    expect(() => check(reviewLifecycle, review('PENDING'), 'SUPERSEDED', 'DECIDED')).to.throw('review is PENDING, not PENDING');
    expect(() => check(reviewLifecycle, review('APPROVED'), 'REJECTED', 'DECIDED'))
      .to.throw('review is APPROVED, not PENDING')
      .that.deep.includes({ kind: 'CONFLICT', details: { state: 'APPROVED' } });
  });
});
