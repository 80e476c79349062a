import { expect } from 'chai';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaErrors } from '../src/ocpi/validator.ts';
import type { CommandResponse, CommandResult, Location, SchemaTypes, StartSession, Token } from '../src/ocpi/types.ts';
import { FILES, generate, SCHEMA_DIR } from '../scripts/schema-generator.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OCPI = path.join(ROOT, 'fixtures/ocpi');
const read = (file: string): any => JSON.parse(fs.readFileSync(path.join(OCPI, file), 'utf8'));
/** A verbatim specification example, parsed fresh so a test may change it. */
const example = (name: string): any => read(`examples/${name}`);
const corrected = (name: string): any => read(`corrected/${name}`);
const def = (name: string) => `common.json#/definitions/${name}`;

const DATETIME_PATTERN = 'must match pattern "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z?$"';
const CISTRING_PATTERN = 'must match pattern "^[\\x20-\\x7e]*$"';
const STRING_PATTERN = 'must match pattern "^[^\\x00-\\x1f\\x7f-\\x9f]*$"';

describe('schemas', () => {
  describe('are generated', () => {
    it('schemas/ and src/ocpi/types.ts are byte for byte what npm run schemas makes from fixtures/ocpi/field-tables.json', async () => {
      const generated = await generate();
      const committed = fs.readdirSync(path.join(ROOT, SCHEMA_DIR)).filter((f) => f.endsWith('.json')).map((f) => `${SCHEMA_DIR}/${f}`);
      expect(committed.sort(), 'schemas/ holds only generated files: run npm run schemas').to.deep.equal([...generated.keys()].filter((f) => f.startsWith(`${SCHEMA_DIR}/`)).sort());
      for (const [file, content] of generated) {
        expect(fs.readFileSync(path.join(ROOT, file), 'utf8') === content, `${file} differs from the generator's output: run npm run schemas (and never edit it by hand)`).to.equal(true);
      }
    });

    it('one schema file per top-level object, with the agreed ids, and one named type for each', () => {
      const ids = [
        'location.json', 'evse.json', 'connector.json', 'location-patch.json', 'evse-patch.json', 'connector-patch.json', 'tariff.json', 'session.json',
        'session-patch.json', 'cdr.json', 'token.json', 'token-patch.json', 'authorization-info.json', 'location-references.json', 'command-response.json',
        'command-result.json', 'start-session.json', 'stop-session.json', 'reserve-now.json', 'cancel-reservation.json', 'unlock-connector.json',
        'credentials.json', 'versions.json', 'version-details.json', 'client-info.json',
      ];
      expect(fs.readdirSync(path.join(ROOT, SCHEMA_DIR)).sort()).to.deep.equal([...ids, 'common.json'].sort());
      for (const id of ids) expect(JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_DIR, id), 'utf8')).$id).to.equal(id);
      const types = fs.readFileSync(path.join(ROOT, 'src/ocpi/types.ts'), 'utf8');
      for (const name of ['Location', 'Evse', 'Connector', 'LocationPatch', 'EvsePatch', 'ConnectorPatch', 'Tariff', 'Session', 'SessionPatch', 'Cdr', 'Token', 'TokenPatch',
        'AuthorizationInfo', 'LocationReferences', 'CommandResponse', 'CommandResult', 'StartSession', 'StopSession', 'ReserveNow', 'CancelReservation', 'UnlockConnector',
        'Credentials', 'Versions', 'VersionDetails', 'ClientInfo']) {
        expect(types, name).to.match(new RegExp(`^export (interface|type) ${name}\\b`, 'm'));
      }
      // Enums are string unions.
      expect(types).to.include('export type ParkingType =\n  "ALONG_MOTORWAY" | "PARKING_GARAGE" | "PARKING_LOT" | "ON_DRIVEWAY" | "ON_STREET" | "UNDERGROUND_GARAGE";');
      expect(types).to.not.match(/^export (const )?enum /m);
      expect(FILES.map((f) => f.file).sort(), 'scripts/schema-generator.ts FILES (versions.json is built apart)').to.deep.equal(ids.filter((id) => id !== 'versions.json').sort());
    });

    it('keeps common.json definitions other code refers to by name', () => {
      for (const name of ['CiString2', 'CiString3', 'DateTime', 'URL', 'Role', 'VersionNumber', 'ModuleID', 'InterfaceRole', 'Image', 'BusinessDetails']) {
        expect(() => schemaErrors(def(name), null), name).to.not.throw();
      }
    });

    it('every schema compiles in the strict ajv of src/ocpi/validator.ts', () => {
      for (const file of fs.readdirSync(path.join(ROOT, SCHEMA_DIR))) expect(() => schemaErrors(file, {}), file).to.not.throw();
    });
  });

  describe('fixtures', () => {
    it('the specification examples are the verbatim copies listed in fixtures/ocpi/examples.sha256, none added or removed', () => {
      const listed = fs.readFileSync(path.join(OCPI, 'examples.sha256'), 'utf8').trim().split('\n').map((line) => line.split(/\s+/) as [string, string]);
      const present = (fs.readdirSync(path.join(OCPI, 'examples'), { recursive: true }) as string[])
        .filter((f) => fs.statSync(path.join(OCPI, 'examples', f)).isFile())
        .sort();
      expect(present).to.deep.equal(listed.map(([, f]) => f).sort());
      for (const [hash, file] of listed) {
        expect(crypto.createHash('sha256').update(fs.readFileSync(path.join(OCPI, 'examples', file))).digest('hex'), `fixtures/ocpi/examples/${file} was edited`).to.equal(hash);
      }
      const readme = fs.readFileSync(path.join(OCPI, 'examples/README.md'), 'utf8');
      expect(readme).to.include('CC BY-ND 4.0').and.include('EVRoaming Foundation').and.include('v2.2.1-d2');
    });
  });

  describe('accept every valid specification example', () => {
    const valid: [string, string, (x: any) => unknown][] = [
      ['cdr_example.json', 'cdr.json', (x) => x],
      ['credentials_example.json', 'credentials.json', (x) => x],
      ['credentials_example2.json', 'credentials.json', (x) => x],
      ['credentials_example3.json', 'credentials.json', (x) => x],
      ['credentials_example4.json', 'credentials.json', (x) => x],
      ['location_energymix_example_complete.json', def('EnergyMix'), (x) => x.energy_mix],
      ['location_energymix_example_energy_provider.json', def('EnergyMix'), (x) => x.energy_mix],
      ['location_energymix_example_simple.json', def('EnergyMix'), (x) => x.energy_mix],
      ['location_example.json', 'location.json', (x) => x],
      ['location_example_parking_garage_opening_hours.json', 'location.json', (x) => x],
      ['location_example_uc2_destination_charger.json', 'location.json', (x) => x],
      ['location_example_uc3_destination_charger_not_published.json', 'location.json', (x) => x],
      ['location_example_uc4_limited_visibility.json', 'location.json', (x) => x],
      ['location_example_uc5_home_charge_point.json', 'location.json', (x) => x],
      ['location_hours_247_open_exception_closing.json', def('Hours'), (x) => x],
      ['location_hours_opening_hours_with_exceptional_closing.json', def('Hours'), (x) => x],
      ['location_hours_opening_hours_with_exceptional_opening.json', def('Hours'), (x) => x],
      ['location_patch_example_location.json', 'location-patch.json', (x) => x],
      ['location_patch_example_remove_evse.json', 'evse-patch.json', (x) => x],
      ['location_patch_example_status.json', 'evse-patch.json', (x) => x],
      ['location_patch_example_tariff.json', 'connector-patch.json', (x) => x],
      ['location_regularhours_example.json', def('Hours'), (x) => x.opening_times],
      ['session_example_1_simple_start.json', 'session.json', (x) => x],
      ['session_example_2_short_finished.json', 'session.json', (x) => x],
      ['session_patch_example_charging_period.json', 'session-patch.json', (x) => x],
      ['session_patch_example_total_cost.json', 'session-patch.json', (x) => x],
      ['tariffrestriction_example_max_duration.json', 'tariff.json', (x) => x],
      ['tariffrestriction_example_max_power.json', 'tariff.json', (x) => x],
      ['token_example_1_app_user.json', 'token.json', (x) => x],
      ['token_example_2_full_rfid.json', 'token.json', (x) => x],
      ['token_patch_example.json', 'token-patch.json', (x) => x],
      ['token_put_example.json', 'token.json', (x) => x],
      ['type_displaytext_example.json', def('DisplayText'), (x) => x],
      ['version_details_example.json', 'version-details.json', (x) => x],
      ['version_details_example2.json', 'version-details.json', (x) => x],
      ['versions_info_example.json', 'versions.json', (x) => x],
      // d2 withdrew it as conflicting with the specification's meaning; its shape is valid.
      ['removed-in-2.2.1-d2/tariff_7_first_hour_kwh_free.json', 'tariff.json', (x) => x],
    ];
    for (const name of fs.readdirSync(path.join(OCPI, 'examples')).filter((f) => /^tariff_\d+_.*\.json$/.test(f))) valid.push([name, 'tariff.json', (x) => x]);
    /** Response envelopes (transport_and_format.asciidoc): `data` against its object, the rest against the envelope's table. */
    const envelopes: [string, string, boolean][] = [
      ['transport_and_format_get_token_example.json', 'token.json', false],
      ['transport_and_format_get_token_list_example.json', 'token.json', true],
      ['transport_and_format_version_details_example.json', 'version-details.json', false],
      ['transport_and_format_version_info_example.json', 'versions.json', false],
    ];
    const knownBad = ['location_put_example_add_evse.json', 'tariff_put_example.json'];

    it('every example file is classified here: valid, envelope or known-bad', () => {
      const all = (fs.readdirSync(path.join(OCPI, 'examples'), { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();
      const classified = [...valid.map(([f]) => f), ...envelopes.map(([f]) => f), ...knownBad].sort();
      expect(classified).to.deep.equal(all);
      expect(all).to.have.length(60);
    });

    for (const [file, schema, pick] of valid) {
      it(`${file} against ${schema}`, () => {
        const data = pick(example(file));
        expect(data, 'the fragment picked from the file').to.be.an(schema === 'versions.json' ? 'array' : 'object');
        expect(schemaErrors(schema, data)).to.deep.equal([]);
      });
    }
    for (const [file, schema, list] of envelopes) {
      it(`${file}: data against ${schema}${list ? ' (each element)' : ''}`, () => {
        const envelope = example(file);
        expect(envelope).to.have.keys('data', 'status_code', 'status_message', 'timestamp');
        expect(envelope.status_code).to.equal(1000);
        expect(schemaErrors(def('DateTime'), envelope.timestamp)).to.deep.equal([]);
        const items = list ? envelope.data : [envelope.data];
        expect(items).to.be.an('array').that.is.not.empty;
        for (const item of items) expect(schemaErrors(schema, item)).to.deep.equal([]);
      });
    }
  });

  describe('refuse the known-bad examples, naming each field, and accept their corrected copies', () => {
    it('location_put_example_add_evse.json (an EVSE)', () => {
      expect(schemaErrors('evse.json', example('location_put_example_add_evse.json'))).to.deep.equal([
        'floor: is not a field of this object',
        'connectors[0].power_type: is required',
        'connectors[0].max_voltage: is required',
        'connectors[0].max_amperage: is required',
        'connectors[0].last_updated: is required',
        'physical_reference: must be string',
      ]);
      expect(schemaErrors('evse.json', corrected('location_put_example_add_evse.json'))).to.deep.equal([]);
    });

    it('tariff_put_example.json', () => {
      expect(schemaErrors('tariff.json', example('tariff_put_example.json'))).to.deep.equal(['last_updated: is required']);
      expect(schemaErrors('tariff.json', corrected('tariff_put_example.json'))).to.deep.equal([]);
    });

    it('the corrected copies change only what fixtures/ocpi/corrected/README.md says', () => {
      const evse = example('location_put_example_add_evse.json');
      const { floor, ...rest } = evse;
      expect(floor).to.equal(-1);
      const fixed = corrected('location_put_example_add_evse.json');
      expect(fixed).to.deep.equal({
        ...rest,
        floor_level: '-1',
        physical_reference: '3',
        connectors: [{ ...evse.connectors[0], power_type: 'AC_3_PHASE', max_voltage: 220, max_amperage: 16, last_updated: evse.last_updated }],
      });
      expect(corrected('tariff_put_example.json')).to.deep.equal({ ...example('tariff_put_example.json'), last_updated: '2019-06-24T12:39:09Z' });
      expect(fs.readdirSync(path.join(OCPI, 'corrected')).sort()).to.deep.equal(['README.md', 'location_put_example_add_evse.json', 'tariff_put_example.json']);
    });
  });

  describe('targeted cases', () => {
    const location = (): any => example('location_example.json');

    it('GeoLocation: 5 to 7 decimals, anchored', () => {
      const cases: [string, string, string[]][] = [
        ['latitude', '52.1', ['coordinates.latitude: must match pattern "^-?[0-9]{1,2}\\.[0-9]{5,7}$"']],
        ['latitude', '152.12345', ['coordinates.latitude: must match pattern "^-?[0-9]{1,2}\\.[0-9]{5,7}$"']],
        ['latitude', '52.12345678', ['coordinates.latitude: must match pattern "^-?[0-9]{1,2}\\.[0-9]{5,7}$"']],
        ['latitude', '52,123456', ['coordinates.latitude: must match pattern "^-?[0-9]{1,2}\\.[0-9]{5,7}$"']],
        ['longitude', '3.72994 ', ['coordinates.longitude: must match pattern "^-?[0-9]{1,3}\\.[0-9]{5,7}$"']],
        // 11 / 12 characters: over the tables' string(10) / string(11), allowed by the spec's regexes.
        ['latitude', '-33.8688197', []],
        ['longitude', '-151.2092955', []],
      ];
      for (const [field, value, errors] of cases) {
        const l = location();
        l.coordinates[field] = value;
        expect(schemaErrors('location.json', l), `${field} ${value}`).to.deep.equal(errors);
      }
      const l = location();
      l.coordinates.latitude = 51.047599;
      expect(schemaErrors('location.json', l)).to.deep.equal(['coordinates.latitude: must be string']);
    });

    it('DateTime: UTC with or without Z and fractions, never an offset', () => {
      for (const ok of ['2015-06-29T20:39:09Z', '2015-06-29T20:39:09', '2016-12-29T17:45:09.2Z', '2018-01-01T01:08:01.123Z']) {
        expect(schemaErrors(def('DateTime'), ok), ok).to.deep.equal([]);
      }
      for (const bad of ['2026-01-01T00:00:00+01:00', '2026-01-01T00:00:00+00:00', '2026-01-01 00:00:00Z', '1970-1-1T00:00:00Z']) {
        const l = location();
        l.last_updated = bad;
        expect(schemaErrors('location.json', l), bad).to.deep.equal([`last_updated: ${DATETIME_PATTERN}`]);
      }
      const l = location();
      l.evses[0].last_updated = '2015-06-29T20:39:09.12345678Z';
      expect(schemaErrors('location.json', l)).to.deep.equal(['evses[0].last_updated: must NOT have more than 25 characters']);
    });

    it('enums are exact and case-sensitive', () => {
      const l = location();
      l.parking_type = 'ON_STREETS';
      l.evses[0].status = 'available';
      l.evses[0].connectors[0].standard = 'IEC_62196_t2';
      l.facilities = ['WIFI', 'WiFi'];
      expect(schemaErrors('location.json', l)).to.deep.equal([
        'parking_type: must be one of ALONG_MOTORWAY, PARKING_GARAGE, PARKING_LOT, ON_DRIVEWAY, ON_STREET, UNDERGROUND_GARAGE',
        'evses[0].status: must be one of AVAILABLE, BLOCKED, CHARGING, INOPERATIVE, OUTOFORDER, PLANNED, REMOVED, RESERVED, UNKNOWN',
        'evses[0].connectors[0].standard: must be one of CHADEMO, CHAOJI, DOMESTIC_A, DOMESTIC_B, DOMESTIC_C, DOMESTIC_D, DOMESTIC_E, DOMESTIC_F, DOMESTIC_G, DOMESTIC_H, DOMESTIC_I, DOMESTIC_J, DOMESTIC_K, DOMESTIC_L, DOMESTIC_M, DOMESTIC_N, DOMESTIC_O, GBT_AC, GBT_DC, IEC_60309_2_single_16, IEC_60309_2_three_16, IEC_60309_2_three_32, IEC_60309_2_three_64, IEC_62196_T1, IEC_62196_T1_COMBO, IEC_62196_T2, IEC_62196_T2_COMBO, IEC_62196_T3A, IEC_62196_T3C, NEMA_5_20, NEMA_6_30, NEMA_6_50, NEMA_10_30, NEMA_10_50, NEMA_14_30, NEMA_14_50, PANTOGRAPH_BOTTOM_UP, PANTOGRAPH_TOP_DOWN, TESLA_R, TESLA_S',
        'facilities[1]: must be one of HOTEL, RESTAURANT, CAFE, MALL, SUPERMARKET, SPORT, RECREATION_AREA, NATURE, MUSEUM, BIKE_SHARING, BUS_STOP, TAXI_STAND, TRAM_STOP, METRO_STATION, TRAIN_STATION, AIRPORT, PARKING_LOT, CARPOOL_PARKING, FUEL_STATION, WIFI',
      ]);
      const session = example('session_example_1_simple_start.json');
      session.status = 'RESERVED';
      expect(schemaErrors('session.json', session)).to.deep.equal(['status: must be one of ACTIVE, COMPLETED, INVALID, PENDING, RESERVATION']);
    });

    it('maximum lengths from string(n) / CiString(n), with the errata lengths accepted', () => {
      const l = location();
      l.city = 'x'.repeat(46);
      l.id = 'L'.repeat(37);
      l.evses[0].floor_level = '-1234';
      expect(schemaErrors('location.json', l)).to.deep.equal([
        'id: must NOT have more than 36 characters',
        'city: must NOT have more than 45 characters',
        'evses[0].floor_level: must NOT have more than 4 characters',
      ]);
      const errata = location();
      errata.address = 'a'.repeat(255);
      errata.state = 's'.repeat(45);
      expect(schemaErrors('location.json', errata)).to.deep.equal([]);
      errata.address = 'a'.repeat(256);
      errata.state = 's'.repeat(46);
      expect(schemaErrors('location.json', errata)).to.deep.equal(['address: must NOT have more than 255 characters', 'state: must NOT have more than 45 characters']);
      // CdrLocation.address/state were not changed by the errata: still 45 / 20.
      const cdr = example('cdr_example.json');
      cdr.cdr_location.address = 'a'.repeat(46);
      cdr.signed_data = { encoding_method: 'OCMF', signed_values: [{ nature: 'Start', plain_data: 'p'.repeat(5000), signed_data: 's'.repeat(5000) }] };
      expect(schemaErrors('cdr.json', cdr)).to.deep.equal(['cdr_location.address: must NOT have more than 45 characters']);
      cdr.cdr_location.address = 'a'.repeat(45);
      cdr.signed_data.signed_values[0].plain_data = 'p'.repeat(5001);
      expect(schemaErrors('cdr.json', cdr)).to.deep.equal(['signed_data.signed_values[0].plain_data: must NOT have more than 5000 characters']);
    });

    it('CiString is printable ASCII, string has no control characters', () => {
      const l = location();
      l.id = 'LOC-é';
      l.name = 'Gent\nZuid';
      l.operator.name = 'BeCharged\u0085';
      expect(schemaErrors('location.json', l)).to.deep.equal([`id: ${CISTRING_PATTERN}`, `name: ${STRING_PATTERN}`, `operator.name: ${STRING_PATTERN}`]);
      const ok = location();
      ok.name = 'Gent Zuid — Sint-Pietersstation €';
      expect(schemaErrors('location.json', ok)).to.deep.equal([]);
    });

    it('null is accepted for optional fields and lists, refused for required ones', () => {
      const l = location();
      Object.assign(l, { name: null, postal_code: null, facilities: null, publish_allowed_to: null, opening_times: null, operator: null, energy_mix: null });
      Object.assign(l.evses[0], { evse_id: null, coordinates: null, capabilities: null });
      l.evses[0].connectors[0].tariff_ids = null;
      expect(schemaErrors('location.json', l)).to.deep.equal([]);
      l.address = null;
      l.coordinates = null;
      l.evses[0].connectors = null;
      l.evses[1].status = null;
      expect(schemaErrors('location.json', l)).to.deep.equal([
        'address: must be string',
        'coordinates: must be object',
        'evses[0].connectors: must be array',
        'evses[1].status: must be one of AVAILABLE, BLOCKED, CHARGING, INOPERATIVE, OUTOFORDER, PLANNED, REMOVED, RESERVED, UNKNOWN',
      ]);
    });

    it('objects are strict, at every level', () => {
      const l = location();
      l.evses[0].connectors[0].voltage = 230;
      l.coordinates.altitude = '10';
      expect(schemaErrors('location.json', l)).to.deep.equal(['coordinates.altitude: is not a field of this object', 'evses[0].connectors[0].voltage: is not a field of this object']);
    });

    it('required lists (+) need one element in a full object', () => {
      const evse = corrected('location_put_example_add_evse.json');
      evse.connectors = [];
      expect(schemaErrors('evse.json', evse)).to.deep.equal(['connectors: must NOT have fewer than 1 items']);
      delete evse.connectors;
      expect(schemaErrors('evse.json', evse)).to.deep.equal(['connectors: is required']);
    });

    it('PATCH: only last_updated is required, no minItems, and what is present is checked as in the full object', () => {
      expect(schemaErrors('evse-patch.json', { status: 'CHARGING' })).to.deep.equal(['last_updated: is required']);
      for (const id of ['location-patch.json', 'evse-patch.json', 'connector-patch.json', 'session-patch.json', 'token-patch.json']) {
        expect(schemaErrors(id, {}), id).to.deep.equal(['last_updated: is required']);
        expect(schemaErrors(id, { last_updated: '2026-01-01T00:00:00Z' }), id).to.deep.equal([]);
        expect(schemaErrors(id, { last_updated: null }), id).to.deep.equal([`last_updated: must be string`]);
      }
      expect(schemaErrors('evse-patch.json', { connectors: [], last_updated: '2026-01-01T00:00:00Z' })).to.deep.equal([]);
      expect(schemaErrors('evse-patch.json', { connectors: [{ id: '1' }], floor: 1, last_updated: '2026-01-01T00:00:00Z' })).to.deep.equal([
        'floor: is not a field of this object',
        'connectors[0].standard: is required',
        'connectors[0].format: is required',
        'connectors[0].power_type: is required',
        'connectors[0].max_voltage: is required',
        'connectors[0].max_amperage: is required',
        'connectors[0].last_updated: is required',
      ]);
      // A PATCH cannot remove data: null only where the full object allows it.
      expect(schemaErrors('evse-patch.json', { floor_level: null, last_updated: '2026-01-01T00:00:00Z' })).to.deep.equal([]);
      expect(schemaErrors('evse-patch.json', { status: null, last_updated: '2026-01-01T00:00:00Z' })).to.deep.equal([
        'status: must be one of AVAILABLE, BLOCKED, CHARGING, INOPERATIVE, OUTOFORDER, PLANNED, REMOVED, RESERVED, UNKNOWN',
      ]);
      expect(schemaErrors('session-patch.json', { kwh: '15', last_updated: '2019-06-23T08:16:02+02:00' })).to.deep.equal(['kwh: must be number', `last_updated: ${DATETIME_PATTERN}`]);
    });

    it('country_code and party_id are exactly 2 and 3 characters', () => {
      const token = example('token_example_1_app_user.json');
      token.country_code = 'D';
      token.party_id = 'TNMX';
      expect(schemaErrors('token.json', token)).to.deep.equal(['country_code: must NOT have fewer than 2 characters', 'party_id: must NOT have more than 3 characters']);
    });

    it('time and date formats of RegularHours and TariffRestrictions', () => {
      const hours = example('location_regularhours_example.json').opening_times;
      hours.regular_hours[0].weekday = 8;
      hours.regular_hours[1].period_end = '24:00';
      hours.regular_hours[2].period_begin = '8:00';
      expect(schemaErrors(def('Hours'), hours)).to.deep.equal([
        'regular_hours[0].weekday: must be <= 7',
        'regular_hours[1].period_end: must match pattern "^([01][0-9]|2[0-3]):[0-5][0-9]$"',
        'regular_hours[2].period_begin: must match pattern "^([01][0-9]|2[0-3]):[0-5][0-9]$"',
      ]);
      const tariff = example('tariff_14_step_size.json');
      tariff.elements[0].restrictions.start_date = '2015-13-01';
      expect(schemaErrors('tariff.json', tariff)).to.deep.equal(['elements[0].restrictions.start_date: must match pattern "^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"']);
    });

    it('the version information read during discovery stays lenient; credentials stay strict', () => {
      expect(schemaErrors('versions.json', [{ version: '2.3.0', url: 'https://cpo.example.com/ocpi/2.3.0', extra: true }])).to.deep.equal([]);
      expect(schemaErrors('versions.json', [])).to.deep.equal(['(body): must NOT have fewer than 1 items']);
      expect(schemaErrors('version-details.json', { version: '2.3.0', endpoints: [] })).to.deep.equal([
        'version: must be one of 2.0, 2.1, 2.1.1, 2.2, 2.2.1',
        'endpoints: must NOT have fewer than 1 items',
      ]);
      const credentials = example('credentials_example.json');
      credentials.token = 'two words';
      credentials.roles[0].party_id = 'EXAMPLE';
      expect(schemaErrors('credentials.json', credentials)).to.deep.equal(['token: must match pattern "^[\\x21-\\x7e]+$"', 'roles[0].party_id: must NOT have more than 3 characters']);
    });

    it('commands (no specification examples exist): typed objects validate against their schemas', () => {
      const token: Token = example('token_example_2_full_rfid.json');
      const start: StartSession = { response_url: 'https://msp.example.com/ocpi/2.2.1/commands/START_SESSION/1234', token, location_id: 'LOC1', evse_uid: '3256', connector_id: '1', authorization_reference: null };
      const response: CommandResponse = { result: 'ACCEPTED', timeout: 30, message: [{ language: 'en', text: 'Sent to the charge point' }] };
      const result: CommandResult = { result: 'CANCELED_RESERVATION' };
      const checks: { [K in keyof SchemaTypes]?: SchemaTypes[K] } = {
        'start-session.json': start,
        'stop-session.json': { response_url: 'https://msp.example.com/r/1', session_id: '101' },
        'reserve-now.json': { response_url: 'https://msp.example.com/r/2', token, expiry_date: '2026-01-01T10:00:00Z', reservation_id: 'R1', location_id: 'LOC1' },
        'cancel-reservation.json': { response_url: 'https://msp.example.com/r/3', reservation_id: 'R1' },
        'unlock-connector.json': { response_url: 'https://msp.example.com/r/4', location_id: 'LOC1', evse_uid: '3256', connector_id: '1' },
        'command-response.json': response,
        'command-result.json': result,
        'authorization-info.json': { allowed: 'ALLOWED', token, location: { location_id: 'LOC1', evse_uids: ['3256'] } },
        'client-info.json': { party_id: 'ALL', country_code: 'DE', role: 'CPO', status: 'CONNECTED', last_updated: '2026-01-01T00:00:00Z' },
      };
      for (const [id, data] of Object.entries(checks)) expect(schemaErrors(id, data), id).to.deep.equal([]);
      expect(schemaErrors('start-session.json', { ...start, token: { ...token, whitelist: 'SOMETIMES' } })).to.deep.equal([
        'token.whitelist: must be one of ALWAYS, ALLOWED, ALLOWED_OFFLINE, NEVER',
      ]);
      expect(schemaErrors('command-response.json', { result: 'TIMEOUT', timeout: 1.5 })).to.deep.equal([
        'result: must be one of NOT_SUPPORTED, REJECTED, ACCEPTED, UNKNOWN_SESSION',
        'timeout: must be integer',
      ]);
      const typed: Location = example('location_example.json');
      expect(schemaErrors('location.json', typed)).to.deep.equal([]);
    });
  });
});
