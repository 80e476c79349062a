import { expect } from 'chai';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { startTestHub, ADMIN_KEY, type TestHub } from '../helpers/hub.ts';
import { TestClock, days } from '../helpers/clock.ts';
import { partnerCli, type CliRun } from '../helpers/partner-cli.ts';

type Run = CliRun;

const ACTOR = `cli:${os.userInfo().username}`;
const ADMIN_ACTOR = `admin:${createHash('sha256').update(ADMIN_KEY).digest('hex').slice(0, 8)}`;

/**
 * The command line as an operator runs it, against the database of a running hub. Each run
 * costs a process start (~1.5 s), so the happy path is one walk through the lifecycle and
 * the failures run side by side.
 */
describe('command line: ocpi-hub partner …', () => {
  let t: TestHub;
  beforeEach(async () => {
    // The command line uses the system clock; the hub's clock starts at the same moment, so token A expiry agrees.
    t = await startTestHub({ clock: new TestClock(new Date().toISOString()) });
  });
  afterEach(async () => {
    await t.stop();
  });

  const cli = (...args: string[]) => partnerCli(t, args);
  const ok = (run: Run) => {
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.equal('');
    return JSON.parse(run.stdout);
  };
  const versions = async (token: string) => (await t.ocpi('GET', '/ocpi/versions', { token })).status;

  it('creates, approves, lists, rejects, suspends, resumes and resets; the running hub sees the same data', async function () {
    this.timeout(60_000);
    const created = ok(await cli('create', '--name', 'CLI CPO', '--country-code', 'nl', '--party-id', 'cli', '--role', 'CPO', '--website', 'https://cli.example', '--contact-email', 'ops@cli.example'));
    expect(created).to.deep.include({ name: 'CLI CPO', country_code: 'NL', party_id: 'CLI', role: 'CPO', status: 'PENDING_REVIEW', website: 'https://cli.example', contact_email: 'ops@cli.example', token_a_pending: false });
    // What the command printed is what the operations API shows.
    const read = await t.admin('GET', `/partners/${created.id}`);
    expect(read.status).to.equal(200);
    expect(read.body).to.deep.equal(created);

    const emsp = await t.admin('POST', '/partners', { name: 'Some EMSP', country_code: 'NL', party_id: 'EMS', role: 'EMSP' });
    expect(emsp.status).to.equal(201);

    const before = Date.now();
    const grant = ok(await cli('approve', created.id));
    const after = Date.now();
    expect(Object.keys(grant)).to.deep.equal(['id', 'status', 'token_a', 'token_a_expires_at', 'versions_url']);
    expect(grant).to.deep.include({ id: created.id, status: 'APPROVED', versions_url: `${t.url}/ocpi/versions` });
    expect(grant.token_a).to.match(/^[A-Za-z0-9_-]{43}$/);
    const expires = new Date(grant.token_a_expires_at).getTime();
    expect(expires).to.be.within(before + days(7), after + days(7));
    expect(await versions(grant.token_a)).to.equal(200);
    expect((await t.admin('GET', `/partners/${created.id}`)).body).to.deep.include({ status: 'APPROVED', token_a_pending: true });

    const rejected = ok(await cli('reject', emsp.body.id, '--reason', 'no contract'));
    expect(rejected).to.deep.include({ id: emsp.body.id, status: 'REJECTED', reject_reason: 'no contract' });

    const listed = await cli('list');
    expect(listed.code, listed.stderr).to.equal(0);
    // Oldest first: the EMSP was created at the hub clock's moment, the test's start, before the command line ran.
    expect(listed.stdout).to.equal(`${emsp.body.id}  EMSP  NL/EMS  REJECTED        Some EMSP\n${created.id}  CPO   NL/CLI  APPROVED        CLI CPO\n`);

    expect(ok(await cli('suspend', created.id, '--reason', 'audit'))).to.deep.include({ id: created.id, status: 'SUSPENDED' });
    expect(await versions(grant.token_a)).to.equal(401);
    expect(ok(await cli('resume', created.id))).to.deep.include({ id: created.id, status: 'APPROVED', token_a_pending: true });
    expect(await versions(grant.token_a)).to.equal(200);

    const reset = ok(await cli('reset', created.id));
    expect(reset).to.deep.include({ id: created.id, status: 'APPROVED', versions_url: `${t.url}/ocpi/versions` });
    expect(reset.token_a).to.match(/^[A-Za-z0-9_-]{43}$/).and.not.equal(grant.token_a);
    expect(await versions(grant.token_a)).to.equal(401);
    expect(await versions(reset.token_a)).to.equal(200);

    const trail = (await t.admin('GET', `/partners/${created.id}/events`)).body.data;
    expect(trail.map((e: any) => [e.kind, e.actor])).to.deep.equal([
      ['APPLIED', ACTOR],
      ['APPROVED', ACTOR],
      ['SUSPENDED', ACTOR],
      ['RESUMED', ACTOR],
      ['CREDENTIALS_RESET', ACTOR],
    ]);
    expect(trail[2].detail).to.deep.equal({ reason: 'audit' });
    expect((await t.admin('GET', `/partners/${emsp.body.id}/events`)).body.data.map((e: any) => [e.kind, e.actor])).to.deep.equal([
      ['APPLIED', ADMIN_ACTOR],
      ['REJECTED', ACTOR],
    ]);
  });

  it('fails with a non-zero exit and a message naming the problem, changing nothing', async function () {
    this.timeout(60_000);
    const pending = (await t.admin('POST', '/partners', { name: 'Pending CPO', country_code: 'DE', party_id: 'PEN', role: 'CPO' })).body;
    const [badCountry, noId, noReason, unknownOption, unknownAction, notFound] = await Promise.all([
      cli('create', '--name', 'X', '--country-code', 'NLD', '--party-id', 'ABC', '--role', 'CPO'),
      cli('approve'),
      cli('reject', pending.id),
      cli('list', '--colour', 'blue'),
      cli('frobnicate', pending.id),
      cli('suspend', '00000000000000000000000000000000----'),
    ]);
    expect(badCountry).to.deep.equal({ code: 1, stdout: '', stderr: 'invalid_parameters: country_code: must be an ISO 3166-1 alpha-2 code such as NL\n' });
    expect(noId).to.deep.equal({ code: 1, stdout: '', stderr: 'invalid_parameters: partner approve needs a partner id\n' });
    expect(noReason).to.deep.equal({ code: 1, stdout: '', stderr: 'invalid_parameters: reason: is required\n' });
    expect(notFound).to.deep.equal({ code: 1, stdout: '', stderr: 'not_found: no partner 00000000000000000000000000000000----\n' });
    expect(unknownOption.code).to.equal(2);
    expect(unknownOption.stdout).to.equal('');
    expect(unknownOption.stderr).to.match(/^Unknown option '--colour'/);
    expect(unknownOption.stderr).to.include('usage: ocpi-hub <command>').and.not.match(/\n\s+at /);
    expect(unknownAction.code).to.equal(2);
    expect(unknownAction.stdout).to.equal('');
    expect(unknownAction.stderr).to.match(/^unknown partner action frobnicate\nusage: ocpi-hub <command>/);

    const list = (await t.admin('GET', '/partners')).body.data;
    expect(list.map((p: any) => [p.id, p.status])).to.deep.equal([[pending.id, 'PENDING_REVIEW']]);
    expect((await t.admin('GET', `/partners/${pending.id}/events`)).body.data.map((e: any) => e.kind)).to.deep.equal(['APPLIED']);

    // A conflict names the state.
    await t.admin('POST', `/partners/${pending.id}/approve`);
    expect(await cli('approve', pending.id)).to.deep.equal({ code: 1, stdout: '', stderr: 'conflict: cannot approve a partner in state APPROVED\n' });
  });
});
