import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../services.ts';
import type { Partner } from '../../partners/api.ts';
import { isToleranceName } from '../tolerances.ts';
import type { AcceptContext, Checked, VersionAdapter } from './adapter.ts';
import type { ObjectType } from './objects.ts';
import { CANONICAL, versionAdapter } from './index.ts';

/** How an adapter reads objects from this partner: its tolerances, the hub's tokens, its deviation counts. */
export function partnerAcceptContext(services: Services, em: EntityManager, partner: Partner): AcceptContext {
  return {
    tolerances: new Set((partner.tolerances ?? []).filter(isToleranceName)),
    async tokenParty(uid, type) {
      for (const module of services.modules) {
        const party = await module.tokenParty?.(em, uid, type);
        if (party) return party;
      }
      return undefined;
    },
    report: (deviations) => services.deviations.record(partner.id, deviations, services.clock.now()),
    clock: { now: () => services.clock.now(), maxSkewSeconds: services.config.maxClockSkewSeconds },
  };
}

/** A partner's objects in the version it negotiated: what the hub's own calls to it read and send. */
export interface PartnerObjects {
  version: VersionAdapter;
  check<T = Record<string, any>>(type: ObjectType, body: unknown): Promise<Checked<T>>;
  render(type: ObjectType, value: unknown): unknown;
}

export function partnerObjects(services: Services, em: EntityManager, partner: Partner): PartnerObjects {
  // A partner registered before versions were an edge has no version stored: it spoke 2.2.1.
  const version = partner.version ? versionAdapter(partner.version) : CANONICAL;
  const context = partnerAcceptContext(services, em, partner);
  return {
    version,
    check: (type, body) => version.check(type, body, context),
    render: (type, value) => version.render(type, value),
  };
}
