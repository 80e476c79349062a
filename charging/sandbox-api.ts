import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../src/services.ts';
import { jsonBody } from '../src/api/frame.ts';
import { orderWithSession } from './view.ts';
import type { ChargingOrder } from './entities.ts';
import { requireSandboxPartner, type SandboxState } from '../src/sandbox/auth.ts';
import { ownOrder, startSandboxSession, stopSandboxOrder } from './sandbox.ts';
import { listExchanges } from '../src/sandbox/request-log.ts';
import { wipeSandboxData } from '../src/sandbox/wipe.ts';

/**
 * The sandbox API of a sandbox partner (README "Sandbox"), opened with its own OCPI token C:
 * start and follow charges on its chargers, read its request log, wipe its data.
 */
export function sandboxRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/sandbox/partners/:id' });
  router.use(requireSandboxPartner(services));
  const s = (ctx: Context) => ctx.state as SandboxState;
  const orderUrl = (ctx: Context, order: ChargingOrder) => `/api/v1/sandbox/partners/${ctx.params.id}/orders/${order.id}`;
  const view = async (ctx: Context, order: ChargingOrder) => ({ order_id: order.id, ...(await orderWithSession(s(ctx).em, order)) });

  router.post('/start-session', async (ctx) => {
    const order = await startSandboxSession(services, s(ctx).em, s(ctx).log, s(ctx).partner, await jsonBody(ctx, services));
    ctx.status = 201;
    ctx.set('Location', orderUrl(ctx, order));
    ctx.body = await view(ctx, order);
  });
  router.get('/orders/:order_id', async (ctx) => {
    ctx.body = await view(ctx, await ownOrder(s(ctx).em, s(ctx).partner, ctx.params.order_id!));
  });
  router.post('/orders/:order_id/stop', async (ctx) => {
    // Like the app's stop: accepted, the CPO's CommandResult follows.
    ctx.status = 202;
    ctx.body = await view(ctx, await stopSandboxOrder(services, s(ctx).em, s(ctx).log, s(ctx).partner, ctx.params.order_id!));
  });
  router.get('/requests', async (ctx) => {
    ctx.body = { data: await listExchanges(s(ctx).em, s(ctx).partner) };
  });
  router.delete('/data', async (ctx) => {
    ctx.body = { removed: await wipeSandboxData(s(ctx).em, s(ctx).partner) };
  });
  return router;
}
