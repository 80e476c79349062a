import { expect } from 'chai';
import { simWorld, type SimWorld } from '../helpers/simulator.ts';

/**
 * Each fault mode of the simulator against the hub, with the outcome the hub's charging and
 * settlement rules give (charging/{dispatch,compensation,session-orders}.ts,
 * charging/settlement.ts, ocpi-modules/locations/freshness.ts): exact order states, causes and tickets.
 */
const s = (n: number) => n * 1000;
const START_UNCONFIRMED = [
  [null, 'REQUESTED', 'START_REQUESTED'],
  ['REQUESTED', 'PENDING', 'START_OUTCOME_UNKNOWN'],
  ['PENDING', 'FAILED', 'START_UNCONFIRMED'],
];

/** [cause, outcome] of the order's events that are not state changes (answers, queries, links). */
async function notes(w: SimWorld, id: string): Promise<[string, string | null][]> {
  return (await w.history(id)).events.filter((e: any) => !e.to).map((e: any) => [e.cause, e.detail?.outcome ?? null]);
}

describe('partner kit: simulator fault modes against the hub', () => {
  let w: SimWorld;
  afterEach(() => w?.stop());

  it('reject (per EVSE): CommandResponse REJECTED → FAILED START_REJECTED at once; the other EVSE of the location still starts', async () => {
    w = await simWorld({ evseFaults: { 'SIM-LOC-1-E1': 'reject' } });
    const res = await w.start('SIM-LOC-1', 'SIM-LOC-1-E1');
    expect(res.body).to.include({ state: 'FAILED', reason: 'START_REJECTED', message: 'The charger operator declined to start charging. Please choose another charger.' });
    const history = await w.history(res.body.id);
    expect(history.follow_up).to.equal(null);
    expect(await w.transitions(res.body.id)).to.deep.equal([
      [null, 'REQUESTED', 'START_REQUESTED'],
      ['REQUESTED', 'FAILED', 'START_REJECTED'],
    ]);
    expect(w.lines).to.include('← POST /commands/START_SESSION 200 REJECTED');
    expect(w.sim.sessions()).to.deep.equal([]);
    const other = await w.start('SIM-LOC-1', 'SIM-LOC-1-E2');
    expect(other.body.state).to.equal('PENDING');
    await w.advance(s(1));
    expect(await w.order(other.body.id)).to.include({ state: 'ACTIVE', reason: 'RESULT_ACCEPTED' });
    expect(await w.tickets()).to.deep.equal([]);
  });

  it('lost-result: no CommandResult ever; the session the CPO pushes moves the order ACTIVE (SESSION_ACTIVE), so no query is needed and nothing is ticketed', async () => {
    w = await simWorld({ fault: 'lost-result' });
    const { body } = await w.start();
    expect(body.state).to.equal('PENDING');
    expect((await w.history(body.id)).follow_up).to.deep.equal({ kind: 'RESULT_DEADLINE', at: '2026-11-25T10:00:30.000Z', attempts: 0 });
    await w.followUp(s(1));
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'SESSION_ACTIVE' });
    // Past the CPO's 30 s and the first query time: the follow-up was cleared by the session.
    await w.followUp(s(35));
    expect((await w.history(body.id)).follow_up).to.equal(null);
    expect(await w.transitions(body.id)).to.deep.equal([
      [null, 'REQUESTED', 'START_REQUESTED'],
      ['REQUESTED', 'PENDING', 'START_ACCEPTED'],
      ['PENDING', 'ACTIVE', 'SESSION_ACTIVE'],
    ]);
    expect(await notes(w, body.id)).to.deep.equal([['START_SESSION_ANSWER', 'ACCEPTED'], ['SESSION_ATTACHED', null]]);
    expect(w.lines.filter((l) => l.startsWith('→ POST /ocpi/2.2.1/commands/'))).to.deep.equal([]);
    expect(w.lines.filter((l) => l.startsWith('← GET /sessions'))).to.deep.equal([]);
    expect(await w.tickets()).to.deep.equal([]);
  });

  it('slow: the answer comes after the hub’s command timeout → PENDING (outcome unknown), two queries find nothing, then the late CommandResult ACCEPTED → ACTIVE', async () => {
    w = await simWorld({ fault: 'slow', slowSeconds: 20 }, { COMMAND_TIMEOUT_SECONDS: '1' });
    const { body } = await w.start();
    expect(body).to.include({ state: 'PENDING', reason: 'START_OUTCOME_UNKNOWN', message: 'Waiting for the charger operator to confirm the start…' });
    await w.followUp(s(5));
    await w.followUp(s(10));
    expect(await w.order(body.id)).to.include({ state: 'PENDING' });
    expect((await w.history(body.id)).follow_up).to.deep.equal({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:30.000Z', attempts: 2 });
    // At 20 s the simulator answers (to a hub that gave up), at 21 s the result and the session.
    await w.followUp(s(6));
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'RESULT_ACCEPTED' });
    await w.followUp(s(10));
    expect(await w.transitions(body.id)).to.deep.equal([
      [null, 'REQUESTED', 'START_REQUESTED'],
      ['REQUESTED', 'PENDING', 'START_OUTCOME_UNKNOWN'],
      ['PENDING', 'ACTIVE', 'RESULT_ACCEPTED'],
    ]);
    const recorded = await notes(w, body.id);
    expect(recorded.slice(0, 4)).to.deep.equal([['START_SESSION_ANSWER', 'UNKNOWN'], ['SESSION_QUERY', 'NOT_FOUND'], ['SESSION_QUERY', 'NOT_FOUND'], ['START_SESSION_RESULT', null]]);
    expect(w.lines).to.include('← POST /commands/START_SESSION 200 ACCEPTED');
    expect(await w.tickets()).to.deep.equal([]);
  });

  it('wrong-cost: the CDR bills 12 % over the tariff → DISPUTED (PRICE_DIFFERS) with the difference, the order COMPLETED (CDR_DISPUTED)', async () => {
    w = await simWorld({ fault: 'wrong-cost' });
    const { body } = await w.start();
    await w.advance(s(1));
    await w.advance(s(3600));
    await w.app('POST', `/charging-sessions/${body.id}/stop`);
    await w.advance(s(1));
    expect(await w.order(body.id)).to.include({ state: 'COMPLETED', reason: 'CDR_DISPUTED' });
    const [cdr, ...more] = (await w.finance('GET', '/cdrs')).body.data;
    expect(more).to.deep.equal([]);
    // 11.043 kWh at EUR 0.30: 3.3129 → 3.31 (21 % VAT: 4.01); the CPO bills 3.31 × 1.12 = 3.7072 → 3.71 (4.49).
    expect(cdr).to.deep.include({ state: 'DISPUTED', cause: 'PRICE_DIFFERS', total_energy: 11.043, our_price: { excl_vat: 3.31, incl_vat: 4.01 }, their_price: { excl_vat: 3.71, incl_vat: 4.49 }, difference: 0.4, order_id: body.id });
    expect(w.sim.cdrs()[0]!.total_cost).to.deep.equal({ excl_vat: 3.71, incl_vat: 4.49 });
  });

  it('no-reference: session and CDR without authorization_reference are matched by EVSE, token and time → ACTIVE, then SETTLED', async () => {
    w = await simWorld({ fault: 'no-reference' });
    const { body } = await w.start();
    await w.advance(s(1));
    expect(w.sim.sessions()[0]).to.not.have.property('authorization_reference');
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'RESULT_ACCEPTED' });
    expect(await notes(w, body.id)).to.deep.equal([['START_SESSION_ANSWER', 'ACCEPTED'], ['START_SESSION_RESULT', null], ['SESSION_MATCHED_WITHOUT_REFERENCE', null], ['SESSION_ATTACHED', null]]);
    await w.advance(s(600));
    await w.app('POST', `/charging-sessions/${body.id}/stop`);
    await w.advance(s(1));
    expect(w.sim.cdrs()[0]).to.not.have.property('authorization_reference');
    expect(await w.order(body.id)).to.include({ state: 'COMPLETED', reason: 'CDR_SETTLED' });
    expect((await w.finance('GET', '/cdrs')).body.data[0]).to.deep.include({ state: 'SETTLED', cause: 'PRICE_MATCHES', order_id: body.id });
    expect(await w.tickets()).to.deep.equal([]);
  });

  it('silent (per EVSE): its status is never confirmed again → UNKNOWN after FRESHNESS_THRESHOLD_SECONDS, and a start there is refused; the others stay fresh', async () => {
    w = await simWorld({ statusIntervalSeconds: 60, evseFaults: { 'SIM-LOC-1-E1': 'silent' } });
    const statuses = async () => {
      const list = (await w.app('GET', '/locations?limit=100')).body.data;
      return Object.fromEntries(list.flatMap((l: any) => l.evses.map((e: any) => [e.uid, e.status])));
    };
    await w.advance(s(600));
    expect((await statuses())['SIM-LOC-1-E1']).to.equal('AVAILABLE');
    await w.advance(s(1));
    const after = await statuses();
    expect(after['SIM-LOC-1-E1']).to.equal('UNKNOWN');
    expect(Object.entries(after).filter(([uid, status]) => uid !== 'SIM-LOC-1-E1' && status === 'UNKNOWN')).to.deep.equal([]);
    expect(w.lines.filter((l) => l.includes('/SIM-LOC-1-E1'))).to.deep.equal([]);
    const refused = await w.start('SIM-LOC-1', 'SIM-LOC-1-E1');
    expect(refused.status).to.equal(409);
    expect(refused.body).to.include({ reason: 'EVSE_STATUS_UNKNOWN' });
  });

  for (const [fault, answer] of [
    ['html', '← POST /commands/START_SESSION 502 spoilt'],
    ['truncated', '← POST /commands/START_SESSION 200 spoilt'],
  ] as const) {
    it(`${fault}: START_SESSION answered with ${fault === 'html' ? 'an HTML error page' : 'cut-off JSON'} → PENDING (outcome unknown); the Sessions sender too → three UNREACHABLE queries → FAILED, COMMAND_UNCONFIRMED ticket`, async () => {
      w = await simWorld({}, { COMMAND_TIMEOUT_SECONDS: '1' });
      w.sim.setFault(fault);
      const { body } = await w.start();
      expect(body).to.include({ state: 'PENDING', reason: 'START_OUTCOME_UNKNOWN' });
      for (const gap of [5, 10, 15]) await w.followUp(s(gap));
      expect(await w.order(body.id)).to.include({ state: 'FAILED', reason: 'START_UNCONFIRMED' });
      expect(await w.transitions(body.id)).to.deep.equal(START_UNCONFIRMED);
      expect(await notes(w, body.id)).to.deep.equal([['START_SESSION_ANSWER', 'UNKNOWN'], ['SESSION_QUERY', 'UNREACHABLE'], ['SESSION_QUERY', 'UNREACHABLE'], ['SESSION_QUERY', 'UNREACHABLE']]);
      expect(w.lines).to.include(answer);
      expect((await w.tickets()).map((t) => [t.kind, t.order_id])).to.deep.equal([['COMMAND_UNCONFIRMED', body.id]]);
      expect(w.sim.sessions()).to.deep.equal([]);
    });
  }

  it('random-500 (seed 1): START_SESSION gets a 500 → PENDING; the queries get 200 (nothing), 500, 500 → FAILED, COMMAND_UNCONFIRMED ticket', async () => {
    w = await simWorld({ seed: 1 }, { COMMAND_TIMEOUT_SECONDS: '1' });
    w.sim.setFault('random-500');
    const { body } = await w.start();
    expect(body).to.include({ state: 'PENDING', reason: 'START_OUTCOME_UNKNOWN' });
    for (const gap of [5, 10, 15]) await w.followUp(s(gap));
    expect(await w.transitions(body.id)).to.deep.equal(START_UNCONFIRMED);
    expect(await notes(w, body.id)).to.deep.equal([['START_SESSION_ANSWER', 'UNKNOWN'], ['SESSION_QUERY', 'NOT_FOUND'], ['SESSION_QUERY', 'UNREACHABLE'], ['SESSION_QUERY', 'UNREACHABLE']]);
    expect(w.lines.filter((l) => l.startsWith('← ') && !l.startsWith('← GET /ocpi/versions') && !l.startsWith('← GET / ')).slice(-4)).to.deep.equal([
      '← POST /commands/START_SESSION 500 3000',
      '← GET /sessions 200 1000',
      '← GET /sessions 500 3000',
      '← GET /sessions 500 3000',
    ]);
    expect((await w.tickets()).map((t) => t.kind)).to.deep.equal(['COMMAND_UNCONFIRMED']);
  });

  it('rate-limit (per EVSE): 429 with Retry-After 3 → START_THROTTLED, one retry at +3 s; throttled again → queries (nothing found) → FAILED', async () => {
    w = await simWorld({ evseFaults: { 'SIM-LOC-1-E1': 'rate-limit' } }, { COMMAND_TIMEOUT_SECONDS: '15' });
    const { body } = await w.start();
    expect(body).to.include({ state: 'PENDING', reason: 'START_THROTTLED' });
    expect((await w.history(body.id)).follow_up).to.deep.equal({ kind: 'COMMAND_RETRY', at: '2026-11-25T10:00:03.000Z', attempts: 0 });
    await w.followUp(s(3));
    expect((await w.history(body.id)).follow_up).to.deep.equal({ kind: 'SESSION_QUERY', at: '2026-11-25T10:00:08.000Z', attempts: 0 });
    for (const gap of [5, 10, 15]) await w.followUp(s(gap));
    expect(await w.order(body.id)).to.include({ state: 'FAILED', reason: 'START_UNCONFIRMED' });
    expect(await notes(w, body.id)).to.deep.equal([
      ['START_SESSION_ANSWER', 'THROTTLED'],
      ['START_THROTTLED', null],
      ['COMMAND_RETRY', null],
      ['START_SESSION_ANSWER', 'THROTTLED'],
      ['START_THROTTLED', null],
      ['SESSION_QUERY', 'NOT_FOUND'],
      ['SESSION_QUERY', 'NOT_FOUND'],
      ['SESSION_QUERY', 'NOT_FOUND'],
    ]);
    expect(w.lines.filter((l) => l === '← POST /commands/START_SESSION 429 2000')).to.have.length(2);
    expect((await w.tickets()).map((t) => t.kind)).to.deep.equal(['COMMAND_UNCONFIRMED']);
  });

  it('rate-limit lifted before the retry: the retried START_SESSION is ACCEPTED → ACTIVE', async () => {
    w = await simWorld({ fault: 'rate-limit' }, { COMMAND_TIMEOUT_SECONDS: '15' });
    const { body } = await w.start();
    expect(body).to.include({ state: 'PENDING', reason: 'START_THROTTLED' });
    w.sim.setFault('happy');
    await w.followUp(s(3));
    await w.advance(s(1));
    expect(await w.order(body.id)).to.include({ state: 'ACTIVE', reason: 'RESULT_ACCEPTED' });
    expect(await w.tickets()).to.deep.equal([]);
  });
});
