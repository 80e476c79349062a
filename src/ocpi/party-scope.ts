import { HubError, invalid } from '../errors.ts';
import type { Caller } from './module.ts';

/**
 * Client-owned objects: a partner writes only under a country_code/party_id of its own
 * credentials roles, and ids in the body must equal those in the URL. CiStrings compare
 * case-insensitively.
 */
export function assertOwnParty(caller: Caller, countryCode: string, partyId: string): void {
  if (!ownsParty(caller.partner.roles, { country_code: countryCode, party_id: partyId })) throw new HubError('FORBIDDEN', `${countryCode}/${partyId} is not one of your credentials roles: you may only write your own objects`);
}

/** Whether the object's country_code/party_id is one of these credentials roles; a partner not yet registered has none. */
export function ownsParty(
  roles: readonly { country_code: string; party_id: string }[] | null | undefined,
  object: { country_code?: string | null; party_id?: string | null } | null | undefined,
): boolean {
  return (roles ?? []).some((r) => sameId(r.country_code, object?.country_code) && sameId(r.party_id, object?.party_id));
}

export function sameId(a: unknown, b: unknown): boolean {
  // A pulled object is compared before its schema is checked: a number where a string belongs is simply not the same id.
  return typeof a === 'string' && typeof b === 'string' && a.toUpperCase() === b.toUpperCase();
}

/** Body fields that identify the object must match the URL (2001 when they don't). Absent fields are allowed in PATCH. */
export function assertBodyMatchesUrl(body: unknown, expected: Record<string, string>, required: boolean): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return;
  const record = body as Record<string, unknown>;
  for (const [field, value] of Object.entries(expected)) {
    const got = record[field];
    if (got === undefined || got === null) {
      if (required) throw invalid(`${field}: is required`);
      continue;
    }
    if (typeof got !== 'string' || !sameId(got, value)) throw invalid(`${field}: "${String(got)}" does not match "${value}" in the URL`);
  }
}

/** The case-insensitive key of a client-owned object: `CC/PID/ID`, upper-cased. */
export function objectKey(countryCode: string, partyId: string, id: string): string {
  return `${countryCode}/${partyId}/${id}`.toUpperCase();
}
