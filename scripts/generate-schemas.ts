import fs from 'node:fs';
import path from 'node:path';
import { buildModel, OUTPUT, schemaFiles, typesFile } from './schema-model.ts';

const model = buildModel();
for (const [file, content] of Object.entries(schemaFiles(model))) fs.writeFileSync(path.join(OUTPUT.schemas, file), content);
fs.writeFileSync(OUTPUT.types, typesFile(model));
console.log(`wrote ${Object.keys(schemaFiles(model)).length} schemas to schemas/ and their types to src/ocpi/types.ts`);
