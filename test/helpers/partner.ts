import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/**
 * A CPO played by a real HTTP server inside the test: versions, version details and a
 * credentials endpoint that does its half of the handshake (calls the hub back with the
 * token the hub gave it, then answers with its own). Behaviour is set through fields.
 */
export interface Seen {
  method: string;
  path: string;
  authorization?: string;
  /** The token the caller presented, decoded as this partner's encoding expects. */
  token?: string;
  body?: unknown;
}

export interface RouteAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class FakePartner {
  url = '';
  /** Tokens this partner accepts from the hub. */
  accepted = new Set<string>();
  /** How this partner reads Authorization: BASE64 per the spec, or RAW like old implementations. */
  encoding: 'BASE64' | 'RAW' = 'BASE64';
  versions?: { version: string; url: string }[];
  endpoints?: { identifier: string; role: string; url: string }[];
  /** HTTP status to answer GET /versions with, instead of the list. */
  versionsStatus?: number;
  /** Token this partner answers our POST/PUT credentials with. */
  nextTokenC = 'partner-token-c-1';
  countryCode = 'DE';
  partyId = 'CPX';
  seen: Seen[] = [];
  /** What the hub answered when we called it back during its POST/PUT. */
  callbacks: { status: number; body: any }[] = [];
  /**
   * Extra routes a test adds: `${method} ${path}` → handler. A handler may answer later (a
   * promise), or answer `'DROP'` to close the connection without a response.
   */
  routes = new Map<string, (req: Seen) => RouteAnswer | 'DROP' | Promise<RouteAnswer | 'DROP'>>();
  /** While true, every request is dropped unanswered (connection closed): a CPO whose endpoints stopped answering. */
  down = false;
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

  get versionsUrl(): string {
    return `${this.url}/ocpi/versions`;
  }

  defaultEndpoints() {
    const base = `${this.url}/ocpi/2.2.1`;
    return [
      { identifier: 'credentials', role: 'RECEIVER', url: `${base}/credentials` },
      { identifier: 'locations', role: 'SENDER', url: `${base}/locations` },
      { identifier: 'sessions', role: 'SENDER', url: `${base}/sessions` },
      { identifier: 'cdrs', role: 'SENDER', url: `${base}/cdrs` },
      { identifier: 'tariffs', role: 'SENDER', url: `${base}/tariffs` },
      { identifier: 'commands', role: 'RECEIVER', url: `${base}/commands` },
      { identifier: 'tokens', role: 'RECEIVER', url: `${base}/tokens` },
    ];
  }

  credentials(token: string) {
    return {
      token,
      url: this.versionsUrl,
      roles: [{ role: 'CPO', country_code: this.countryCode, party_id: this.partyId, business_details: { name: 'Fake CPO' } }],
    };
  }

  private decode(header: string | undefined): string | undefined {
    const m = /^Token (.+)$/.exec(header ?? '');
    if (!m) return undefined;
    return this.encoding === 'BASE64' ? Buffer.from(m[1]!, 'base64').toString('utf8') : m[1];
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0]!;
    const seen: Seen = { method: req.method!, path: req.url ?? '/', authorization: req.headers.authorization, token: this.decode(req.headers.authorization), body: text ? JSON.parse(text) : undefined };
    this.seen.push(seen);
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const ok = (data?: unknown) => send(200, { ...(data === undefined ? {} : { data }), status_code: 1000, timestamp: new Date().toISOString() });
    if (!seen.token || !this.accepted.has(seen.token)) return send(401, { status_code: 2000, status_message: 'unauthorized', timestamp: new Date().toISOString() });

    const extra = this.routes.get(`${req.method} ${path}`);
    if (extra) {
      const answer = await extra(seen);
      if (answer === 'DROP') {
        req.socket.destroy();
        return;
      }
      return send(answer.status ?? 200, answer.body, answer.headers);
    }
    if (req.method === 'GET' && path === '/ocpi/versions') {
      if (this.versionsStatus) return send(this.versionsStatus, { status_code: 3000, timestamp: new Date().toISOString() });
      return ok(this.versions ?? [{ version: '2.1.1', url: `${this.url}/ocpi/2.1.1` }, { version: '2.2.1', url: `${this.url}/ocpi/2.2.1` }]);
    }
    if (req.method === 'GET' && path === '/ocpi/2.2.1') return ok({ version: '2.2.1', endpoints: this.endpoints ?? this.defaultEndpoints() });
    if ((req.method === 'POST' || req.method === 'PUT') && path === '/ocpi/2.2.1/credentials') {
      // Our half of the handshake: call the hub back with the token it gave us, before answering.
      const body = seen.body as { token: string; url: string };
      const auth = `Token ${this.encoding === 'BASE64' ? Buffer.from(body.token).toString('base64') : body.token}`;
      const versions = await request(body.url, { headers: { authorization: auth } });
      const versionsBody = (await versions.body.json()) as any;
      this.callbacks.push({ status: versions.statusCode, body: versionsBody });
      if (versions.statusCode !== 200) return send(200, { status_code: 3001, status_message: 'could not read your versions', timestamp: new Date().toISOString() });
      const details = await request(versionsBody.data.find((v: any) => v.version === '2.2.1').url, { headers: { authorization: auth } });
      this.callbacks.push({ status: details.statusCode, body: await details.body.json() });
      this.accepted.delete(seen.token);
      this.accepted.add(this.nextTokenC);
      return ok(this.credentials(this.nextTokenC));
    }
    send(404, { status_code: 2000, status_message: 'not found', timestamp: new Date().toISOString() });
  }
}
