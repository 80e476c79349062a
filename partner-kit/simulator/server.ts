import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import type { Clock } from '../../src/clock.ts';
import { HubError, OCPI_STATUS } from '../../src/errors.ts';
import { envelope } from '../../src/ocpi/envelope.ts';
import { inWindow, pageHeaders, parsePage } from '../../src/ocpi/pagination.ts';
import { parseDateTime } from '../../src/ocpi/datetime.ts';
import { tokenReadings } from '../../src/ocpi/auth.ts';
import { secretsEqual } from '../../src/partners/tokens.ts';
import type { Charging } from './charging.ts';
import { commandEvse, handleCommand, type CommandsContext } from './commands.ts';
import { RETRY_AFTER_SECONDS, type Faults, type FaultMode } from './faults.ts';
import type { HubLink } from './hub-link.ts';
import { inboundLine, type Print } from './print.ts';
import { credentialsObject } from './registration.ts';
import type { World } from './world.ts';

/**
 * The CPO's own OCPI API, what the hub calls: versions and details, credentials, the
 * Locations / Tariffs / Sessions / CDRs senders with real paging, and the Commands receiver.
 * Every call must carry our token B (base64 as 2.2.1 says, raw accepted too).
 */
const MAX_PAGE = 50;
const BODY_LIMIT = 1024 * 1024;

export interface ServerContext {
  version: '2.2' | '2.2.1';
  /** Our base URL as the hub reaches it (known once listening). */
  baseUrl(): string;
  ours: { token: string; countryCode: string; partyId: string };
  world: World;
  charging: Charging;
  faults: Faults;
  link: HubLink;
  clock: Clock;
  print: Print;
  commands: Omit<CommandsContext, 'world' | 'charging' | 'faults' | 'link' | 'print'>;
  /** The hub rotated or deleted our credentials. */
  onUnregistered(): void;
}

