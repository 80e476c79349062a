import Koa from 'koa';
import type { Services } from './services.ts';
import { ocpiFrame, ocpiRouter } from './ocpi/transport.ts';
import { apiFrame, adminRouter } from './api/admin.ts';
import { exceptionsRouter } from './api/exceptions.ts';

/** Builds the Koa app: OCPI for partners under /ocpi, JSON APIs under /api, and the operator endpoints. */
export function createApp(services: Services, health: { ready: () => boolean }): Koa {
  const app = new Koa({ proxy: services.config.trustProxy });
  app.silent = true;

  const ocpi = ocpiRouter(services);
  const ocpiChain = [ocpiFrame(services), ocpi.routes(), ocpi.allowedMethods()];
  const apiRouters = [adminRouter(services), exceptionsRouter(services), ...services.modules.flatMap((m) => m.apiRouters?.(services) ?? [])];
  const apiChain = [apiFrame(services), ...apiRouters.flatMap((r) => [r.routes(), r.allowedMethods()])];

  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') {
      const db = await pingDatabase(services);
      ctx.status = db ? 200 : 503;
      ctx.body = { status: db ? 'ok' : 'database unreachable' };
      return;
    }
    if (ctx.path === '/readyz') {
      // Not ready while starting, stopping, or while the database does not answer: a load
      // balancer then sends the traffic elsewhere instead of to a hub that can only fail it.
      const up = health.ready();
      const db = up && (await pingDatabase(services));
      ctx.status = db ? 200 : 503;
      ctx.body = { status: db ? 'ready' : 'not ready', ...(up && !db ? { reason: 'database unreachable' } : {}) };
      return;
    }
    if (ctx.path === '/metrics') {
      ctx.type = services.metrics.registry.contentType;
      ctx.body = await services.metrics.registry.metrics();
      return;
    }
    const chain = ctx.path === '/ocpi' || ctx.path.startsWith('/ocpi/') ? ocpiChain : ctx.path.startsWith('/api/') ? apiChain : undefined;
    if (!chain) return next();
    let i = 0;
    const run = async (): Promise<void> => {
      const mw = chain[i++];
      if (mw) await (mw as Koa.Middleware)(ctx, run);
    };
    await run();
  });
  return app;
}

/** Whether the database answers `select 1` within `timeoutMs` (a hung server or a full pool counts as down). */
async function pingDatabase(services: Services, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = services.orm.em
    .fork()
    .getConnection()
    .execute('select 1')
    .then(
      () => true,
      () => false,
    );
  try {
    return await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}
