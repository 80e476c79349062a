import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaErrors } from '../src/ocpi/validator.ts';
import { buildModel, OUTPUT, schemaFiles, typesFile } from '../scripts/schema-model.ts';
import { example, fixture } from './helpers/examples.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const def = (name: string) => `common.json#/definitions/${name}`;

describe('schemas', () => {
  it('are exactly what the generator makes from the specification tables, and so are the TypeScript types', () => {
    const model = buildModel();
    const files = schemaFiles(model);
    const committed = fs.readdirSync(OUTPUT.schemas).filter((f) => f.endsWith('.json')).sort();
    expect(committed).to.deep.equal(Object.keys(files).sort());
    for (const [file, content] of Object.entries(files)) expect(fs.readFileSync(path.join(OUTPUT.schemas, file), 'utf8'), `schemas/${file} drifted: run npm run schemas`).to.equal(content);
    expect(fs.readFileSync(OUTPUT.types, 'utf8'), 'src/ocpi/types.ts drifted: run npm run schemas').to.equal(typesFile(model));
  });

  it('keep the specification examples verbatim', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'fixtures/ocpi/examples/README.md'), 'utf8');
    expect(readme).to.include('CC BY-ND 4.0');
  });

  describe('accept every valid specification example', () => {
    const cases: [string, string, (x: any) => unknown][] = [
      ['cdr_example.json', 'cdr.json', (x) => x],
      ['credentials_example.json', 'credentials.json', (x) => x],
      ['credentials_example2.json', 'credentials.json', (x) => x],
      ['credentials_example3.json', 'credentials.json', (x) => x],
      ['credentials_example4.json', 'credentials.json', (x) => x],
      ['location_example.json', 'location.json', (x) => x],
      ['location_example_parking_garage_opening_hours.json', 'location.json', (x) => x],
      ['location_example_uc2_destination_charger.json', 'location.json', (x) => x],
      ['location_example_uc3_destination_charger_not_published.json', 'location.json', (x) => x],
      ['location_example_uc4_limited_visibility.json', 'location.json', (x) => x],
      ['location_example_uc5_home_charge_point.json', 'location.json', (x) => x],
      ['location_energymix_example_complete.json', def('EnergyMix'), (x) => x.energy_mix],
      ['location_energymix_example_energy_provider.json', def('EnergyMix'), (x) => x.energy_mix],
      ['location_energymix_example_simple.json', def('EnergyMix'), (x) => x.energy_mix],
      ['location_hours_247_open_exception_closing.json', def('Hours'), (x) => x],
      ['location_hours_opening_hours_with_exceptional_closing.json', def('Hours'), (x) => x],
      ['location_hours_opening_hours_with_exceptional_opening.json', def('Hours'), (x) => x],
      ['location_regularhours_example.json', def('Hours'), (x) => x.opening_times],
      ['location_patch_example_location.json', 'location-patch.json', (x) => x],
      ['location_patch_example_remove_evse.json', 'evse-patch.json', (x) => x],
      ['location_patch_example_status.json', 'evse-patch.json', (x) => x],
      ['location_patch_example_tariff.json', 'connector-patch.json', (x) => x],
      ['session_example_1_simple_start.json', 'session.json', (x) => x],
      ['session_example_2_short_finished.json', 'session.json', (x) => x],
      ['session_patch_example_charging_period.json', 'session-patch.json', (x) => x],
      ['session_patch_example_total_cost.json', 'session-patch.json', (x) => x],
      ['tariffrestriction_example_max_duration.json', 'tariff.json', (x) => x],
      ['tariffrestriction_example_max_power.json', 'tariff.json', (x) => x],
      ['token_example_1_app_user.json', 'token.json', (x) => x],
      ['token_example_2_full_rfid.json', 'token.json', (x) => x],
      ['token_put_example.json', 'token.json', (x) => x],
      ['token_patch_example.json', 'token-patch.json', (x) => x],
      ['transport_and_format_get_token_example.json', 'token.json', (x) => x.data],
      ['transport_and_format_get_token_list_example.json', 'token.json', (x) => x.data[0]],
      ['versions_info_example.json', 'versions.json', (x) => x.data ?? x],
      ['type_displaytext_example.json', def('DisplayText'), (x) => (Array.isArray(x) ? x[0] : x)],
    ];
    for (const name of fs.readdirSync(path.join(ROOT, 'fixtures/ocpi/examples')).filter((f) => /^tariff_\d+_/.test(f))) cases.push([name, 'tariff.json', (x) => x]);
    for (const [file, schema, pick] of cases) {
      it(`${file} against ${schema}`, () => {
        expect(schemaErrors(schema, pick(example(file)))).to.deep.equal([]);
      });
    }
  });

  describe('refuse the known-bad examples, naming the field, and accept their corrected copies', () => {
    it('location_put_example_add_evse.json', () => {
      expect(schemaErrors('evse.json', example('location_put_example_add_evse.json'))).to.deep.equal([
        'floor: is not a field of this object',
        'connectors[0].power_type: is required',
        'connectors[0].max_voltage: is required',
        'connectors[0].max_amperage: is required',
        'connectors[0].last_updated: is required',
        'physical_reference: must be string',
      ]);
      expect(schemaErrors('evse.json', fixture('ocpi/corrected/location_put_example_add_evse.corrected.json'))).to.deep.equal([]);
    });
    it('tariff_put_example.json', () => {
      expect(schemaErrors('tariff.json', example('tariff_put_example.json'))).to.deep.equal(['last_updated: is required']);
      expect(schemaErrors('tariff.json', fixture('ocpi/corrected/tariff_put_example.corrected.json'))).to.deep.equal([]);
    });
  });

  describe('targeted cases', () => {
    const location = () => example('location_example.json');
    it('refuse a latitude with too few decimals', () => {
      const l = location();
      l.coordinates.latitude = '52.1';
      expect(schemaErrors('location.json', l)).to.deep.equal(['coordinates.latitude: must match pattern "^-?[0-9]{1,2}\\.[0-9]{5,7}$"']);
    });
    it('refuse a DateTime with an offset', () => {
      const l = location();
      l.last_updated = '2026-01-01T00:00:00+01:00';
      expect(schemaErrors('location.json', l)).to.deep.equal(['last_updated: must match pattern "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z?$"']);
    });
    it('refuse a misspelled enum value', () => {
      const l = location();
      l.parking_type = 'ON_STREETS';
      expect(schemaErrors('location.json', l)).to.deep.equal(['parking_type: must be one of ALONG_MOTORWAY, PARKING_GARAGE, PARKING_LOT, ON_DRIVEWAY, ON_STREET, UNDERGROUND_GARAGE']);
    });
    it('refuse a string over its maximum length, and accept the errata lengths', () => {
      const l = location();
      l.city = 'x'.repeat(46);
      expect(schemaErrors('location.json', l)).to.deep.equal(['city: must NOT have more than 45 characters']);
      const errata = location();
      errata.address = 'x'.repeat(255);
      errata.state = 'y'.repeat(45);
      expect(schemaErrors('location.json', errata)).to.deep.equal([]);
    });
    it('accept null for an optional field and refuse it for a required one', () => {
      const l = location();
      l.name = null;
      l.facilities = null;
      expect(schemaErrors('location.json', l)).to.deep.equal([]);
      l.address = null;
      expect(schemaErrors('location.json', l)).to.deep.equal(['address: must be string']);
    });
    it('require only last_updated in a PATCH', () => {
      expect(schemaErrors('evse-patch.json', { status: 'CHARGING' })).to.deep.equal(['last_updated: is required']);
      expect(schemaErrors('evse-patch.json', { last_updated: '2026-01-01T00:00:00Z' })).to.deep.equal([]);
    });
  });
});
