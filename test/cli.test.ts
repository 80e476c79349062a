import { expect } from 'chai';
import { execFile } from 'node:child_process';
import os from 'node:os';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { withDatabase } from '../src/hub.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('command line: ocpi-hub partner …', () => {
  let t: TestHub;
  before(async () => {
    t = await startTestHub();
  });
  after(async () => {
    await t.stop();
  });

  /** The CLI as a user runs it, against the same database as the running hub. */
  const cli = (...args: string[]) =>
    new Promise<Run>((resolve) => {
      const env = { ...process.env, ...t.env, DATABASE_URL: withDatabase(process.env.OCPI_TEST_PG_URL!, t.databaseName), LOG_LEVEL: 'silent' };
      execFile(process.execPath, ['bin/ocpi-hub.js', 'partner', ...args], { env }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  it('creates, approves, lists, suspends and resumes a partner; the hub sees the same data', async () => {
    const created = await cli('create', '--name', 'CLI CPO', '--country-code', 'nl', '--party-id', 'cli', '--role', 'CPO');
    expect(created.code, created.stderr).to.equal(0);
    const partner = JSON.parse(created.stdout);
    expect(partner).to.include({ name: 'CLI CPO', country_code: 'NL', party_id: 'CLI', role: 'CPO', status: 'PENDING_REVIEW' });
    expect((await t.admin('GET', `/partners/${partner.id}`)).body.status).to.equal('PENDING_REVIEW');

    const approved = await cli('approve', partner.id);
    expect(approved.code, approved.stderr).to.equal(0);
    const grant = JSON.parse(approved.stdout);
    expect(grant).to.include({ id: partner.id, status: 'APPROVED' });
    expect((await t.ocpi('GET', '/ocpi/versions', { token: grant.token_a })).status).to.equal(200);

    const listed = await cli('list');
    expect(listed.stdout).to.equal(`${partner.id}  CPO   NL/CLI  APPROVED        CLI CPO\n`);

    expect(JSON.parse((await cli('suspend', partner.id, '--reason', 'audit')).stdout).status).to.equal('SUSPENDED');
    expect(JSON.parse((await cli('resume', partner.id)).stdout).status).to.equal('APPROVED');

    const events = (await t.admin('GET', `/partners/${partner.id}/events`)).body.data;
    expect(events.map((e: any) => [e.kind, e.actor])).to.deep.equal([
      ['APPLIED', `cli:${os.userInfo().username}`],
      ['APPROVED', `cli:${os.userInfo().username}`],
      ['SUSPENDED', `cli:${os.userInfo().username}`],
      ['RESUMED', `cli:${os.userInfo().username}`],
    ]);
  });

  it('fails with a message naming the problem', async () => {
    const bad = await cli('create', '--name', 'X', '--country-code', 'NLD', '--party-id', 'ABC', '--role', 'CPO');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.equal('invalid_parameters: country_code: must be an ISO 3166-1 alpha-2 code such as NL\n');
    const missing = await cli('approve');
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.equal('invalid_parameters: partner approve needs a partner id\n');
  });
});
