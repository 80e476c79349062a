import { HubError } from '../errors.ts';
import type { PartnerStatus } from './entities.ts';

/**
 * PENDING_REVIEW → APPROVED → ACTIVE (handshake done) ↔ SUSPENDED; PENDING_REVIEW → REJECTED.
 * ACTIVE → APPROVED when the partner unregisters or an operator resets its credentials: it
 * keeps its approval and needs a fresh token A. SUSPENDED may also come from APPROVED.
 */
const ALLOWED: Record<PartnerStatus, PartnerStatus[]> = {
  PENDING_REVIEW: ['APPROVED', 'REJECTED'],
  APPROVED: ['ACTIVE', 'SUSPENDED'],
  ACTIVE: ['SUSPENDED', 'APPROVED'],
  SUSPENDED: ['ACTIVE', 'APPROVED'],
  REJECTED: [],
};

export function canTransition(from: PartnerStatus, to: PartnerStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(from: PartnerStatus, to: PartnerStatus, action: string): void {
  if (!canTransition(from, to)) {
    throw new HubError('CONFLICT', `cannot ${action} a partner in state ${from}`, { status: from });
  }
}
