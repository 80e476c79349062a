import { HubError } from '../../src/errors.ts';
import { pullSender } from '../../src/client/sender-pull.ts';
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
    const objects = partnerObjects(services, services.orm.em.fork(), partner);
    await pullSender<Tariff>(
      services,
      partner,
      {
        module: 'tariffs',
        window,
        async check(item) {
          let tariff: Tariff;
          try {
            const checked = await objects.check<Tariff>('Tariff', item);
            if (!checked.ok) return { refused: checked.problems.slice(0, 5).join('; ') };
            tariff = validTariff(checked.value);
          } catch (err) {
            // The tariff rules refuse with the hub's own error; anything else fails the pull.
            if (!(err instanceof HubError)) throw err;
            return { refused: err.message };
          }
          if (!ownsParty(partner.roles, tariff)) return { refused: `country_code/party_id: ${tariff.country_code}/${tariff.party_id} is not one of the partner's roles` };
          return { object: tariff };
        },
        async apply(tariff) {
          const outcome = await putTariff(services.orm.em.fork(), partner.id, tariff, services.clock.now());
          return outcome.result === 'created' || outcome.result === 'updated';
        },
      },
      result,
    );
  },
};
