import { expect } from 'chai';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { approvedCpo, onboardCpo, type OnboardedCpo } from '../helpers/onboarding.ts';
import { modulesWithPing } from '../helpers/test-module.ts';
import { minutes } from '../helpers/clock.ts';

describe('OCPI transport', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  beforeEach(async () => {
    t = await startTestHub({ modules: modulesWithPing, env: { PAGINATION_MAX_LIMIT: '10', BODY_LIMIT_BYTES: '2048' } });
    cpo = await onboardCpo(t);
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  describe('authentication and authorization', () => {
    it('answers 401 with the envelope to a missing, malformed or unknown token', async () => {
      for (const headers of [{}, { authorization: 'Bearer x' }, { authorization: 'Token' }] as Record<string, string>[]) {
        const res = await t.ocpi('GET', '/ocpi/2.2.1/testping', { headers });
        expect(res.status).to.equal(401);
        expect(res.body).to.deep.include({ status_code: 2000, status_message: 'Authorization header must be "Token <base64 token>"' });
        expect(res.body.timestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      const unknown = await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: 'not-a-token-we-issued' });
      expect(unknown.status).to.equal(401);
      expect(unknown.body.status_message).to.equal('unknown or expired token');
    });

    it('refuses token A on a functional module with 401', async () => {
      const other = await approvedCpo(t, { country_code: 'FR', party_id: 'ABC' });
      const res = await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: other.tokenA });
      expect(res.status).to.equal(401);
      expect(res.body.status_message).to.equal('the registration token (A) only opens versions and credentials');
      expect((await t.ocpi('GET', '/ocpi/versions', { token: other.tokenA })).status).to.equal(200);
    });

    it('gives a suspended partner 401 everywhere', async () => {
      await t.admin('POST', `/partners/${cpo.id}/suspend`, { reason: 'test' });
      for (const path of ['/ocpi/versions', '/ocpi/2.2.1/credentials', '/ocpi/2.2.1/testping']) {
        const res = await t.ocpi('GET', path, { token: cpo.token });
        expect(res.status, path).to.equal(401);
        expect(res.body.status_message).to.equal('partner is suspended');
      }
    });

    it('refuses a module outside the partner scopes with 403, but always opens versions and credentials', async () => {
      await t.admin('PUT', `/partners/${cpo.id}/scopes`, { modules: ['locations'] });
      const res = await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token });
      expect(res.status).to.equal(403);
      expect(res.body.status_message).to.equal("module testping is not in this partner's scopes");
      expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token })).status).to.equal(200);
      await t.admin('PUT', `/partners/${cpo.id}/scopes`, { modules: ['testping'] });
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token })).status).to.equal(200);
      const events = await t.admin('GET', `/partners/${cpo.id}/events`);
      expect(events.body.data.filter((e: any) => e.kind === 'REFUSED_SCOPE').map((e: any) => e.detail)).to.deep.equal([{ module: 'testping' }]);
    });

    it('refuses an address outside the IP allow-list with 403 and logs it as an event', async () => {
      await t.admin('PUT', `/partners/${cpo.id}/ip-allowlist`, { cidrs: ['192.0.2.0/24', '2001:db8::/32'] });
      const res = await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token });
      expect(res.status).to.equal(403);
      expect(res.body.status_message).to.match(/^address (::ffff:)?127\.0\.0\.1 is not in this partner's IP allow-list$/);
      await t.admin('PUT', `/partners/${cpo.id}/ip-allowlist`, { cidrs: ['127.0.0.1'] });
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token })).status).to.equal(200);
    });

    it('locks an address out after AUTH_LOCKOUT_FAILURES unrecognised tokens until AUTH_LOCKOUT_MINUTES pass; a partner it knows keeps working', async () => {
      for (let i = 0; i < 4; i++) expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: `wrong-${i}` })).status).to.equal(401);
      // A partner's success clears nobody's failures: the fifth unknown token still locks the address.
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token })).status).to.equal(200);
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: 'wrong-4' })).status).to.equal(401);
      const locked = await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: 'wrong-5' });
      expect(locked.status).to.equal(429);
      expect(locked.body.status_message).to.equal('too many failed authentications from this address; try again after 2026-11-25T10:15:00.000Z');
      // The partner registered from this address: its own token still opens the hub.
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token })).status).to.equal(200);
      // The operations API counts its own failures: OCPI guessing does not lock it.
      expect((await t.admin('GET', '/partners')).status).to.equal(200);

      t.clock.advance(minutes(15) - 1);
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: 'wrong-6' })).status).to.equal(429);
      t.clock.advance(1);
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: 'wrong-7' })).status).to.equal(401);

      // The alert was raised once, as an event without a partner, naming the partner still admitted.
      const rows = await t.hub.services.orm.em.fork().getConnection().execute(`select kind, partner_id, detail from partner_events where kind like 'ALERT_%' order by id`);
      expect(rows.map((r: any) => r.kind)).to.deep.equal(['ALERT_AUTH_LOCKOUT', 'ALERT_AUTH_LOCKOUT_SHARED_ADDRESS']);
      expect(rows[0]!.partner_id).to.equal(null);
      expect(rows[0]!.detail).to.deep.include({ surface: 'ocpi', until: '2026-11-25T10:15:00.000Z', attempts: 5, partners_still_admitted: [cpo.id] });
      expect(rows[1]!.partner_id).to.equal(cpo.id);
    });

    it('clears the admin count only with the admin key, never with an OCPI success', async () => {
      const bad = () => t.admin('GET', '/partners', undefined, { authorization: 'Bearer wrong' });
      for (let i = 0; i < 4; i++) expect((await bad()).status).to.equal(401);
      expect((await t.admin('GET', '/partners')).status).to.equal(200);
      for (let i = 0; i < 4; i++) expect((await bad()).status).to.equal(401);
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token })).status).to.equal(200);
      expect((await bad()).status).to.equal(401);
      expect((await t.admin('GET', '/partners')).status).to.equal(429);
      // OCPI has its own count: the partner is not affected.
      expect((await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token })).status).to.equal(200);
    });

    it('keeps the lockout in PostgreSQL, so a second hub on the same database agrees', async () => {
      const second = await startTestHub({ databaseName: t.databaseName, env: t.env, clock: t.clock, modules: modulesWithPing });
      try {
        for (let i = 0; i < 5; i++) await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: `wrong-${i}` });
        expect((await second.ocpi('GET', '/ocpi/2.2.1/testping', { token: 'wrong-x' })).status).to.equal(429);
        // The addresses a partner is known at are in PostgreSQL too.
        expect((await second.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token })).status).to.equal(200);
      } finally {
        await second.stop();
      }
    });
  });

  describe('routing headers (functional modules)', () => {
    it('swaps OCPI-from/to in the response', async () => {
      const res = await t.ocpi('GET', '/ocpi/2.2.1/testping', {
        token: cpo.token,
        headers: { 'ocpi-from-country-code': 'DE', 'ocpi-from-party-id': 'CPX', 'ocpi-to-country-code': 'NL', 'ocpi-to-party-id': 'HUB' },
      });
      expect(res.status).to.equal(200);
      expect(res.headers).to.include({ 'ocpi-from-country-code': 'NL', 'ocpi-from-party-id': 'HUB', 'ocpi-to-country-code': 'DE', 'ocpi-to-party-id': 'CPX' });
    });

    it('fills them in when the request has none', async () => {
      const res = await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token });
      expect(res.headers).to.include({ 'ocpi-from-country-code': 'NL', 'ocpi-from-party-id': 'HUB', 'ocpi-to-country-code': 'DE', 'ocpi-to-party-id': 'CPX' });
    });

    it('refuses a FROM that is not one of the caller roles, and a TO that is not the hub, with 2001', async () => {
      const from = await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token, headers: { 'ocpi-from-country-code': 'FR', 'ocpi-from-party-id': 'XYZ' } });
      expect(from.status).to.equal(200);
      expect(from.body).to.deep.include({ status_code: 2001, status_message: 'OCPI-from-country-code/OCPI-from-party-id: FR/XYZ is not one of your credentials roles' });
      const to = await t.ocpi('GET', '/ocpi/2.2.1/testping', { token: cpo.token, headers: { 'ocpi-to-country-code': 'BE', 'ocpi-to-party-id': 'EMS' } });
      expect(to.body.status_message).to.equal('OCPI-to-country-code/OCPI-to-party-id: BE/EMS is not this hub (NL/HUB)');
    });

    it('does not put routing headers on configuration modules', async () => {
      const res = await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token });
      expect(res.headers).to.not.have.property('ocpi-from-party-id');
    });
  });

  describe('pagination', () => {
    const page = (query: string) => t.ocpi('GET', `/ocpi/2.2.1/testping${query}`, { token: cpo.token });

    it('caps limit at X-Limit, counts everything in X-Total-Count and links the next page with the filters', async () => {
      const first = await page('?limit=50&date_from=2026-01-01T00:05:00Z');
      expect(first.body.data.map((i: any) => i.id)).to.deep.equal(['item-5', 'item-6', 'item-7', 'item-8', 'item-9', 'item-10', 'item-11', 'item-12', 'item-13', 'item-14']);
      expect(first.body.data[0].last_updated).to.equal('2026-01-01T00:05:00.000Z');
      expect(first.headers['x-total-count']).to.equal('20');
      expect(first.headers['x-limit']).to.equal('10');
      expect(first.headers.link).to.equal(`<${t.url}/ocpi/2.2.1/testping?date_from=2026-01-01T00%3A05%3A00Z&offset=10&limit=10>; rel="next"`);

      const second = await page('?date_from=2026-01-01T00:05:00Z&offset=10&limit=10');
      expect(second.body.data.map((i: any) => i.id)).to.deep.equal(['item-15', 'item-16', 'item-17', 'item-18', 'item-19', 'item-20', 'item-21', 'item-22', 'item-23', 'item-24']);
      expect(second.headers).to.not.have.property('link');
    });

    it('treats date_from as inclusive and date_to as exclusive', async () => {
      const res = await page('?date_from=2026-01-01T00:02:00Z&date_to=2026-01-01T00:04:00');
      expect(res.body.data.map((i: any) => i.id)).to.deep.equal(['item-2', 'item-3']);
      expect(res.headers['x-total-count']).to.equal('2');
      expect(res.headers).to.not.have.property('link');
    });

    it('refuses bad parameters with 2001 naming them', async () => {
      expect((await page('?offset=-1')).body).to.deep.include({ status_code: 2001, status_message: 'offset: must be a non-negative integer, got "-1"' });
      expect((await page('?limit=ten')).body.status_message).to.equal('limit: must be a non-negative integer, got "ten"');
      expect((await page('?date_from=2026-01-01T00:00:00%2B01:00')).body.status_message).to.equal(
        'date_from: must be an OCPI DateTime in UTC such as 2026-01-31T12:00:00Z, got "2026-01-01T00:00:00+01:00"',
      );
      expect((await page('?date_from=2026-01-02T00:00:00Z&date_to=2026-01-01T00:00:00Z')).body.status_message).to.equal('date_to: must be after date_from');
      expect((await page('?date_from=2026-02-30T00:00:00Z')).body.status_message).to.equal(
        'date_from: must be an OCPI DateTime in UTC such as 2026-01-31T12:00:00Z, got "2026-02-30T00:00:00Z"',
      );
    });
  });

  describe('errors', () => {
    it('answers an unknown OCPI path with 404 and the envelope', async () => {
      const res = await t.ocpi('GET', '/ocpi/2.2.1/nothing-here', { token: cpo.token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.include({ status_code: 2000, status_message: 'no OCPI resource at GET /ocpi/2.2.1/nothing-here' });
    });

    it('refuses a body over BODY_LIMIT_BYTES with 413', async () => {
      const res = await t.ocpi('PUT', '/ocpi/2.2.1/testping/x', { token: cpo.token, body: { pad: 'x'.repeat(3000) } });
      expect(res.status).to.equal(413);
      expect(res.body.status_message).to.equal('request body exceeds 2048 bytes');
    });

    it('serves /healthz and /readyz', async () => {
      expect((await t.ocpi('GET', '/healthz')).body).to.deep.equal({ status: 'ok' });
      expect((await t.ocpi('GET', '/readyz')).body).to.deep.equal({ status: 'ready' });
    });
  });
});
