import { request } from 'undici';

export interface HttpAnswer<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
  text: string;
}

/** A plain HTTP call from a test (undici, so nock never stands in the way of talking to the hub). */
export async function http<T = any>(method: string, url: string, options: { headers?: Record<string, string>; body?: unknown; raw?: string } = {}): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await request(url, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the test looks at `text`
  }
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers: flat, body: parsed as T, text };
}

export const b64 = (token: string) => Buffer.from(token, 'utf8').toString('base64');
