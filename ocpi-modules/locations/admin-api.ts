import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../src/services.ts';
import { jsonBody, requireApiKey, type ApiState } from '../../src/api/frame.ts';
import { invalid } from '../../src/errors.ts';
import { getPartner } from '../../src/partners/registry.ts';
import { recordEvent } from '../../src/partners/events.ts';
import { decideReview, listReviews } from './reviews.ts';
import { syncPartner } from './sync.ts';
import { partnerRejections } from './rejections.ts';

/** Operations API of the locations module: the review queue, rejected values, and the per-partner review and check settings. */
export function locationsAdminRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/admin' });
  router.use(requireApiKey(services, 'admin', services.secrets.adminApiKey));
  const s = (ctx: Context) => ctx.state as ApiState;

  router.get('/reviews', async (ctx) => {
    ctx.body = { data: await listReviews(s(ctx).em, typeof ctx.query.state === 'string' ? ctx.query.state : undefined) };
  });
  router.post('/reviews/:id/approve', async (ctx) => {
    ctx.body = await decideReview(s(ctx).em, ctx.params.id!, 'APPROVED', s(ctx).actor!, services.clock.now());
  });
  router.post('/reviews/:id/reject', async (ctx) => {
    const body = await jsonBody(ctx, services);
    ctx.body = await decideReview(s(ctx).em, ctx.params.id!, 'REJECTED', s(ctx).actor!, services.clock.now(), body.reason);
  });

  const flag = (path: string, field: 'trusted' | 'relax_country_check', property: 'trusted' | 'relaxCountryCheck', kind: string) =>
    router.put(`/partners/:id/${path}`, async (ctx) => {
      const body = await jsonBody(ctx, services);
      if (typeof body[field] !== 'boolean') throw invalid(`${field}: must be true or false`);
      const em = s(ctx).em;
      const partner = await getPartner(em, ctx.params.id!);
      const now = services.clock.now();
      recordEvent(em, now, { partnerId: partner.id, kind, actor: s(ctx).actor!, detail: { before: partner[property], after: body[field] } });
      partner[property] = body[field] as boolean;
      partner.updatedAt = now;
      await em.flush();
      ctx.body = { id: partner.id, [field]: partner[property] };
    });
  // What operations tell the CPO: the values of its locations that were rejected, and why.
  router.get('/partners/:id/locations/rejections', async (ctx) => {
    await getPartner(s(ctx).em, ctx.params.id!);
    ctx.body = { data: await partnerRejections(s(ctx).em, ctx.params.id!) };
  });
  router.post('/partners/:id/sync', async (ctx) => {
    await getPartner(s(ctx).em, ctx.params.id!);
    ctx.body = await syncPartner(services, ctx.params.id!, s(ctx).actor!, ctx.query.mode === 'full' ? 'FULL' : undefined);
  });

  flag('trust', 'trusted', 'trusted', 'TRUST_SET');
  flag('location-checks', 'relax_country_check', 'relaxCountryCheck', 'COUNTRY_CHECK_SET');
  return router;
}
