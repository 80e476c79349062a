/** JSON pointers (RFC 6901): reading a value, and setting or removing one in a copy of a payload. */
function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer "${pointer}" must start with /`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at `pointer`, or `undefined` when there is none (a missing member is not an error). */
export function read(document: unknown, pointer: string): unknown {
  let at: unknown = document;
  for (const token of tokens(pointer)) {
    if (Array.isArray(at)) at = /^\d+$/.test(token) ? at[Number(token)] : undefined;
    else if (at && typeof at === 'object') at = Object.prototype.hasOwnProperty.call(at, token) ? (at as Record<string, unknown>)[token] : undefined;
    else return undefined;
  }
  return at;
}

/** Sets `value` at `pointer` in place (parents must exist; `-` appends to an array). */
export function write(document: unknown, pointer: string, value: unknown): void {
  const path = tokens(pointer);
  const last = path.pop();
  if (last === undefined) throw new Error('cannot set the document root');
  const parent = read(document, path.length ? `/${path.join('/')}` : '');
  if (Array.isArray(parent)) {
    if (last === '-') parent.push(value);
    else parent[Number(last)] = value;
  } else if (parent && typeof parent === 'object') (parent as Record<string, unknown>)[last] = value;
  else throw new Error(`cannot set ${pointer}: its parent is not an object or array`);
}

export function remove(document: unknown, pointer: string): void {
  const path = tokens(pointer);
  const last = path.pop();
  if (last === undefined) throw new Error('cannot remove the document root');
  const parent = read(document, path.length ? `/${path.join('/')}` : '');
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[last];
}
