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
      try {
        await services.orm.em.fork().getConnection().execute('select 1');
        ctx.body = { status: 'ok' };
      } catch {
        ctx.status = 503;
        ctx.body = { status: 'database unreachable' };
      }
      return;
    }
    if (ctx.path === '/readyz') {
      const ready = health.ready();
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ready' : 'not ready' };
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
