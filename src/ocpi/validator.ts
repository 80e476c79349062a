import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { invalid } from '../errors.ts';
import { DATETIME_PATTERN, parseDateTime } from './datetime.ts';

const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');

// ajv-formats is CommonJS: under ESM its function is the default export's `default`.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** A schema document by its `$id` (the file name in schemas/, e.g. `credentials.json`). */
export type SchemaDocuments = Map<string, Record<string, any>>;

/** The schemas as generated from the 2.2.1 tables: the hub's canonical model. Each call returns a fresh copy to edit. */
export function canonicalDocuments(): SchemaDocuments {
  const documents: SchemaDocuments = new Map();
  for (const file of fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    documents.set(file, JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as Record<string, any>);
  }
  return documents;
}

/**
 * One compiled set of schemas. The canonical set is 2.2.1; a version adapter may build its own
 * set by editing copies of the canonical documents (a field 2.2 did not require, say).
 */
export class SchemaSet {
  private ajv?: Ajv;
  private loaded?: SchemaDocuments;
  private readonly compiled = new Map<string, ValidateFunction>();
  constructor(
    readonly name: string,
    private readonly load: () => SchemaDocuments,
  ) {}

  /** The documents of this set, as compiled (do not edit them). */
  documents(): SchemaDocuments {
    this.loaded ??= this.load();
    return this.loaded;
  }

  validator(schemaId: string): ValidateFunction {
    let fn = this.compiled.get(schemaId);
    if (!fn) {
      this.ajv ??= createAjv(this.documents());
      fn = this.ajv.getSchema(schemaId);
      if (!fn) throw new Error(`no schema ${schemaId} in schema set ${this.name}`);
      this.compiled.set(schemaId, fn);
    }
    return fn;
  }
}

function createAjv(documents: SchemaDocuments): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  // One DateTime check for every path: the pattern alone lets 2026-13-45T99:99:99Z through.
  // What fails the pattern is the pattern's complaint; this refuses what matches it and does not exist.
  ajv.addFormat('ocpi-date-time', { type: 'string', validate: (value: string) => value.length > 25 || !DATETIME_PATTERN.test(value) || parseDateTime(value) !== undefined });
  for (const document of documents.values()) ajv.addSchema(document);
  return ajv;
}

export const canonicalSchemas = new SchemaSet('2.2.1', canonicalDocuments);

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
    case 'format':
      if (error.params.format === 'ocpi-date-time') return `${JSON.stringify(error.data)} is not a valid date and time`;
      return error.message ?? error.keyword;
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return error.message ?? error.keyword;
  }
}

export interface Validation {
  /** What is wrong, most specific first, each naming its field. */
  errors: string[];
  /** Fields the schema does not define (`evses[0].vendor_x`): reported, not refused, where unknown fields are tolerated. */
  unknown: string[];
}

/** Every complaint in ajv's order, without anyOf's own error and its null-branch noise. */
function complaints(schemaId: string, data: unknown, schemas: SchemaSet): ErrorObject[] {
  const fn = schemas.validator(schemaId);
  if (fn(data)) return [];
  return (fn.errors ?? []).filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null'));
}

const unique = (messages: string[]) => [...new Set(messages)];

/**
 * Validates `data` against a schema. Unknown fields are listed apart from errors: OCPI 2.3.0
 * forbids refusing payloads for undocumented field names, so partners' vendor extensions are
 * kept; the callers that own their input (our own APIs) treat them as errors.
 */
export function validate(schemaId: string, data: unknown, schemas: SchemaSet = canonicalSchemas): Validation {
  const all = complaints(schemaId, data, schemas);
  return {
    errors: unique(all.filter((e) => e.keyword !== 'additionalProperties').map((e) => `${fieldName(e)}: ${describe(e)}`)),
    unknown: unique(all.filter((e) => e.keyword === 'additionalProperties').map(fieldName)),
  };
}

/** Strict reading, for input the hub owns (its own APIs): unknown fields are errors too. */
export function schemaErrors(schemaId: string, data: unknown, schemas: SchemaSet = canonicalSchemas): string[] {
  return unique(complaints(schemaId, data, schemas).map((e) => `${fieldName(e)}: ${describe(e)}`));
}

/** Throws an OCPI 2001 naming the fields when `data` does not match the schema (strictly). */
export function assertSchema<T>(schemaId: string, data: unknown, schemas: SchemaSet = canonicalSchemas): T {
  const errors = schemaErrors(schemaId, data, schemas);
  if (errors.length) throw invalid(errors.slice(0, 5).join('; '), { errors });
  return data as T;
}
