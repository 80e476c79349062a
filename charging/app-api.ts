import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../src/services.ts';
import { jsonBody, requireApiKey, type ApiState } from '../src/api/frame.ts';
import { invalid, isUuid, notFound } from '../src/errors.ts';
import { ChargingOrderEntity, CommandEntity } from './entities.ts';
import { orderHistory, orderWithSession, ordersWithSessions, commandView } from './view.ts';
import { startCharging } from './start.ts';
import { stopCharging, unlockConnector } from './stop.ts';
import { isSandboxPartner, outsideSandbox } from '../src/sandbox/visibility.ts';

/** The app's charging API (start, follow, stop) and the operators' view of orders and commands. */
export function appChargingRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/charging-sessions' });
  router.use(requireApiKey(services, 'app', services.secrets.appApiKey));
  const state = (ctx: Context) => ctx.state as ApiState;
  router.post('/', async (ctx) => {
    const body = await jsonBody(ctx, services);
    const key = ctx.get('idempotency-key') || undefined;
    const { order, replayed } = await startCharging(services, state(ctx).em, state(ctx).log, body, key, state(ctx).actor!);
    ctx.status = 202;
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.set('Location', `/api/v1/charging-sessions/${order.id}`);
    ctx.body = await orderWithSession(state(ctx).em, order);
  });
  router.get('/', async (ctx) => {
    const uid = typeof ctx.query.token_uid === 'string' ? ctx.query.token_uid : undefined;
    if (!uid) throw invalid('token_uid: is required');
    const limit = typeof ctx.query.limit === 'string' ? Number(ctx.query.limit) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('limit: must be an integer from 1 to 100');
    const orders = await state(ctx).em.find(ChargingOrderEntity, { tokenUid: { $ilike: uid.replace(/[\\%_]/g, '\\$&') }, ...(await outsideSandbox(state(ctx).em)) }, { orderBy: { seq: 'desc' }, limit });
    ctx.body = { data: await ordersWithSessions(state(ctx).em, orders) };
  });
  router.get('/:id', async (ctx) => {
    const id = ctx.params.id!;
    const order = isUuid(id) ? await state(ctx).em.findOne(ChargingOrderEntity, { id }) : null;
    // A sandbox partner's orders belong to its sandbox API, not to the app.
    if (!order || (await isSandboxPartner(state(ctx).em, order.partnerId))) throw notFound(`no charging session ${id}`);
    ctx.body = await orderWithSession(state(ctx).em, order);
  });
  router.post('/:id/stop', async (ctx) => {
    const order = await stopCharging(services, state(ctx).em, state(ctx).log, ctx.params.id!, state(ctx).actor!);
    ctx.status = 202;
    ctx.body = await orderWithSession(state(ctx).em, order);
  });
  return router;
}

export function adminChargingRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/admin' });
  router.use(requireApiKey(services, 'admin', services.secrets.adminApiKey));
  const state = (ctx: Context) => ctx.state as ApiState;
  router.get('/charging-sessions/:id', async (ctx) => {
    const id = ctx.params.id!;
    const order = isUuid(id) ? await state(ctx).em.findOne(ChargingOrderEntity, { id }) : null;
    if (!order) throw notFound(`no charging session ${id}`);
    ctx.body = await orderHistory(state(ctx).em, order);
  });
  router.post('/commands/unlock-connector', async (ctx) => {
    const command = await unlockConnector(services, state(ctx).em, state(ctx).log, await jsonBody(ctx, services), state(ctx).actor!);
    ctx.status = 202;
    ctx.body = commandView(command);
  });
  router.get('/commands/:id', async (ctx) => {
    const id = ctx.params.id!;
    const command = isUuid(id) ? await state(ctx).em.findOne(CommandEntity, { id }) : null;
    if (!command) throw notFound(`no command ${id}`);
    ctx.body = commandView(command);
  });
  return router;
}
