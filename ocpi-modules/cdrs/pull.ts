import type { Services } from '../../src/services.ts';
import type { Logger } from '../../src/observability/log.ts';
import type { Partner } from '../../src/partners/entities.ts';
import type { SyncResult } from '../../src/ocpi/module.ts';
import { HubError } from '../../src/errors.ts';
import { partnerEndpoint, pullAll } from '../../src/client/partner-client.ts';
import { formatDateTime } from '../../src/ocpi/datetime.ts';
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
  const base = partnerEndpoint(partner, 'cdrs', 'SENDER');
  if (!base) throw new HubError('NO_MATCHING_ENDPOINTS', `partner ${partner.id} has no cdrs SENDER endpoint`);
  const query = new URLSearchParams();
  if (from) query.set('date_from', formatDateTime(from));
  if (to) query.set('date_to', formatDateTime(to));
  const url = query.size ? `${base}?${query}` : base;
  const result: SyncResult = { received: 0, applied: 0, rejected: [] };
  const objects = partnerObjects(services, services.orm.em.fork(), partner);
  await pullAll(services, partner, url, async (items) => {
    for (const item of items) {
      result.received++;
      const id = String((item as { id?: unknown })?.id ?? '?');
      const checked = await objects.check<Cdr>('Cdr', item);
      if (!checked.ok) {
        result.rejected.push({ id, problems: checked.problems.join('; ') });
        continue;
      }
      const cdr = checked.value;
      if (!ownsParty(partner.roles, cdr)) {
        result.rejected.push({ id, problems: `${cdr.country_code}/${cdr.party_id} is not one of the partner's roles` });
        continue;
      }
      if (onCdr) await onCdr(cdr);
      try {
        const outcome = await receiveCdr(services.orm.em.fork(), { services, log, now: services.clock.now() }, partner, cdr, 'PULL');
        if (outcome.kind === 'CREATED') result.applied++;
      } catch (err) {
        result.rejected.push({ id, problems: (err as Error).message });
      }
    }
  });
  return result;
}
