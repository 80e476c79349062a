/**
 * `npm run schemas`: regenerates schemas/*.json and src/ocpi/types.ts from fixtures/ocpi/field-tables.json
 * (see scripts/schema-generator.ts). schemas/ holds only generated files: a schema the generator no longer
 * makes is removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generate, ROOT, SCHEMA_DIR } from './schema-generator.ts';

const files = await generate();
const schemaDir = path.join(ROOT, SCHEMA_DIR);
for (const stale of fs.readdirSync(schemaDir).filter((f) => f.endsWith('.json') && !files.has(`${SCHEMA_DIR}/${f}`))) {
  fs.rmSync(path.join(schemaDir, stale));
  console.log(`removed ${SCHEMA_DIR}/${stale}`);
}
let changed = 0;
for (const [file, content] of files) {
  const target = path.join(ROOT, file);
  if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === content) continue;
  fs.writeFileSync(target, content);
  changed += 1;
  console.log(`wrote ${file}`);
}
console.log(`${files.size} generated files, ${changed} changed`);
