import { expect } from 'chai';
import { chargingWorld, cpoCdr, ENERGY_TARIFF, type ChargingWorld } from '../helpers/charging.ts';
import { APP_KEY, FINANCE_KEY } from '../helpers/hub.ts';
import { request } from 'undici';
import { http } from '../helpers/http.ts';

describe('finance API', () => {
  let w: ChargingWorld;
  const card = { country_code: 'NL', party_id: 'HUB', uid: 'CARD-F', type: 'RFID', contract_id: 'NL-HUB-C00000008' };
  const cdr = (id: string, extra: Record<string, unknown> = {}) => cpoCdr(null, { id, session_id: `S-${id}`, cdr_token: card, ...extra });
  const at = (day: string) => ({
    start_date_time: `${day}T10:00:10Z`,
    end_date_time: `${day}T11:00:10Z`,
    charging_periods: [{ start_date_time: `${day}T10:00:10Z`, dimensions: [{ type: 'ENERGY', volume: 10 }, { type: 'TIME', volume: 1 }], tariff_id: 'T-ENERGY' }],
  });

  before(async () => {
    w = await chargingWorld({ tariff: ENERGY_TARIFF });
    await w.app('PUT', '/tokens/CARD-F', { type: 'RFID', contract_id: 'NL-HUB-C00000008', issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' });
    await w.postCdr(cdr('N1', at('2026-11-25')));
    await w.postCdr(cdr('N2', { ...at('2026-11-25'), total_cost: { excl_vat: 3.1, incl_vat: 3.72 } }));
    await w.postCdr(cdr('N3', { ...at('2026-11-25'), total_energy: 99 }));
    await w.postCdr(cdr('O1', at('2026-10-30')));
  });
  after(() => w.stop());

  it('needs the finance key', async () => {
    expect((await http('GET', `${w.t.url}/api/v1/finance/cdrs`, { headers: { authorization: `Bearer ${APP_KEY}` } })).status).to.equal(401);
  });

  it('lists CDRs with our price, theirs, the difference and the state; filters by period, partner and state; pages with a cursor', async () => {
    const all = (await w.finance('GET', '/cdrs')).body;
    expect(all.data.map((c: any) => [c.cdr_id, c.state, c.our_price?.excl_vat ?? null, c.their_price.excl_vat, c.difference])).to.deep.equal([
      ['N1', 'SETTLED', 2.5, 2.5, 0],
      ['N2', 'DISPUTED', 2.5, 3.1, 0.6],
      ['N3', 'EXCEPTION', null, 2.5, null],
      ['O1', 'SETTLED', 2.5, 2.5, 0],
    ]);
    expect(all.next_cursor).to.equal(null);
    const november = (await w.finance('GET', '/cdrs?from=2026-11-01&to=2026-12-01')).body.data;
    expect(november.map((c: any) => c.cdr_id)).to.deep.equal(['N1', 'N2', 'N3']);
    expect((await w.finance('GET', '/cdrs?state=DISPUTED')).body.data.map((c: any) => c.cdr_id)).to.deep.equal(['N2']);
    expect((await w.finance('GET', `/cdrs?partner_id=${w.cpo.id}`)).body.data).to.have.length(4);
    expect((await w.finance('GET', '/cdrs?partner_id=00000000-0000-4000-8000-000000000000')).body.data).to.have.length(0);
    const first = (await w.finance('GET', '/cdrs?limit=3')).body;
    expect(first.data).to.have.length(3);
    const second = (await w.finance('GET', `/cdrs?limit=3&cursor=${first.next_cursor}`)).body;
    expect(second.data.map((c: any) => c.cdr_id)).to.deep.equal(['O1']);
    expect(second.next_cursor).to.equal(null);
    expect((await w.finance('GET', '/cdrs?state=LOST')).body).to.deep.include({ error: 'invalid_request', message: 'state: must be one of RECEIVED, VALIDATED, SETTLED, DISPUTED, EXCEPTION' });
    expect((await w.finance('GET', '/cdrs?from=yesterday')).body.message).to.equal('from: "yesterday" is not a date (2026-11-01) or a UTC DateTime (2026-11-01T00:00:00Z)');
  });

  it('totals per partner and currency over priced CDRs, as JSON and as CSV', async () => {
    const res = await w.finance('GET', '/reconciliation?from=2026-11-01&to=2026-12-01');
    expect(res.body.data).to.deep.equal([
      { partner_id: w.cpo.id, partner_name: 'Fake CPO', country_code: 'BE', party_id: 'BEC', currency: 'EUR', count: 3, kwh: 20, their_total: 5.6, our_total: 5, difference: 0.6, disputed_count: 1, exception_count: 1 },
    ]);
    const csv = await w.finance('GET', '/reconciliation?from=2026-11-01&to=2026-12-01', undefined, { accept: 'text/csv' });
    expect(csv.headers['content-type']).to.equal('text/csv; charset=utf-8');
    // The decoder drops the byte-order mark; the bytes on the wire start with it.
    const raw = await request(`${w.t.url}/api/v1/finance/reconciliation.csv?from=2026-11-01&to=2026-12-01`, { headers: { authorization: `Bearer ${FINANCE_KEY}` } });
    expect([...Buffer.from(await raw.body.arrayBuffer()).subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(csv.text).to.equal(
      'partner_id,partner_name,country_code,party_id,currency,count,kwh,their_total,our_total,difference,disputed_count,exception_count\r\n' +
        `${w.cpo.id},Fake CPO,BE,BEC,EUR,3,20,5.6,5,0.6,1,1\r\n`,
    );
    expect((await w.finance('GET', '/reconciliation.csv?from=2026-11-01&to=2026-12-01')).text).to.equal(csv.text);
    expect((await w.finance('GET', '/reconciliation?from=2026-11-01')).status).to.equal(422);
  });

  it('resolves a DISPUTED CDR with a resolution and a note, audited; nothing else can be resolved', async () => {
    const [disputed] = (await w.finance('GET', '/cdrs?state=DISPUTED')).body.data;
    expect((await w.finance('POST', `/cdrs/${disputed.id}/resolve`, { resolution: 'SPLIT', note: 'x' })).body.message).to.equal('resolution: must be one of ACCEPT_PARTNER, ACCEPT_OURS, WRITE_OFF');
    expect((await w.finance('POST', `/cdrs/${disputed.id}/resolve`, { resolution: 'ACCEPT_OURS' })).body.message).to.equal('note: is required: say what was agreed');
    const res = await w.finance('POST', `/cdrs/${disputed.id}/resolve`, { resolution: 'ACCEPT_OURS', note: 'CPO confirmed the tariff changed after the session' });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ state: 'SETTLED', cause: 'RESOLVED_ACCEPT_OURS', resolution: 'ACCEPT_OURS', resolution_note: 'CPO confirmed the tariff changed after the session' });
    expect(res.body.resolved_by).to.match(/^finance:[0-9a-f]{8}$/);
    const again = await w.finance('POST', `/cdrs/${disputed.id}/resolve`, { resolution: 'WRITE_OFF', note: 'again' });
    expect(again.status).to.equal(409);
    const events = (await w.t.admin('GET', `/partners/${w.cpo.id}/events`)).body.data;
    expect(events.at(-1)).to.deep.include({ kind: 'CDR_DISPUTE_RESOLVED', actor: res.body.resolved_by });
    expect((await w.finance('GET', `/cdrs/${disputed.id}`)).body.events.at(-1)).to.deep.include({ from: 'DISPUTED', to: 'SETTLED', actor: res.body.resolved_by });
  });
});
