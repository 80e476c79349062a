import type { OcpiModule } from '../../src/ocpi/module.ts';
import type { Services } from '../../src/services.ts';
import { VERSIONS } from '../../src/ocpi/versions/index.ts';

/** The endpoints of every mounted module in one version, each role listed; credentials once, as SENDER (its role is meaningless). */
function versionEndpoints(services: Services, version: string): { identifier: string; role: string; url: string }[] {
  const base = `${services.config.publicUrl}/ocpi/${version}`;
  return services.modules.flatMap((module) =>
    module.endpoint ? module.endpoint.roles.map((role) => ({ identifier: module.identifier, role, url: `${base}/${module.endpoint!.path}` })) : [],
  );
}

export const versionsModule: OcpiModule = {
  identifier: 'versions',
  configuration: true,
  routes: [
    {
      method: 'GET',
      path: '/versions',
      unversioned: true,
      answer: 'Versions',
      handle: async (req) => {
        const base = `${req.services.config.publicUrl}/ocpi`;
        return { data: VERSIONS.map((v) => ({ version: v.version, url: `${base}/${v.version}` })) };
      },
    },
    // Mounted once per version: each version's details point at that version's handlers.
    { method: 'GET', path: '', answer: 'VersionDetails', handle: async (req) => ({ data: { version: req.version.version, endpoints: versionEndpoints(req.services, req.version.version) } }) },
  ],
};
