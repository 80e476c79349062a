import { expect } from 'chai';
import { APP_KEY, startTestHub, type TestHub } from '../helpers/hub.ts';
import { http } from '../helpers/http.ts';
import { runCpoSuite } from '../../partner-kit/conformance/index.ts';
import { line, type SuiteReport } from '../../partner-kit/conformance/report.ts';
import { loadScenarios } from '../../partner-kit/conformance/loader.ts';

describe('conformance: the cpo suite against our hub', function () {
  this.timeout(60_000);
  let t: TestHub;
  let report: SuiteReport;
  let partnerId: string;
  /** What the hub said to each rule scenario's first (refused) PUT. */
  const ruleMessages = new Map<string, unknown>();
  /** What the hub said to each step of the tariff rejections scenario. */
  const tariffMessages = new Map<string, unknown>();

  before(async () => {
    t = await startTestHub();
    // Three tokens a minute apart, so the paging and date-filter scenarios have pages to walk.
    for (const n of [1, 2, 3]) {
      const res = await http('PUT', `${t.url}/api/v1/tokens/CONF-DRIVER-${n}`, { headers: { authorization: `Bearer ${APP_KEY}` }, body: { type: 'APP_USER', contract_id: `NL-HUB-CONF${n}`, issuer: 'ocpi-hub', valid: true, whitelist: 'ALLOWED' } });
      expect(res.status, res.text).to.equal(201);
      t.clock.advance(60_000);
    }
    // A sandbox partner: the hub lets it start charges on its own chargers, which the CommandResult scenarios need.
    const created = await t.admin('POST', '/partners', { name: 'Conformance CPO', country_code: 'NL', party_id: 'CNF', role: 'CPO', sandbox: true });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.status).to.equal('APPROVED');
    partnerId = created.body.id;
    const tokenA = created.body.token_a;
    report = await runCpoSuite({ versionsUrl: `${t.url}/ocpi/versions`, tokenA, countryCode: 'NL', partyId: 'CNF',
      onExchange: (scenario, e) => {
        if (/is refused \(2001\) and nothing is stored$/.test(scenario) && e.method === 'PUT') ruleMessages.set(scenario, (e.answer.body as any)?.status_message);
        if (scenario.startsWith('tariffs: invalid tariffs') && e.method === 'PUT') tariffMessages.set(e.step, (e.answer.body as any)?.status_message);
      },
    });
  });
  after(async () => {
    await t.stop();
  });

  it('passes every scenario', () => {
    const failed = report.results.filter((r) => r.outcome !== 'passed').map(line);
    expect(failed, failed.join('\n')).to.deep.equal([]);
    expect(loadScenarios().scenarios).to.have.length(34);
    expect(report).to.include({ passed: 34, failed: 0, notApplicable: 0 });
  });

  it('passes again on the same hub with a fresh token A: every run uses its own ids', async () => {
    // The suite's deliberately refused authentications count towards the hub's lockout of this address (5 in 15 minutes): let that window pass.
    t.clock.advance(16 * 60_000);
    const reset = await t.admin('POST', `/partners/${partnerId}/reset-credentials`);
    expect(reset.status, reset.text).to.equal(200);
    const again = await runCpoSuite({ versionsUrl: `${t.url}/ocpi/versions`, tokenA: reset.body.token_a, countryCode: 'NL', partyId: 'CNF' });
    expect(again.results.filter((r) => r.outcome !== 'passed').map(line)).to.deep.equal([]);
    expect(again.passed).to.equal(report.passed);
  });

  it('each rule scenario meets the hub rule it is named after: the hub’s own message, which the fixtures leave out', () => {
    const messages = Object.fromEntries([...ruleMessages].map(([name, message]) => [name.replace(/^locations: a Location PUT with (.*) is refused \(2001\) and nothing is stored$/, '$1'), String(message).replace(/R[0-9A-F]{8}/g, 'R…')]));
    expect(messages).to.deep.equal({
      'coordinates at (0, 0)': 'coordinates: (0, 0) is not a charging location (missing coordinates?)',
      'a latitude outside -90..90': 'coordinates.latitude: "91.000000" is not a latitude between -90 and 90',
      'a longitude outside -180..180': 'coordinates.longitude: "181.000000" is not a longitude between -180 and 180',
      'coordinates outside the declared country': 'coordinates: (52.370216, 4.895168) is in NLD, not in BEL',
      'EVSE coordinates outside the declared country': 'evses[0].coordinates: (48.856613, 2.352222) is in FRA, not in BEL',
      'a time_zone that is not an IANA zone': 'time_zone: "Europe/Gent" is not an IANA time zone',
      'a negative max_voltage': 'evses[0].connectors[0].max_voltage: -230 V must be positive',
      'an implausible AC max_voltage (11 kV)': 'evses[0].connectors[0].max_voltage: 11000 V is not plausible for AC_3_PHASE (at most 1000 V)',
      'a max_amperage of 0': 'evses[0].connectors[1].max_amperage: 0 A must be positive',
      'an implausible AC max_amperage (400 A)': 'evses[1].connectors[0].max_amperage: 400 A is not plausible for AC_3_PHASE (at most 250 A)',
      'a negative max_electric_power': 'evses[0].connectors[0].max_electric_power: -1 W must be positive',
      'a max_electric_power above 1 MW': 'evses[0].connectors[1].max_electric_power: 2500000 W exceeds 1 MW',
      'a max_electric_power above max_voltage × max_amperage × phases': 'evses[0].connectors[0].max_electric_power: 22000 W exceeds max_voltage × max_amperage × phases = 10560 W',
      'the same EVSE uid twice in one location': 'evses[1].uid: "R…13-1" is also evses[0].uid',
      'the same connector id twice in one EVSE': 'evses[0].connectors[1].id: "1" is also connectors[0].id',
    });
  });

  it('each tariff rejection meets the hub rule it is named after', () => {
    const messages = Object.fromEntries([...tariffMessages].map(([step, message]) => [step.replace(/^a tariff (with |without |under )?(.*?): (2001|refused \(2xxx\))$/, '$1$2'), String(message).replace(/[0-9A-F]{8}/g, '…')]));
    expect(messages).to.deep.equal({
      'with a currency that is not ISO 4217': 'currency: "XXY" is not an ISO 4217 currency code',
      'with a negative price': 'elements[0].price_components[0].price: -0.3 must not be negative',
      'with a negative VAT': 'elements[0].price_components[0].vat: -21 must not be negative',
      'with a min_price above its max_price': 'min_price.excl_vat: 10 exceeds max_price.excl_vat 5; min_price.incl_vat: 12.1 exceeds max_price.incl_vat 6.05',
      'with a max_price whose incl_vat is below its excl_vat': 'max_price.incl_vat: 4 is less than excl_vat 5',
      'with an end_date_time before its start_date_time': 'end_date_time: 2025-05-01T00:00:00Z is not after start_date_time 2025-06-01T00:00:00Z',
      "with an id that differs from the URL's": 'id: "OTHER…" does not match "T…B" in the URL',
      'with a VAT above 100 %': 'elements[0].price_components[0].vat: 121 is not a percentage from 0 to 100',
      'with a restriction start_time that is not HH:MM': 'elements[1].restrictions.start_time: must match pattern "^([01][0-9]|2[0-3]):[0-5][0-9]$"',
      'with a restriction start_date not before its end_date': 'elements[1].restrictions.start_date: 2025-06-01 is not before end_date 2025-06-01',
      'with a restriction min_kwh above its max_kwh': 'elements[1].restrictions.min_kwh: 50 exceeds max_kwh 10',
      'with a negative restriction min_power': 'elements[1].restrictions.min_power: -1 must not be negative',
      'with a restriction listing a day twice': 'elements[1].restrictions.day_of_week[1]: MONDAY is listed twice',
      'without elements': 'elements: is required',
      'under a party that is not ours': 'ZZ/ZZZ is not one of your credentials roles: you may only write your own objects',
    });
  });
});
