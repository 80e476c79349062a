import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../services.ts';
import { jsonBody, requireApiKey, type ApiState } from './frame.ts';
import { listTickets, resolveTicket } from '../exceptions/tickets.ts';

/** Operations API of the exception queue. */
export function exceptionsRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/admin/exceptions' });
  router.use(requireApiKey(services, 'admin', services.secrets.adminApiKey));
  const s = (ctx: Context) => ctx.state as ApiState;
  const q = (v: unknown) => (typeof v === 'string' ? v : undefined);
  router.get('/', async (ctx) => {
    ctx.body = { data: await listTickets(s(ctx).em, { state: q(ctx.query.state), kind: q(ctx.query.kind) }) };
  });
  router.post('/:id/resolve', async (ctx) => {
    const body = await jsonBody(ctx, services);
    ctx.body = await resolveTicket(s(ctx).em, ctx.params.id!, { resolution: body.resolution, note: body.note }, s(ctx).actor!, services.clock.now());
  });
  return router;
}
