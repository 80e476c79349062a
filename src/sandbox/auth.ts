import type { Context, Next } from 'koa';
import { HubError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { ApiState } from '../api/frame.ts';
import { authenticateOcpi } from '../ocpi/auth.ts';
import type { OcpiModule } from '../ocpi/module.ts';
import type { Partner } from '../partners/api.ts';

/** Koa state of a sandbox API request: the partner its own token C names. */
export interface SandboxState extends ApiState {
  partner: Partner;
}

/** What the OCPI authentication checks a sandbox request against: a functional (non-configuration) surface, so token A does not open it. */
const SANDBOX_SURFACE: OcpiModule = { identifier: 'sandbox', routes: [] };

/**
 * `Authorization: Bearer <token C>` (raw, or base64 as OCPI sends it) through the hub's own OCPI
 * token verification: hashed lookup, lockout, partner state, IP allow-list. Then the partner
 * must be a sandbox partner, and `{id}` must be it (or `me`): another partner's sandbox answers
 * 403 without saying whether it exists.
 */
export function requireSandboxPartner(services: Services) {
  return async (ctx: Context, next: Next) => {
    const state = ctx.state as SandboxState;
    const bearer = /^Bearer +([\x21-\x7e]+)$/i.exec(ctx.get('authorization'));
    let caller;
    try {
      caller = await authenticateOcpi(state.em, services, { header: bearer ? `Token ${bearer[1]}` : undefined, ip: ctx.ip, module: SANDBOX_SURFACE, hubApi: true });
    } catch (err) {
      // The OCPI wording ("Token <base64 token>") would mislead here; lockout (429) and the rest pass as they are.
      if (err instanceof HubError && err.kind === 'UNAUTHENTICATED' && /Authorization header/.test(err.message)) {
        throw new HubError('UNAUTHENTICATED', 'Authorization must be "Bearer <your OCPI token C>"');
      }
      throw err;
    }
    const partner = caller.partner;
    const id = ctx.params.id;
    if (id !== 'me' && id?.toLowerCase() !== partner.id) throw new HubError('FORBIDDEN', 'your token opens only your own sandbox (use your partner id or "me")');
    if (!partner.sandbox) throw new HubError('FORBIDDEN', 'this endpoint is for sandbox partners: your partner is not one');
    state.partner = partner;
    state.actor = `sandbox:${partner.id}`;
    state.log = state.log.child({ partnerId: partner.id });
    await next();
  };
}
