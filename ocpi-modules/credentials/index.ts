import type { OcpiModule } from '../../src/ocpi/module.ts';
import type { Credentials } from '../../src/partners/handshake.ts';
import { hubCredentials, registerPartner, unregisterPartner, updatePartnerCredentials } from '../../src/partners/handshake.ts';

/** Credentials, as the receiving side of the handshake. The rules live in src/partners/handshake.ts, shared with the initiating side. */
export const credentialsModule: OcpiModule = {
  identifier: 'credentials',
  configuration: true,
  endpoint: { path: 'credentials', roles: ['SENDER'] },
  routes: [
    // The caller's own token is echoed: we keep only its hash, and the caller just proved it holds it.
    { method: 'GET', path: '/credentials', answer: 'Credentials', handle: async (req) => ({ data: hubCredentials(req.services, req.caller.token) }) },
    { method: 'POST', path: '/credentials', answer: 'Credentials', handle: async (req) => ({ data: await registerPartner(req.em, req.services, req.caller, await req.accept<Credentials>('Credentials', req.body), req.correlationId) }) },
    { method: 'PUT', path: '/credentials', answer: 'Credentials', handle: async (req) => ({ data: await updatePartnerCredentials(req.em, req.services, req.caller, await req.accept<Credentials>('Credentials', req.body), req.correlationId) }) },
    {
      method: 'DELETE',
      path: '/credentials',
      handle: async (req) => {
        await unregisterPartner(req.em, req.services, req.caller);
        return {};
      },
    },
  ],
};
