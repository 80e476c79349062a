import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { startTestHub, ADMIN_KEY, APP_KEY, FINANCE_KEY, type TestHub } from '../helpers/hub.ts';
import { onboardCpo } from '../helpers/onboarding.ts';
import { days, minutes } from '../helpers/clock.ts';
import { http } from '../helpers/http.ts';

/** Every field of the partner view, in order: never a token. */
const VIEW_KEYS = [
  'id',
  'name',
  'country_code',
  'party_id',
  'role',
  'website',
  'contact_email',
  'status',
  'sandbox',
  'reject_reason',
  'registered',
  'token_a_pending',
  'roles',
  'version',
  'versions_url',
  'endpoints',
  'token_encoding',
  'ip_allowlist',
  'module_scopes',
  'tolerances',
  'can_rotate',
  'cannot_rotate_reason',
  'unknown_fields',
  'tolerated',
  'registered_at',
  'last_seen_at',
  'trusted',
  'relax_country_check',
  'map_hidden',
  'map_hidden_changed_at',
  'stale_ratio',
  'last_sync_success_at',
  'last_sync_error',
  'last_sync_error_at',
  'missed_heartbeats',
  'created_at',
  'updated_at',
  'heartbeat',
  'freshness',
  'sync',
  'rejected_location_changes',
];

const ADMIN_ACTOR = `admin:${createHash('sha256').update(ADMIN_KEY).digest('hex').slice(0, 8)}`;
const UNAUTHENTICATED = { error: 'unauthenticated', message: 'Authorization must be "Bearer <ADMIN_API_KEY>"' };

