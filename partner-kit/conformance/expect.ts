import { read } from './pointer.ts';
import { fillDeep, type Vars } from './template.ts';

/**
 * Expected outcomes: a plain value is compared by deep equality (its strings templated), a
 * matcher object checks a property of the value. Each mismatch is one Difference naming where
 * it is, what was expected and what came.
 */
export interface Expectation {
  status?: unknown;
  status_code?: unknown;
  fields?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined when the body was not JSON. */
  body: unknown;
  text: string;
}

export interface Difference {
  where: string;
  expected: string;
  got: string;
}

const MATCHERS = ['$type', '$present', '$contains', '$matches', '$in', '$between', '$length', '$maxLength', '$ne'];

function isMatcher(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && MATCHERS.includes(keys[0]!);
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Whether `got` satisfies `expected`; on a mismatch, how the expectation reads. */
function matches(expected: unknown, got: unknown): { ok: boolean; wanted: string } {
  if (!isMatcher(expected)) return { ok: equal(expected, got), wanted: show(expected) };
  const [name, arg] = Object.entries(expected)[0]!;
  switch (name) {
    case '$type': {
      const type = typeOf(got);
      return { ok: type === arg || (arg === 'number' && type === 'integer'), wanted: `a value of type ${String(arg)}` };
    }
    case '$present':
      return { ok: (got !== undefined) === arg, wanted: arg ? 'present' : 'absent' };
    case '$contains':
      return { ok: typeof got === 'string' && got.includes(String(arg)), wanted: `a string containing ${show(arg)}` };
    case '$matches':
      return { ok: typeof got === 'string' && new RegExp(String(arg)).test(got), wanted: `a string matching /${String(arg)}/` };
    case '$in':
      return { ok: (arg as unknown[]).some((v) => equal(v, got)), wanted: `one of ${show(arg)}` };
    case '$between': {
      const [low, high] = arg as [number, number];
      const n = typeof got === 'string' && /^-?\d+(\.\d+)?$/.test(got) ? Number(got) : got;
      return { ok: typeof n === 'number' && n >= low && n <= high, wanted: `a number from ${low} to ${high}` };
    }
    case '$length':
      return { ok: (Array.isArray(got) || typeof got === 'string') && got.length === arg, wanted: `length ${String(arg)}` };
    case '$ne':
      return { ok: !equal(arg, got), wanted: `anything but ${show(arg)}` };
    case '$maxLength':
      return { ok: (Array.isArray(got) || typeof got === 'string') && got.length <= (arg as number), wanted: `length at most ${String(arg)}` };
  }
  return { ok: false, wanted: `unknown matcher ${name}` };
}

function gotOf(value: unknown, matcher: unknown): string {
  if (isMatcher(matcher) && ('$length' in matcher || '$maxLength' in matcher) && (Array.isArray(value) || typeof value === 'string')) return `length ${value.length}`;
  return show(value);
}

export function compare(expectation: Expectation, answer: Answer, vars: Vars): Difference[] {
  const e = fillDeep(expectation, vars);
  const differences: Difference[] = [];
  const check = (where: string, expected: unknown, got: unknown) => {
    const m = matches(expected, got);
    if (!m.ok) differences.push({ where, expected: m.wanted, got: gotOf(got, expected) });
  };
  if (e.status !== undefined) check('HTTP status', e.status, answer.status);
  const body = answer.body as Record<string, unknown> | undefined;
  if (e.status_code !== undefined) check('/status_code', e.status_code, body && typeof body === 'object' ? body.status_code : undefined);
  for (const [pointer, expected] of Object.entries(e.fields ?? {})) check(pointer || '(body)', expected, read(body, pointer));
  for (const [name, expected] of Object.entries(e.headers ?? {})) check(`header ${name}`, expected, answer.headers[name.toLowerCase()]);
  return differences;
}
