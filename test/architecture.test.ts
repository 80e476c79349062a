import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

/**
 * The rules of the house (README, "How the code is laid out"), checked on every import of the
 * tree so the shape holds:
 * - nobody imports another folder's entities.ts (tests neither);
 * - an OCPI adapter is reached only through its api.ts (ocpi-modules/index.ts mounts index.ts);
 * - the adapters reach charging/ only through charging/link.ts, the core only to mount it;
 * - pricing/ is pure: it imports the OCPI types and itself;
 * - the core imports the adapters only to mount them.
 */
const CODE = ['src', 'ocpi-modules', 'charging', 'pricing', 'partner-kit', 'bench', 'scripts'];

/** The folder a file belongs to: each adapter, each core area and each kit tool is one. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if ((parts[0] === 'ocpi-modules' || parts[0] === 'src' || parts[0] === 'partner-kit') && parts.length > 2) return parts.slice(0, 2).join('/');
  return parts[0]!;
}

/** Why `file` may not import `target` (both relative to the project), or undefined. */
export function violation(file: string, target: string): string | undefined {
  const from = folderOf(file);
  const to = folderOf(target);
  if (from === to) return undefined;
  if (path.basename(target) === 'entities.ts') return `imports another folder's entities.ts`;
  if (file.startsWith('test/')) return undefined;
  if (to.startsWith('ocpi-modules/') && !target.endsWith('/api.ts') && !(file === 'ocpi-modules/index.ts' && target.endsWith('/index.ts'))) return `reaches into ${to} past its api.ts`;
  if (to === 'charging' && from.startsWith('ocpi-modules/') && target !== 'charging/link.ts') return 'an adapter reaches charging/ past link.ts';
  if (to === 'charging' && from.startsWith('src') && !(file === 'src/hub.ts' && target === 'charging/index.ts')) return 'the core imports charging/ (only src/hub.ts mounts it)';
  if (from === 'pricing' && target !== 'src/ocpi/types.ts') return 'pricing/ imports something besides the OCPI types';
  if (to.startsWith('ocpi-modules') && from.startsWith('src') && !(file === 'src/hub.ts' && target === 'ocpi-modules/index.ts')) return 'the core imports an adapter (only src/hub.ts mounts them)';
  return undefined;
}

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => path.normalize(path.join(path.dirname(file), m[1]!)));
}

describe('the shape of the tree', () => {
  it('holds the rules of the house on every import of the code and the tests', () => {
    const files = [...CODE, 'test'].flatMap(sources);
    expect(files.length).to.be.greaterThan(150);
    const broken = files.flatMap((file) => imports(file).flatMap((target) => {
      const why = violation(file, target);
      return why ? [`${file} → ${target}: ${why}`] : [];
    }));
    expect(broken).to.deep.equal([]);
  });

  it('names what breaks a rule', () => {
    expect(violation('charging/start.ts', 'ocpi-modules/locations/entities.ts')).to.equal(`imports another folder's entities.ts`);
    expect(violation('test/charging/start.test.ts', 'charging/entities.ts')).to.equal(`imports another folder's entities.ts`);
    expect(violation('charging/start.ts', 'ocpi-modules/locations/freshness.ts')).to.equal('reaches into ocpi-modules/locations past its api.ts');
    expect(violation('ocpi-modules/cdrs/store.ts', 'charging/settlement.ts')).to.equal('an adapter reaches charging/ past link.ts');
    expect(violation('src/partners/heartbeat.ts', 'ocpi-modules/locations/api.ts')).to.equal('the core imports an adapter (only src/hub.ts mounts them)');
    expect(violation('src/app.ts', 'charging/sandbox-api.ts')).to.equal('the core imports charging/ (only src/hub.ts mounts it)');
    expect(violation('pricing/price.ts', 'src/errors.ts')).to.equal('pricing/ imports something besides the OCPI types');
    expect(violation('charging/start.ts', 'ocpi-modules/locations/api.ts')).to.equal(undefined);
    expect(violation('ocpi-modules/cdrs/store.ts', 'charging/link.ts')).to.equal(undefined);
    expect(violation('ocpi-modules/locations/store.ts', 'ocpi-modules/locations/entities.ts')).to.equal(undefined);
  });
});
