import type { Context } from 'koa';
import { invalid } from '../errors.ts';

/**
 * Text no partner means and PostgreSQL cannot store: a NUL (jsonb refuses \u0000) and a lone
 * UTF-16 surrogate (`"\ud800"`: valid JSON, not valid Unicode). Refused anywhere in a body,
 * keys included, before any rule or statement sees it; ids and query values also refuse the
 * other control characters, which no OCPI id or filter contains.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function textProblem(text: string, controls: boolean): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate, which is not text';
  if (controls && CONTROL.test(text)) return 'contains a control character';
  return undefined;
}

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** The first unstorable string in a parsed JSON value, as `field: problem`; depth-first, in document order. */
export function unstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value, false);
    return problem && `${path || '(body)'}: ${problem}`;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key, false);
      if (keyProblem) return `${child(path, JSON.stringify(key).slice(1, -1))}: the field name ${keyProblem}`;
      const found = unstorableText(item, child(path, key));
      if (found) return found;
    }
  }
  return undefined;
}

/** Refuses a request whose path or query carries control characters or broken text (`/cdrs/DE/AAA/%00`, `?token_uid=%00`). */
export function assertCleanUrl(ctx: Context): void {
  let path: string;
  try {
    path = decodeURIComponent(ctx.path);
  } catch {
    throw invalid('path: is not valid percent-encoded UTF-8');
  }
  const inPath = textProblem(path, true);
  if (inPath) throw invalid(`path: ${inPath}`);
  for (const [name, raw] of Object.entries(ctx.query)) {
    const nameProblem = textProblem(name, true);
    if (nameProblem) throw invalid(`query parameter name ${nameProblem}`);
    for (const value of Array.isArray(raw) ? raw : [raw ?? '']) {
      const problem = textProblem(value, true);
      if (problem) throw invalid(`${name}: ${problem}`);
    }
  }
}

/** Deeper than any OCPI object (a CDR's tariffs[].elements[].restrictions is 5): refused before any recursive walk. */
export const MAX_JSON_DEPTH = 32;

/**
 * The path of the first value nested deeper than MAX_JSON_DEPTH, shortened for the message
 * (`evse_uids[0][0][0]…`); undefined when the value is shallow enough. Iterative: a body of
 * 1 MiB can nest half a million levels, more than any stack.
 */
export function tooDeep(value: unknown): string | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: node, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) {
      const shown = path.slice(0, 10).map((part, i) => (part.startsWith('[') || i === 0 ? part : `.${part}`)).join('');
      return `${shown.startsWith('[') ? '(body)' : ''}${shown}…`;
    }
    const entries: [string, unknown][] = Array.isArray(node) ? node.map((item, i) => [`[${i}]`, item]) : Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
  }
  return undefined;
}
