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

/** Deeper than any OCPI object (a CDR's tariffs[].elements[].restrictions is 5): refused before any rule sees it. */
const MAX_JSON_DEPTH = 32;

type Part = string | number;

/** `['evses', 0, 'name']` → `evses[0].name` */
const fieldPath = (parts: Part[]) => parts.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');

type Step = { value: unknown; path: Part[] } | { key: string; path: Part[] };

/**
 * Why a parsed body cannot be taken: nested deeper than MAX_JSON_DEPTH anywhere (`evse_uids[0][0]…`),
 * else its first unstorable string or field name in document order (`evses[0].name: contains a
 * NUL character`). One iterative walk: a 1 MiB body can nest half a million levels, more than
 * any stack.
 */
export function bodyProblem(body: unknown): string | undefined {
  let text: string | undefined;
  const stack: Step[] = [{ value: body, path: [] }];
  while (stack.length) {
    const step = stack.pop()!;
    if ('key' in step) {
      const problem = text ? undefined : textProblem(step.key, false);
      if (problem) text = `${fieldPath([...step.path, JSON.stringify(step.key).slice(1, -1)])}: the field name ${problem}`;
      continue;
    }
    const { value, path } = step;
    if (typeof value === 'string') {
      const problem = text ? undefined : textProblem(value, false);
      if (problem) text = `${fieldPath(path) || '(body)'}: ${problem}`;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) {
      const shown = fieldPath(path.slice(0, 10));
      return `${shown.startsWith('[') ? '(body)' : ''}${shown}…: nested deeper than ${MAX_JSON_DEPTH} levels, which no OCPI object is`;
    }
    const entries: [Part, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
    // Reversed onto the stack, so they come off in document order; a field's name before its value.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [part, item] = entries[i]!;
      stack.push({ value: item, path: [...path, part] });
      if (typeof part === 'string') stack.push({ key: part, path });
    }
  }
  return text;
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