export function createServerApp(ctx: ServerContext): Koa {
  const app = new Koa();
  const router = new Router();
  const v = `/ocpi/${ctx.version}`;
  const versionUrl = () => `${ctx.baseUrl()}${v}`;

  const reply = (c: Context, httpStatus: number, statusCode: number, data?: unknown, message?: string) => {
    c.status = httpStatus;
    c.body = envelope(ctx.clock.now(), statusCode, data, message);
  };

  app.use(async (c, next) => {
    try {
      if (!authorized(c.get('authorization'), ctx.ours.token, ctx.version)) {
        reply(c, 401, 2000, undefined, 'unknown token');
      } else {
        await next();
        if (c.status === 404 && c.body === undefined) reply(c, 404, 2000, undefined, `no endpoint ${c.method} ${c.path}`);
      }
    } catch (err) {
      if (err instanceof HubError) reply(c, OCPI_STATUS[err.kind].http, OCPI_STATUS[err.kind].code, undefined, err.message);
      else {
        ctx.print(`  error: ${(err as Error).message}`);
        reply(c, 500, 3000, undefined, 'internal error');
      }
    }
    const body = c.body as { status_code?: number; data?: { result?: string } } | undefined;
    const shortPath = c.path.startsWith(v) ? c.path.slice(v.length) || '/' : c.path;
    ctx.print(inboundLine(c.method, shortPath, c.status, body?.data?.result ?? body?.status_code ?? (typeof c.body === 'string' ? 'spoilt' : undefined)));
  });

  /** Transport faults spoil what a functional module answers (never versions or credentials, so registration works). */
  const spoil = (c: Context, mode: FaultMode): boolean => {
    if (mode === 'random-500' && ctx.faults.fails()) {
      reply(c, 500, 3000, undefined, 'simulated server error (fault mode random-500)');
      return true;
    }
    if (mode === 'rate-limit') {
      c.set('Retry-After', String(RETRY_AFTER_SECONDS));
      reply(c, 429, 2000, undefined, 'too many requests (fault mode rate-limit)');
      return true;
    }
    if (mode === 'truncated') {
      const full = JSON.stringify(envelope(ctx.clock.now(), 1000, []));
      c.status = 200;
      c.type = 'application/json';
      c.body = full.slice(0, Math.floor(full.length / 2));
      return true;
    }
    if (mode === 'html') {
      c.status = 502;
      c.type = 'text/html';
      c.body = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>';
      return true;
    }
    return false;
  };

  router.get('/ocpi/versions', (c) => reply(c, 200, 1000, [{ version: ctx.version, url: versionUrl() }]));
  router.get(v, (c) =>
    reply(c, 200, 1000, {
      version: ctx.version,
      endpoints: [
        { identifier: 'credentials', role: 'RECEIVER', url: `${versionUrl()}/credentials` },
        { identifier: 'locations', role: 'SENDER', url: `${versionUrl()}/locations` },
        { identifier: 'tariffs', role: 'SENDER', url: `${versionUrl()}/tariffs` },
        { identifier: 'sessions', role: 'SENDER', url: `${versionUrl()}/sessions` },
        { identifier: 'cdrs', role: 'SENDER', url: `${versionUrl()}/cdrs` },
        { identifier: 'commands', role: 'RECEIVER', url: `${versionUrl()}/commands` },
      ],
    }),
  );

  const ourCredentials = () => credentialsObject({ token: ctx.ours.token, url: `${ctx.baseUrl()}/ocpi/versions`, countryCode: ctx.ours.countryCode, partyId: ctx.ours.partyId });
  router.get(`${v}/credentials`, (c) => reply(c, 200, 1000, ourCredentials()));
  // The hub (re)registering with us: its new token is what we present from now on.
  const takeCredentials = async (c: Context) => {
    const body = (await readJson(c)) as { token?: unknown } | undefined;
    if (!body || typeof body.token !== 'string' || !body.token) return reply(c, 400, 2001, undefined, 'token: is required');
    ctx.link.token = body.token;
    reply(c, 200, 1000, ourCredentials());
  };
  router.post(`${v}/credentials`, takeCredentials);
  router.put(`${v}/credentials`, takeCredentials);
  router.delete(`${v}/credentials`, (c) => {
    ctx.onUnregistered();
    reply(c, 200, 1000);
  });

  const sender = (name: string, items: () => { last_updated: string }[]) =>
    router.get(`${v}/${name}`, (c) => {
      if (spoil(c, ctx.faults.modeFor())) return;
      const query = c.query as Record<string, string | undefined>;
      const page = parsePage(query, MAX_PAGE);
      const matching = items()
        .filter((item) => inWindow(page, parseDateTime(item.last_updated)!))
        .sort((a, b) => a.last_updated.localeCompare(b.last_updated));
      const slice = matching.slice(page.offset, page.offset + page.limit);
      c.set(pageHeaders(`${versionUrl()}/${name}`, query, page, slice.length, matching.length, MAX_PAGE));
      reply(c, 200, 1000, slice);
    });
  sender('locations', () => ctx.world.locations);
  sender('tariffs', () => ctx.world.tariffs);
  sender('sessions', () => ctx.charging.sessions());
  sender('cdrs', () => ctx.charging.cdrs());

  router.get(`${v}/locations/:location{/:evse}{/:connector}`, (c) => {
    if (spoil(c, ctx.faults.modeFor(c.params.evse))) return;
    const location = ctx.world.locations.find((l) => l.id === c.params.location);
    const evse = c.params.evse === undefined ? undefined : location?.evses.find((e) => e.uid === c.params.evse);
    const connector = c.params.connector === undefined ? undefined : evse?.connectors.find((k) => k.id === c.params.connector);
    const found = c.params.connector !== undefined ? connector : c.params.evse !== undefined ? evse : location;
    if (!found) return reply(c, 404, 2003, undefined, 'unknown location, EVSE or connector');
    reply(c, 200, 1000, found);
  });

  router.post(`${v}/commands/:type`, async (c) => {
    const body = await readJson(c);
    if (!body || typeof body !== 'object' || Array.isArray(body)) return reply(c, 400, 2001, undefined, 'the body must be a command object');
    const command = body as Record<string, unknown>;
    const type = c.params.type!;
    if (spoil(c, ctx.faults.modeFor(commandEvse(ctx, type, command)))) return;
    const answer = await handleCommand({ ...ctx.commands, world: ctx.world, charging: ctx.charging, faults: ctx.faults, link: ctx.link, print: ctx.print }, type, command);
    reply(c, answer.httpStatus, answer.statusCode, answer.data, answer.message);
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/**
 * Token B as the hub sends it, compared in constant time. 2.2.1: base64 as the spec says, raw
 * accepted too. 2.2: raw only, as 2.2 CPOs did (a base64 token is as unknown as a wrong one),
 * so a hub must find the encoding this partner understands.
 */
function authorized(header: string, token: string, version: '2.2' | '2.2.1'): boolean {
  return tokenReadings(header).some((reading) => (version === '2.2.1' || reading.encoding === 'RAW') && secretsEqual(reading.token, token));
}

async function readJson(c: Context): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of c.req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HubError('PAYLOAD_TOO_LARGE', `the body is larger than ${BODY_LIMIT} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HubError('INVALID_JSON', 'the body is not JSON');
  }
}
