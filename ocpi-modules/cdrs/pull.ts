import type { Services } from '../../src/services.ts';
import type { Logger } from '../../src/observability/log.ts';
import type { Partner } from '../../src/partners/api.ts';
import type { SyncResult } from '../../src/ocpi/module.ts';
import { HubError } from '../../src/errors.ts';
import { pullSender } from '../../src/client/sender-pull.ts';
import { partnerObjects } from '../../src/ocpi/versions/context.ts';
import { ownsParty } from '../../src/ocpi/party-scope.ts';
import type { Cdr } from '../../src/ocpi/types.ts';
import { receiveCdr } from './store.ts';

/**
 * Pulls a CPO's CDRs sender (`last_updated` in [from, to)) and receives each CDR as if it
 * had been pushed: same schema, party and immutability rules. `onCdr` sees every valid CDR
 * of the CPO's list (reconciliation compares them).
 */
export async function pullCdrs(services: Services, log: Logger, partner: Partner, from: Date | undefined, to?: Date, onCdr?: (cdr: Cdr) => Promise<void>): Promise<SyncResult> {
  const result: SyncResult = { received: 0, applied: 0, rejected: [] };
  const objects = partnerObjects(services, services.orm.em.fork(), partner);
  const pulled = await pullSender<Cdr>(
    services,
    partner,
    {
      module: 'cdrs',
      window: { from, to },
      idOf: (item) => String((item as { id?: unknown })?.id ?? '?'),
      async check(item) {
        const checked = await objects.check<Cdr>('Cdr', item);
        if (!checked.ok) return { refused: checked.problems.join('; ') };
        const cdr = checked.value;
        if (!ownsParty(partner.roles, cdr)) return { refused: `${cdr.country_code}/${cdr.party_id} is not one of the partner's roles` };
        // Here, not in apply: reconciliation sees the CPO's CDR even when the hub refuses to store it, and what onCdr throws fails the pull.
        if (onCdr) await onCdr(cdr);
        return { object: cdr };
      },
      async apply(cdr) {
        const outcome = await receiveCdr(services.orm.em.fork(), { services, log, now: services.clock.now() }, partner, cdr, 'PULL');
        return outcome.kind === 'CREATED';
      },
      // Whatever receiving one CDR throws refuses that CDR only: the others of the list still count.
      refuses: () => true,
    },
    result,
  );
  if (!pulled) throw new HubError('NO_MATCHING_ENDPOINTS', `partner ${partner.id} has no cdrs SENDER endpoint`);
  return result;
}
