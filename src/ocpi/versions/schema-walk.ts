import type { SchemaDocuments } from '../validator.ts';

/**
 * Walks a JSON value along its schema and lists every object the schema names (a top-level
 * document by its title, a common.json definition by its name): how an adapter finds every
 * CdrToken in a Session or CDR without knowing where they sit.
 */
export interface NamedObject {
  name: string;
  object: Record<string, unknown>;
}

interface Node {
  schema: Record<string, any>;
  document: string;
  name?: string;
}

export function namedObjects(documents: SchemaDocuments, schemaId: string, value: unknown): NamedObject[] {
  const root = documents.get(schemaId);
  if (!root) throw new Error(`no schema ${schemaId}`);
  const found: NamedObject[] = [];
  walk(documents, { schema: root, document: schemaId, name: root.title as string | undefined }, value, found, 0);
  return found;
}

function resolve(documents: SchemaDocuments, node: Node): Node {
  let current = node;
  for (let hops = 0; typeof current.schema.$ref === 'string' && hops < 20; hops++) {
    const [file, pointer = ''] = (current.schema.$ref as string).split('#');
    const document = file || current.document;
    const doc = documents.get(document);
    if (!doc) throw new Error(`unresolvable $ref ${current.schema.$ref}`);
    const parts = pointer.split('/').filter(Boolean);
    let target: any = doc;
    for (const part of parts) target = target?.[part];
    if (!target) throw new Error(`unresolvable $ref ${current.schema.$ref}`);
    current = { schema: target, document, name: parts.at(-1) ?? (doc.title as string | undefined) };
  }
  return current;
}

function walk(documents: SchemaDocuments, node: Node, value: unknown, found: NamedObject[], depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 30) return;
  const resolved = resolve(documents, node);
  const schema = resolved.schema;
  if (Array.isArray(schema.anyOf)) {
    // Our anyOf are "X or null": follow the branch that describes an object or a list.
    const branch = (schema.anyOf as Record<string, any>[]).find((b) => b.type !== 'null');
    if (branch) walk(documents, { schema: branch, document: resolved.document, name: resolved.name }, value, found, depth + 1);
    return;
  }
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) walk(documents, { schema: schema.items, document: resolved.document }, item, found, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (resolved.name && schema.properties) found.push({ name: resolved.name, object: record });
  for (const [field, child] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, any>>)) {
    if (record[field] !== undefined) walk(documents, { schema: child, document: resolved.document }, record[field], found, depth + 1);
  }
}
