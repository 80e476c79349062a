import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import { API_STATUS, HubError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { Logger } from '../observability/log.ts';
import { createHash } from 'node:crypto';
import { secretsEqual } from '../partners/tokens.ts';
import { admitRecognised, clearSurface, countFailure } from '../partners/lockout.ts';
import { readJsonBody } from '../http/body.ts';
import { assertCleanUrl } from '../http/text.ts';

/** Koa state of an app, finance or admin API request. */
export interface ApiState {
  requestId: string;
  em: EntityManager;
  log: Logger;
  actor?: string;
}

/** Outermost middleware of /api: a per-request entity manager, `{error, message}` errors and the request log. */
export function apiFrame(services: Services) {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    const state = ctx.state as ApiState;
    state.requestId = randomUUID();
    state.em = services.orm.em.fork();
    state.log = services.log.child({ requestId: state.requestId });
    ctx.set('X-Request-ID', state.requestId);
    try {
      assertCleanUrl(ctx);
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HubError('NOT_FOUND', `no resource at ${ctx.method} ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined) throw new HubError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}`);
    } catch (err) {
      const known = err instanceof HubError ? err : undefined;
      const { http, error } = API_STATUS[known?.kind ?? 'INTERNAL'];
      if (!known && !services.dbErrors.absorb(err, state.log)) state.log.error({ err }, 'unhandled error');
      ctx.status = http;
      ctx.body = { error, message: known ? known.message : 'internal error', ...(known?.details ?? {}) };
    }
    const ms = performance.now() - started;
    services.metrics.httpRequests.observe({ surface: 'api', method: ctx.method, status: String(ctx.status) }, ms / 1000);
    state.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, actor: state.actor, ip: ctx.ip, ms: Math.round(ms * 10) / 10 }, 'api request');
  };
}

/** A short, stable name for a key in audit trails: never the key itself. */
function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * `Authorization: Bearer <key>` for one API surface. Each surface counts its own failures per
 * address (src/partners/lockout.ts): past `AUTH_LOCKOUT_FAILURES` the answer is 429 whatever the
 * key, and only this surface's valid key clears the count.
 */
export function requireApiKey(services: Services, role: 'admin' | 'app' | 'finance', key: string) {
  return async (ctx: Context, next: Next) => {
    const state = ctx.state as ApiState;
    const now = services.clock.now();
    // The scheme is case-insensitive (RFC 9110 §11.1).
    const match = /^Bearer +(\S+)$/i.exec(ctx.get('authorization'));
    if (!match || !secretsEqual(match[1]!, key)) {
      await countFailure(state.em, services, role, ctx.ip, now);
      state.log.warn({ ip: ctx.ip, surface: role }, 'API authentication failed');
      throw new HubError('UNAUTHENTICATED', `Authorization must be "Bearer <${role.toUpperCase()}_API_KEY>"`);
    }
    if (await admitRecognised(state.em, services, role, ctx.ip, now)) await clearSurface(state.em, role, ctx.ip);
    state.actor = `${role}:${keyFingerprint(key)}`;
    await next();
  };
}

export async function jsonBody(ctx: Context, services: Services): Promise<Record<string, unknown>> {
  const body = await readJsonBody(ctx, services.config.bodyLimitBytes);
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HubError('INVALID_PARAMETERS', 'body: must be a JSON object');
  return body as Record<string, unknown>;
}
