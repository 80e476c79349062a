import fs from 'node:fs';

/**
 * What OCPI 2.2 allows, object by object, from the specification's own tables
 * (fixtures/ocpi-2.2/objects.json). Independent of the hub's schemas on purpose: the hub's
 * 2.2 adapter is what is under test.
 */
interface Field {
  type: string;
  card: string;
}
const OBJECTS: Record<string, Record<string, Field>> = JSON.parse(fs.readFileSync(new URL('../../fixtures/ocpi-2.2/objects.json', import.meta.url), 'utf8')).objects;

const OBJECT_TYPE = /^([A-Za-z]+)/;

/** Every way `value` is not a 2.2 `object`: fields 2.2 does not define, required fields missing, lists that are not lists. */
export function shapeProblems22(object: string, value: unknown, at = object): string[] {
  const fields = OBJECTS[object];
  if (!fields) throw new Error(`OCPI 2.2 has no object ${object}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
  const problems: string[] = [];
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) if (!(name in fields)) problems.push(`${at}.${name}: not a field of OCPI 2.2 ${object}`);
  for (const [name, field] of Object.entries(fields)) {
    const present = record[name] !== undefined && record[name] !== null;
    if (!present) {
      if (field.card === '1' || field.card === '+') problems.push(`${at}.${name}: required in OCPI 2.2`);
      continue;
    }
    const many = field.card === '*' || field.card === '+';
    if (many && !Array.isArray(record[name])) {
      problems.push(`${at}.${name}: a list in OCPI 2.2`);
      continue;
    }
    const inner = OBJECT_TYPE.exec(field.type)?.[1];
    if (!inner || !OBJECTS[inner]) continue;
    const items = many ? (record[name] as unknown[]) : [record[name]];
    items.forEach((item, i) => problems.push(...shapeProblems22(inner, item, many ? `${at}.${name}[${i}]` : `${at}.${name}`)));
  }
  return problems;
}

/** The response envelope every OCPI answer has, and its data as the given object (or list of it). */
export function envelopeProblems22(body: unknown, data?: { object: string; list?: boolean }): string[] {
  if (body === null || typeof body !== 'object') return ['envelope: not an object'];
  const envelope = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of Object.keys(envelope)) if (!['data', 'status_code', 'status_message', 'timestamp'].includes(name)) problems.push(`envelope.${name}: not a field of the OCPI 2.2 response format`);
  if (typeof envelope.status_code !== 'number') problems.push('envelope.status_code: required');
  if (typeof envelope.timestamp !== 'string') problems.push('envelope.timestamp: required');
  if (data) {
    if (data.list) {
      if (!Array.isArray(envelope.data)) return [...problems, 'envelope.data: a list'];
      (envelope.data as unknown[]).forEach((item, i) => problems.push(...shapeProblems22(data.object, item, `data[${i}]`)));
    } else problems.push(...shapeProblems22(data.object, envelope.data, 'data'));
  }
  return problems;
}
