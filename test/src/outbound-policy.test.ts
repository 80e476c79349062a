import http from 'node:http';
import { capturingLogger } from '../helpers/log.ts';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createOcpiClient, OcpiCallError, describeCallFailure, GENERIC_FETCH_FAILURE, type OcpiClient, type OcpiClientOptions } from '../../src/client/ocpi-client.ts';
import { classifyAddress, type Resolver } from '../../src/client/url-policy.ts';
import { loadConfig } from '../../src/config.ts';


/** A local HTTP server that counts what reaches it. */
async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const hits: string[] = [];
  const s = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  return {
    port,
    hits,
    server: s,
    stop: () =>
      new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      }),
  };
}

const envelope = (data: unknown) => JSON.stringify({ data, status_code: 1000, timestamp: new Date().toISOString() });

async function failure(client: OcpiClient, url: string): Promise<OcpiCallError> {
  try {
    await client.call({ method: 'GET', url, token: 'tok', encoding: 'BASE64' });
  } catch (err) {
    if (err instanceof OcpiCallError) return err;
    throw err;
  }
  throw new Error(`GET ${url} succeeded`);
}

describe('outbound URL policy', () => {
  describe('settings', () => {
    it('refuses private addresses and caps answers at 10 MiB by default', () => {
      expect(loadConfig({}, '/tmp')).to.include({ allowPrivatePartnerUrls: false, outboundMaxResponseBytes: 10 * 1024 * 1024 });
      expect(loadConfig({ ALLOW_PRIVATE_PARTNER_URLS: 'true', OUTBOUND_MAX_RESPONSE_BYTES: '2048' }, '/tmp')).to.include({ allowPrivatePartnerUrls: true, outboundMaxResponseBytes: 2048 });
    });
    it('names the variable of an invalid value', () => {
      expect(() => loadConfig({ ALLOW_PRIVATE_PARTNER_URLS: 'sometimes' }, '/tmp')).to.throw('ALLOW_PRIVATE_PARTNER_URLS: expected true or false, got "sometimes"');
      expect(() => loadConfig({ OUTBOUND_MAX_RESPONSE_BYTES: '100' }, '/tmp')).to.throw('OUTBOUND_MAX_RESPONSE_BYTES: must be between 1024 and 1073741824, got 100');
    });
  });

  describe('address classification (ipaddr.js)', () => {
    const refused: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.254', 'private'],
      ['192.168.0.10', 'private'],
      ['169.254.0.1', 'linkLocal'],
      ['169.254.169.254', 'linkLocal'],
      ['fe80::1', 'linkLocal'],
      ['fe80::1%eth0', 'linkLocal'],
      ['fd00:ec2::254', 'uniqueLocal'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['ff02::1', 'multicast'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['255.255.255.255', 'broadcast'],
      ['100.100.100.200', 'carrierGradeNat'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['0:0:0:0:0:ffff:a00:1', 'private'],
      ['::ffff:169.254.169.254', 'linkLocal'],
      ['[::ffff:127.0.0.1]', 'loopback'],
      ['::127.0.0.1', 'loopback'],
      ['::7f00:1', 'notGlobalUnicast'],
      ['2002:7f00:1::1', '6to4'],
      ['64:ff9b::7f00:1', 'rfc6052'],
      ['240.0.0.1', 'reserved'],
      ['not-an-ip', 'invalid'],
      ['127.1', 'invalid'],
    ];
    for (const [address, range] of refused) {
      it(`refuses ${address} (${range})`, () => {
        expect(classifyAddress(address)).to.include({ allowed: false, range });
      });
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2a00:1450:4001:82a::200e', '::ffff:8.8.8.8']) {
      it(`allows the public address ${address}`, () => {
        expect(classifyAddress(address).allowed).to.equal(true);
      });
    }
  });

  describe('the client with the policy on (the default)', () => {
    let target: Awaited<ReturnType<typeof server>>;
    let captured: ReturnType<typeof capturingLogger>;
    let resolved: string[];
    // partner.example and rebind.example resolve to loopback, as a partner's own DNS may answer.
    const resolve: Resolver = (hostname, options, callback) => {
      resolved.push(hostname);
      if (hostname.endsWith('.example')) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    };
    const client = (options: OcpiClientOptions = {}) => createOcpiClient(captured.log, 2000, { resolve, ...options });

    beforeEach(async () => {
      captured = capturingLogger();
      resolved = [];
      target = await server((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(envelope([]));
      });
    });
    afterEach(() => target.stop());

    it('refuses every scheme but http and https', async () => {
      for (const url of ['ftp://127.0.0.1/versions', 'file:///etc/passwd', 'gopher://127.0.0.1:70/', 'data:application/json,{}', 'ws://127.0.0.1/', 'not a url']) {
        const err = await failure(client({ allowPrivateAddresses: true }), url);
        expect(err.failure, url).to.equal('REFUSED');
        expect(err.message, url).to.match(/refused by the outbound URL policy: (scheme|not a valid URL)/);
      }
    });

    it('refuses loopback, private, link-local (metadata), multicast, unspecified and IPv4-mapped addresses before anything is sent', async () => {
      const p = target.port;
      const urls = [
        `http://127.0.0.1:${p}/ocpi/versions`,
        `http://127.9.9.9:${p}/ocpi/versions`,
        `http://[::1]:${p}/ocpi/versions`,
        `http://[::ffff:127.0.0.1]:${p}/ocpi/versions`,
        `http://2130706433:${p}/ocpi/versions`,
        `http://0x7f.1:${p}/ocpi/versions`,
        'http://10.0.0.1/ocpi/versions',
        'http://172.16.5.4/ocpi/versions',
        'http://192.168.1.1/ocpi/versions',
        'http://169.254.1.1/ocpi/versions',
        'http://169.254.169.254/latest/meta-data/',
        'https://169.254.169.254/latest/meta-data/',
        'http://[fe80::1]/ocpi/versions',
        'http://[fd00:ec2::254]/latest/meta-data/',
        'http://100.100.100.200/latest/meta-data/',
        'http://224.0.0.1/ocpi/versions',
        'http://[ff02::1]/ocpi/versions',
        `http://0.0.0.0:${p}/ocpi/versions`,
        `http://[::]:${p}/ocpi/versions`,
        'http://[::ffff:a00:1]/ocpi/versions',
        'http://[::ffff:169.254.169.254]/latest/meta-data/',
      ];
      for (const url of urls) {
        const err = await failure(client(), url);
        expect(err.failure, url).to.equal('REFUSED');
        expect(err.message, url).to.include('ALLOW_PRIVATE_PARTNER_URLS=true');
      }
      expect(target.hits).to.deep.equal([]);
      const refusals = captured.lines.filter((l) => l.msg === 'outbound call refused');
      expect(refusals).to.have.length(urls.length);
      expect(refusals[0]).to.include({ address: '127.0.0.1', range: 'loopback', setting: 'ALLOW_PRIVATE_PARTNER_URLS', level: 40 });
      expect(refusals.find((l) => l.url.includes('169.254.169.254'))).to.include({ address: '169.254.169.254', range: 'linkLocal' });
    });

    it('checks a name on the address it resolves to when the socket is opened: localhost and a partner-chosen name are refused', async () => {
      const viaSystem = await failure(createOcpiClient(captured.log, 2000), `http://localhost:${target.port}/ocpi/versions`);
      expect(viaSystem.failure).to.equal('REFUSED');
      expect(viaSystem.message).to.match(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);

      const err = await failure(client(), `http://rebind.example:${target.port}/ocpi/versions`);
      expect(err.failure).to.equal('REFUSED');
      expect(err.message).to.include('rebind.example resolves to 127.0.0.1, a loopback address');
      // The name was resolved by the connector itself, once, for this connection: there is no
      // earlier check whose answer a second resolution could contradict.
      expect(resolved).to.deep.equal(['rebind.example']);
      expect(target.hits).to.deep.equal([]);
    });

    it('connects to exactly the address it checked: with private addresses allowed the same name reaches the local server', async () => {
      const answer = await client({ allowPrivateAddresses: true }).call({ method: 'GET', url: `http://partner.example:${target.port}/ocpi/versions`, token: 'tok', encoding: 'BASE64' });
      expect(answer.statusCode).to.equal(1000);
      expect(target.hits).to.deep.equal(['GET /ocpi/versions']);
      expect(resolved).to.deep.equal(['partner.example']);
    });

    it('a name that does not resolve is a network failure, and reads to a partner like a refusal', async () => {
      const unresolvable = await failure(client(), 'https://cpo.unreachable.invalid/ocpi/versions');
      expect(unresolvable.failure).to.equal('NETWORK');
      const refused = await failure(client(), `http://127.0.0.1:${target.port}/ocpi/versions`);
      expect(describeCallFailure(unresolvable, 'partner')).to.equal(GENERIC_FETCH_FAILURE);
      expect(describeCallFailure(refused, 'partner')).to.equal(GENERIC_FETCH_FAILURE);
      expect(describeCallFailure(refused, 'operator')).to.include('127.0.0.1').and.include('ALLOW_PRIVATE_PARTNER_URLS');
    });
  });

  describe('redirects and answer size (private addresses allowed, as on one machine)', () => {
    let captured: ReturnType<typeof capturingLogger>;
    beforeEach(() => {
      captured = capturingLogger();
    });

    it('does not follow a redirect: a 302 is a REDIRECT failure and its target is never asked', async () => {
      const target = await server((req, res) => {
        if (req.url === '/ocpi/versions') {
          res.writeHead(302, { location: '/elsewhere' });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(envelope([]));
      });
      try {
        const c = createOcpiClient(captured.log, 2000, { allowPrivateAddresses: true });
        const err = await failure(c, `http://127.0.0.1:${target.port}/ocpi/versions`);
        expect(err.failure).to.equal('REDIRECT');
        expect(err.httpStatus).to.equal(302);
        expect(describeCallFailure(err, 'partner')).to.equal(GENERIC_FETCH_FAILURE);
        expect(target.hits).to.deep.equal(['GET /ocpi/versions']);
        expect(captured.lines.find((l) => l.msg === 'outbound call redirected: not followed')).to.include({ status: 302, location: '/elsewhere' });
      } finally {
        await target.stop();
      }
    });

    for (const declared of [false, true]) {
      it(`cuts off an 11 MiB answer past OUTBOUND_MAX_RESPONSE_BYTES (10 MiB by default) with a TOO_LARGE failure${declared ? ' (Content-Length declared)' : ' (chunked)'}`, async () => {
        const size = 11 * 1024 * 1024;
        let written = 0;
        let finished = false;
        let resolveClosed!: () => void;
        const closed = new Promise<void>((resolve) => {
          resolveClosed = resolve;
        });
        const target = await server((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', ...(declared ? { 'content-length': String(size) } : {}) });
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          res.on('close', () => {
            finished = res.writableFinished;
          });
          // Kept alive, a socket whose answer was read whole stays open for the next call.
          res.socket!.once('close', () => resolveClosed());
          const pump = () => {
            while (written < size) {
              written += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          pump();
        });
        try {
          const err = await failure(createOcpiClient(captured.log, 5000, { allowPrivateAddresses: true }), `http://127.0.0.1:${target.port}/ocpi/versions`);
          expect(err.failure).to.equal('TOO_LARGE');
          expect(err.message).to.include('OUTBOUND_MAX_RESPONSE_BYTES');
          expect(describeCallFailure(err, 'partner')).to.equal(GENERIC_FETCH_FAILURE);
          // The connection was cut (not kept for reuse), and with a declared length before the body was read.
          await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('connection not closed')), 2000))]);
          if (declared) expect(finished).to.equal(false);
          expect(captured.lines.find((l) => l.msg === 'outbound answer too large: connection cut')).to.include({ limit: 10 * 1024 * 1024 });
        } finally {
          await target.stop();
        }
      });
    }

    it('honours a smaller cap and reads an answer within it', async () => {
      const body = envelope('x'.repeat(3000));
      const target = await server((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
      try {
        const small = createOcpiClient(captured.log, 2000, { allowPrivateAddresses: true, maxResponseBytes: 2048 });
        expect((await failure(small, `http://127.0.0.1:${target.port}/x`)).failure).to.equal('TOO_LARGE');
        const enough = createOcpiClient(captured.log, 2000, { allowPrivateAddresses: true, maxResponseBytes: Buffer.byteLength(body) });
        expect((await enough.call({ method: 'GET', url: `http://127.0.0.1:${target.port}/x`, token: 't', encoding: 'RAW' })).data).to.have.length(3000);
      } finally {
        await target.stop();
      }
    });
  });
});
