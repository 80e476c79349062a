import { request } from 'undici';

/** The hub's own HTTP APIs, called as an operator would: the demo does nothing a user could not. */
export interface HubCalls {
  admin<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  app<T = any>(method: 'GET', path: string): Promise<T>;
}

export function hubCalls(baseUrl: string, keys: { admin: string; app: string }): HubCalls {
  const call = async (key: string, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await request(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    admin: (method, path, body) => call(keys.admin, method, `/api/v1/admin${path}`, body),
    app: (method, path) => call(keys.app, method, path),
  };
}
