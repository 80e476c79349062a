import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { HubError, OCPI_STATUS } from '../errors.ts';
import type { Services } from '../services.ts';
import { readJsonBody } from '../http/body.ts';
import { assertCleanUrl } from '../http/text.ts';
import { envelope } from './envelope.ts';
import { authenticateOcpi } from './auth.ts';
import type { Caller, OcpiModule, OcpiRequest, OcpiRoute } from './module.ts';
import { VERSIONS, type VersionAdapter } from './versions/index.ts';
import { partnerAcceptContext } from './versions/context.ts';
import { ownsParty } from './party-scope.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../observability/log.ts';
import { recordExchange } from '../sandbox/request-log.ts';

/** Koa state of an OCPI request. */
export interface OcpiState {
  requestId: string;
  correlationId: string;
  em: EntityManager;
  log: Logger;
  caller?: Caller;
}

const ID_HEADER = /^[\x21-\x7e]{1,100}$/;

/** X-Request-ID and X-Correlation-ID: echoed when the partner sent usable ones, generated otherwise. */
function requestIds(ctx: Context): { requestId: string; correlationId: string } {
  const requestId = ctx.get('x-request-id');
  const correlationId = ctx.get('x-correlation-id');
  return {
    requestId: ID_HEADER.test(requestId) ? requestId : randomUUID(),
    correlationId: ID_HEADER.test(correlationId) ? correlationId : randomUUID(),
  };
}

/** Outermost OCPI middleware: ids, a per-request entity manager, the error→envelope mapping and the request log. */
export function ocpiFrame(services: Services) {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    const ids = requestIds(ctx);
    const state = ctx.state as OcpiState;
    state.requestId = ids.requestId;
    state.correlationId = ids.correlationId;
    state.em = services.orm.em.fork();
    state.log = services.log.child({ requestId: ids.requestId });
    ctx.set('X-Request-ID', ids.requestId);
    ctx.set('X-Correlation-ID', ids.correlationId);
    try {
      assertCleanUrl(ctx);
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HubError('NOT_FOUND', `no OCPI resource at ${ctx.method} ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined) throw new HubError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}`);
    } catch (err) {
      const known = err instanceof HubError ? err : undefined;
      const kind = known?.kind ?? 'INTERNAL';
      const { http, code } = OCPI_STATUS[kind];
      if (!known && !services.dbErrors.absorb(err, state.log)) state.log.error({ err }, 'unhandled error');
      ctx.status = http;
      ctx.body = envelope(services.clock.now(), code, undefined, known ? known.message : 'internal error');
    }
    const ms = performance.now() - started;
    services.metrics.httpRequests.observe({ surface: 'ocpi', method: ctx.method, status: String(ctx.status) }, ms / 1000);
    const body = ctx.body as { status_code?: number; status_message?: string } | undefined;
    if (state.caller?.partner.sandbox) {
      await recordExchange(
        services,
        state.caller.partner,
        { direction: 'INBOUND', method: ctx.method, path: ctx.url, httpStatus: ctx.status, statusCode: body?.status_code, statusMessage: body?.status_message, correlationId: state.correlationId },
        [state.caller.token],
      );
    }
    state.log.info(
      {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ocpiStatus: body?.status_code,
        message: body?.status_code !== undefined && body.status_code >= 2000 ? body.status_message : undefined,
        partnerId: state.caller?.partner.id,
        ip: ctx.ip,
        ms: Math.round(ms * 10) / 10,
      },
      'ocpi request',
    );
  };
}

/**
 * Routing headers on functional modules: the request's FROM must be one of the caller's
 * roles and its TO, when given, must be this hub (no forwarding between parties yet).
 * The response swaps them.
 */
function routingHeaders(ctx: Context, services: Services, caller: Caller): void {
  const from = { country: ctx.get('ocpi-from-country-code'), party: ctx.get('ocpi-from-party-id') };
  const to = { country: ctx.get('ocpi-to-country-code'), party: ctx.get('ocpi-to-party-id') };
  const { hubCountryCode, hubPartyId } = services.config;
  if (from.country || from.party) {
    if (!ownsParty(caller.partner.roles, { country_code: from.country, party_id: from.party })) throw new HubError('INVALID_PARAMETERS', `OCPI-from-country-code/OCPI-from-party-id: ${from.country}/${from.party} is not one of your credentials roles`);
  }
  if ((to.country || to.party) && (to.country.toUpperCase() !== hubCountryCode || to.party.toUpperCase() !== hubPartyId)) {
    throw new HubError('INVALID_PARAMETERS', `OCPI-to-country-code/OCPI-to-party-id: ${to.country}/${to.party} is not this hub (${hubCountryCode}/${hubPartyId})`);
  }
  ctx.set('OCPI-from-country-code', to.country || hubCountryCode);
  ctx.set('OCPI-from-party-id', to.party || hubPartyId);
  ctx.set('OCPI-to-country-code', from.country || caller.partner.countryCode);
  ctx.set('OCPI-to-party-id', from.party || caller.partner.partyId);
}

function routeHandler(services: Services, module: OcpiModule, route: OcpiRoute, version: VersionAdapter) {
  return async (ctx: Context) => {
    const state = ctx.state as OcpiState;
    const caller = await authenticateOcpi(state.em, services, { header: ctx.get('authorization') || undefined, ip: ctx.ip, module });
    state.caller = caller;
    state.log = state.log.child({ partnerId: caller.partner.id });
    if (!module.configuration) routingHeaders(ctx, services, caller);
    const body = ['POST', 'PUT', 'PATCH'].includes(ctx.method) ? await readJsonBody(ctx, services.config.bodyLimitBytes) : undefined;
    const context = partnerAcceptContext(services, state.em, caller.partner);
    const request: OcpiRequest = {
      method: route.method,
      params: ctx.params as Record<string, string>,
      query: Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])),
      body,
      caller,
      em: state.em,
      services,
      log: state.log,
      requestId: state.requestId,
      correlationId: state.correlationId,
      url: `${services.config.publicUrl}${ctx.path}`,
      version,
      accept: (type, value) => version.accept(type, value, context),
    };
    const reply = await route.handle(request);
    for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
    ctx.status = reply.httpStatus ?? 200;
    const data = route.answer && reply.data !== undefined ? version.render(route.answer, reply.data) : reply.data;
    ctx.body = envelope(services.clock.now(), reply.statusCode ?? 1000, data, reply.message);
  };
}

/**
 * The /ocpi router: every mounted module's routes behind the same transport (run inside
 * ocpiFrame), once per version the hub speaks: `/ocpi/2.2/sessions/…` reads and answers 2.2.
 */
export function ocpiRouter(services: Services): Router {
  const router = new Router({ prefix: '/ocpi' });
  for (const module of services.modules) {
    for (const route of module.routes) {
      if (route.unversioned) router.register(route.path, [route.method], routeHandler(services, module, route, VERSIONS[0]!));
      else for (const version of VERSIONS) router.register(`/${version.version}${route.path}`, [route.method], routeHandler(services, module, route, version));
    }
  }
  return router;
}
