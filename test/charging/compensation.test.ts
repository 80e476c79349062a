import { expect } from 'chai';
import { chargingWorld, cpoSession, ok, type ChargingWorld } from '../helpers/charging.ts';
import { startTestHub } from '../helpers/hub.ts';
import { http } from '../helpers/http.ts';
import { createOcpiClient, type OcpiClient } from '../../src/client/ocpi-client.ts';
import { createLogger } from '../../src/observability/log.ts';
import { runJob } from '../../src/jobs/scheduler.ts';
import { chargingFollowUpJob, runFollowUps } from '../../charging/compensation.ts';

const UNCONFIRMED = 'Start could not be confirmed. If the car is charging, contact support; you will not be charged twice.';
const s = (n: number) => n * 1000;

describe('charging: compensation when the outcome of START_SESSION is unknown', () => {
  let w: ChargingWorld;
  beforeEach(async () => {
    w = await chargingWorld();
  });
  afterEach(() => w.stop());

  /** A start whose POST fails on the network: the order stays PENDING with queries at +5, +15, +30 s. */
  async function unknownStart() {
    w.commandAnswer.START_SESSION = () => 'DROP';
    const res = await w.start();
    expect(res.status).to.equal(202);
    expect(res.body).to.include({ state: 'PENDING', reason: 'START_OUTCOME_UNKNOWN', message: 'Waiting for the charger operator to confirm the start…' });
    return res.body.id as string;
  }

  for (const n of [1, 2, 3]) {
    it(`network failure, then the session is found on query ${n} → ACTIVE`, async () => {
      const id = await unknownStart();
      expect((await w.history(id)).follow_up).to.deep.equal({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:05.000Z', attempts: 0 });
      await w.tick(s(5) - 1);
      expect(w.sessionQueries()).to.have.length(0);
      const gaps = [s(5), s(10), s(15)];
      for (let q = 1; q <= n; q++) {
        if (q === n) w.cpoSessions = [cpoSession('someone-else', 'ACTIVE', { id: 'S-0' }), cpoSession(id, 'ACTIVE')];
        await w.tick(q === 1 ? 1 : gaps[q - 1]!);
        expect(w.sessionQueries(), `query ${q}`).to.have.length(q);
      }
      expect(w.sessionQueries()[0]!.path).to.equal(`/ocpi/2.2.1/sessions?date_from=${encodeURIComponent('2026-11-25T09:55:00.000Z')}`);
      const order = await w.order(id);
      expect(order).to.include({ state: 'ACTIVE', reason: 'SESSION_FOUND_ACTIVE', message: 'Charging.' });
      expect(order.session.id).to.equal('S-1');
      // Nothing left to ask.
      await w.tick(s(60));
      expect(w.sessionQueries()).to.have.length(n);
      expect(await w.tickets()).to.deep.equal([]);
    });
  }

  it('a POST that times out is followed the same way', async () => {
    w.commandAnswer.START_SESSION = () => new Promise((resolve) => setTimeout(() => resolve(ok({ result: 'ACCEPTED', timeout: 30 })), 1500));
    const res = await w.start();
    expect(res.body).to.include({ state: 'PENDING', reason: 'START_OUTCOME_UNKNOWN' });
    const answer = (await w.history(res.body.id)).events.find((e: any) => e.cause === 'START_SESSION_ANSWER');
    expect(answer.detail).to.deep.include({ outcome: 'UNKNOWN' });
    expect(answer.detail.answer.failure).to.equal('TIMEOUT');
    w.cpoSessions = [cpoSession(res.body.id, 'PENDING')];
    await w.tick(s(5));
    expect(await w.order(res.body.id)).to.include({ state: 'ACTIVE' });
  });

  it('never found after the last query → FAILED with the message, and a COMMAND_UNCONFIRMED ticket with the evidence', async () => {
    const id = await unknownStart();
    await w.tick(s(5));
    w.cpoSessions = () => ({ status: 503, body: { status_code: 3000, timestamp: new Date().toISOString() } });
    await w.tick(s(10));
    w.cpoSessions = [];
    await w.tick(s(14));
    expect(await w.order(id)).to.include({ state: 'PENDING' });
    await w.tick(s(1));
    expect(w.sessionQueries()).to.have.length(3);
    expect(await w.order(id)).to.include({ state: 'FAILED', reason: 'START_UNCONFIRMED', message: UNCONFIRMED });
    const [ticket, ...more] = await w.tickets();
    expect(more).to.have.length(0);
    expect(ticket).to.include({ kind: 'COMMAND_UNCONFIRMED', order_id: id, partner_id: w.cpo.id, state: 'OPEN' });
    const what = ticket.evidence.map((e: any) => e.what);
    expect(what).to.deep.equal([
      'START_REQUESTED: null → REQUESTED',
      'START_SESSION_ANSWER',
      'START_OUTCOME_UNKNOWN: REQUESTED → PENDING',
      'SESSION_QUERY',
      'SESSION_QUERY',
      'SESSION_QUERY',
      'START_UNCONFIRMED: PENDING → FAILED',
    ]);
    expect(ticket.evidence.filter((e: any) => e.what === 'SESSION_QUERY').map((e: any) => [e.at, e.detail.outcome, e.detail.attempt])).to.deep.equal([
      ['2026-11-25T10:00:05.000Z', 'NOT_FOUND', 1],
      ['2026-11-25T10:00:15.000Z', 'UNREACHABLE', 2],
      ['2026-11-25T10:00:30.000Z', 'NOT_FOUND', 3],
    ]);
    expect(ticket.evidence[1].detail.answer.failure).to.equal('NETWORK');
    await w.tick(s(60));
    expect(w.sessionQueries()).to.have.length(3);
  });

  it('/metrics shows orders by state, overdue follow-ups (a stuck job) and open tickets by kind', async () => {
    const metrics = async () => (await http('GET', `${w.t.url}/metrics`)).text;
    const id = await unknownStart();
    expect(await metrics()).to.include('ocpi_hub_charging_orders{state="PENDING"} 1').and.not.include('ocpi_hub_charging_follow_ups_overdue{');
    w.t.clock.advance(s(66));
    expect(await metrics()).to.include('ocpi_hub_charging_follow_ups_overdue{kind="SESSION_QUERY"} 1');
    for (let i = 0; i < 3; i++) await w.tick(0);
    expect(await w.order(id)).to.include({ state: 'FAILED' });
    const text = await metrics();
    expect(text).to.include('ocpi_hub_exception_tickets_open{kind="COMMAND_UNCONFIRMED"} 1').and.not.include('ocpi_hub_charging_orders{state="PENDING"}');
  });

  it('a CommandResult or session arriving for a FAILED order reopens nothing: attached, ticketed once per kind', async () => {
    const id = await unknownStart();
    for (const gap of [5, 10, 15]) await w.tick(s(gap));
    expect(await w.order(id)).to.include({ state: 'FAILED' });
    expect((await w.result('ACCEPTED')).body.status_code).to.equal(1000);
    expect(await w.order(id)).to.include({ state: 'FAILED', reason: 'START_UNCONFIRMED' });
    expect((await w.tickets('LATE_RESULT_FOR_FAILED_ORDER')).map((t) => t.order_id)).to.deep.equal([id]);

    expect((await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: cpoSession(id, 'ACTIVE') })).status).to.equal(201);
    w.t.clock.reach('2026-11-25T10:30:00Z');
    await w.t.ocpi('PATCH', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: { status: 'COMPLETED', kwh: 4, last_updated: '2026-11-25T10:30:00Z' } });
    const order = await w.order(id);
    expect(order).to.include({ state: 'FAILED', kwh: 4 });
    expect(order.session.id).to.equal('S-1');
    const late = await w.tickets('LATE_SESSION_FOR_FAILED_ORDER');
    expect(late).to.have.length(1);
    expect(late[0].evidence.filter((e: any) => e.what === 'LATE_SESSION_FOR_FAILED_ORDER').map((e: any) => e.detail.status)).to.deep.equal(['ACTIVE', 'COMPLETED']);
    expect((await w.tickets()).map((t) => t.kind).sort()).to.deep.equal(['COMMAND_UNCONFIRMED', 'LATE_RESULT_FOR_FAILED_ORDER', 'LATE_SESSION_FOR_FAILED_ORDER']);
  });

  it('no CommandResult within the CPO’s timeout → queries; a session found COMPLETED or INVALID → FAILED', async () => {
    w.commandAnswer.START_SESSION = () => ok({ result: 'ACCEPTED', timeout: 30 });
    const { body } = await w.start();
    await w.tick(s(29));
    expect((await w.history(body.id)).follow_up.kind).to.equal('RESULT_DEADLINE');
    await w.tick(s(1));
    const waiting = await w.history(body.id);
    expect(waiting.follow_up).to.deep.equal({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:35.000Z', attempts: 0 });
    expect(waiting.events.at(-1).cause).to.equal('RESULT_NOT_RECEIVED');
    expect(w.sessionQueries()).to.have.length(0);
    w.cpoSessions = [cpoSession(body.id, 'COMPLETED', { kwh: 0 })];
    await w.tick(s(5));
    expect(await w.order(body.id)).to.include({ state: 'FAILED', reason: 'SESSION_ENDED_BEFORE_CONFIRMED' });

    w.commandAnswer.START_SESSION = () => 'DROP';
    const second = (await w.start()).body;
    w.cpoSessions = [cpoSession(second.id, 'INVALID', { id: 'S-2' })];
    await w.tick(s(5));
    expect(await w.order(second.id)).to.include({ state: 'FAILED', reason: 'SESSION_INVALID', message: 'The charger operator cancelled this session; it will not be billed.' });
  });

  it('a session whose party is not the CPO’s own is not taken as the answer', async () => {
    const id = await unknownStart();
    w.cpoSessions = [cpoSession(id, 'ACTIVE', { party_id: 'ZZZ' })];
    await w.tick(s(5));
    const history = await w.history(id);
    expect(history.state).to.equal('PENDING');
    expect(history.events.at(-1).detail).to.deep.include({ outcome: 'NOT_FOUND', attempt: 1 });
  });
});

describe('charging: durable follow-up', () => {
  it('a hub restarted mid-PENDING resumes the schedule and settles the order', async () => {
    const w = await chargingWorld();
    try {
      w.commandAnswer.START_SESSION = () => 'DROP';
      const { body } = await w.start();
      await w.tick(s(5));
      expect(w.sessionQueries()).to.have.length(1);
      await w.t.stop();

      const second = await startTestHub({ databaseName: w.t.databaseName, env: w.t.env, clock: w.t.clock });
      try {
        w.cpoSessions = [cpoSession(body.id, 'ACTIVE')];
        w.t.clock.advance(s(9));
        expect(await runJob(second.hub.services, chargingFollowUpJob)).to.equal(true);
        expect(w.sessionQueries()).to.have.length(1);
        w.t.clock.advance(s(1));
        expect(await runJob(second.hub.services, chargingFollowUpJob)).to.equal(true);
        expect(w.sessionQueries()).to.have.length(2);
        const order = await second.admin('GET', `/charging-sessions/${body.id}`);
        expect(order.body).to.include({ state: 'ACTIVE', reason: 'SESSION_FOUND_ACTIVE' });
      } finally {
        await second.stop();
      }
    } finally {
      await w.cpo.partner.stop();
    }
  });

  it('a start whose sending broke off (no answer recorded) stays REQUESTED for the app, then is asked about like a timeout', async () => {
    const real = createOcpiClient(createLogger('silent'), 5000, { allowPrivateAddresses: true });
    const client: OcpiClient = {
      call(call) {
        if (call.url.endsWith('/commands/START_SESSION')) return Promise.reject(new Error('the process died while sending'));
        return real.call(call);
      },
    };
    const w = await chargingWorld({ client });
    try {
      const res = await w.start();
      expect(res.status).to.equal(202);
      expect(res.body).to.include({ state: 'REQUESTED', message: 'Contacting the charger…' });
      // Due as if the POST had timed out (COMMAND_TIMEOUT_SECONDS=1) plus the first delay.
      expect((await w.history(res.body.id)).follow_up).to.deep.equal({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:06.000Z', attempts: 0 });
      await w.tick(s(5));
      expect(w.sessionQueries()).to.have.length(0);
      w.cpoSessions = [cpoSession(res.body.id, 'ACTIVE')];
      await w.tick(s(1));
      const history = await w.history(res.body.id);
      expect(history.events.filter((e: any) => e.to).map((e: any) => [e.from, e.to, e.cause])).to.deep.equal([
        [null, 'REQUESTED', 'START_REQUESTED'],
        ['REQUESTED', 'PENDING', 'START_OUTCOME_UNKNOWN'],
        ['PENDING', 'ACTIVE', 'SESSION_FOUND_ACTIVE'],
      ]);
    } finally {
      await w.stop();
    }
  });

  it('two hub instances on one database run each follow-up once', async () => {
    const w = await chargingWorld();
    const second = await startTestHub({ databaseName: w.t.databaseName, env: w.t.env, clock: w.t.clock });
    try {
      w.commandAnswer.START_SESSION = () => 'DROP';
      const { body } = await w.start();
      for (const gap of [5, 10, 15]) {
        w.t.clock.advance(s(gap));
        const claimed = await Promise.all([runFollowUps(w.t.hub.services), runFollowUps(second.hub.services)]);
        expect(claimed[0] + claimed[1]).to.equal(1);
      }
      expect(w.sessionQueries()).to.have.length(3);
      expect(await w.order(body.id)).to.include({ state: 'FAILED', reason: 'START_UNCONFIRMED' });
      expect(await w.tickets('COMMAND_UNCONFIRMED')).to.have.length(1);
    } finally {
      await second.stop();
      await w.stop();
    }
  });
});
