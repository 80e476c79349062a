import type { EntityManager } from '@mikro-orm/postgresql';
import { HubError } from '../errors.ts';
import { transition, type Lifecycle, type Moves } from '../lifecycle.ts';
import type { Partner, PartnerStatus } from './entities.ts';
import { recordEvent } from './events.ts';

/**
 * PENDING_REVIEW → APPROVED → ACTIVE (handshake done) ↔ SUSPENDED; PENDING_REVIEW → REJECTED.
 * ACTIVE → APPROVED when the partner unregisters or an operator resets its credentials: it
 * keeps its approval and needs a fresh token A. Each of the eight actions that change a
 * partner's status has its own moves, and its own entry in the partner's audit trail.
 */
export type PartnerAction = 'approve' | 'reject' | 'suspend' | 'resume' | 'reset' | 'register' | 'connect' | 'unregister';

const ACTIONS: Record<PartnerAction, { event: string; refused: string; moves: Moves<PartnerStatus> }> = {
  // Approving an ACTIVE or SUSPENDED partner again was allowed before this table (the old one
  // had ACTIVE/SUSPENDED → APPROVED for unregister and reset): kept, behaviour unchanged.
  approve: { event: 'APPROVED', refused: 'approve', moves: { PENDING_REVIEW: ['APPROVED'], ACTIVE: ['APPROVED'], SUSPENDED: ['APPROVED'] } },
  reject: { event: 'REJECTED', refused: 'reject', moves: { PENDING_REVIEW: ['REJECTED'] } },
  suspend: { event: 'SUSPENDED', refused: 'suspend', moves: { APPROVED: ['SUSPENDED'], ACTIVE: ['SUSPENDED'] } },
  // Back to where the handshake left it: ACTIVE when the hub still holds the partner's token.
  resume: { event: 'RESUMED', refused: 'resume', moves: { SUSPENDED: ['ACTIVE', 'APPROVED'] } },
  // A reset keeps a suspension: the partner must be resumed on purpose.
  reset: { event: 'CREDENTIALS_RESET', refused: 'reset credentials of', moves: { APPROVED: ['APPROVED'], ACTIVE: ['APPROVED'], SUSPENDED: ['SUSPENDED'] } },
  // Only APPROVED: a suspended partner's token A is refused at authentication, before this.
  register: { event: 'CREDENTIALS_REGISTERED', refused: 'register', moves: { APPROVED: ['ACTIVE'] } },
  connect: { event: 'CREDENTIALS_CONNECTED', refused: 'connect', moves: { APPROVED: ['ACTIVE'] } },
  unregister: { event: 'CREDENTIALS_DELETED', refused: 'unregister', moves: { ACTIVE: ['APPROVED'], SUSPENDED: ['SUSPENDED'] } },
};

export interface PartnerMoveContext {
  now: Date;
  actor: string;
  /** The audit trail entry's detail. */
  detail?: Record<string, unknown>;
}

export const partnerLifecycle: Lifecycle<Partner, PartnerStatus, PartnerAction, PartnerMoveContext> = {
  moves: (action) => ACTIONS[action].moves,
  stateOf: (partner) => partner.status,
  enter: (partner, { to }) => {
    partner.status = to;
  },
  record: (em, partner, { cause }, ctx) => {
    recordEvent(em, ctx.now, { partnerId: partner.id, kind: ACTIONS[cause].event, actor: ctx.actor, detail: ctx.detail });
  },
  refusal: (_, { from, cause }) => new HubError('CONFLICT', `cannot ${ACTIONS[cause].refused} a partner in state ${from}`, { status: from }),
};

/** Every status write of a partner: checked against its action's moves and written to its audit trail. */
export function movePartner(em: EntityManager, partner: Partner, to: PartnerStatus, action: PartnerAction, ctx: PartnerMoveContext): void {
  transition(em, partnerLifecycle, partner, to, action, ctx);
}
