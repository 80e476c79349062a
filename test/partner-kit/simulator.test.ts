import { expect } from 'chai';
import { simWorld, type SimWorld } from '../helpers/simulator.ts';

describe('partner kit: the CPO simulator against the hub', () => {
  let w: SimWorld;
  afterEach(() => w?.stop());

  it('registers through the handshake, pushes its locations and tariff, and runs a charge from start to a SETTLED CDR', async () => {
    w = await simWorld();
    const partner = await w.t.admin('GET', `/partners/${w.partnerId}`);
    expect(partner.body.status).to.equal('ACTIVE');
    expect(w.lines.filter((l) => l.startsWith('ready '))).to.deep.equal([`ready versions=${w.sim.versionsUrl} locations=3 center=52.3676,4.9041`]);
    expect(w.lines).to.include('→ PUT /ocpi/2.2.1/locations/NL/SIM/SIM-LOC-1 201 1000');
    expect(w.lines.join('\n')).to.not.include(w.sim.options.tokenA);
    expect(w.sim.locations.map((l) => l.id)).to.deep.equal(['SIM-LOC-1', 'SIM-LOC-2', 'SIM-LOC-3']);

    const started = await w.start();
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    expect(started.body.state).to.equal('PENDING');
    const id = started.body.id;
    expect(w.lines).to.include('← POST /commands/START_SESSION 200 ACCEPTED');

    await w.advance(1000);
    const active = await w.order(id);
    expect(active).to.include({ state: 'ACTIVE', kwh: 0 });
    expect(active.session.id).to.equal(w.sim.sessions()[0]!.id);
    const evse = (await w.app('GET', `/locations/${active.location_id}`)).body.evses.find((e: any) => e.uid === 'SIM-LOC-1-E1');
    expect(evse.status).to.equal('CHARGING');

    // One hour at 11.04 kW: six PATCHes of ten minutes, 1840 Wh each.
    await w.advance(3_600_000);
    const charging = await w.order(id);
    expect(charging).to.include({ state: 'ACTIVE', kwh: 11.04 });
    expect(charging.cost).to.deep.equal({ currency: 'EUR', excl_vat: 3.31, incl_vat: 4.01 });
    expect(w.sim.sessions()[0]!.charging_periods).to.have.length(6);
    expect(w.sim.sessions()[0]!.charging_periods[0]!.dimensions).to.deep.equal([{ type: 'ENERGY', volume: 1.84 }, { type: 'TIME', volume: Number((600 / 3600).toFixed(6)) }]);

    const stopping = await w.app('POST', `/charging-sessions/${id}/stop`);
    expect(stopping.body.state).to.equal('STOPPING');
    await w.advance(1000);
    const done = await w.order(id);
    expect(done).to.include({ state: 'COMPLETED', reason: 'CDR_SETTLED' });
    const cdrs = (await w.finance('GET', '/cdrs')).body.data;
    expect(cdrs).to.have.length(1);
    expect(cdrs[0]).to.deep.include({ cdr_id: `CDR-${w.sim.sessions()[0]!.id}`, state: 'SETTLED', cause: 'PRICE_MATCHES', order_id: id, difference: 0 });
    const after = (await w.app('GET', `/locations/${active.location_id}`)).body.evses.find((e: any) => e.uid === 'SIM-LOC-1-E1');
    expect(after.status).to.equal('AVAILABLE');
    expect(w.scheduler.errors).to.deep.equal([]);
    expect(await w.tickets()).to.deep.equal([]);
  });
});
