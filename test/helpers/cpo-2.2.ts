import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/**
 * A 2.2-era CPO, written apart from the hub's own test partner and behaving like the older
 * implementations still in the field: it speaks OCPI 2.2 only, sends and expects tokens raw
 * (`Authorization: Token <token>`, not base64), starts the registration itself, serves its
 * endpoints under a path of its own choosing (/ocpi/cpo/2.2/...), never echoes
 * authorization_reference, and reports charging periods with TIME only.
 *
 * Every request the hub makes is kept in `seen`; every answer the hub gives it is kept in
 * `answers`, so a test can hold both against the 2.2 tables.
 */
export interface Exchange {
  method: string;
  path: string;
  token?: string;
  body?: any;
}

export interface HubAnswer {
  what: string;
  status: number;
  headers: Record<string, string>;
  body: any;
}

export class Cpo22 {
  url = '';
  readonly countryCode = 'CH';
  readonly partyId = 'ABC';
  /** Token B: what the hub must present to us. */
  readonly tokenForHub = 'cpo22-token-b-raw';
  /** Token C: what we present to the hub, known after registration. */
  tokenC = '';
  hubVersionsUrl = '';
  seen: Exchange[] = [];
  answers: HubAnswer[] = [];
  locations: unknown[] = [];
  tariffs: unknown[] = [];
  /** What we answer to START_SESSION / STOP_SESSION. */
  commandResult = 'ACCEPTED';
  private server?: http.Server;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  get base(): string {
    return `${this.url}/ocpi/cpo/2.2`;
  }

  /** The CPO's side of the registration: versions and details of the hub read with token A, then POST credentials. */
  async register(hubVersionsUrl: string, tokenA: string): Promise<HubAnswer> {
    this.hubVersionsUrl = hubVersionsUrl;
    const versions = await this.call('GET', hubVersionsUrl, tokenA, undefined, 'versions');
    const v22 = versions.body.data.find((v: any) => v.version === '2.2');
    if (!v22) throw new Error(`the hub offers no 2.2: ${JSON.stringify(versions.body)}`);
    const details = await this.call('GET', v22.url, tokenA, undefined, 'version details');
    const credentialsUrl = details.body.data.endpoints.find((e: any) => e.identifier === 'credentials').url;
    const answer = await this.call('POST', credentialsUrl, tokenA, this.credentials(), 'credentials');
    if (answer.body.status_code === 1000) this.tokenC = answer.body.data.token;
    return answer;
  }

  credentials() {
    return {
      token: this.tokenForHub,
      url: `${this.url}/ocpi/cpo/versions`,
      roles: [{ role: 'CPO', country_code: this.countryCode, party_id: this.partyId, business_details: { name: 'Alpine Charge (OCPI 2.2)' } }],
    };
  }

  /** A call to the hub in our own manner (raw token), recorded with the hub's answer. */
  async call(method: string, url: string, token: string, body: unknown, what: string): Promise<HubAnswer> {
    const res = await request(url, {
      method: method as 'GET',
      headers: { authorization: `Token ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
    const answer = { what, status: res.statusCode, headers, body: text ? JSON.parse(text) : undefined };
    this.answers.push(answer);
    return answer;
  }

  /** A call to one of the hub's 2.2 modules, at the URL its version details gave us. */
  hub(method: string, path: string, body: unknown, what: string): Promise<HubAnswer> {
    return this.call(method, `${new URL(this.hubVersionsUrl).origin}/ocpi/2.2${path}`, this.tokenC, body, what);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const token = /^Token (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    this.seen.push({ method: req.method!, path: `${url.pathname}${url.search}`, token, body: text ? JSON.parse(text) : undefined });
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const ok = (data?: unknown, headers: Record<string, string> = {}) => reply(200, { ...(data === undefined ? {} : { data }), status_code: 1000, timestamp: new Date().toISOString() }, headers);
    // Raw tokens only: a base64 token is as unknown to us as a wrong one.
    if (token !== this.tokenForHub) return reply(401, { status_code: 2000, status_message: 'Unauthorized', timestamp: new Date().toISOString() });

    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /ocpi/cpo/versions') return ok([{ version: '2.2', url: this.base }]);
    if (route === 'GET /ocpi/cpo/2.2') {
      return ok({
        version: '2.2',
        endpoints: [
          { identifier: 'credentials', role: 'RECEIVER', url: `${this.base}/credentials` },
          { identifier: 'locations', role: 'SENDER', url: `${this.base}/locations` },
          { identifier: 'tariffs', role: 'SENDER', url: `${this.base}/tariffs` },
          { identifier: 'sessions', role: 'SENDER', url: `${this.base}/sessions` },
          { identifier: 'cdrs', role: 'SENDER', url: `${this.base}/cdrs` },
          { identifier: 'commands', role: 'RECEIVER', url: `${this.base}/commands` },
          { identifier: 'tokens', role: 'RECEIVER', url: `${this.base}/tokens` },
        ],
      });
    }
    // Senders that list everything on one page, with the paging headers a list tool reads.
    const page = (items: unknown[]) => ok(items, { 'x-total-count': String(items.length), 'x-limit': '100' });
    if (route === 'GET /ocpi/cpo/2.2/locations') return page(this.locations);
    if (route === 'GET /ocpi/cpo/2.2/tariffs') return page(this.tariffs);
    if (route === 'GET /ocpi/cpo/2.2/sessions' || route === 'GET /ocpi/cpo/2.2/cdrs') return page([]);
    if (req.method === 'POST' && url.pathname.startsWith('/ocpi/cpo/2.2/commands/')) return ok({ result: this.commandResult, timeout: 30 });
    reply(404, { status_code: 2000, status_message: 'Unknown endpoint', timestamp: new Date().toISOString() });
  }
}
