import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

/**
 * Invalid inputs derived from the JSON Schemas in schemas/: walk a VALID base object alongside
 * its schema, collect every property path with the schema that governs it, and for each path
 * the mutations that make the value invalid under that schema (wrong type, missing required,
 * out of range, too long/short, pattern-breaking, impossible DateTime, NUL, lone surrogate,
 * huge arrays, enum outsiders). Each mutation knows the field the hub must name.
 *
 * Nothing here reads the hub's validator: the schemas are the contract, the hub is under test.
 */
const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = Record<string, any>;
export type Segment = string | number;

const documents = new Map<string, Schema>();
for (const file of fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'))) documents.set(file, JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')));

/** A schema with its $refs followed and `anyOf [X, null]` unwrapped, and the document it lives in. */
interface Resolved {
  schema: Schema;
  doc: string;
  nullable: boolean;
}

function resolve(schema: Schema, doc: string, nullable = false): Resolved {
  if (schema.$ref) {
    const [file, pointer] = String(schema.$ref).split('#');
    const target = file ? file : doc;
    let node: any = documents.get(target);
    if (!node) throw new Error(`no schema ${target}`);
    for (const part of (pointer ?? '').split('/').filter(Boolean)) node = node[part];
    return resolve(node, target, nullable);
  }
  if (schema.anyOf) {
    const branches = (schema.anyOf as Schema[]).filter((b) => b.type !== 'null');
    const hasNull = (schema.anyOf as Schema[]).some((b) => b.type === 'null');
    if (branches.length !== 1) throw new Error(`anyOf with ${branches.length} non-null branches: extend arbitraries.ts`);
    return resolve(branches[0]!, doc, nullable || hasNull);
  }
  return { schema, doc, nullable };
}

export interface FieldSpec {
  path: Segment[];
  schema: Schema;
  doc: string;
  nullable: boolean;
  required: boolean;
  /** The base object holds a value here (absent optional fields are still mutation targets). */
  present: boolean;
  value: unknown;
}

/** Every path of `value` under `schemaId`, with its schema; array items: the first three. */
export function fieldSpecs(schemaId: string, value: unknown): FieldSpec[] {
  const out: FieldSpec[] = [];
  const walk = (v: unknown, r: Resolved, p: Segment[], required: boolean, present: boolean) => {
    if (p.length) out.push({ path: p, schema: r.schema, doc: r.doc, nullable: r.nullable, required, present, value: v });
    if (!present || v === null || v === undefined) return;
    const s = r.schema;
    if (s.properties && typeof v === 'object' && !Array.isArray(v)) {
      const req = new Set<string>(s.required ?? []);
      for (const [name, sub] of Object.entries<Schema>(s.properties)) {
        const has = Object.prototype.hasOwnProperty.call(v, name);
        walk(has ? (v as any)[name] : undefined, resolve(sub, r.doc), [...p, name], req.has(name), has);
      }
    }
    if (s.items && Array.isArray(v)) {
      // An item is not a required field: removing it leaves a valid (shorter) list.
      v.slice(0, 3).forEach((item, i) => walk(item, resolve(s.items, r.doc), [...p, i], false, true));
    }
  };
  walk(value, resolve(documents.get(schemaId)!, schemaId), [], true, true);
  return out;
}

/** `['evses', 0, 'connectors', 0, 'max_voltage']` → `evses[0].connectors[0].max_voltage` (how the hub names fields). */
export function fieldName(p: Segment[]): string {
  return p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '') || '(body)';
}

export const REMOVE = Symbol('remove');

export interface Mutation {
  kind: string;
  path: Segment[];
  /** The new value at `path` (REMOVE deletes it). */
  value: unknown | typeof REMOVE;
  /** The field the answer must name. */
  field: string;
  /** Extra properties to add to the object at `path` (for bad field names). */
  key?: string;
  /** JSON text JSON.stringify cannot write (1e400, nesting deeper than its stack): sent in place of the string RAW_PLACEHOLDER. */
  raw?: string;
}

export const RAW_PLACEHOLDER = '__raw_json_placeholder__';

/** The request body of `m` applied to `base`, as JSON text. */
export function bodyText(base: unknown, m: Mutation): string | undefined {
  const body = applyMutation(base, m);
  if (body === undefined) return undefined;
  const text = JSON.stringify(body);
  return m.raw === undefined ? text : text.replace(JSON.stringify(RAW_PLACEHOLDER), () => m.raw!);
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v);

