import { expect } from 'chai';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { openTicket } from '../../src/exceptions/tickets.ts';

describe('operations API: exception tickets', () => {
  let t: TestHub;
  let partnerId: string;
  beforeEach(async () => {
    t = await startTestHub();
    partnerId = (await t.admin('POST', '/partners', { name: 'Fake CPO', country_code: 'DE', party_id: 'CPX', role: 'CPO' })).body.id;
    const em = t.hub.services.orm.em.fork();
    openTicket(em, t.clock.now(), {
      kind: 'COMMAND_UNCONFIRMED',
      summary: 'START_SESSION could not be confirmed after 3 queries',
      partnerId,
      orderId: '11111111-1111-4111-8111-111111111111',
      evidence: [{ at: '2026-11-25T10:00:00.000Z', what: 'POST commands/START_SESSION', detail: { error: 'TIMEOUT' } }],
    });
    openTicket(em, t.clock.now(), { kind: 'LATE_SESSION_FOR_FAILED_ORDER', summary: 'session 101 arrived after the order failed', partnerId });
    await em.flush();
  });
  afterEach(async () => {
    await t.stop();
  });

  it('lists open tickets with their evidence, filtered by state and kind', async () => {
    const open = (await t.admin('GET', '/exceptions?state=OPEN')).body.data;
    expect(open.map((x: any) => x.kind)).to.deep.equal(['COMMAND_UNCONFIRMED', 'LATE_SESSION_FOR_FAILED_ORDER']);
    expect(open[0]).to.deep.include({
      state: 'OPEN',
      partner_id: partnerId,
      order_id: '11111111-1111-4111-8111-111111111111',
      summary: 'START_SESSION could not be confirmed after 3 queries',
      evidence: [{ at: '2026-11-25T10:00:00.000Z', what: 'POST commands/START_SESSION', detail: { error: 'TIMEOUT' } }],
      created_at: '2026-11-25T10:00:00.000Z',
    });
    expect((await t.admin('GET', '/exceptions?kind=LATE_SESSION_FOR_FAILED_ORDER')).body.data).to.have.length(1);
    expect((await t.admin('GET', '/exceptions?state=CLOSED')).body).to.deep.equal({ error: 'invalid_request', message: 'state: must be OPEN or RESOLVED' });
  });

  it('resolves a ticket once, with a resolution and a note, in the partner audit trail', async () => {
    const [ticket] = (await t.admin('GET', '/exceptions?state=OPEN')).body.data;
    expect((await t.admin('POST', `/exceptions/${ticket.id}/resolve`, { resolution: 'CONFIRMED_WITH_CPO' })).body).to.deep.equal({ error: 'invalid_request', message: 'note: is required: say what was done' });
    t.clock.advance(60_000);
    const resolved = await t.admin('POST', `/exceptions/${ticket.id}/resolve`, { resolution: 'CONFIRMED_WITH_CPO', note: 'CPO confirms no session was started' });
    expect(resolved.status).to.equal(200);
    expect(resolved.body).to.deep.include({ state: 'RESOLVED', resolution: 'CONFIRMED_WITH_CPO', note: 'CPO confirms no session was started', resolved_at: '2026-11-25T10:01:00.000Z' });
    expect(resolved.body.resolved_by).to.match(/^admin:[0-9a-f]{8}$/);
    expect((await t.admin('POST', `/exceptions/${ticket.id}/resolve`, { resolution: 'X_AGAIN', note: 'again' })).status).to.equal(409);
    expect((await t.admin('GET', '/exceptions?state=OPEN')).body.data).to.have.length(1);
    const events = (await t.admin('GET', `/partners/${partnerId}/events`)).body.data;
    expect(events.at(-1)).to.deep.include({ kind: 'EXCEPTION_RESOLVED', detail: { ticket_id: ticket.id, kind: 'COMMAND_UNCONFIRMED', resolution: 'CONFIRMED_WITH_CPO' } });
    expect((await t.admin('POST', '/exceptions/00000000-0000-4000-8000-000000000000/resolve', { resolution: 'DONE', note: 'x' })).status).to.equal(404);
  });
});
