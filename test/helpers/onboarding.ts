import { expect } from 'chai';
import type { TestHub } from './hub.ts';
import { FakePartner } from './partner.ts';

export interface OnboardedCpo {
  partner: FakePartner;
  id: string;
  /** Token C: what the CPO presents to the hub. */
  token: string;
  /** Token B: what the hub presents to the CPO. */
  tokenB: string;
}

/** Creates and approves a CPO partner; returns its id and token A. */
export async function approvedCpo(t: TestHub, party = { country_code: 'DE', party_id: 'CPX' }): Promise<{ id: string; tokenA: string }> {
  const created = await t.admin('POST', '/partners', { name: 'Fake CPO', ...party, role: 'CPO' });
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const approved = await t.admin('POST', `/partners/${created.body.id}/approve`);
  expect(approved.status).to.equal(200);
  return { id: created.body.id, tokenA: approved.body.token_a };
}

/** The whole receiving-side handshake: a fake CPO registers with token A and ends up ACTIVE. */
export async function onboardCpo(t: TestHub, party = { country_code: 'DE', party_id: 'CPX' }): Promise<OnboardedCpo> {
  const partner = await new FakePartner().start();
  partner.countryCode = party.country_code;
  partner.partyId = party.party_id;
  const { id, tokenA } = await approvedCpo(t, party);
  const tokenB = `token-b-${party.party_id}`;
  partner.accepted.add(tokenB);
  const res = await t.ocpi('POST', '/ocpi/2.2.1/credentials', { token: tokenA, body: partner.credentials(tokenB) });
  expect(res.body.status_code, JSON.stringify(res.body)).to.equal(1000);
  // The pull the registration started in the background (it finds no locations here: 404) is over.
  await t.hub.services.partnerSync.settled();
  return { partner, id, token: res.body.data.token, tokenB };
}
