import { expect } from 'chai';
import { chargingWorld, accepted, cpoSession, type ChargingWorld } from '../helpers/charging.ts';
import type { RouteAnswer } from '../helpers/partner.ts';

const s = (n: number) => n * 1000;
const throttled = (status: number, retryAfter?: string): RouteAnswer => ({
  status,
  headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  body: { status_code: 2000, status_message: 'slow down', timestamp: new Date().toISOString() },
});

describe('charging: a CPO that throttles (429/503 with Retry-After) or hangs', () => {
  let w: ChargingWorld;
  afterEach(() => w?.stop());

  for (const status of [429, 503]) {
    it(`HTTP ${status} on START_SESSION: PENDING, one retry after Retry-After, ACCEPTED → ACTIVE`, async () => {
      w = await chargingWorld({ env: { COMMAND_TIMEOUT_SECONDS: '15' } });
      const answers = [throttled(status, '3'), accepted()];
      w.commandAnswer.START_SESSION = () => answers.shift()!;
      const res = await w.start();
      expect(res.status).to.equal(202);
      expect(res.body).to.include({ state: 'PENDING', reason: 'START_THROTTLED' });
      expect((await w.history(res.body.id)).follow_up).to.deep.equal({ kind: 'COMMAND_RETRY', at: '2026-11-25T10:00:03.000Z', attempts: 0 });
      await w.tick(s(3) - 1);
      expect(w.commands('START_SESSION')).to.have.length(1);
      await w.tick(1);
      const sent = w.commands('START_SESSION');
      expect(sent).to.have.length(2);
      expect((sent[1]!.body as any).authorization_reference).to.equal(res.body.id);
      expect((sent[1]!.body as any).response_url).to.not.equal((sent[0]!.body as any).response_url);
      expect(await w.order(res.body.id)).to.include({ state: 'PENDING' });
      expect((await w.history(res.body.id)).follow_up.kind).to.equal('RESULT_DEADLINE');
      expect((await w.result('ACCEPTED', 1)).status).to.equal(200);
      expect(await w.order(res.body.id)).to.include({ state: 'ACTIVE', reason: 'RESULT_ACCEPTED' });
      await w.tick(s(60));
      expect(w.commands('START_SESSION')).to.have.length(2);
      expect(await w.tickets()).to.deep.equal([]);
    });

    it(`HTTP ${status} twice: no third send, the compensation queries follow`, async () => {
      w = await chargingWorld({ env: { COMMAND_TIMEOUT_SECONDS: '15' } });
      w.commandAnswer.START_SESSION = () => throttled(status, '2');
      const res = await w.start();
      expect(res.body).to.include({ state: 'PENDING', reason: 'START_THROTTLED' });
      await w.tick(s(2));
      expect(w.commands('START_SESSION')).to.have.length(2);
      const history = await w.history(res.body.id);
      expect(history.follow_up).to.deep.include({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:07.000Z' });
      w.cpoSessions = [cpoSession(res.body.id, 'ACTIVE')];
      await w.tick(s(5));
      expect(w.sessionQueries()).to.have.length(1);
      expect(w.commands('START_SESSION')).to.have.length(2);
      expect(await w.order(res.body.id)).to.include({ state: 'ACTIVE', reason: 'SESSION_FOUND_ACTIVE' });
    });
  }

  it('a Retry-After past the command window is not waited for: the compensation queries at once', async () => {
    w = await chargingWorld({ env: { COMMAND_TIMEOUT_SECONDS: '15' } });
    w.commandAnswer.START_SESSION = () => throttled(429, '120');
    const res = await w.start();
    expect(res.body).to.include({ state: 'PENDING', reason: 'START_OUTCOME_UNKNOWN' });
    expect((await w.history(res.body.id)).follow_up).to.deep.include({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:05.000Z' });
    await w.tick(s(120));
    expect(w.commands('START_SESSION')).to.have.length(1);
  });

  it('HTTP 429 on STOP_SESSION: still STOPPING, one retry after Retry-After', async () => {
    w = await chargingWorld({ env: { COMMAND_TIMEOUT_SECONDS: '15' } });
    const { body } = await w.start();
    await w.result('ACCEPTED');
    expect((await w.t.ocpi('PUT', '/ocpi/2.2.1/sessions/BE/BEC/S-1', { token: w.cpo.token, body: cpoSession(body.id, 'ACTIVE') })).status).to.equal(201);
    const answers = [throttled(429, '4'), accepted()];
    w.commandAnswer.STOP_SESSION = () => answers.shift()!;
    const stop = await w.app('POST', `/charging-sessions/${body.id}/stop`);
    expect(stop.status).to.equal(202);
    expect(stop.body).to.include({ state: 'STOPPING' });
    expect((await w.history(body.id)).follow_up).to.deep.include({ kind: 'COMMAND_RETRY' });
    await w.tick(s(4));
    expect(w.commands('STOP_SESSION')).to.have.length(2);
    expect((w.commands('STOP_SESSION')[1]!.body as any).session_id).to.equal('S-1');
    expect((await w.history(body.id)).follow_up.kind).to.equal('RESULT_DEADLINE');
  });

  it('a hanging CPO: the app’s start answers 202 PENDING within 2 s (default COMMAND_TIMEOUT_SECONDS), then the order is followed like a timeout', async () => {
    w = await chargingWorld({ env: { COMMAND_TIMEOUT_SECONDS: '15' } });
    let release: (answer: RouteAnswer | 'DROP') => void = () => {};
    w.commandAnswer.START_SESSION = () => new Promise((resolve) => (release = resolve));
    const started = performance.now();
    const res = await w.start();
    const ms = performance.now() - started;
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(ms, `answered after ${Math.round(ms)} ms`).to.be.below(2000);
    expect(res.body).to.include({ state: 'PENDING', reason: 'START_ANSWER_PENDING' });
    expect(w.commands('START_SESSION')).to.have.length(1);
    expect(w.t.hub.services.background.inFlight).to.equal(1);
    // The follow-up committed before the send: due as after a timeout (15 s) plus the first delay (5 s).
    expect((await w.history(res.body.id)).follow_up).to.deep.equal({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:20.000Z', attempts: 0 });
    w.cpoSessions = [cpoSession(res.body.id, 'ACTIVE')];
    await w.tick(s(20));
    expect(w.sessionQueries()).to.have.length(1);
    expect(await w.order(res.body.id)).to.include({ state: 'ACTIVE', reason: 'SESSION_FOUND_ACTIVE' });
    // The CPO answers at last: recorded, and it changes nothing.
    release(accepted());
    await w.t.hub.services.background.drain();
    const history = await w.history(res.body.id);
    expect(history.events.some((e: any) => e.cause === 'START_SESSION_ANSWER')).to.equal(true);
    expect(await w.order(res.body.id)).to.include({ state: 'ACTIVE' });
  });

  it('stopping the hub waits for a command still being sent, and its outcome is recorded', async () => {
    w = await chargingWorld({ env: { COMMAND_TIMEOUT_SECONDS: '15', APP_COMMAND_ANSWER_MS: '0' } });
    let release: (answer: RouteAnswer | 'DROP') => void = () => {};
    w.commandAnswer.START_SESSION = () => new Promise((resolve) => (release = resolve));
    const res = await w.start();
    expect(res.body).to.include({ state: 'PENDING' });
    let stopped = false;
    const stopping = w.t.hub.stop().then(() => (stopped = true));
    // A real-time check (nothing to inject): stop is still waiting a moment later.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).to.equal(false);
    expect(w.t.hub.services.background.inFlight).to.equal(1);
    release(accepted());
    await stopping;
    expect(stopped).to.equal(true);
    expect(w.t.hub.services.background.inFlight).to.equal(0);
  });
});
