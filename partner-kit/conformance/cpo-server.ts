import http from 'node:http';
import { tokenReadings } from '../../src/ocpi/auth.ts';
import { secretsEqual } from '../../src/partners/tokens.ts';
import type { AddressInfo } from 'node:net';
import { envelope } from '../../src/ocpi/envelope.ts';

/**
 * The runner's own small CPO: what a hub needs to reach while the `cpo` suite plays a CPO
 * against it. Versions and details (so the hub can fetch them during the handshake), a
 * credentials endpoint, empty senders (the hub may pull right after registering) and a commands
 * receiver that answers CommandResponse ACCEPTED and keeps each command for a scenario to await.
 * It accepts the tokens the runner gave the hub (token B, rotated ones too), base64 or raw.
 */
export interface ReceivedCommand {
  type: string;
  body: Record<string, unknown>;
}

export interface CpoServer {
  url: string;
  versionsUrl: string;
  /** A versions URL listing only a version no hub supports (9.9): version negotiation must fail with 3002. */
  unsupportedVersionsUrl: string;
  accept(token: string): void;
  /** The next command of `type` the hub sent (waits for it), or undefined after `timeoutMs`. */
  nextCommand(type: string, timeoutMs: number): Promise<ReceivedCommand | undefined>;
  stop(): Promise<void>;
}

export interface CpoServerOptions {
  port?: number;
  /** The URL the hub must use to reach this server, when it is not http://127.0.0.1:<port> (e.g. behind NAT or a tunnel). */
  publicUrl?: string;
  host?: string;
  countryCode: string;
  partyId: string;
}

const SENDERS = ['locations', 'sessions', 'cdrs', 'tariffs'];
const BODY_LIMIT = 1024 * 1024;

export async function startCpoServer(options: CpoServerOptions): Promise<CpoServer> {
  const accepted = new Set<string>();
  const received: ReceivedCommand[] = [];
  const waiters: { type: string; resolve: (c: ReceivedCommand) => void }[] = [];
  let base = '';

  // The token as the hub sends it (base64 as 2.2.1 says, or raw), compared in constant time.
  const knownToken = (header: string | undefined): string | undefined => {
    for (const reading of tokenReadings(header)) for (const token of accepted) if (secretsEqual(reading.token, token)) return token;
    return undefined;
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      // The hub under test is a partner like any: what it sends is bounded.
      size += (chunk as Buffer).length;
      if (size > BODY_LIMIT) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify(envelope(new Date(), 2000, undefined, `the body is larger than ${BODY_LIMIT} bytes`)));
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, statusCode: number, data?: unknown, headers: Record<string, string> = {}, message?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(envelope(new Date(), statusCode, data, message)));
    };
    if (knownToken(req.headers.authorization) === undefined) return send(401, 2000, undefined, {}, 'unknown token');
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      return send(400, 2001, undefined, {}, 'body is not JSON');
    }
    const v = `${base}/ocpi/2.2.1`;
    if (req.method === 'GET' && path === '/ocpi/versions') return send(200, 1000, [{ version: '2.2.1', url: v }]);
    if (req.method === 'GET' && path === '/ocpi/versions-unsupported') return send(200, 1000, [{ version: '9.9', url: `${base}/ocpi/9.9` }]);
    if (req.method === 'GET' && path === '/ocpi/2.2.1') {
      return send(200, 1000, {
        version: '2.2.1',
        endpoints: [
          { identifier: 'credentials', role: 'RECEIVER', url: `${v}/credentials` },
          ...SENDERS.map((m) => ({ identifier: m, role: 'SENDER', url: `${v}/${m}` })),
          { identifier: 'commands', role: 'RECEIVER', url: `${v}/commands` },
          { identifier: 'tokens', role: 'RECEIVER', url: `${v}/tokens` },
        ],
      });
    }
    if (req.method === 'GET' && SENDERS.some((m) => path === `/ocpi/2.2.1/${m}`)) return send(200, 1000, [], { 'X-Total-Count': '0', 'X-Limit': '100' });
    if (path === '/ocpi/2.2.1/credentials' && req.method === 'GET') {
      return send(200, 1000, { token: knownToken(req.headers.authorization), url: `${base}/ocpi/versions`, roles: [{ role: 'CPO', country_code: options.countryCode, party_id: options.partyId, business_details: { name: 'ocpi-hub conformance runner' } }] });
    }
    const command = /^\/ocpi\/2\.2\.1\/commands\/([A-Z_]+)$/.exec(path);
    if (req.method === 'POST' && command) {
      const got = { type: command[1]!, body: body ?? {} };
      const waiter = waiters.findIndex((w) => w.type === got.type);
      if (waiter >= 0) waiters.splice(waiter, 1)[0]!.resolve(got);
      else received.push(got);
      return send(200, 1000, { result: 'ACCEPTED', timeout: 30 });
    }
    if (path.startsWith('/ocpi/2.2.1/tokens')) return send(200, 1000);
    send(404, 2000, undefined, {}, `nothing at ${req.method} ${path}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  base = (options.publicUrl ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');
  return {
    url: base,
    versionsUrl: `${base}/ocpi/versions`,
    unsupportedVersionsUrl: `${base}/ocpi/versions-unsupported`,
    accept: (token) => void accepted.add(token),
    nextCommand(type, timeoutMs) {
      const i = received.findIndex((c) => c.type === type);
      if (i >= 0) return Promise.resolve(received.splice(i, 1)[0]);
      return new Promise((resolve) => {
        const waiter = { type, resolve: (c: ReceivedCommand | undefined) => {
          clearTimeout(timer);
          resolve(c);
        } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(undefined);
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
