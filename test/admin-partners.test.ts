import { expect } from 'chai';
import { startTestHub, APP_KEY, type TestHub } from './helpers/hub.ts';
import { onboardCpo } from './helpers/onboarding.ts';
import { days } from './helpers/clock.ts';

describe('operations API: partners', () => {
  let t: TestHub;
  const create = (body: Record<string, unknown>) => t.admin('POST', '/partners', body);
  const cpx = { name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO' };

  beforeEach(async () => {
    t = await startTestHub();
  });
  afterEach(async () => {
    await t.stop();
  });

  it('creates a partner PENDING_REVIEW, and refuses a duplicate party and role with 409 whatever the case', async () => {
    const res = await create({ ...cpx, website: 'https://cpx.example', contact_email: 'ops@cpx.example' });
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.include({ name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO', status: 'PENDING_REVIEW', website: 'https://cpx.example', contact_email: 'ops@cpx.example', registered: false, token_a_pending: false });
    expect(res.body.id).to.match(/^[0-9a-f-]{36}$/);
    const dup = await create({ ...cpx, country_code: 'de', party_id: 'cpx' });
    expect(dup.status).to.equal(409);
    expect(dup.body).to.deep.equal({ error: 'conflict', message: 'a CPO partner DE/CPX already exists' });
    expect((await create({ ...cpx, role: 'EMSP' })).status).to.equal(201);
  });

  it('validates the application, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...cpx, name: undefined }, 'name: is required'],
      [{ ...cpx, country_code: 'DEU' }, 'country_code: must be an ISO 3166-1 alpha-2 code such as NL'],
      [{ ...cpx, role: 'HUB' }, 'role: must be CPO or EMSP'],
      [{ ...cpx, contact_email: 'nope' }, 'contact_email: must be an e-mail address'],
      [{ ...cpx, colour: 'blue' }, 'colour: is not a field of a partner application'],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.status).to.equal(422);
      expect(res.body).to.deep.equal({ error: 'invalid_request', message });
    }
    expect((await t.admin('GET', '/partners')).body.data).to.deep.equal([]);
  });

  it('approves once, showing token A that expires after 7 days; illegal transitions answer 409 with the state', async () => {
    const { body: p } = await create(cpx);
    const approved = await t.admin('POST', `/partners/${p.id}/approve`);
    expect(approved.status).to.equal(200);
    expect(approved.body).to.deep.include({ status: 'APPROVED', token_a_pending: true, token_a_expires_at: '2026-12-02T10:00:00.000Z', versions_url: `${t.url}/ocpi/versions` });
    expect(approved.body.token_a).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect((await t.admin('GET', `/partners/${p.id}`)).body).to.not.have.property('token_a');
    const again = await t.admin('POST', `/partners/${p.id}/approve`);
    expect(again.status).to.equal(409);
    expect(again.body).to.deep.equal({ error: 'conflict', message: 'cannot approve a partner in state APPROVED', status: 'APPROVED' });
    expect((await t.admin('POST', `/partners/${p.id}/reject`, { reason: 'x' })).status).to.equal(409);

    expect((await t.ocpi('GET', '/ocpi/versions', { token: approved.body.token_a })).status).to.equal(200);
    t.clock.advance(days(7));
    expect((await t.ocpi('GET', '/ocpi/versions', { token: approved.body.token_a })).status).to.equal(401);
  });

  it('rejects with a reason, and a rejected partner can be approved no more', async () => {
    const { body: p } = await create(cpx);
    expect((await t.admin('POST', `/partners/${p.id}/reject`, {})).body).to.deep.equal({ error: 'invalid_request', message: 'reason: is required' });
    const rejected = await t.admin('POST', `/partners/${p.id}/reject`, { reason: 'no contract' });
    expect(rejected.body).to.include({ status: 'REJECTED', reject_reason: 'no contract' });
    expect((await t.admin('POST', `/partners/${p.id}/approve`)).body.status).to.equal('REJECTED');
  });

  it('lists partners, filters by status, and answers 404 for an unknown id', async () => {
    const { body: a } = await create(cpx);
    await create({ ...cpx, party_id: 'CPY' });
    await t.admin('POST', `/partners/${a.id}/approve`);
    expect((await t.admin('GET', '/partners')).body.data.map((p: any) => p.party_id)).to.deep.equal(['CPX', 'CPY']);
    expect((await t.admin('GET', '/partners?status=APPROVED')).body.data.map((p: any) => p.party_id)).to.deep.equal(['CPX']);
    expect((await t.admin('GET', '/partners/00000000-0000-0000-0000-000000000000')).status).to.equal(404);
    expect((await t.admin('GET', '/partners/not-a-uuid')).body).to.deep.equal({ error: 'not_found', message: 'no partner not-a-uuid' });
  });

  it('suspends (tokens get 401, the hub calls it no more) and resumes an active partner', async () => {
    const cpo = await onboardCpo(t);
    try {
      expect((await t.admin('POST', `/partners/${cpo.id}/suspend`, { reason: 'unpaid invoices' })).body.status).to.equal('SUSPENDED');
      expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token })).status).to.equal(401);
      const rotate = await t.admin('POST', `/partners/${cpo.id}/rotate-credentials`);
      expect(rotate.status).to.equal(409);
      expect((await t.admin('POST', `/partners/${cpo.id}/resume`)).body.status).to.equal('ACTIVE');
      expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token })).status).to.equal(200);
      expect((await t.admin('POST', `/partners/${cpo.id}/resume`)).body).to.deep.equal({ error: 'conflict', message: 'cannot resume a partner in state ACTIVE', status: 'ACTIVE' });
    } finally {
      await cpo.partner.stop();
    }
  });

  it('resets credentials after a suspected leak: token C dies, a fresh token A registers again', async () => {
    const cpo = await onboardCpo(t);
    try {
      const reset = await t.admin('POST', `/partners/${cpo.id}/reset-credentials`);
      expect(reset.body).to.deep.include({ status: 'APPROVED', registered: false, token_a_pending: true });
      expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token })).status).to.equal(401);
      const again = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: reset.body.token_a, body: cpo.partner.credentials(cpo.tokenB) });
      expect(again.body.status_code).to.equal(1000);
      expect((await t.admin('GET', `/partners/${cpo.id}`)).body.status).to.equal('ACTIVE');
    } finally {
      await cpo.partner.stop();
    }
  });

  it('keeps an audit trail of every change: when, what, and which key', async () => {
    const { body: p } = await create(cpx);
    await t.admin('POST', `/partners/${p.id}/approve`);
    await t.admin('PUT', `/partners/${p.id}/scopes`, { modules: ['locations', 'tariffs'] });
    await t.admin('PUT', `/partners/${p.id}/ip-allowlist`, { cidrs: ['192.0.2.0/24'] });
    await t.admin('POST', `/partners/${p.id}/suspend`);
    const events = (await t.admin('GET', `/partners/${p.id}/events`)).body.data;
    expect(events.map((e: any) => e.kind)).to.deep.equal(['APPLIED', 'APPROVED', 'SCOPES_SET', 'IP_ALLOWLIST_SET', 'SUSPENDED']);
    for (const e of events) {
      expect(e.actor).to.match(/^admin:[0-9a-f]{8}$/);
      expect(e.at).to.equal('2026-11-25T10:00:00.000Z');
    }
    expect(events[2].detail).to.deep.equal({ before: null, after: ['locations', 'tariffs'] });
    expect(JSON.stringify(events)).to.not.match(/token_a"?:\s*"[A-Za-z0-9_-]{43}/);
  });

  it('validates scopes and allow-lists, naming the entry', async () => {
    const { body: p } = await create(cpx);
    expect((await t.admin('PUT', `/partners/${p.id}/scopes`, { modules: ['locations', 'Bad Module'] })).body).to.deep.equal({
      error: 'invalid_request',
      message: 'modules[1]: must be an OCPI module identifier such as locations',
    });
    expect((await t.admin('PUT', `/partners/${p.id}/ip-allowlist`, { cidrs: ['10.0.0.0/33'] })).body).to.deep.equal({
      error: 'invalid_request',
      message: 'cidrs[0]: "10.0.0.0/33" is not an IPv4 or IPv6 CIDR',
    });
    const set = await t.admin('PUT', `/partners/${p.id}/ip-allowlist`, { cidrs: ['10.0.0.1', '2001:db8::/32'] });
    expect(set.body.ip_allowlist).to.deep.equal(['10.0.0.1/32', '2001:db8::/32']);
    expect((await t.admin('PUT', `/partners/${p.id}/scopes`, { modules: null })).body.module_scopes).to.equal(null);
  });

  it('needs the admin key: none, a wrong one or another API key get 401', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${APP_KEY}`]) {
      const res = await t.admin('GET', '/partners', undefined, authorization ? { authorization } : { authorization: '' });
      expect(res.status).to.equal(401);
      expect(res.body.error).to.equal('unauthenticated');
    }
  });
});