function allows(spec: FieldSpec, v: unknown): boolean {
  const t = typeOf(v);
  if (t === 'null') return spec.nullable;
  const s = spec.schema;
  if (s.enum) return (s.enum as unknown[]).includes(v);
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (!types.length) return true;
  return types.includes(t) || (t === 'integer' && types.includes('number'));
}

const WRONG_TYPES: unknown[] = ['x', '', 12345, 1.5, -1, 0, true, false, [], [1], {}, { a: 1 }, null];

/** Impossible DateTimes: each matches the OCPI pattern (or breaks it) but names no instant. */
const IMPOSSIBLE_DATES = [
  '2026-13-45T99:99:99Z',
  '0000-00-00T00:00:00Z',
  '2026-02-30T10:00:00Z',
  '2025-02-29T00:00:00Z',
  '2026-11-31T10:00:00Z',
  '2026-11-25T24:00:00Z',
  '2026-11-25T10:60:00Z',
  '2026-11-25T10:00:61Z',
  '2026-00-10T10:00:00Z',
  '2026-11-00T10:00:00Z',
  '2026-11-25T10:00:00+01:00',
  '2026-11-25 10:00:00Z',
  '2026-11-25',
  '20261125T100000Z',
  'yesterday',
  '2026-11-25T10:00:00.123456789012Z',
];

/** A DateTime with one component out of range, built so it can never be valid. */
const randomImpossibleDate = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    broken: fc.constantFrom('mo', 'd', 'h', 'mi', 's'),
    bad: fc.integer({ min: 0, max: 99 }),
    z: fc.boolean(),
  })
  .map(({ y, mo, d, h, mi, s, broken, bad, z }) => {
    const parts: Record<string, number> = { mo, d, h, mi, s };
    const limits: Record<string, [number, number]> = { mo: [1, 12], d: [1, 31], h: [0, 23], mi: [0, 59], s: [0, 59] };
    const [lo, hi] = limits[broken]!;
    parts[broken] = bad >= lo && bad <= hi ? (bad < 50 ? lo - 1 : hi + 1 + (bad % (99 - hi))) : bad;
    if (parts[broken]! < 0) parts[broken] = hi + 1;
    const two = (n: number) => String(n).padStart(2, '0');
    return `${String(y).padStart(4, '0')}-${two(parts.mo!)}-${two(parts.d!)}T${two(parts.h!)}:${two(parts.mi!)}:${two(parts.s!)}${z ? 'Z' : ''}`;
  });

/** Dates (`YYYY-MM-DD`, tariff restrictions) that match the pattern and do not exist. */
const IMPOSSIBLE_DAYS = ['2026-02-30', '2026-02-31', '2025-02-29', '2026-04-31', '2026-11-31', '1900-02-29'];

