import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/** A specification example (verbatim copy under fixtures/ocpi/examples), parsed fresh each time so tests may change it. */
export function example<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'ocpi/examples', name), 'utf8')) as T;
}

export function fixture<T = any>(relative: string): T {
  return JSON.parse(fs.readFileSync(path.join(ROOT, relative), 'utf8')) as T;
}
