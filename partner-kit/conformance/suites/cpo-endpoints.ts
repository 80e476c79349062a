import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { authorizationHeader } from '../../../src/client/ocpi-client.ts';
import type { TokenEncoding } from '../../../src/partners/api.ts';
import { redact, summarise, type ScenarioResult, type SuiteReport } from '../report.ts';

/**
 * The `cpo-endpoints` suite: checks a partner CPO's own endpoints the way the hub will use them,
 * before an operator approves it. Its checks are code, not scenario files: they follow the
 * partner's own data (page through it, choose dates from the objects it returned, compare
 * pages, wait for a CommandResult), which a fixed request/expectation list cannot express.
 *
 * The commands check sends a real START_SESSION to the first EVSE the partner's Locations
 * sender lists: run it against a test system, not a live charger.
 */
export interface CpoEndpointsOptions {
  versionsUrl: string;
  /** The token the partner accepts from the hub (token B in the partner's terms). */
  token: string;
  /** Where the runner serves the response_url for the CommandResult, and how the partner reaches it. */
  port?: number;
  publicUrl?: string;
  /** The address it listens on (default 127.0.0.1; 0.0.0.0 when the CPO is on another machine). */
  host?: string;
  timeoutMs?: number;
  /** How long to wait for the CommandResult after the CommandResponse (default 30 s or the CPO's timeout, whichever is less). */
  resultTimeoutMs?: number;
  /** Page size for walking the senders (default 2, so paging is exercised even on small data). */
  pageSize?: number;
  onResult?: (result: ScenarioResult) => void;
}

interface Got {
  status: number;
  headers: Record<string, string>;
  body: any;
  text: string;
}

/** A failed check: the message says what was expected and what came. */
class CheckFailure extends Error {}
class NotApplicable extends Error {}

const fail = (message: string): never => {
  throw new CheckFailure(message);
};

const SENDERS = ['locations', 'sessions', 'cdrs', 'tariffs'] as const;
const REQUIRED = [
  ['credentials', undefined],
  ['locations', 'SENDER'],
  ['sessions', 'SENDER'],
  ['cdrs', 'SENDER'],
  ['commands', 'RECEIVER'],
] as const;
const COMMAND_RESPONSES = ['NOT_SUPPORTED', 'REJECTED', 'ACCEPTED', 'UNKNOWN_SESSION'];
const COMMAND_RESULTS = ['ACCEPTED', 'CANCELED_RESERVATION', 'EVSE_OCCUPIED', 'EVSE_INOPERATIVE', 'FAILED', 'NOT_SUPPORTED', 'REJECTED', 'TIMEOUT', 'UNKNOWN_RESERVATION'];
/** Walking a sender stops here: enough to check counts without crawling a whole network. */
const MAX_PAGES = 50;

/** An object's id in its module: Locations, Sessions, CDRs and Tariffs all use `id`. */
const idOf = (o: any) => `${o?.country_code ?? ''}/${o?.party_id ?? ''}/${o?.id ?? ''}`;

