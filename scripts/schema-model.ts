/**
 * Builds the JSON Schemas of OCPI 2.2.1 and their TypeScript types from one source: the
 * specification's object and enum tables (fixtures/ocpi/field-tables.json). Both outputs come
 * from the same model, so they cannot drift; test/schemas.test.ts regenerates them in memory
 * and compares with what is committed. `npm run schemas` writes them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Field {
  name: string;
  type: string;
  card: '1' | '?' | '*' | '+';
  desc: string;
}
interface Tables {
  objects: Record<string, Field[]>;
  enums: Record<string, string[]>;
}

/** Table titles → definition names (`EVSE Object @mod_locations.asciidoc` → `Evse`). */
const RENAME: Record<string, string> = { EVSE: 'Evse', CDR: 'Cdr', Data: 'VersionDetails', Version: 'Version', Credentials: 'Credentials' };
const SKIP = new Set(['Response format']);

/**
 * Where the tables need a correction, each named with its reason.
 *  - errata (release-2.2.1-bugfixes): Location.address string(255), Location.state string(45),
 *    SignedValue.plain_data string(5000). Accepted on input.
 *  - GeoLocation: the spec's regexes (types.asciidoc), anchored.
 *  - RegularHours / TariffRestrictions: the spec's formats for times, dates and weekdays.
 *  - country_code / party_id: exactly 2 / 3 characters (ISO 3166-1, ISO 15118 party id).
 */
