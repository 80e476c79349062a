import type { OcpiModule, OcpiRequest } from '../../src/ocpi/module.ts';
import type { Services } from '../../src/services.ts';

/** The endpoints of every mounted module, each role listed; credentials once, as SENDER (its role is meaningless). */
export function versionEndpoints(services: Services): { identifier: string; role: string; url: string }[] {
  const base = `${services.config.publicUrl}/ocpi/2.2.1`;
  return services.modules.flatMap((module) =>
    module.endpoint ? module.endpoint.roles.map((role) => ({ identifier: module.identifier, role, url: `${base}/${module.endpoint!.path}` })) : [],
  );
}

const details = (version: string) => async (req: OcpiRequest) => ({ data: { version, endpoints: versionEndpoints(req.services) } });

export const versionsModule: OcpiModule = {
  identifier: 'versions',
  configuration: true,
  routes: [
    {
      method: 'GET',
      path: '/versions',
      handle: async (req) => {
        const base = `${req.services.config.publicUrl}/ocpi`;
        return { data: [{ version: '2.2.1', url: `${base}/2.2.1` }, { version: '2.2', url: `${base}/2.2` }] };
      },
    },
    { method: 'GET', path: '/2.2.1', handle: details('2.2.1') },
    // 2.2-era partners get the same endpoints: 2.2.1 changed documentation, not the wire format they use.
    { method: 'GET', path: '/2.2', handle: details('2.2') },
  ],
};
