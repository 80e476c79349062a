import { expect } from 'chai';
import { ADMIN_KEY, startTestHub, type TestHub } from '../helpers/hub.ts';
import { http } from '../helpers/http.ts';
import { onboardCpo, type OnboardedCpo } from '../helpers/onboarding.ts';
import { modulesWithPing } from '../helpers/test-module.ts';

/** Issue 10 §2: a lockout that caps guessing and cannot be turned against partners. */
describe('authentication lockout', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  let other: OnboardedCpo;
  // AUTH_LOCKOUT_FAILURES is 5 (the default). Client addresses come from X-Forwarded-For.
  const CAP = 5;
  beforeEach(async () => {
    t = await startTestHub({ modules: modulesWithPing, env: { TRUST_PROXY: 'true' } });
    cpo = await onboardCpo(t);
    other = await onboardCpo(t, { country_code: 'FR', party_id: 'OTH' });
  });
  afterEach(async () => {
    await cpo.partner.stop();
    await other.partner.stop();
    await t.stop();
  });

  const ping = (ip: string, token: string) => t.ocpi('GET', '/ocpi/2.2.1/testping', { token, headers: { 'x-forwarded-for': ip } });
  const adminFrom = (ip: string, key: string) => http('GET', `${t.url}/api/v1/admin/partners`, { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': ip } });
  const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
  const metric = async (name: 'authFailures' | 'authLockedOut', surface: string) =>
    (await t.hub.services.metrics[name].get()).values.find((v) => v.labels.surface === surface)?.value ?? 0;
  const alerts = async () =>
    (await t.hub.services.orm.em.fork().getConnection().execute(`select kind, partner_id, detail from partner_events where kind like 'ALERT_%' order by id`)) as {
      kind: string;
      partner_id: string | null;
      detail: Record<string, unknown>;
    }[];
  const events = async (id: string) => ((await t.admin('GET', `/partners/${id}/events`)).body.data as { kind: string; detail: any }[]);

  it('evaluates exactly AUTH_LOCKOUT_FAILURES of 60 parallel bad OCPI tokens; valid tokens hidden among later attempts are not let through', async () => {
    const ip = '198.51.100.7';
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => ping(ip, `guess-${i}`)));
    expect(tally(answers.map((a) => a.status))).to.deep.equal({ 401: CAP, 429: 60 - CAP });
    expect(await metric('authFailures', 'ocpi')).to.equal(CAP);
    expect(await metric('authLockedOut', 'ocpi')).to.equal(60 - CAP);
    // Locked: a burst mixing guesses with valid tokens of partners not bound to the address
    // (they never authenticated from it) is refused whole, and the refusals are on their trails, once.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => ping(ip, i % 4 === 0 ? other.token : i % 4 === 1 ? cpo.token : `late-${i}`)));
    expect(tally(burst.map((a) => a.status))).to.deep.equal({ 429: 20 });
    expect(await metric('authFailures', 'ocpi')).to.equal(CAP);
    for (const id of [cpo.id, other.id]) {
      expect((await events(id)).filter((e) => e.kind === 'REFUSED_LOCKED_OUT').map((e) => e.detail.ip)).to.deep.equal([ip]);
    }
    // One alert for the lock, whichever parallel attempt started it.
    expect((await alerts()).filter((a) => a.kind === 'ALERT_AUTH_LOCKOUT').map((a) => [a.detail.ip, a.detail.surface])).to.deep.equal([[ip, 'ocpi']]);
    // Another address is not affected.
    expect((await ping('198.51.100.8', cpo.token)).status).to.equal(200);
  });

  it('evaluates exactly AUTH_LOCKOUT_FAILURES of 60 parallel bad admin keys; the valid key hidden among later attempts or sent afterwards is refused', async () => {
    const ip = '198.51.100.20';
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => adminFrom(ip, `wrong-admin-key-${i}-xxxxxxxxxxxxxxxx`)));
    expect(tally(answers.map((a) => a.status))).to.deep.equal({ 401: CAP, 429: 60 - CAP });
    expect(await metric('authFailures', 'admin')).to.equal(CAP);
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => adminFrom(ip, i % 2 ? ADMIN_KEY : `late-admin-key-${i}-xxxxxxxxxxxxxxxx`)));
    expect(tally(burst.map((a) => a.status))).to.deep.equal({ 429: 10 });
    // Locked for the admin key too (the key is what is being guessed), on this address only.
    const locked = await adminFrom(ip, ADMIN_KEY);
    expect(locked.status).to.equal(429);
    expect(locked.body).to.deep.include({ error: 'locked_out' });
    expect((await adminFrom('198.51.100.21', ADMIN_KEY)).status).to.equal(200);
    // Partners on that address are not locked out by admin-key guessing.
    expect((await ping(ip, cpo.token)).status).to.equal(200);
    expect((await alerts()).filter((a) => a.kind === 'ALERT_AUTH_LOCKOUT').map((a) => [a.detail.ip, a.detail.surface])).to.deep.equal([[ip, 'admin']]);
  });

  it("does not let a partner's own OCPI successes clear its admin-key guesses", async () => {
    const ip = '198.51.100.30';
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push((await adminFrom(ip, `guess-admin-key-${i}-xxxxxxxxxxxxxxxx`)).status);
      expect((await ping(ip, cpo.token)).status, `partner request ${i}`).to.equal(200);
    }
    expect(tally(statuses)).to.deep.equal({ 401: CAP, 429: 40 - CAP });
    expect((await adminFrom(ip, ADMIN_KEY)).status).to.equal(429);
  });

  it("does not lock a partner bound to the address out for a neighbour's failures, while guessing from it stays capped; alerts and records both", async () => {
    const ip = '203.0.113.5';
    // `cpo` has worked from this address before; `other` has it in its IP allow-list (and never called from it).
    expect((await ping(ip, cpo.token)).status).to.equal(200);
    expect((await t.admin('PUT', `/partners/${other.id}/ip-allowlist`, { cidrs: ['203.0.113.0/24'] })).status).to.equal(200);
    const third = await onboardCpo(t, { country_code: 'BE', party_id: 'THR' });
    try {
      // A stray client behind the same NAT address.
      const neighbour = [];
      for (let i = 0; i < 20; i++) neighbour.push((await ping(ip, `stray-${i}`)).status);
      expect(tally(neighbour)).to.deep.equal({ 401: CAP, 429: 20 - CAP });

      // Both bound partners still get in, again and again, with their own tokens.
      for (let i = 0; i < 3; i++) {
        expect((await ping(ip, cpo.token)).status).to.equal(200);
        expect((await ping(ip, other.token)).status).to.equal(200);
      }
      // Guessing stays capped: unknown tokens, and the token of a partner not bound here, get 429.
      expect((await ping(ip, 'stray-late')).status).to.equal(429);
      expect((await ping(ip, third.token)).status).to.equal(429);
      expect((await events(third.id)).map((e) => e.kind)).to.include('REFUSED_LOCKED_OUT');
      // And the operations API from that address is not locked by OCPI failures.
      expect((await adminFrom(ip, ADMIN_KEY)).status).to.equal(200);

      // Alerted: the lock, naming the partners it does not stop, and on each of their trails.
      const raised = await alerts();
      const lock = raised.filter((a) => a.kind === 'ALERT_AUTH_LOCKOUT');
      expect(lock).to.have.length(1);
      expect(lock[0]!.detail).to.deep.include({ ip, surface: 'ocpi', attempts: CAP });
      expect(lock[0]!.detail.partners_still_admitted).to.have.members([cpo.id, other.id]);
      expect(raised.filter((a) => a.kind === 'ALERT_AUTH_LOCKOUT_SHARED_ADDRESS').map((a) => a.partner_id)).to.have.members([cpo.id, other.id]);
      for (const id of [cpo.id, other.id]) {
        expect((await events(id)).filter((e) => e.kind === 'ALERT_AUTH_LOCKOUT_SHARED_ADDRESS').map((e) => e.detail.ip)).to.deep.equal([ip]);
      }
    } finally {
      await third.partner.stop();
    }
  });

  it('refuses a bound partner outside its allow-list as before (403), and a locked address still refuses it without revealing the token', async () => {
    const ip = '203.0.113.9';
    expect((await t.admin('PUT', `/partners/${other.id}/ip-allowlist`, { cidrs: ['192.0.2.0/24'] })).status).to.equal(200);
    expect((await ping(ip, other.token)).status).to.equal(403);
    for (let i = 0; i < CAP; i++) await ping(ip, `stray-${i}`);
    const locked = await ping(ip, other.token);
    expect(locked.status).to.equal(429);
    expect(locked.body.status_message).to.match(/^too many failed authentications from this address/);
  });
});