const FIELD_OVERRIDES: Record<string, Record<string, unknown>> = {
  'Location.address': { type: 'string', maxLength: 255, pattern: '^[^\\u0000-\\u001f\\u007f]*$' },
  'Location.state': { type: 'string', maxLength: 45, pattern: '^[^\\u0000-\\u001f\\u007f]*$' },
  'SignedValue.plain_data': { type: 'string', maxLength: 5000, pattern: '^[^\\u0000-\\u001f\\u007f]*$' },
  'GeoLocation.latitude': { type: 'string', maxLength: 10, pattern: '^-?[0-9]{1,2}\\.[0-9]{5,7}$' },
  'GeoLocation.longitude': { type: 'string', maxLength: 11, pattern: '^-?[0-9]{1,3}\\.[0-9]{5,7}$' },
  'AdditionalGeoLocation.latitude': { type: 'string', maxLength: 10, pattern: '^-?[0-9]{1,2}\\.[0-9]{5,7}$' },
  'AdditionalGeoLocation.longitude': { type: 'string', maxLength: 11, pattern: '^-?[0-9]{1,3}\\.[0-9]{5,7}$' },
  'RegularHours.weekday': { type: 'integer', minimum: 1, maximum: 7 },
  'RegularHours.period_begin': { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
  'RegularHours.period_end': { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' },
  'TariffRestrictions.start_time': { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
  'TariffRestrictions.end_time': { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' },
  'TariffRestrictions.start_date': { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' },
  'TariffRestrictions.end_date': { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' },
};

/** Top-level schema files: file id → definition, and whether it is a PATCH variant. */
export const FILES: [string, string, 'full' | 'patch'][] = [
  ['location.json', 'Location', 'full'],
  ['evse.json', 'Evse', 'full'],
  ['connector.json', 'Connector', 'full'],
  ['location-patch.json', 'Location', 'patch'],
  ['evse-patch.json', 'Evse', 'patch'],
  ['connector-patch.json', 'Connector', 'patch'],
  ['tariff.json', 'Tariff', 'full'],
  ['session.json', 'Session', 'full'],
  ['session-patch.json', 'Session', 'patch'],
  ['cdr.json', 'Cdr', 'full'],
  ['token.json', 'Token', 'full'],
  ['token-patch.json', 'Token', 'patch'],
  ['authorization-info.json', 'AuthorizationInfo', 'full'],
  ['location-references.json', 'LocationReferences', 'full'],
  ['command-response.json', 'CommandResponse', 'full'],
  ['command-result.json', 'CommandResult', 'full'],
  ['start-session.json', 'StartSession', 'full'],
  ['stop-session.json', 'StopSession', 'full'],
  ['reserve-now.json', 'ReserveNow', 'full'],
  ['cancel-reservation.json', 'CancelReservation', 'full'],
  ['unlock-connector.json', 'UnlockConnector', 'full'],
  ['credentials.json', 'Credentials', 'full'],
  ['client-info.json', 'ClientInfo', 'full'],
];

/** Hand-kept definitions other code refers to by name. */
const FIXED: Record<string, Record<string, unknown>> = {
  CiString2: { type: 'string', minLength: 2, maxLength: 2, pattern: '^[\\x20-\\x7e]*$' },
  CiString3: { type: 'string', minLength: 3, maxLength: 3, pattern: '^[\\x20-\\x7e]*$' },
  DateTime: { type: 'string', maxLength: 25, pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z?$' },
  URL: { type: 'string', maxLength: 255, format: 'uri' },
  ModuleID: { type: 'string', maxLength: 255 },
};

function definitionName(title: string): string {
  const bare = title.split(' @')[0]!.replace(/ (Object|class|enum)$/i, '');
  return RENAME[bare] ?? bare;
}

function scalar(owner: string, field: Field, enums: Set<string>, classes: Set<string>): Record<string, unknown> {
  const override = FIELD_OVERRIDES[`${owner}.${field.name}`];
  if (override) return override;
  if (field.name === 'country_code' && field.type === 'CiString(2)') return { $ref: '#/definitions/CiString2' };
  if (field.name === 'party_id' && field.type === 'CiString(3)') return { $ref: '#/definitions/CiString3' };
  let m: RegExpExecArray | null;
  if ((m = /^CiString\((\d+)\)$/.exec(field.type))) return { type: 'string', maxLength: Number(m[1]), pattern: '^[\\x20-\\x7e]*$' };
  if ((m = /^string\((\d+)\)$/.exec(field.type))) return { type: 'string', maxLength: Number(m[1]), pattern: '^[^\\u0000-\\u001f\\u007f]*$' };
  if ((m = /^int\((\d+)\)$/.exec(field.type))) return { type: 'integer', minimum: 0, maximum: 10 ** Number(m[1]) - 1 };
  if (field.type === 'string') return { type: 'string' };
  if (field.type === 'int') return { type: 'integer' };
  if (field.type === 'number') return { type: 'number' };
  if (field.type === 'boolean') return { type: 'boolean' };
  if (field.type === 'DateTime' || field.type === 'URL' || field.type === 'ModuleID') return { $ref: `#/definitions/${field.type}` };
  const name = field.type === 'EVSE' ? 'Evse' : field.type;
  if (enums.has(name) || classes.has(name)) return { $ref: `#/definitions/${name}` };
  throw new Error(`unknown type ${field.type} of ${owner}.${field.name}`);
}

function objectSchema(owner: string, fields: Field[], enums: Set<string>, classes: Set<string>, patch: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const field of fields) {
    const item = scalar(owner, field, enums, classes);
    const list = field.card === '*' || field.card === '+';
    let schema: Record<string, unknown> = list ? { type: 'array', items: item, ...(field.card === '+' && !patch ? { minItems: 1 } : {}) } : item;
    // `?` and `*` fields may be null (terminology.asciidoc); so may anything in a PATCH except last_updated.
    const nullable = field.card === '?' || field.card === '*' || (patch && field.name !== 'last_updated');
    if (nullable) schema = { anyOf: [schema, { type: 'null' }] };
    properties[field.name] = schema;
    if (patch ? field.name === 'last_updated' : field.card === '1' || field.card === '+') required.push(field.name);
  }
  return { type: 'object', ...(required.length ? { required } : {}), properties, additionalProperties: false };
}

export interface Model {
  definitions: Record<string, Record<string, unknown>>;
  tables: Tables;
  classes: Map<string, { owner: string; fields: Field[] }>;
}

export function buildModel(): Model {
  const tables = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/ocpi/field-tables.json'), 'utf8')) as Tables;
  const enums = new Set(Object.keys(tables.enums).map(definitionName));
  const classes = new Map<string, { owner: string; fields: Field[] }>();
  for (const [title, fields] of Object.entries(tables.objects)) {
    const name = definitionName(title);
    if (SKIP.has(name)) continue;
    classes.set(name, { owner: name, fields });
  }
  const definitions: Record<string, Record<string, unknown>> = { ...FIXED };
  for (const [title, values] of Object.entries(tables.enums)) definitions[definitionName(title)] = { enum: values };
  const names = new Set(classes.keys());
  for (const [name, { fields }] of classes) definitions[name] = objectSchema(name, fields, enums, names, false);
  return { definitions, tables, classes };
}

/** Every schema file's content, by file name. */
export function schemaFiles(model: Model): Record<string, string> {
  const out: Record<string, string> = {};
  const enums = new Set(Object.keys(model.tables.enums).map(definitionName));
  const names = new Set(model.classes.keys());
  out['common.json'] = json({ $id: 'common.json', $comment: 'Generated by scripts/generate-schemas.ts from fixtures/ocpi/field-tables.json: do not edit.', definitions: sortKeys(model.definitions) });
  for (const [file, name, variant] of FILES) {
    const cls = model.classes.get(name);
    if (!cls) throw new Error(`no table for ${name}`);
    const body = variant === 'patch' ? objectSchema(name, cls.fields, enums, names, true) : { $ref: `common.json#/definitions/${name}` };
    out[file] = json({ $id: file, title: variant === 'patch' ? `${name} (PATCH)` : name, ...rebase(body) });
  }
  // Version information: a partner's lists are read leniently (unknown versions may appear).
  out['versions.json'] = json({
    $id: 'versions.json',
    title: 'Version list',
    type: 'array',
    minItems: 1,
    items: { type: 'object', required: ['version', 'url'], properties: { version: { type: 'string', maxLength: 10 }, url: { $ref: 'common.json#/definitions/URL' } } },
  });
  out['version-details.json'] = json({
    $id: 'version-details.json',
    title: 'Version details',
    type: 'object',
    required: ['version', 'endpoints'],
    properties: {
      version: { $ref: 'common.json#/definitions/VersionNumber' },
      endpoints: {
        type: 'array',
        minItems: 1,
        items: { type: 'object', required: ['identifier', 'role', 'url'], properties: { identifier: { $ref: 'common.json#/definitions/ModuleID' }, role: { $ref: 'common.json#/definitions/InterfaceRole' }, url: { $ref: 'common.json#/definitions/URL' } } },
      },
    },
  });
  return out;
}

/** PATCH schemas live in their own file: their local refs point into common.json. */
function rebase(value: unknown): any {
  if (Array.isArray(value)) return value.map(rebase);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `common.json${v}` : rebase(v)]));
  }
  return value;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** TypeScript types of every definition and top-level file, from the same model. */
export function typesFile(model: Model): string {
  const lines = ['// Generated by scripts/generate-schemas.ts from fixtures/ocpi/field-tables.json: do not edit.', '// The JSON Schemas in schemas/ come from the same model, so the two cannot drift.', ''];
  const tsOf = (schema: any): string => {
    if (schema.anyOf) return schema.anyOf.map(tsOf).join(' | ');
    if (schema.$ref) return String(schema.$ref).split('/').pop()!;
    if (schema.enum) return schema.enum.map((v: string) => JSON.stringify(v)).join(' | ');
    if (schema.type === 'array') return `${wrap(tsOf(schema.items))}[]`;
    if (schema.type === 'integer' || schema.type === 'number') return 'number';
    if (schema.type === 'null') return 'null';
    if (schema.type === 'object') {
      const req = new Set<string>(schema.required ?? []);
      const props = Object.entries(schema.properties ?? {}).map(([k, v]) => `  ${k}${req.has(k) ? '' : '?'}: ${tsOf(v)};`);
      return `{\n${props.join('\n')}\n}`;
    }
    return String(schema.type);
  };
  const wrap = (t: string) => (t.includes('|') ? `(${t})` : t);
  for (const [name, schema] of Object.entries(sortKeys(model.definitions))) {
    const body = tsOf(schema);
    lines.push(body.startsWith('{') ? `export interface ${name} ${body}` : `export type ${name} = ${body};`, '');
  }
  const enums = new Set(Object.keys(model.tables.enums).map(definitionName));
  const names = new Set(model.classes.keys());
  for (const [, name, variant] of FILES) {
    if (variant !== 'patch') continue;
    lines.push(`export interface ${name}Patch ${tsOf(objectSchema(name, model.classes.get(name)!.fields, enums, names, true))}`, '');
  }
  return lines.join('\n');
}

export const OUTPUT = { schemas: path.join(ROOT, 'schemas'), types: path.join(ROOT, 'src/ocpi/types.ts') };