export async function runCpoEndpointsSuite(options: CpoEndpointsOptions): Promise<SuiteReport> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const pageSize = options.pageSize ?? 2;
  const results: ScenarioResult[] = [];
  let encoding: TokenEncoding = 'BASE64';

  const get = async (url: string, method: 'GET' | 'POST' = 'GET', body?: unknown, enc: TokenEncoding = encoding): Promise<Got> => {
    let res;
    try {
      res = await request(url, {
        method,
        headers: { authorization: authorizationHeader(options.token, enc), accept: 'application/json', 'x-request-id': randomUUID(), 'x-correlation-id': randomUUID(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return fail(`${method} ${url}: no answer (${(err as Error).message})`);
    }
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers, body: parsed, text };
  };
  const ok = (what: string, got: Got): any => {
    if (got.status !== 200) fail(`${what}: expected HTTP 200, got ${got.status}`);
    if (!got.body || typeof got.body !== 'object') fail(`${what}: expected an OCPI envelope, got ${JSON.stringify(got.text.slice(0, 80))}`);
    if (got.body.status_code !== 1000) fail(`${what}: expected status_code 1000, got ${JSON.stringify(got.body.status_code)}${got.body.status_message ? ` (${got.body.status_message})` : ''}`);
    return got.body.data;
  };
  const check = async (name: string, group: string, body: () => Promise<void>) => {
    const t0 = performance.now();
    let result: ScenarioResult;
    try {
      await body();
      result = { name, file: group, outcome: 'passed', ms: 0 };
    } catch (err) {
      if (err instanceof NotApplicable) result = { name, file: group, outcome: 'not-applicable', reason: err.message, ms: 0 };
      else if (err instanceof CheckFailure) result = { name, file: group, outcome: 'failed', reason: err.message, ms: 0 };
      else throw err;
    }
    result.ms = Math.round(performance.now() - t0);
    const shown = redact(result, [options.token, Buffer.from(options.token).toString('base64')]);
    results.push(shown);
    options.onResult?.(shown);
  };

  // The response_url the CPO posts its CommandResult to.
  const posted: { path: string; body: any }[] = [];
  const arrivals: (() => void)[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    posted.push({ path: req.url ?? '/', body });
    arrivals.splice(0).forEach((wake) => wake());
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status_code: 1000, timestamp: new Date().toISOString() }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const base = (options.publicUrl ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`).replace(/\/+$/, '');

  try {
    let versionUrl = '';
    let endpoints: { identifier: string; role: string; url: string }[] = [];
    /** The partner's locations, for the commands check to start a session on. */
    const locations: any[] = [];

    await check('token encoding: the CPO accepts Authorization: Token base64(token) (OCPI 2.2.1)', 'versions', async () => {
      const b64 = await get(options.versionsUrl, 'GET', undefined, 'BASE64');
      if (b64.status === 200) return;
      const raw = await get(options.versionsUrl, 'GET', undefined, 'RAW');
      if (raw.status === 200) {
        encoding = 'RAW';
        fail('the CPO accepts only the raw token (OCPI 2.2 style), not base64 as 2.2.1 requires: set the partner\'s token encoding to RAW, or have the CPO decode base64');
      }
      fail(`GET ${options.versionsUrl}: HTTP ${b64.status} with the token in base64 and ${raw.status} raw: the token is not accepted`);
    });

    await check('versions: lists 2.2.1 with a URL', 'versions', async () => {
      const data = ok(`GET ${options.versionsUrl}`, await get(options.versionsUrl));
      if (!Array.isArray(data)) fail(`GET ${options.versionsUrl}: data must be an array of versions, got ${JSON.stringify(data)?.slice(0, 80)}`);
      const v = data.find((x: any) => x?.version === '2.2.1');
      if (!v || typeof v.url !== 'string') fail(`GET ${options.versionsUrl}: no version 2.2.1 with a url (got ${data.map((x: any) => x?.version).join(', ') || 'none'})`);
      versionUrl = v.url;
    });

    await check('version details: 2.2.1 with the endpoints the hub needs from a CPO', 'versions', async () => {
      if (!versionUrl) throw new NotApplicable('no 2.2.1 version URL');
      const data = ok(`GET ${versionUrl}`, await get(versionUrl));
      if (data?.version !== '2.2.1') fail(`GET ${versionUrl}: version must be "2.2.1", got ${JSON.stringify(data?.version)}`);
      if (!Array.isArray(data.endpoints)) fail(`GET ${versionUrl}: endpoints must be an array`);
      endpoints = data.endpoints;
      const missing = REQUIRED.filter(([id, role]) => !endpoints.some((e) => e.identifier === id && (!role || e.role === role)));
      if (missing.length) fail(`GET ${versionUrl}: missing endpoints ${missing.map(([id, role]) => (role ? `${id} (${role})` : id)).join(', ')}`);
    });

    for (const module of SENDERS) {
      const endpoint = () => endpoints.find((e) => e.identifier === module && e.role === 'SENDER')?.url;
      const group = `${module} sender`;
      // Sessions: date_from is required (mod_sessions); the others get none, to see everything.
      const baseQuery: Record<string, string> = module === 'sessions' ? { date_from: '2000-01-01T00:00:00Z' } : {};
      const pageUrl = (query: Record<string, string>) => {
        const u = new URL(endpoint()!);
        for (const [k, v] of Object.entries({ ...baseQuery, ...query })) u.searchParams.set(k, v);
        return u.toString();
      };
      const headersOf = (what: string, got: Got) => {
        const total = got.headers['x-total-count'];
        const limit = got.headers['x-limit'];
        if (total === undefined || !/^\d+$/.test(total)) fail(`${what}: X-Total-Count must be a non-negative integer, got ${total === undefined ? 'nothing' : JSON.stringify(total)}`);
        if (limit === undefined || !/^\d+$/.test(limit)) fail(`${what}: X-Limit must be a non-negative integer, got ${limit === undefined ? 'nothing' : JSON.stringify(limit)}`);
        return { total: Number(total), limit: Number(limit) };
      };
      const nextLink = (got: Got) => /<([^>]+)>\s*;\s*rel="?next"?/.exec(got.headers.link ?? '')?.[1];
      let first: { objects: any[]; total: number; url: string; got: Got } | undefined;

      await check(`${module}: a page has X-Total-Count, X-Limit and at most limit objects`, group, async () => {
        if (!endpoint()) throw new NotApplicable(`the CPO offers no ${module} SENDER endpoint`);
        const url = pageUrl({ offset: '0', limit: String(pageSize) });
        const got = await get(url);
        const data = ok(`GET ${url}`, got);
        if (!Array.isArray(data)) fail(`GET ${url}: data must be an array`);
        const { total } = headersOf(`GET ${url}`, got);
        if (data.length > pageSize) fail(`GET ${url}: ${data.length} objects for limit=${pageSize}`);
        first = { objects: data, total, url, got };
      });

      await check(`${module}: Link to the next page exactly while objects remain, with the filters repeated`, group, async () => {
        if (!first) throw new NotApplicable('no first page');
        const { url, got } = first;
        const link = nextLink(got);
        if (first.total > first.objects.length && !link) fail(`GET ${url}: X-Total-Count is ${first.total} and ${first.objects.length} objects came, but there is no Link rel="next"`);
        if (first.total <= first.objects.length && link) fail(`GET ${url}: all ${first.total} objects came, but a Link rel="next" points at ${link}`);
        if (link) {
          const next = new URL(link, url);
          for (const [k, v] of Object.entries(baseQuery)) if (next.searchParams.get(k) !== v) fail(`GET ${url}: the Link ${link} drops the filter ${k}=${v}`);
        }
      });

      await check(`${module}: offset is applied`, group, async () => {
        if (!first) throw new NotApplicable('no first page');
        if (first.objects.length < 2) throw new NotApplicable(`needs at least 2 objects (the CPO has ${first.total})`);
        const url = pageUrl({ offset: '1', limit: '1' });
        const data = ok(`GET ${url}`, await get(url));
        const want = idOf(first.objects[1]);
        const gotId = Array.isArray(data) && data[0] ? idOf(data[0]) : 'nothing';
        if (gotId !== want) fail(`GET ${url}: expected the second object ${want}, got ${gotId} (offset ignored?)`);
      });

      await check(`${module}: walking the Links yields X-Total-Count distinct objects`, group, async () => {
        if (!first) throw new NotApplicable('no first page');
        const seen: any[] = [];
        let url: string | undefined = pageUrl({ offset: '0', limit: String(pageSize) });
        for (let page = 0; url && page < MAX_PAGES; page++) {
          const got = await get(url);
          const data = ok(`GET ${url}`, got);
          if (!Array.isArray(data)) fail(`GET ${url}: data must be an array`);
          const known = new Set(seen.map(idOf));
          const repeated = data.filter((o: any) => known.has(idOf(o)));
          if (repeated.length) fail(`GET ${url}: page ${page + 1} repeats ${repeated.length} object(s) of earlier pages, e.g. ${idOf(repeated[0])} (offset ignored?)`);
          seen.push(...data);
          const link = nextLink(got);
          url = link ? new URL(link, url).toString() : undefined;
        }
        if (url) throw new NotApplicable(`more than ${MAX_PAGES} pages: not walked to the end`);
        if (seen.length !== first.total) fail(`X-Total-Count says ${first.total}, but the pages hold ${seen.length} objects`);
      });

      const all = async (query: Record<string, string>) => {
        const objects: any[] = [];
        let url: string | undefined = pageUrl({ ...query, offset: '0', limit: '100' });
        let total = -1;
        for (let page = 0; url && page < MAX_PAGES; page++) {
          const got = await get(url);
          const data = ok(`GET ${url}`, got);
          if (total < 0) total = headersOf(`GET ${url}`, got).total;
          objects.push(...(Array.isArray(data) ? data : []));
          const link = nextLink(got);
          url = link ? new URL(link, url).toString() : undefined;
        }
        return { objects, total, shown: pageUrl(query) };
      };

      // The dates are chosen from every object, read in pages of 100 (so a sender whose Link or offset is broken still shows them all).
      const dated = async () => {
        const objects = (await all({})).objects;
        const times = [...new Set(objects.map((o) => o?.last_updated).filter((t): t is string => typeof t === 'string' && !Number.isNaN(Date.parse(t))))].sort((a, b) => Date.parse(a) - Date.parse(b));
        if (times.length < 2) throw new NotApplicable(`needs objects with at least 2 different last_updated (the CPO has ${times.length})`);
        return { objects, times };
      };
      await check(`${module}: date_from is applied (inclusive, on last_updated)`, group, async () => {
        if (!first) throw new NotApplicable('no first page');
        const { objects, times } = await dated();
        const from = times[times.length - 1]!;
        const expected = objects.filter((o) => Date.parse(o.last_updated) >= Date.parse(from)).length;
        const got = await all({ date_from: from });
        const older = got.objects.filter((o) => Date.parse(o?.last_updated) < Date.parse(from));
        if (older.length) fail(`GET ${got.shown}: ${older.length} of ${got.objects.length} objects are older than date_from (date_from ignored?)`);
        if (got.objects.length !== expected) fail(`GET ${got.shown}: expected the ${expected} objects with last_updated >= ${from}, got ${got.objects.length}`);
        if (got.total !== expected) fail(`GET ${got.shown}: X-Total-Count must count the date filter: expected ${expected}, got ${got.total}`);
      });

      if (module === 'locations' && endpoint()) locations.push(...(await all({}).catch(() => ({ objects: [] }))).objects);

      await check(`${module}: date_to is applied (exclusive, on last_updated)`, group, async () => {
        if (!first) throw new NotApplicable('no first page');
        const { objects, times } = await dated();
        const to = times[times.length - 1]!;
        const expected = objects.filter((o) => Date.parse(o.last_updated) < Date.parse(to)).length;
        const got = await all({ date_to: to });
        const late = got.objects.filter((o) => Date.parse(o?.last_updated) >= Date.parse(to));
        if (late.length) fail(`GET ${got.shown}: ${late.length} of ${got.objects.length} objects have last_updated at or after date_to (date_to ignored?)`);
        if (got.objects.length !== expected) fail(`GET ${got.shown}: expected the ${expected} objects with last_updated < ${to}, got ${got.objects.length}`);
        if (got.total !== expected) fail(`GET ${got.shown}: X-Total-Count must count the date filter: expected ${expected}, got ${got.total}`);
      });
    }

    let response: { result?: string; timeout?: number } | undefined;
    const responsePath = `/conformance/command-results/START_SESSION/${randomUUID()}`;
    await check('commands: START_SESSION is answered with a CommandResponse', 'commands receiver', async () => {
      const url = endpoints.find((e) => e.identifier === 'commands' && e.role === 'RECEIVER')?.url;
      if (!url) throw new NotApplicable('the CPO offers no commands RECEIVER endpoint');
      const location = locations.find((l) => Array.isArray(l?.evses) && l.evses.some((e: any) => e?.uid));
      if (!location) throw new NotApplicable('the CPO lists no location with an EVSE to start a session on');
      const evse = location.evses.find((e: any) => e?.uid);
      const body = {
        response_url: `${base}${responsePath}`,
        token: { country_code: 'NL', party_id: 'HUB', uid: `CONFORMANCE-${randomUUID().slice(0, 8).toUpperCase()}`, type: 'APP_USER', contract_id: 'NL-HUB-CONFORMANCE', issuer: 'ocpi-hub conformance', valid: true, whitelist: 'ALLOWED', last_updated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
        location_id: location.id,
        evse_uid: evse.uid,
        ...(evse.connectors?.[0]?.id ? { connector_id: evse.connectors[0].id } : {}),
        authorization_reference: randomUUID().replace(/-/g, '').slice(0, 36),
      };
      const target = `${url.replace(/\/+$/, '')}/START_SESSION`;
      const data = ok(`POST ${target}`, await get(target, 'POST', body));
      if (!data || !COMMAND_RESPONSES.includes(data.result)) fail(`POST ${target}: data.result must be one of ${COMMAND_RESPONSES.join(', ')}, got ${JSON.stringify(data?.result)}`);
      if (!Number.isInteger(data.timeout)) fail(`POST ${target}: data.timeout must be an integer number of seconds, got ${JSON.stringify(data.timeout)}`);
      response = data;
    });

    await check('commands: the CommandResult is posted to the response_url', 'commands receiver', async () => {
      if (!response) throw new NotApplicable('no CommandResponse');
      if (response.result !== 'ACCEPTED') throw new NotApplicable(`the CPO answered ${response.result}: no result follows`);
      const wait = Math.min(options.resultTimeoutMs ?? 30_000, (response.timeout ?? 30) * 1000 + 1000);
      const deadline = Date.now() + wait;
      while (!posted.some((p) => p.path === responsePath) && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          arrivals.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      const result = posted.find((p) => p.path === responsePath);
      if (!result) fail(`no CommandResult at ${base}${responsePath} within ${wait} ms`);
      if (!COMMAND_RESULTS.includes(result!.body?.result)) fail(`the CommandResult's result must be one of ${COMMAND_RESULTS.join(', ')}, got ${JSON.stringify(result!.body?.result)}`);
    });
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
  return summarise('cpo-endpoints', results, Math.round(performance.now() - started));
}
