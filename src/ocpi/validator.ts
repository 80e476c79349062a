import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { invalid } from '../errors.ts';

const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');

// ajv-formats is CommonJS: under ESM its function is the default export's `default`.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** Loads every schema in schemas/ once; each is addressed by its file name, e.g. `credentials.json`. */
function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const file of fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as object);
  }
  return ajv;
}

let shared: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(schemaId: string): ValidateFunction {
  let fn = compiled.get(schemaId);
  if (!fn) {
    shared ??= createAjv();
    fn = shared.getSchema(schemaId);
    if (!fn) throw new Error(`no schema ${schemaId} in ${SCHEMA_DIR}`);
    compiled.set(schemaId, fn);
  }
  return fn;
}

/** `/roles/0/party_id` → `roles[0].party_id` */
function fieldName(error: ErrorObject): string {
  let field = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
  if (error.keyword === 'required') field = field ? `${field}.${error.params.missingProperty}` : String(error.params.missingProperty);
  if (error.keyword === 'additionalProperties') field = field ? `${field}.${error.params.additionalProperty}` : String(error.params.additionalProperty);
  return field || '(body)';
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a field of this object';
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** The readable list of what is wrong, most specific first, without anyOf's null-branch noise. */
export function schemaErrors(schemaId: string, data: unknown): string[] {
  const fn = validator(schemaId);
  if (fn(data)) return [];
  const errors = (fn.errors ?? []).filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null'));
  const messages = errors.map((e) => `${fieldName(e)}: ${describe(e)}`);
  return [...new Set(messages)];
}

/** Throws an OCPI 2001 naming the fields when `data` does not match the schema. */
export function assertSchema<T>(schemaId: string, data: unknown): T {
  const errors = schemaErrors(schemaId, data);
  if (errors.length) throw invalid(errors.slice(0, 5).join('; '), { errors });
  return data as T;
}
