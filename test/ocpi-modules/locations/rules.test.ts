import { expect } from 'chai';
import { startTestHub, type TestHub } from '../../helpers/hub.ts';
import { onboardCpo, type OnboardedCpo } from '../../helpers/onboarding.ts';
import { example } from '../../helpers/examples.ts';

const BASE = '/ocpi/2.2.1/locations/BE/BEC';

describe('locations business rules', () => {
  let t: TestHub;
  let cpo: OnboardedCpo;
  const put = (path: string, body: unknown) => t.ocpi('PUT', `${BASE}${path}`, { token: cpo.token, body });
  const get = (path: string) => t.ocpi('GET', `${BASE}${path}`, { token: cpo.token });

  before(async () => {
    t = await startTestHub();
    cpo = await onboardCpo(t, { country_code: 'BE', party_id: 'BEC' });
  });
  after(async () => {
    await cpo.partner.stop();
    await t.stop();
  });

  /** Each case: how to break the example, and the exact message. Nothing may be stored. */
  const cases: [string, (l: any) => void, string][] = [
    ['coordinates at (0, 0)', (l) => (l.coordinates = { latitude: '0.000000', longitude: '0.000000' }), 'coordinates: (0, 0) is not a charging location (missing coordinates?)'],
    ['latitude out of range', (l) => (l.coordinates.latitude = '91.000000'), 'coordinates.latitude: "91.000000" is not a latitude between -90 and 90'],
    ['coordinates outside the declared country', (l) => (l.coordinates = { latitude: '52.370216', longitude: '4.895168' }), 'coordinates: (52.370216, 4.895168) is in NLD, not in BEL'],
    ['EVSE coordinates outside the country', (l) => (l.evses[0].coordinates = { latitude: '48.856613', longitude: '2.352222' }), 'evses[0].coordinates: (48.856613, 2.352222) is in FRA, not in BEL'],
    ['unknown time zone', (l) => (l.time_zone = 'Europe/Gent'), 'time_zone: "Europe/Gent" is not an IANA time zone'],
    ['negative voltage', (l) => (l.evses[0].connectors[0].max_voltage = -230), 'evses[0].connectors[0].max_voltage: -230 V must be positive'],
    ['zero amperage', (l) => (l.evses[0].connectors[1].max_amperage = 0), 'evses[0].connectors[1].max_amperage: 0 A must be positive'],
    ['implausible AC voltage', (l) => (l.evses[0].connectors[0].max_voltage = 11000), 'evses[0].connectors[0].max_voltage: 11000 V is not plausible for AC_3_PHASE (at most 1000 V)'],
    ['implausible AC amperage', (l) => (l.evses[1].connectors[0].max_amperage = 400), 'evses[1].connectors[0].max_amperage: 400 A is not plausible for AC_3_PHASE (at most 250 A)'],
    [
      'power above 1 MW',
      (l) => Object.assign(l.evses[0].connectors[1], { power_type: 'DC', max_voltage: 1000, max_amperage: 2500, max_electric_power: 2500000 }),
      'evses[0].connectors[1].max_electric_power: 2500000 W exceeds 1 MW',
    ],
    ['power above V × A × phases', (l) => (l.evses[0].connectors[0].max_electric_power = 22000), 'evses[0].connectors[0].max_electric_power: 22000 W exceeds max_voltage × max_amperage × phases = 10560 W'],
    ['negative power', (l) => (l.evses[0].connectors[0].max_electric_power = -1), 'evses[0].connectors[0].max_electric_power: -1 W must be positive'],
    ['the same EVSE uid twice', (l) => (l.evses[1].uid = '3256'), 'evses[1].uid: "3256" is also evses[0].uid'],
    ['the same connector id twice in an EVSE', (l) => (l.evses[0].connectors[1].id = '1'), 'evses[0].connectors[1].id: "1" is also connectors[0].id'],
  ];

  for (const [name, breakIt, message] of cases) {
    it(`refuses ${name}`, async () => {
      const location = example('location_example.json');
      location.id = 'RULES';
      breakIt(location);
      const res = await put('/RULES', location);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({ status_code: 2001, status_message: message });
      expect((await get('/RULES')).status).to.equal(404);
    });
  }

  it('accepts V × A × phases exactly, and a three-phase 22 kW connector at 230 V / 32 A', async () => {
    const location = example('location_example.json');
    location.id = 'OK22';
    location.evses = [{ ...location.evses[0], uid: 'OK22-1' }];
    Object.assign(location.evses[0].connectors[0], { max_voltage: 230, max_amperage: 32, max_electric_power: 22080 });
    location.evses[0].connectors = [location.evses[0].connectors[0]];
    expect((await put('/OK22', location)).status).to.equal(201);
  });

  it('refuses an EVSE uid another location of the same party already uses, and keeps the first', async () => {
    const first = example('location_example.json');
    first.id = 'FIRST';
    first.evses = [{ ...first.evses[0], uid: 'SHARED-1' }];
    expect((await put('/FIRST', first)).status).to.equal(201);
    const second = example('location_example.json');
    second.id = 'SECOND';
    second.evses = [{ ...second.evses[0], uid: 'shared-1' }];
    const res = await put('/SECOND', second);
    expect(res.body).to.deep.include({ status_code: 2001, status_message: 'evses[0].uid: "SHARED-1" is already used by location FIRST (EVSE uids are unique per party, forever)' });
    expect((await get('/SECOND')).status).to.equal(404);
    expect((await get('/FIRST/SHARED-1')).status).to.equal(200);
  });

  it('refuses a bad EVSE PUT and leaves the location untouched', async () => {
    const location = example('location_example.json');
    location.id = 'UNTOUCHED';
    location.evses = [{ ...location.evses[0], uid: 'U-1' }];
    await put('/UNTOUCHED', location);
    const evse = { ...location.evses[0], connectors: [{ ...location.evses[0].connectors[0], max_voltage: 0 }], last_updated: '2020-01-01T00:00:00Z' };
    const res = await put('/UNTOUCHED/U-1', evse);
    expect(res.body.status_message).to.equal('evses[0].connectors[0].max_voltage: 0 V must be positive');
    expect((await get('/UNTOUCHED')).body.data).to.deep.equal(location);
  });

  it('relaxes the country check for a partner when an operator says so', async () => {
    const location = example('location_example.json');
    location.id = 'BORDER';
    location.evses = [{ ...location.evses[0], uid: 'B-1' }];
    location.coordinates = { latitude: '50.851368', longitude: '5.690973' }; // Maastricht, a few km from the border
    expect((await put('/BORDER', location)).body.status_message).to.equal('coordinates: (50.851368, 5.690973) is in NLD, not in BEL');
    const set = await t.admin('PUT', `/partners/${cpo.id}/location-checks`, { relax_country_check: true });
    expect(set.body).to.deep.equal({ id: cpo.id, relax_country_check: true });
    expect((await put('/BORDER', location)).status).to.equal(201);
    await t.admin('PUT', `/partners/${cpo.id}/location-checks`, { relax_country_check: false });
  });
});
