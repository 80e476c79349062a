import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/**
 * A CPO whose senders page wrongly, one fault per module, for the cpo-endpoints suite to catch:
 * Locations never send Link, Sessions ignore offset, CDRs report a wrong X-Total-Count, Tariffs
 * ignore date_from (each fault chosen per module). Five objects each, a minute apart. Its
 * commands receiver is correct. `rawToken`: it accepts only the raw token (OCPI 2.2 style).
 */
export type PagingFault = 'NO_LINK' | 'IGNORES_OFFSET' | 'WRONG_TOTAL' | 'IGNORES_DATE_FROM' | 'NONE';

export interface BrokenCpo {
  url: string;
  versionsUrl: string;
  token: string;
  stop(): Promise<void>;
}

const OBJECTS = 5;

export async function startBrokenCpo(faults: Record<'locations' | 'sessions' | 'cdrs' | 'tariffs', PagingFault>, options: { rawToken?: boolean } = {}): Promise<BrokenCpo> {
  const token = 'broken-cpo-token-b';
  let base = '';
  const objects = (module: string) =>
    Array.from({ length: OBJECTS }, (_, i) => ({
      country_code: 'NL',
      party_id: 'BRK',
      id: `${module.toUpperCase()}-${i + 1}`,
      last_updated: `2026-01-01T10:0${i}:00Z`,
      ...(module === 'locations' ? { evses: [{ uid: `EVSE-${i + 1}`, connectors: [{ id: '1' }] }] } : {}),
    }));
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const ok = (data: unknown, headers: Record<string, string> = {}) => send(200, { data, status_code: 1000, timestamp: new Date().toISOString() }, headers);
    // A 2.2-style CPO reads the token raw, as 2.2.1 no longer allows.
    if (req.headers.authorization !== `Token ${options.rawToken ? token : Buffer.from(token).toString('base64')}`) return send(401, { status_code: 2000, timestamp: new Date().toISOString() });
    const url = new URL(req.url ?? '/', base);
    const v = `${base}/ocpi/2.2.1`;
    if (url.pathname === '/ocpi/versions') return ok([{ version: '2.2.1', url: v }]);
    if (url.pathname === '/ocpi/2.2.1') {
      return ok({
        version: '2.2.1',
        endpoints: [
          { identifier: 'credentials', role: 'RECEIVER', url: `${v}/credentials` },
          ...['locations', 'sessions', 'cdrs', 'tariffs'].map((m) => ({ identifier: m, role: 'SENDER', url: `${v}/${m}` })),
          { identifier: 'commands', role: 'RECEIVER', url: `${v}/commands` },
        ],
      });
    }
    const sender = /^\/ocpi\/2\.2\.1\/(locations|sessions|cdrs|tariffs)$/.exec(url.pathname)?.[1] as keyof typeof faults | undefined;
    if (req.method === 'GET' && sender) {
      const fault = faults[sender];
      const from = url.searchParams.get('date_from');
      const to = url.searchParams.get('date_to');
      const matching = objects(sender).filter((o) => (fault === 'IGNORES_DATE_FROM' || !from || o.last_updated >= from) && (!to || o.last_updated < to));
      const offset = fault === 'IGNORES_OFFSET' ? 0 : Number(url.searchParams.get('offset') ?? 0);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 100);
      const page = matching.slice(offset, offset + limit);
      const headers: Record<string, string> = { 'X-Total-Count': String(fault === 'WRONG_TOTAL' ? matching.length + 5 : matching.length), 'X-Limit': '100' };
      const nextOffset = (fault === 'IGNORES_OFFSET' ? Number(url.searchParams.get('offset') ?? 0) : offset) + page.length;
      if (fault !== 'NO_LINK' && nextOffset < matching.length) {
        const next = new URL(url);
        next.searchParams.set('offset', String(nextOffset));
        next.searchParams.set('limit', String(limit));
        headers.Link = `<${next}>; rel="next"`;
      }
      return ok(page, headers);
    }
    const command = /^\/ocpi\/2\.2\.1\/commands\/([A-Z_]+)$/.exec(url.pathname);
    if (req.method === 'POST' && command) {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { response_url: string };
      ok({ result: 'ACCEPTED', timeout: 5 });
      // The result follows its response, as a CPO's charger answers after the command was accepted.
      setImmediate(() => void request(body.response_url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Token aHViLXRva2Vu' }, body: JSON.stringify({ result: 'ACCEPTED' }) }).then((r) => r.body.dump()));
      return;
    }
    send(404, { status_code: 2000, timestamp: new Date().toISOString() });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    versionsUrl: `${base}/ocpi/versions`,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
