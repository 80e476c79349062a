import { expect } from 'chai';
import { Writable } from 'node:stream';
import { startTestHub } from '../helpers/hub.ts';
import { onboardCpo } from '../helpers/onboarding.ts';
import { createLogger } from '../../src/observability/log.ts';
import { b64 } from '../helpers/http.ts';

describe('logs', () => {
  it('log every request with id, partner and duration, and never a token or Authorization header', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const t = await startTestHub({ log: createLogger('debug', sink) });
    try {
      const cpo = await onboardCpo(t);
      await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token, headers: { 'x-request-id': 'req-log-1' } });
      await t.ocpi('GET', '/ocpi/versions', { token: 'wrong-token' });
      await cpo.partner.stop();
      const entries = lines.map((l) => JSON.parse(l));
      const logged = entries.find((e) => e.msg === 'ocpi request' && e.requestId === 'req-log-1');
      expect(logged, JSON.stringify(logged)).to.include({ method: 'GET', path: '/ocpi/2.2.1/credentials', status: 200, ocpiStatus: 1000, partnerId: cpo.id });
      expect(logged.ms).to.be.a('number');
      const all = lines.join('\n');
      for (const secret of [cpo.token, b64(cpo.token), cpo.tokenB, b64(cpo.tokenB), 'wrong-token', b64('wrong-token')]) {
        expect(all, `a log line holds ${secret}`).to.not.include(secret);
      }
      expect(all.toLowerCase()).to.not.include('"authorization"');
    } finally {
      await t.stop();
    }
  });
});
