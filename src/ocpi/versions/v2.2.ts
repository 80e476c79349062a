import { canonicalDocuments, SchemaSet, type SchemaDocuments } from '../validator.ts';
import { defineVersion } from './adapter.ts';

/**
 * OCPI 2.2 (2019), as 2.2-era CPOs still speak it. Every difference between the 2.2 and 2.2.1
 * texts that touches a module the hub runs is listed, with how it is handled, in
 * docs/versions.md. On the wire only a few of them change what we read or send:
 *
 * - CdrToken has no country_code/party_id: read without them, filled from the hub's token of
 *   that uid and type (our tokens are the ones a CPO charges against); left out when we
 *   answer. A token the hub does not know stays without them.
 * - CDR.home_charging_compensation, CdrLocation.state and StartSession.connector_id do not
 *   exist: left out of what we send and answer.
 *
 * Where 2.2 was stricter than 2.2.1 (CdrLocation.postal_code required, SignedValue.signed_data
 * at most 512) the hub reads as 2.2.1 does: accepting more of what a partner sends costs
 * nothing, and these fields are kept as sent.
 */
const ABSENT_IN_2_2: Record<string, string[]> = {
  CdrToken: ['country_code', 'party_id'],
  Cdr: ['home_charging_compensation'],
  CdrLocation: ['state'],
  StartSession: ['connector_id'],
};

function documents(): SchemaDocuments {
  const docs = canonicalDocuments();
  const cdrToken = docs.get('common.json')!.definitions.CdrToken as { required: string[] };
  cdrToken.required = cdrToken.required.filter((field) => !ABSENT_IN_2_2.CdrToken!.includes(field));
  return docs;
}

export const v2_2 = defineVersion({
  version: '2.2',
  schemas: new SchemaSet('2.2', documents),
  absent: ABSENT_IN_2_2,
  async fill(_type, value, ctx) {
    for (const token of cdrTokens(value)) {
      if (token.country_code !== undefined && token.party_id !== undefined) continue;
      const party = typeof token.uid === 'string' && typeof token.type === 'string' ? await ctx.tokenParty(token.uid, token.type) : undefined;
      if (party) Object.assign(token, party);
    }
  },
});

/** The CdrTokens of a Session, a Session PATCH or a CDR: each sits at `cdr_token`. */
function cdrTokens(value: Record<string, any>): Record<string, any>[] {
  const token = value.cdr_token;
  return token !== null && typeof token === 'object' && !Array.isArray(token) ? [token] : [];
}
