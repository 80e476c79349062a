import { expect } from 'chai';
import type { TestHub } from './hub.ts';
import { FakePartner, type RouteAnswer, type Seen } from './partner.ts';
import { example } from './examples.ts';
import { http, type HttpAnswer } from './http.ts';
import { ok } from './charging.ts';

/**
 * A sandbox CPO: created with `sandbox: true` (approved at once, token A in the answer),
 * registered by a local server with that token A, answering commands with `commandAnswer`.
 * `api` calls its sandbox API with its own token C as Bearer.
 */
export interface SandboxCpo {
  partner: FakePartner;
  id: string;
  /** Token C: what the CPO presents to the hub (and to its sandbox API). */
  token: string;
  tokenB: string;
  created: any;
  commandAnswer: Record<string, (req: Seen) => RouteAnswer | 'DROP' | Promise<RouteAnswer | 'DROP'>>;
  api<T = any>(method: string, path: string, body?: unknown, options?: { token?: string; id?: string; raw?: boolean }): Promise<HttpAnswer<T>>;
  commands(type?: string): Seen[];
  /** POSTs a CommandResult as the CPO, to the response_url of the n-th command it received. */
  result(result: string, index?: number): Promise<HttpAnswer<any>>;
  /** PUTs the specification's example location LOC1 (EVSEs 3256, 3257) as this CPO's. */
  putLocation(id?: string): Promise<HttpAnswer<any>>;
}

/** A CPO's plain OCPI success answer. */
export const okAnswer = ok;

export async function sandboxCpo(t: TestHub, party = { country_code: 'BE', party_id: 'BEC' }, create: Record<string, unknown> = { sandbox: true }): Promise<SandboxCpo> {
  const partner = await new FakePartner().start();
  partner.countryCode = party.country_code;
  partner.partyId = party.party_id;
  const created = await t.admin('POST', '/partners', { name: `Sandbox CPO ${party.party_id}`, ...party, role: 'CPO', ...create });
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const tokenB = `token-b-${party.party_id}`;
  partner.accepted.add(tokenB);
  partner.nextTokenC = `partner-token-c-${party.party_id}`;
  const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: created.body.token_a, body: partner.credentials(tokenB) });
  expect(res.body.status_code, JSON.stringify(res.body)).to.equal(1000);
  await t.hub.services.partnerSync.settled();
  const cpo: SandboxCpo = {
    partner,
    id: created.body.id,
    token: res.body.data.token,
    tokenB,
    created: created.body,
    commandAnswer: { START_SESSION: () => okAnswer({ result: 'ACCEPTED', timeout: 30 }), STOP_SESSION: () => okAnswer({ result: 'ACCEPTED', timeout: 30 }) },
    api(method, path, body, options = {}) {
      const token = options.token ?? cpo.token;
      return http(method, `${t.url}/api/v1/sandbox/partners/${options.id ?? cpo.id}${path}`, { headers: { authorization: `Bearer ${options.raw === false ? Buffer.from(token).toString('base64') : token}` }, body });
    },
    commands(type) {
      return partner.seen.filter((s) => s.method === 'POST' && s.path.startsWith('/ocpi/2.2.1/commands/') && (!type || s.path.endsWith(`/${type}`)));
    },
    result(result, index = 0) {
      const url = new URL((cpo.commands()[index]!.body as any).response_url);
      return t.ocpi('POST', url.pathname, { token: cpo.token, body: { result } });
    },
    putLocation(id = 'LOC1') {
      const location = { ...example<any>('location_example.json'), country_code: party.country_code, party_id: party.party_id, id };
      return t.ocpi('PUT', `/ocpi/2.2.1/locations/${party.country_code}/${party.party_id}/${id}`, { token: cpo.token, body: location });
    },
  };
  for (const type of ['START_SESSION', 'STOP_SESSION']) partner.routes.set(`POST /ocpi/2.2.1/commands/${type}`, (req) => cpo.commandAnswer[type]!(req));
  return cpo;
}
