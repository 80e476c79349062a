import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../services.ts';
import { apiFrame, jsonBody, requireApiKey, type ApiState } from './frame.ts';
import { invalid } from '../errors.ts';
import { PARTNER_STATUSES, PartnerEntity } from '../partners/api.ts';
import { getPartner } from '../partners/registry.ts';
import { listEvents } from '../partners/events.ts';
import {
  approvePartner,
  createPartner,
  parseNewPartner,
  partnerId,
  partnerView,
  rejectPartner,
  resetPartnerCredentials,
  resumePartner,
  setIpAllowlist,
  setModuleScopes,
  setTolerances,
  suspendPartner,
  type TokenAGrant,
} from '../partners/operations.ts';
import { connectPartner, rotatePartnerCredentials } from '../partners/handshake.ts';

/** The operations API: partner lifecycle, credentials and the audit trail. */
export function adminRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/admin' });
  router.use(requireApiKey(services, 'admin', services.secrets.adminApiKey));
  // An id that is not a UUID names no partner: 404, never a database error.
  router.param('id', (id, _ctx, next) => {
    partnerId(id);
    return next();
  });
  const s = (ctx: Context) => ctx.state as ApiState;
  const view = async (ctx: Context, id: string) => partnerView(s(ctx).em, services, await getPartner(s(ctx).em, id));
  const grant = async (ctx: Context, g: TokenAGrant) => ({
    ...(await partnerView(s(ctx).em, services, g.partner)),
    token_a: g.tokenA,
    token_a_expires_at: g.expiresAt,
    versions_url: `${services.config.publicUrl}/ocpi/versions`,
  });

  router.post('/partners', async (ctx) => {
    const { partner, grant: sandboxGrant } = await createPartner(s(ctx).em, services, parseNewPartner(await jsonBody(ctx, services)), s(ctx).actor!);
    ctx.status = 201;
    // A sandbox partner is approved on creation: its token A is shown here, once, as approve shows it.
    ctx.body = sandboxGrant ? await grant(ctx, sandboxGrant) : await partnerView(s(ctx).em, services, partner);
  });
  router.get('/partners', async (ctx) => {
    // One status at most: a repeated parameter must be refused, not silently dropped (which listed every partner).
    if (Array.isArray(ctx.query.status)) throw invalid('status: give at most one status');
    const status = ctx.query.status;
    if (status !== undefined && !(PARTNER_STATUSES as readonly string[]).includes(status)) throw invalid(`status: must be one of ${PARTNER_STATUSES.join(', ')}`);
    const sandbox = ctx.query.sandbox;
    if (sandbox !== undefined && sandbox !== 'true' && sandbox !== 'false') throw invalid('sandbox: give true or false (once)');
    const where = { ...(status ? { status: status as never } : {}), ...(sandbox !== undefined ? { sandbox: sandbox === 'true' } : {}) };
    const partners = await s(ctx).em.find(PartnerEntity, where, { orderBy: { createdAt: 'asc', countryCode: 'asc', partyId: 'asc', role: 'asc' } });
    ctx.body = { data: await Promise.all(partners.map((p) => partnerView(s(ctx).em, services, p))) };
  });
  router.get('/partners/:id', async (ctx) => {
    ctx.body = await view(ctx, ctx.params.id!);
  });
  router.get('/partners/:id/events', async (ctx) => {
    await getPartner(s(ctx).em, ctx.params.id!);
    ctx.body = { data: await listEvents(s(ctx).em, ctx.params.id!) };
  });
  router.post('/partners/:id/approve', async (ctx) => {
    ctx.body = await grant(ctx, await approvePartner(s(ctx).em, services, ctx.params.id!, s(ctx).actor!));
  });
  router.post('/partners/:id/reject', async (ctx) => {
    const body = await jsonBody(ctx, services);
    await rejectPartner(s(ctx).em, services, ctx.params.id!, body.reason, s(ctx).actor!);
    ctx.body = await view(ctx, ctx.params.id!);
  });
  router.post('/partners/:id/suspend', async (ctx) => {
    const body = await jsonBody(ctx, services);
    await suspendPartner(s(ctx).em, services, ctx.params.id!, body.reason, s(ctx).actor!);
    ctx.body = await view(ctx, ctx.params.id!);
  });
  router.post('/partners/:id/resume', async (ctx) => {
    await resumePartner(s(ctx).em, services, ctx.params.id!, s(ctx).actor!);
    ctx.body = await view(ctx, ctx.params.id!);
  });
  router.post('/partners/:id/reset-credentials', async (ctx) => {
    ctx.body = await grant(ctx, await resetPartnerCredentials(s(ctx).em, services, ctx.params.id!, s(ctx).actor!));
  });
  router.post('/partners/:id/connect', async (ctx) => {
    const body = await jsonBody(ctx, services);
    if (typeof body.versions_url !== 'string' || !/^https?:\/\/\S+$/.test(body.versions_url)) throw invalid('versions_url: must be the partner\'s http(s) versions URL');
    if (typeof body.token_a !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(body.token_a)) throw invalid('token_a: must be the token the partner issued, printable ASCII, at most 64 characters');
    const partner = await getPartner(s(ctx).em, ctx.params.id!);
    const connected = await connectPartner(s(ctx).em, services, partner, { versionsUrl: body.versions_url, tokenA: body.token_a }, s(ctx).actor!);
    ctx.body = await partnerView(s(ctx).em, services, connected);
  });
  router.post('/partners/:id/rotate-credentials', async (ctx) => {
    const partner = await getPartner(s(ctx).em, ctx.params.id!);
    ctx.body = await partnerView(s(ctx).em, services, await rotatePartnerCredentials(s(ctx).em, services, partner, s(ctx).actor!));
  });
  router.put('/partners/:id/ip-allowlist', async (ctx) => {
    const body = await jsonBody(ctx, services);
    await setIpAllowlist(s(ctx).em, services, ctx.params.id!, body.cidrs, s(ctx).actor!);
    ctx.body = await view(ctx, ctx.params.id!);
  });
  router.put('/partners/:id/scopes', async (ctx) => {
    const body = await jsonBody(ctx, services);
    await setModuleScopes(s(ctx).em, services, ctx.params.id!, body.modules === undefined ? undefined : body.modules, s(ctx).actor!);
    ctx.body = await view(ctx, ctx.params.id!);
  });
  router.put('/partners/:id/tolerances', async (ctx) => {
    const body = await jsonBody(ctx, services);
    await setTolerances(s(ctx).em, services, ctx.params.id!, body.tolerances, s(ctx).actor!);
    ctx.body = await view(ctx, ctx.params.id!);
  });
  return router;
}

export { apiFrame };
