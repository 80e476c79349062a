import { HubError } from '../../src/errors.ts';
import { partnerEndpoint, pullAll } from '../../src/client/partner-client.ts';
import { formatDateTime } from '../../src/ocpi/datetime.ts';
import { ownsParty } from '../../src/ocpi/party-scope.ts';
import type { PartnerSync } from '../../src/ocpi/module.ts';
import { putTariff } from './history.ts';
import { validTariff } from './rules.ts';
import { partnerObjects } from '../../src/ocpi/versions/context.ts';
import type { Tariff } from '../../src/ocpi/types.ts';

/** Pulls a CPO's Tariffs sender (when it has one) with the same validation as a push. */
export const tariffSync: PartnerSync = {
  name: 'tariffs',
  async run(services, partner, window, result) {
    const url = partnerEndpoint(partner, 'tariffs', 'SENDER');
    if (!url) return;
    const first = new URL(url);
    if (window.from) first.searchParams.set('date_from', formatDateTime(window.from));
    first.searchParams.set('date_to', formatDateTime(window.to));
    const objects = partnerObjects(services, services.orm.em.fork(), partner);
    await pullAll(services, partner, first.toString(), async (items) => {
      for (const item of items) {
        result.received++;
        const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : '(no id)';
        try {
          const checked = await objects.check<Tariff>('Tariff', item);
          if (!checked.ok) throw new HubError('INVALID_PARAMETERS', checked.problems.slice(0, 5).join('; '));
          const tariff = validTariff(checked.value);
          if (!ownsParty(partner.roles, tariff)) {
            throw new HubError('INVALID_PARAMETERS', `country_code/party_id: ${tariff.country_code}/${tariff.party_id} is not one of the partner's roles`);
          }
          const outcome = await putTariff(services.orm.em.fork(), partner.id, tariff, services.clock.now());
          if (outcome.result === 'created' || outcome.result === 'updated') result.applied++;
        } catch (err) {
          if (!(err instanceof HubError)) throw err;
          result.rejected.push({ id, problems: err.message });
        }
      }
    });
  },
};