const PATTERN_BREAKERS = ['\u0001', '\u0007', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0085', '\u009b', 'é', 'ü', '€', '日本', '\u00a0', ' '];

function patternFails(pattern: string, v: string): boolean {
  return !new RegExp(pattern, 'u').test(v);
}

/** The constant mutations of one path, and the arbitrary ones (sizes, positions) as arbitraries. */
export interface VariantOptions {
  /** Only the `deeply nested` mutations (true), or none of them (false, the default). */
  deep?: boolean;
}

export function mutationsOf(spec: FieldSpec, bodyLimit: number, options: VariantOptions = {}): fc.WeightedArbitrary<Mutation>[] {
  const field = fieldName(spec.path);
  const list: fc.Arbitrary<Mutation>[] = [];
  /** Huge strings and arrays cost the hub 5 to 10 times a small case: a quarter of the weight of the others. */
  const huge = new Set<fc.Arbitrary<Mutation>>();
  const out = { push: (a: fc.Arbitrary<Mutation>) => list.push(a), big: (a: fc.Arbitrary<Mutation>) => (huge.add(a), list.push(a)) };
  const at = (kind: string, value: unknown, f = field) => ({ kind, path: spec.path, value, field: f });
  const s = spec.schema;

  const wrong = WRONG_TYPES.filter((v) => !allows(spec, v));
  if (wrong.length) out.push(fc.constantFrom(...wrong).map((v) => at('wrong type', v)));
  if (spec.present && spec.required) out.push(fc.constant(at('missing required', REMOVE)));
  // `null` where the field is required and not nullable is a wrong type too (in WRONG_TYPES).

  // Nesting deeper than any recursive walk's stack (JSON.parse itself copes): a wrong type at this field.
  // Kept apart (options.deep): the hub answers 500 to these, see the KNOWN HUB BUG test.
  if (options.deep) {
    const nested: fc.Arbitrary<string>[] = [];
    if (!allows(spec, [])) nested.push(fc.integer({ min: 1000, max: Math.floor((bodyLimit * 0.9) / 2) }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`));
    if (!allows(spec, {})) nested.push(fc.integer({ min: 1000, max: Math.floor((bodyLimit * 0.9) / 6) }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
    return nested.map((arbitrary) => ({ weight: 1, arbitrary: arbitrary.map((raw) => ({ ...at('deeply nested', RAW_PLACEHOLDER), raw })) }));
  }

  if (s.enum) {
    const values = s.enum as string[];
    const outsiders = ['NOT_IN_ENUM', '', values[0]!.toLowerCase(), ` ${values[0]}`, `${values[0]}_X`, values.join(',')].filter((v) => !values.includes(v));
    out.push(fc.constantFrom(...outsiders).map((v) => at('outside the enum', v)));
  }
  if (s.type === 'integer' || s.type === 'number') {
    const integer = s.type === 'integer';
    if (typeof s.maximum === 'number') {
      out.push(fc.constantFrom(s.maximum + 1, s.maximum * 10 + 1, 1e300, Number.MAX_SAFE_INTEGER * 2).map((v) => at('above maximum', integer ? Math.round(v) : v)));
      out.push(fc.double({ min: s.maximum + 1, max: 1e308, noNaN: true }).map((v) => at('above maximum', integer ? Math.floor(v) : v)));
    }
    if (typeof s.minimum === 'number') {
      out.push(fc.constantFrom(s.minimum - 1, s.minimum * 10 - 1, -1e300).map((v) => at('below minimum', integer ? Math.round(v) : v)));
      out.push(fc.double({ min: -1e308, max: s.minimum - 1, noNaN: true }).map((v) => at('below minimum', integer ? Math.ceil(v) : v)));
    }
    // Literals beyond a double: JSON.parse makes them ±Infinity (or a rounded huge integer).
    out.push(fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '-123456789012345678901234567890', '1' + '0'.repeat(400)).map((raw) => ({ ...at('number beyond a double', RAW_PLACEHOLDER), raw })));
    if (integer) out.push(fc.double({ min: -1000, max: 1000, noNaN: true, noInteger: true }).map((v) => at('not an integer', v)));
  }
  if (s.type === 'string') {
    const base = typeof spec.value === 'string' ? spec.value : 'abc';
    // Text PostgreSQL cannot store: refused anywhere, whatever the field's schema.
    out.push(
      fc
        .record({ ch: fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', 'x\ud800', '\udc00\ud800'), pos: fc.nat() })
        .map(({ ch, pos }) => {
          const i = base.length ? pos % (base.length + 1) : 0;
          return at(ch.includes('\u0000') ? 'NUL' : 'lone surrogate', `${base.slice(0, i)}${ch}${base.slice(i)}`);
        }),
    );
    if (typeof s.maxLength === 'number') {
      // Just over the limit, or huge (up to a third of the body limit: the body must still be read).
      const max = Math.floor(bodyLimit / 3);
      out.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 3 }).map((n) => at('too long', 'A'.repeat(n))));
      out.big(fc.integer({ min: 1000, max }).map((n) => at('huge string', 'B'.repeat(n))));
    }
    if (typeof s.minLength === 'number' && s.minLength > 0) out.push(fc.constant(at('too short', 'A'.repeat(s.minLength - 1))));
    if (typeof s.pattern === 'string') {
      const breakers = PATTERN_BREAKERS.flatMap((ch) => [ch, `${base}${ch}`, `${ch}${base}`]).filter((v) => patternFails(s.pattern, v) && !(s.maxLength && v.length > s.maxLength));
      const fallback = ['12.3', 'abc', '-', '99:99', '2026-13-01', '1.1', '--'].filter((v) => patternFails(s.pattern, v));
      const all = [...new Set([...breakers, ...fallback])];
      if (all.length) out.push(fc.constantFrom(...all).map((v) => at('pattern broken', v)));
      if (s.pattern.startsWith('^([12][0-9]{3})-')) out.push(fc.constantFrom(...IMPOSSIBLE_DAYS).map((v) => at('impossible date', v)));
    }
    if (s.format === 'ocpi-date-time') {
      out.push(fc.constantFrom(...IMPOSSIBLE_DATES).map((v) => at('impossible DateTime', v)));
      out.push(randomImpossibleDate.map((v) => at('impossible DateTime', v)));
      if (spec.path[spec.path.length - 1] === 'last_updated') out.push(fc.constantFrom('2027-01-01T00:00:00Z', '2099-12-31T23:59:59Z', '9999-12-31T23:59:59Z').map((v) => at('last_updated in the future', v)));
    }
    if (s.format === 'uri') out.push(fc.constantFrom('not a uri', 'http://exa mple.com/', '://nohost', 'http://[::1', '\\\\server\\share').map((v) => at('not a URI', v)));
  }
  if (s.type === 'array') {
    const items = resolve(s.items, spec.doc);
    const itemSpec: FieldSpec = { ...spec, schema: items.schema, nullable: items.nullable, value: undefined };
    const wrongItems = WRONG_TYPES.filter((v) => !allows(itemSpec, v));
    const arr = Array.isArray(spec.value) ? spec.value : [];
    if (typeof s.minItems === 'number' && s.minItems > 0) out.push(fc.constant(at('too few items', [])));
    if (wrongItems.length) {
      // Up to 10k items all of a wrong type: the first one is named.
      out.big(fc.record({ v: fc.constantFrom(...wrongItems), n: fc.integer({ min: 1, max: 10_000 }) }).map(({ v, n }) => at('huge array of wrong items', Array.from({ length: n }, () => v), `${field}[0]`)));
      // 10k valid items (copies of the base's first) with one wrong item at a random place.
      if (arr.length) {
        const each = JSON.stringify(arr[0]).length + 1;
        const n = Math.max(2, Math.min(10_000, Math.floor((bodyLimit * 0.6) / each)));
        out.big(
          fc.record({ v: fc.constantFrom(...wrongItems), k: fc.nat({ max: n - 1 }) }).map(({ v, k }) => {
            const big = Array.from({ length: n }, () => arr[0]);
            big[k] = v;
            return at('huge array, one wrong item', big, `${field}[${k}]`);
          }),
        );
      }
    }
  }
  if (s.type === 'object' && spec.present && spec.value && typeof spec.value === 'object') {
    // A field NAME that is not text: refused like a value (unknown field names are otherwise kept).
    out.push(
      fc.constantFrom('bad\u0000key', '\ud800', 'k\udfff').map((key) => ({ kind: 'bad field name', path: spec.path, value: { ...(spec.value as object), [key]: 1 }, field: `${field === '(body)' ? '' : `${field}.`}${JSON.stringify(key).slice(1, -1)}`, key })),
    );
  }
  return list.map((arbitrary) => ({ arbitrary, weight: huge.has(arbitrary) ? 1 : 4 }));
}

/** Every mutation of every path of `base`, as one arbitrary (each path equally likely). */
export function invalidVariants(schemaId: string, base: unknown, bodyLimit: number, options: VariantOptions = {}): { arbitrary: fc.Arbitrary<Mutation>; paths: number } {
  const specs = fieldSpecs(schemaId, base);
  const root: FieldSpec = { path: [], schema: resolve(documents.get(schemaId)!, schemaId).schema, doc: schemaId, nullable: false, required: true, present: true, value: base };
  const perPath = [root, ...specs].map((spec) => mutationsOf(spec, bodyLimit, options)).filter((list) => list.length).map((list) => fc.oneof(...list));
  return { arbitrary: fc.oneof(...perPath), paths: perPath.length };
}

/** `base` with the mutation applied (a deep copy; `base` is untouched). */
export function applyMutation(base: unknown, m: Mutation): unknown {
  if (!m.path.length) return m.value === REMOVE ? undefined : m.value;
  const copy = structuredClone(base) as any;
  let node = copy;
  for (const seg of m.path.slice(0, -1)) node = node[seg];
  const last = m.path[m.path.length - 1]!;
  if (m.value === REMOVE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = m.value;
  return copy;
}

/** A short, printable description of a value (huge strings and arrays abbreviated). */
export function describeValue(v: unknown): string {
  if (v === REMOVE) return '(removed)';
  if (typeof v === 'string') return v.length > 60 ? `"${v.slice(0, 20)}…" (${v.length} chars)` : JSON.stringify(v);
  if (Array.isArray(v)) return v.length > 5 ? `[${v.length} items, first ${describeValue(v[0])}]` : JSON.stringify(v.map((x) => (typeof x === 'string' && x.length > 60 ? describeValue(x) : x)))?.slice(0, 200) ?? String(v);
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
