import Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../../src/services.ts';
import { jsonBody, requireApiKey, type ApiState } from '../../src/api/frame.ts';
import { getToken, parseTokenType, putToken } from './store.ts';

/** The app backend manages our users' tokens: `PUT` creates or replaces (valid: false blocks), `GET` reads. */
export function appTokensRouter(services: Services): Router {
  const router = new Router({ prefix: '/api/v1/tokens' });
  router.use(requireApiKey(services, 'app', services.secrets.appApiKey));
  const em = (ctx: Context) => (ctx.state as ApiState).em;
  router.put('/:uid', async (ctx) => {
    const body = await jsonBody(ctx, services);
    if (body.type === undefined && typeof ctx.query.type === 'string') body.type = ctx.query.type;
    const { token, created } = await putToken(em(ctx), services, ctx.params.uid!, body);
    ctx.status = created ? 201 : 200;
    ctx.body = token;
  });
  router.get('/:uid', async (ctx) => {
    ctx.body = (await getToken(em(ctx), ctx.params.uid!, parseTokenType(ctx.query.type))).body;
  });
  return router;
}
