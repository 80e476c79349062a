/**
 * Scenario templates: `{name}` in a string is replaced by the variable `name` (letters, digits,
 * `_`, `.` and `-`), optionally through a filter: `{cmd.response_url|parent}` drops the last
 * path segment. Only strings are templated; numbers, booleans and null pass unchanged, so a
 * payload keeps its JSON types.
 */
export type Vars = Map<string, string>;

export class TemplateError extends Error {
  constructor(
    message: string,
    /** The unknown variable, when that is the problem. */
    readonly variable?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDER = /\{([a-z][a-z0-9_.-]*)(?:\|([a-z]+))?\}/gi;

const FILTERS: Record<string, (value: string) => string> = {
  parent: (value) => value.replace(/\/[^/]*\/?$/, ''),
  upper: (value) => value.toUpperCase(),
  lower: (value) => value.toLowerCase(),
};

export function fill(text: string, vars: Vars): string {
  return text.replace(PLACEHOLDER, (_all, name: string, filter: string | undefined) => {
    const value = vars.get(name);
    if (value === undefined) throw new TemplateError(`unknown variable {${name}}${vars.size ? '' : ' (no variables yet)'}`, name);
    if (filter === undefined) return value;
    const apply = FILTERS[filter];
    if (!apply) throw new TemplateError(`unknown filter |${filter} in {${name}|${filter}} (known: ${Object.keys(FILTERS).join(', ')})`);
    return apply(value);
  });
}

/** Templates every string inside a JSON value (keys stay as they are). */
export function fillDeep<T>(value: T, vars: Vars): T {
  if (typeof value === 'string') return fill(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, vars)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, vars)])) as T;
  return value;
}