describe('operations API: partners', () => {
  let t: TestHub;
  const cpx = { name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO' };
  const create = (body: unknown) => t.admin('POST', '/partners', body);
  const createOk = async (body: Record<string, unknown> = cpx) => {
    const res = await create(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string } & Record<string, any>;
  };
  const approve = async (id: string) => {
    const res = await t.admin('POST', `/partners/${id}/approve`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as Record<string, any>;
  };
  const inDays = (n: number) => new Date(t.clock.now().getTime() + days(n)).toISOString();
  const conflict = (message: string, status: string) => ({ error: 'conflict', message, status });
  const events = async (id: string) => {
    const res = await t.admin('GET', `/partners/${id}/events`);
    expect(res.status).to.equal(200);
    return res.body.data as any[];
  };
  /** No field of the view carries a token, and none of the given tokens appears anywhere in it. */
  const expectNoToken = (view: unknown, tokens: string[]) => {
    expect(Object.keys(view as object)).to.deep.equal(VIEW_KEYS);
    const text = JSON.stringify(view);
    for (const token of tokens) expect(text).to.not.include(token);
  };

  beforeEach(async () => {
    t = await startTestHub();
  });
  afterEach(async () => {
    await t.stop();
  });

  describe('applications', () => {
    it('creates a partner PENDING_REVIEW with the fields given, upper-casing the party', async () => {
      const res = await create({ name: 'Fake CPO', country_code: 'de', party_id: 'cpx', role: 'CPO', website: 'https://cpx.example', contact_email: 'ops@cpx.example' });
      expect(res.status).to.equal(201);
      expect(res.body.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(res.body).to.deep.equal({
        id: res.body.id,
        name: 'Fake CPO',
        country_code: 'DE',
        party_id: 'CPX',
        role: 'CPO',
        website: 'https://cpx.example',
        contact_email: 'ops@cpx.example',
        status: 'PENDING_REVIEW',
        sandbox: false,
        reject_reason: null,
        registered: false,
        token_a_pending: false,
        roles: [],
        version: null,
        versions_url: null,
        endpoints: [],
        token_encoding: 'BASE64',
        ip_allowlist: [],
        module_scopes: null,
        tolerances: [],
        can_rotate: false,
        cannot_rotate_reason: 'not registered',
        unknown_fields: [],
        tolerated: [],
        registered_at: null,
        last_seen_at: null,
        trusted: false,
        relax_country_check: false,
        map_hidden: false,
        map_hidden_changed_at: null,
        stale_ratio: null,
        last_sync_success_at: null,
        last_sync_error: null,
        last_sync_error_at: null,
        missed_heartbeats: 0,
        created_at: '2026-11-25T10:00:00.000Z',
        updated_at: '2026-11-25T10:00:00.000Z',
        heartbeat: { interval_seconds: 300, last_attempt_at: null, last_seen_at: null, consecutive_misses: 0, misses_allowed: 3, latency_ms: null, error: null },
        freshness: { mode: null, mode_reason: 'not registered', threshold_seconds: 600, link_down: false, evses: 0, stale: 0, stale_evses: [] },
        sync: { locations: null, tariffs: null },
        rejected_location_changes: [],
      });
      const read = await t.admin('GET', `/partners/${res.body.id}`);
      expect(read.status).to.equal(200);
      expect(read.body).to.deep.equal(res.body);
      // Optional fields may be left out.
      const bare = await createOk({ name: 'Bare EMSP', country_code: 'NL', party_id: 'EM1', role: 'EMSP' });
      expect(bare).to.deep.include({ role: 'EMSP', party_id: 'EM1', website: null, contact_email: null, status: 'PENDING_REVIEW' });
    });

    it('refuses an invalid application with 422 naming the field, and stores nothing', async () => {
      const cases: [unknown, string][] = [
        [{ country_code: 'DE', party_id: 'CPX', role: 'CPO' }, 'name: is required'],
        [{ ...cpx, name: null }, 'name: is required'],
        [{ ...cpx, name: '' }, 'name: must be 1 to 100 characters on one line, not all blank'],
        [{ ...cpx, name: '   ' }, 'name: must be 1 to 100 characters on one line, not all blank'],
        [{ ...cpx, name: 'Fake\nCPO' }, 'name: must be 1 to 100 characters on one line, not all blank'],
        [{ ...cpx, name: 'x'.repeat(101) }, 'name: must be 1 to 100 characters on one line, not all blank'],
        [{ ...cpx, name: 42 }, 'name: must be 1 to 100 characters on one line, not all blank'],
        [{ ...cpx, country_code: undefined }, 'country_code: is required'],
        [{ ...cpx, country_code: 'DEU' }, 'country_code: must be an ISO 3166-1 alpha-2 code such as NL'],
        [{ ...cpx, country_code: 'D1' }, 'country_code: must be an ISO 3166-1 alpha-2 code such as NL'],
        [{ ...cpx, party_id: 'CP' }, 'party_id: must be three letters or digits such as ABC'],
        [{ ...cpx, party_id: 'C-X' }, 'party_id: must be three letters or digits such as ABC'],
        [{ ...cpx, role: undefined }, 'role: is required'],
        [{ ...cpx, role: 'HUB' }, 'role: must be CPO or EMSP'],
        [{ ...cpx, role: 'cpo' }, 'role: must be CPO or EMSP'],
        [{ ...cpx, website: 'ftp://cpx.example' }, 'website: must be an http(s) URL'],
        [{ ...cpx, contact_email: 'nope' }, 'contact_email: must be an e-mail address'],
        [{ ...cpx, colour: 'blue' }, 'colour: is not a field of a partner application'],
        [[cpx], 'body: must be a JSON object'],
      ];
      for (const [body, message] of cases) {
        const res = await create(body);
        expect(res.status, message).to.equal(422);
        expect(res.body).to.deep.equal({ error: 'invalid_request', message });
      }
      const notJson = await http('POST', `${t.url}/api/v1/admin/partners`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, raw: '{"name": ' });
      expect(notJson.status).to.equal(400);
      expect(notJson.body.error).to.equal('invalid_json');
      expect((await t.admin('GET', '/partners')).body).to.deep.equal({ data: [] });
      expect((await t.hub.services.orm.em.fork().getConnection().execute('select count(*)::int as n from partner_events'))[0]!.n).to.equal(0);
    });

    it('refuses a second partner of the same party and role with 409, whatever the case; the other role is welcome', async () => {
      const first = await createOk(cpx);
      for (const party of [
        { country_code: 'DE', party_id: 'CPX' },
        { country_code: 'de', party_id: 'cpx' },
        { country_code: 'De', party_id: 'cPx' },
      ]) {
        const dup = await create({ ...cpx, ...party, name: 'Another name' });
        expect(dup.status).to.equal(409);
        expect(dup.body).to.deep.equal({ error: 'conflict', message: 'a CPO partner DE/CPX already exists' });
      }
      const emsp = await createOk({ ...cpx, country_code: 'de', party_id: 'cpx', role: 'EMSP' });
      expect(emsp).to.deep.include({ country_code: 'DE', party_id: 'CPX', role: 'EMSP' });
      expect(emsp.id).to.not.equal(first.id);
      const dupEmsp = await create({ ...cpx, role: 'EMSP' });
      expect(dupEmsp.status).to.equal(409);
      expect(dupEmsp.body).to.deep.equal({ error: 'conflict', message: 'an EMSP partner DE/CPX already exists' });
      expect((await t.admin('GET', '/partners')).body.data.map((p: any) => [p.id, p.role])).to.deep.equal([
        [first.id, 'CPO'],
        [emsp.id, 'EMSP'],
      ]);
    });
  });

  describe('reading', () => {
    it('lists partners oldest first (then by party and role), filters by status, and refuses an unknown status', async () => {
      const cpy = await createOk({ ...cpx, party_id: 'CPY' });
      const cpxEmsp = await createOk({ ...cpx, role: 'EMSP' });
      const cpxCpo = await createOk(cpx);
      t.clock.advance(minutes(1));
      const nl = await createOk({ ...cpx, country_code: 'NL', party_id: 'AAA' });
      const approved = await approve(cpy.id);
      await t.admin('POST', `/partners/${cpxEmsp.id}/reject`, { reason: 'no contract' });

      const all = await t.admin('GET', '/partners');
      expect(all.status).to.equal(200);
      expect(Object.keys(all.body)).to.deep.equal(['data']);
      expect(all.body.data.map((p: any) => [p.id, p.status])).to.deep.equal([
        [cpxCpo.id, 'PENDING_REVIEW'],
        [cpxEmsp.id, 'REJECTED'],
        [cpy.id, 'APPROVED'],
        [nl.id, 'PENDING_REVIEW'],
      ]);
      // The list shows the same view as the detail, and no token.
      for (const p of all.body.data) {
        expect(p).to.deep.equal((await t.admin('GET', `/partners/${p.id}`)).body);
        expectNoToken(p, [approved.token_a]);
      }

      const pending = await t.admin('GET', '/partners?status=PENDING_REVIEW');
      expect(pending.body.data.map((p: any) => p.id)).to.deep.equal([cpxCpo.id, nl.id]);
      expect((await t.admin('GET', '/partners?status=APPROVED')).body.data.map((p: any) => p.id)).to.deep.equal([cpy.id]);
      expect((await t.admin('GET', '/partners?status=REJECTED')).body.data.map((p: any) => p.id)).to.deep.equal([cpxEmsp.id]);
      expect((await t.admin('GET', '/partners?status=SUSPENDED')).body).to.deep.equal({ data: [] });
      // A repeated filter is refused rather than dropped (which would list every partner).
      const twice = await t.admin('GET', '/partners?status=APPROVED&status=REJECTED');
      expect(twice.status).to.equal(422);
      expect(twice.body).to.deep.equal({ error: 'invalid_request', message: 'status: give at most one status' });
      const bad = await t.admin('GET', '/partners?status=approved');
      expect(bad.status).to.equal(422);
      expect(bad.body).to.deep.equal({ error: 'invalid_request', message: 'status: must be one of PENDING_REVIEW, APPROVED, REJECTED, ACTIVE, SUSPENDED' });
    });

    it('answers 404 to an unknown id and to one that is no UUID, on every partner route', async () => {
      const p = await createOk(cpx);
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '------------------------------------', `${p.id.slice(0, -1)}g`]) {
        const routes: [string, string, unknown?][] = [
          ['GET', `/partners/${id}`],
          ['GET', `/partners/${id}/events`],
          ['POST', `/partners/${id}/approve`],
          ['POST', `/partners/${id}/reject`, { reason: 'x' }],
          ['POST', `/partners/${id}/suspend`],
          ['POST', `/partners/${id}/resume`],
          ['POST', `/partners/${id}/reset-credentials`],
          ['PUT', `/partners/${id}/ip-allowlist`, { cidrs: [] }],
          ['PUT', `/partners/${id}/scopes`, { modules: null }],
        ];
        for (const [method, path, body] of routes) {
          const res = await t.admin(method, path, body);
          expect(res.status, `${method} ${path}`).to.equal(404);
          expect(res.body, `${method} ${path}`).to.deep.equal({ error: 'not_found', message: `no partner ${id}` });
        }
      }
      // Upper-case hex is the same UUID.
      expect((await t.admin('GET', `/partners/${p.id.toUpperCase()}`)).body.id).to.equal(p.id);
      // Nothing happened to the partner that exists.
      expect((await t.admin('GET', `/partners/${p.id}`)).body.status).to.equal('PENDING_REVIEW');
      expect((await events(p.id)).map((e) => e.kind)).to.deep.equal(['APPLIED']);
    });
  });

  describe('lifecycle', () => {
    it('approves once: token A valid 7 days from the hub clock, the hub versions URL; then 409 with the state', async () => {
      const p = await createOk(cpx);
      t.clock.advance(minutes(30));
      const approved = await t.admin('POST', `/partners/${p.id}/approve`);
      expect(approved.status).to.equal(200);
      expect(approved.body.token_a).to.match(/^[A-Za-z0-9_-]{43}$/);
      const { token_a: tokenA, token_a_expires_at: expiresAt, versions_url: versionsUrl, ...view } = approved.body;
      expect(expiresAt).to.equal('2026-12-02T10:30:00.000Z');
      expect(expiresAt).to.equal(inDays(7));
      expect(versionsUrl).to.equal(`${t.url}/ocpi/versions`);
      expect(view).to.deep.include({ id: p.id, status: 'APPROVED', token_a_pending: true, registered: false, updated_at: '2026-11-25T10:30:00.000Z', created_at: '2026-11-25T10:00:00.000Z' });

      // The token is shown once: never again in the view.
      const read = await t.admin('GET', `/partners/${p.id}`);
      expect(read.body).to.deep.include({ status: 'APPROVED', token_a_pending: true, versions_url: null });
      expectNoToken(read.body, [tokenA]);

      const again = await t.admin('POST', `/partners/${p.id}/approve`);
      expect(again.status).to.equal(409);
      expect(again.body).to.deep.equal(conflict('cannot approve a partner in state APPROVED', 'APPROVED'));
      const reject = await t.admin('POST', `/partners/${p.id}/reject`, { reason: 'changed our mind' });
      expect(reject.status).to.equal(409);
      expect(reject.body).to.deep.equal(conflict('cannot reject a partner in state APPROVED', 'APPROVED'));

      // The first token A is still the one that works: the refused approval issued none.
      const versions = await t.ocpi('GET', '/ocpi/versions', { token: tokenA });
      expect(versions.status).to.equal(200);
      expect(versions.body.status_code).to.equal(1000);
      expect((await events(p.id)).map((e) => e.kind)).to.deep.equal(['APPLIED', 'APPROVED']);
    });

    it('token A expires 7 days after approval; a reset gives a fresh one', async () => {
      const p = await createOk(cpx);
      const { token_a: tokenA } = await approve(p.id);
      t.clock.advance(days(7) - 1);
      expect((await t.ocpi('GET', '/ocpi/versions', { token: tokenA })).status).to.equal(200);
      expect((await t.admin('GET', `/partners/${p.id}`)).body.token_a_pending).to.equal(true);
      t.clock.advance(2); // 7 days + 1 ms after approval
      const expired = await t.ocpi('GET', '/ocpi/versions', { token: tokenA });
      expect(expired.status).to.equal(401);
      expect(expired.body).to.deep.include({ status_code: 2000, status_message: 'unknown or expired token' });
      expect((await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: {} })).status).to.equal(401);
      expect((await t.admin('GET', `/partners/${p.id}`)).body).to.deep.include({ status: 'APPROVED', token_a_pending: false });

      const reset = await t.admin('POST', `/partners/${p.id}/reset-credentials`);
      expect(reset.status).to.equal(200);
      expect(reset.body).to.deep.include({ status: 'APPROVED', token_a_pending: true, token_a_expires_at: inDays(7) });
      expect(reset.body.token_a).to.not.equal(tokenA);
      expect((await t.ocpi('GET', '/ocpi/versions', { token: reset.body.token_a })).status).to.equal(200);
    });

    it('rejects only with a reason; a rejected partner can be approved, suspended, resumed or reset no more', async () => {
      const p = await createOk(cpx);
      for (const body of [undefined, {}, { reason: '' }, { reason: '   ' }, { reason: 42 }]) {
        const res = await t.admin('POST', `/partners/${p.id}/reject`, body);
        expect(res.status, JSON.stringify(body)).to.equal(422);
        expect(res.body).to.deep.equal({ error: 'invalid_request', message: 'reason: is required' });
      }
      expect((await t.admin('GET', `/partners/${p.id}`)).body.status).to.equal('PENDING_REVIEW');

      const rejected = await t.admin('POST', `/partners/${p.id}/reject`, { reason: '  no contract signed ' });
      expect(rejected.status).to.equal(200);
      expect(rejected.body).to.deep.include({ id: p.id, status: 'REJECTED', reject_reason: 'no contract signed', token_a_pending: false });
      expectNoToken(rejected.body, []);

      const refusals: [string, string][] = [
        ['approve', 'cannot approve a partner in state REJECTED'],
        ['reject', 'cannot reject a partner in state REJECTED'],
        ['suspend', 'cannot suspend a partner in state REJECTED'],
        ['resume', 'cannot resume a partner in state REJECTED'],
        ['reset-credentials', 'cannot reset credentials of a partner in state REJECTED'],
      ];
      for (const [action, message] of refusals) {
        const res = await t.admin('POST', `/partners/${p.id}/${action}`, action === 'reject' ? { reason: 'again' } : undefined);
        expect(res.status, action).to.equal(409);
        expect(res.body, action).to.deep.equal(conflict(message, 'REJECTED'));
      }
      expect((await t.admin('GET', `/partners/${p.id}`)).body).to.deep.include({ status: 'REJECTED', reject_reason: 'no contract signed' });
      expect((await events(p.id)).map((e) => [e.kind, e.detail])).to.deep.equal([
        ['APPLIED', { name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO' }],
        ['REJECTED', { reason: 'no contract signed' }],
      ]);
    });

    it('suspends an active partner (its token C gets 401) and resumes it to ACTIVE; resuming again is a conflict', async () => {
      const cpo = await onboardCpo(t);
      try {
        expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token })).status).to.equal(200);
        const suspended = await t.admin('POST', `/partners/${cpo.id}/suspend`, { reason: 'unpaid invoices' });
        expect(suspended.status).to.equal(200);
        expect(suspended.body).to.deep.include({ id: cpo.id, status: 'SUSPENDED', registered: true });

        const refused = await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token });
        expect(refused.status).to.equal(401);
        expect(refused.body).to.deep.include({ status_code: 2000, status_message: 'partner is suspended' });
        expect((await t.ocpi('GET', '/ocpi/versions', { token: cpo.token })).status).to.equal(401);

        const twice = await t.admin('POST', `/partners/${cpo.id}/suspend`);
        expect(twice.status).to.equal(409);
        expect(twice.body).to.deep.equal(conflict('cannot suspend a partner in state SUSPENDED', 'SUSPENDED'));

        const resumed = await t.admin('POST', `/partners/${cpo.id}/resume`);
        expect(resumed.status).to.equal(200);
        expect(resumed.body).to.deep.include({ id: cpo.id, status: 'ACTIVE', registered: true });
        const back = await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token });
        expect(back.status).to.equal(200);
        expect(back.body.status_code).to.equal(1000);

        const again = await t.admin('POST', `/partners/${cpo.id}/resume`);
        expect(again.status).to.equal(409);
        expect(again.body).to.deep.equal(conflict('cannot resume a partner in state ACTIVE', 'ACTIVE'));
        expect((await events(cpo.id)).slice(-2).map((e) => [e.kind, e.detail])).to.deep.equal([
          ['SUSPENDED', { reason: 'unpaid invoices' }],
          ['RESUMED', { status: 'ACTIVE' }],
        ]);
      } finally {
        await cpo.partner.stop();
      }
    });

    it('suspends an approved partner (token A gets 401) and resumes it to APPROVED; a pending one can be neither', async () => {
      const p = await createOk(cpx);
      const pendingSuspend = await t.admin('POST', `/partners/${p.id}/suspend`);
      expect(pendingSuspend.status).to.equal(409);
      expect(pendingSuspend.body).to.deep.equal(conflict('cannot suspend a partner in state PENDING_REVIEW', 'PENDING_REVIEW'));
      const pendingResume = await t.admin('POST', `/partners/${p.id}/resume`);
      expect(pendingResume.status).to.equal(409);
      expect(pendingResume.body).to.deep.equal(conflict('cannot resume a partner in state PENDING_REVIEW', 'PENDING_REVIEW'));
      const pendingReset = await t.admin('POST', `/partners/${p.id}/reset-credentials`);
      expect(pendingReset.status).to.equal(409);
      expect(pendingReset.body).to.deep.equal(conflict('cannot reset credentials of a partner in state PENDING_REVIEW', 'PENDING_REVIEW'));

      const { token_a: tokenA } = await approve(p.id);
      expect((await t.admin('POST', `/partners/${p.id}/suspend`)).body.status).to.equal('SUSPENDED');
      expect((await t.ocpi('GET', '/ocpi/versions', { token: tokenA })).status).to.equal(401);
      const resumed = await t.admin('POST', `/partners/${p.id}/resume`);
      expect(resumed.status).to.equal(200);
      expect(resumed.body).to.deep.include({ status: 'APPROVED', token_a_pending: true });
      expect((await t.ocpi('GET', '/ocpi/versions', { token: tokenA })).status).to.equal(200);
      expect((await events(p.id)).map((e) => [e.kind, e.detail])).to.deep.equal([
        ['APPLIED', { name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO' }],
        ['APPROVED', { token_a_expires_at: inDays(7) }],
        ['SUSPENDED', {}],
        ['RESUMED', { status: 'APPROVED' }],
      ]);
    });

    it('serialises concurrent decisions: of two approvals one wins, of two identical applications one is stored', async () => {
      const p = await createOk(cpx);
      const approvals = await Promise.all([t.admin('POST', `/partners/${p.id}/approve`), t.admin('POST', `/partners/${p.id}/approve`)]);
      expect(approvals.map((r) => r.status).sort()).to.deep.equal([200, 409]);
      const rows = await t.hub.services.orm.em.fork().getConnection().execute(`select kind from partner_tokens where partner_id = ?`, [p.id]);
      expect(rows).to.deep.equal([{ kind: 'A' }]);
      expect((await events(p.id)).map((e) => e.kind)).to.deep.equal(['APPLIED', 'APPROVED']);

      const emsp = { ...cpx, role: 'EMSP' };
      const applications = await Promise.all([create(emsp), create(emsp)]);
      expect(applications.map((r) => r.status).sort()).to.deep.equal([201, 409]);
      expect((await t.admin('GET', '/partners')).body.data.map((x: any) => x.role)).to.deep.equal(['CPO', 'EMSP']);
    });

    it('resets a suspended partner: it stays suspended with a fresh token A that works once resumed', async () => {
      const cpo = await onboardCpo(t);
      try {
        await t.admin('POST', `/partners/${cpo.id}/suspend`);
        const reset = await t.admin('POST', `/partners/${cpo.id}/reset-credentials`);
        expect(reset.status).to.equal(200);
        expect(reset.body).to.deep.include({ status: 'SUSPENDED', registered: false, token_a_pending: true });
        expect((await t.ocpi('GET', '/ocpi/versions', { token: reset.body.token_a })).status).to.equal(401);
        const resumed = await t.admin('POST', `/partners/${cpo.id}/resume`);
        expect(resumed.body).to.deep.include({ status: 'APPROVED', registered: false, token_a_pending: true });
        expect((await t.ocpi('GET', '/ocpi/versions', { token: reset.body.token_a })).status).to.equal(200);
        expect((await t.ocpi('GET', '/ocpi/versions', { token: cpo.token })).status).to.equal(401);
      } finally {
        await cpo.partner.stop();
      }
    });

    it('resets the credentials of an active partner: token C dies, a fresh token A registers again', async () => {
      const cpo = await onboardCpo(t);
      try {
        t.clock.advance(days(1));
        const reset = await t.admin('POST', `/partners/${cpo.id}/reset-credentials`);
        expect(reset.status).to.equal(200);
        expect(reset.body.token_a).to.match(/^[A-Za-z0-9_-]{43}$/);
        expect(reset.body).to.deep.include({
          id: cpo.id,
          status: 'APPROVED',
          registered: false,
          token_a_pending: true,
          endpoints: [],
          registered_at: null,
          token_a_expires_at: inDays(7),
          versions_url: `${t.url}/ocpi/versions`,
        });
        expect(reset.body.token_a).to.not.equal(cpo.token);

        const dead = await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token });
        expect(dead.status).to.equal(401);
        expect(dead.body.status_message).to.equal('unknown or expired token');
        expectNoToken((await t.admin('GET', `/partners/${cpo.id}`)).body, [reset.body.token_a, cpo.token, cpo.tokenB]);

        const again = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: reset.body.token_a, body: cpo.partner.credentials(cpo.tokenB) });
        expect(again.body.status_code, JSON.stringify(again.body)).to.equal(1000);
        const newC = again.body.data.token;
        expect(newC).to.not.equal(cpo.token);
        expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: newC })).status).to.equal(200);
        expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token })).status).to.equal(401);
        expect((await t.admin('GET', `/partners/${cpo.id}`)).body).to.deep.include({ status: 'ACTIVE', registered: true, token_a_pending: false });
        // Each registration starts a pull of the CPO, which fails here (the fake CPO serves no Locations).
        await t.hub.services.partnerSync.settled();
        expect((await events(cpo.id)).map((e) => e.kind)).to.deep.equal(['APPLIED', 'APPROVED', 'CREDENTIALS_REGISTERED', 'SYNC_FAILED', 'CREDENTIALS_RESET', 'CREDENTIALS_REGISTERED', 'SYNC_FAILED']);
      } finally {
        await cpo.partner.stop();
      }
    });
  });

  describe('audit trail', () => {
    it('lists every change in order, with kind, actor and time, and only the partner asked for', async () => {
      const p = await createOk(cpx);
      const other = await createOk({ ...cpx, party_id: 'OTH' });
      const steps: [string, string, unknown?][] = [
        ['POST', `/partners/${p.id}/approve`],
        ['PUT', `/partners/${p.id}/scopes`, { modules: ['locations', 'tariffs', 'locations'] }],
        ['PUT', `/partners/${p.id}/ip-allowlist`, { cidrs: ['192.0.2.0/24', '2001:db8::1'] }],
        ['POST', `/partners/${p.id}/suspend`, { reason: 'audit' }],
        ['POST', `/partners/${p.id}/resume`],
        ['POST', `/partners/${p.id}/reset-credentials`],
      ];
      for (const [method, path, body] of steps) {
        t.clock.advance(minutes(1));
        const res = await t.admin(method, path, body);
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).to.equal(200);
      }
      // Refused changes leave no trace.
      expect((await t.admin('POST', `/partners/${p.id}/approve`)).status).to.equal(409);
      await t.admin('POST', `/partners/${other.id}/reject`, { reason: 'duplicate' });

      const trail = await events(p.id);
      expect(trail.map((e) => [e.kind, e.actor, e.at])).to.deep.equal([
        ['APPLIED', ADMIN_ACTOR, '2026-11-25T10:00:00.000Z'],
        ['APPROVED', ADMIN_ACTOR, '2026-11-25T10:01:00.000Z'],
        ['SCOPES_SET', ADMIN_ACTOR, '2026-11-25T10:02:00.000Z'],
        ['IP_ALLOWLIST_SET', ADMIN_ACTOR, '2026-11-25T10:03:00.000Z'],
        ['SUSPENDED', ADMIN_ACTOR, '2026-11-25T10:04:00.000Z'],
        ['RESUMED', ADMIN_ACTOR, '2026-11-25T10:05:00.000Z'],
        ['CREDENTIALS_RESET', ADMIN_ACTOR, '2026-11-25T10:06:00.000Z'],
      ]);
      expect(trail.map((e) => e.detail)).to.deep.equal([
        { name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO' },
        { token_a_expires_at: '2026-12-02T10:01:00.000Z' },
        { before: null, after: ['locations', 'tariffs'] },
        { before: [], after: ['192.0.2.0/24', '2001:db8::1/128'] },
        { reason: 'audit' },
        { status: 'APPROVED' },
        { token_a_expires_at: '2026-12-02T10:06:00.000Z' },
      ]);
      expect(ADMIN_ACTOR).to.match(/^admin:[0-9a-f]{8}$/);
      expect(JSON.stringify(trail)).to.not.include(ADMIN_KEY);
      expect((await events(other.id)).map((e) => [e.kind, e.detail])).to.deep.equal([
        ['APPLIED', { name: 'Fake CPO', country_code: 'DE', party_id: 'OTH', role: 'CPO' }],
        ['REJECTED', { reason: 'duplicate' }],
      ]);
    });
  });

  describe('authentication', () => {
    it('needs the admin key: none, a wrong one, the app key or another scheme get 401 and change nothing', async () => {
      const url = `${t.url}/api/v1/admin/partners`;
      const refused: [string, Record<string, string>, unknown?][] = [
        ['GET', {}],
        ['GET', { authorization: 'Bearer wrong-key-wrong-key-wrong-key' }],
        ['GET', { authorization: `Bearer ${APP_KEY}` }],
        ['POST', { authorization: `Bearer ${FINANCE_KEY}` }, cpx],
      ];
      for (const [method, headers, body] of refused) {
        const res = await http(method, url, { headers, body });
        expect(res.status, JSON.stringify(headers)).to.equal(401);
        expect(res.body).to.deep.equal(UNAUTHENTICATED);
      }
      // Four failures do not lock the address out; the admin key opens the API, whatever the scheme's case.
      const ok = await http('GET', url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(ok.status).to.equal(200);
      expect(ok.body).to.deep.equal({ data: [] });
      expect((await http('GET', url, { headers: { authorization: `bearer ${ADMIN_KEY}` } })).status).to.equal(200);
      // Authentication comes before anything else: a caller without the key learns nothing about ids or routes.
      const probe = await http('GET', `${url}/not-a-uuid`, { headers: { authorization: `Bearer ${APP_KEY}` } });
      expect(probe.status).to.equal(401);
      expect(probe.body).to.deep.equal(UNAUTHENTICATED);
    });

    it('refuses a token-scheme header and the app key on a partner route too', async () => {
      const p = await createOk(cpx);
      for (const authorization of [`Token ${ADMIN_KEY}`, `Bearer ${APP_KEY}`, `Bearer ${ADMIN_KEY}x`]) {
        const res = await http('POST', `${t.url}/api/v1/admin/partners/${p.id}/approve`, { headers: { authorization } });
        expect(res.status, authorization).to.equal(401);
        expect(res.body).to.deep.equal(UNAUTHENTICATED);
      }
      expect((await t.admin('GET', `/partners/${p.id}`)).body.status).to.equal('PENDING_REVIEW');
    });
  });

  describe('IP allow-list', () => {
    it('refuses an onboarded partner calling from outside it with 403, configuration modules included, and records it', async () => {
      const cpo = await onboardCpo(t);
      try {
        const set = await t.admin('PUT', `/partners/${cpo.id}/ip-allowlist`, { cidrs: ['10.0.0.0/8'] });
        expect(set.status).to.equal(200);
        expect(set.body).to.deep.include({ id: cpo.id, ip_allowlist: ['10.0.0.0/8'], status: 'ACTIVE' });

        const refused = await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token });
        expect(refused.status).to.equal(403);
        expect(refused.body).to.deep.include({ status_code: 2000, status_message: "address 127.0.0.1 is not in this partner's IP allow-list" });
        expect(refused.body).to.not.have.property('data');
        const versions = await t.ocpi('GET', '/ocpi/versions', { token: cpo.token });
        expect(versions.status).to.equal(403);

        const widen = await t.admin('PUT', `/partners/${cpo.id}/ip-allowlist`, { cidrs: ['127.0.0.0/8'] });
        expect(widen.body.ip_allowlist).to.deep.equal(['127.0.0.0/8']);
        const allowed = await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token });
        expect(allowed.status).to.equal(200);
        expect(allowed.body.data.token).to.equal(cpo.token);

        const trail = await events(cpo.id);
        expect(trail.filter((e) => e.kind === 'REFUSED_IP').map((e) => [e.actor, e.detail])).to.deep.equal([
          ['partner', { ip: '127.0.0.1', module: 'credentials' }],
          ['partner', { ip: '127.0.0.1', module: 'versions' }],
        ]);
        expect(trail.filter((e) => e.kind === 'IP_ALLOWLIST_SET').map((e) => e.detail)).to.deep.equal([
          { before: [], after: ['10.0.0.0/8'] },
          { before: ['10.0.0.0/8'], after: ['127.0.0.0/8'] },
        ]);
      } finally {
        await cpo.partner.stop();
      }
    });

    it('validates the list, naming the entry, and keeps the old one; a bare address is one host; [] allows all', async () => {
      const p = await createOk(cpx);
      await t.admin('PUT', `/partners/${p.id}/ip-allowlist`, { cidrs: ['192.0.2.0/24'] });
      const cases: [unknown, string][] = [
        [{ cidrs: ['10.0.0.0/33'] }, 'cidrs[0]: "10.0.0.0/33" is not an IPv4 or IPv6 CIDR'],
        [{ cidrs: ['10.0.0.0/8', 'not-an-ip'] }, 'cidrs[1]: "not-an-ip" is not an IPv4 or IPv6 CIDR'],
        [{ cidrs: ['2001:db8::/129'] }, 'cidrs[0]: "2001:db8::/129" is not an IPv4 or IPv6 CIDR'],
        [{ cidrs: [10] }, 'cidrs[0]: must be a string'],
        [{ cidrs: '10.0.0.0/8' }, 'cidrs: must be an array of CIDR strings'],
        [{}, 'cidrs: must be an array of CIDR strings'],
      ];
      for (const [body, message] of cases) {
        const res = await t.admin('PUT', `/partners/${p.id}/ip-allowlist`, body);
        expect(res.status, message).to.equal(422);
        expect(res.body).to.deep.equal({ error: 'invalid_request', message });
      }
      expect((await t.admin('GET', `/partners/${p.id}`)).body.ip_allowlist).to.deep.equal(['192.0.2.0/24']);
      const set = await t.admin('PUT', `/partners/${p.id}/ip-allowlist`, { cidrs: ['10.0.0.1', '2001:db8::/32'] });
      expect(set.body.ip_allowlist).to.deep.equal(['10.0.0.1/32', '2001:db8::/32']);
      expect((await t.admin('PUT', `/partners/${p.id}/ip-allowlist`, { cidrs: [] })).body.ip_allowlist).to.deep.equal([]);
      expect((await events(p.id)).map((e) => e.kind)).to.deep.equal(['APPLIED', 'IP_ALLOWLIST_SET', 'IP_ALLOWLIST_SET', 'IP_ALLOWLIST_SET']);
    });
  });

  describe('module scopes', () => {
    it('stores a valid list as module_scopes, refuses an invalid entry naming it, and null clears', async () => {
      const p = await createOk(cpx);
      const set = await t.admin('PUT', `/partners/${p.id}/scopes`, { modules: ['locations', 'tariffs', 'locations'] });
      expect(set.status).to.equal(200);
      expect(set.body).to.deep.include({ id: p.id, module_scopes: ['locations', 'tariffs'] });
      expect((await t.admin('GET', `/partners/${p.id}`)).body.module_scopes).to.deep.equal(['locations', 'tariffs']);

      const cases: [unknown, string][] = [
        [{ modules: ['locations', 'Bad Module'] }, 'modules[1]: must be an OCPI module identifier such as locations'],
        [{ modules: [7] }, 'modules[0]: must be an OCPI module identifier such as locations'],
        [{ modules: ['cdrs', 'tokens', ''] }, 'modules[2]: must be an OCPI module identifier such as locations'],
        [{ modules: 'locations' }, 'modules: must be an array of OCPI module identifiers, or null for all'],
        [{}, 'modules: must be an array of OCPI module identifiers, or null for all'],
      ];
      for (const [body, message] of cases) {
        const res = await t.admin('PUT', `/partners/${p.id}/scopes`, body);
        expect(res.status, message).to.equal(422);
        expect(res.body).to.deep.equal({ error: 'invalid_request', message });
      }
      expect((await t.admin('GET', `/partners/${p.id}`)).body.module_scopes).to.deep.equal(['locations', 'tariffs']);

      const cleared = await t.admin('PUT', `/partners/${p.id}/scopes`, { modules: null });
      expect(cleared.status).to.equal(200);
      expect(cleared.body.module_scopes).to.equal(null);
      expect((await events(p.id)).filter((e) => e.kind === 'SCOPES_SET').map((e) => e.detail)).to.deep.equal([
        { before: null, after: ['locations', 'tariffs'] },
        { before: ['locations', 'tariffs'], after: null },
      ]);
    });

    it('limits functional modules only: credentials stays open to a partner outside its scopes', async () => {
      const cpo = await onboardCpo(t);
      try {
        await t.admin('PUT', `/partners/${cpo.id}/scopes`, { modules: ['tariffs'] });
        expect((await t.ocpi('GET', '/ocpi/2.2.1/credentials', { token: cpo.token })).status).to.equal(200);
        const refused = await t.ocpi('GET', '/ocpi/2.2.1/locations/DE/CPX/LOC1', { token: cpo.token });
        expect(refused.status).to.equal(403);
        expect(refused.body.status_message).to.equal("module locations is not in this partner's scopes");
        await t.admin('PUT', `/partners/${cpo.id}/scopes`, { modules: null });
        const open = await t.ocpi('GET', '/ocpi/2.2.1/locations/DE/CPX/LOC1', { token: cpo.token });
        expect(open.status).to.equal(404);
        expect(open.body.status_message).to.equal('unknown location LOC1');
      } finally {
        await cpo.partner.stop();
      }
    });
  });
});
